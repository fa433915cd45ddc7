"""The flag is compared the wrong way, so training never adds noise."""

# expect: 1 [no-noise-in-training]

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
    return NoiseLayer(nnx.Rngs(int(seed)))(x, train=bool(train > 1.0))
