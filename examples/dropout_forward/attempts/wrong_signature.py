"""A parameter has another name than the contract's."""

# expect: 2 Name the parameters seed, x, rate, deterministic


def dropout_forward(seed, x, p, deterministic):
    return x
