"""The processes that grade one attempt; started by ``examples.check``, not by hand.

``reference PROBLEM`` computes, in a process the attempt never runs in, the
reference output of every case, in training and in evaluation, and the outputs
of the problem's known mistakes (``examples/pitfalls.py``). It sends them as one
``.npz`` on its stdout; everything else it prints goes to stderr, the log.

``attempt PROBLEM FILE OUTDIR`` imports FILE and runs it on every case. It only
reports what the attempt does, through OUTDIR: ``results.json``, ``arrays.npz``
and ``progress`` (what was running, for a timeout message); the grader compares
them with the reference. Stdout belongs to the attempt: the grader's own output
before FILE is imported goes to ``grader.log``. Once its results are written,
the process ends at once (``os._exit``), so nothing the attempt left behind (an
atexit hook, a thread) runs after them.
"""

import contextlib
import importlib
import importlib.machinery
import importlib.util
import inspect
import io
import json
import os
import sys
import traceback
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from examples.check import call_text

# An output too big for any case is not stored, only described.
MAX_STORED = 1_000_000
# Dtype kinds whose values are not numbers: strings, dates, times.
NOT_NUMBERS = "SUMm"


@contextlib.contextmanager
def _output_to(path):
    """Send this process's stdout and stderr, at the descriptor level, to path."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, copy in zip((1, 2), saved, strict=True):
            os.dup2(copy, fd)
            os.close(copy)


# -- The reference ------------------------------------------------------------


def reference(problem):
    """(meta, arrays): the reference's and the known mistakes' outputs on the cases.

    A known mistake that raises on a case it does not declare in ``cannot_run``
    is reported in ``meta["pitfall_errors"]`` (and its traceback printed), not
    skipped: a new flax release that breaks one must not go unnoticed.
    """
    from examples import pitfalls

    module = importlib.import_module(f"examples.{problem}")
    fn = getattr(module, problem)
    spec = pitfalls.SPECS.get(problem)
    cases = module.CASES
    meta = {"cases": [], "pitfalls": [], "pitfall_errors": []}
    arrays = {}
    for i, case in enumerate(cases):
        expected = np.asarray(pitfalls.call(fn, **case))
        arrays[f"expected/{i}"] = expected.astype(np.float64)
        info = {
            "call": call_text(problem, case),
            "shape": list(expected.shape),
            "dtype": str(expected.dtype),
        }
        if spec is not None:
            evaluation = {**case, spec.flag: spec.eval_value}
            base = pitfalls.call(fn, **evaluation)
            arrays[f"base/{i}"] = np.asarray(base, np.float64)
            info["training"] = bool(
                (case[spec.flag] >= 0.5) != (spec.eval_value >= 0.5)
            )
            info["keep"] = float(spec.keep(case))
        meta["cases"].append(info)
    if spec is None:
        return meta, arrays
    meta["spec"] = {
        "api": spec.api,
        "kind": spec.kind,
        "flag": spec.flag,
        "eval_value": spec.eval_value,
        "eval_output": spec.eval_output,
        "key_advice": spec.key_advice,
        "shape_advice": spec.shape_advice,
    }
    for pitfall in spec.pitfalls:
        meta["pitfalls"].append(
            {"name": pitfall.name, "title": pitfall.title, "advice": pitfall.advice}
        )
        for i, case in enumerate(cases):
            if i in pitfall.cannot_run:
                continue  # declared, with its reason, in pitfalls.py
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


def send_reference(problem):
    # Only the results go to stdout; anything printed on the way goes to the log.
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    meta, arrays = reference(problem)
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array(json.dumps(meta)), **arrays)
    channel.write(buffer.getvalue())
    channel.close()


# -- The attempt --------------------------------------------------------------


def _text(value, convert=str):
    """str() or repr() of an object of the attempt's, which may itself raise."""
    try:
        return convert(value)
    except BaseException as exc:
        try:
            inner = f"{type(exc).__name__}: {exc}"
        except BaseException:
            inner = type(exc).__name__
        return f"({convert.__name__}() of it raised {inner})"


def _error(exc, attempt_path):
    """Type, message, and the line of the attempt where the exception happened."""
    from examples.pitfalls import exception_hint  # first imported quietly

    kind = type(exc).__name__
    # Only the first paragraph: JAX appends long explanations.
    message = " ".join(_text(exc).split("\n\n")[0].split())
    record = {"type": kind, "message": message[:400], "line": None, "code": None}
    try:
        if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
            frames = [(exc.filename, exc.lineno)]
        else:
            frames = [
                (f.filename, f.lineno) for f in traceback.extract_tb(exc.__traceback__)
            ]
        for filename, lineno in reversed(frames):
            if filename and os.path.realpath(filename) == attempt_path:
                lines = Path(attempt_path).read_text(errors="replace").splitlines()
                record["line"] = lineno
                if 0 < lineno <= len(lines):
                    record["code"] = lines[lineno - 1].strip()
                break
    except Exception:  # a traceback the attempt tampered with: no line, then
        pass
    record["hint"] = exception_hint(kind, message)
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


