"""Format the notebooks' code with ruff (`RUFF_OPTIONS`: lines of at most 100 characters, quotes kept as written), keep every parameter's
docment on its parameter, and prove that no cell's code changed meaning: each code cell's syntax tree before and after
must be equal. `python tools/format_notebooks.py` formats nbs/*.ipynb in place; `--check` only says which would change
(CI runs it)."""
import argparse, ast, json, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUFF_OPTIONS = ['--line-length', '100', '--config', "format.quote-style = 'preserve'"]
# ruff puts the comment of a signature's last parameter after the closing parenthesis, where docments reads it as the
# return's: move it back onto the parameter
STRANDED = re.compile(r'^(?P<param>[ \t]+[^\n#]*,)\n(?P<close>[ \t]*\)(?: -> [^\n:#]+)?:)[ \t]+(?P<comment>#[^\n]*)$', re.M)


def code_trees(nb):
    "The syntax tree of each code cell (IPython magics and shell lines left out), as text."
    out = []
    for c in nb['cells']:
        if c['cell_type'] != 'code': continue
        src = '\n'.join(l for l in ''.join(c['source']).splitlines() if not l.lstrip().startswith(('%', '!')))
        try: out.append(ast.dump(ast.parse(src)))
        except SyntaxError: out.append(src)
    return out


def restore_docments(path):
    "Move a last parameter's comment from after `):` back onto the parameter, in every code cell of the notebook at `path`."
    nb = json.loads(path.read_text())
    for c in nb['cells']:
        if c['cell_type'] == 'code':
            s = ''.join(c['source'])
            t = STRANDED.sub(lambda m: f"{m['param']}  {m['comment']}\n{m['close']}", s)
            if t != s: c['source'] = t.splitlines(keepends=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--check', action='store_true', help='change nothing; exit 1 naming the notebooks that would change')
    ap.add_argument('notebooks', nargs='*', type=Path, help='default: nbs/*.ipynb')
    a = ap.parse_args(argv)
    nbs = a.notebooks or sorted((ROOT/'nbs').glob('*.ipynb'))
    ruff = [sys.executable, '-m', 'ruff', 'format', *RUFF_OPTIONS]
    if a.check:
        r = subprocess.run(ruff + ['--check', *map(str, nbs)], capture_output=True, text=True)
        if r.returncode: print(r.stdout + r.stderr + "format_notebooks: run `python tools/format_notebooks.py` and commit"); return 1
        print(f"format_notebooks: {len(nbs)} notebooks formatted"); return 0
    before = {p: code_trees(json.loads(p.read_text())) for p in nbs}
    subprocess.run(ruff + list(map(str, nbs)), check=True)
    for p in nbs: restore_docments(p)
    subprocess.run(ruff + list(map(str, nbs)), check=True, capture_output=True)  # stable after the move
    bad = [p.name for p in nbs if code_trees(json.loads(p.read_text())) != before[p]]
    if bad: print(f"format_notebooks: the code of {', '.join(bad)} changed meaning: revert with git checkout"); return 1
    print(f"format_notebooks: {len(nbs)} notebooks formatted; every code cell's syntax tree is unchanged")
    return 0


if __name__ == '__main__': sys.exit(main())
