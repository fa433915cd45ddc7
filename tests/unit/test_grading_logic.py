"""Comparing and diagnosing: pure functions of arrays, on made-up outputs.

No attempt runs and no JAX is imported: a case is a reference output, its
evaluation output and what an attempt returned.
"""

import json
from types import SimpleNamespace

import jsonschema
import numpy as np
import pytest

from lessongrader import catalog, cli
from lessongrader.compare import (
    Case,
    build_cases,
    case_details,
    compare,
    difference_lines,
    values_match,
)
from lessongrader.diagnose import Diagnoses, diagnose, match_pitfalls
from lessongrader.flags import dropout_properties, dropout_scale
from lessongrader.report import PASSED, WRONG, Report, cannot
from lessongrader.results import results

X = np.array([1.0, -2.0, 3.0, 4.0])
MASK = np.array([True, False, True, True])
DROPOUT = {
    "api": "nnx",
    "flag": "deterministic",
    "eval_value": 1.0,
    "eval_output": "x unchanged",
    "key_advice": "Draw the key from the layer's Rngs.",
    "params_advice": "",
    "noise_advice": "",
}
# A problem whose diagnosis.py is lessongrader.flags' dropout checks.
DROPOUT_PROBLEM = SimpleNamespace(
    folder=catalog.SOURCE / "dropout_forward",
    module=lambda name: SimpleNamespace(properties=dropout_properties),
)


def array_case(got, expected, base=X, training=True, keep=0.5, number=0):
    got = np.asarray(got, np.float64)
    case = Case(
        number=number,
        call="f(...)",
        expected=np.asarray(expected, np.float64),
        shape=np.shape(expected),
        dtype="float32",
        got={"kind": "array", "shape": list(got.shape), "dtype": "float32"},
        array=got,
        facts={"training": training, "keep": keep},
        related={"eval": base},
    )
    case.failure = compare(case)
    case.wrong_values = case.comparable and not values_match(got, case.expected)
    return case


def names(cases, reference=None, expected=None, problem=DROPOUT_PROBLEM):
    reference = reference or {"settings": DROPOUT, "pitfalls": []}
    return [d.name for d in diagnose(reference, expected or {}, cases, problem)]


def test_compare_goes_from_the_most_basic_check_up():
    assert compare(array_case(X, X)) == ""
    assert compare(array_case(X[:3], X)) == "wrong shape"
    assert compare(array_case(X + 1, X)) == "wrong values"
    error = array_case(X, X)
    error.got = {"kind": "error", "error": {"type": "KeyError"}}
    assert compare(error) == "raised KeyError"


def test_dropout_scale_finds_the_factor_of_the_kept_units():
    assert dropout_scale(np.where(MASK, X * 2, 0), X) == (True, 2.0)
    assert dropout_scale(np.zeros(4), X) == (True, None)
    assert dropout_scale(X + 0.5, X)[0] is False


@pytest.mark.parametrize(
    ("got", "name"),
    [
        (np.where(MASK, X, 0), "no-rescale"),
        (np.where(MASK, X * 0.5, 0), "rescale-multiplied"),
        (np.where(~MASK, X * 2, 0), "different-mask"),
        (X, "no-dropout-in-training"),
        (X + 0.25, "values-differ"),
    ],
)
def test_a_training_output_is_named_by_its_properties(got, name):
    expected = np.where(MASK, X * 2, 0)
    assert names([array_case(got, expected)]) == [name]


def test_random_evaluation_is_named():
    case = array_case(np.where(MASK, X * 2, 0), X, training=False)
    assert names([case]) == ["eval-not-noop"]


def test_a_known_mistake_that_gives_every_output_is_named_first():
    cases = [
        array_case(np.where(~MASK, X * 2, 0), np.where(MASK, X * 2, 0), number=0),
        array_case(X, X, training=False, number=1),
    ]
    reference = {
        "settings": DROPOUT,
        "pitfalls": [{"name": "mask-inverted", "title": "T", "advice": "A"}],
    }
    expected = {
        "pitfall/mask-inverted/0": np.where(~MASK, X * 2, 0),
        "pitfall/mask-inverted/1": X,
    }
    diagnoses = Diagnoses()
    assert match_pitfalls(reference, expected, cases, diagnoses) == {0, 1}
    assert list(diagnoses) == ["mask-inverted"]
    assert names(cases, reference, expected) == ["mask-inverted"]


