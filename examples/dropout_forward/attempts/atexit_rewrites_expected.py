"""Never drops, and at exit copies its own outputs over the expected ones.

The grader's files are in the directory named by the last argument of the
process: an atexit hook rewrites the arrays there before the grader reads them.
"""

# expect: 1 [no-dropout-in-training]
# expect: 1 3 of 8 cases passed

import atexit
import sys
from pathlib import Path

import numpy as np


def _rewrite():
    for path in Path(sys.argv[-1]).glob("*.npz"):
        with np.load(path) as data:
            arrays = dict(data)
        for name in list(arrays):
            if name.startswith("got/"):
                arrays["expected/" + name.removeprefix("got/")] = arrays[name]
        np.savez(path, **arrays)


atexit.register(_rewrite)


def dropout_forward(seed, x, rate, deterministic):
    return x
