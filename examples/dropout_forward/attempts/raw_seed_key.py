"""The mask is drawn with the seed's own key, not a key from the Rngs."""

# expect: 1 [raw-seed-key]

import jax
import jax.numpy as jnp


def dropout_forward(seed, x, rate, deterministic):
    if deterministic >= 0.5 or rate <= 0.0:
        return x
    keep = 1.0 - rate
    mask = jax.random.bernoulli(jax.random.key(int(seed)), p=keep, shape=x.shape)
    return jnp.where(mask, x / keep, 0.0)
