"""The key is drawn once, in __init__ (the lesson's first pitfall), in a layer
that takes its keys only when it is built.

Each case of the function builds a new layer and draws one key from a new
Rngs, which is the contract's key: only a second call of the same layer, as
the grader makes, repeats the noise.
"""

# expect: 1 [key-in-init]
# expect: 1 [keys-not-at-call]
# expect: 1 8 of 11 cases passed

import jax
from flax import nnx


class NoiseLayer(nnx.Module):
    def __init__(self, rngs):
        self.key = rngs.dropout()  # drawn once

    def __call__(self, x, train):
        if train:
            return x + 0.1 * jax.random.normal(self.key, x.shape)
        return x


def train_eval_forward(seed, x, train):
    return NoiseLayer(nnx.Rngs(int(seed)))(x, train=bool(train >= 0.5))
