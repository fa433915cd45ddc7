"""Right: a layer that takes its keys both ways, here given them when it is
built, as the worked example does."""

# expect: 0 11 of 11 cases passed

import jax
from flax import nnx


class NoiseLayer(nnx.Module):
    def __init__(self, rngs=None):
        self.rngs = rngs

    def __call__(self, x, train, rngs=None):
        if train:
            if rngs is None:
                rngs = self.rngs
            key = rngs.dropout()
            return x + 0.1 * jax.random.normal(key, x.shape)
        return x


def train_eval_forward(seed, x, train):
    layer = NoiseLayer(nnx.Rngs(int(seed)))
    return layer(x, train=bool(train >= 0.5))
