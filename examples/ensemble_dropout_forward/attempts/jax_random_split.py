"""The keys are split with jax.random.split and each member uses its key as it
is: one per member and new at each call, but not the keys the members'
streams give (each stream's first key is fold_in(its key, 0))."""

# expect: 1 [split-keys-used-as-keys]

import jax
import jax.numpy as jnp
from flax import nnx


class DropoutEnsemble(nnx.Module):
    def __init__(self, members, rate, rngs):
        self.members = members
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x):
        keys = jax.random.split(self.rngs.dropout(), self.members)
        keep = 1.0 - self.rate

        def one_member(key):
            mask = jax.random.bernoulli(key, p=keep, shape=x.shape)
            return jnp.where(mask, x / keep, 0.0)

        return jax.vmap(one_member)(keys)


@nnx.scan(in_axes=(nnx.Carry, 0), out_axes=(nnx.Carry, 0))
def train_steps(ensemble, x):
    return ensemble, ensemble(x)


def ensemble_dropout_forward(seed, xs, rate, members):
    ensemble = DropoutEnsemble(int(members), rate, nnx.Rngs(dropout=int(seed)))
    _, outputs = train_steps(ensemble, xs)
    return outputs
