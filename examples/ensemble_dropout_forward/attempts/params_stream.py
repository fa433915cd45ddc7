"""Each member draws from the params stream: with one seed for both streams the
masks would be the same, but the contract seeds only dropout, so the stream
the ensemble asks for is not there. (The check that seeds the streams apart
would see the masks follow the params seed; the function's own cases name the
mistake first.)"""

# expect: 1 [stream-not-in-rngs]

import jax
import jax.numpy as jnp
from flax import nnx


class DropoutEnsemble(nnx.Module):
    def __init__(self, members, rate, rngs):
        self.members = members
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x):
        with nnx.split_rngs(self, splits=self.members):
            return each_member(self, x)


@nnx.vmap(in_axes=(nnx.StateAxes({nnx.RngState: 0, ...: None}), None))
def each_member(ensemble, x):
    keep = 1.0 - ensemble.rate
    mask = jax.random.bernoulli(ensemble.rngs.params(), p=keep, shape=x.shape)
    return jnp.where(mask, x / keep, 0.0)


@nnx.scan(in_axes=(nnx.Carry, 0), out_axes=(nnx.Carry, 0))
def train_steps(ensemble, x):
    return ensemble, ensemble(x)


def ensemble_dropout_forward(seed, xs, rate, members):
    ensemble = DropoutEnsemble(int(members), rate, nnx.Rngs(dropout=int(seed)))
    _, outputs = train_steps(ensemble, xs)
    return outputs
