"""Correct, keys handed to the members at the call: Rngs.split gives one stream
per member, which nnx.vmap maps over axis 0, and nnx.Dropout, called with
rngs, draws from it. The same keys as nnx.split_rngs; and a Python loop over
the rows draws the masks nnx.scan would."""

# expect: 0 8 of 8 cases passed

import jax.numpy as jnp
from flax import nnx


class DropoutEnsemble(nnx.Module):
    def __init__(self, members, rate, rngs):
        self.members = members
        self.rngs = rngs
        self.dropout = nnx.Dropout(rate)  # no rngs: keys at the call

    def __call__(self, x):
        @nnx.vmap(in_axes=(None, None, 0))
        def each_member(dropout, x, rngs):
            return dropout(x, rngs=rngs)

        return each_member(self.dropout, x, self.rngs.split(self.members))


def ensemble_dropout_forward(seed, xs, rate, members):
    ensemble = DropoutEnsemble(int(members), rate, nnx.Rngs(dropout=int(seed)))
    return jnp.stack([ensemble(x) for x in xs])
