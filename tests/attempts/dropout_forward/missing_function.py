"""The function has another name."""

# expect: 2 defines no function named dropout_forward
# expect: 2 Did you mean dropout_forwrd?


def dropout_forwrd(seed, x, rate, deterministic):
    return x
