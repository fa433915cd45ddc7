"""The compiled step builds its layer, and so a new Rngs, at every call."""

# expect: 1 [rngs-in-step]

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


def dropout_steps_forward(seed, x, rate, steps):
    @nnx.jit
    def train_step(x):
        layer = MyDropout(rate, nnx.Rngs(int(seed)))
        return layer(x, deterministic=False)

    return jnp.stack([train_step(x) for _ in range(int(steps))])
