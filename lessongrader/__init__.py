"""Grade attempts at the Flax lessons' problems, and name what is wrong.

The command (``python -m lessongrader``, or ``nox -s check --`` in the
repository) runs an attempt in a process of its own; ``practice`` grades a
function in a notebook, with the same cases, comparisons and words.
"""

from lessongrader.practice import practice

__all__ = ["practice"]
