"""The function is right, but the class is named Ensemble: the checks of the
class the contract names, DropoutEnsemble, find none, and say so.

The command's alone: in a lesson's notebook, the solution's cell has defined
DropoutEnsemble before any attempt, and the checks find that one."""

# expect: 1 [no-ensemble-class]
# expect: 1 6 of 8 cases passed

import jax
import jax.numpy as jnp
from flax import nnx


class Ensemble(nnx.Module):
    def __init__(self, members, rate, rngs):
        self.members = members
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x):
        with nnx.split_rngs(self, splits=self.members):
            return each_member(self, x)


@nnx.vmap(in_axes=(nnx.StateAxes({nnx.RngState: 0, ...: None}), None))
def each_member(ensemble, x):
    keep = 1.0 - ensemble.rate
    mask = jax.random.bernoulli(ensemble.rngs.dropout(), p=keep, shape=x.shape)
    return jnp.where(mask, x / keep, 0.0)


@nnx.scan(in_axes=(nnx.Carry, 0), out_axes=(nnx.Carry, 0))
def train_steps(ensemble, x):
    return ensemble, ensemble(x)


def ensemble_dropout_forward(seed, xs, rate, members):
    ensemble = Ensemble(int(members), rate, nnx.Rngs(dropout=int(seed)))
    _, outputs = train_steps(ensemble, xs)
    return outputs
