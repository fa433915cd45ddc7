"""Two mistakes, no rescale and another key: no known mistake matches exactly."""

# expect: 1 [no-rescale]

import jax
import jax.numpy as jnp


def dropout_forward(seed, x, rate, deterministic):
    if deterministic >= 0.5 or rate <= 0.0:
        return x
    key = jax.random.PRNGKey(int(seed) + 100)
    return jnp.where(jax.random.bernoulli(key, 1.0 - rate, x.shape), x, 0.0)
