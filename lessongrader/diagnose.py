"""Naming the mistake behind wrong outputs: pure functions of arrays.

In order: what the outputs are (an exception, not an array, a wrong shape or
dtype); which known mistake of the problem gives the very same outputs; and,
for the cases still unexplained, properties that do not depend on the random
key (is it dropout? with which scale? is evaluation random?). A problem's
folder may hold a ``diagnosis.py`` whose ``properties(case, spec, add)``
replaces the checks of its kind.
"""

import dataclasses

import numpy as np

from lessongrader.compare import ATOL, values_match
from lessongrader.text import cases_text, paragraph


@dataclasses.dataclass
class Diagnosis:
    name: str
    title: str
    advice: str
    cases: list = dataclasses.field(default_factory=list)
    note: str = ""

    def sentence(self):
        cases = f" ({cases_text(self.cases)})" if self.cases else ""
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
    """Name the known mistakes the outputs match; return the cases explained."""
    comparable = [c for c in cases if c.comparable]
    failing = [c for c in comparable if c.wrong_values]
    pitfalls = reference.get("pitfalls", [])
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
        return set(range(len(cases)))
    if full:
        p = full[0]
        for case in explained[p["name"]]:
            diagnoses.add(p["name"], p["title"], p["advice"], case)
        return set(range(len(cases)))
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
                note="The other failing cases have another cause as well.",
            )
        return {c.number for c in hits}
    return set()


# -- Properties ---------------------------------------------------------------


def dropout_scale(got, base):
    """(True, c) when every element is 0 or c * base; c is None if all are 0."""
    kept = ~np.isclose(got, 0.0, atol=ATOL)
    if not kept.any():
        return True, None
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = float(np.median(got[kept] / base[kept]))
    if not np.isfinite(scale):
        return False, None
    ok = np.allclose(got[kept], scale * base[kept], rtol=1e-4, atol=ATOL)
    return bool(ok), scale


def near(a, b):
    return abs(a - b) <= 1e-3 * max(1.0, abs(b))


def _params_differ(spec):
    return (
        "params-differ",
        "The output is not built on the contract's parameters",
        spec.get("params_advice") or "Initialize the parameters as the contract does.",
    )


def flag_properties(case, spec, add):
    """The checks common to a flag that turns randomness off in evaluation;
    True when one named the mistake."""
    noun = "dropout" if spec["kind"] == "dropout" else "noise"
    got, base = case.array, case.base
    flag, eval_value = spec["flag"], spec["eval_value"]
    if not case.training:
        dropout_like, scale = dropout_scale(got, base)
        if spec["api"] == "linen" and not (
            dropout_like and scale is not None and not near(scale, 1)
        ):
            add(*_params_differ(spec))
            return True
        add(
            "eval-not-noop",
            f"{noun.capitalize()} also happens in evaluation",
            f"With {flag}={eval_value} the output must be {spec['eval_output']}; "
            f"use the flag to turn the {noun} off.",
        )
        return True
    if values_match(got, base) and not values_match(case.expected, base):
        add(
            f"no-{noun}-in-training",
            f"No {noun} in training",
            f"With {flag}={1.0 - eval_value} the output must be random; yours is "
            f"{spec['eval_output']}. Check that the flag reaches the layer, cast "
            "with `>= 0.5`.",
        )
        return True
    return False


def noise_properties(case, spec, add):
    """Noise added in training: is it the contract's, at another scale?"""
    if flag_properties(case, spec, add):
        return
    got, base = case.array, case.base
    noise, wanted = got - base, case.expected - base
    scale = float(noise @ wanted / (wanted @ wanted))
    if np.allclose(noise, scale * wanted, rtol=1e-4, atol=ATOL):
        return add(
            "noise-scale",
            f"The noise is {scale:.3g} times the contract's",
            spec["noise_advice"],
        )
    return add(
        "different-noise",
        "Noise is added, but not the contract's",
        f"{spec['key_advice']} {spec['noise_advice']}",
    )


