"""Running code on a problem's cases: the reference, its known mistakes, and an
attempt. Both front ends use it: the command, in processes of their own
(``lessongrader.isolation``), and the notebook, in its own process.

What an attempt does is recorded as data (a description of each output, and
its values as float64 or complex128), which ``lessongrader.compare`` reads.
"""

import contextlib
import inspect
import os
import re
import sys
import traceback
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from lessongrader.mistakes import call
from lessongrader.text import call_text

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


# -- The reference ------------------------------------------------------------


def reference(problem):
    """(meta, arrays): the reference's and the known mistakes' outputs on the cases.

    A known mistake that raises on a case it does not declare in ``cannot_run``
    is reported in ``meta["pitfall_errors"]`` (and its traceback printed to
    stderr), not skipped: a new flax release that breaks one must not go
    unnoticed.
    """
    fn = problem.function()
    spec = spec_of(problem)
    cases = problem.cases()
    meta = {"cases": [], "pitfalls": [], "pitfall_errors": []}
    arrays = {}
    for i, case in enumerate(cases):
        expected = np.asarray(call(fn, **case))
        arrays[f"expected/{i}"] = expected.astype(np.float64)
        evaluation = {**case, spec.flag: spec.eval_value}
        arrays[f"base/{i}"] = np.asarray(call(fn, **evaluation), np.float64)
        meta["cases"].append(
            {
                "call": call_text(problem.name, case),
                "shape": list(expected.shape),
                "dtype": str(expected.dtype),
                "training": bool((case[spec.flag] >= 0.5) != (spec.eval_value >= 0.5)),
                "keep": float(spec.keep(case)),
            }
        )
    meta["spec"] = {
        "api": spec.api,
        "kind": spec.kind,
        "flag": spec.flag,
        "eval_value": spec.eval_value,
        "eval_output": spec.eval_output,
        "key_advice": spec.key_advice,
        "shape_advice": spec.shape_advice,
        "params_advice": spec.params_advice,
        "noise_advice": spec.noise_advice,
    }
    for pitfall in spec.pitfalls:
        meta["pitfalls"].append(
            {"name": pitfall.name, "title": pitfall.title, "advice": pitfall.advice}
        )
        for i, case in enumerate(cases):
            if i in pitfall.cannot_run:
                continue  # declared, with its reason, in the problem's mistakes.py
            try:
                out = np.asarray(pitfall.forward(**case), np.float64)
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
    try:
        if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
            frames = [(exc.filename, exc.lineno, None)]
        else:
            frames = [
                (f.filename, f.lineno, f.line)
                for f in traceback.extract_tb(exc.__traceback__)
            ]
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
    except Exception:  # a traceback the attempt tampered with: no line, then
        pass
    record["hint"] = exception_hint(kind, message, spec)
    return record


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
    """Whether fn takes the problem's parameters by keyword; if not, results
    say why (the stage "signature")."""
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


def run_cases(name, fn, cases, results, arrays, error, progress=None, stop=()):
    """Call fn on every case; record each output, or the exception it raised
    (``error(exc)`` describes it), but for those in ``stop``, raised on."""
    results["stage"] = "cases"
    results["cases"] = []
    for i, case in enumerate(cases):
        text = call_text(name, case)
        if progress is not None:
            progress(f"running case {i + 1}: {text}")
        try:
            value = fn(**case)
        except BaseException as exc:
            if isinstance(exc, stop):
                raise
            record, array = {"kind": "error", "error": error(exc)}, None
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
        results["cases"].append({"call": text, "got": record})
        if array is not None:
            arrays[f"got/{i}"] = array
