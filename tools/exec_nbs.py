"Run notebooks in place with the IN_TEST configs on SYNTHETIC data (LGG_DATA unset), so stored outputs hold no real data; then run nbdev_clean."
import os, sys
os.environ['IN_TEST'] = '1'; os.environ.pop('LGG_DATA', None)
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

if __name__ == '__main__':
    for f in map(Path, sys.argv[1:]):
        nb = read_nb(f); here = Path.cwd(); os.chdir(f.resolve().parent)
        CaptureShell().run_all(nb, exc_stop=True)
        write_nb(nb, f.name); os.chdir(here); print('executed', f, flush=True)
