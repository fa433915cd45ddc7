"""A step that is not compiled (the lesson: nnx.jit, not jax.jit, and not no
jit at all). The keys are drawn in the same order, so the function's masks
are the contract's; called by the grader, the step runs the layer's Python
code at every call."""

# expect: 1 [not-compiled-once]
# expect: 1 7 of 8 cases passed

import jax
import jax.numpy as jnp
from flax import nnx


class MyDropout(nnx.Module):
    def __init__(self, rate, rngs):
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x, deterministic):
        if deterministic or self.rate <= 0.0:
            return x
        keep = 1.0 - self.rate
        mask = jax.random.bernoulli(self.rngs.dropout(), p=keep, shape=x.shape)
        return jnp.where(mask, x / keep, 0.0)


def train_step(layer, x):
    return layer(x, deterministic=False)


def dropout_steps_forward(seed, x, rate, steps):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return jnp.stack([train_step(layer, x) for _ in range(int(steps))])
