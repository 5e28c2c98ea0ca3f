"""Names cross module boundaries only when public: no module of `lgg_unet` imports a private name (`_x`) of another, and
every script in bench/ still runs against the package: each imports (its top level only: no benchmark starts), and every
name any of them imports from `lgg_unet` (at the top or inside a function) exists and is public.

Usage: python tools/check_imports.py     (CI runs it; exit 1 and one line per fault otherwise)
"""
import ast, importlib, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH, PACKAGE = ROOT/'bench', ROOT/'lgg_unet'
OPTIONAL = {'torch'}  # the bench extra (settings.ini bench_requirements): a script that needs it is named, not failed, where it is missing

def lgg_imports(path):
    "(module, name, line) of every `from lgg_unet... import name` (or `from .x import name`) in the file at `path`."
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and ((node.module or '').startswith('lgg_unet') or node.level):
            mod = node.module if not node.level else f"lgg_unet.{node.module}"
            for a in node.names: yield mod, a.name, node.lineno

def private_imports():
    "One line per private name a module of the package imports from another."
    for f in sorted(PACKAGE.glob('*.py')):
        for mod, name, line in lgg_imports(f):
            if name.startswith('_'): yield f"lgg_unet/{f.name}:{line}: imports the private name {mod}.{name}"

def faults():
    "One line per private name crossing a module of the package, per bench script that does not import, or per name it imports that is missing or private."
    yield from private_imports()
    sys.path.insert(0, str(BENCH))
    for f in sorted(BENCH.glob('*.py')):
        try: importlib.import_module(f.stem)
        except ModuleNotFoundError as e:
            if e.name not in OPTIONAL: yield f"bench/{f.name}: does not import: {e}"
            else: print(f"bench/{f.name}: import not checked here: it needs {e.name} (pip install -e .[bench])")
        except Exception as e: yield f"bench/{f.name}: does not import: {type(e).__name__}: {e}"
        for mod, name, line in lgg_imports(f):
            if name.startswith('_'): yield f"bench/{f.name}:{line}: imports the private name {mod}.{name}"
            elif not hasattr(importlib.import_module(mod), name): yield f"bench/{f.name}:{line}: {mod} has no {name}"

if __name__ == '__main__':
    found = list(faults())
    print('\n'.join(found) or f"no private name crosses a module of lgg_unet; bench: {len(list(BENCH.glob('*.py')))} scripts import, every lgg_unet name they use exists and is public")
    sys.exit(1 if found else 0)
