"""Every figure that README.md, the prose of nbs/index.ipynb, the model card of chapter 05 and the shipped card JSON state,
checked against its record in bench/results.json to the digits shown. A figure that differs from its record, a record that is
gone, and a figure with no claim here (a decimal or a percentage in the checked prose) are each a problem.
`python tools/check_claims.py [--results PATH]` prints every claim and exits 1 naming the problems; chapter 07 runs the same check."""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ = []  # the record paths read, in order: each claim's sources

def record(res, path):
    "The value at `path` ('a/b/c') of the results; KeyError naming the path when a step is missing."
    v = res
    READ.append(path)
    for k in path.split('/'):
        try: v = v[k]
        except (KeyError, TypeError): raise KeyError(f"no record {path!r} in results.json") from None
    return v

def oof(res, card, field): return record(res, f"cross_validation/{card['out_of_fold']['cv']}/{field}")

def paired_better(res, card, base=None):
    "Patients the shipped recipe's CV scores higher than `base` (default: the CV of the model it replaces), from their per-patient Dice."
    base = base or record(res, 'accuracy/shipped/previous/recipe_cv')
    a, b = oof(res, card, 'per_patient_dice'), record(res, f'cross_validation/{base}/per_patient_dice')
    return sum(a[p] > b[p] for p in a)

def onednn_gain(res):
    "Per cent by which oneDNN speeds up a 128²/16 training step on machine A (no AVX-512), to the nearest ten."
    s = record(res, 'machine_A_2026-11-23/train_speed/configs/128_16/images_per_s')
    return round(100 * (s['keras_tf']['median'] / s['keras_tf_noonednn']['median'] - 1), -1)

# (pattern with one group: the figure as the prose shows it, its record from (results, card))
PROSE = [
    (r"ships inside the package \((\d+\.\d) MB", lambda r, c: record(r, 'accuracy/shipped/bytes') / 1e6),
    (r"trained on all (\d+) dev patients", lambda r, c: record(r, 'accuracy/shipped/trained_on_patients')),
    (r"Its recipe \((\d+) epochs at", lambda r, c: record(r, 'accuracy/shipped/epochs')),
    (r"over the same 66 \((\d+) folds", lambda r, c: oof(r, c, 'folds')),
    (r"mean per-patient Dice of \*\*(\d\.\d+)\*\*", lambda r, c: oof(r, c, 'mean_dice')),
    (r"median \*\*(\d\.\d+)\*\*, with no patient", lambda r, c: oof(r, c, 'median_dice')),
    (r"with (no) patient below 0\.1, in \d+ epochs", lambda r, c: oof(r, c, 'below_0_1')),
    (r"in (\d+) epochs a fold", lambda r, c: record(r, 'accuracy/shipped/epochs')),
    (r"\((\d+) to \d+ minutes a fold", lambda r, c: min(oof(r, c, 'minutes_per_fold'))),
    (r"\(\d+ to (\d+) minutes a fold", lambda r, c: max(oof(r, c, 'minutes_per_fold'))),
    (r"better for (\d+) of the \d+ patients", paired_better),
    (r"better for \d+ of the (\d+) patients", lambda r, c: oof(r, c, 'n_patients')),
    (r"The same (\d+) patients chose the recipe", lambda r, c: record(r, 'accuracy/shipped/chosen_on_dev/patients')),
    (r"the best of (\d+) configurations", lambda r, c: record(r, 'accuracy/shipped/chosen_on_dev/configurations_compared')),
    (r"post-processing rule \(among (\d+)\)", lambda r, c: record(r, 'accuracy/shipped/chosen_on_dev/component_rules_compared')),
    (r"On the (\d+) patients of the Kaggle dataset outside", lambda r, c: record(r, 'accuracy/shipped/previous/outside/n_patients')),
    (r"the model it replaces scores a mean of \*\*(\d\.\d+)\*\*", lambda r, c: record(r, 'accuracy/shipped/previous/outside/mean_dice')),
    (r"median \*\*(\d\.\d+)\*\*, with \d+ patient", lambda r, c: record(r, 'accuracy/shipped/previous/outside/median_dice')),
    (r"with (\d+) patient below 0\.1;", lambda r, c: record(r, 'accuracy/shipped/previous/outside/below_0_1')),
    (r"its own out-of-fold mean was (\d\.\d+)", lambda r, c: record(r, 'accuracy/shipped/previous/out_of_fold/mean_dice')),
    (r"The dataset's authors report (\d\.\d+)", lambda r, c: record(r, 'accuracy/anchors/buda_2019/mean_dice')),
    (r"a U-Net reaches a mean per-patient Dice of (\d+)%", lambda r, c: 100 * record(r, 'accuracy/anchors/buda_2019/mean_dice')),
    (r"training step runs about (\d+)% faster", lambda r, c: onednn_gain(r)),
    (r"probability per pixel, thresholded at (\d\.\d+)", lambda r, c: record(r, 'accuracy/shipped/chosen_on_dev/threshold')),
    (r"the whole book took (\d+\.\d) minutes on a 2-core", lambda r, c: record(r, 'book_time/total_minutes')),
]
NOT_FIGURES = [r"`[^`\n]*`", r"below 0\.1", r"\b\d+\.\d+\.\d+\b", r"Python 3\.\d+", r"CC BY-NC-SA 4\.0", r"TensorFlow 2\.\d+",
               r"(?:Keras|under) 3\.\d+", r"Keras 3\b", r"3\.\d+ on Kaggle"]  # code, definitions, versions, licences

def as_shown(value, shown):
    "`value` written as `shown` writes its figure: the same decimals, or 'no' for zero."
    if shown == 'no': return 'no' if value == 0 else str(value)
    decimals = len(shown.split('.')[1]) if '.' in shown else 0
    return f"{value:.{decimals}f}"

