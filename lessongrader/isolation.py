"""Running an attempt in a process of its own: the command's way.

The grader is a self-check, not a sandbox. It runs your file with your
privileges, and checks your answer; it does not contain hostile code, and a
file that sets out to forge its grade can (the reference's outputs are in its
process). What it does guard is the grading of an honest file:

- ``run_attempt`` starts one grading process, ``python -m
  lessongrader.isolation PROBLEM FILE OUTDIR``. It computes the reference's
  outputs and the known
  mistakes' first, before FILE is imported, so that what FILE does when
  imported (``jax_enable_x64``, a patched module) cannot change them, and
  writes them to OUTDIR/reference.npz. Then it imports FILE and runs it on
  every case, and writes results.json and arrays.npz (and ``progress``, what it
  is doing, for a timeout's message). One process, not one for each: a grading
  spends most of its time starting JAX, and pays for it once.
- Its output belongs to the attempt: what the grader prints goes to
  OUTDIR/grader.log, and so do warnings raised in the grader's own files.
- Once its results are written, it ends at once (``os._exit``): nothing the
  attempt left behind (a thread, an atexit hook) runs after them.
- Its parent is ``lessongrader.supervise``, a child subreaper (Linux) that
  outlives it: a process FILE starts, even in a session of its own, stays in
  the supervisor's tree when its parent ends, instead of going to init. When
  the grading process has ended, the time limit runs out, or the grader is
  stopped by a signal (``stop_on_signals``), ``end_tree`` ends every process
  of that tree, and the temporary folder is removed.

The process that calls ``run_attempt`` is left as it was: the subreaper flag is
set in the supervisor only.
"""

import builtins
import contextlib
import dataclasses
import importlib.machinery
import importlib.util
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
import psutil

from lessongrader import catalog

SHOWN_OUTPUT = 2000  # characters of the attempt's own output shown
POLL = 0.05  # seconds between two looks at the grading process
# Python's builtins as they were before any attempt ran in this process.
BUILTINS = dict(vars(builtins))


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


class Stopped(Exception):
    """The grader received a signal that ends it: SIGTERM (a closed terminal
    or a cancelled CI job sends it), SIGHUP or SIGINT (Ctrl-C)."""

    def __init__(self, signum):
        self.signal = signal.Signals(signum).name
        super().__init__(self.signal)


STOPPING = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


@contextlib.contextmanager
def stop_on_signals():
    """Within, a signal that would end the grader raises Stopped instead, so
    that a grading under way ends its processes and removes its folder on
    the way out. Once: a second signal must not cut that clean-up short. A
    signal the caller ignores (nohup) stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives signals
        return

    def stop(signum, frame):
        for number in STOPPING:
            signal.signal(number, signal.SIG_IGN)
        raise Stopped(signum)

    previous = {number: signal.getsignal(number) for number in STOPPING}
    for number, handler in previous.items():
        if handler is not signal.SIG_IGN:
            signal.signal(number, stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


class _Capture(threading.Thread):
    """Reads a pipe to its end, keeping its beginning."""

    def __init__(self, pipe, limit=SHOWN_OUTPUT * 4):
        super().__init__(daemon=True)
        self.pipe, self.limit, self.kept, self.total = pipe, limit, bytearray(), 0

    def run(self):
        with contextlib.suppress(OSError, ValueError):
            while chunk := self.pipe.read1(65536):
                self.add(chunk)

    def add(self, chunk):
        self.total += len(chunk)
        if len(self.kept) < self.limit:
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


def _running(process):
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def end_tree(pid, wait=5.0):
    """End the process pid and every process under it; wait until they have.

    Each process is stopped (SIGSTOP) before the tree is listed again, so that
    none starts another meanwhile, and the listing is repeated until it finds
    no new one: a process whose parent ended was adopted by pid, the
    supervisor, and is found too, however deep the tree. Then all are killed
    at once. pid itself, a child of the caller, is left for the caller to reap.
    """
    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    found, new = {}, [root]
    while new:
        for process in new:
            with contextlib.suppress(psutil.Error):
                process.suspend()
            found[process.pid] = process
        try:
            below = root.children(recursive=True)
        except psutil.Error:
            below = []
        new = [process for process in below if process.pid not in found]
    for process in found.values():
        with contextlib.suppress(psutil.Error):
            process.kill()
    others = [process for process in found.values() if process.pid != pid]
    deadline = time.monotonic() + wait
    while any(map(_running, others)) and time.monotonic() < deadline:
        time.sleep(0.01)


def _wait_for_grading(proc, ended, deadline):
    """Whether the grading process ended before the deadline (the
    supervisor, proc, then writes its status to ended)."""
    while not ended.exists() and proc.poll() is None:
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL)
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
    reference: dict | None  # computed before the attempt ran: calls, pitfalls...
    expected: dict  # its arrays: "expected/<case>", "related/...", "pitfall/..."
    reference_state: str  # "done", "running" at the time limit, or "failed"
    reference_error: str  # why it failed, in a line
    logs: list  # (title, text) of the grader's own logs
    kept_log: Path | None = None

    def keep_log(self, problem, *extra):
        """The path of this run's logs, written once where they stay."""
        if self.kept_log is None:
            self.kept_log = keep_log(problem, [*extra, *self.logs])
        return self.kept_log


