"""Both mistakes: the members share the stream (in_axes=None in nnx.vmap) and
the ensemble is broadcast into nnx.scan, so one key serves every member at
every step."""

# expect: 1 [members-and-steps-share-one-key]

import jax
import jax.numpy as jnp
from flax import nnx


class DropoutEnsemble(nnx.Module):
    def __init__(self, members, rate, rngs):
        self.members = members
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x):
        def each_member(ensemble, x):
            keep = 1.0 - ensemble.rate
            mask = jax.random.bernoulli(ensemble.rngs.dropout(), p=keep, shape=x.shape)
            return jnp.where(mask, x / keep, 0.0)

        return nnx.vmap(each_member, in_axes=(None, None), axis_size=self.members)(
            self, x
        )


def ensemble_dropout_forward(seed, xs, rate, members):
    ensemble = DropoutEnsemble(int(members), rate, nnx.Rngs(dropout=int(seed)))
    return nnx.scan(lambda ensemble, x: ensemble(x), in_axes=(None, 0), out_axes=0)(
        ensemble, xs
    )
