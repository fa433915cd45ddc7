"""Comparing an attempt's outputs with the reference's: pure functions of arrays.

Each case is compared by type (a JAX or NumPy array), shape, dtype, then
values, to within ATOL and RTOL; NaN and inf are values like the others (NaN
matches NaN), and a report says where they are.
"""

import dataclasses

import numpy as np

from lessongrader.text import array_text, paragraph, shorten

ATOL = RTOL = 1e-5
# The widest tolerance a low-precision output (bfloat16...) is compared with, to
# name its mistake; passing a case always takes ATOL and RTOL.
MAX_TOLERANCE = 0.1


def values_match(got, expected, tolerance=ATOL):
    got, expected = np.asarray(got), np.asarray(expected)
    return got.shape == expected.shape and bool(
        np.allclose(
            got, expected, rtol=max(RTOL, tolerance), atol=tolerance, equal_nan=True
        )
    )


@dataclasses.dataclass
class Case:
    number: int
    call: str
    expected: np.ndarray
    shape: tuple
    dtype: str
    got: dict  # what was recorded about the attempt's output
    array: np.ndarray | None  # the attempt's output, when it is an array of numbers
    # What the problem's Spec says of the case (its facts), and the reference's
    # outputs on related arguments, by name (lessongrader.mistakes).
    facts: dict = dataclasses.field(default_factory=dict)
    related: dict = dataclasses.field(default_factory=dict)
    # For a Check: the diagnosis of its failure (name, title, advice).
    check: dict | None = None
    output: str = ""  # what the attempt printed during this case
    # How closely the values are compared to name a mistake: wider for an output
    # of a coarser dtype (bfloat16...); passing always takes ATOL and RTOL.
    tolerance: float = ATOL
    failure: str = ""  # the first check failed; empty when the case passed
    wrong_values: bool = False  # whatever the dtype

    @property
    def comparable(self):
        return self.array is not None and self.array.shape == self.expected.shape

    @property
    def not_finite(self):
        """Whether the output has NaN or inf where the reference's differs."""
        return self.comparable and bool(
            np.any(_mismatched(self.array, self.expected) & ~_finite(self))
        )


def _finite(case):
    return np.isfinite(case.array) & np.isfinite(case.expected)


def _mismatched(got, expected):
    return ~np.isclose(got, expected, rtol=RTOL, atol=ATOL, equal_nan=True)


def compare(case):
    """Why the case fails, from the most basic check up, or "" if it passes."""
    got = case.got
    if got["kind"] == "error":
        return f"raised {got['error']['type']}"
    if got["kind"] == "other":
        return f"returned a {got['type']}, not an array"
    if tuple(got["shape"]) != case.shape:
        return "wrong shape"
    if got["dtype"] != case.dtype:
        return "wrong dtype"
    if case.array is None:
        return "values not readable"
    if not values_match(case.array, case.expected):
        return "wrong values"
    return ""


def _real(array):
    # A complex output with no imaginary part has the values of its real part.
    if array is not None and np.iscomplexobj(array) and not np.any(array.imag):
        return array.real
    return array


def build_cases(reference, expected, reported, arrays):
    """The compared cases, from the reference's meta and arrays and the
    attempt's reported cases and arrays."""
    cases = []
    for i, (info, case_report) in enumerate(
        zip(reference["cases"], reported, strict=True)
    ):
        got = case_report["got"]
        suffix = f"/{i}"
        case = Case(
            number=i,
            call=info["call"],
            expected=expected[f"expected/{i}"],
            shape=tuple(info["shape"]),
            dtype=info["dtype"],
            got=got,
            array=_real(arrays.get(f"got/{i}")),
            facts=info.get("facts", {}),
            check=info.get("check"),
            related={
                key.split("/")[1]: array
                for key, array in expected.items()
                if key.startswith("related/") and key.endswith(suffix)
            },
            output=case_report.get("output", ""),
            tolerance=min(max(ATOL, float(got.get("resolution", 0.0))), MAX_TOLERANCE),
        )
        case.failure = compare(case)
        case.wrong_values = case.comparable and not values_match(
            case.array, case.expected, case.tolerance
        )
        cases.append(case)
    return cases


SHOWN_POSITIONS = 4  # NaN or inf values listed, each with where it is


def _index(position):
    return position[0] if len(position) == 1 else position


def difference_lines(got, expected):
    """How the values differ: where NaN or inf stand for other values (a
    difference with them means nothing), then the largest difference of
    the other values."""
    mismatched = _mismatched(got, expected)
    finite = np.isfinite(got) & np.isfinite(expected)
    lines = []
    odd = [tuple(int(i) for i in p) for p in np.argwhere(mismatched & ~finite)]
    if odd:
        shown = ", ".join(
            f"index {_index(p)} is {got[p]} (expected {expected[p]:.5g})"
            for p in odd[:SHOWN_POSITIONS]
        )
        more = len(odd) - SHOWN_POSITIONS
        more = f", and {more} more" if more > 0 else ""
        lines.append(f"NaN or inf: {shown}{more}")
    bad = mismatched & finite
    if bad.any():
        first = _index(tuple(int(i) for i in np.argwhere(bad)[0]))
        largest = np.abs(got - expected)[bad].max()
        other = " of the other values" if odd else ""
        lines.append(
            f"largest abs difference{other} {largest:.4g}, first difference at "
            f"index {first}"
        )
    return lines


def error_text(error, file=None):
    where = ""
    if error.get("line"):
        where = f" at line {error['line']}" + (f" of {file}" if file else "")
        if error.get("code"):
            where += f" (`{shorten(error['code'], 70)}`)"
    message = f": {error['message']}" if error["message"] else ""
    return f"{error['type']}{where}{message}"


def case_details(case, file):
    """The lines that show how a failing case differs from the reference."""
    lines = [f"Case {case.number + 1}: {case.call}"]
    got = case.got
    if got["kind"] == "error":
        lines.append(paragraph(error_text(got["error"], file), first="raised "))
    elif got["kind"] == "other":
        lines.append(f"  expected: a JAX array of shape {case.shape}")
        lines.append(f"  got:      a {got['type']}: {got['text']}")
    elif case.failure == "wrong shape":
        lines.append(f"  expected: shape {case.shape}, {array_text(case.expected)}")
        lines.append(f"  got:      shape {tuple(got['shape'])}")
        if case.array is not None:
            lines[-1] += f", {array_text(case.array)}"
    elif case.failure == "wrong dtype" and not case.wrong_values:
        if case.array is None:
            values = "its values are not numbers the grader can compare"
        elif values_match(case.array, case.expected):
            values = "the values are right"
        else:
            values = f"the values are right, to the precision of {got['dtype']}"
        lines.append(f"  expected: dtype {case.dtype}")
        lines.append(f"  got:      dtype {got['dtype']} ({values})")
    else:
        if case.failure == "wrong dtype":
            lines.append(f"  expected dtype {case.dtype}, got {got['dtype']}")
        lines.append(f"  expected: {array_text(case.expected)}")
        if case.array is not None:
            lines.append(f"  got:      {array_text(case.array)}")
            differences = difference_lines(case.array, case.expected)
            lines += [f"  {line}" for line in differences]
    return "\n".join(lines)
