"""Running code on a problem's cases: the reference, its known mistakes, and an
attempt. Both front ends use it: the command, in a process of its own
(``lessongrader.isolation``), and the notebook, in its own process.

A problem's cases are its ``CASES``, each the function's arguments, then the
``checks`` of its Spec, each run on the names the attempt defines
(``lessongrader.mistakes``): ``trials`` lists both, in that order, and the
reference, the known mistakes and the attempt are run on the same list.

What an attempt does is recorded as data (a description of each output, its
values as float64 or complex128, what it printed), which
``lessongrader.compare`` reads.
"""

import contextlib
import dataclasses
import inspect
import os
import re
import sys
import traceback
import warnings
from collections.abc import Mapping
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from lessongrader.mistakes import Check, NotDefined, call
from lessongrader.text import call_text

GRADER = Path(__file__).resolve().parent  # the grader's own files

# An output too big for any case is not stored, only described.
MAX_STORED = 1_000_000
# Dtype kinds whose values are not numbers: strings, dates, times.
NOT_NUMBERS = "SUMm"

# Exceptions that point to a known mistake, whatever the problem:
# (tag, pattern matched against "ExceptionType: message", title, advice).
# A problem's Spec adds its own, tried first.
EXCEPTION_HINTS = (
    (
        "seed-not-int",
        r"PRNG key seed must be an integer|Invalid rng value: -?\d+\.\d",
        "A float seed was used as a key",
        "Seeds arrive as floats: cast them with `int(seed)` before "
        "`jax.random.PRNGKey` or `nnx.Rngs`.",
    ),
    (
        "missing-dropout-rngs",
        r'InvalidRngError: .*needs PRNG for "dropout"',
        "Dropout ran without a dropout key",
        'With dropout active, apply needs `rngs={"dropout": key}`.',
    ),
    (
        "rng-keyword",
        r"unexpected keyword argument 'rng'",
        "`rng=` instead of `rngs=`",
        'The keyword of apply is plural: `rngs={"dropout": key}`.',
    ),
    (
        "flag-not-passed",
        r'Parameter "deterministic" must be passed',
        "nn.Dropout was not told the mode",
        "Pass `deterministic=` to nn.Dropout, when you build it or call it.",
    ),
    (
        "stream-not-seeded",
        r"No RngStream named '\w+' found",
        "A stream that was not seeded",
        "Build `nnx.Rngs(int(seed))`: its default stream serves every name, "
        "including dropout.",
    ),
)


def exception_hint(kind, message, spec=None):
    """The known mistake an exception points to, if any."""
    text = f"{kind}: {message}"
    extra = tuple(getattr(spec, "exception_hints", ()))
    for name, pattern, title, advice in extra + EXCEPTION_HINTS:
        if re.search(pattern, text):
            return {"name": name, "title": title, "advice": advice}
    return None


def spec_of(problem):
    return problem.module("mistakes").SPEC


@dataclasses.dataclass(frozen=True)
class Trial:
    """One case the grader runs: the function on arguments, or a Check."""

    call: str  # how the report names it
    arguments: dict | None = None
    check: Check | None = None

    def run(self, fn, names):
        """The output of fn (or of the check, on names) on this case."""
        if self.check is not None:
            return self.check.run(names)
        return fn(**self.arguments)


def trials(problem, spec):
    """The problem's CASES, then its Spec's checks."""
    return [
        Trial(call_text(problem.name, case), arguments=case) for case in problem.cases()
    ] + [Trial(check.call, check=check) for check in spec.checks]


# -- The reference ------------------------------------------------------------


