"""Accuracy on one validation split: train the shipped recipe with `lgg_train`, score it on the validation patients with
`lgg_evaluate` under several post-processings, and record the numbers (a quick look; recipe decisions take a CV, `lgg_cv`).

    LGG_DATA=/work/shared/data/lgg-mri-segmentation-dev.zip python bench/train_budget.py --name final
    python bench/train_budget.py --name ablation-12 -- --epochs 12   # flags after -- go to lgg_train

The recipe is chapter 04's `SHIPPED_RECIPE` (the one place it is defined), with a validation split to score on and
no early stopping (BUDGET_RECIPE below); flags after `--` override it.
Runs go to bench/_work/runs/NAME (ignored by git), evaluations to bench/_work/eval/NAME-<post>; a one-line JSON summary
per run is appended to bench/_work/accuracy.jsonl. `--record` stores the run under the key 'accuracy' of
bench/results.json (read-modify-write: other keys are kept). Shipping a model is not done here: the shipped model
carries a card with its recipe's out-of-fold figures (`lgg_unet.experiments.export_pretrained`, bench/README.md).
"""
import argparse, json, os, shlex, subprocess, sys, time
from pathlib import Path
from record import save

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT/'bench'/'_work'
from lgg_unet.train import SHIPPED_RECIPE, config_flags

BUDGET_RECIPE = config_flags({**SHIPPED_RECIPE, 'valid_pct': 0.2, 'patience': 1000, 'seed': 42, 'precision': 'float32', 'verbose': 2})
POSTS = {'plain': ['--no-largest-component'], 'tta': ['--tta', '--no-largest-component'], 'lcc': ['--components', 'largest'],  # lcc: the largest component (the CLI default is PostProcess.components)
         'tta+lcc': ['--tta', '--components', 'largest']}


def sh(cmd):
    "Run a command, echoing it; fail loudly."
    print('$', ' '.join(shlex.quote(str(c)) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True)


def evaluate(run, model, name, data, posts, flags=()):
    "Score `model` on the validation patients of `run` with each post-processing; {post: summary dict}."
    out = {}
    for post in posts:
        d = WORK/'eval'/f'{name}-{post}'
        sh([sys.executable, '-c', 'from lgg_unet.evaluate import evaluate_main; evaluate_main()', '--model', model, '--data', data,
            '--split', 'valid', '--run', run, '--out', d, *POSTS[post], *flags])
        out[post] = json.loads((d/'summary.json').read_text())
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--name', required=True); ap.add_argument('--minutes', type=float, default=0, help='a time budget on top of the epochs (default 0: none; a recipe is defined in epochs)')
    ap.add_argument('--data', default=os.environ.get('LGG_DATA'))
    ap.add_argument('--posts', default='plain,tta,lcc,tta+lcc', help='post-processings to evaluate: ' + ','.join(POSTS))
    ap.add_argument('--skip-train', action='store_true', help='evaluate an existing run only')
    ap.add_argument('--record', action='store_true', help="store the result under 'accuracy' in bench/results.json")
    args, extra = ap.parse_known_args()
    extra = [e for e in extra if e != '--']
    if not args.data: raise SystemExit('train_budget: give --data or set LGG_DATA')
    run = WORK/'runs'/args.name
    cmd = ['lgg_train', '--data', args.data, *BUDGET_RECIPE, *extra, *(['--time-budget', args.minutes] if args.minutes else []), '--out', run.parent, '--name', run.name]
    t0 = time.time()
    if not args.skip_train: sh([sys.executable, '-c', 'from lgg_unet.train import main; main()', *cmd[1:]])
    wall = time.time() - t0
    model = run/'best.keras'
    norm = ['--normalize'] if '--normalize' in BUDGET_RECIPE + extra else []  # a model trained on normalised slices is evaluated on them
    scores = evaluate(run, model, args.name, args.data, args.posts.split(','), norm)
    state = json.loads((run/'state.json').read_text())
    res = dict(name=args.name, command=' '.join(map(str, cmd)).replace(args.data, '$LGG_DATA'), train_wall_s=round(wall),
               epochs=state['epoch'], best_epoch=state['best_epoch'], optimizer_steps=state['optimizer_step'],
               best_val_slice_dice=state['best_val_dice'], model=str(model), model_mb=round(Path(model).stat().st_size/1e6, 2),
               per_patient_dice={p: dict(mean=s['mean']['dice'], median=s['median']['dice']) for p, s in scores.items()},
               load_avg=os.getloadavg(), finished=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()))
    WORK.mkdir(parents=True, exist_ok=True)
    with open(WORK/'accuracy.jsonl', 'a') as f: f.write(json.dumps(res) + '\n')
    if args.record:
        save('accuracy', {args.name: res}, merge=True)
    print(json.dumps(res, indent=1))


if __name__ == '__main__': main()
