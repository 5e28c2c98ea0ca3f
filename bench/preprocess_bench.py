"""Benchmark lgg_unet.preprocess: cache build time for the whole dataset and SliceBatches throughput.

Usage: LGG_DATA=/work/shared/data/lgg-mri-segmentation-dev.zip python bench/preprocess_bench.py
Prints the numbers and stores them under the key 'preprocess' of bench/results.json.
"""
import os, platform, tempfile, time
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np

from lgg_unet.data import find_dataset, index_dataset
from lgg_unet.preprocess import build_cache, SliceBatches
from record import save

def timed(f, *args, **kwargs):
    t = time.perf_counter(); r = f(*args, **kwargs); return r, time.perf_counter() - t

def throughput(ds, n_batches, threads=1):
    "Images per second of building `n_batches` batches of `ds`, in `threads` threads."
    ids = [i % len(ds) for i in range(n_batches)]
    ds[0]  # warm up: page in the memmap, import paths
    t = time.perf_counter()
    if threads == 1: n = sum(len(ds[i][0]) for i in ids)
    else:
        with ThreadPoolExecutor(threads) as ex: n = sum(len(b[0]) for b in ex.map(ds.__getitem__, ids))
    return n / (time.perf_counter() - t)

def main(size=256, batch_size=16, n_batches=40, repeats=3):
    root, default_cv = find_dataset(), cv2.getNumThreads()
    df, t_index = timed(index_dataset, root)
    res = dict(machine=f"{platform.machine()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}",
               command="LGG_DATA=... python bench/preprocess_bench.py", data=str(root),
               n_slices=len(df), n_patients=int(df.patient.nunique()), size=size, index_s=round(t_index, 2))
    with tempfile.TemporaryDirectory() as cache:
        arr, t_cold = timed(build_cache, df, size, cache=cache)
        _, t_warm = timed(build_cache, df, size, cache=cache)
        res.update(cache_build_s=round(t_cold, 2), cache_reopen_s=round(t_warm, 3))
        print(f"{len(df)} slices of {res['n_patients']} patients at {size}px: index {t_index:.1f}s, "
              f"cache build {t_cold:.1f}s, reopen {t_warm:.3f}s")
        imgs, msks = np.asarray(arr.images), np.asarray(arr.masks)  # in RAM, as after the first epoch
        cases = {'plain': dict(), 'augment': dict(augment=True), 'augment_flair': dict(augment=True, channels=1),
                 'augment_oversample_normalize': dict(augment=True, oversample=0.5, normalize=df.patient.values)}
        runs = {}
        for rep in range(repeats):  # interleaved repeats: other load on the machine hits all cases alike
            for cv_threads in (default_cv, 1):
                cv2.setNumThreads(cv_threads)
                for threads in (1, 2):
                    for name, kw in cases.items():
                        ips = throughput(SliceBatches(imgs, msks, batch_size, **kw), n_batches, threads)
                        runs.setdefault(f"{name}_threads{threads}_cv{cv_threads}", []).append(ips)
        cv2.setNumThreads(default_cv)
        print(f"images/s ({batch_size}-image batches, median and best of {repeats})")
        for key, v in runs.items():
            res[f"{key}_images_per_s"] = dict(median=round(float(np.median(v))), best=round(max(v)))
            print(f"{key:45s} {np.median(v):7.0f} {max(v):7.0f}")
    save('preprocess', res)

if __name__ == '__main__': main()
