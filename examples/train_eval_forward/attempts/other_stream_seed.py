"""A dropout stream seeded apart from the default one: other noise."""

# expect: 1 [different-noise]

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
    rngs = nnx.Rngs(int(seed), dropout=int(seed) + 1)
    return NoiseLayer(rngs)(x, train=bool(train >= 0.5))
