"""The output is converted to a Python list."""

# expect: 1 [not-an-array]
# expect: 1 returns a list

from examples.dropout_forward import dropout_forward as reference


def dropout_forward(seed, x, rate, deterministic):
    return reference(seed, x, rate, deterministic).tolist()
