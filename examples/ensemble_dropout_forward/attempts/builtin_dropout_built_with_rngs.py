"""nnx.Dropout built with the rngs: it forks a stream of its own when it is
built, which nnx.split_rngs splits at each call; the members drop other units
than the contract's."""

# expect: 1 [dropout-forks-the-stream]

import jax.numpy as jnp
from flax import nnx


class DropoutEnsemble(nnx.Module):
    def __init__(self, members, rate, rngs):
        self.members = members
        self.rate = rate
        self.rngs = rngs
        self.dropout = nnx.Dropout(rate, rngs=rngs)

    def __call__(self, x):
        with nnx.split_rngs(self, splits=self.members):
            return each_member(self, x)


@nnx.vmap(in_axes=(nnx.StateAxes({nnx.RngState: 0, ...: None}), None))
def each_member(ensemble, x):
    return ensemble.dropout(x)


@nnx.scan(in_axes=(nnx.Carry, 0), out_axes=(nnx.Carry, 0))
def train_steps(ensemble, x):
    return ensemble, ensemble(x)


def ensemble_dropout_forward(seed, xs, rate, members):
    ensemble = DropoutEnsemble(int(members), rate, nnx.Rngs(dropout=int(seed)))
    _, outputs = train_steps(ensemble, xs)
    return jnp.asarray(outputs)
