"""Never drops, and writes its outputs over the expected ones in the grader.

It walks up the stack, sys._getframe, to the grader's dictionary of arrays.
"""

# expect: 1 [no-dropout-in-training]
# expect: 1 3 of 8 cases passed

import sys

import numpy as np

calls = []


def dropout_forward(seed, x, rate, deterministic):
    case = len(calls)
    calls.append(case)
    frame = sys._getframe(1)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if isinstance(value, dict) and any(
                isinstance(key, str) and key.startswith("expected/") for key in value
            ):
                value[f"expected/{case}"] = np.asarray(x, np.float64)
        frame = frame.f_back
    return x
