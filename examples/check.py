"""Grade an attempt at one of the problems, and name what is wrong with it.

Usage, from the repository root::

    python3 -m nox -s check -- PROBLEM FILE [--timeout S]
    python3 -m nox -s check -- --list
    python3 -m nox -s check -- --starter PROBLEM [--output PATH]

(or ``python -m examples.check ...`` with the python of that environment).

A problem is a module of ``examples/`` that defines a function of its own name
and, under the line ``# -- Grading cases``, its ``LESSON``, its ``CONTRACT``
and a ``CASES`` table. FILE runs in a process of its own, with a time limit
(``examples/runner.py``), which reports only what FILE returns. The reference
outputs, and those of the known mistakes of ``examples/pitfalls.py``, come from
another process, side by side, that FILE never runs in; this one checks that
FILE ran on each of the problem's cases, called as the problem calls it. Each
case is compared by type (a JAX or NumPy array), shape, dtype, then values (to
within 1e-5). Wrong outputs are compared with the known mistakes, and checked
for properties that do not depend on the random key, to name the mistake.

Every process FILE starts ends with the grading, even in a session of its own:
this process adopts the orphans (Linux) and ends them. What FILE prints is shown
with its control characters written out, so it cannot rewrite the report; a
file python3 refuses to decode is refused too.

Exit status:

- 0: every case passed;
- 1: the attempt ran and is wrong in at least one case, or is not attempted
  yet (it still raises ``NotImplementedError``, as a starter file does), or it
  changed the grading (the cases, or the grader's files);
- 2: it could not be graded (no such file, syntax error, exception while
  importing it, no function of that name or other parameter names, time
  limit), or the command was used wrongly, or the grader failed: then its log
  is kept, in ``build/grader-logs/``, and the report says where.

``nox -s check -- ARGS`` runs this command in the project's environment and
exits with the same status.

This module imports no JAX, so listing problems and writing starters is quick.
"""

import argparse
import ast
import contextlib
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
import time
import tokenize
import traceback
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
LOGS = ROOT / "build" / "grader-logs"  # the logs of the grader's own faults, kept

PASSED, WRONG, UNGRADABLE = 0, 1, 2
ATOL = RTOL = 1e-5
DEFAULT_TIMEOUT = 120.0
STARTERS = "attempts"  # where --starter writes, ignored by git
SHOWN_FAILURES = 3  # failing cases shown in detail
SHOWN_OUTPUT = 2000  # characters of the attempt's own output shown
CALL_ITEMS = 10  # array elements written out in a call
WIDTH = 88
# The widest tolerance a low-precision output (bfloat16...) is compared with, to
# name its mistake; passing a case always takes ATOL and RTOL.
MAX_TOLERANCE = 0.1
PR_SET_CHILD_SUBREAPER = 36  # from <linux/prctl.h>


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


