"""A dropout stream seeded apart from the default one: other noise."""

# expect: 1 [different-noise]

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
    rngs = nnx.Rngs(int(seed), dropout=int(seed) + 1)
    return NoiseLayer()(x, train=bool(train >= 0.5), rngs=rngs)
