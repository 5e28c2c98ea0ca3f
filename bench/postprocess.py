"""Post-processing chosen by evidence (issue 26): out-of-fold Dice per patient under each rule of `select_components`
(and thresholds), from the fold models of one cross-validation (`lgg_cv`): each patient is predicted once by the fold
model that never saw it, and every rule is applied to the same probabilities. No training.

    python bench/postprocess.py /path/to/cv-folder [--record] [--thresholds 0.5 0.4]

Prints one row per rule (mean, median, patients below 0.1, missed, paired against `largest` patient by patient) and,
with --record, stores them under 'postprocess' in bench/results.json. Writes <cv>/postprocess_per_patient.csv.
"""
import argparse, json, sys, time
from dataclasses import replace
from pathlib import Path
import numpy as np
import pandas as pd

from lgg_unet.data import binary_scores, index_dataset, read_mask
from lgg_unet.evaluate import load_model, predict_volume
from lgg_unet.preprocess import PostProcess

RULES = {'all': PostProcess(components='all'), 'largest': PostProcess(components='largest'), 'max_prob': PostProcess(components='max_prob'),
         'fraction_0.1': PostProcess(fraction=0.1), 'fraction_0.25': PostProcess(fraction=0.25), 'fraction_0.5': PostProcess(fraction=0.5)}


def fold_probs(cv, df):
    "Yield (fold, patient, probabilities, true masks) for every held-out patient of every fold of `cv`."
    cfg = json.loads((cv/'cv.json').read_text())
    for run in sorted(cv.glob('fold*')):
        if not (run/'model.keras').exists(): print(f"postprocess: {run.name} has no model.keras yet: skipped", file=sys.stderr); continue
        model, held_out = load_model(run/'model.keras'), json.loads((run/'split.json').read_text())['test']
        for patient, rows in df[df.patient.isin(held_out)].groupby('patient', sort=True):
            vp = predict_volume(model, Path(rows.image_path.iloc[0]).parent, normalize=cfg['normalize'])
            pos = {s: i for i, s in enumerate(vp.slices)}
            idx = [pos[s] for s in rows.slice]
            yield int(run.name[4:]), patient, vp.prob[idx], np.stack([read_mask(p) for p in rows.mask_path])


def score_rules(prob, true, thresholds):
    "Per-rule Dice, precision and recall of one patient."
    out = {}
    for t in thresholds:
        for name, r in RULES.items():
            s = binary_scores(replace(r, threshold=t)(prob), true)
            key = name if t == PostProcess.threshold else f'{name}@{t:g}'
            out.update({f'{key}:dice': s['dice'], f'{key}:precision': s['precision'], f'{key}:recall': s['recall']})
    return out


def table(pp, base='largest'):
    "One row per rule: out-of-fold mean, median, below 0.1, missed, and paired against `base`."
    rows = []
    for col in [c for c in pp.columns if c.endswith(':dice')]:
        d, b = pp[col], pp[f'{base}:dice']
        rows.append(dict(rule=col[:-5], mean=d.mean(), median=d.median(), below_0_1=int((d < 0.1).sum()), missed=int((d == 0).sum()),
                         precision=pp[col[:-5] + ':precision'].mean(), recall=pp[col[:-5] + ':recall'].mean(),
                         diff_vs_largest=(d - b).mean(), better=int((d > b + 1e-9).sum()), worse=int((d < b - 1e-9).sum())))
    return pd.DataFrame(rows)


if __name__ == '__main__':
    sys.path.insert(0, str(Path(__file__).parent))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('cv', help='a CV folder written by lgg_cv (fold<k>/model.keras, split.json)')
    ap.add_argument('--thresholds', type=float, nargs='+', default=[PostProcess.threshold])
    ap.add_argument('--record', action='store_true')
    a = ap.parse_args()
    cv, t0 = Path(a.cv), time.time()
    df = index_dataset(json.loads((cv/'cv.json').read_text())['data'])
    pp = pd.DataFrame([dict(fold=k, patient=p, true_pixels=int(true.sum()), **score_rules(prob, true, a.thresholds))
                       for k, p, prob, true in fold_probs(cv, df)])
    pp.to_csv(cv/'postprocess_per_patient.csv', index=False)
    t = table(pp)
    print(f"{len(pp)} patients out of fold, folds {sorted(pp.fold.unique())}, {time.time() - t0:.0f} s")
    print(t.to_string(index=False, float_format=lambda v: f'{v:.3f}'))
    if a.record:
        from record import save
        save('postprocess', {cv.name: dict(command=f"python bench/postprocess.py {cv}", patients=len(pp), folds=sorted(map(int, pp.fold.unique())),
                                           rules=t.round(4).to_dict('records'))}, merge=True)