def _read_results(outdir):
    """The attempt's results and arrays; (None, {}) if there are none."""
    try:
        results = json.loads((outdir / "results.json").read_text())
        with np.load(outdir / "arrays.npz") as data:  # no pickles
            arrays = dict(data)
    except FileNotFoundError:
        return None, {}
    return results, arrays


def _read_reference(outdir, timed_out, returncode, log):
    """(state, meta, arrays, error) of the reference the process computed."""
    if (outdir / "reference.npz").exists():
        with np.load(outdir / "reference.npz") as npz:
            arrays = dict(npz)
        return "done", json.loads(str(arrays.pop("meta"))), arrays, ""
    failed = outdir / "reference-failed.txt"
    if failed.exists():
        return "failed", None, {}, failed.read_text()
    if timed_out:
        return "running", None, {}, ""
    why = _last_line(log) or f"the process ended with status {returncode}"
    return "failed", None, {}, why


def _environment():
    env = dict(os.environ)
    env.setdefault("JAX_PLATFORMS", "cpu")  # no search for an accelerator
    # The process imports this very package, and finds the same problems.
    path = [str(catalog.PACKAGE.parent), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in path if p)
    env["LESSONGRADER_PROBLEMS"] = str(catalog.root())
    return env


def run_attempt(problem, path, timeout):
    """Compute the reference, then run the attempt, in one process of its own.

    The attempt's results count once the process has written them, even if
    something it started still runs; every process started for the grading
    is ended before anything is read. Stopped (stop_on_signals) passes
    through, after the same clean-up.
    """
    deadline = time.monotonic() + timeout
    # The attempt may leave files there that cannot be removed: not a failure.
    with tempfile.TemporaryDirectory(
        prefix="lessongrader-", ignore_cleanup_errors=True
    ) as tmp:
        outdir, proc = Path(tmp), None
        grading = [sys.executable, "-m", "lessongrader.isolation"]
        supervisor = [sys.executable, "-m", "lessongrader.supervise"]
        try:
            proc = subprocess.Popen(
                [*supervisor, str(outdir / "ended"), *grading, problem, str(path), tmp],
                env=_environment(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                # Ctrl-C in a terminal reaches the grader alone, which ends the tree.
                start_new_session=True,
            )
            capture = _Capture(proc.stdout)
            capture.start()
            ended = _wait_for_grading(proc, outdir / "ended", deadline)
            timed_out = not ended and not (outdir / "results.json").exists()
        finally:
            if proc is not None:
                end_tree(proc.pid)
                proc.wait()
                capture.finish()
        # What a case that never ended printed (_case_output).
        for path in sorted(outdir.glob("case-*.out")):
            capture.add(path.read_bytes())
        # Read only now: nothing the attempt started runs any more.
        results, arrays = _read_results(outdir) if not timed_out else (None, {})
        log = _read_text(outdir / "grader.log")
        status = _read_text(outdir / "ended")
        returncode = int(status) if status else proc.returncode
        state, meta, expected, error = _read_reference(
            outdir, timed_out, returncode, log
        )
        logs = [("the grader's process", log)]
        if state == "failed":
            logs.insert(0, ("the grader", f"Computing the reference failed: {error}"))
        return Run(
            results=results,
            arrays=arrays,
            output=capture.text(),
            timed_out=timed_out,
            progress=_read_text(outdir / "progress"),
            returncode=returncode,
            timeout=timeout,
            reference=meta,
            expected=expected,
            reference_state=state,
            reference_error=error,
            logs=logs,
        )


# -- The grading process's side -----------------------------------------------


def _flush():
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):  # the attempt may have closed it
            stream.flush()


