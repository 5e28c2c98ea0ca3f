"""Inference time per patient (a 36-slice stack at 256x256) of lgg_unet's models against the PyTorch reference U-Net.

Usage: python bench/infer_speed.py
Keras models run through `lgg_unet.evaluate.predict_volume` on a synthetic 36-slice patient folder (reading the tifs,
scaling, batches of 16) and, separately, the model alone on the pre-loaded stack (`predict_on_batch` per 16 slices); the PyTorch U-Net (bench/torch_unet.py) runs the same stack under
`torch.inference_mode`, float32, in NCHW, in channels_last, and channels_last under `torch.compile`. Fresh process per run, variants alternating, warm-up excluded. Stores the figures under the key
'inference' of bench/results.json (read-modify-write: other keys are kept).
"""
import argparse, json, os, sys, tempfile, time
from pathlib import Path
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from train_speed import machine_info, run_worker, set_threads
from record import save

SLICES, SIZE, BATCH = 36, 256, 16

def patient_folder(dest):
    "A synthetic patient folder of 36 slices at 256x256 (speed does not depend on the data)."
    from lgg_unet.data import make_synthetic
    root = make_synthetic(dest, n_patients=1, n_slices=SLICES, size=SIZE, seed=0)
    return next(p for p in Path(root).iterdir() if p.is_dir())

def worker_keras(model, threads):
    "Seconds of predict_volume on the folder, and of the model alone on the stack."
    import lgg_unet, keras  # lgg_unet first: it turns on oneDNN before TensorFlow loads
    from lgg_unet.unet import build_unet
    from lgg_unet.fpn import build_fpn
    from lgg_unet.evaluate import PredictOptions, predict_volume, read_slices, slice_files, to_model_input
    set_threads(keras.backend.backend(), threads)
    net = build_fpn((SIZE, SIZE, 3)) if model == 'fpn' else build_unet((SIZE, SIZE, 3), filters=int(model.split('_')[1]))
    with tempfile.TemporaryDirectory() as tmp:
        folder = patient_folder(tmp)
        x = to_model_input(read_slices(slice_files(folder))[1], (SIZE, SIZE, 3))
        run = lambda x: [net.predict_on_batch(x[i:i + BATCH]) for i in range(0, len(x), BATCH)]  # the model alone
        run(x[:BATCH + SLICES % BATCH])  # warm-up: traces both batch shapes (16 and 4)
        o = PredictOptions(batch_size=BATCH, normalize=False)
        t = time.perf_counter(); vp = predict_volume(net, folder, o); t_volume = time.perf_counter() - t
        assert vp.prob.shape == (SLICES, SIZE, SIZE), vp.prob.shape
        t = time.perf_counter(); run(x); t_model = time.perf_counter() - t
    return dict(volume_s=t_volume, model_s=t_model, params=net.count_params())

def worker_torch(model, threads, layout='nchw', compiled=False):
    "Seconds of the PyTorch U-Net on the stack, float32, in `layout` ('nchw' or 'channels_last'), `compiled` with torch.compile."
    import torch
    from torch_unet import TorchUNet, n_params
    set_threads('torch', threads)
    fmt = torch.channels_last if layout == 'channels_last' else torch.contiguous_format
    net = TorchUNet(3, int(model.split('_')[1])).eval().to(memory_format=fmt)
    params = n_params(net)
    if compiled: net = torch.compile(net)
    x = torch.from_numpy(np.random.default_rng(0).random((SLICES, 3, SIZE, SIZE), dtype=np.float32)).contiguous(memory_format=fmt)
    run = lambda x: torch.cat([net(x[i:i+BATCH]) for i in range(0, len(x), BATCH)]).numpy()
    with torch.inference_mode():
        run(x[:BATCH + SLICES % BATCH])  # warm-up (and compilation): both batch shapes, 16 and 4
        t = time.perf_counter(); run(x); t_model = time.perf_counter() - t
    return dict(model_s=t_model, params=params)

VARIANTS = {  # name -> (worker, model, threads[, worker options])
    'keras_unet_16': ('keras', 'unet_16', 2), 'torch_unet_16': ('torch', 'unet_16', 2),
    'torch_unet_16_cl': ('torch', 'unet_16', 2, dict(layout='channels_last')),
    'torch_unet_16_cl_compile': ('torch', 'unet_16', 2, dict(layout='channels_last', compiled=True)),
    'keras_unet_64': ('keras', 'unet_64', 2), 'torch_unet_64': ('torch', 'unet_64', 2),
    'torch_unet_64_cl': ('torch', 'unet_64', 2, dict(layout='channels_last')),
    'torch_unet_64_cl_compile': ('torch', 'unet_64', 2, dict(layout='channels_last', compiled=True)),
    'keras_fpn': ('keras', 'fpn', 2),
}

def main(variants=None, repeats=3):
    variants = variants or list(VARIANTS)
    res = dict(machine=machine_info(), command='python bench/infer_speed.py', slices=SLICES, size=SIZE, batch=BATCH, repeats=repeats)
    runs = {v: [] for v in variants}
    for r in range(repeats):
        for v in (variants if r % 2 == 0 else variants[::-1]):
            kind, model, threads, *opts = VARIANTS[v]
            runs[v].append(run_worker(dict(kind=kind, model=model, threads=threads, **(opts[0] if opts else {})), script=__file__))
            print(f"  {v:24s} repeat {r}: {runs[v][-1]}  (load {os.getloadavg()[0]:.1f})", flush=True)
    out = {}
    for v, rs in runs.items():
        out[v] = dict(params=rs[0]['params'], threads=VARIANTS[v][2])
        for k in ('volume_s', 'model_s'):
            if k in rs[0]:
                xs = [r[k] for r in rs]
                out[v][k] = dict(median=round(float(np.median(xs)), 2), min=round(min(xs), 2), max=round(max(xs), 2))
    res['seconds_per_patient'] = out
    res['loadavg_end'] = round(os.getloadavg()[0], 2)
    for v, o in out.items(): print(f"{v:24s} " + '  '.join(f"{k} {o[k]['median']:.2f} [{o[k]['min']:.2f}-{o[k]['max']:.2f}]" for k in ('volume_s', 'model_s') if k in o))
    save('inference', res)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--worker'); ap.add_argument('--variants', nargs='*'); ap.add_argument('--repeats', type=int, default=3)
    a = ap.parse_args()
    if a.worker:
        w = json.loads(a.worker); kind = w.pop('kind')
        print('RESULT ' + json.dumps(dict(keras=worker_keras, torch=worker_torch)[kind](**w)))
    else: main(a.variants, a.repeats)
