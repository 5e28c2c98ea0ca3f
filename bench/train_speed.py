"""Training throughput of lgg_unet's U-Net (Keras, compiled as `lgg_unet.train` does) against a PyTorch U-Net of the
same architecture (bench/torch_unet.py), and the cost of the augmented batch source in a full epoch.

Usage: python bench/train_speed.py [--configs 128_16 256_32 256_64] [--no-epoch | --epoch-only]
Every measurement runs in a fresh subprocess (`--worker ...`), alternating the variants, on synthetic random tensors
(speed does not depend on the data); warm-up steps are excluded. Prints the figures and stores them under the key
'train_speed' of bench/results.json (read-modify-write: other keys are kept).
"""
import argparse, json, os, platform, subprocess, sys, time
from pathlib import Path
import numpy as np
from record import read_results, save

HERE = Path(__file__).resolve().parent
BATCH = 16

def machine_info():
    "nproc, CPU model, load average, library versions."
    model = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.processor())
    info = dict(nproc=os.cpu_count(), cpu=model, loadavg_start=[round(v, 2) for v in os.getloadavg()], python=platform.python_version())
    out = subprocess.run([sys.executable, '-c', 'import tensorflow as tf, keras, numpy, torch; print(tf.__version__, keras.__version__, numpy.__version__, torch.__version__)'],
                         capture_output=True, text=True, env={**os.environ, 'TF_CPP_MIN_LOG_LEVEL': '3'})
    info.update(zip(['tensorflow', 'keras', 'numpy', 'torch'], out.stdout.split()))
    return info

def set_threads(backend, threads):
    "Same thread count for every framework: TF intra-op `threads`, torch `threads`; inter-op pools left at each framework's default."
    if backend == 'tensorflow' and threads:
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(threads)
    if backend == 'torch':
        import torch
        torch.set_num_threads(threads or os.cpu_count())

def synthetic_batch(size, n=BATCH, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, size, size, 3), dtype=np.float32), (rng.random((n, size, size, 1)) > 0.9).astype(np.float32)

def keras_model(size, filters, metrics=True, jit=False):
    "build_unet compiled as lgg_unet.train compiles it, with XLA (`jit`, as `use_xla` makes lgg_train do) or without ('auto': no XLA on a CPU)."
    import keras
    from lgg_unet.unet import build_unet
    from lgg_unet.train import BCEDiceLoss, training_metrics
    model = build_unet((size, size, 3), filters=filters)
    model.compile(keras.optimizers.Adam(1e-3), BCEDiceLoss(), metrics=training_metrics() if metrics else None, jit_compile=True if jit else 'auto')
    return model

def worker_keras(size, filters, steps, warmup, metrics, jit, threads):
    import lgg_unet, keras  # lgg_unet first, as a user's script does: it turns on oneDNN before TensorFlow loads
    set_threads(keras.backend.backend(), threads)
    model, (x, y) = keras_model(size, filters, metrics, jit), synthetic_batch(size)
    for _ in range(warmup): model.train_on_batch(x, y)
    times = []
    for _ in range(steps):
        t = time.perf_counter(); model.train_on_batch(x, y); times.append(time.perf_counter() - t)
    return times

def torch_model(size, filters, layout='nchw', compiled=False, batchnorm=False):
    "bench/torch_unet.py's U-Net and a batch in `layout` ('nchw' or 'channels_last'), `compiled` with torch.compile (inductor)."
    import torch
    sys.path.insert(0, str(HERE)); from torch_unet import TorchUNet
    fmt = torch.channels_last if layout == 'channels_last' else torch.contiguous_format
    model = TorchUNet(3, filters, batchnorm=batchnorm).to(memory_format=fmt)
    x, y = (torch.from_numpy(a).permute(0, 3, 1, 2).contiguous(memory_format=fmt) for a in synthetic_batch(size))
    return (torch.compile(model) if compiled else model), x, y

def worker_torch(size, filters, steps, warmup, threads, layout='nchw', compiled=False):
    "float32 training steps of the PyTorch reference; warm-up steps include torch.compile's compilation."
    import torch
    sys.path.insert(0, str(HERE)); from torch_unet import bce_dice_loss
    set_threads('torch', threads)
    model, x, y = torch_model(size, filters, layout, compiled)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    def step():
        opt.zero_grad(set_to_none=True); loss = bce_dice_loss(model(x), y); loss.backward(); opt.step(); return loss.item()
    for _ in range(warmup): step()
    times = []
    for _ in range(steps):
        t = time.perf_counter(); step(); times.append(time.perf_counter() - t)
    return times

