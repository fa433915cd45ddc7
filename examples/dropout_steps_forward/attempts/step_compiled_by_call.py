"""Right: the step compiled by calling nnx.jit on it, the layer a subclass of
nnx.Module with its own names, and the rows stacked from a list built in a
loop."""

# expect: 0 8 of 8 cases passed

import jax
import jax.numpy as jnp
from flax import nnx


class MyDropout(nnx.Module):
    def __init__(self, rate: float, rngs: nnx.Rngs):
        self.rate, self.rngs = rate, rngs

    def __call__(self, inputs, deterministic: bool):
        if deterministic or not self.rate > 0:
            return inputs
        keep = 1 - self.rate
        kept = jax.random.bernoulli(self.rngs.dropout(), keep, inputs.shape)
        return jnp.where(kept, inputs / keep, 0)


def _step(layer, x):
    return layer(x, deterministic=False)


train_step = nnx.jit(_step)


def dropout_steps_forward(seed, x, rate, steps):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    rows = []
    for _ in range(int(steps)):
        rows.append(train_step(layer, x))
    return jnp.stack(rows)
