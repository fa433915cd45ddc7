"""One nnx.Dropout per member, each built with a fork of the Rngs, called in a
Python loop: each member has a stream of its own and draws new masks at each
step, but the keys are not the contract's (a fork draws one key per member
from the dropout stream, once, instead of splitting one key at every call)."""

# expect: 1 [different-masks]

import jax.numpy as jnp
from flax import nnx


class DropoutEnsemble(nnx.Module):
    def __init__(self, members, rate, rngs):
        self.members = members
        self.rngs = rngs
        self.layers = nnx.List(
            [nnx.Dropout(rate, rngs=rngs.fork()) for _ in range(members)]
        )

    def __call__(self, x):
        return jnp.stack([layer(x) for layer in self.layers])


@nnx.scan(in_axes=(nnx.Carry, 0), out_axes=(nnx.Carry, 0))
def train_steps(ensemble, x):
    return ensemble, ensemble(x)


def ensemble_dropout_forward(seed, xs, rate, members):
    ensemble = DropoutEnsemble(int(members), rate, nnx.Rngs(dropout=int(seed)))
    _, outputs = train_steps(ensemble, xs)
    return outputs
