"""How values, calls and paragraphs are written in the grader's reports."""

import textwrap
import unicodedata

import numpy as np

CALL_ITEMS = 10  # array elements written out in a call
WIDTH = 88


def shorten(text, limit):
    return text if len(text) <= limit else text[: limit - 3] + "..."


def value_text(value):
    """A value as the learner would write it in a call."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        array = np.asarray(value)
        if array.ndim == 1:
            items = [str(v) for v in array[:CALL_ITEMS]]
            if array.size > CALL_ITEMS:
                items.append("...")
            return f"jnp.array([{', '.join(items)}])"
        return f"jnp.array({shorten(repr(array.tolist()), 60)})"
    return repr(value)


def call_text(problem, case):
    arguments = ", ".join(f"{name}={value_text(v)}" for name, v in case.items())
    return f"{problem}({arguments})"


def array_text(array):
    text = np.array2string(
        np.asarray(array),
        separator=", ",
        threshold=10,
        edgeitems=4,
        precision=5,
        suppress_small=True,
        max_line_width=10_000,
    )
    # The rows of a 2-D array line up under the first, after "  expected: ".
    return text.replace("\n", "\n" + " " * 12)


def paragraph(text, indent="  ", first=""):
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=indent + first,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
        break_long_words=False,
    )


def cases_text(numbers):
    return ("case " if len(numbers) == 1 else "cases ") + ", ".join(
        str(n + 1) for n in numbers
    )


def _escape(char):
    if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cf", "Cs"):
        return char
    return char.encode("unicode_escape", "backslashreplace").decode("ascii")


def visible(text):
    """text with its control characters (but newlines and tabs) as escapes.

    Terminal escapes in what an attempt prints, or in its exception messages,
    could otherwise clear the screen or hide the real summary.
    """
    return "".join(map(_escape, text))
