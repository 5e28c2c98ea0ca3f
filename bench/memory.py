"""Peak resident memory of training and of prediction, lgg_unet (Keras on TensorFlow) against the PyTorch reference.

Usage: python bench/memory.py [--steps 200] [--repeats 2]
Training: the shipped recipe's network and batch (128x128, 16 filters, batch norm, batch 16, Adam, BCE+Dice), `steps`
float32 steps on synthetic batches (memory does not depend on the data): Keras compiled as `lgg_unet.train` compiles
it, without XLA and with it; PyTorch's U-Net (bench/torch_unet.py, batch norm) eager in channels_last and in NCHW.
Prediction: `lgg_predict` (chapter 05's `predict_main`, the packaged model) on one synthetic 36-slice patient at
256x256, against PyTorch doing the same work (read the tifs, scale to 128, run the same network in batches of 16,
write one PNG mask per slice). Each run is a fresh process; it reports its resident memory right after importing its
framework (VmRSS) and its peak (ru_maxrss). Figures: both raw values and peak minus post-import, in MiB, median over
repeats. Stores them under the key 'memory' of bench/results.json (read-modify-write: other keys are kept).
"""
import argparse, json, os, resource, sys, tempfile
from pathlib import Path
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from record import save

SIZE, FILTERS, BATCH, SLICES, PATIENT_SIZE = 128, 16, 16, 36, 256

def rss_mib():
    "Resident memory of this process now (VmRSS), MiB."
    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS')) / 1024