def values_match(got, expected, tolerance=ATOL):
    got, expected = np.asarray(got), np.asarray(expected)
    return got.shape == expected.shape and bool(
        np.allclose(got, expected, rtol=max(RTOL, tolerance), atol=tolerance)
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
    """Reads a pipe to its end, keeping its beginning (all of it if no limit)."""

    def __init__(self, pipe, limit=SHOWN_OUTPUT * 4):
        super().__init__(daemon=True)
        self.pipe, self.limit, self.kept, self.total = pipe, limit, bytearray(), 0

    def run(self):
        with contextlib.suppress(OSError, ValueError):
            while chunk := self.pipe.read1(65536):
                self.total += len(chunk)
                if self.limit is None or len(self.kept) < self.limit:
                    self.kept += chunk

    def finish(self):
        self.join(timeout=5)
        if not self.is_alive():  # else closing would wait for the reader's lock
            self.pipe.close()

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


def _become_subreaper():
    """Make the orphans of every process started from here children of this one.

    A process the attempt starts in a session of its own escapes its process
    group; once its parent ends it would go to init and outlive the grading.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # only here: listing problems stays quick

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _children():
    """The processes whose parent is this one (Linux; none found elsewhere)."""
    pids = []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue  # it ended meanwhile
            # "pid (name) state ppid ...": the name may hold spaces and brackets.
            if int(stat.rpartition(")")[2].split()[1]) == os.getpid():
                pids.append(int(entry.name))
    return pids


def _end_descendants(spare=frozenset()):
    """End and reap every process left under this one, but those in spare.

    Killing one makes its own children orphans, adopted here: repeat until
    none is left (a bounded number of rounds, against a process that forks
    without end).
    """
    for _ in range(100):
        pids = [pid for pid in _children() if pid not in spare]
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in pids:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _wait(proc, deadline):
    """Whether proc ended before the deadline (a time.monotonic() value)."""
    try:
        proc.wait(timeout=max(deadline - time.monotonic(), 0.0))
    except subprocess.TimeoutExpired:
        return False
    return True


def _read_text(path, limit=100_000):
    try:
        text = path.read_bytes()[-limit:].decode(errors="replace")
    except OSError:
        return ""
    return text


def _last_line(text):
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def keep_log(problem, parts):
    """Write the grader's logs where they stay; return the path.

    Under build/grader-logs/, or, if it cannot be written, a temporary file
    that is not removed either.
    """
    text = "".join(f"== {title}\n{body.rstrip()}\n\n" for title, body in parts)
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{problem}-{os.getpid()}.log"
    try:
        LOGS.mkdir(parents=True, exist_ok=True)
        path = LOGS / name
        path.write_text(text)
    except OSError:
        fd, path = tempfile.mkstemp(prefix="examples-check-", suffix=f"-{name}")
        with os.fdopen(fd, "w") as f:
            f.write(text)
    return Path(path)


@dataclasses.dataclass
class Run:
    results: dict | None  # what the attempt's process reported, as it wrote it
    arrays: dict  # and the attempt's outputs, "got/<case>"
    output: str  # what the attempt printed
    timed_out: bool  # the time limit ran out before the attempt's results were in
    progress: str  # what the attempt's process was doing ("" before FILE)
    returncode: int | None
    timeout: float
    reference: dict | None  # from the reference's process: calls, spec, pitfalls
    expected: dict  # its arrays: "expected/<case>", "base/<case>", "pitfall/..."
    reference_state: str  # "done", "running" at the time limit, or "failed"
    reference_error: str  # why it failed, in a line
    logs: list  # (title, text) of the grader's own logs
    kept_log: Path | None = None

    def keep_log(self, problem, *extra):
        """The path of this run's logs, written once where they stay."""
        if self.kept_log is None:
            self.kept_log = keep_log(problem, [*extra, *self.logs])
        return self.kept_log


def _start(arguments, env, **streams):
    return subprocess.Popen(
        [sys.executable, "-m", "examples.runner", *arguments],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        **streams,
    )


def _read_results(outdir):
    """The attempt's results and arrays; {"stage": "unreadable"} if they are not."""
    path = outdir / "results.json"
    if not path.exists():
        return None, {}
    try:
        results = json.loads(path.read_text())
        arrays = {}
        if (outdir / "arrays.npz").exists():
            with np.load(outdir / "arrays.npz") as data:  # no pickles
                arrays = dict(data)
    except (OSError, ValueError, EOFError, KeyError) as exc:
        return {"stage": "unreadable", "why": f"{type(exc).__name__}: {exc}"}, {}
    if not isinstance(results, dict):
        return {"stage": "unreadable", "why": "not a JSON object"}, {}
    return results, arrays


def _read_reference(data):
    """(meta, arrays) sent by the reference's process; ValueError if incomplete."""
    try:
        with np.load(io.BytesIO(data)) as npz:
            arrays = dict(npz)
        meta = json.loads(str(arrays.pop("meta")))
    except (OSError, KeyError, EOFError, ValueError) as exc:
        raise ValueError(f"its results are incomplete ({exc})") from None
    return meta, arrays


def run_attempt(problem, path, timeout):
    """Run the attempt and, side by side, the reference, each in its own process.

    The time limit covers both. The attempt's results count once its process
    has written them, even if something it started still runs; then every
    process started for the grading is ended, before anything is read.
    """
    env = dict(os.environ)
    env.setdefault("JAX_PLATFORMS", "cpu")  # no search for an accelerator
    # Most of a run is compiling the cases' small XLA programs: keep them for the
    # next run (the cache is keyed by program and versions, so it cannot go stale).
    env.setdefault("JAX_COMPILATION_CACHE_DIR", str(ROOT / "build" / "jax-cache"))
    env.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    _become_subreaper()
    spare = frozenset(_children())  # not started for this grading
    deadline = time.monotonic() + timeout
    # The attempt may leave files there that cannot be removed: not a failure.
    with tempfile.TemporaryDirectory(
        prefix="examples-check-", ignore_cleanup_errors=True
    ) as tmp:
        tmp = Path(tmp)
        outdir = tmp / "attempt"
        outdir.mkdir()
        with open(tmp / "reference.log", "wb") as log:
            reference = _start(
                ["reference", problem], env, stdout=subprocess.PIPE, stderr=log
            )
        sent = _Capture(reference.stdout, limit=None)
        sent.start()
        proc = _start(
            ["attempt", problem, str(path), str(outdir)],
            env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        capture = _Capture(proc.stdout)
        capture.start()
        timed_out = False
        try:
            # Results written are complete, though the process may not have ended.
            if not _wait(proc, deadline):
                timed_out = not (outdir / "results.json").exists()
            results, _ = _read_results(outdir)
            # Only a run that reached the cases needs the reference.
            if (
                not timed_out
                and results is not None
                and results.get("stage") == "cases"
            ):
                _wait(reference, deadline)
        finally:
            reference_running = reference.poll() is None
            for process in (proc, reference):
                _kill_group(process)
                process.wait()
            _end_descendants(spare)
            capture.finish()
            sent.finish()
        # Read only now: nothing the attempt started runs any more.
        results, arrays = _read_results(outdir) if not timed_out else (None, {})
        meta, expected, state = None, {}, "running" if reference_running else "done"
        reference_log, error = _read_text(tmp / "reference.log"), ""
        logs = [
            ("the grader in the attempt's process", _read_text(outdir / "grader.log")),
            ("the reference's process", reference_log),
        ]
        if state == "done":
            try:
                if reference.returncode != 0:
                    raise ValueError(f"it ended with status {reference.returncode}")
                meta, expected = _read_reference(bytes(sent.kept))
            except ValueError as exc:
                state, error = "failed", _last_line(reference_log) or str(exc)
                logs.insert(0, ("the grader", f"The reference's process failed: {exc}"))
        return Run(
            results=results,
            arrays=arrays,
            output=capture.text(),
            timed_out=timed_out,
            progress=_read_text(outdir / "progress"),
            returncode=proc.returncode,
            timeout=timeout,
            reference=meta,
            expected=expected,
            reference_state=state,
            reference_error=error,
            logs=logs,
        )


# -- Checking what the attempt's process reported -----------------------------


def _strings(value):
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _valid_error(error):
    hint = error.get("hint") if isinstance(error, dict) else None
    return (
        isinstance(error, dict)
        and isinstance(error.get("type"), str)
        and isinstance(error.get("message"), str)
        and isinstance(error.get("line"), int | None)
        and isinstance(error.get("code"), str | None)
        and (
            hint is None
            or isinstance(hint, dict)
            and all(isinstance(hint.get(k), str) for k in ("name", "title", "advice"))
        )
    )


def _valid_output(got):
    if not isinstance(got, dict) or not isinstance(got.get("type", ""), str):
        return False
    if got.get("kind") == "error":
        return _valid_error(got.get("error"))
    if got.get("kind") == "other":
        return isinstance(got.get("type"), str) and isinstance(got.get("text"), str)
    shape = got.get("shape")
    return (
        got.get("kind") == "array"
        and isinstance(shape, list)
        and all(isinstance(n, int) and n >= 0 for n in shape)
        and isinstance(got.get("dtype"), str)
        and isinstance(got.get("resolution", 0.0), float | int)
    )


# What each stage's results hold, as the runner writes them.
_STAGES = {
    "internal": lambda r: isinstance(r.get("message"), str),
    "import": lambda r: _valid_error(r.get("error")),
    "function": lambda r: _strings(r.get("defined")),
    "signature": lambda r: (
        _strings(r.get("parameters"))
        and _strings(r.get("got_parameters", []))
        and isinstance(r.get("error"), dict)
        and isinstance(r["error"].get("message"), str)
    ),
    "cases": lambda r: isinstance(r.get("cases"), list),
}


def tampering(run):
    """How the attempt's report differs from what the grader asked, or "".

    The attempt's process can change anything in itself: its list of cases, the
    grader's code, its files. What it reports is checked against the reference's
    process: as many cases, each called as the problem calls it, each described
    as the runner describes an output.
    """
    results = run.results
    stage = results.get("stage")
    if stage == "unreadable":
        return f"its results cannot be read ({results.get('why', '')})"
    if stage not in _STAGES or not _STAGES[stage](results):
        return "its results are not as the grader writes them"
    if stage != "cases" or run.reference is None:
        return ""
    reported, calls = results["cases"], [c["call"] for c in run.reference["cases"]]
    if len(reported) != len(calls):
        count = f"{len(reported)} case" + ("" if len(reported) == 1 else "s")
        return f"results came back for {count} of {len(calls)}"
    for i, (case, call) in enumerate(zip(reported, calls, strict=True)):
        if not isinstance(case, dict) or not _valid_output(case.get("got")):
            return f"the output of case {i + 1} is not described as the grader does"
        if case.get("call") != call:
            return f"case {i + 1} was called as {_shorten(str(case.get('call')), 200)}"
        array = run.arrays.get(f"got/{i}")
        if array is not None and (
            array.dtype not in (np.float64, np.complex128)
            or list(array.shape) != case["got"].get("shape")
        ):
            return f"the output stored for case {i + 1} is not the one described"
    return ""


# -- Comparing ----------------------------------------------------------------


@dataclasses.dataclass
class Case:
    number: int
    call: str
    expected: np.ndarray
    shape: tuple
    dtype: str
    got: dict  # what the runner recorded about the attempt's output
    array: np.ndarray | None  # the attempt's output, when it is an array of numbers
    base: np.ndarray | None  # the reference's output in evaluation
    training: bool
    keep: float
    # How closely the values are compared to name a mistake: wider for an output
    # of a coarser dtype (bfloat16...); passing always takes ATOL and RTOL.
    tolerance: float = ATOL
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


def _real(array):
    # A complex output with no imaginary part has the values of its real part.
    if array is not None and np.iscomplexobj(array) and not np.any(array.imag):
        return array.real
    return array


def build_cases(run):
    cases = []
    for i, (info, reported) in enumerate(
        zip(run.reference["cases"], run.results["cases"], strict=True)
    ):
        got = reported["got"]
        case = Case(
            number=i,
            call=info["call"],
            expected=run.expected[f"expected/{i}"],
            shape=tuple(info["shape"]),
            dtype=info["dtype"],
            got=got,
            array=_real(run.arrays.get(f"got/{i}")),
            base=run.expected.get(f"base/{i}"),
            training=info.get("training", False),
            keep=info.get("keep", 1.0),
            tolerance=min(max(ATOL, float(got.get("resolution", 0.0))), MAX_TOLERANCE),
        )
        case.failure = compare(case)
        case.wrong_values = case.comparable and not values_match(
            case.array, case.expected, case.tolerance
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
        if case.array is None:
            values = "its values are not numbers the grader can compare"
        elif values_match(case.array, case.expected):
            values = "the values are right"
        else:
            values = f"the values are right, to the precision of {got['dtype']}"
        lines.append(f"  expected: dtype {case.dtype}")
        lines.append(f"  got:      dtype {got['dtype']} ({values})")
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
    out = run.expected.get(f"pitfall/{name}/{case.number}")
    return out is not None and values_match(case.array, out, case.tolerance)


def _match_pitfalls(run, cases, diagnoses):
    """Name the known mistakes the outputs match; return the cases explained."""
    comparable = [c for c in cases if c.comparable]
    failing = [c for c in comparable if c.wrong_values]
    pitfalls = run.reference.get("pitfalls", [])
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
    spec = run.reference["spec"]
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
    spec = run.reference.get("spec", {})
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
            # The properties are of real values: a complex output has a wrong dtype.
            real = case.array is not None and np.isrealobj(case.array)
            if case.wrong_values and case.number not in explained and real:
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


def _tampered(reason, output):
    text = (
        f"Your code changed the grading: {reason}. A file is graded on what its "
        "function returns when the grader calls it on each case: it must leave "
        "the grader's cases, code and files alone."
    )
    lines = [_paragraph(text, indent="", first="[tampered] "), *_printed(output)]
    _emit([*lines, "", "Not graded: counted as wrong."])
    return WRONG


def _grader_timeout(run):
    """The limit ran out while the grader, not the attempt, was at work."""
    if run.reference_state == "running":
        what = "computing the reference outputs"
    else:
        what = "starting"
    before = "" if run.progress else ", before your code ran"
    return (
        f"the time limit of {run.timeout:g} s ran out while the grader was still "
        f"{what}{before}. This is not a fault of your code: raise the limit with "
        f"--timeout (the default is {DEFAULT_TIMEOUT:g} s)."
    )


def _ungradable(run, problem, file):
    """The message for a run that did not reach the cases, or None."""
    results = run.results
    if run.timed_out and run.progress:  # in the attempt's own code
        return (
            f"timed out after {run.timeout:g} s while {run.progress}. Look for a "
            "loop that never ends; if your code is only slow, raise the limit with "
            "--timeout."
        )
    reference_failed = (
        "internal error in the grader: the process computing the reference "
        f"outputs failed ({run.reference_error}). The "
        f"grader's log is kept in {run.keep_log(problem)}."
        if run.reference_state == "failed"
        else ""
    )
    if run.timed_out:
        return reference_failed or _grader_timeout(run)
    if results is None:
        where = f" while {run.progress}" if run.progress else ""
        return (
            f"the process running {file} ended (status {run.returncode}){where}, "
            "before reporting any result; does your file call os._exit or crash "
            "Python?"
        )
    stage = results["stage"]
    if stage == "internal":
        text = f"internal error in the grader: {results['message']}"
        if results.get("attempt_ran"):
            text = (
                f"the grader failed after {file} was imported: {results['message']}."
                " If your file changes the grader's modules or files, that is the "
                "cause; otherwise it is a fault of the grader"
            )
        return f"{text}. The grader's log is kept in {run.keep_log(problem)}."
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
    # The cases ran: they are compared with the reference's outputs.
    if run.reference_state == "running":
        return _grader_timeout(run)
    return reference_failed or None


def _pitfall_note(run, problem):
    """Known mistakes the reference's process could not compute, if any."""
    errors = run.reference.get("pitfall_errors", [])
    if not errors:
        return []
    names = list(dict.fromkeys(e["name"] for e in errors))
    first = errors[0]
    text = (
        "Note: the grader could not compute the known "
        + ("mistakes " if len(names) > 1 else "mistake ")
        + ", ".join(f"[{name}]" for name in names)
        + f" (case {first['case'] + 1}: {first['error']}), so this diagnosis may "
        + ("miss them" if len(names) > 1 else "miss it")
        + ". That is a fault of the grader, not of your code; its log is kept in "
        f"{run.keep_log(problem)}."
    )
    return ["", _paragraph(text, indent="")]


def report(problem, file, run):
    if not run.timed_out and run.results is not None:
        reason = tampering(run)
        if reason:
            return _tampered(reason, run.output)
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
        lines += _pitfall_note(run, problem)
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
    try:
        return report(problem.name, file, run)
    except Exception:  # the grader's own fault: its log, not a traceback
        kept = run.keep_log(problem.name, ("the grader", traceback.format_exc()))
        return _cannot(
            f"internal error in the grader, while writing its report. The grader's "
            f"log is kept in {kept}."
        )


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
        message = f"{PROG}: internal error: {type(exc).__name__}: {exc}"
        with contextlib.suppress(OSError):
            kept = keep_log("check", [("the grader", traceback.format_exc())])
            message += f". The grader's log is kept in {kept}."
        print(visible(message), file=sys.stderr)
        return UNGRADABLE


if __name__ == "__main__":
    sys.exit(main())
