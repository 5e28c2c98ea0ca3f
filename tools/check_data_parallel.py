"""Data-parallel training checked on a CPU split into simulated devices (chapter 04, "Training on several GPUs").

    KERAS_BACKEND=jax python tools/check_data_parallel.py [--devices 2]

Splits the CPU into N devices before the backend starts (TensorFlow logical devices, JAX host devices), trains one
epoch on N devices against one (the losses must agree), then runs `lgg_train --devices N` in a child process, kills it
with SIGKILL after its first epoch and resumes it on N devices. Prints the figures compared as one JSON line; exits
non-zero when a check fails. A test harness, not part of the package: chapter 04 and `.ci/run` run it.
"""
import argparse, json, os, signal, subprocess, sys, tempfile, time
from pathlib import Path


def simulate_devices(n=2):  # number of devices to split the CPU into
    "Split the CPU into `n` devices to test data-parallel training; before the backend starts. Returns their names."
    import keras
    from lgg_unet.train import train_devices
    b = keras.backend.backend()
    if b == 'tensorflow':
        import tensorflow as tf
        try: tf.config.set_logical_device_configuration(tf.config.list_physical_devices('CPU')[0], [tf.config.LogicalDeviceConfiguration()] * n)
        except RuntimeError as e: raise RuntimeError(f"simulate_devices must run before TensorFlow starts: {e}") from None
    elif b == 'jax':
        os.environ['XLA_FLAGS'] = f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count={n}".strip()
        import jax
        if len(jax.devices('cpu')) != n: raise RuntimeError(f"simulate_devices must run before JAX starts: it sees {len(jax.devices('cpu'))} CPU device(s)")
    else: raise ValueError(f"simulate_devices: the {b} backend has no data-parallel training here")
    return train_devices(n)


def check_data_parallel(out=None, n=2):  # folder for the runs (default: a new temporary one), devices (the process must see them)
    "Train on `n` devices against one and across a kill (asserting the results agree); return the figures compared."
    import numpy as np, pandas as pd, keras
    from lgg_unet.data import make_synthetic
    from lgg_unet.train import main, resume_point, train, train_devices
    first_epoch = lambda run: pd.read_csv(Path(run)/'history.csv').iloc[0]
    out = Path(out or tempfile.mkdtemp()); data = make_synthetic(out/'data', n_patients=4, n_slices=8, seed=0)
    small = dict(data=str(data), img_size=32, filters=4, batch_size=8, epochs=1, out=str(out), verbose=0)  # 3 train patients: 3 full batches
    one, many = (first_epoch(train(**small, devices=k, name=f'devices-{k}')) for k in (1, n))
    for k in ('loss', 'val_loss'): assert np.isclose(one[k], many[k], rtol=1e-4), (k, one[k], many[k])
    flags = ['--data', str(data), '--img-size', '32', '--filters', '4', '--batch-size', '8', '--out', str(out), '--name', 'killed', '--verbose', '0',
             '--devices', str(n), '--ema', '0.9', '--schedule', 'cosine']
    proc = subprocess.Popen([sys.executable, __file__, '--devices', str(n), '--lgg-train', *flags, '--epochs', '50'], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    state, t0 = out/'killed'/'state.json', time.time()
    while not state.exists() and proc.poll() is None and time.time() - t0 < 300: time.sleep(0.05)
    proc.send_signal(signal.SIGKILL); _, err = proc.communicate()
    assert state.exists(), f"lgg_train --devices {n} wrote no epoch: {err.decode()[-2000:]}"
    _, done, _ = resume_point(out/'killed')
    main(flags + ['--epochs', str(done + 1), '--resume'])  # on n devices again
    hist, st = pd.read_csv(out/'killed'/'history.csv'), json.loads(state.read_text())
    assert hist.epoch.tolist() == list(range(1, done + 2)) and st['finished'], (hist.epoch.tolist(), st)
    return dict(backend=keras.backend.backend(), devices=train_devices(n), loss=[float(one.loss), float(many.loss)], val_loss=[float(one.val_loss), float(many.val_loss)],
                killed_after=done, resumed_to=int(st['epoch']), best_val_dice=st['best_val_dice'], run=str(out/'killed'))


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--devices', type=int, default=2, help='simulated devices (default 2)')
    ap.add_argument('--lgg-train', nargs=argparse.REMAINDER, help=argparse.SUPPRESS)  # the child: lgg_train on the simulated devices
    a = ap.parse_args()
    simulate_devices(a.devices)
    if a.lgg_train is not None:
        from lgg_unet.train import main
        main(a.lgg_train)
    else: print(json.dumps(check_data_parallel(n=a.devices)))
