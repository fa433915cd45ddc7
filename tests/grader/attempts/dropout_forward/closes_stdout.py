"""Closes the standard output, to keep the grader quiet; and never drops.

Closing a descriptor of its own process is the attempt's business: the grading
goes on and names the mistake.
"""

# expect: 1 [no-dropout-in-training]

import os

os.close(1)


def dropout_forward(seed, x, rate, deterministic):
    return x
