"""The output is converted to a Python list."""

# expect: 1 [not-an-array]
# expect: 1 returns a list

from lessongrader.problems.dropout_forward.solution import dropout_forward as reference


def dropout_forward(seed, x, rate, deterministic):
    return reference(seed, x, rate, deterministic).tolist()
