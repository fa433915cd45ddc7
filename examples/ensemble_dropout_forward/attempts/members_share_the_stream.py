"""The ensemble is given to nnx.vmap with in_axes=None and axis_size: every
member gets the same stream, so the same key, and drops the same units."""

# expect: 1 [members-share-the-stream]

import jax
import jax.numpy as jnp
from flax import nnx


class DropoutEnsemble(nnx.Module):
    def __init__(self, members, rate, rngs):
        self.members = members
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x):
        @nnx.vmap(in_axes=(None, None), axis_size=self.members)
        def each_member(ensemble, x):
            keep = 1.0 - ensemble.rate
            mask = jax.random.bernoulli(ensemble.rngs.dropout(), p=keep, shape=x.shape)
            return jnp.where(mask, x / keep, 0.0)

        return each_member(self, x)


@nnx.scan(in_axes=(nnx.Carry, 0), out_axes=(nnx.Carry, 0))
def train_steps(ensemble, x):
    return ensemble, ensemble(x)


def ensemble_dropout_forward(seed, xs, rate, members):
    ensemble = DropoutEnsemble(int(members), rate, nnx.Rngs(dropout=int(seed)))
    _, outputs = train_steps(ensemble, xs)
    return outputs
