"""Flax's nnx.Dropout: fresh masks at every step, but from its own fork of the
stream, so not the contract's."""

# expect: 1 [builtin-nnx-dropout]

import jax.numpy as jnp
from flax import nnx


@nnx.jit
def train_step(layer, x):
    return layer(x, deterministic=False)


def dropout_steps_forward(seed, x, rate, steps):
    layer = nnx.Dropout(rate, rngs=nnx.Rngs(int(seed)))
    return jnp.stack([train_step(layer, x) for _ in range(int(steps))])
