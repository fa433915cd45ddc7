"""The noise is not scaled by 0.1."""

# expect: 1 [noise-scale]
# expect: 1 The noise is 10 times the contract's

import jax
from flax import nnx


class NoiseLayer(nnx.Module):
    def __init__(self, rngs):
        self.rngs = rngs

    def __call__(self, x, train):
        if train:
            return x + jax.random.normal(self.rngs.dropout(), x.shape)
        return x


def train_eval_forward(seed, x, train):
    return NoiseLayer(nnx.Rngs(int(seed)))(x, train=bool(train >= 0.5))
