"""The float seed goes to nnx.Rngs as it is."""

# expect: 1 [seed-not-int]

import jax
from flax import nnx


class NoiseLayer(nnx.Module):
    def __init__(self, rngs):
        self.rngs = rngs

    def __call__(self, x, train):
        if train:
            return x + 0.1 * jax.random.normal(self.rngs.dropout(), x.shape)
        return x


def train_eval_forward(seed, x, train):
    return NoiseLayer(nnx.Rngs(seed))(x, train=bool(train >= 0.5))