def reference(problem):
    """(meta, arrays): the reference's and the known mistakes' outputs on the cases.

    A known mistake that raises on a case it does not declare in ``cannot_run``
    is reported in ``meta["pitfall_errors"]`` (and its traceback printed to
    stderr), not skipped: a new flax release that breaks one must not go
    unnoticed.
    """
    fn = problem.function()
    names = vars(problem.module("solution"))
    spec = spec_of(problem)
    meta = {"cases": [], "pitfalls": [], "pitfall_errors": []}
    arrays = {}
    everything = trials(problem, spec)
    for i, trial in enumerate(everything):
        if trial.arguments is not None:
            expected = np.asarray(call(fn, **trial.arguments))
            for name, change in spec.related.items():
                related = call(fn, **change(trial.arguments))
                arrays[f"related/{name}/{i}"] = np.asarray(related, np.float64)
            about = {"facts": spec.facts(trial.arguments)}
        else:
            expected = np.asarray(trial.run(fn, names))
            check = trial.check
            about = {
                "check": {
                    k: getattr(check, k)
                    for k in ("name", "title", "advice", "independent")
                }
            }
        arrays[f"expected/{i}"] = expected.astype(np.float64)
        meta["cases"].append(
            {
                "call": trial.call,
                "shape": list(expected.shape),
                "dtype": str(expected.dtype),
                **about,
            }
        )
    meta["settings"] = dict(spec.settings)
    meta["shape_advice"] = spec.shape_advice
    for pitfall in spec.pitfalls:
        meta["pitfalls"].append(
            {"name": pitfall.name, "title": pitfall.title, "advice": pitfall.advice}
        )
        for i, trial in enumerate(everything):
            check = trial.check.name if trial.check is not None else None
            if i in pitfall.cannot_run or check in pitfall.cannot_run:
                continue  # declared, with its reason, in the problem's mistakes.py
            if trial.arguments is not None and pitfall.forward is not None:
                run = lambda trial=trial, p=pitfall: p.forward(**trial.arguments)  # noqa: E731
            elif (
                trial.check is not None
                and pitfall.names is not None
                and not trial.check.independent
            ):
                run = lambda trial=trial, p=pitfall: trial.check.run(p.names)  # noqa: E731
            else:
                continue  # this mistake does not concern this case
            try:
                out = np.asarray(run(), np.float64)
            except Exception as exc:
                print(f"Known mistake {pitfall.name}, case {i + 1}:", file=sys.stderr)
                traceback.print_exc()
                meta["pitfall_errors"].append(
                    {
                        "name": pitfall.name,
                        "case": i,
                        "error": f"{type(exc).__name__}: {exc}"[:300],
                    }
                )
                continue
            arrays[f"pitfall/{pitfall.name}/{i}"] = out
    return meta, arrays


# -- The attempt --------------------------------------------------------------


def safe_text(value, convert=str):
    """str() or repr() of an object of the attempt's, which may itself raise."""
    try:
        return convert(value)
    except BaseException as exc:
        try:
            inner = f"{type(exc).__name__}: {exc}"
        except BaseException:
            inner = type(exc).__name__
        return f"({convert.__name__}() of it raised {inner})"


def error_record(exc, attempt_path=None, spec=None, code_of=None):
    """Type, message, and the line of the attempt where the exception happened.

    The line is looked for in the file attempt_path or, for code that is not
    in a file (a notebook cell), in the frames whose code_of(frame) is not None.
    """
    kind = type(exc).__name__
    # Only the first paragraph: JAX appends long explanations.
    message = " ".join(safe_text(exc).split("\n\n")[0].split())
    record = {"type": kind, "message": message[:400], "line": None, "code": None}
    # Whether the attempt's own code raised it (a starter's raise), not code it
    # called (a library's NotImplementedError is a mistake, not a starter).
    record["raised_by_attempt"] = False
    try:
        if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
            frames = [(exc.filename, exc.lineno, None)]
        else:
            frames = [
                (f.filename, f.lineno, f.line)
                for f in traceback.extract_tb(exc.__traceback__)
            ]

        def in_attempt(filename):
            if attempt_path and filename:
                return os.path.realpath(filename) == attempt_path
            return code_of is not None and bool(code_of(filename))

        record["raised_by_attempt"] = bool(frames) and in_attempt(frames[-1][0])
        for filename, lineno, line in reversed(frames):
            if attempt_path and filename and os.path.realpath(filename) == attempt_path:
                lines = Path(attempt_path).read_text(errors="replace").splitlines()
                record["line"] = lineno
                if 0 < lineno <= len(lines):
                    record["code"] = lines[lineno - 1].strip()
                break
            if code_of is not None and code_of(filename):
                record["line"] = lineno
                record["code"] = (line or "").strip() or None
                break
    except Exception:  # a traceback that cannot be read: no line, then
        pass
    record["hint"] = exception_hint(kind, message, spec)
    if isinstance(exc, NotDefined):
        record["hint"] = not_defined_hint(exc, "file" if attempt_path else "notebook")
    return record


def not_defined_hint(exc, where):
    """The diagnosis of a name the contract gives and the attempt lacks."""
    close = f" (it defines `{exc.close}`: is that it?)" if exc.close else ""
    return {
        "name": "missing-name",
        "title": f"The contract names `{exc.name}`; your {where} defines none{close}",
        "advice": f"Define `{exc.name}` at the top level of your {where}, with the "
        "contract's name: the grader also builds it and uses it as the lesson does.",
    }


