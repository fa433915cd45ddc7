"""The layer's own keys win over the keys a call brings: a call that gives
rngs= to a layer built with keys is not keyed by them."""

# expect: 1 [own-keys-over-call-keys]
# expect: 1 10 of 11 cases passed

import jax
from flax import nnx


class NoiseLayer(nnx.Module):
    def __init__(self, rngs=None):
        self.rngs = rngs

    def __call__(self, x, train, rngs=None):
        if not train:
            return x
        rngs = rngs if self.rngs is None else self.rngs
        return x + 0.1 * jax.random.normal(rngs.dropout(), x.shape)


def train_eval_forward(seed, x, train):
    return NoiseLayer()(x, train=bool(train >= 0.5), rngs=nnx.Rngs(int(seed)))
