"""Reference solution: an ensemble of dropout masks under nnx.vmap, over steps
under nnx.scan.

Lesson: ``docs/randomness-under-vmap-scan.md``. The harness passes ``seed``
and ``members`` as floats.

>>> import jax.numpy as jnp
>>> from flax import nnx
>>> x = jnp.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
>>> xs = jnp.stack([x, x])  # two steps, the same input
>>> y = ensemble_dropout_forward(0.0, xs, 0.5, 3.0)
>>> y.shape
(2, 3, 6)

Every unit is dropped (0) or kept and doubled; each member of a step draws a
mask of its own, and each step new ones:

>>> bool(jnp.all((y == 0) | (y == 2 * x)))
True
>>> len({tuple(member.tolist()) for step in y for member in step})
6

The steps under nnx.scan draw the masks of the ensemble called once per row
in a Python loop, and each call advances the dropout stream's count by one:

>>> ensemble = DropoutEnsemble(3, 0.5, nnx.Rngs(dropout=0))
>>> looped = jnp.stack([ensemble(row) for row in xs])
>>> bool(jnp.array_equal(y, looped))
True
>>> int(ensemble.rngs.dropout.count[...])
2
"""

import jax
import jax.numpy as jnp
from flax import nnx


class DropoutEnsemble(nnx.Module):
    def __init__(self, members: int, rate: float, rngs: nnx.Rngs):
        self.members = members
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x):
        # One key drawn from each stream, split into one per member; on the way
        # out the streams are unsplit, their counts advanced by one.
        with nnx.split_rngs(self, splits=self.members):
            return each_member(self, x)


# The random state is mapped over the members (axis 0); the rest is shared.
@nnx.vmap(in_axes=(nnx.StateAxes({nnx.RngState: 0, ...: None}), None))
def each_member(ensemble, x):
    keep = 1.0 - ensemble.rate
    mask = jax.random.bernoulli(ensemble.rngs.dropout(), p=keep, shape=x.shape)
    return jnp.where(mask, x / keep, 0.0)


# The ensemble is the carry: each step starts from the count the last one left.
@nnx.scan(in_axes=(nnx.Carry, 0), out_axes=(nnx.Carry, 0))
def train_steps(ensemble, x):
    return ensemble, ensemble(x)


def ensemble_dropout_forward(seed, xs, rate, members):
    ensemble = DropoutEnsemble(int(members), rate, nnx.Rngs(dropout=int(seed)))
    _, outputs = train_steps(ensemble, xs)
    return outputs
