"""The stream is split into one per member once, in __init__, as when the keys
are split before the module is built: each member draws masks of its own, new
at each call, but not the contract's, which splits at every call."""

# expect: 1 [split-once-at-construction]

import jax
import jax.numpy as jnp
from flax import nnx


class DropoutEnsemble(nnx.Module):
    def __init__(self, members, rate, rngs):
        self.members = members
        self.rate = rate
        self.rngs = rngs.split(members)  # one stream per member, once

    def __call__(self, x):
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
    ensemble = DropoutEnsemble(int(members), rate, nnx.Rngs(dropout=int(seed)))
    _, outputs = train_steps(ensemble, xs)
    return outputs
