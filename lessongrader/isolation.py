"""Running an attempt in isolation: the command's way.

``run_attempt`` starts one process of this module, ``grade PROBLEM FILE OUTDIR
FD``, which does two things in turn:

- it computes the reference outputs, and those of the known mistakes, before
  FILE is imported, and sends them as one ``.npz`` on the pipe FD, which it
  then closes: nothing FILE does can reach them (anything printed on the way
  goes to ``reference.log``);
- it imports FILE and runs it on every case. It reports only what the attempt
  does, through OUTDIR: ``results.json``, ``arrays.npz`` and ``progress``
  (what was running, for a timeout message). Stdout belongs to the attempt:
  what the grader prints before FILE is imported goes to ``grader.log``. Once
  its results are written, the process ends at once (``os._exit``), so nothing
  the attempt left behind (an atexit hook, a thread) runs after them.

One process, not one for each: a grading spends most of its time starting JAX,
and pays for it once. The time limit covers both. Every process the attempt
starts ends with the grading, even in a session of its own: this process
adopts the orphans (Linux) and ends them, before anything is read.
"""

import contextlib
import dataclasses
import importlib.machinery
import importlib.util
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

import numpy as np

from lessongrader import catalog

SHOWN_OUTPUT = 2000  # characters of the attempt's own output shown
PR_SET_CHILD_SUBREAPER = 36  # from <linux/prctl.h>
# What the reference's pipe starts with: the .npz follows, or why it failed.
SENT, FAILED = b"reference\n", b"failed\n"


def logs_folder():
    """Where the logs of the grader's own faults are kept: LESSONGRADER_LOGS, or
    build/grader-logs in the repository, or a folder in the temporary one."""
    if os.environ.get("LESSONGRADER_LOGS"):
        return Path(os.environ["LESSONGRADER_LOGS"])
    if catalog.in_repository():
        return catalog.SOURCE.parent / "build" / "grader-logs"
    return Path(tempfile.gettempdir()) / "lessongrader-logs"


def keep_log(problem, parts):
    """Write the grader's logs where they stay; return the path.

    In logs_folder() or, if it cannot be written, a temporary file that is not
    removed either.
    """
    text = "".join(f"== {title}\n{body.rstrip()}\n\n" for title, body in parts)
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{problem}-{os.getpid()}.log"
    try:
        folder = logs_folder()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_text(text)
    except OSError:
        fd, path = tempfile.mkstemp(prefix="lessongrader-", suffix=f"-{name}")
        with os.fdopen(fd, "w") as f:
            f.write(text)
    return Path(path)


# -- The grader's side --------------------------------------------------------


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


@dataclasses.dataclass
class Run:
    """What one grading ran into: the attempt's report and the reference's."""

    results: dict | None  # what the attempt's process reported, as it wrote it
    arrays: dict  # and the attempt's outputs, "got/<case>"
    output: str  # what the attempt printed
    timed_out: bool  # the time limit ran out before the attempt's results were in
    progress: str  # what the attempt's process was doing ("" before FILE)
    returncode: int | None
    timeout: float | None
    reference: dict | None  # sent before the attempt ran: calls, spec, pitfalls
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
        [sys.executable, "-m", "lessongrader.isolation", *arguments],
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
    """(meta, arrays) sent before the attempt ran; ValueError if incomplete."""
    try:
        with np.load(io.BytesIO(data)) as npz:
            arrays = dict(npz)
        meta = json.loads(str(arrays.pop("meta")))
    except (OSError, KeyError, EOFError, ValueError) as exc:
        raise ValueError(f"its results are incomplete ({exc})") from None
    return meta, arrays


def _environment():
    env = dict(os.environ)
    env.setdefault("JAX_PLATFORMS", "cpu")  # no search for an accelerator
    # The process imports this very package, and finds the same problems.
    path = [str(catalog.PACKAGE.parent), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in path if p)
    env["LESSONGRADER_PROBLEMS"] = str(catalog.root())
    return env


def _reference_sent(sent, timed_out, returncode, log):
    """(state, meta, arrays, error) of what came on the reference's pipe.

    The process writes SENT then the .npz, or FAILED then why, in one piece
    before the attempt is imported; nothing at all if it never got so far.
    """
    data = bytes(sent)
    if data.startswith(SENT):
        try:
            meta, arrays = _read_reference(data[len(SENT) :])
            return "done", meta, arrays, ""
        except ValueError as exc:  # cut short by the time limit, or broken
            return ("running" if timed_out else "failed"), None, {}, str(exc)
    if data.startswith(FAILED):
        return "failed", None, {}, data[len(FAILED) :].decode(errors="replace")
    if timed_out:
        return "running", None, {}, ""
    why = _last_line(log) or f"the process ended with status {returncode}"
    return "failed", None, {}, why


