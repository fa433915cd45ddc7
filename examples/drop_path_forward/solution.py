"""Reference solution: a residual block whose branch is dropped per example
(stochastic depth), with ``nnx.Dropout(broadcast_dims=...)``.

Lesson: ``docs/stochastic-depth.md``. The harness passes ``seed`` and
``deterministic`` as floats; ``deterministic`` counts as true when it is at
least 0.5.

>>> x = jnp.array([[1.0, -2.0, 0.5], [2.0, 1.0, -1.0],
...                [-0.5, 3.0, 1.5], [1.5, -1.0, 2.0]])

In evaluation, or with a rate of 0, the block is ``x + tanh(x)``, exactly:

>>> bool(jnp.array_equal(drop_path_forward(0.0, x, 0.5, 1.0), x + jnp.tanh(x)))
True
>>> bool(jnp.array_equal(drop_path_forward(0.0, x, 0.0, 0.0), x + jnp.tanh(x)))
True

In training, each example (row) loses its branch whole, and is x alone, or
keeps it, rescaled by 1 / (1 - rate):

>>> y = drop_path_forward(0.0, x, 0.5, 0.0)
>>> dropped = jnp.all(y == x, axis=1)
>>> kept = jnp.all(jnp.isclose(y, x + jnp.tanh(x) / 0.5), axis=1)
>>> [bool(d) for d in dropped]
[True, False, False, False]
>>> bool(jnp.all(dropped | kept))
True
"""

import jax.numpy as jnp
from flax import nnx


class DropPath(nnx.Module):
    """Drops its whole input, per example: stochastic depth."""

    def __init__(self, rate: float):
        self.rate = rate

    def __call__(self, x, *, deterministic: bool, rngs: nnx.Rngs | None = None):
        # One draw per example: the mask is shared along every other axis.
        # Built without rngs, nnx.Dropout holds no state, so building it at
        # each call is free, and its broadcast_dims follow the input's rank.
        dropout = nnx.Dropout(self.rate, broadcast_dims=tuple(range(1, x.ndim)))
        return dropout(x, deterministic=deterministic, rngs=rngs)


class ResidualBlock(nnx.Module):
    """x + DropPath(f(x)): the branch is dropped, never the skip connection."""

    def __init__(self, rate: float):
        self.drop_path = DropPath(rate)

    def __call__(self, x, *, deterministic: bool, rngs: nnx.Rngs | None = None):
        branch = jnp.tanh(x)  # the block's f, fixed for this problem
        return x + self.drop_path(branch, deterministic=deterministic, rngs=rngs)


def drop_path_forward(seed, x, rate, deterministic):
    block = ResidualBlock(rate)
    rngs = nnx.Rngs(dropout=int(seed))  # given at the call, as Flax recommends
    return block(x, deterministic=bool(deterministic >= 0.5), rngs=rngs)
