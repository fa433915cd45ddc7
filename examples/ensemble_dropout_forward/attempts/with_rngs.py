"""Correct, in the style of Flax's Randomness guide (flax 0.12.7 and later):
nnx.with_rngs splits a copy of the module's streams, nnx.prefix maps its random
state over the members. The same keys as nnx.split_rngs: the same masks."""

# expect: 0 8 of 8 cases passed

import jax
import jax.numpy as jnp
from flax import nnx


class DropoutEnsemble(nnx.Module):
    def __init__(self, members, rate, rngs):
        self.members = members
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x):
        split = nnx.with_rngs(self, split=self.members, graph=False)
        in_axes = nnx.prefix(split, {nnx.RngState: 0, ...: None}, graph=False)

        @nnx.vmap(in_axes=(in_axes, None), graph=False)
        def each_member(ensemble, x):
            keep = 1.0 - ensemble.rate
            mask = jax.random.bernoulli(ensemble.rngs.dropout(), p=keep, shape=x.shape)
            return jnp.where(mask, x / keep, 0.0)

        return each_member(split, x)


def ensemble_dropout_forward(seed, xs, rate, members):
    ensemble = DropoutEnsemble(int(members), rate, nnx.Rngs(dropout=int(seed)))

    @nnx.scan(in_axes=(nnx.Carry, 0), out_axes=(nnx.Carry, 0))
    def train_steps(ensemble, x):
        return ensemble, ensemble(x)

    _, outputs = train_steps(ensemble, xs)
    return outputs