def worker_epoch(source, size, filters, n_images, threads, jit=False):
    "One `fit` epoch (after a warm-up epoch) on SliceBatches with augmentation or on the same number of pre-loaded arrays; `jit`: XLA, as lgg_train."
    import lgg_unet, keras
    from lgg_unet.preprocess import SliceBatches
    set_threads(keras.backend.backend(), threads)
    model = keras_model(size, filters, jit=jit)
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, (n_images, size, size, 3), dtype=np.uint8)
    msks = np.zeros((n_images, size, size, 1), np.uint8); msks[:, size//3:size//2, size//3:size//2] = 1
    if source == 'arrays':  # Keras' own array path: fit(x, y) slices and shuffles the float32 arrays each epoch
        x, y = imgs.astype(np.float32) / 255, msks.astype(np.float32)
        fit = lambda: model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=True, verbose=0)
    elif source == 'preloaded_batches':  # the steps alone: ready float32 batches, no work per batch, same PyDataset path
        class Ready(keras.utils.PyDataset):
            def __init__(self, b): super().__init__(); self.b = b
            def __len__(self): return len(self.b)
            def __getitem__(self, i): return self.b[i]
        ds = Ready([(imgs[i:i+BATCH].astype(np.float32) / 255, msks[i:i+BATCH].astype(np.float32)) for i in range(0, n_images, BATCH)])
        fit = lambda: model.fit(ds, epochs=1, verbose=0)
    else:  # 'slicebatches_augment' (PyDataset defaults: workers=1) or 'slicebatches_augment_wN' (N worker threads)
        workers = int(source.rsplit('_w', 1)[1]) if '_w' in source else 1
        ds = SliceBatches(imgs, msks, BATCH, augment=True, shuffle=True, workers=workers)
        fit = lambda: model.fit(ds, epochs=1, verbose=0)
    fit()  # warm-up: tracing, first epoch
    t = time.perf_counter(); fit(); return [time.perf_counter() - t]

VARIANTS = {  # name -> (worker kind, kwargs, extra environment)
    'torch': ('torch', {}, {}),
    'torch_1thread': ('torch', dict(threads=1), {}),  # under load from other processes, 2 OpenMP threads can be slower than 1
    'torch_cl': ('torch', dict(layout='channels_last'), {}),  # eager, channels_last: one line for a PyTorch user
    'torch_cl_compile': ('torch', dict(layout='channels_last', compiled=True), {}),  # torch.compile (inductor), channels_last
    'keras_tf': ('keras', dict(metrics=True, jit=False), {}),  # lgg_train before 2026-11-23; also the epoch test below
    'keras_tf_nometrics': ('keras', dict(metrics=False, jit=False), {}),
    'keras_tf_xla': ('keras', dict(metrics=True, jit=True), {}),  # what lgg_train runs now (use_xla)
    'keras_tf_noonednn': ('keras', dict(metrics=True, jit=False), {'TF_ENABLE_ONEDNN_OPTS': '0'}),  # TF's own choice on CPUs without AVX-512
    'keras_torch': ('keras', dict(metrics=True, jit=False), {'KERAS_BACKEND': 'torch'}),
}

def run_worker(args, env_extra={}, script=__file__):
    "Run `script --worker ARGS` in a fresh process (TensorFlow backend unless `env_extra` says otherwise); its `RESULT` line, parsed."
    env = {**os.environ, 'TF_CPP_MIN_LOG_LEVEL': '3', 'KERAS_BACKEND': 'tensorflow', **env_extra}
    out = subprocess.run([sys.executable, script, '--worker', json.dumps(args)], capture_output=True, text=True, env=env)
    lines = [l for l in out.stdout.splitlines() if l.startswith('RESULT ')]
    if out.returncode or not lines: raise RuntimeError(f"worker {args} failed:\n{out.stderr[-3000:]}")
    return json.loads(lines[-1][7:])

def compare(size, filters, variants, steps, warmup, repeats, threads):
    "images/s of each variant, fresh process per run, variants alternating within each repeat."
    runs = {v: [] for v in variants}
    for r in range(repeats):
        for v in (variants if r % 2 == 0 else variants[::-1]):
            kind, kw, env = VARIANTS[v]
            times = run_worker({**dict(kind=kind, size=size, filters=filters, steps=steps, warmup=warmup, threads=threads), **kw}, env)
            runs[v].append(BATCH * len(times) / sum(times))
            print(f"  {size}px/{filters} {v:22s} repeat {r}: {runs[v][-1]:6.2f} images/s  (load {os.getloadavg()[0]:.1f})", flush=True)
    res = {v: dict(median=round(float(np.median(x)), 2), min=round(min(x), 2), max=round(max(x), 2), runs=[round(i, 2) for i in x]) for v, x in runs.items()}
    ref = max((res[v]['median'], v) for v in res if v.startswith('torch')) if any(v.startswith('torch') for v in res) else None
    for v in res:  # ratio to the faster of the torch variants: the conservative comparison
        if ref: res[v]['vs_torch'] = round(res[v]['median'] / ref[0], 3)
    return dict(reference=ref[1] if ref else None, size=size, filters=filters, batch=BATCH, steps=steps, warmup=warmup, repeats=repeats, threads=threads, images_per_s=res)

