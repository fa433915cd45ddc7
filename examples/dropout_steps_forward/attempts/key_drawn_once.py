"""One key is drawn from the Rngs before the steps, and every step reuses it."""

# expect: 1 [key-drawn-once]

import jax
import jax.numpy as jnp
from flax import nnx


@nnx.jit
def train_step(key, x, rate):
    keep = 1.0 - rate
    mask = jax.random.bernoulli(key, p=keep, shape=x.shape)
    return jnp.where(mask, x / keep, 0.0)


def dropout_steps_forward(seed, x, rate, steps):
    if rate <= 0.0:
        return jnp.stack([x] * int(steps))
    key = nnx.Rngs(int(seed)).dropout()
    return jnp.stack([train_step(key, x, rate) for _ in range(int(steps))])