def dropout_properties(case, spec, add):
    """Dropout in training: which units, and by what factor they are scaled."""
    if flag_properties(case, spec, add):
        return
    linen = spec["api"] == "linen"
    got, base = case.array, case.base
    dropout_like, scale = dropout_scale(got, base)
    if not dropout_like:
        if linen:
            return add(*_params_differ(spec))
        return add(
            "values-differ",
            "The values are not x with units dropped and rescaled",
            "Each output element must be 0 or x / (1 - rate); compare each step "
            "with the contract.",
        )
    # nn.Dropout rescales by its own rate: a wrong factor means a wrong rate.
    if case.keep >= 1.0:
        used = "units although the rate is 0"
    elif scale and scale > 1.0:
        used = f"with rate {1.0 - 1.0 / scale:.3g} instead of {1.0 - case.keep:.3g}"
    else:
        used = "with another rate"
    wrong_rate = (
        "wrong-rate",
        "The dropout does not use the given rate",
        f"Pass the problem's rate to nn.Dropout; in case {case.number + 1} yours "
        f"drops {used}.",
    )
    if case.keep >= 1.0:
        if linen:
            return add(*wrong_rate)
        return add(
            "rate-zero",
            "A rate of 0 changes the output",
            "With rate 0 nothing is dropped: return x unchanged, as the contract "
            "does when rate <= 0.",
        )
    if scale is None or near(scale, 1.0 / case.keep):
        return add(
            "different-mask",
            "A valid dropout, but other units are dropped than the contract's",
            "Each element is 0 or its evaluation value / keep, as it should be, "
            f"but the mask comes from another key. {spec['key_advice']}",
        )
    if linen and scale > 1.0:
        return add(*wrong_rate)
    if near(scale, 1.0):
        return add(
            "no-rescale",
            "Kept units are not rescaled",
            "Divide the kept units by keep = 1 - rate, so the mean output is "
            "unchanged.",
        )
    if near(scale, case.keep):
        return add(
            "rescale-multiplied",
            "Kept units are multiplied by keep instead of divided",
            "Divide by keep = 1 - rate, do not multiply.",
        )
    return add(
        "wrong-scale",
        "Kept units are scaled by the wrong factor",
        f"They are multiplied by {scale:.3g}; with this rate the factor is "
        f"1 / (1 - rate) = {1.0 / case.keep:.3g}. Check the rate you use.",
    )


KINDS = {"dropout": dropout_properties, "noise": noise_properties}


def properties_of(problem, kind):
    """The problem's own property checks (its diagnosis.py), or its kind's."""
    if problem is not None and (problem.folder / "diagnosis.py").is_file():
        return problem.module("diagnosis").properties
    return KINDS.get(kind)


def diagnose(reference, expected, cases, problem=None):
    """The diagnoses of a graded attempt, most basic first."""
    diagnoses = Diagnoses()
    spec = reference.get("spec", {})
    for case in cases:
        got = case.got
        if got["kind"] == "error":
            error = got["error"]
            if error["type"] == "NotImplementedError":
                diagnoses.add(
                    "not-attempted",
                    "Part of the function is not written yet",
                    "It still raises NotImplementedError.",
                    case,
                )
            elif error.get("hint"):
                hint = error["hint"]
                diagnoses.add(hint["name"], hint["title"], hint["advice"], case)
            else:
                line = f" at line {error['line']}" if error.get("line") else ""
                diagnoses.add(
                    f"exception-{error['type']}",
                    f"Your function raised {error['type']}{line}",
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
                spec.get("shape_advice", "Return an array of the expected shape."),
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
    explained = match_pitfalls(reference, expected, cases, diagnoses)
    properties = properties_of(problem, spec.get("kind")) if spec else None
    if properties is not None:
        for case in cases:
            # The properties are of real values: a complex output has a wrong dtype.
            real = case.array is not None and np.isrealobj(case.array)
            if case.wrong_values and case.number not in explained and real:
                properties(
                    case, spec, lambda *a, case=case: diagnoses.add(*a, case=case)
                )
    if not diagnoses and any(c.failure for c in cases):
        diagnoses.add(
            "values-differ",
            "The values differ in a way the grader does not recognise",
            "Compare each step with the contract, in the lesson and in the starter.",
        )
    return list(diagnoses.values())