@contextlib.contextmanager
def _output_to(path):
    """Send this process's stdout and stderr, at the descriptor level, to path;
    yield whether it could (not if the attempt closed them)."""
    _flush()
    saved = []
    try:
        saved.append(os.dup(1))
        saved.append(os.dup(2))
    except OSError:
        for fd in saved:
            os.close(fd)
        yield False
        return
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    try:
        yield True
    finally:
        _flush()
        for fd, copy in zip((1, 2), saved, strict=True):
            os.dup2(copy, fd)
            os.close(copy)


@contextlib.contextmanager
def _case_output(path):
    """What the attempt prints during one case, kept in path, then passed on
    to the output, where it goes in any case; gives a function returning it."""
    kept = []
    with _output_to(path) as redirected:
        yield lambda: "".join(kept)
    if redirected:
        data = path.read_bytes()
        kept.append(data[: SHOWN_OUTPUT * 4].decode(errors="replace"))
        with contextlib.suppress(OSError):
            while data:
                data = data[os.write(1, data) :]
        path.unlink()  # passed on: a file left is a case that never ended


def write_reference(name, outdir):
    """Compute the reference's and the known mistakes' outputs, before the
    attempt is imported, into OUTDIR/reference.npz; or why that failed into
    reference-failed.txt. Whether it succeeded."""
    with _output_to(outdir / "grader.log"):
        try:
            from lessongrader import execute

            meta, arrays = execute.reference(catalog.discover()[name])
            np.savez(outdir / "reference.tmp.npz", meta=json.dumps(meta), **arrays)
            os.replace(outdir / "reference.tmp.npz", outdir / "reference.npz")
            return True
        except Exception as exc:
            traceback.print_exc()
            why = f"{type(exc).__name__}: {exc}"[:400]
            (outdir / "reference-failed.txt").write_text(why)
            return False


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
    from lessongrader import execute

    problem = catalog.discover()[name]
    spec = execute.spec_of(problem)
    cases = execute.trials(problem, spec)
    progress = outdir / "progress"

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

    progress.write_text("looking for your function")
    results["stage"] = "function"
    fn = getattr(module, name, None)
    if not callable(fn):
        results["defined"] = sorted(
            key
            for key, value in vars(module).items()
            if callable(value) and getattr(value, "__module__", "") == "__attempt__"
        )
        return
    if not execute.check_signature(fn, problem.parameters, cases[0].arguments, results):
        return
    execute.run_cases(
        cases, fn, vars(module), results, arrays, error,
        progress=progress.write_text,
        capture=lambda i: _case_output(outdir / f"case-{i}.out"),
    )  # fmt: skip


def _restore_builtins():
    """Put back the builtins the attempt replaced; return their names."""
    current = vars(builtins)
    changed = sorted(
        name for name, value in BUILTINS.items() if current.get(name) is not value
    )
    current.update(BUILTINS)
    return changed


def _write(outdir, results, arrays):
    # The arrays first: results.json, written last, says the run is complete.
    np.savez(outdir / "arrays.tmp.npz", **arrays)
    os.replace(outdir / "arrays.tmp.npz", outdir / "arrays.npz")
    (outdir / "results.tmp.json").write_text(json.dumps(results))
    os.replace(outdir / "results.tmp.json", outdir / "results.json")


def _append(path, text):
    with open(path, "a") as f:
        f.write(text)


def grade_attempt(name, attempt, outdir):
    """Run the attempt on every case, and write what it did into outdir."""
    from lessongrader.execute import graders_warnings_to, safe_text

    results, arrays = {"stage": "starting", "attempt_ran": False}, {}
    log = outdir / "grader.log"
    try:
        with graders_warnings_to(lambda text: _append(log, text)):
            _run(name, os.path.realpath(attempt), outdir, results, arrays)
    except BaseException as exc:  # a fault of the grader, or the attempt broke it
        # The grader needs its builtins back to say so.
        changed = _restore_builtins()
        with log.open("a") as f:
            traceback.print_exc(file=f)
        message = f"{type(exc).__name__}: {safe_text(exc)}"
        results = {
            "stage": "internal",
            "message": message[:400],
            "attempt_ran": results["attempt_ran"],
            "builtins_changed": changed,
        }
        arrays = {}
    else:
        _restore_builtins()
    _flush()  # what the attempt printed
    (outdir / "progress").write_text("writing the results")
    _write(outdir, results, arrays)


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: python -m lessongrader.isolation PROBLEM FILE OUTDIR")
    name, attempt, outdir = argv
    outdir = Path(outdir)
    if not write_reference(name, outdir):
        sys.exit(1)  # the attempt was not imported
    grade_attempt(name, attempt, outdir)
    # Whatever the attempt left running in this process ends here.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