def test_a_report_counts_and_tags_as_the_command_prints_it():
    reference = {
        "cases": [
            {"call": "f(a=1)", "shape": [4], "dtype": "float32"},
            {
                "call": "f(a=2)",
                "shape": [4],
                "dtype": "float32",
                "facts": {"training": True, "keep": 0.5},
            },
        ],
        "settings": DROPOUT,
        "pitfalls": [],
    }
    expected = {
        "expected/0": X,
        "expected/1": np.where(MASK, X * 2, 0),
        "related/eval/1": X,
    }
    reported = [
        {"got": {"kind": "array", "shape": [4], "dtype": "float32"}},
        {"got": {"kind": "array", "shape": [4], "dtype": "float32"}},
    ]
    arrays = {"got/0": X, "got/1": np.where(MASK, X, 0)}
    cases = build_cases(reference, expected, reported, arrays)
    report = Report(WRONG, cases=cases, failing=1)
    report.diagnoses = diagnose(reference, expected, cases, DROPOUT_PROBLEM)
    text = report.text()
    assert "  PASS  case 1  f(a=1)" in text and "  FAIL  case 2  f(a=2)" in text
    assert "[no-rescale]" in text and text.endswith("1 of 2 cases passed.")
    html = report.html()
    assert "Incorrect" in html and "[no-rescale]" in html
    assert html.index("Diagnosis") < html.index("case 1")
    assert "Correct" in Report(PASSED, cases=cases[:1]).html()


def test_control_characters_are_shown_not_sent():
    report = Report(WRONG, message="x", output="\x1b[2Jcleared")
    assert "\x1b" not in report.text() and "\\x1b[2Jcleared" in report.text()
    assert "\x1b" not in report.html()


def test_a_problem_without_checks_of_its_own_gets_the_generic_diagnoses():
    # No diagnosis.py, no flag: a wrong value is only that.
    plain = SimpleNamespace(folder=catalog.SOURCE / "no-such-problem")
    case = array_case(X + 0.25, X, training=False)
    assert names([case], {"pitfalls": []}, problem=plain) == ["values-differ"]


def test_nan_and_inf_are_values_and_the_details_say_where():
    expected = np.array([0.0, 4.0, 6.0, 0.0])
    got = np.array([np.nan, 4.0, 7.0, np.inf])
    assert difference_lines(got, expected) == [
        "NaN or inf: index 0 is nan (expected 0), index 3 is inf (expected 0)",
        "largest abs difference of the other values 1, first difference at index 2",
    ]
    assert values_match([np.nan, np.inf], [np.nan, np.inf])
    assert not values_match([np.nan, 1.0], [0.0, 1.0])
    case = array_case(got, expected)
    assert case.not_finite and names([case]) == ["not-finite"]
    assert "index 0 is nan" in case_details(case, "attempt.py")


SCHEMA = json.loads((catalog.PACKAGE / "results.schema.json").read_text())


def test_the_json_report_follows_its_schema_and_cuts_each_output():
    passed = array_case(X, X, number=0)
    passed.output = "a" * 600
    failed = array_case(np.where(MASK, X, 0), np.where(MASK, X * 2, 0), number=1)
    raised = array_case(X, X, number=2)
    raised.got = {"kind": "error", "error": {"type": "KeyError", "message": "k"}}
    raised.failure = compare(raised)
    report = Report(WRONG, cases=[passed, failed, raised], file="attempt.py")
    report.diagnoses = diagnose(
        {"settings": DROPOUT, "pitfalls": []}, {}, [failed], DROPOUT_PROBLEM
    )
    data = results(report)
    jsonschema.validate(data, SCHEMA)
    assert data["status"] == "fail"
    assert [t["status"] for t in data["tests"]] == ["pass", "fail", "error"]
    first, second, third = data["tests"]
    assert len(first["output"]) == 500 and first["output"].endswith("characters)")
    assert first["message"] is None and second["output"] is None
    assert "[no-rescale]" in second["message"] and "expected:" in second["message"]
    assert third["message"].startswith("Case 3: f(...)\n  raised KeyError")
    error = results(cannot("x.py does not exist.", extra=["  a line"]))
    jsonschema.validate(error, SCHEMA)
    assert error == {
        "version": 3,
        "status": "error",
        "message": "Could not grade: x.py does not exist.\n  a line",
        "tests": [],
    }


