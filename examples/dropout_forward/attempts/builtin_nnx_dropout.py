"""Flax's own nnx.Dropout: a valid dropout, but it forks its own stream."""

# expect: 1 [builtin-nnx-dropout]

from flax import nnx


def dropout_forward(seed, x, rate, deterministic):
    layer = nnx.Dropout(rate, rngs=nnx.Rngs(int(seed)))
    return layer(x, deterministic=bool(deterministic >= 0.5))
