"""nnx.Dropout built without an Rngs: evaluation works, training raises."""

# expect: 1 [dropout-without-rngs]
# expect: 1 3 of 10 cases passed

from flax import nnx


def dropout_forward(seed, x, rate, deterministic):
    return nnx.Dropout(rate)(x, deterministic=bool(deterministic >= 0.5))