def prose(text):
    "The prose of a markdown text: without fenced code blocks and indented (output) blocks."
    text = re.sub(r"```.*?```", '', text, flags=re.S)
    return '\n'.join(l for l in text.split('\n') if not l.startswith('    '))

def check_text(where, text, res, card):
    "Rows (where, shown, record, sources) of each claim found in `text`, and the problems: a figure off its record, a lost record, a figure no claim covers."
    text, rows, problems, covered = prose(text), [], [], []
    for pat, rec in PROSE:
        for m in re.finditer(pat, text):
            shown = m.group(1); covered.append(m.span(1)); READ.clear()
            try: want = as_shown(rec(res, card), shown)
            except KeyError as e: problems.append(f"{where}: {shown!r} ({pat}): {e.args[0]}"); continue
            rows.append((where, shown, want, ', '.join(READ)))
            if want != shown: problems.append(f"{where}: shows {shown}, its record says {want} ({pat})")
    skip = [m.span() for p in NOT_FIGURES for m in re.finditer(p, text)]
    for m in re.finditer(r"\d+\.\d+|\d+%", text):
        if not any(a <= m.start() < b for a, b in covered + skip):
            problems.append(f"{where}: figure {m.group()} has no record: {text[max(0, m.start() - 50):m.end() + 20]!r}")
    return rows, problems

CARD = {  # card JSON field -> its record in results.json
    'out_of_fold/' + k: (lambda k: lambda r, c: oof(r, c, k))(k)
    for k in ('n_patients', 'folds', 'mean_dice', 'median_dice', 'below_0_1', 'missed', 'fold_mean_dice', 'minutes_per_fold')}
CARD.update({f'out_of_fold/predict/{k}': (lambda k: lambda r, c: oof(r, c, k))(k) for k in ('threshold', 'tta', 'components')})
CARD.update({f'chosen_on_dev/{k}': (lambda k: lambda r, c: record(r, f'accuracy/shipped/chosen_on_dev/{k}'))(k)
             for k in ('patients', 'recipe', 'configurations_compared', 'component_rules_compared', 'threshold', 'tta', 'components')})
CARD.update({f'{w}outside/{k}': (lambda p: lambda r, c: record(r, p))(f'accuracy/shipped/{w}outside/{k}')
             for w in ('', 'previous/') for k in ('n_patients', 'mean_dice', 'median_dice', 'below_0_1')})
CARD.update({f'previous/{k}': (lambda k: lambda r, c: record(r, f'accuracy/shipped/previous/{k}'))(k) for k in ('model', 'out_of_fold')})
OPTIONAL = ('outside/', 'previous/')  # a card may lack them, where its record lacks them too
CARD.update({'trained_on/patients': lambda r, c: record(r, 'accuracy/shipped/trained_on_patients'),
             'recipe/epochs': lambda r, c: record(r, 'accuracy/shipped/epochs')})

def check_card(card, res, where='card'):
    "Rows and problems of every card figure against its record, exactly (both are written by code)."
    rows, problems = [], []
    for path, rec in CARD.items():
        try: got = record(card, path)
        except KeyError:
            try: record(res, 'accuracy/shipped/' + path)
            except KeyError:
                if path.startswith(OPTIONAL): continue  # neither the card nor its record has it
            problems.append(f"{where}: no field {path}"); continue
        READ.clear()
        try: want = rec(res, card)
        except KeyError as e: problems.append(f"{where} {path}: {e.args[0]}"); continue
        rows.append((f"{where} {path}", got, want, ', '.join(READ)))
        if got != want: problems.append(f"{where} {path}: {got!r}, its record says {want!r}")
    return rows, problems

def check_claims(root=ROOT, results=None):
    "Every claim of README.md, index.ipynb, the model card (prose of chapter 05 and the shipped JSON) against `results` (default bench/results.json)."
    root = Path(root)
    res = json.loads(Path(results or root/'bench'/'results.json').read_text())
    shipped = res.get('accuracy', {}).get('shipped', {})
    card_path = root/shipped.get('card', 'lgg_unet/weights/lgg_unet_budget.json')
    card = json.loads(card_path.read_text())
    md = lambda nb: '\n\n'.join(''.join(c['source']) for c in json.loads(Path(nb).read_text())['cells'] if c['cell_type'] == 'markdown')
    card_prose = '\n\n'.join(p for p in md(root/'nbs'/'05_evaluate.ipynb').split('\n\n') if p.startswith('### Model card') or p.startswith('**'))
    rows, problems = check_card(card, res)
    for where, text in [('README.md', (root/'README.md').read_text()), ('index.ipynb', md(root/'nbs'/'index.ipynb')), ('05 model card', card_prose)]:
        r, p = check_text(where, text, res, card); rows += r; problems += p
    model = root/shipped.get('path', 'lgg_unet/weights/lgg_unet_budget.keras')
    if model.is_file() and model.stat().st_size != shipped.get('bytes'):
        problems.append(f"results.json accuracy/shipped/bytes {shipped.get('bytes')} is not the size of {model.name} ({model.stat().st_size})")
    for where in ('README.md', 'index.ipynb'):
        if not any(r[0] == where for r in rows): problems.append(f"{where}: none of its figures was found: the claims list no longer matches its prose")
    return rows, problems

if __name__ == '__main__':
    results = sys.argv[sys.argv.index('--results') + 1] if '--results' in sys.argv else None
    rows, problems = check_claims(results=results)
    for where, shown, want, source in rows: print(f"{where:14} {str(shown)[:24]:24} record {str(want)[:24]:24} {source}")
    print(f"{len(rows)} claims checked, {len(problems)} problem(s)" + ''.join(f"\n  {p}" for p in problems))
    sys.exit(1 if problems else 0)
