"""The seed's own key, made once and given to every step."""

# expect: 1 [same-mask-every-step]

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
    key = jax.random.key(int(seed))
    return jnp.stack([train_step(key, x, rate) for _ in range(int(steps))])
