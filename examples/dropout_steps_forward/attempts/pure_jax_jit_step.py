"""Right, without nnx.jit: the bookkeeping nnx.jit does, written by hand as
Flax's guide "Flax NNX vs JAX transformations" shows. The layer's state goes
into a jax.jit-compiled function and comes back out with the output, so the
counter advances, and the layer's Python code runs once, when it is traced."""

# expect: 0 8 of 8 cases passed

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


@jax.jit(static_argnums=0)
def _pure_step(graphdef, state, x):
    layer = nnx.merge(graphdef, state)
    return layer(x, deterministic=False), nnx.state(layer)


def train_step(layer, x):
    graphdef, state = nnx.split(layer)
    y, state = _pure_step(graphdef, state, x)
    nnx.update(layer, state)  # the advanced counter, back into the layer
    return y


def dropout_steps_forward(seed, x, rate, steps):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return jnp.stack([train_step(layer, x) for _ in range(int(steps))])
