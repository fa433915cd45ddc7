"""The noise is drawn from the params stream (the lesson's "which stream").

With nnx.Rngs(seed) every name falls back to the default stream, so the
function's cases give the contract's noise; a layer given
nnx.Rngs(params=1, dropout=2), as the grader builds one, draws other noise."""

# expect: 1 [params-stream]

import jax
from flax import nnx


class NoiseLayer(nnx.Module):
    def __init__(self, rngs=None):
        self.rngs = rngs

    def __call__(self, x, train, rngs=None):
        if not train:
            return x
        rngs = self.rngs if rngs is None else rngs
        return x + 0.1 * jax.random.normal(rngs.params(), x.shape)


def train_eval_forward(seed, x, train):
    return NoiseLayer()(x, train=bool(train >= 0.5), rngs=nnx.Rngs(int(seed)))
