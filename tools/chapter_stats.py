"""How a chapter reads at a glance (issue 40, STYLE.md's "Width" and "Prose"): per notebook, the median characters per
code line, the share of code lines over 120 characters, the median words per markdown cell and the cells over 150 words,
and the share of code cells that show a value (their last statement is an expression other than a `test_*` call).

    python tools/chapter_stats.py nbs/04_train.ipynb nbs/05_evaluate.ipynb nbs/07_experiments.ipynb
"""
import ast, json, statistics, sys
from pathlib import Path


def shows_value(src):
    "Whether a code cell's last statement is an expression a reader sees (not a `test_*` call, not a directive-only cell)."
    try: tree = ast.parse('\n'.join(l for l in src.splitlines() if not l.lstrip().startswith(('%', '!'))))
    except SyntaxError: return False
    if not tree.body or not isinstance(tree.body[-1], ast.Expr): return False
    v = tree.body[-1].value
    f = v.func if isinstance(v, ast.Call) else None
    name = getattr(f, 'id', getattr(f, 'attr', '')) if f is not None else ''
    return not name.startswith('test_')


def stats(path):
    "One row of figures for the notebook at `path`."
    cells = json.loads(Path(path).read_text())['cells']
    code = [''.join(c['source']) for c in cells if c['cell_type'] == 'code']
    md = [''.join(c['source']) for c in cells if c['cell_type'] == 'markdown']
    lines = [l for s in code for l in s.splitlines() if l.strip() and not l.startswith('#|')]
    words = [len(s.split()) for s in md]
    return dict(notebook=Path(path).name, median_chars_per_code_line=statistics.median(len(l) for l in lines),
                code_lines_over_120_pct=round(100 * sum(len(l) > 120 for l in lines) / len(lines), 1),
                median_words_per_markdown_cell=statistics.median(words), markdown_cells_over_150_words=sum(w > 150 for w in words),
                code_cells_showing_a_value_pct=round(100 * sum(map(shows_value, code)) / len(code)))


if __name__ == '__main__':
    rows = [stats(p) for p in sys.argv[1:] or sorted(Path('nbs').glob('[0-9]*.ipynb'))]
    print('| notebook | median characters per code line | code lines over 120 | median words per markdown cell | markdown cells over 150 words | code cells that show a value |')
    print('|---|---|---|---|---|---|')
    for r in rows: print(f"| {r['notebook']} | {r['median_chars_per_code_line']:g} | {r['code_lines_over_120_pct']}% | {r['median_words_per_markdown_cell']:g} | "
                         f"{r['markdown_cells_over_150_words']} | {r['code_cells_showing_a_value_pct']}% |")
