"""Out-of-fold figures of cross-validation runs (`lgg_cv`), as the rows of bench/README.md's accuracy table, and
(with --record) under the key 'cross_validation' of bench/results.json; with --paired, a patient-by-patient comparison
of two CV folders made on the same folds. A CV stopped after some of its folds (a screen) is summarised from the
folds that scored their patients, and paired on those patients.

    python bench/cv_table.py bench/_work/cv/shipped-recipe --record
    python bench/cv_table.py bench/_work/cv/recipe-a bench/_work/cv/recipe-b --paired
    python bench/cv_table.py recipe-a bench/_work/cv/recipe-b --paired   # recipe-a: a CV recorded in results.json
    python bench/cv_table.py --merge 'recipe-b (3 of 5 folds)' bench/_work/cv/recipe-b --record   # a screen's recorded folds + the rest

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


def screen_summary(cv):
    "The summary of a CV stopped after some folds (a screen), from the folds that scored their patients: (summary, per-patient scores)."
    from lgg_unet.experiments import cv_summary
    done = sorted(f.parent for f in cv.glob('fold*/oof_per_patient.csv'))
    if not done: raise SystemExit(f"cv_table: {cv} has no finished fold (no summary.json, no fold*/oof_per_patient.csv)")
    pp, ps = (pd.concat([pd.read_csv(f/n) for f in done], ignore_index=True) for n in ('oof_per_patient.csv', 'oof_per_slice.csv'))
    minutes = [round(((f/'state.json').stat().st_mtime - (f/'split.json').stat().st_mtime) / 60, 1) for f in done]
    return cv_summary(pp, ps, minutes_per_fold=minutes, **json.loads((done[0]/'oof_predict.json').read_text())), pp


def cv_record(cv):
    "One CV folder's figures: mean, median, patients below Dice 0.1 and missed, fold means and spread, epochs and minutes per fold."
    cv = Path(cv)
    cfg = json.loads((cv/'cv.json').read_text())
    s, pp = (json.loads((cv/'summary.json').read_text()), pd.read_csv(cv/'per_patient.csv')) if (cv/'summary.json').exists() else screen_summary(cv)
    folds = sorted(f for f in cv.glob('fold*/state.json') if (f.parent/'oof_per_patient.csv').exists())
    epochs = [json.loads(f.read_text())['epoch'] for f in folds]
    fold_cfgs = [json.loads((f.parent/'config.json').read_text()) for f in folds]
    xla = [c.get('xla_choice', {}).get('choice') for c in fold_cfgs]
    precision = sorted({c.get('dtype_policy') for c in fold_cfgs})
    return dict(name=cv.name + ('' if s['folds'] == cfg['folds'] else f" ({s['folds']} of {cfg['folds']} folds)"), n_patients=s['n_patients'], folds=s['folds'], mean_dice=s['mean']['dice'], median_dice=s['median']['dice'],
                below_0_1=s['below_0_1'], missed=s['missed'], fold_mean_dice=s['fold_mean_dice'], fold_sd=s['fold_sd'],
                hd95_mean_px=s['mean']['hd95'], minutes_per_fold=s['minutes_per_fold'], epochs_per_fold=epochs, xla=xla, precision=precision,
                recipe={k: cfg[k] for k in RECIPE_FLAGS if k in cfg}, components=s.get('components'), threshold=s.get('threshold'), tta=s.get('tta'),
                per_patient_dice=pp.set_index('patient').dice.round(6).to_dict())


def merged_record(recorded, cv):
    "One record of a CV whose first folds are recorded in results.json (a screen, under the name `recorded`) and whose other folds are in the folder `cv`."
    old, new = json.loads((Path(__file__).parent/'results.json').read_text())['cross_validation'][recorded], cv_record(cv)
    if old['recipe'] != new['recipe']: raise SystemExit(f"cv_table: {recorded} and {cv} are different recipes")
    a, b = old['per_patient_dice'], new['per_patient_dice']
    if set(a) & set(b): raise SystemExit(f"cv_table: {recorded} and {cv} scored the same patients: {sorted(set(a) & set(b))[:3]}")
    d, total = pd.Series({**a, **b}), json.loads((Path(cv)/'cv.json').read_text())['folds']
    folds, fm = old['folds'] + new['folds'], old['fold_mean_dice'] + new['fold_mean_dice']
    return {**new, 'name': Path(cv).name + ('' if folds == total else f" ({folds} of {total} folds)"), 'n_patients': len(d), 'folds': folds,
            'mean_dice': float(d.mean()), 'median_dice': float(d.median()), 'below_0_1': int((d < 0.1).sum()), 'missed': old['missed'] + new['missed'],
            'fold_mean_dice': fm, 'fold_sd': float(pd.Series(fm).std(ddof=1)), 'hd95_mean_px': None,  # per-patient HD95 of the recorded folds is not kept
            'minutes_per_fold': old['minutes_per_fold'] + new['minutes_per_fold'], 'epochs_per_fold': old['epochs_per_fold'] + new['epochs_per_fold'],
            'xla': old['xla'] + new['xla'], 'precision': sorted(set(old['precision']) | set(new['precision'])), 'per_patient_dice': d.round(6).to_dict(),
            'merged_from': {recorded: {'folds': old['folds'], 'machine': old['machine'], 'recorded': old.get('recorded')}, str(cv): {'folds': new['folds']}}}


def row(r):
    "A markdown table row: recipe, mean, median, below 0.1, missed, fold means, epochs and minutes per fold."
    rec = ', '.join(f'{k}={v}' for k, v in r['recipe'].items() if not (k == 'time_budget' and v is None)) + f", precision={'/'.join(map(str, r.get('precision', [])))}"
    rec += ''.join(f", {k}={r[k]}" for k in ('threshold', 'tta', 'components') if r.get(k) is not None)  # how the patients were predicted
    return (f"| {r['name']} | {r['mean_dice']:.3f} | {r['median_dice']:.3f} | {r['below_0_1']} | {r['missed']} | "
            f"{' / '.join(f'{v:.3f}' for v in r['fold_mean_dice'])} (sd {r['fold_sd']:.3f}) | {' / '.join(map(str, r['epochs_per_fold']))} | "
            f"{' / '.join(f'{v:g}' for v in r['minutes_per_fold'])} | {rec} |")


def patient_dice(cv):
    "Out-of-fold Dice per patient of a CV folder, or of a CV recorded in results.json under its name."
    if Path(cv).is_dir(): return pd.Series(cv_record(cv)['per_patient_dice'], name='dice')
    rec = json.loads((Path(__file__).parent/'results.json').read_text())['cross_validation']
    if cv not in rec or 'per_patient_dice' not in rec[cv]: raise SystemExit(f"cv_table: {cv} is neither a CV folder nor a CV recorded with its patients in results.json")
    return pd.Series(rec[cv]['per_patient_dice'], name='dice')


def paired(a, b):
    "Patient-by-patient difference of Dice (b - a) on the same patients: mean and its standard error, median, wins of each, Wilcoxon's p."
    from scipy.stats import wilcoxon
    pa, pb = patient_dice(a), patient_dice(b)
    common = pa.index.intersection(pb.index)  # a screen (some folds of a CV) is paired on the patients its folds scored
    if len(common) not in (len(pa), len(pb)): raise SystemExit(f"cv_table: {a} and {b} scored different patients, neither a part of the other")
    d = (pb[common] - pa[common]).dropna()
    return dict(patients=len(d), mean_diff=float(d.mean()), se_mean_diff=float(d.std() / len(d) ** 0.5), median_diff=float(d.median()),
                b_better=int((d > 0).sum()), a_better=int((d < 0).sum()), wilcoxon_p=float(wilcoxon(d[d != 0]).pvalue) if (d != 0).any() else 1.0)


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('cvs', nargs='*', help='CV folders written by lgg_cv')
    ap.add_argument('--merge', nargs=2, metavar=('RECORDED', 'FOLDER'), help="a screen recorded in results.json and a CV folder holding that CV's other folds: one row")
    ap.add_argument('--record', action='store_true', help="store the figures under 'cross_validation' in bench/results.json")
    ap.add_argument('--paired', action='store_true', help='compare the first two folders patient by patient')
    a = ap.parse_args()
    print('| recipe | mean | median | below 0.1 | missed | fold means | epochs per fold | minutes per fold | settings |\n|---|---|---|---|---|---|---|---|---|')
    recs = [cv_record(c) for c in a.cvs if Path(c).is_dir()] + ([merged_record(*a.merge)] if a.merge else [])
    for r in recs: print(row(r))
    if a.paired: print(json.dumps(paired(*a.cvs[:2]), indent=1))
    if a.record: save('cross_validation', {r['name']: r for r in recs}, merge=True)