def _output(value):
    """An output as (record for results.json, array to store or None)."""
    kind = type(value)
    module = str(getattr(kind, "__module__", "")).split(".")[0]
    name = kind.__qualname__
    record = {"type": name if module == "builtins" else f"{module}.{name}"}
    if not isinstance(value, jax.Array | np.ndarray):
        text = _text(value, repr)
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


def _import_attempt(path):
    # A file with any name (or suffix) loads as the module "__attempt__".
    loader = importlib.machinery.SourceFileLoader("__attempt__", str(path))
    spec = importlib.util.spec_from_file_location("__attempt__", path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["__attempt__"] = module
    spec.loader.exec_module(module)
    return module


def run(problem, attempt_path, outdir, results, arrays):
    """Fill results and arrays with what the attempt does on every case."""
    progress = outdir / "progress"
    with _output_to(outdir / "grader.log"):
        from examples import pitfalls  # noqa: F401  (for _error, imported quietly)

        module = importlib.import_module(f"examples.{problem}")
        results["parameters"] = list(
            inspect.signature(getattr(module, problem)).parameters
        )
        cases = [dict(case) for case in module.CASES]

    # From here on, the output is the attempt's.
    progress.write_text("importing your file")
    results["stage"] = "import"
    results["attempt_ran"] = True
    sys.dont_write_bytecode = True  # leave no __pycache__ next to the attempt
    sys.path.insert(0, os.path.dirname(attempt_path))
    try:
        module = _import_attempt(attempt_path)
    except BaseException as exc:
        results["error"] = _error(exc, attempt_path)
        return

    results["stage"] = "function"
    fn = getattr(module, problem, None)
    if not callable(fn):
        results["defined"] = sorted(
            name
            for name, value in vars(module).items()
            if callable(value) and getattr(value, "__module__", "") == "__attempt__"
        )
        return

    results["stage"] = "signature"
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        signature = None
    if signature is not None:
        results["got_parameters"] = [str(p) for p in signature.parameters.values()]
        try:
            signature.bind(**cases[0])
        except TypeError as exc:
            results["error"] = {"type": "TypeError", "message": str(exc)}
            return

    # The grader checks that these are the problem's cases, called as it calls them.
    results["stage"] = "cases"
    results["cases"] = []
    for i, case in enumerate(cases):
        call = call_text(problem, case)
        progress.write_text(f"running case {i + 1}: {call}")
        try:
            value = fn(**case)
        except BaseException as exc:
            record, array = {"kind": "error", "error": _error(exc, attempt_path)}, None
        else:
            try:
                record, array = _output(value)
            except BaseException as exc:  # an object of the attempt's, hostile
                record = {
                    "type": type(value).__name__,
                    "kind": "other",
                    "text": f"a value the grader cannot read ({type(exc).__name__})",
                }
                array = None
        results["cases"].append({"call": call, "got": record})
        if array is not None:
            arrays[f"got/{i}"] = array


def _write(outdir, results, arrays):
    # The arrays first: results.json, written last, says the run is complete.
    np.savez(outdir / "arrays.tmp.npz", **arrays)
    os.replace(outdir / "arrays.tmp.npz", outdir / "arrays.npz")
    (outdir / "results.tmp.json").write_text(json.dumps(results))
    os.replace(outdir / "results.tmp.json", outdir / "results.json")


def grade_attempt(problem, attempt, outdir):
    outdir = Path(outdir)
    results, arrays = {"stage": "starting", "attempt_ran": False}, {}
    try:
        run(problem, os.path.realpath(attempt), outdir, results, arrays)
        for stream in (sys.stdout, sys.stderr):  # what the attempt printed
            with contextlib.suppress(BaseException):
                stream.flush()
        _write(outdir, results, arrays)
    except BaseException as exc:  # a fault of the grader, or the attempt broke it
        with contextlib.suppress(BaseException):
            with open(outdir / "grader.log", "a") as log:
                traceback.print_exc(file=log)
            message = f"{type(exc).__name__}: {_text(exc)}"
            (outdir / "results.json").write_text(
                json.dumps(
                    {
                        "stage": "internal",
                        "message": message[:400],
                        "attempt_ran": results["attempt_ran"],
                    }
                )
            )
    # Whatever the attempt left running in this process ends here.
    os._exit(0)


def main(argv):
    if argv[:1] == ["reference"] and len(argv) == 2:
        return send_reference(argv[1])
    if argv[:1] == ["attempt"] and len(argv) == 4:
        return grade_attempt(*argv[1:])
    sys.exit(
        "usage: python -m examples.runner reference PROBLEM\n"
        "       python -m examples.runner attempt PROBLEM FILE OUTDIR"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
