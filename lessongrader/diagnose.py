"""Naming the mistake behind wrong outputs: pure functions of arrays.

In order: what the outputs are (an exception, not an array, a wrong shape or
dtype, NaN or inf); which known mistake of the problem gives the very same
outputs; and, for the cases still unexplained, the problem's own checks: the
``properties(case, settings, add)`` of its ``diagnosis.py``, which call
``add(name, title, advice)`` for what they find (``lessongrader.flags`` has
those of the dropout and noise problems), or, for a Check, its own diagnosis.
Nothing here knows a problem.
"""

import dataclasses

import numpy as np

from lessongrader.compare import values_match
from lessongrader.text import cases_text, paragraph


@dataclasses.dataclass
class Diagnosis:
    name: str
    title: str
    advice: str
    cases: list = dataclasses.field(default_factory=list)
    note: str = ""

    def sentence(self):
        cases = f" ({cases_text(sorted(self.cases))})" if self.cases else ""
        note = f" {self.note}" if self.note else ""
        return f"{self.title}{cases}.{note} {self.advice}"

    def text(self):
        return paragraph(self.sentence(), first=f"* [{self.name}] ")


class Diagnoses(dict):
    """Diagnoses by name, in the order found; a name seen again adds its cases."""

    def add(self, name, title, advice, case=None, note=""):
        diagnosis = self.setdefault(name, Diagnosis(name, title, advice, note=note))
        if case is not None and case.number not in diagnosis.cases:
            diagnosis.cases.append(case.number)


def _matches_pitfall(expected, name, case):
    out = expected.get(f"pitfall/{name}/{case.number}")
    return out is not None and values_match(case.array, out, case.tolerance)


def match_pitfalls(reference, expected, cases, diagnoses):
    """Name the known mistakes the outputs match; return the cases explained.

    The function's cases and the checks (``Spec.checks``) are matched apart:
    a mistake may be computed on one and not the other (a wrong flag in the
    function, a key drawn once in a class the checks build), and a wrong
    function says nothing of how its classes behave when the grader calls them.
    """
    explained = set()
    for group in (False, True):
        part = [c for c in cases if (c.check is not None) == group]
        explained |= _match_group(reference, expected, part, diagnoses)
    return explained


def _match_group(reference, expected, cases, diagnoses):
    # A known mistake counts here if it was computed on one of these cases.
    pitfalls = [
        p
        for p in reference.get("pitfalls", [])
        if any(f"pitfall/{p['name']}/{c.number}" in expected for c in cases)
    ]
    comparable = [c for c in cases if c.comparable]
    failing = [c for c in comparable if c.wrong_values]
    everything = {c.number for c in cases}
    explained = {
        p["name"]: [c for c in failing if _matches_pitfall(expected, p["name"], c)]
        for p in pitfalls
    }
    full = [
        p
        for p in pitfalls
        if explained[p["name"]]
        and all(_matches_pitfall(expected, p["name"], c) for c in comparable)
    ]
    if len(full) > 1:
        # Several mistakes give these very outputs: say so, and list them all.
        names = ", ".join(f"[{p['name']}]" for p in full)
        advice = " ".join(f"If {p['title'].lower()}: {p['advice']}" for p in full)
        diagnoses.add(
            " / ".join(p["name"] for p in full),
            "Your outputs match several known mistakes, which give identical "
            f"outputs on these cases ({names})",
            advice,
        )
        return everything
    if full:
        p = full[0]
        for case in explained[p["name"]]:
            diagnoses.add(p["name"], p["title"], p["advice"], case)
        return everything
    if not failing:
        return set()
    best = max(pitfalls, key=lambda p: len(explained[p["name"]]), default=None)
    if best is None:
        return set()
    hits = explained[best["name"]]
    if len(hits) >= 2 and 2 * len(hits) >= len(failing):
        for case in hits:
            diagnoses.add(
                best["name"],
                best["title"],
                best["advice"],
                case,
                note="The other failing cases have another cause as well."
                if len(hits) < len(failing)
                else "",
            )
        return {c.number for c in hits}
    return set()


def properties_of(problem):
    """The problem's own checks (its diagnosis.py), or None."""
    if problem is not None and (problem.folder / "diagnosis.py").is_file():
        return problem.module("diagnosis").properties
    return None


