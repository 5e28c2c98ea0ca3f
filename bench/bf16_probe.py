"""Is `--precision mixed_bfloat16` faster than float32 on this CPU, and does it stay stable? One batch of 16 real
tumour slices at 128² (LGG_DATA), the budget U-Net (16 filters, compiled as `lgg_train` compiles it), 40 Adam steps
in each precision from the same weights; prints images/s and the largest bottleneck activation after 20 and 40
steps (it grew to ~10⁵ in bfloat16 on machine B, see bench/README.md). `--record` stores the figures under
'bf16_probe' in bench/results.json.

    LGG_DATA=... python bench/bf16_probe.py [--steps 40] [--record]
"""
import argparse, os, time

import numpy as np
import lgg_unet  # before keras: oneDNN on, as in the library
import keras
from lgg_unet.data import index_dataset
from lgg_unet.preprocess import load_image, load_mask
from lgg_unet.train import TrainConfig, run_model, use_xla
from train_speed import machine_info
from record import save


def tumour_batch(data, n=16, size=128):
    rows = index_dataset(data).query('has_tumor').sample(n, random_state=0)
    return (np.stack([load_image(p, size) for p in rows.image_path]), np.stack([load_mask(p, size) for p in rows.mask_path]))


def probe(policy, x, y, steps):
    keras.utils.set_random_seed(0)
    model = use_xla(run_model(TrainConfig(filters=16, img_size=x.shape[1]), policy))
    bottleneck = keras.Model(model.input, model.get_layer('bottleneck_conv2').output)
    model.train_on_batch(x, y)  # compile
    seconds, peaks = 0.0, {}
    for i in range(1, steps + 1):
        t = time.perf_counter(); loss = float(model.train_on_batch(x, y)); seconds += time.perf_counter() - t
        if i in (steps // 2, steps): peaks[i] = float(np.max(bottleneck.predict(x, verbose=0)))
    res = dict(images_per_s=round(steps * len(x) / seconds, 1), last_loss=loss, bottleneck_max=peaks)
    print(f"{policy:>15}: {res['images_per_s']} images/s, loss {loss:.4f}, bottleneck max {peaks}", flush=True)
    return res


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--steps', type=int, default=40); ap.add_argument('--record', action='store_true')
    args = ap.parse_args()
    x, y = tumour_batch(os.environ['LGG_DATA'])
    flags = next(l for l in open('/proc/cpuinfo') if l.startswith('flags')).split()
    res = dict(machine=machine_info(), cpu_flags=[f for f in ('avx2', 'avx512f', 'avx512_bf16', 'amx_bf16') if f in flags], steps=args.steps, batch=len(x), size=x.shape[1], filters=16,
               policies={p: probe(p, x, y, args.steps) for p in ('float32', 'mixed_bfloat16')},
               finished=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()))
    if args.record: save('bf16_probe', res)
