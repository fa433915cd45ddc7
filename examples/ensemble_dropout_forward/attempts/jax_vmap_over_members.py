"""jax.vmap over the members, drawing from the module's stream inside: JAX's own
vmap cannot carry the module's random state in and out."""

# expect: 1 [jax-transform-on-module]

import jax
import jax.numpy as jnp
from flax import nnx


class DropoutEnsemble(nnx.Module):
    def __init__(self, members, rate, rngs):
        self.members = members
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x):
        keep = 1.0 - self.rate

        def one_member(_):
            mask = jax.random.bernoulli(self.rngs.dropout(), p=keep, shape=x.shape)
            return jnp.where(mask, x / keep, 0.0)

        return jax.vmap(one_member)(jnp.arange(self.members))


def ensemble_dropout_forward(seed, xs, rate, members):
    ensemble = DropoutEnsemble(int(members), rate, nnx.Rngs(dropout=int(seed)))
    return jnp.stack([ensemble(x) for x in xs])
