"""Grade an attempt at one of the problems, and name what is wrong with it.

Usage, from the repository root::

    python3 -m nox -s check -- PROBLEM FILE [--timeout S]
    python3 -m nox -s check -- --list
    python3 -m nox -s check -- --starter PROBLEM [--output PATH]

(or ``python -m examples.check ...`` with the python of that environment).

A problem is a module of ``examples/`` that defines a function of its own name
and, under the line ``# -- Grading cases``, its ``LESSON``, its ``CONTRACT``
and a ``CASES`` table. FILE runs in a separate process with a time limit
(``examples/runner.py``), where the reference runs too, before FILE is
imported. Each case is compared by type (a JAX or NumPy array), shape, dtype,
then values (to within 1e-5). Wrong outputs are compared with the known
mistakes of ``examples/pitfalls.py``, computed on the same cases, and checked
for properties that do not depend on the random key, to name the mistake. What
FILE prints is shown with its control characters written out, so it cannot
rewrite the report; a file python3 refuses to decode is refused too.

Exit status:

- 0: every case passed;
- 1: the attempt ran and is wrong in at least one case, or is not attempted
  yet (it still raises ``NotImplementedError``, as a starter file does);
- 2: it could not be graded (no such file, syntax error, exception while
  importing it, no function of that name or other parameter names, time
  limit), or the command was used wrongly.

``nox -s check -- ARGS`` runs this command in the project's environment and
exits with the same status.

This module imports no JAX, so listing problems and writing starters is quick.
"""

import argparse
import ast
import dataclasses
import difflib
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import tokenize
import unicodedata
from pathlib import Path

PROG = "python3 -m nox -s check --"

try:
    import numpy as np
except ImportError:  # started with a python that lacks the project's packages
    print(
        f"This python has no numpy: run the grader as {PROG} ..., which installs "
        "what it needs.",
        file=sys.stderr,
    )
    sys.exit(2)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

PASSED, WRONG, UNGRADABLE = 0, 1, 2
ATOL = RTOL = 1e-5
DEFAULT_TIMEOUT = 120.0
STARTERS = "attempts"  # where --starter writes, ignored by git
SHOWN_FAILURES = 3  # failing cases shown in detail
SHOWN_OUTPUT = 2000  # characters of the attempt's own output shown
CALL_ITEMS = 10  # array elements written out in a call
WIDTH = 88


# -- Problems -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Problem:
    name: str
    lesson: str
    contract: str
    imports: tuple[str, ...]
    signature: str


