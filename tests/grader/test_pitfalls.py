"""The known mistakes of each problem's mistakes.py, each run on every case;
and the checks a Spec may add, beyond the function.

The grader names a mistake by computing it on the problem's cases; one that
raises there (after a new flax release, say) would shrink the diagnosis. Each
must run on every case but those it declares in ``cannot_run``, with a reason,
and the grader reports any other failure rather than skipping it.
"""

import dataclasses
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from lessongrader import catalog, execute, isolation, practice, report
from lessongrader.mistakes import Check, Pitfall

PROBLEMS = catalog.discover()
PITFALLS = [
    (problem, pitfall)
    for problem in PROBLEMS.values()
    for pitfall in execute.spec_of(problem).pitfalls
]


@pytest.mark.parametrize(
    ("problem", "pitfall"), PITFALLS, ids=[f"{p.name}-{f.name}" for p, f in PITFALLS]
)
def test_pitfall_runs_on_every_case(problem, pitfall):
    """On the function's cases (its forward) and on the checks (its names),
    but those it declares it cannot run on, which must raise."""
    reference, cases = problem.function(), problem.cases()
    checks = {c.name: c for c in execute.spec_of(problem).checks if not c.independent}
    assert set(pitfall.cannot_run) <= set(range(len(cases))) | set(checks)
    assert all(reason.strip() for reason in pitfall.cannot_run.values())
    assert pitfall.forward is not None or pitfall.names is not None
    # (where, the mistake's output there, the reference's)
    runs = []
    if pitfall.forward is not None:
        runs += [
            (i, partial(pitfall.forward, **case), partial(reference, **case))
            for i, case in enumerate(cases)
        ]
    if pitfall.names is not None:
        solution = vars(problem.module("solution"))
        runs += [
            (name, partial(check.run, pitfall.names), partial(check.run, solution))
            for name, check in checks.items()
        ]
    for where, mistaken, right in runs:
        if where in pitfall.cannot_run:
            try:
                mistaken()
            except Exception:
                continue
            pytest.fail(f"{where} runs: remove it from cannot_run")
        assert np.shape(mistaken()) == np.shape(right()), where


def test_each_known_mistake_has_its_own_name():
    for problem in PROBLEMS.values():
        names = [p.name for p in execute.spec_of(problem).pitfalls]
        assert len(names) == len(set(names)), problem.name


def _breaks_on_rate_zero(seed, x, rate, deterministic):
    if rate == 0.0:
        raise KeyError("a stream this flax release renamed")
    return x


@pytest.fixture
def broken_pitfall(monkeypatch):
    """dropout_forward with two mistakes that raise on case 5: one declares it."""
    module = PROBLEMS["dropout_forward"].module("mistakes")
    broken = Pitfall("broken", "Broken", "None.", _breaks_on_rate_zero)
    declared = Pitfall(
        "declared", "Declared", "None.", _breaks_on_rate_zero, {4: "rate 0"}
    )
    spec = dataclasses.replace(module.SPEC, pitfalls=(broken, declared))
    monkeypatch.setattr(module, "SPEC", spec)


def test_a_mistake_that_raises_is_reported_not_skipped(broken_pitfall):
    meta, arrays = execute.reference(PROBLEMS["dropout_forward"])
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
    broken_pitfall, monkeypatch, tmp_path
):
    problem = PROBLEMS["dropout_forward"]
    meta, expected = execute.reference(problem)
    results, arrays = {}, {}
    # An attempt that returns x.
    cases = execute.trials(problem, execute.spec_of(problem))
    execute.run_cases(
        cases, lambda **case: case["x"], {}, results, arrays, execute.error_record
    )
    run = isolation.Run(
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
    monkeypatch.setenv("LESSONGRADER_LOGS", str(tmp_path))
    graded = report.isolated(problem, "attempt.py", run, 120.0)
    assert graded.status == report.WRONG
    text = " ".join(graded.text().split())
    assert "could not compute the known mistake [broken] (case 5: KeyError" in text
    assert "[declared]" not in text
    (log,) = tmp_path.iterdir()
    assert f"its log is kept in {log}." in text
    assert "Traceback: KeyError" in log.read_text()


X = jnp.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])


