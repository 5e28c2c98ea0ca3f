"""GPU reference runs: the budget recipe with far more optimizer steps than an hour of CPU buys, to tell what the
recipe can reach from what the CPU budget lets it reach. Not the issue's budget figure (that is `train_budget.py`).

The device machine has JAX on CUDA but no TensorFlow, and its copy of the repo may not exceed 64 MiB, so the runs use
Keras' JAX backend and a 128x128 copy of the dev set (the recipe's input size; built here with `pack`, lossless:
`resize_image`/`resize_mask` of every slice, which is exactly what training at 128 does to the 256x256 originals).

    python bench/gpu_reference.py pack --data $LGG_DATA              # here: .devdata/lgg128.tar.xz (git-ignored)
    python bench/gpu_reference.py --minutes 7 train gpu-a: 'gpu-f32:--filters 32'   # on the GPU machine, in parallel
    python bench/gpu_reference.py score --data $LGG_DATA --record gpu-a gpu-f32  # here: evaluate on the 256x256 originals

`train` writes into $OUT (the device tool's output folder): each run's log, and its folder with the model exported
without optimizer state, as a tar split into 15 MB parts; `score` unpacks them into bench/_work/runs and scores the
validation patients with `lgg_evaluate` under the CLI default (largest 3-D component) and with no post-processing.
"""
import argparse, json, os, shutil, subprocess, sys, tarfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_budget import BUDGET_RECIPE, ROOT, WORK, evaluate
from record import save

PACK = ROOT/'.devdata'/'lgg128.tar.xz'
# `lgg_train` on the 128x128 copy: `index_dataset` expects the dataset's 256x256 slices unless told otherwise
SMALL_SLICES_MAIN = "import lgg_unet.data as d; d.index_dataset.__defaults__ = ((128, 128),); from lgg_unet.train import main; main()"


def pack(data, size=128):
    "A lossless `size`x`size` copy of the dataset at `data` in Kaggle's layout, as PACK."
    import cv2
    from lgg_unet.data import find_dataset, read_tif
    from lgg_unet.preprocess import resize_image, resize_mask
    src, tmp = find_dataset(data), WORK/'pack'/'kaggle_3m'
    shutil.rmtree(tmp.parent, ignore_errors=True); tmp.mkdir(parents=True)
    for f in src.iterdir():
        if f.is_file(): shutil.copy(f, tmp/f.name)
    for pdir in sorted(p for p in src.iterdir() if p.is_dir()):
        (tmp/pdir.name).mkdir()
        for t in pdir.glob('*.tif'):
            a = read_tif(t)
            b = resize_mask(a, size)[..., 0]*255 if t.name.endswith('_mask.tif') else cv2.cvtColor(resize_image(a, size), cv2.COLOR_RGB2BGR)
            if not cv2.imwrite(str(tmp/pdir.name/t.name), b, [cv2.IMWRITE_TIFF_COMPRESSION, 1]): raise OSError(f"cannot write {t.name}")
    PACK.parent.mkdir(exist_ok=True)
    subprocess.run(f"tar cf - -C {tmp.parent} kaggle_3m | xz -9 -T0 > {PACK}.tmp && mv {PACK}.tmp {PACK}", shell=True, check=True)
    shutil.rmtree(tmp.parent)
    print(PACK, f"{PACK.stat().st_size/1e6:.1f} MB")


def train(specs, minutes):
    "Train each 'name:flags' spec in parallel on the unpacked PACK; export and pack the runs into $OUT."
    out, data, runs = Path(os.environ['OUT']), Path('/tmp/lgg128'), Path('/tmp/runs')
    data.mkdir(exist_ok=True); runs.mkdir(exist_ok=True)
    subprocess.run(['tar', 'xJf', PACK, '-C', data], check=True)
    procs = {}
    for spec in specs:
        name, _, flags = spec.partition(':')
        cmd = [sys.executable, '-c', SMALL_SLICES_MAIN, '--data', data/'kaggle_3m', *BUDGET_RECIPE,
               *flags.split(), '--time-budget', str(minutes), '--out', runs, '--name', name, '--gpu']
        print('$', ' '.join(map(str, cmd[3:])), flush=True)
        procs[name] = subprocess.Popen(list(map(str, cmd)), stdout=open(out/f'{name}.log', 'w'), stderr=subprocess.STDOUT)
    from lgg_unet.train import export_model
    with tarfile.open(runs/'runs.tar', 'w') as tar:
        for name, p in procs.items():
            print(name, 'exit', p.wait(), flush=True)
            run = runs/name
            if not (run/'best.keras').exists(): continue
            export_model(run, run/'model.keras')
            for f in ('config.json', 'split.json', 'history.csv', 'state.json', 'model.keras'): tar.add(run/f, f'{name}/{f}')
    subprocess.run(['split', '-b', '15M', '-d', runs/'runs.tar', out/'runs.tar.part'], check=True)


def score(names, data, record):
    "Unpack the runs fetched from the device and score their validation patients on the original slices."
    parts = sorted(Path(os.environ.get('DEVICE_FILES', '.')).glob('runs.tar.part*'))
    if parts:
        blob = WORK/'runs'/'gpu-runs.tar'; blob.parent.mkdir(parents=True, exist_ok=True)
        blob.write_bytes(b''.join(p.read_bytes() for p in parts))
        with tarfile.open(blob) as tar: tar.extractall(WORK/'runs')
    for name in names:
        run = WORK/'runs'/name
        cfg, state = (json.loads((run/f).read_text()) for f in ('config.json', 'state.json'))
        scores = evaluate(run, run/'model.keras', name, data, ['plain', 'lcc'])
        res = dict(name=name, machine='1x NVIDIA H100 (device machine), Keras 3 on JAX, 128x128 copy of the dev set',
                   command=f"python bench/gpu_reference.py --minutes {cfg['time_budget']} train {name}:<flags>",
                   train_config={k: cfg[k] for k in ('filters', 'img_size', 'batch_size', 'learning_rate', 'seed', 'split_seed', 'ema') if k in cfg},
                   epochs=state['epoch'], best_epoch=state['best_epoch'], optimizer_steps=state['optimizer_step'],
                   best_val_slice_dice=state['best_val_dice'],
                   per_patient_dice={p: dict(mean=s['mean']['dice'], median=s['median']['dice']) for p, s in scores.items()},
                   finished=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()))
        print(json.dumps(res, indent=1))
        if record:
            save('accuracy_gpu_reference', {name: res}, merge=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('what', choices=['pack', 'train', 'score']); ap.add_argument('runs', nargs=argparse.REMAINDER, help="train: NAME:FLAGS; score: NAME (after the options)")
    ap.add_argument('--data', default=os.environ.get('LGG_DATA')); ap.add_argument('--minutes', type=float, default=7)
    ap.add_argument('--record', action='store_true', help="score: store under 'accuracy_gpu_reference' in bench/results.json")
    a = ap.parse_args()
    if a.what == 'pack': pack(a.data)
    elif a.what == 'train': train(a.runs, a.minutes)
    else: score(a.runs, a.data, a.record)


if __name__ == '__main__': main()