def _values(array):
    """The values as float64 (complex128 if complex), or None if not numbers."""
    if array.dtype.kind in NOT_NUMBERS or array.size > MAX_STORED:
        return None
    # complex128 also for an object array of complex numbers.
    kinds = (np.complex128,) if array.dtype.kind == "c" else (np.float64, np.complex128)
    for dtype in kinds:
        with contextlib.suppress(TypeError, ValueError):
            return array.astype(dtype)
    return None


def describe(value):
    """An output as (its description, its values as an array, or None)."""
    kind = type(value)
    module = str(getattr(kind, "__module__", "")).split(".")[0]
    name = kind.__qualname__
    record = {"type": name if module == "builtins" else f"{module}.{name}"}
    if not isinstance(value, jax.Array | np.ndarray):
        text = safe_text(value, repr)
        record.update(
            kind="other", text=text[:200] + ("..." if len(text) > 200 else "")
        )
        return record, None
    try:
        array = np.asarray(value)
    except Exception as exc:  # e.g. an array of PRNG keys
        record.update(kind="other", text=f"an array numpy cannot read ({exc})"[:200])
        return record, None
    record.update(kind="array", shape=list(array.shape), dtype=str(array.dtype))
    with contextlib.suppress(TypeError, ValueError):
        # How finely the dtype holds values: a bfloat16 output is compared at that
        # precision when the grader looks for the mistake behind it.
        if jnp.issubdtype(array.dtype, jnp.inexact):
            record["resolution"] = float(jnp.finfo(array.dtype).eps)
    return record, _values(array)


def check_signature(fn, parameters, case, results):
    """Whether fn takes the problem's parameters by keyword and returns its
    output; if not, results say why (the stage "async" or "signature")."""
    if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
        # Calling it would only make a coroutine, which nothing here runs.
        results["stage"] = "async"
        return False
    results["stage"] = "signature"
    results["parameters"] = list(parameters)
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return True
    results["got_parameters"] = [str(p) for p in signature.parameters.values()]
    try:
        signature.bind(**case)
    except TypeError as exc:
        results["error"] = {"type": "TypeError", "message": str(exc)}
        return False
    return True


@contextlib.contextmanager
def _nothing_kept(number):
    yield lambda: ""


def run_cases(
    cases, fn, names, results, arrays, error, progress=None, stop=(), capture=None
):
    """Run every case (a Trial) on fn, or on names, the names the attempt
    defines; record each output, or the exception it raised (``error(exc)``
    describes it), but for those in ``stop``, raised on. ``capture(i)`` is a
    context manager around case i that gives a function returning what the
    attempt printed meanwhile."""
    results["stage"] = "cases"
    results["cases"] = []
    capture = capture or _nothing_kept
    for i, case in enumerate(cases):
        if progress is not None:
            progress(f"running case {i + 1}: {case.call}")
        with capture(i) as printed:
            try:
                value = case.run(fn, names)
            except BaseException as exc:
                if isinstance(exc, stop):
                    raise
                value, failed = None, exc
            else:
                failed = None
        if failed is not None:
            record, array = {"kind": "error", "error": error(failed)}, None
        else:
            try:
                record, array = describe(value)
            except BaseException as exc:  # an object of the attempt's, hostile
                record = {
                    "type": type(value).__name__,
                    "kind": "other",
                    "text": f"a value the grader cannot read ({type(exc).__name__})",
                }
                array = None
        results["cases"].append({"call": case.call, "got": record, "output": printed()})
        if array is not None:
            arrays[f"got/{i}"] = array


@contextlib.contextmanager
def graders_warnings_to(write):
    """Within, a warning raised in the grader's own files goes to
    ``write(text)`` (the grader's log), not to the attempt's output: the
    report shows what the attempt printed, not the grader's paths."""

    def show(message, category, filename, lineno, file=None, line=None):
        if Path(filename).resolve().is_relative_to(GRADER):
            write(warnings.formatwarning(message, category, filename, lineno, line))
        else:
            shown(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        shown = warnings.showwarning
        warnings.showwarning = show
        yield


def names_of(fn):
    """The names the file or cell that defines fn defines (its globals)."""
    names = getattr(fn, "__globals__", None)
    return names if isinstance(names, Mapping) else {}
