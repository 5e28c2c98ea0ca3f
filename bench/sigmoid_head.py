"""Does the output layer change training on TensorFlow? Twenty Adam steps of the budget U-Net (128², 16 filters,
compiled as `lgg_train` compiles it) from the same weights on one batch, with three heads on the same logits:
Keras' plain sigmoid, the library's `StableSigmoid`, and a sigmoid of logits clipped to ±15 with a straight-through
gradient (what `StableSigmoid` does under JAX and PyTorch). Prints the first loss and the largest weight difference
to the plain head; `--record` stores them under 'sigmoid_head' in bench/results.json.

    python bench/sigmoid_head.py [--steps 20] [--record]
"""
import argparse, time

import numpy as np
import lgg_unet  # before keras: oneDNN on, as in the library
import keras
from keras import layers
from lgg_unet.unet import build_unet, StableSigmoid
from lgg_unet.train import BCEDiceLoss, training_metrics, use_xla
from record import save


class ClippedSigmoid(StableSigmoid):
    "`StableSigmoid` as it computes under JAX and PyTorch, on any backend."
    def call(self, logits):
        z, sg = keras.ops.cast(logits, 'float32'), keras.ops.stop_gradient
        return keras.ops.sigmoid(sg(keras.ops.clip(z, -self.limit, self.limit)) + (z - sg(z)))


def run(steps):
    keras.utils.set_random_seed(42)
    base = build_unet((128, 128, 3), filters=16)
    logits = base.get_layer('mask_logits').output
    heads = {'plain sigmoid': layers.Activation('sigmoid'), 'StableSigmoid': StableSigmoid(), 'clipped ±15': ClippedSigmoid()}
    rng = np.random.default_rng(0)
    x = (rng.random((16, 128, 128, 3))*255).astype('float32')
    y = np.zeros((16, 128, 128, 1), 'float32'); y[:8, 40:70, 50:80] = 1
    w0, res, ref = base.get_weights(), {}, None
    for name, head in heads.items():
        base.set_weights(w0)
        net = keras.Model(base.input, head(logits))
        net.compile(keras.optimizers.Adam(1e-3), BCEDiceLoss(), metrics=training_metrics()); use_xla(net)
        losses = [float(net.train_on_batch(x, y, return_dict=True)['loss']) for _ in range(steps)]
        w = np.concatenate([a.ravel() for a in base.get_weights()])
        ref = w if ref is None else ref
        res[name] = dict(first_loss=losses[0], last_loss=losses[-1], max_weight_diff_to_plain=float(np.abs(w - ref).max()))
        print(f"{name:>14}: loss {losses[0]:.6f} -> {losses[-1]:.6f}, max |w - w_plain| after {steps} steps {res[name]['max_weight_diff_to_plain']:.4g}", flush=True)
    return res


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--steps', type=int, default=20); ap.add_argument('--record', action='store_true')
    args = ap.parse_args()
    res = dict(backend=keras.backend.backend(), steps=args.steps, heads=run(args.steps),
               finished=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()))
    if args.record:
        save('sigmoid_head', res)
