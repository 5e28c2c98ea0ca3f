"""Training steps per second of the shipped recipe's U-Net (128², 16 filters, batch 16) by precision and normalisation:
float32 or mixed_bfloat16, batch norm in every stage, from stage 3 on (`build_unet(batchnorm_from=3)`: the 32x32 and coarser
stages), or none. Synthetic tensors, BCE + Dice, no XLA, one fresh process per variant (issue 26: which normalisation is
fast in bfloat16 on a CPU with AMX). Variants `torch:...` are the PyTorch reference of the same network (bench/torch_unet.py,
channels_last, eager; `bfloat16` under `torch.autocast`, float32 weights), the speed target of issue 26.

    python bench/norm_speed.py [--steps 30] [--variants float32:1 mixed_bfloat16:1 mixed_bfloat16:3 mixed_bfloat16:none] [--record]
    python bench/norm_speed.py --variants float32:1 mixed_bfloat16:3 torch:float32:1 torch:bfloat16:3 torch:bfloat16:none
"""
import argparse, json, subprocess, sys, time
import numpy as np
from pathlib import Path

VARIANTS = ['float32:1', 'mixed_bfloat16:1', 'mixed_bfloat16:3', 'mixed_bfloat16:none', 'float32:none',
            'torch:float32:1', 'torch:bfloat16:1', 'torch:bfloat16:3', 'torch:bfloat16:none']


def torch_worker(variant, steps):
    "Training steps of bench/torch_unet.py's U-Net, channels_last, with batch norm from stage `bn` (or none), bfloat16 by autocast."
    import torch
    sys.path.insert(0, str(Path(__file__).parent)); from torch_unet import TorchUNet, bce_dice_loss
    _, dtype, bn = variant.split(':')
    torch.manual_seed(0)
    cl = torch.channels_last
    m = TorchUNet(3, 16, batchnorm=bn != 'none', batchnorm_from=1 if bn == 'none' else int(bn)).to(memory_format=cl)
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.random((16, 3, 128, 128), np.float32)).contiguous(memory_format=cl)
    y = torch.from_numpy((rng.random((16, 1, 128, 128)) > 0.9).astype(np.float32)).contiguous(memory_format=cl)
    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=dtype == 'bfloat16'): p = m(x)
        bce_dice_loss(p.float(), y).backward(); opt.step()
    for _ in range(3): step()
    t = time.perf_counter()
    for _ in range(steps): step()
    print(json.dumps(dict(variant=variant, images_per_s=round(steps * 16 / (time.perf_counter() - t), 1))))


def worker(variant, steps):
    if variant.startswith('torch:'): return torch_worker(variant, steps)
    import lgg_unet, keras  # lgg_unet first: oneDNN on, as in the library
    from lgg_unet.train import TrainConfig, run_model, use_xla
    policy, bn = variant.split(':')
    keras.utils.set_random_seed(0)
    cfg = TrainConfig(filters=16, img_size=128, batchnorm=bn != 'none', batchnorm_from=1 if bn == 'none' else int(bn), dice_over='batch')
    m = use_xla(run_model(cfg, policy), False)
    rng = np.random.default_rng(0)
    x, y = rng.random((16, 128, 128, 3), np.float32), (rng.random((16, 128, 128, 1)) > 0.9).astype(np.float32)
    for _ in range(3): m.train_on_batch(x, y)  # compile and warm up
    t = time.perf_counter()
    for _ in range(steps): m.train_on_batch(x, y)
    print(json.dumps(dict(variant=variant, images_per_s=round(steps * 16 / (time.perf_counter() - t), 1))))


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--steps', type=int, default=30); ap.add_argument('--variants', nargs='+', default=VARIANTS)
    ap.add_argument('--repeats', type=int, default=1, help='fresh processes per variant, the variants alternating; the median is reported')
    ap.add_argument('--key', default='norm_speed', help='results.json key of --record')
    ap.add_argument('--record', action='store_true'); ap.add_argument('--worker', help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker: worker(a.worker, a.steps); sys.exit()
    runs = {v: [] for v in a.variants}
    for r in range(a.repeats):
        for v in a.variants:
            out = subprocess.run([sys.executable, __file__, '--worker', v, '--steps', str(a.steps)], capture_output=True, text=True)
            line = [l for l in out.stdout.splitlines() if l.startswith('{')]
            if not line: print(f"{v}: failed\n{out.stderr[-1500:]}"); continue
            runs[v].append(json.loads(line[0])['images_per_s']); print(f"{v:22s} {runs[v][-1]:7.1f} images/s (repeat {r + 1})", flush=True)
    rows = [dict(variant=v, images_per_s=float(np.median(x)), runs=x) for v, x in runs.items() if x]
    for row in rows: print(f"median {row['variant']:22s} {row['images_per_s']:7.1f} images/s")
    if a.record:
        sys.path.insert(0, str(Path(__file__).parent))
        from record import save
        save(a.key, dict(command=' '.join(['python', 'bench/norm_speed.py'] + sys.argv[1:]), steps=a.steps, repeats=a.repeats, rows=rows))
