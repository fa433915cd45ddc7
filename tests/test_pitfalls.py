"""The known mistakes of examples/pitfalls.py, each run on every case.

The grader names a mistake by computing it on the problem's cases; one that
raises there (after a new flax release, say) would shrink the diagnosis. Each
must run on every case but those it declares in ``cannot_run``, with a reason,
and the grader reports any other failure rather than skipping it.
"""

import importlib

import numpy as np
import pytest

from examples import check, pitfalls, runner

PITFALLS = [
    (problem, pitfall)
    for problem, spec in pitfalls.SPECS.items()
    for pitfall in spec.pitfalls
]


@pytest.mark.parametrize(
    ("problem", "pitfall"), PITFALLS, ids=[f"{p}-{f.name}" for p, f in PITFALLS]
)
def test_pitfall_runs_on_every_case(problem, pitfall):
    module = importlib.import_module(f"examples.{problem}")
    reference = getattr(module, problem)
    assert set(pitfall.cannot_run) <= set(range(len(module.CASES)))
    assert all(reason.strip() for reason in pitfall.cannot_run.values())
    for i, case in enumerate(module.CASES):
        if i in pitfall.cannot_run:
            try:
                pitfall.forward(**case)
            except Exception:
                continue
            pytest.fail(f"case {i + 1} runs: remove it from cannot_run")
        out = np.asarray(pitfall.forward(**case))
        assert out.shape == np.asarray(reference(**case)).shape, f"case {i + 1}"


def _breaks_on_rate_zero(seed, x, rate, deterministic):
    if rate == 0.0:
        raise KeyError("a stream this flax release renamed")
    return x


@pytest.fixture
def broken_pitfall(monkeypatch):
    """dropout_forward with two mistakes that raise on case 5: one declares it."""
    spec = pitfalls.SPECS["dropout_forward"]
    broken = pitfalls.Pitfall("broken", "Broken", "None.", _breaks_on_rate_zero)
    declared = pitfalls.Pitfall(
        "declared", "Declared", "None.", _breaks_on_rate_zero, {4: "rate 0"}
    )
    monkeypatch.setitem(
        pitfalls.SPECS,
        "dropout_forward",
        pitfalls.dataclasses.replace(spec, pitfalls=(broken, declared)),
    )


def test_a_mistake_that_raises_is_reported_not_skipped(broken_pitfall):
    meta, arrays = runner.reference("dropout_forward")
    assert meta["pitfall_errors"] == [
        {
            "name": "broken",
            "case": 4,
            "error": "KeyError: 'a stream this flax release renamed'",
        }
    ]
    assert "pitfall/broken/3" in arrays and "pitfall/broken/4" not in arrays
    assert "pitfall/declared/4" not in arrays


def test_the_report_says_which_mistake_could_not_be_computed(
    broken_pitfall, monkeypatch, tmp_path, capsys
):
    meta, expected = runner.reference("dropout_forward")
    results, arrays = {"stage": "cases", "parameters": [], "cases": []}, {}
    module = importlib.import_module("examples.dropout_forward")
    for i, case in enumerate(module.CASES):  # an attempt that returns x
        record, arrays[f"got/{i}"] = runner._output(case["x"])
        call = check.call_text("dropout_forward", case)
        results["cases"].append({"call": call, "got": record})
    run = check.Run(
        results=results,
        arrays=arrays,
        output="",
        timed_out=False,
        progress="running case 8",
        returncode=0,
        timeout=120.0,
        reference=meta,
        expected=expected,
        reference_state="done",
        reference_error="",
        logs=[("the reference's process", "Traceback: KeyError")],
    )
    monkeypatch.setattr(check, "LOGS", tmp_path)
    assert check.report("dropout_forward", "attempt.py", run) == check.WRONG
    report = " ".join(capsys.readouterr().out.split())
    assert "could not compute the known mistake [broken] (case 5: KeyError" in report
    assert "[declared]" not in report
    (log,) = tmp_path.iterdir()
    assert f"its log is kept in {log}." in report
    assert "Traceback: KeyError" in log.read_text()
