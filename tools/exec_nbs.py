"""Run notebooks in place to make their stored outputs, with the fast IN_TEST configurations; then run nbdev_clean on them.

Stored outputs come from the dev data when LGG_DATA is set, from the synthetic phantom set otherwise:

    LGG_DATA=/path/to/lgg-mri-segmentation-dev.zip python tools/exec_nbs.py nbs/00_data.ipynb nbs/01_preprocess.ipynb
    python tools/exec_nbs.py nbs/index.ipynb          # phantom data
    LGG_DATA=... LGG_CV=bench/_work/cv/shipped-recipe python tools/exec_nbs.py nbs/05_evaluate.ipynb nbs/06_visualize.ipynb

LGG_CV names a cross-validation folder made by `lgg_cv` (the shipped recipe's, bench/README.md "Accuracy"): 05 shows its
summary and 06 draws its out-of-fold results (patients each predicted by a model that never saw them).

Figures of the real data may be stored, small (PNG at 72 dpi, not retina) and labelled with the dataset's licence and citation
(`lgg_unet.data.data_credit`); a notebook must never print or display the tifs, masks or arrays themselves. A cell marked
`#| output: false` keeps no stored output: the tests' tiny models score nothing on the real data, and their tables are not results."""
import os, sys
os.environ['IN_TEST'] = '1'
from pathlib import Path
import matplotlib
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

DPI = 72  # stored figures stay small

if __name__ == '__main__':
    print('data:', os.environ.get('LGG_DATA') or 'synthetic phantom set', flush=True)
    for f in map(Path, sys.argv[1:]):
        nb = read_nb(f); here = Path.cwd(); os.chdir(f.resolve().parent)
        shell = CaptureShell(mpl_format='png')  # execnb's default, retina, stores twice the pixels
        matplotlib.rcParams['figure.dpi'] = DPI
        shell.run_all(nb, exc_stop=True)
        for cell in nb.cells:  # `#| output: false`: the docs site hides the output, so it is not stored either (the tiny test models' tables)
            if cell.cell_type == 'code' and any(l.replace(' ', '') == '#|output:false' for l in cell.source.splitlines()): cell.outputs = []
        write_nb(nb, f.name); os.chdir(here); print('executed', f, flush=True)
