"""The key is drawn once, in __init__ (the lesson's pitfall).

Each call builds a new layer and draws one key from a new Rngs, so this key is
the contract's: a function of one call cannot show the mistake, which only
repeats the noise across calls of the same layer. It passes.
"""

# expect: 0 7 of 7 cases passed

import jax
from flax import nnx


class FrozenNoise(nnx.Module):
    def __init__(self, rngs):
        self.key = rngs.dropout()

    def __call__(self, x, train):
        if train:
            return x + 0.1 * jax.random.normal(self.key, x.shape)
        return x


def train_eval_forward(seed, x, train):
    return FrozenNoise(nnx.Rngs(int(seed)))(x, train=bool(train >= 0.5))