def run_attempt(problem, path, timeout):
    """Compute the reference, then run the attempt, in one process of its own.

    The attempt's results count once the process has written them, even if
    something it started still runs; then every process started for the
    grading is ended, before anything is read.
    """
    env = _environment()
    _become_subreaper()
    spare = frozenset(_children())  # not started for this grading
    deadline = time.monotonic() + timeout
    # The attempt may leave files there that cannot be removed: not a failure.
    with tempfile.TemporaryDirectory(
        prefix="lessongrader-", ignore_cleanup_errors=True
    ) as tmp:
        outdir = Path(tmp) / "attempt"
        outdir.mkdir()
        reading, writing = os.pipe()
        try:
            proc = _start(
                ["grade", problem, str(path), str(outdir), str(writing)],
                env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(writing,),
            )
        finally:
            os.close(writing)  # the process holds the only writing end
        sent = _Capture(os.fdopen(reading, "rb"), limit=None)
        sent.start()
        capture = _Capture(proc.stdout)
        capture.start()
        timed_out = False
        try:
            # Results written are complete, though the process may not have ended.
            if not _wait(proc, deadline):
                timed_out = not (outdir / "results.json").exists()
        finally:
            _kill_group(proc)
            proc.wait()
            _end_descendants(spare)
            capture.finish()
            sent.finish()
        # Read only now: nothing the attempt started runs any more.
        results, arrays = _read_results(outdir) if not timed_out else (None, {})
        reference_log = _read_text(outdir / "reference.log")
        state, meta, expected, error = _reference_sent(
            sent.kept, timed_out, proc.returncode, reference_log
        )
        logs = [
            ("the grader, computing the reference", reference_log),
            ("the grader, loading the attempt", _read_text(outdir / "grader.log")),
        ]
        if state == "failed":
            logs.insert(0, ("the grader", f"Computing the reference failed: {error}"))
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


# -- The processes' side ------------------------------------------------------


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


def send_reference(name, channel, log):
    """Compute the reference and send it on the pipe channel, then close it.

    Anything printed meanwhile goes to log; a failure is sent as FAILED and the
    last line of its traceback, which the log holds whole.
    """
    with open(channel, "wb") as pipe, _output_to(log):
        try:
            from lessongrader import execute

            meta, arrays = execute.reference(catalog.discover()[name])
            buffer = io.BytesIO()
            np.savez(buffer, meta=np.array(json.dumps(meta)), **arrays)
            message = SENT + buffer.getvalue()
        except Exception as exc:
            traceback.print_exc()
            message = FAILED + f"{type(exc).__name__}: {exc}"[:400].encode()
        pipe.write(message)


def _import_attempt(path):
    # A file with any name (or suffix) loads as the module "__attempt__".
    loader = importlib.machinery.SourceFileLoader("__attempt__", str(path))
    spec = importlib.util.spec_from_file_location("__attempt__", path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["__attempt__"] = module
    spec.loader.exec_module(module)
    return module


def _run(name, attempt_path, outdir, results, arrays):
    """Fill results and arrays with what the attempt does on every case."""
    progress = outdir / "progress"
    with _output_to(outdir / "grader.log"):
        from lessongrader import execute

        problem = catalog.discover()[name]
        spec = execute.spec_of(problem)
        cases = problem.cases()

    def error(exc):
        return execute.error_record(exc, attempt_path, spec)

    # From here on, the output is the attempt's.
    progress.write_text("importing your file")
    results["stage"] = "import"
    results["attempt_ran"] = True
    sys.dont_write_bytecode = True  # leave no __pycache__ next to the attempt
    sys.path.insert(0, os.path.dirname(attempt_path))
    try:
        module = _import_attempt(attempt_path)
    except BaseException as exc:
        results["error"] = error(exc)
        return

    results["stage"] = "function"
    fn = getattr(module, name, None)
    if not callable(fn):
        results["defined"] = sorted(
            key
            for key, value in vars(module).items()
            if callable(value) and getattr(value, "__module__", "") == "__attempt__"
        )
        return
    if not execute.check_signature(fn, problem.parameters, cases[0], results):
        return
    # The grader checks that these are the problem's cases, called as it calls them.
    execute.run_cases(name, fn, cases, results, arrays, error, progress.write_text)


def _write(outdir, results, arrays):
    # The arrays first: results.json, written last, says the run is complete.
    np.savez(outdir / "arrays.tmp.npz", **arrays)
    os.replace(outdir / "arrays.tmp.npz", outdir / "arrays.npz")
    (outdir / "results.tmp.json").write_text(json.dumps(results))
    os.replace(outdir / "results.tmp.json", outdir / "results.json")


def grade_attempt(name, attempt, outdir):
    from lessongrader.execute import safe_text

    outdir = Path(outdir)
    results, arrays = {"stage": "starting", "attempt_ran": False}, {}
    try:
        _run(name, os.path.realpath(attempt), outdir, results, arrays)
        for stream in (sys.stdout, sys.stderr):  # what the attempt printed
            with contextlib.suppress(BaseException):
                stream.flush()
        _write(outdir, results, arrays)
    except BaseException as exc:  # a fault of the grader, or the attempt broke it
        with contextlib.suppress(BaseException):
            with open(outdir / "grader.log", "a") as log:
                traceback.print_exc(file=log)
            message = f"{type(exc).__name__}: {safe_text(exc)}"
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
    if argv[:1] == ["grade"] and len(argv) == 5 and argv[4].isdigit():
        name, attempt, outdir, channel = argv[1:]
        send_reference(name, int(channel), Path(outdir) / "reference.log")
        return grade_attempt(name, attempt, outdir)
    sys.exit("usage: python -m lessongrader.isolation grade PROBLEM FILE OUTDIR FD")


if __name__ == "__main__":
    main(sys.argv[1:])


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


# What each stage's results hold, as the attempt's process writes them.
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
    as the grader describes an output.
    """
    from lessongrader.text import shorten

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
            return f"case {i + 1} was called as {shorten(str(case.get('call')), 200)}"
        array = run.arrays.get(f"got/{i}")
        if array is not None and (
            array.dtype not in (np.float64, np.complex128)
            or list(array.shape) != case["got"].get("shape")
        ):
            return f"the output stored for case {i + 1} is not the one described"
    return ""
