"""The step calls the layer with deterministic=True: nothing is dropped."""

# expect: 1 [no-dropout-in-training]

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


@nnx.jit
def train_step(layer, x):
    return layer(x, deterministic=True)


def dropout_steps_forward(seed, x, rate, steps):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return jnp.stack([train_step(layer, x) for _ in range(int(steps))])
