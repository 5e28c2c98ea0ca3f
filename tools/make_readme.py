"Write README.md from nbs/index.ipynb without Quarto: markdown cells as they are, code cells not marked hide as python blocks (without their `#|` directives) with their text outputs."
import json, pathlib, sys

def cell_text(cell): return ''.join(cell['source'])

def is_directive(line): return line.replace(' ', '').startswith('#|')

def render(nb_path):
    nb = json.loads(pathlib.Path(nb_path).read_text())
    parts = []
    for cell in nb['cells']:
        src = cell_text(cell)
        if cell['cell_type'] == 'markdown': parts.append(src)
        elif cell['cell_type'] == 'code' and '#| hide' not in src and '#|hide' not in src:
            code = '\n'.join(l for l in src.split('\n') if not is_directive(l))  # as nbdev shows it: no `#|` lines
            if not code.strip(): continue
            parts.append('```python\n' + code + '\n```')
            for out in cell.get('outputs', []):
                text = out.get('text') or out.get('data', {}).get('text/plain')
                if text: parts.append('    ' + ''.join(text).replace('\n', '\n    '))
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    root = pathlib.Path(__file__).resolve().parent.parent
    out = render(root/'nbs'/'index.ipynb')
    if '--check' in sys.argv:
        sys.exit(0 if (root/'README.md').read_text() == out else 'README.md is out of date: run python tools/make_readme.py')
    (root/'README.md').write_text(out)
