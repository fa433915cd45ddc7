"""Comparing an attempt's outputs with the reference's: pure functions of arrays.

Each case is compared by type (a JAX or NumPy array), shape, dtype, then
values, to within ATOL and RTOL.
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
        np.allclose(got, expected, rtol=max(RTOL, tolerance), atol=tolerance)
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
    base: np.ndarray | None  # the reference's output in evaluation
    training: bool
    keep: float
    # How closely the values are compared to name a mistake: wider for an output
    # of a coarser dtype (bfloat16...); passing always takes ATOL and RTOL.
    tolerance: float = ATOL
    failure: str = ""  # the first check failed; empty when the case passed
    wrong_values: bool = False  # whatever the dtype

    @property
    def comparable(self):
        return self.array is not None and self.array.shape == self.expected.shape


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
        case = Case(
            number=i,
            call=info["call"],
            expected=expected[f"expected/{i}"],
            shape=tuple(info["shape"]),
            dtype=info["dtype"],
            got=got,
            array=_real(arrays.get(f"got/{i}")),
            base=expected.get(f"base/{i}"),
            training=info.get("training", False),
            keep=info.get("keep", 1.0),
            tolerance=min(max(ATOL, float(got.get("resolution", 0.0))), MAX_TOLERANCE),
        )
        case.failure = compare(case)
        case.wrong_values = case.comparable and not values_match(
            case.array, case.expected, case.tolerance
        )
        cases.append(case)
    return cases


def difference_text(got, expected):
    bad = ~np.isclose(got, expected, rtol=RTOL, atol=ATOL)
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    diff = np.abs(got - expected)
    largest = np.nanmax(diff) if not np.all(np.isnan(diff)) else float("nan")
    where = first[0] if len(first) == 1 else first
    return f"largest abs difference {largest:.4g}, first difference at index {where}"


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
            lines.append("  " + difference_text(case.array, case.expected))
    return "\n".join(lines)
