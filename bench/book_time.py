"""Wall time of the book run top to bottom as a user runs it on a CPU-only kernel: every notebook in order, in full
(not under `nbdev_test`: `IN_TEST` unset), on the data `LGG_DATA` names, with a fresh, empty `LGG_CACHE`, so that the
extraction, the slice cache and the book's trainings (chapter 04's `book_run`, one per model kind) are all counted.

Usage: LGG_DATA=/path/to/lgg-mri-segmentation-dev.zip python bench/book_time.py [--notebooks 00_data 01_preprocess ...]
With `--cache DIR` the cache is kept, so a rerun from a failed notebook reuses what the earlier ones made; with
`--save DIR` the executed notebooks are written there (their outputs from the data LGG_DATA names).
The notebooks run in a temporary copy (their stored outputs are left alone); a failing cell stops the run and is
reported. Prints the minutes of each notebook and the total, and stores them under the key 'book_time' of
bench/results.json (read-modify-write: other keys are kept). Run it on a quiet machine: it is a speed figure.
"""
import argparse, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTEBOOKS = ['index'] + sorted(f.stem for f in (HERE.parent/'nbs').glob('[0-9][0-9]_*.ipynb'))  # the book's order

def main(notebooks=NOTEBOOKS, cache=None, record=True, save_to=None):
    sys.path.insert(0, str(HERE))
    from record import save
    from lgg_unet.data import kaggle_input
    if not (os.environ.get('LGG_DATA') or kaggle_input().is_dir()):  # the book's own order (chapter 00's example_dataset), without extracting here
        raise SystemExit("book_time: set LGG_DATA to the dataset (zip or kaggle_3m folder), or mount it where a Kaggle kernel has it (LGG_KAGGLE_INPUT)")
    data = Path(os.environ['LGG_DATA']).name if os.environ.get('LGG_DATA') else f"{kaggle_input()} (Kaggle input)"
    os.environ.pop('IN_TEST', None)
    keep = cache is not None
    cache = Path(cache) if keep else Path(tempfile.mkdtemp(prefix='lgg-book-cache-')); os.environ['LGG_CACHE'] = str(cache)
    top = Path(tempfile.mkdtemp(prefix='lgg-book-nbs-')); work = top/'nbs'; work.mkdir()
    shutil.copy(HERE.parent/'settings.ini', top)  # the notebooks read the project's settings, as in a clone
    for f in (HERE.parent/'nbs').iterdir():
        if f.is_file(): shutil.copy(f, work/f.name)
    minutes, here, failed = {}, Path.cwd(), None
    t_all = time.perf_counter()
    try:
        os.chdir(work)
        for name in notebooks:
            t = time.perf_counter()
            cmd = [sys.executable, __file__, '--worker', str(work/f'{name}.ipynb')] + (['--save', str(Path(save_to).resolve())] if save_to else [])
            out = subprocess.run(cmd, capture_output=True, text=True)  # a process per notebook, as nbdev_test
            if out.returncode: failed = f"{name}: {out.stderr.strip()[-1500:]}"
            minutes[name] = round((time.perf_counter() - t) / 60, 2)
            print(f"{name:14s} {minutes[name]:6.2f} min", flush=True)
            if failed: print(f"book_time: stopped at {failed}", flush=True); break
    finally:
        os.chdir(here); shutil.rmtree(top, ignore_errors=True)
        if not keep: shutil.rmtree(cache, ignore_errors=True)
    total = round((time.perf_counter() - t_all) / 60, 2)
    print(f"total          {total:6.2f} min{' (stopped early)' if failed else ''}")
    if record: save('book_time', dict(command='LGG_DATA=... python bench/book_time.py' + (f" --notebooks {' '.join(notebooks)}" if notebooks != NOTEBOOKS else ''), data=data, minutes=minutes,
                           total_minutes=total, failed=failed, loadavg_end=round(os.getloadavg()[0], 2)))
    return failed

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--notebooks', nargs='*', default=NOTEBOOKS, choices=NOTEBOOKS); ap.add_argument('--worker', help=argparse.SUPPRESS)
    ap.add_argument('--no-record', action='store_true', help="don't store the minutes in results.json (CI's run of the small book, LGG_BOOK=small)")
    ap.add_argument('--cache', help='use and keep this LGG_CACHE (default: a fresh one, removed at the end), e.g. to go on from a failed notebook')
    ap.add_argument('--save', help='write the executed notebooks into this folder (made if missing)')
    a = ap.parse_args()
    if a.worker:
        from execnb.nbio import read_nb, write_nb
        from execnb.shell import CaptureShell
        nb = read_nb(a.worker)
        try: CaptureShell(mpl_format='png').run_all(nb, exc_stop=True)
        finally:
            if a.save: Path(a.save).mkdir(parents=True, exist_ok=True); write_nb(nb, Path(a.save)/Path(a.worker).name)  # a failed one too: up to its failing cell
    else: sys.exit(1 if main(a.notebooks, a.cache, not a.no_record, a.save) else 0)
