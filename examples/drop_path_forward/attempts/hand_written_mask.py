"""Correct, in another style: the mask written by hand, timm's way round
(x / keep * mask), from nnx.Rngs(int(seed)), whose default stream gives the
dropout key."""

# expect: 0 12 of 12 cases passed

import jax
import jax.numpy as jnp
from flax import nnx


class DropPath(nnx.Module):
    def __init__(self, rate):
        self.rate = rate

    def __call__(self, x, *, deterministic, rngs=None):
        if deterministic or self.rate == 0.0:
            return x
        keep = 1.0 - self.rate
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        mask = jax.random.bernoulli(rngs.dropout(), keep, shape)
        return x / keep * mask


class Block(nnx.Module):
    def __init__(self, rate):
        self.drop_path = DropPath(rate)

    def __call__(self, x, *, deterministic, rngs=None):
        return x + self.drop_path(jnp.tanh(x), deterministic=deterministic, rngs=rngs)


def drop_path_forward(seed, x, rate, deterministic):
    block = Block(rate)
    train = deterministic < 0.5
    return block(x, deterministic=not train, rngs=nnx.Rngs(int(seed)))
