"""A right answer, in a file that replaces a builtin the grader uses too.

``builtins.isinstance`` here always says no: the grader's own code then fails
after the file is imported, and the report must say why, not blame an exit.
"""

# expect: 2 changes Python's builtin `isinstance`, which the grader uses too

import builtins

from lessongrader.problems.dropout_forward.solution import dropout_forward  # noqa: F401

builtins.isinstance = lambda value, kind: False
