"""Out-of-fold figures of cross-validation runs (`lgg_cv`), as the rows of bench/README.md's accuracy table, and
(with --record) under the key 'cross_validation' of bench/results.json; with --paired, a patient-by-patient comparison
of two CV folders made on the same folds.

    python bench/cv_table.py bench/_work/cv/shipped-recipe --record
    python bench/cv_table.py bench/_work/cv/recipe-a bench/_work/cv/recipe-b --paired
    python bench/cv_table.py recipe-a bench/_work/cv/recipe-b --paired   # recipe-a: a CV recorded in results.json

--record also stores each patient's out-of-fold Dice (a score, not data), so that a later session can pair a new CV
against one whose folder it no longer has.

A CV folder holds cv.json (the recipe), summary.json (lgg_cv's summary), per_patient.csv (one row per patient, scored by
the fold that held it out) and fold<k>/ runs (history.csv, state.json, config.json with the training path chosen).
"""
import argparse, json
from pathlib import Path
import pandas as pd
from record import save

RECIPE_FLAGS = ('img_size', 'filters', 'batchnorm', 'batchnorm_from', 'dice_over', 'normalize', 'oversample', 'schedule', 'learning_rate', 'batch_size',
                'rotate', 'zoom', 'flair_fill', 'gamma', 'tversky_beta', 'epochs', 'time_budget', 'valid_pct')


def cv_record(cv):
    "One CV folder's figures: mean, median, patients below Dice 0.1 and missed, fold means and spread, epochs and minutes per fold."
    cv = Path(cv)
    s, cfg = (json.loads((cv/f).read_text()) for f in ('summary.json', 'cv.json'))
    folds = sorted(cv.glob('fold*/state.json'))
    epochs = [json.loads(f.read_text())['epoch'] for f in folds]
    fold_cfgs = [json.loads((f.parent/'config.json').read_text()) for f in folds]
    xla = [c.get('xla_choice', {}).get('choice') for c in fold_cfgs]
    precision = sorted({c.get('dtype_policy') for c in fold_cfgs})
    return dict(name=cv.name, n_patients=s['n_patients'], folds=s['folds'], mean_dice=s['mean']['dice'], median_dice=s['median']['dice'],
                below_0_1=s['below_0_1'], missed=s['missed'], fold_mean_dice=s['fold_mean_dice'], fold_sd=s['fold_sd'],
                hd95_mean_px=s['mean']['hd95'], minutes_per_fold=s['minutes_per_fold'], epochs_per_fold=epochs, xla=xla, precision=precision,
                recipe={k: cfg[k] for k in RECIPE_FLAGS if k in cfg}, components=s.get('components'), threshold=s.get('threshold'),
                per_patient_dice=pd.read_csv(cv/'per_patient.csv').set_index('patient').dice.round(6).to_dict())


def row(r):
    "A markdown table row: recipe, mean, median, below 0.1, missed, fold means, epochs and minutes per fold."
    rec = ', '.join(f'{k}={v}' for k, v in r['recipe'].items() if not (k == 'time_budget' and v is None)) + f", precision={'/'.join(map(str, r.get('precision', [])))}"
    return (f"| {r['name']} | {r['mean_dice']:.3f} | {r['median_dice']:.3f} | {r['below_0_1']} | {r['missed']} | "
            f"{' / '.join(f'{v:.3f}' for v in r['fold_mean_dice'])} (sd {r['fold_sd']:.3f}) | {' / '.join(map(str, r['epochs_per_fold']))} | "
            f"{' / '.join(f'{v:g}' for v in r['minutes_per_fold'])} | {rec} |")


def patient_dice(cv):
    "Out-of-fold Dice per patient of a CV folder, or of a CV recorded in results.json under its name."
    if Path(cv).is_dir(): return pd.read_csv(Path(cv)/'per_patient.csv').set_index('patient').dice
    rec = json.loads((Path(__file__).parent/'results.json').read_text())['cross_validation']
    if cv not in rec or 'per_patient_dice' not in rec[cv]: raise SystemExit(f"cv_table: {cv} is neither a CV folder nor a CV recorded with its patients in results.json")
    return pd.Series(rec[cv]['per_patient_dice'], name='dice')


def paired(a, b):
    "Patient-by-patient difference of Dice (b - a) on the same patients: mean, median, wins of each."
    pa, pb = patient_dice(a), patient_dice(b)
    if set(pa.index) != set(pb.index): raise SystemExit(f"cv_table: {a} and {b} scored different patients")
    d = (pb - pa).dropna()
    return dict(patients=len(d), mean_diff=float(d.mean()), median_diff=float(d.median()), b_better=int((d > 0).sum()), a_better=int((d < 0).sum()))


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('cvs', nargs='+', help='CV folders written by lgg_cv')
    ap.add_argument('--record', action='store_true', help="store the figures under 'cross_validation' in bench/results.json")
    ap.add_argument('--paired', action='store_true', help='compare the first two folders patient by patient')
    a = ap.parse_args()
    print('| recipe | mean | median | below 0.1 | missed | fold means | epochs per fold | minutes per fold | settings |\n|---|---|---|---|---|---|---|---|---|')
    recs = [cv_record(c) for c in a.cvs if Path(c).is_dir()]
    for r in recs: print(row(r))
    if a.paired: print(json.dumps(paired(*a.cvs[:2]), indent=1))
    if a.record: save('cross_validation', {r['name']: r for r in recs}, merge=True)
