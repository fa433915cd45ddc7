"""The process that runs one attempt; started by ``examples.check``, not by hand.

Arguments: PROBLEM FILE OUTDIR. The reference runs on every case in a clean
interpreter, before FILE is imported; then the attempt runs on every case; then,
only if some output is wrong, the problem's known mistakes run too, for the
diagnosis. Everything goes back through OUTDIR, never through stdout, which
belongs to the attempt: ``results.json``, ``arrays.npz``, and ``progress`` (what
was running, for a timeout message). The grader's own output goes to
``grader.log``, so the attempt's output is all the parent captures.
"""

import contextlib
import importlib
import importlib.machinery
import importlib.util
import inspect
import json
import os
import sys
import traceback
from pathlib import Path

import jax
import numpy as np

from examples.check import call_text, values_match

# An output too big for any case is not stored, only described.
MAX_STORED = 1_000_000
# Numeric kinds numpy saves and loads without extra dtype packages.
PLAIN_KINDS = "biuf"


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


def _error(exc, attempt_path):
    """Type, message, and the line of the attempt where the exception happened."""
    from examples.pitfalls import exception_hint  # first imported by run(), quietly

    kind = type(exc).__name__
    message = " ".join(str(exc).split("\n\n")[0].split())
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        frames = [(exc.filename, exc.lineno)]
    else:
        frames = [
            (f.filename, f.lineno) for f in traceback.extract_tb(exc.__traceback__)
        ]
    line = code = None
    for filename, lineno in reversed(frames):
        if filename and os.path.realpath(filename) == attempt_path:
            line = lineno
            lines = Path(attempt_path).read_text(errors="replace").splitlines()
            code = lines[lineno - 1].strip() if 0 < lineno <= len(lines) else None
            break
    return {
        "type": kind,
        "message": message[:400],
        "line": line,
        "code": code,
        "hint": exception_hint(kind, message),
    }


def _output(value):
    """An output as (record for results.json, array to store or None)."""
    kind = type(value)
    module = kind.__module__.split(".")[0]
    record = {
        "type": kind.__qualname__
        if module == "builtins"
        else f"{module}.{kind.__qualname__}"
    }
    if not isinstance(value, jax.Array | np.ndarray):
        text = repr(value)
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
    if array.dtype.kind not in PLAIN_KINDS or array.size > MAX_STORED:
        return record, None
    return record, array.astype(np.float64)


def _import_attempt(path):
    # A file with any name (or suffix) loads as the module "__attempt__".
    loader = importlib.machinery.SourceFileLoader("__attempt__", str(path))
    spec = importlib.util.spec_from_file_location("__attempt__", path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["__attempt__"] = module
    spec.loader.exec_module(module)
    return module


def run(problem, attempt_path, outdir):
    results = {"stage": "reference"}
    arrays = {}
    progress = outdir / "progress"
    log = outdir / "grader.log"

    def write():
        np.savez(outdir / "arrays.tmp.npz", **arrays)
        os.replace(outdir / "arrays.tmp.npz", outdir / "arrays.npz")
        (outdir / "results.tmp.json").write_text(json.dumps(results))
        os.replace(outdir / "results.tmp.json", outdir / "results.json")

    progress.write_text("computing the reference solution")
    with _output_to(log):
        from examples import pitfalls

        reference = importlib.import_module(f"examples.{problem}")
        ref_fn = getattr(reference, problem)
        spec = pitfalls.SPECS.get(problem)
        cases = reference.CASES
        results["parameters"] = list(inspect.signature(ref_fn).parameters)
        results["cases"] = []
        for i, case in enumerate(cases):
            expected = np.asarray(pitfalls.call(ref_fn, **case))
            arrays[f"expected/{i}"] = expected.astype(np.float64)
            info = {
                "call": call_text(problem, case),
                "shape": list(expected.shape),
                "dtype": str(expected.dtype),
            }
            if spec is not None:
                evaluation = {**case, spec.flag: spec.eval_value}
                base = pitfalls.call(ref_fn, **evaluation)
                arrays[f"base/{i}"] = np.asarray(base, np.float64)
                info["training"] = bool(
                    (case[spec.flag] >= 0.5) != (spec.eval_value >= 0.5)
                )
                info["keep"] = float(spec.keep(case))
            results["cases"].append(info)
        if spec is not None:
            results["spec"] = {
                "api": spec.api,
                "kind": spec.kind,
                "flag": spec.flag,
                "eval_value": spec.eval_value,
                "eval_output": spec.eval_output,
                "key_advice": spec.key_advice,
                "shape_advice": spec.shape_advice,
            }

    # From here on, the output is the attempt's.
    progress.write_text("importing your file")
    results["stage"] = "import"
    sys.dont_write_bytecode = True  # leave no __pycache__ next to the attempt
    sys.path.insert(0, os.path.dirname(attempt_path))
    try:
        module = _import_attempt(attempt_path)
    except BaseException as exc:
        results["error"] = _error(exc, attempt_path)
        return write()

    results["stage"] = "function"
    fn = getattr(module, problem, None)
    if not callable(fn):
        results["defined"] = sorted(
            name
            for name, value in vars(module).items()
            if callable(value) and getattr(value, "__module__", "") == "__attempt__"
        )
        return write()

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
            return write()

    results["stage"] = "cases"
    wrong = False
    for i, (case, info) in enumerate(zip(cases, results["cases"], strict=True)):
        progress.write_text(f"running case {i + 1}: {info['call']}")
        try:
            record, array = _output(fn(**case))
        except BaseException as exc:
            record, array = {"kind": "error", "error": _error(exc, attempt_path)}, None
        info["got"] = record
        if array is not None:
            arrays[f"got/{i}"] = array
            wrong = wrong or not values_match(array, arrays[f"expected/{i}"])

    # The known mistakes are computed only when there is something to explain.
    results["stage"] = "done"
    results["pitfalls"] = []
    if wrong and spec is not None:
        progress.write_text("comparing with known mistakes")
        with _output_to(log):
            for pitfall in spec.pitfalls:
                results["pitfalls"].append(
                    {
                        "name": pitfall.name,
                        "title": pitfall.title,
                        "advice": pitfall.advice,
                    }
                )
                for i, case in enumerate(cases):
                    try:
                        out = np.asarray(pitfall.forward(**case), np.float64)
                    except Exception:  # this mistake cannot run this case
                        continue
                    arrays[f"pitfall/{pitfall.name}/{i}"] = out
    return write()


def main(argv):
    problem, attempt, outdir = argv
    outdir = Path(outdir)
    try:
        run(problem, os.path.realpath(attempt), outdir)
    except BaseException as exc:  # a fault of the grader, not of the attempt
        with open(outdir / "grader.log", "a") as log:
            traceback.print_exc(file=log)
        (outdir / "results.json").write_text(
            json.dumps({"stage": "internal", "message": f"{type(exc).__name__}: {exc}"})
        )


if __name__ == "__main__":
    main(sys.argv[1:])
