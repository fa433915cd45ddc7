"""The noise is not scaled by 0.1."""

# expect: 1 [noise-scale]
# expect: 1 The noise is 10 times the contract's

import jax
from flax import nnx


class NoiseLayer(nnx.Module):
    def __init__(self, rngs=None):
        self.rngs = rngs

    def __call__(self, x, train, rngs=None):
        if not train:
            return x
        rngs = self.rngs if rngs is None else rngs
        return x + jax.random.normal(rngs.dropout(), x.shape)


def train_eval_forward(seed, x, train):
    return NoiseLayer()(x, train=bool(train >= 0.5), rngs=nnx.Rngs(int(seed)))
