"""A right answer, with a comment in Latin-1: not UTF-8, and no coding line.

python3 refuses to run such a file, and so must the grader.
"""

# expect: 2 SyntaxError in
# expect: 2 line 14
# expect: 2 Non-UTF-8 code starting with '\xe9'

from lessongrader.problems.dropout_forward.solution import dropout_forward as reference


def dropout_forward(seed, x, rate, deterministic):
    # Réponse : la solution de référence
    return reference(seed, x, rate, deterministic)