def test_hints_come_from_the_command_in_order_without_jax(capsys):
    problem = catalog.discover()["dropout_forward"]
    assert cli.main(["--hint", "dropout_forward"]) == 0
    title, text = problem.hints[0]
    out = capsys.readouterr().out
    assert out.startswith(f"Hint 1 of {len(problem.hints)}: {title}\n")
    assert "--hint dropout_forward 2" in out
    last = len(problem.hints)
    assert cli.main(["--hint", "dropout_forward", str(last)]) == 0
    assert "The next one" not in capsys.readouterr().out
    assert cli.main(["--hint", "dropout_forward", str(last + 1)]) == 2
    assert f"choose 1 to {last}" in capsys.readouterr().err


def check_case(got, expected, number, name="same-mask-twice"):
    """A case of a Check: it has its own diagnosis, and no facts."""
    case = array_case(got, expected, number=number)
    case.facts, case.related = {}, {}
    case.check = {"name": name, "title": "Two calls drop the same units", "advice": "A"}
    return case


def test_the_function_s_cases_and_the_checks_are_explained_apart():
    """A mistake computed on the function alone names the function's cases;
    one computed on the checks too names those, and not the function's."""
    twice = np.stack([np.where(MASK, X * 2, 0), np.where(~MASK, X * 2, 0)])
    repeated = np.stack([np.where(MASK, X * 2, 0)] * 2)
    cases = [
        array_case(np.where(MASK, X, 0), np.where(MASK, X * 2, 0), number=0),
        array_case(X, X, training=False, number=1),
        check_case(repeated, twice, number=2),
    ]
    reference = {
        "settings": DROPOUT,
        "pitfalls": [
            {"name": "no-rescale", "title": "No rescale", "advice": "A"},
            {"name": "key-in-init", "title": "Key in init", "advice": "A"},
        ],
    }
    function_only = {
        "pitfall/no-rescale/0": np.where(MASK, X, 0),
        "pitfall/no-rescale/1": X,
    }
    found = diagnose(reference, function_only, cases, DROPOUT_PROBLEM)
    assert [(d.name, d.cases, d.note) for d in found] == [("no-rescale", [0], "")]
    on_the_checks = {**function_only, "pitfall/key-in-init/2": repeated}
    found = diagnose(reference, on_the_checks, cases, DROPOUT_PROBLEM)
    assert [(d.name, d.cases) for d in found] == [
        ("no-rescale", [0]),
        ("key-in-init", [2]),
    ]


def test_a_check_s_own_diagnosis_waits_for_the_function_s_cases():
    """While the function's cases fail, an unexplained check has the same
    cause as likely as its own: it fails, and names nothing of its own."""
    twice = np.stack([np.where(MASK, X * 2, 0), np.where(~MASK, X * 2, 0)])
    wrong_function = [
        array_case(X + 0.25, np.where(MASK, X * 2, 0), number=0),
        check_case(twice + 0.25, twice, number=1),
    ]
    assert names(wrong_function) == ["values-differ"]
    right_function = [array_case(X, X, training=False), check_case(twice + 1, twice, 1)]
    assert names(right_function) == ["same-mask-twice"]


def test_an_error_in_a_check_is_not_called_the_function_s():
    raised = check_case(X, X, number=0)
    raised.got = {"kind": "error", "error": {"type": "TypeError", "message": "m"}}
    raised.failure = compare(raised)
    unwritten = check_case(X, X, number=1)
    unwritten.got = {
        "kind": "error",
        "error": {"type": "NotImplementedError", "raised_by_attempt": True},
    }
    unwritten.failure = compare(unwritten)
    found = diagnose({"pitfalls": []}, {}, [raised, unwritten], DROPOUT_PROBLEM)
    assert [d.name for d in found] == ["exception-TypeError", "not-attempted"]
    assert found[0].title.startswith("Used as the contract says, your code raised")
    assert "your function" not in found[1].sentence().lower()


def test_a_library_s_not_implemented_error_is_no_unwritten_starter():
    # nnx.with_rngs in graph mode raises flax's own NotImplementedError.
    case = check_case(X, X, number=0)
    error = {"type": "NotImplementedError", "message": "m", "raised_by_attempt": False}
    case.got = {"kind": "error", "error": error}
    case.failure = compare(case)
    found = diagnose({"pitfalls": []}, {}, [case], DROPOUT_PROBLEM)
    assert [d.name for d in found] == ["exception-NotImplementedError"]