def two_calls(names):
    """The contract's layer, built once, called twice in training."""
    layer = names["MyDropout"](0.5, nnx.Rngs(0))
    return jnp.stack([layer(X, deterministic=False) for _ in range(2)])


class KeyInInit(nnx.Module):
    """MyDropout with its key drawn once, in __init__: one call is right."""

    def __init__(self, rate, rngs):
        self.rate, self.key = rate, rngs.dropout()

    def __call__(self, x, deterministic):
        if deterministic or self.rate <= 0.0:
            return x
        mask = jax.random.bernoulli(self.key, p=1 - self.rate, shape=x.shape)
        return jnp.where(mask, x / (1 - self.rate), 0.0)


# An attempt as a notebook cell defines it: the class beside the function.
KEY_IN_INIT = """
def dropout_forward(seed, x, rate, deterministic):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return layer(x, deterministic=bool(deterministic >= 0.5))
"""


def test_a_check_of_what_the_contract_names_is_a_case_of_its_own(monkeypatch):
    """Spec.checks, the extension point: a check runs on the names the
    attempt defines and has its own row; a known mistake is named on it
    through the names of a mistaken solution, or else the check's own
    diagnosis is."""
    problem = PROBLEMS["dropout_forward"]
    module = problem.module("mistakes")
    key_in_init = Pitfall(
        "key-in-init",
        "The key is drawn once, in __init__",
        "Draw it in __call__.",
        forward=problem.function(),  # one call is right
        names={"MyDropout": KeyInInit},
    )
    check = Check(
        "MyDropout called twice in training",
        run=two_calls,
        name="same-mask-twice",
        title="Two calls in training drop the same units",
        advice="Draw a new key at each call.",
    )
    names = {"MyDropout": KeyInInit, "nnx": nnx}
    exec(KEY_IN_INIT, names)
    count = len(problem.cases())
    # The problem's own mistakes, but the one this check is here to show.
    others = tuple(p for p in module.SPEC.pitfalls if p.name != "key-in-init")
    for pitfalls, named in [
        ((*others, key_in_init), "[key-in-init] The key is drawn once"),
        (others, "[same-mask-twice] Two calls in training drop"),
    ]:
        spec = dataclasses.replace(module.SPEC, checks=(check,), pitfalls=pitfalls)
        monkeypatch.setattr(module, "SPEC", spec)
        text = practice("dropout_forward").check(names["dropout_forward"]).text()
        assert f"  FAIL  case {count + 1}  MyDropout called twice in training" in text
        assert f"{count} of {count + 1} cases passed." in text
        assert named in " ".join(text.split())


# A right function whose layer has another name than the contract's.
MISNAMED = """
import jax
import jax.numpy as jnp
from flax import nnx


class Dropout(nnx.Module):
    def __init__(self, rate, rngs):
        self.rate, self.rngs = rate, rngs

    def __call__(self, x, deterministic):
        if deterministic or self.rate <= 0.0:
            return x
        keep = 1.0 - self.rate
        mask = jax.random.bernoulli(self.rngs.dropout(), p=keep, shape=x.shape)
        return jnp.where(mask, x / keep, 0.0)


def dropout_forward(seed, x, rate, deterministic):
    layer = Dropout(rate, nnx.Rngs(int(seed)))
    return layer(x, deterministic=bool(deterministic >= 0.5))
"""


def test_a_class_the_contract_names_and_the_notebook_lacks_is_named():
    names = {}
    exec(MISNAMED, names)
    text = " ".join(
        practice("dropout_forward").check(names["dropout_forward"]).text().split()
    )
    count = len(PROBLEMS["dropout_forward"].cases())
    assert f"{count} of {count + 2} cases passed." in text
    assert (
        "[missing-name] The contract names `MyDropout`; your notebook defines none "
        "(it defines `Dropout`: is that it?)"
    ) in text