def _basic(case, reference, diagnoses):
    """What the output is, when it is not an array of the right kind."""
    got = case.got
    if got["kind"] == "error":
        error = got["error"]
        if error["type"] == "NotImplementedError" and error.get("raised_by_attempt"):
            part = "function" if case.check is None else "code the contract names"
            diagnoses.add(
                "not-attempted",
                f"Part of the {part} is not written yet",
                "It still raises NotImplementedError.",
                case,
            )
        elif error.get("hint"):
            hint = error["hint"]
            diagnoses.add(hint["name"], hint["title"], hint["advice"], case)
        else:
            line = f" at line {error['line']}" if error.get("line") else ""
            who = (
                "Your function"
                if case.check is None
                else "Used as the contract says, your code"
            )
            diagnoses.add(
                f"exception-{error['type']}",
                f"{who} raised {error['type']}{line}",
                "Fix it first: its message is shown with the case above.",
                case,
            )
    elif got["kind"] == "other" and got["type"] == "tuple":
        diagnoses.add(
            "returned-tuple",
            "The function returns a tuple, not an array",
            "Return the output alone. An apply with mutable=[...] returns a "
            "pair, (output, updated variables): `out, _ = model.apply(...)`.",
            case,
        )
    elif got["kind"] == "other" and got["type"] == "coroutine":
        diagnoses.add(
            "returned-coroutine",
            "The function returns a coroutine, not an array",
            "Calling an `async def` function gives a coroutine, which nothing "
            "runs here: define your functions with def, not async def.",
            case,
        )
    elif got["kind"] == "other":
        diagnoses.add(
            "not-an-array",
            f"The function returns a {got['type']}, not an array",
            "Return the JAX array the layer or model gives, as it is (no "
            ".tolist(), float() or tuple around it).",
            case,
        )
    elif case.failure == "wrong shape":
        diagnoses.add(
            "wrong-shape",
            f"The output has shape {tuple(got['shape'])}, not {case.shape}",
            reference.get("shape_advice", "Return an array of the expected shape."),
            case,
        )
    elif case.failure == "wrong dtype":
        diagnoses.add(
            "wrong-dtype",
            f"The output has dtype {got['dtype']}, not {case.dtype}",
            "Keep the dtype JAX computes: do not cast the result or convert it "
            "with NumPy.",
            case,
        )
    elif case.not_finite:
        diagnoses.add(
            "not-finite",
            "The output holds NaN or inf where the contract's has numbers",
            "Look for a division by zero, a logarithm or square root of a "
            "number <= 0, or NaN used as a value; the failing cases above say "
            "where they are.",
            case,
        )


def diagnose(reference, expected, cases, problem=None):
    """The diagnoses of a graded attempt, most basic first: the function's
    cases, then the checks (``Spec.checks``)."""
    diagnoses = Diagnoses()
    properties = properties_of(problem)
    settings = reference.get("settings", {})
    # A check's own diagnosis says what its use of the classes shows; while the
    # function's own cases fail, their cause may well be the checks' too.
    function_right = not any(c.failure for c in cases if c.check is None)
    for checks in (False, True):
        part = [c for c in cases if (c.check is not None) == checks]
        for case in part:
            _basic(case, reference, diagnoses)
        explained = _match_group(reference, expected, part, diagnoses)
        for case in part:
            # The properties are of real, finite values: a complex output has a
            # wrong dtype, and NaN or inf are named above.
            real = case.array is not None and np.isrealobj(case.array)
            unexplained = case.number not in explained and not case.not_finite
            if not (case.wrong_values and unexplained and real):
                continue
            if case.check is not None:
                check = case.check
                if function_right or check.get("independent"):
                    diagnoses.add(check["name"], check["title"], check["advice"], case)
            elif properties is not None:
                properties(
                    case, settings, lambda *a, case=case: diagnoses.add(*a, case=case)
                )
    if not diagnoses and any(c.failure for c in cases):
        diagnoses.add(
            "values-differ",
            "The values differ in a way the grader does not recognise",
            "Compare each step with the contract, in the lesson and in the starter.",
        )
    return list(diagnoses.values())