def _constant(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ""


def discover():
    """Every problem of examples/, read (not imported) from its module."""
    problems = {}
    for path in sorted(EXAMPLES.glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        assigned = {
            target.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        function = next(
            (
                node
                for node in tree.body
                if isinstance(node, ast.FunctionDef) and node.name == path.stem
            ),
            None,
        )
        if function is None or "CASES" not in assigned:
            continue
        problems[path.stem] = Problem(
            name=path.stem,
            lesson=_constant(assigned.get("LESSON")),
            contract=_constant(assigned.get("CONTRACT")),
            imports=tuple(
                ast.unparse(node)
                for node in tree.body
                if isinstance(node, ast.Import | ast.ImportFrom)
            ),
            signature=ast.unparse(function.args),
        )
    return problems


# -- Text ---------------------------------------------------------------------


def value_text(value):
    """A value as the learner would write it in a call."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        array = np.asarray(value)
        if array.ndim == 1:
            items = [str(v) for v in array[:CALL_ITEMS]]
            if array.size > CALL_ITEMS:
                items.append("...")
            return f"jnp.array([{', '.join(items)}])"
        return f"jnp.array({_shorten(repr(array.tolist()), 60)})"
    return repr(value)


def call_text(problem, case):
    arguments = ", ".join(f"{name}={value_text(v)}" for name, v in case.items())
    return f"{problem}({arguments})"


def array_text(array):
    return np.array2string(
        np.asarray(array),
        separator=", ",
        threshold=10,
        edgeitems=4,
        precision=5,
        suppress_small=True,
        max_line_width=10_000,
    )


def _shorten(text, limit):
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _paragraph(text, indent="  ", first=""):
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=indent + first,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
        break_long_words=False,
    )


def _cases_text(numbers):
    return ("case " if len(numbers) == 1 else "cases ") + ", ".join(
        str(n + 1) for n in numbers
    )


def values_match(got, expected):
    got, expected = np.asarray(got), np.asarray(expected)
    return got.shape == expected.shape and bool(
        np.allclose(got, expected, rtol=RTOL, atol=ATOL)
    )


def _escape(char):
    if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cf", "Cs"):
        return char
    return char.encode("unicode_escape", "backslashreplace").decode("ascii")


def visible(text):
    """text with its control characters (but newlines and tabs) as escapes.

    Terminal escapes in what an attempt prints, or in its exception messages,
    could otherwise clear the screen or hide the real summary.
    """
    return "".join(map(_escape, text))


# -- Running the attempt ------------------------------------------------------


class _Capture(threading.Thread):
    """Reads a pipe to its end, keeping only the beginning."""

    def __init__(self, pipe):
        super().__init__(daemon=True)
        self.pipe, self.kept, self.total = pipe, bytearray(), 0

    def run(self):
        while chunk := self.pipe.read1(65536):
            self.total += len(chunk)
            if len(self.kept) < SHOWN_OUTPUT * 4:
                self.kept += chunk

    def text(self):
        # "\r\n" is a plain line end; any other "\r" is shown, as an escape.
        text = self.kept.decode(errors="replace").replace("\r\n", "\n")
        if len(text) > SHOWN_OUTPUT or self.total > len(self.kept):
            text = text[:SHOWN_OUTPUT] + f"\n... ({self.total} bytes in all)"
        return text.rstrip()


def _kill_group(proc):
    # The attempt may have started processes of its own: end the whole group.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@dataclasses.dataclass
class Run:
    results: dict | None
    arrays: dict
    output: str
    timed_out: bool
    progress: str
    returncode: int | None
    timeout: float


def run_attempt(problem, path, timeout):
    """Run examples.runner on the attempt, in its own process group."""
    env = dict(os.environ)
    env.setdefault("JAX_PLATFORMS", "cpu")  # no search for an accelerator
    # Most of a run is compiling the cases' small XLA programs: keep them for the
    # next run (the cache is keyed by program and versions, so it cannot go stale).
    env.setdefault("JAX_COMPILATION_CACHE_DIR", str(ROOT / "build" / "jax-cache"))
    env.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    with tempfile.TemporaryDirectory(prefix="examples-check-") as tmp:
        proc = subprocess.Popen(
            [sys.executable, "-m", "examples.runner", problem, str(path), tmp],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        capture = _Capture(proc.stdout)
        capture.start()
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            _kill_group(proc)
            proc.wait()
            capture.join(timeout=5)
            proc.stdout.close()
        tmp = Path(tmp)
        progress = tmp / "progress"
        results, arrays = None, {}
        if not timed_out and (tmp / "results.json").exists():
            results = json.loads((tmp / "results.json").read_text())
            if (tmp / "arrays.npz").exists():
                with np.load(tmp / "arrays.npz") as data:
                    arrays = dict(data)
        return Run(
            results=results,
            arrays=arrays,
            output=capture.text(),
            timed_out=timed_out,
            progress=progress.read_text() if progress.exists() else "",
            returncode=proc.returncode,
            timeout=timeout,
        )


# -- Comparing ----------------------------------------------------------------


@dataclasses.dataclass
class Case:
    number: int
    call: str
    expected: np.ndarray
    shape: tuple
    dtype: str
    got: dict  # what the runner recorded about the attempt's output
    array: np.ndarray | None  # the attempt's output, when it is an array
    base: np.ndarray | None  # the reference's output in evaluation
    training: bool
    keep: float
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


def build_cases(run):
    cases = []
    for i, info in enumerate(run.results["cases"]):
        case = Case(
            number=i,
            call=info["call"],
            expected=run.arrays[f"expected/{i}"],
            shape=tuple(info["shape"]),
            dtype=info["dtype"],
            got=info["got"],
            array=run.arrays.get(f"got/{i}"),
            base=run.arrays.get(f"base/{i}"),
            training=info.get("training", False),
            keep=info.get("keep", 1.0),
        )
        case.failure = compare(case)
        case.wrong_values = case.comparable and not values_match(
            case.array, case.expected
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
            where += f" (`{_shorten(error['code'], 70)}`)"
    message = f": {error['message']}" if error["message"] else ""
    return f"{error['type']}{where}{message}"


def case_details(case, file):
    lines = [f"Case {case.number + 1}: {case.call}"]
    got = case.got
    if got["kind"] == "error":
        lines.append(_paragraph(error_text(got["error"], file), first="raised "))
    elif got["kind"] == "other":
        lines.append(f"  expected: a JAX array of shape {case.shape}")
        lines.append(f"  got:      a {got['type']}: {got['text']}")
    elif case.failure == "wrong shape":
        lines.append(f"  expected: shape {case.shape}, {array_text(case.expected)}")
        lines.append(f"  got:      shape {tuple(got['shape'])}")
        if case.array is not None:
            lines[-1] += f", {array_text(case.array)}"
    elif case.failure == "wrong dtype" and not case.wrong_values:
        lines.append(f"  expected: dtype {case.dtype}")
        lines.append(f"  got:      dtype {got['dtype']} (the values are right)")
    else:
        if case.failure == "wrong dtype":
            lines.append(f"  expected dtype {case.dtype}, got {got['dtype']}")
        lines.append(f"  expected: {array_text(case.expected)}")
        if case.array is not None:
            lines.append(f"  got:      {array_text(case.array)}")
            lines.append("  " + difference_text(case.array, case.expected))
    return "\n".join(lines)


# -- Diagnosis ----------------------------------------------------------------


@dataclasses.dataclass
class Diagnosis:
    name: str
    title: str
    advice: str
    cases: list = dataclasses.field(default_factory=list)
    note: str = ""

    def text(self):
        cases = f" ({_cases_text(self.cases)})" if self.cases else ""
        note = f" {self.note}" if self.note else ""
        return _paragraph(
            f"{self.title}{cases}.{note} {self.advice}", first=f"* [{self.name}] "
        )


class Diagnoses(dict):
    """Diagnoses by name, in the order found; a name seen again adds its cases."""

    def add(self, name, title, advice, case=None, note=""):
        diagnosis = self.setdefault(name, Diagnosis(name, title, advice, note=note))
        if case is not None and case.number not in diagnosis.cases:
            diagnosis.cases.append(case.number)


def _matches_pitfall(run, name, case):
    out = run.arrays.get(f"pitfall/{name}/{case.number}")
    return out is not None and values_match(case.array, out)


def _match_pitfalls(run, cases, diagnoses):
    """Name the known mistakes the outputs match; return the cases explained."""
    comparable = [c for c in cases if c.comparable]
    failing = [c for c in comparable if c.wrong_values]
    pitfalls = run.results.get("pitfalls", [])
    explained = {
        p["name"]: [c for c in failing if _matches_pitfall(run, p["name"], c)]
        for p in pitfalls
    }
    full = [
        p
        for p in pitfalls
        if explained[p["name"]]
        and all(_matches_pitfall(run, p["name"], c) for c in comparable)
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


def _dropout_scale(got, base):
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


def _near(a, b):
    return abs(a - b) <= 1e-3 * max(1.0, abs(b))


def _property_checks(run, case, diagnoses):
    """Name what is wrong with one case from properties, not from the exact key."""
    spec = run.results["spec"]
    flag, eval_value = spec["flag"], spec["eval_value"]
    noun = "dropout" if spec["kind"] == "dropout" else "noise"
    linen = spec["api"] == "linen"

    def add(name, title, advice):
        diagnoses.add(name, title, advice, case)

    got, base = case.array, case.base
    params_differ = (
        "params-differ",
        "The output is not built on the contract's Dense layer",
        "Initialize the parameters with the contract's key, "
        "jax.random.PRNGKey(int(seed)), and use nn.Dense(features=x.shape[-1]) "
        "with its default initializers.",
    )
    dropout_like, scale = False, None
    if spec["kind"] == "dropout":
        dropout_like, scale = _dropout_scale(got, base)
    if not case.training:
        if linen and not (dropout_like and scale is not None and not _near(scale, 1)):
            return add(*params_differ)
        return add(
            "eval-not-noop",
            f"{noun.capitalize()} also happens in evaluation",
            f"With {flag}={eval_value} the output must be {spec['eval_output']}; "
            f"use the flag to turn the {noun} off.",
        )
    if values_match(got, base) and not values_match(case.expected, base):
        return add(
            f"no-{noun}-in-training",
            f"No {noun} in training",
            f"With {flag}={1.0 - eval_value} the output must be random; yours is "
            f"{spec['eval_output']}. Check that the flag reaches the layer, cast "
            "with `>= 0.5`.",
        )
    if spec["kind"] == "noise":
        noise, wanted = got - base, case.expected - base
        scale = float(noise @ wanted / (wanted @ wanted))
        if np.allclose(noise, scale * wanted, rtol=1e-4, atol=ATOL):
            return add(
                "noise-scale",
                f"The noise is {scale:.3g} times the contract's",
                "Add 0.1 * jax.random.normal(key, x.shape), with exactly that key.",
            )
        return add(
            "different-noise",
            "Noise is added, but not the contract's",
            f"{spec['key_advice']} Then add 0.1 * jax.random.normal(key, x.shape).",
        )
    if not dropout_like:
        if linen:
            return add(*params_differ)
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
    if scale is None or _near(scale, 1.0 / case.keep):
        return add(
            "different-mask",
            "A valid dropout, but other units are dropped than the contract's",
            "Each element is 0 or its evaluation value / keep, as it should be, "
            f"but the mask comes from another key. {spec['key_advice']}",
        )
    if linen and scale > 1.0:
        return add(*wrong_rate)
    if _near(scale, 1.0):
        return add(
            "no-rescale",
            "Kept units are not rescaled",
            "Divide the kept units by keep = 1 - rate, so the mean output is "
            "unchanged.",
        )
    if _near(scale, case.keep):
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


def diagnose(run, cases, file):
    diagnoses = Diagnoses()
    spec = run.results.get("spec", {})
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
    explained = _match_pitfalls(run, cases, diagnoses)
    if spec:
        for case in cases:
            if case.wrong_values and case.number not in explained:
                _property_checks(run, case, diagnoses)
    if not diagnoses and any(c.failure for c in cases):
        diagnoses.add(
            "values-differ",
            "The values differ in a way the grader does not recognise",
            "Compare each step with the contract, in the lesson and in the starter.",
        )
    return list(diagnoses.values())


# -- Reports ------------------------------------------------------------------


def _emit(lines):
    print(visible("\n".join(lines)))


def _printed(output):
    if not output:
        return []
    lines = output.split("\n")  # not splitlines(): "\r" and the like are shown
    return ["", "Your code printed:", *(f"  | {line}" for line in lines)]


def _cannot(message, output="", extra=()):
    lines = [_paragraph(message, indent="", first="Could not grade: "), *extra]
    _emit(lines + _printed(output))
    return UNGRADABLE


def _ungradable(run, problem, file):
    """The message for a run that did not reach the cases, or None."""
    results = run.results
    if run.timed_out:
        where = f" while {run.progress}" if run.progress else ""
        return (
            f"timed out after {run.timeout:g} s{where}. Look for a loop that never "
            "ends; if your code is only slow, raise the limit with --timeout."
        )
    if results is None:
        where = f" while {run.progress}" if run.progress else ""
        return (
            f"the process running {file} ended (status {run.returncode}){where}, "
            "before reporting any result; does your file call os._exit or crash "
            "Python?"
        )
    stage = results["stage"]
    if stage == "internal":
        return f"internal error in the grader: {results['message']}"
    if stage == "import":
        error = results["error"]
        text = f"{file} raised an exception while being imported: {error_text(error)}."
        if error.get("hint"):
            text += f" [{error['hint']['name']}] {error['hint']['advice']}"
        return text
    if stage == "function":
        defined = results.get("defined", [])
        text = f"{file} defines no function named {problem}."
        if defined:
            text += f" It defines: {', '.join(defined)}."
            close = difflib.get_close_matches(problem, defined, n=1)
            if close:
                text += f" Rename {close[0]} to {problem}."
        return text
    if stage == "signature":
        expected = ", ".join(results["parameters"])
        got = ", ".join(results.get("got_parameters", []))
        return (
            f"your {problem}({got}) does not take the contract's parameters, "
            f"{problem}({expected}), which the grader passes by keyword "
            f"({results['error']['message']}). Name the parameters {expected}."
        )
    return None


def report(problem, file, run):
    message = _ungradable(run, problem, file)
    if message is not None:
        return _cannot(message, run.output)
    cases = build_cases(run)
    failing = [c for c in cases if c.failure]
    summary = ["", f"{len(cases) - len(failing)} of {len(cases)} cases passed."]
    errors = [c.got.get("error", {}).get("type") for c in cases]
    if errors.count("NotImplementedError") == len(cases):
        # A starter, untouched: one line says it all.
        text = (
            f"{problem} still raises NotImplementedError. Replace the raise with "
            "your solution; the contract is in its docstring and in the lesson."
        )
        first = "[not-attempted] Not attempted yet: "
        lines = [_paragraph(text, indent="", first=first), *_printed(run.output)]
        _emit(lines + summary)
        return WRONG
    lines = []
    for case in cases:
        status = "FAIL" if case.failure else "PASS"
        reason = f"  -- {case.failure}" if case.failure else ""
        lines.append(f"  {status}  case {case.number + 1}  {case.call}{reason}")
    if failing:
        shown = failing[:SHOWN_FAILURES]
        more = (
            f" (first {len(shown)} of {len(failing)})"
            if len(failing) > len(shown)
            else ""
        )
        lines += ["", f"Failing cases{more}:"]
        lines += [case_details(case, file) for case in shown]
    lines += _printed(run.output)
    if failing:
        lines += ["", "Diagnosis:"]
        lines += [d.text() for d in diagnose(run, cases, file)]
    _emit(lines + summary)
    return WRONG if failing else PASSED


def check_encoding(source, filename):
    """Raise the SyntaxError of python3 for a file it cannot decode.

    compile() accepts bytes that are not UTF-8 in a comment, but python3 FILE
    refuses the whole file (PEP 263), and so does the grader.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    except SyntaxError:
        encoding = "utf-8"  # an undecodable first line: named below
    try:
        source.decode(encoding)
    except UnicodeDecodeError as exc:
        start = source.rfind(b"\n", 0, exc.start) + 1
        end = source.find(b"\n", exc.start)
        line = source[start : end if end >= 0 else len(source)]
        byte = f"\\x{source[exc.start]:02x}"
        message = (
            f"Non-UTF-8 code starting with '{byte}', and no other encoding is "
            "declared: save the file as UTF-8 (see https://peps.python.org/pep-0263/)"
            if encoding.startswith("utf-8")
            else f"{encoding} cannot decode the byte '{byte}'"
        )
        offset = len(source[start : exc.start].decode(encoding, "backslashreplace"))
        text = line.decode(encoding, "backslashreplace")
        where = (filename, source.count(b"\n", 0, exc.start) + 1, offset + 1, text)
        raise SyntaxError(message, where) from None


def grade(problem, file, timeout):
    _emit([f"Grading {problem.name} (lesson {problem.lesson})", f"File: {file}", ""])
    path = Path(file)
    if not path.exists():
        return _cannot(f"{file} does not exist.")
    if not path.is_file():
        return _cannot(f"{file} is not a file.")
    try:
        source = path.read_bytes()
        check_encoding(source, str(path))
        compile(source, str(path), "exec", dont_inherit=True)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" if exc.lineno else "somewhere"
        text = f"SyntaxError in {file}, {where}: {exc.msg}."
        extra = []
        if exc.text:
            caret = " " * max((exc.offset or 1) - 1, 0) + "^"
            extra = [f"    {exc.text.rstrip()}", f"    {caret}"]
        return _cannot(text, extra=extra)
    except (OSError, ValueError) as exc:
        return _cannot(f"{file} cannot be read as Python: {exc}.")
    run = run_attempt(problem.name, path.resolve(), timeout)
    return report(problem.name, file, run)


# -- Command ------------------------------------------------------------------


class UsageError(Exception):
    """A misused command; ``usage`` says whether to show the usage line too."""

    def __init__(self, message, usage=False):
        super().__init__(message)
        self.usage = usage


def _problem(problems, name):
    if name in problems:
        return problems[name]
    close = difflib.get_close_matches(name, problems, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]}?" if close else ""
    raise UsageError(f"unknown problem {name!r}.{hint} List them with: {PROG} --list")


def starter_text(problem, output):
    contract = textwrap.indent(problem.contract.strip(), "    ")
    return (
        f'"""Attempt at the {problem.name} problem (lesson {problem.lesson}).\n\n'
        f"Grade it with: {PROG} {problem.name} {output}\n"
        '"""\n\n'
        + "\n".join(problem.imports)
        + f"\n\n\ndef {problem.name}({problem.signature}):\n"
        f'    """{contract.lstrip()}\n    """\n'
        "    raise NotImplementedError\n"
    )


def write_starter(problem, output):
    path = Path(output)
    if path.exists():
        raise UsageError(
            f"{output} already exists; not overwriting it. Choose another path "
            "with --output, or remove the file first."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x") as f:
            f.write(starter_text(problem, output))
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror}") from None
    print(f"Wrote {output}, a starter for {problem.name} (lesson {problem.lesson}).")
    print(f"Grade it with: {PROG} {problem.name} {output}")
    return PASSED


def list_problems(problems):
    print(f"Problems ({PROG} PROBLEM FILE):")
    width = max(len(name) for name in problems)
    for problem in problems.values():
        print(f"  {problem.name:{width}}  lesson {problem.lesson}")
    return PASSED


def _timeout(text):
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {text}")
    return value


def parser():
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Grade an attempt at a lesson's problem.",
        epilog="exit status: 0 all cases passed, 1 some case failed or not "
        "attempted yet, 2 could not be graded or wrong usage",
    )
    p.add_argument("problem", nargs="?", help="the problem, as --list shows it")
    p.add_argument("file", nargs="?", help="the Python file with your attempt")
    p.add_argument(
        "--timeout",
        type=_timeout,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"time limit in seconds for the whole run (default {DEFAULT_TIMEOUT:g})",
    )
    p.add_argument("--list", action="store_true", help="list the problems")
    p.add_argument("--starter", metavar="PROBLEM", help="write a starter file")
    p.add_argument(
        "--output",
        metavar="PATH",
        help=f"where --starter writes (default {STARTERS}/PROBLEM.py)",
    )
    return p


def main(argv=None):
    p = parser()
    args = p.parse_args(argv)
    try:
        problems = discover()
        if args.list:
            if args.problem or args.starter:
                raise UsageError("--list takes no other argument", usage=True)
            return list_problems(problems)
        if args.starter:
            if args.problem:
                raise UsageError("--starter takes a problem, and no FILE", usage=True)
            problem = _problem(problems, args.starter)
            output = args.output or f"{STARTERS}/{problem.name}.py"
            return write_starter(problem, output)
        if args.output:
            raise UsageError("--output goes with --starter", usage=True)
        if not args.problem or not args.file:
            raise UsageError(
                "give a PROBLEM and a FILE (or --list, or --starter PROBLEM)",
                usage=True,
            )
        if args.problem not in problems and args.file in problems:
            raise UsageError(
                f"the problem comes first: {PROG} {args.file} {args.problem}"
            )
        return grade(_problem(problems, args.problem), args.file, args.timeout)
    except UsageError as exc:
        if exc.usage:
            p.print_usage(sys.stderr)
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return UNGRADABLE
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return UNGRADABLE
    except Exception as exc:  # the grader's own fault: a message, no traceback
        print(f"{PROG}: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return UNGRADABLE


if __name__ == "__main__":
    sys.exit(main())