def peak_mib(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB

def batches(n=4, seed=0):
    "A pool of `n` synthetic (images, masks) batches, NHWC float32, cycled through the steps."
    rng = np.random.default_rng(seed)
    return [(rng.random((BATCH, SIZE, SIZE, 3), dtype=np.float32), (rng.random((BATCH, SIZE, SIZE, 1)) > 0.9).astype(np.float32)) for _ in range(n)]

def train_keras(steps, xla):
    import lgg_unet, keras  # lgg_unet first, as a user's script: it sets the oneDNN switch before TensorFlow loads
    from lgg_unet.train import TrainConfig, run_model, use_xla
    after_import = rss_mib()
    model = use_xla(run_model(TrainConfig(filters=FILTERS, img_size=SIZE, batchnorm=True)), bool(xla))
    pool = batches()
    for i in range(steps): model.train_on_batch(*pool[i % len(pool)])
    return dict(after_import=after_import, peak=peak_mib(), params=model.count_params())

def train_torch(steps, layout):
    import torch
    from torch_unet import TorchUNet, bce_dice_loss, n_params
    torch.set_num_threads(os.cpu_count())
    after_import = rss_mib()
    fmt = torch.channels_last if layout == 'channels_last' else torch.contiguous_format
    model = TorchUNet(3, FILTERS, batchnorm=True).to(memory_format=fmt)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    pool = [tuple(torch.from_numpy(a).permute(0, 3, 1, 2).contiguous(memory_format=fmt) for a in b) for b in batches()]
    for i in range(steps):
        x, y = pool[i % len(pool)]
        opt.zero_grad(set_to_none=True); bce_dice_loss(model(x), y).backward(); opt.step()
    return dict(after_import=after_import, peak=peak_mib(), params=n_params(model))

def patient(dest):
    from lgg_unet.data import make_synthetic
    root = make_synthetic(dest, n_patients=1, n_slices=SLICES, size=PATIENT_SIZE, seed=0)
    return next(p for p in Path(root).iterdir() if p.is_dir())

def predict_keras(folder, out):
    import lgg_unet, keras
    from lgg_unet.evaluate import predict_main
    after_import = rss_mib()
    predict_main([str(folder), '--out', str(out)])
    assert len(list(Path(out).rglob('*.png'))) == SLICES
    return dict(after_import=after_import, peak=peak_mib())

def predict_torch(folder, out):
    "What lgg_predict does for one patient, in PyTorch: read, scale, normalise per patient, predict, threshold, write PNGs."
    import torch, cv2
    from torch_unet import TorchUNet
    torch.set_num_threads(os.cpu_count())
    after_import = rss_mib()
    net = TorchUNet(3, FILTERS, batchnorm=True).eval().to(memory_format=torch.channels_last)
    files = sorted(Path(folder).glob('*.tif'), key=lambda p: p.name)
    files = [f for f in files if not f.stem.endswith('_mask')]
    x = np.stack([cv2.resize(cv2.imread(str(f), cv2.IMREAD_UNCHANGED), (SIZE, SIZE), interpolation=cv2.INTER_AREA) for f in files]).astype(np.float32) / 255
    lo, hi = np.percentile(x, [1, 99], axis=(0, 1, 2))  # the per-patient stretch of `normalize_volume`
    x = np.clip((x - lo) / np.maximum(hi - lo, 1e-6), 0, 1).astype(np.float32)
    t = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        prob = torch.cat([net(t[i:i+BATCH]) for i in range(0, len(t), BATCH)])[:, 0].numpy()
    Path(out).mkdir(parents=True, exist_ok=True)
    for f, p in zip(files, prob):
        m = cv2.resize((p > 0.5).astype(np.uint8) * 255, (PATIENT_SIZE, PATIENT_SIZE), interpolation=cv2.INTER_NEAREST)
        cv2.imwrite(str(Path(out) / (f.stem + '_pred.png')), m)
    assert len(list(Path(out).glob('*.png'))) == SLICES
    return dict(after_import=after_import, peak=peak_mib())

VARIANTS = {  # name -> (worker, kwargs)
    'train_keras_noxla': ('train_keras', dict(xla=False)), 'train_keras_xla': ('train_keras', dict(xla=True)),
    'train_torch_channels_last': ('train_torch', dict(layout='channels_last')), 'train_torch_nchw': ('train_torch', dict(layout='nchw')),
    'predict_keras': ('predict_keras', {}), 'predict_torch': ('predict_torch', {}),
}

def main(steps=200, repeats=2, variants=None):
    from train_speed import machine_info, run_worker
    variants = variants or list(VARIANTS)
    res = dict(machine=machine_info(), command=f'python bench/memory.py --steps {steps} --repeats {repeats}', steps=steps, batch=BATCH,
               size=SIZE, filters=FILTERS, batchnorm=True, predict_patient=dict(slices=SLICES, size=PATIENT_SIZE), unit='MiB', runs={})
    runs = {v: [] for v in variants}
    with tempfile.TemporaryDirectory() as tmp:
        folder = patient(tmp)
        for r in range(repeats):
            for v in (variants if r % 2 == 0 else variants[::-1]):
                kind, kw = VARIANTS[v]
                if kind.startswith('train'): kw = dict(kw, steps=steps)
                else: kw = dict(kw, folder=str(folder), out=f'{tmp}/out-{v}-{r}')
                o = run_worker(dict(kind=kind, **kw), script=__file__); o['peak_minus_import'] = o['peak'] - o['after_import']
                runs[v].append(o)
                print(f"  {v:28s} repeat {r}: after import {o['after_import']:7.0f}  peak {o['peak']:7.0f}  peak-import {o['peak_minus_import']:7.0f} MiB"
                      f"  (load {os.getloadavg()[0]:.1f})", flush=True)
    for v, rs in runs.items():
        res['runs'][v] = {k: round(float(np.median([r[k] for r in rs])), 1) for k in ('after_import', 'peak', 'peak_minus_import')}
    res['loadavg_end'] = round(os.getloadavg()[0], 2)
    for v, o in res['runs'].items(): print(f"{v:28s} after import {o['after_import']:7.0f}  peak {o['peak']:7.0f}  peak-import {o['peak_minus_import']:7.0f} MiB")
    save('memory', res)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--worker'); ap.add_argument('--steps', type=int, default=200); ap.add_argument('--repeats', type=int, default=2)
    ap.add_argument('--variants', nargs='*', choices=list(VARIANTS))
    a = ap.parse_args()
    if a.worker:
        w = json.loads(a.worker); kind = w.pop('kind')
        print('RESULT ' + json.dumps(globals()[kind](**w)))
    else: main(a.steps, a.repeats, a.variants)
