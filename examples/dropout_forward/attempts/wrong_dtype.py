"""The result is converted to a float64 NumPy array: right values, wrong dtype."""

# expect: 1 [wrong-dtype]
# expect: 1 The output has dtype float64, not float32

import numpy as np

from lessongrader.problems.dropout_forward.solution import dropout_forward as reference


def dropout_forward(seed, x, rate, deterministic):
    return np.asarray(reference(seed, x, rate, deterministic), dtype=np.float64)
