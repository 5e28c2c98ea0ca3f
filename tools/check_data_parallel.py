"""Data-parallel training checked on N devices (chapter 04, "Training on several GPUs"): the package's check, as a script.

    KERAS_BACKEND=jax python tools/check_data_parallel.py [--devices 2]

The same as `python -c "import sys; from lgg_unet.train import data_parallel_main; data_parallel_main(sys.argv[1:])" --devices 2`:
the GPUs where there are N, else the CPU split into N simulated devices; one epoch on N devices against one, then
`lgg_train --devices N` killed after its first epoch and resumed. Prints the figures as one JSON line; exits non-zero when a check fails.
"""
from lgg_unet.train import data_parallel_main

if __name__ == '__main__': data_parallel_main()
