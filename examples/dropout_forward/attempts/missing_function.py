"""The function has another name."""

# expect: 2 defines no function named dropout_forward
# expect: 2 Rename dropout_forwrd to dropout_forward.


def dropout_forwrd(seed, x, rate, deterministic):
    return x
