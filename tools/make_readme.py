"""Write README.md from nbs/index.ipynb without Quarto: markdown cells as they are, code cells not marked hide as python
blocks (without their `#|` directives) with their text outputs; a cell marked `#| echo: false` shows its outputs only,
as on the docs site. A PNG output is written to index_files/figure-commonmark/cell-<n>-output-<k>.png (as nbdev_readme
names them) and linked from the README. `--check` fails if README.md or a figure file differs from what it would write."""
import base64, json, pathlib, sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIGURES = pathlib.Path('index_files')/'figure-commonmark'

def cell_text(cell): return ''.join(cell['source'])

def is_directive(line): return line.replace(' ', '').startswith('#|')

def render(nb_path):
    "README text and {relative path: PNG bytes} of its figures."
    nb = json.loads(pathlib.Path(nb_path).read_text())
    parts, figures = [], {}
    for n, cell in enumerate(nb['cells']):
        src = cell_text(cell)
        flat = src.replace(' ', '')
        if cell['cell_type'] == 'markdown': parts.append(src)
        elif cell['cell_type'] == 'code' and '#|hide' not in flat:
            code = '\n'.join(l for l in src.split('\n') if not is_directive(l))  # as nbdev shows it: no `#|` lines
            if not code.strip(): continue
            if '#|echo:false' not in flat: parts.append('```python\n' + code + '\n```')
            for k, out in enumerate(cell.get('outputs', [])):
                png = out.get('data', {}).get('image/png')
                if png:
                    rel = FIGURES/f'cell-{n}-output-{k + 1}.png'
                    figures[rel] = base64.b64decode(''.join(png))
                    parts.append(f'![]({rel.as_posix()})')
                    continue
                text = out.get('text') or out.get('data', {}).get('text/plain')
                if text: parts.append('    ' + ''.join(text).replace('\n', '\n    '))
    return '\n\n'.join(parts) + '\n', figures

if __name__ == '__main__':
    out, figures = render(ROOT/'nbs'/'index.ipynb')
    stale = [p for p in (ROOT/FIGURES).glob('*.png') if p.relative_to(ROOT) not in figures] if (ROOT/FIGURES).is_dir() else []
    if '--check' in sys.argv:
        bad = (['README.md'] if (ROOT/'README.md').read_text() != out else []) + \
              [str(p) for p, b in figures.items() if not (ROOT/p).is_file() or (ROOT/p).read_bytes() != b] + [str(p.relative_to(ROOT)) for p in stale]
        sys.exit(f"out of date: {', '.join(bad)}: run python tools/make_readme.py" if bad else 0)
    for p, b in figures.items(): (ROOT/p).parent.mkdir(parents=True, exist_ok=True); (ROOT/p).write_bytes(b)
    for p in stale: p.unlink()
    (ROOT/'README.md').write_text(out)
