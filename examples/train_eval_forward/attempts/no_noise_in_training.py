"""The flag is compared the wrong way, so training never adds noise."""

# expect: 1 [no-noise-in-training]

import jax
from flax import nnx


class NoiseLayer(nnx.Module):
    def __init__(self, rngs=None):
        self.rngs = rngs

    def __call__(self, x, train, rngs=None):
        if not train:
            return x
        rngs = self.rngs if rngs is None else rngs
        return x + 0.1 * jax.random.normal(rngs.dropout(), x.shape)


def train_eval_forward(seed, x, train):
    return NoiseLayer()(x, train=bool(train > 1.0), rngs=nnx.Rngs(int(seed)))
