"""A right answer that says, when imported, whether JAX already runs in its
process.

The grader computes the reference's outputs first, in the process that then
imports this file: a grading starts JAX once, not twice.
"""

# expect: 0 JAX already runs here
# expect: 0 10 of 10 cases passed

import sys

print("JAX already runs here" if "jax" in sys.modules else "JAX starts here")

from lessongrader.problems.dropout_forward.solution import (  # noqa: E402, F401
    MyDropout,
    dropout_forward,
)
