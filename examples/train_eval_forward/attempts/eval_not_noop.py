"""The noise is added whatever the flag says."""

# expect: 1 [eval-not-noop]

import jax
from flax import nnx


class NoiseLayer(nnx.Module):
    def __init__(self, rngs=None):
        self.rngs = rngs

    def __call__(self, x, train, rngs=None):
        rngs = self.rngs if rngs is None else rngs
        return x + 0.1 * jax.random.normal(rngs.dropout(), x.shape)


def train_eval_forward(seed, x, train):
    return NoiseLayer()(x, train=bool(train >= 0.5), rngs=nnx.Rngs(int(seed)))
