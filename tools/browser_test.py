"""The evaluation report in a real browser (issue 30): `lgg_evaluate` (the command's function) scores the FLAIR-threshold
baseline on a phantom set and writes report.html; headless Chromium opens it from the file system and
`lgg_unet.visualize.check_in_browser` checks the rendered page: one row per patient, sorted by Dice the lowest first, the
opened patient shows one unbroken image per slice. Also checks the file itself (`parse_report`) and takes a screenshot.

    python tools/browser_test.py [--results DIR] [--screenshot PNG]

--results checks an existing results folder's report.html instead. Exits 1 (a line starting FAIL) on a failed check or without Chromium."""
import argparse, contextlib, io, sys, tempfile
from pathlib import Path
from lgg_unet.data import cache_dir, make_synthetic
from lgg_unet.evaluate import flair_threshold_model
from lgg_unet.visualize import check_in_browser, decodes, evaluate_main, find_chromium, parse_report, read_folder, screenshot

def phantom_results(work):
    "A results folder with its report.html, written by `lgg_evaluate` on the phantom set."
    data = make_synthetic(cache_dir()/'synthetic-6x12-seed0')
    flair_threshold_model().save(work/'flair_threshold.keras')
    with contextlib.redirect_stdout(io.StringIO()):
        return evaluate_main(['--model', str(work/'flair_threshold.keras'), '--data', str(data), '--out', str(work/'results')])

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--results', help='results folder holding report.html (default: a phantom evaluation made here)')
    ap.add_argument('--screenshot', help='PNG of the page sorted by Dice with the lowest patient open')
    args = ap.parse_args()
    if find_chromium() is None: sys.exit('FAIL: no chromium on PATH (Debian: apt-get install chromium)')
    work = Path(tempfile.mkdtemp())
    results = Path(args.results) if args.results else phantom_results(work)
    report = results/'report.html'
    if not report.is_file(): sys.exit(f'FAIL: {report} was not written')
    r, page = read_folder(results), parse_report(report.read_text(encoding='utf-8'))
    if page['rows'] != list(r.per_patient.patient): sys.exit(f"FAIL: {len(page['rows'])} rows for {len(r.per_patient)} patients")
    if page['refs'] or not all(decodes(im['src']) for im in page['images']): sys.exit(f"FAIL: external references {page['refs'][:3]} or an undecodable image")
    try: seen = check_in_browser(report)
    except AssertionError as e: sys.exit(f'FAIL: in Chromium: {e}')
    if args.screenshot: screenshot(report, args.screenshot, f"sort=dice&patient={seen['lowest']}")
    print(f"browser test passed: {seen['rows']} rows, sorted by Dice {seen['lowest']} ({seen['lowest_dice']:.3f}) first, "
          f"its {seen['slices']} slices shown, {seen['images']} images, none broken" + (f"; screenshot {args.screenshot}" if args.screenshot else ''))
