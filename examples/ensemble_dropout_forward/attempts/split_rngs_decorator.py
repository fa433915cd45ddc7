"""Correct, with nnx.split_rngs as a decorator (Flax's transforms guide) and
only the random state carried by nnx.scan: the same keys, the same masks."""

# expect: 0 8 of 8 cases passed

import jax
import jax.numpy as jnp
from flax import nnx


def inverted_dropout(x, rate, key):
    keep = 1.0 - rate
    mask = jax.random.bernoulli(key, p=keep, shape=x.shape)
    return jnp.where(mask, x / keep, 0.0)


class DropoutEnsemble(nnx.Module):
    def __init__(self, members, rate, rngs):
        self.members = members
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x):
        state_axes = nnx.StateAxes({nnx.RngState: 0, ...: None})

        @nnx.split_rngs(splits=self.members)
        @nnx.vmap(in_axes=(state_axes, None))
        def each_member(ensemble, x):
            return inverted_dropout(x, ensemble.rate, ensemble.rngs.dropout())

        return each_member(self, x)


def ensemble_dropout_forward(seed, xs, rate, members):
    ensemble = DropoutEnsemble(int(members), rate, nnx.Rngs(int(seed)))
    carried = nnx.StateAxes({nnx.RngState: nnx.Carry, ...: None})

    @nnx.scan(in_axes=(carried, 0), out_axes=0)
    def train_steps(ensemble, x):
        return ensemble(x)

    return train_steps(ensemble, xs)