CONFIGS = {  # name -> (size, filters, variants, measured steps, warm-up steps, repeats)
    '128_16': (128, 16, ['torch', 'torch_cl', 'torch_cl_compile', 'keras_tf', 'keras_tf_xla'], 10, 3, 3),
    '256_32': (256, 32, ['torch', 'torch_cl', 'torch_cl_compile', 'keras_tf', 'keras_tf_xla'], 3, 2, 3),
    '256_64': (256, 64, ['torch', 'keras_tf', 'keras_tf_xla'], 1, 1, 3),
}

def stats(v): return dict(median=round(float(np.median(v)), 3), min=round(min(v), 3), max=round(max(v), 3), runs=[round(i, 3) for i in v])

def epoch_summary(runs, n_images=160):
    "Medians per source, and per source its ratio to the `preloaded_batches` run of the same repeat (robust to load that changes between repeats)."
    e = {k: stats(v) for k, v in runs.items()}
    ratios = {k: stats([a / b for a, b in zip(v, runs['preloaded_batches'])]) for k, v in runs.items() if k != 'preloaded_batches'}
    return dict(n_images=n_images, batch=BATCH, size=128, filters=16, images_per_s=e, paired_ratio=ratios[TRAINING_SOURCE], paired_ratios=ratios,
                ratio_of_medians=round(e[TRAINING_SOURCE]['median'] / e['preloaded_batches']['median'], 3), loadavg_end=round(os.getloadavg()[0], 2))

TRAINING_SOURCE = 'slicebatches_augment_w2'  # what lgg_train feeds fit: augmented SliceBatches, 2 worker threads
EPOCH_SOURCES = ['preloaded_batches', 'arrays', TRAINING_SOURCE]  # add 'slicebatches_augment' for PyDataset's default 1 worker

def main(configs=None, epoch=True, threads=2, epoch_images=480, epoch_key='epoch_128_16', epoch_sources=EPOCH_SOURCES, epoch_repeats=3, epoch_xla=False):
    res = dict(machine=machine_info(), command='python bench/train_speed.py', configs={})
    prev = read_results().get('train_speed', {})
    res['configs'] = prev.get('configs', {})
    for name in (CONFIGS if configs is None else configs):
        size, filters, variants, steps, warmup, repeats = CONFIGS[name]
        res['configs'][name] = compare(size, filters, variants, steps, warmup, repeats, threads)
        res['configs'][name]['machine_loadavg_end'] = round(os.getloadavg()[0], 2)
        save('train_speed', {**prev, **res})
    if epoch:
        runs = {k: [] for k in epoch_sources}
        for r in range(epoch_repeats):
            for src in (epoch_sources if r % 2 == 0 else epoch_sources[::-1]):
                t = run_worker(dict(kind='epoch', source=src, size=128, filters=16, n_images=epoch_images, threads=threads, jit=epoch_xla), {})[0]
                runs[src].append(epoch_images / t)
                print(f"  epoch 128px/16 {src:26s} repeat {r}: {runs[src][-1]:6.2f} images/s  (load {os.getloadavg()[0]:.1f})", flush=True)
        res[epoch_key] = {**epoch_summary(runs, epoch_images), 'xla': epoch_xla}
        for k, v in res[epoch_key]['paired_ratios'].items():
            print(f"epoch: {k} at {100*v['median']:.0f}% of the preloaded_batches rate (median of paired runs)")
        save('train_speed', {**prev, **res})

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--worker'); ap.add_argument('--configs', nargs='*'); ap.add_argument('--no-epoch', action='store_true')
    ap.add_argument('--epoch-only', action='store_true'); ap.add_argument('--epoch-images', type=int, default=480)
    ap.add_argument('--epoch-key', default='epoch_128_16', help='key of the epoch figures in results.json')
    ap.add_argument('--epoch-sources', nargs='*', default=EPOCH_SOURCES, help="batch sources of the epoch test (see worker_epoch)")
    ap.add_argument('--epoch-repeats', type=int, default=3)
    ap.add_argument('--epoch-xla', action='store_true', help='compile the epoch test with XLA, as lgg_train does since 2026-11-23')
    a = ap.parse_args()
    if a.worker:
        w = json.loads(a.worker); kind = w.pop('kind')
        f = dict(keras=worker_keras, torch=worker_torch, epoch=worker_epoch)[kind]
        print('RESULT ' + json.dumps(f(**w)))
    elif a.epoch_only: main(configs=[], epoch=True, epoch_images=a.epoch_images, epoch_key=a.epoch_key, epoch_sources=a.epoch_sources, epoch_repeats=a.epoch_repeats,
                              epoch_xla=a.epoch_xla)
    else: main(a.configs, epoch=not a.no_epoch, epoch_images=a.epoch_images, epoch_key=a.epoch_key, epoch_sources=a.epoch_sources, epoch_repeats=a.epoch_repeats,
                   epoch_xla=a.epoch_xla)
