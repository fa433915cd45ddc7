"""The step is compiled with jax.jit: the key counter advanced inside is never
written back to the layer, so every step draws the same first key."""

# expect: 1 [jax-jit]
# expect: 1 match several known mistakes

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


train_step = jax.jit(lambda layer, x: layer(x, deterministic=False))


def dropout_steps_forward(seed, x, rate, steps):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return jnp.stack([train_step(layer, x) for _ in range(int(steps))])
