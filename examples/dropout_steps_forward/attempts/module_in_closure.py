"""The compiled step captures the layer instead of taking it as an argument."""

# expect: 1 [module-in-closure]
# expect: 1 1 of 8 cases passed

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
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    train_step = nnx.jit(lambda x: layer(x, deterministic=False))
    return jnp.stack([train_step(x) for _ in range(int(steps))])
