"""The flag is an ordinary argument of the compiled step, so it is traced."""

# expect: 1 [traced-flag]
# expect: 1 0 of 8 cases passed

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
def train_step(layer, x, deterministic):
    return layer(x, deterministic=deterministic)


def dropout_steps_forward(seed, x, rate, steps):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return jnp.stack([train_step(layer, x, False) for _ in range(int(steps))])
