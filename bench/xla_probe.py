"""What `lgg_train --xla auto` would choose on this machine, and what the choice costs: chapter 04's `probe_xla` on the
U-Net compiled as `lgg_unet.train` compiles it, on a synthetic batch (speed does not depend on the data).

Usage: python bench/xla_probe.py [--img-size 128] [--filters 16] [--batch-size 16] [--steps 4] [--seconds 20]
Prints one JSON line: the record `settle_xla` writes into config.json (choice, reason, images/s of each path, steps
timed, CPU model and flags), the wall time of the whole probe (both compiles included), and the load average before
and after. Run it on a quiet machine: the paths alternate step by step, but a busy machine still blurs a 5% tie.
"""
import argparse, json, os, time
import numpy as np
import keras
from lgg_unet.train import TrainConfig, choose_path, cpu_info, probe_xla, run_model

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--img-size', type=int, default=128); ap.add_argument('--filters', type=int, default=16)
    ap.add_argument('--batch-size', type=int, default=16); ap.add_argument('--steps', type=int, default=4); ap.add_argument('--seconds', type=float, default=20.0)
    a = ap.parse_args()

    load0 = os.getloadavg()
    keras.utils.set_random_seed(0)
    model = run_model(TrainConfig(filters=a.filters, img_size=a.img_size))
    rng = np.random.default_rng(0)
    batch = rng.random((a.batch_size, a.img_size, a.img_size, 3), dtype=np.float32), (rng.random((a.batch_size, a.img_size, a.img_size, 1)) > 0.9).astype(np.float32)
    t0 = time.perf_counter()
    rec = probe_xla(model, batch, steps=a.steps, seconds=a.seconds)
    wall = time.perf_counter() - t0
    choice, reason = choose_path(rec['images_per_s'])
    print(json.dumps({**rec, 'choice': choice, 'reason': reason, 'cpu': cpu_info(), 'probe_seconds': round(wall, 1), 'config': vars(a),
                      'backend': keras.backend.backend(), 'keras': keras.__version__, 'loadavg_before_after': [round(load0[0], 2), round(os.getloadavg()[0], 2)]}))

if __name__ == '__main__': main()
