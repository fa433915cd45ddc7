"""nnx.with_rngs as the Randomness guide writes it, but without graph=False:
flax refuses a module in graph mode, with a NotImplementedError of its own
(which is not an unwritten starter)."""

# expect: 1 [with-rngs-graph-mode]

import jax
import jax.numpy as jnp
from flax import nnx


class DropoutEnsemble(nnx.Module):
    def __init__(self, members, rate, rngs):
        self.members = members
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x):
        split = nnx.with_rngs(self, split=self.members)
        in_axes = nnx.prefix(split, {nnx.RngState: 0, ...: None})

        @nnx.vmap(in_axes=(in_axes, None))
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
