"""The command: grade an attempt at a problem, and practise.

    python3 -m nox -s check -- PROBLEM FILE [--timeout S] [--format json]
    python3 -m nox -s check -- --watch PROBLEM [FILE]   # grade at each save
    python3 -m nox -s check -- --progress               # every attempt in attempts/
    python3 -m nox -s check -- --hint PROBLEM [N]       # hint N, from 1
    python3 -m nox -s check -- --list
    python3 -m nox -s check -- --starter PROBLEM [--output PATH]

(or ``python -m lessongrader ...`` with a python that has jax and flax).

FILE runs in a process of its own, with your privileges and a time limit;
that process computes the reference outputs before it imports FILE
(``lessongrader.isolation``). It checks your answer; it is not a sandbox.
Exit status:

- 0: every case passed;
- 1: the attempt ran and is wrong in at least one case, or is not attempted
  yet (it still raises ``NotImplementedError``, as a starter file does);
- 2: it could not be graded (no such file, syntax error, exception while
  importing it, no function of that name, other parameter names, time
  limit), the grading was stopped by a signal, the command was used wrongly,
  or the grader failed: then its log is kept, and the report says where.

``--watch`` ends on Ctrl-C, with status 0, or 2 if that stopped a grading;
``--progress`` exits 0 when every problem is solved, 1 otherwise. Listing
problems, writing starters and hints import no JAX.
"""

import argparse
import contextlib
import difflib
import io
import json
import sys
import textwrap
import time
import tokenize
import traceback
from pathlib import Path

PROG = "python3 -m nox -s check --"
DEFAULT_TIMEOUT = 120.0
STARTERS = "attempts"  # where --starter writes, ignored by git
WATCH_INTERVAL = 0.5  # seconds between two looks at a watched file
MODES = ("list", "starter", "watch", "progress", "hint")  # options that go alone
PROGRESS_WIDTH = 120  # characters of a line of --progress

try:
    import numpy  # noqa: F401
except ImportError:  # started with a python that lacks the project's packages
    print(
        f"This python has no numpy: run the grader as {PROG} ..., which installs "
        "what it needs.",
        file=sys.stderr,
    )
    sys.exit(2)

from lessongrader import catalog, isolation  # noqa: E402
from lessongrader import report as reports  # noqa: E402
from lessongrader.isolation import Stopped  # noqa: E402
from lessongrader.report import PASSED, UNGRADABLE, WRONG  # noqa: E402
from lessongrader.results import results  # noqa: E402
from lessongrader.text import shorten, visible  # noqa: E402


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


def report_on(problem, file, timeout):
    """The report on FILE, graded (or why it cannot be)."""
    path = Path(file)
    if not path.exists():
        return reports.cannot(f"{file} does not exist.")
    if not path.is_file():
        return reports.cannot(f"{file} is not a file.")
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
        return reports.cannot(text, extra=extra)
    except (OSError, ValueError) as exc:
        return reports.cannot(f"{file} cannot be read as Python: {exc}.")
    run = isolation.run_attempt(problem.name, path.resolve(), timeout)
    try:
        return reports.isolated(problem, file, run, DEFAULT_TIMEOUT)
    except Exception:  # the grader's own fault: its log, not a traceback
        kept = run.keep_log(problem.name, ("the grader", traceback.format_exc()))
        return reports.cannot(
            "internal error in the grader, while writing its report. The "
            f"grader's log is kept in {kept}."
        )


def stopped_text(stop):
    return (
        f"Grading stopped: the grader received {stop.signal}. Your file's process, "
        "and every process it started, ended with it."
    )


def grade(problem, file, timeout, form="text"):
    """Grade FILE and print the report; its exit status."""
    if form == "json":
        try:
            report = report_on(problem, file, timeout)
        except Stopped as stop:
            report = reports.cannot(stopped_text(stop))
        print(json.dumps(results(report), indent=2))
        return report.status
    print(visible(f"Grading {problem.name} (lesson {problem.lesson})\nFile: {file}\n"))
    report = report_on(problem, file, timeout)  # Stopped: main says so
    print(report.text())
    return report.status


def _stamp(path):
    """What changes when the file is saved: its modification time and size."""
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def watch(problem, file, timeout):
    """Grade FILE now, then again each time it is saved, until Ctrl-C."""
    print(f"Watching {file}: graded each time you save it. Ctrl-C stops.\n")
    # Each report is flushed as it is written: a reader of a pipe sees it then.
    seen, grading = None, False
    try:
        while True:
            stamp = _stamp(file)
            if stamp != seen:
                seen, grading = stamp, True
                grade(problem, file, timeout)
                grading = False
                print(f"\nWatching {file} (Ctrl-C stops).", flush=True)
            time.sleep(WATCH_INTERVAL)
    except Stopped as stop:
        if grading:
            print(f"\n{stopped_text(stop)}")
        print(f"\nStopped watching {file}.")
        return UNGRADABLE if grading else PASSED


def _first_words(report):
    """One line on a report: its first diagnosis, or why it was not graded."""
    if report.status == PASSED:
        return "solved"
    if report.message.startswith("[not-attempted]"):
        return "not started"
    if report.diagnoses:
        first = report.diagnoses[0]
        return f"[{first.name}] {first.title}"
    return " ".join(report.message.split())


def progress(problems, timeout):
    """One line per problem: its attempt in attempts/, graded."""
    print(f"Your attempts in {STARTERS}/ (start one with {PROG} --starter PROBLEM):")
    width = max(len(name) for name in problems)
    solved = 0
    for problem in problems.values():
        file = f"{STARTERS}/{problem.name}.py"
        if Path(file).exists():
            report = report_on(problem, file, timeout)
            words = _first_words(report)
            solved += report.status == PASSED
        else:
            words = "not started"
        line = f"  {problem.name:{width}}  lesson {problem.lesson}: {words}"
        print(visible(shorten(line, PROGRESS_WIDTH)))
    print(f"\n{solved} of {len(problems)} solved.")
    return PASSED if solved == len(problems) else WRONG


def show_hint(problem, n):
    try:
        heading, text = problem.hint(n)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    print(f"{heading}\n\n{text}")
    if n < len(problem.hints):
        print(f"\nThe next one: {PROG} --hint {problem.name} {n + 1}")
    return PASSED


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
    """The starter file: the imports, the signature, the contract as its
    docstring, and ``raise NotImplementedError``."""
    contract = textwrap.indent(problem.contract_text().strip(), "    ")
    return (
        f'"""Attempt at the {problem.name} problem (lesson {problem.lesson}).\n\n'
        f"Grade it with: {PROG} {problem.name} {output}\n"
        f"Stuck? The steps are hint 1: {PROG} --hint {problem.name} 1\n"
        '"""\n\n'
        + "\n".join(problem.imports)
        + "\n\n\n"
        + starter_function(problem, contract)
    )


def starter_function(problem, contract=None):
    """What to write: the classes the contract names (the grader builds
    them too), then the function: its signature, the contract, the raise."""
    if contract is None:
        contract = textwrap.indent(problem.contract_text().strip(), "    ")
    stubs = f"{problem.stubs}\n\n\n" if problem.stubs else ""
    return (
        f"{stubs}def {problem.name}({problem.signature}):\n"
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
    p.add_argument(
        "file", nargs="?", help="the Python file with your attempt (with --hint: N)"
    )
    p.add_argument(
        "--timeout",
        type=_timeout,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"time limit in seconds for the whole run (default {DEFAULT_TIMEOUT:g})",
    )
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json: the report as Exercism's results.json, version 3",
    )
    p.add_argument(
        "--watch",
        action="store_true",
        help=f"grade FILE (default {STARTERS}/PROBLEM.py) each time it is saved",
    )
    p.add_argument(
        "--progress",
        action="store_true",
        help=f"grade every attempt in {STARTERS}/: one line per problem",
    )
    p.add_argument("--hint", action="store_true", help="show hint N of PROBLEM")
    p.add_argument("--list", action="store_true", help="list the problems")
    p.add_argument("--starter", metavar="PROBLEM", help="write a starter file")
    p.add_argument(
        "--output",
        metavar="PATH",
        help=f"where --starter writes (default {STARTERS}/PROBLEM.py)",
    )
    return p


def _hint_number(text):
    try:
        return int(text or 1)
    except ValueError:
        raise UsageError(f"--hint takes a problem and a number: not {text!r}") from None


def run(args, problems):
    """What the arguments ask for; its exit status."""
    modes = [m for m in MODES if getattr(args, m)]
    if len(modes) > 1:
        raise UsageError(f"--{modes[0]} and --{modes[1]} go alone", usage=True)
    if args.output and not args.starter:
        raise UsageError("--output goes with --starter", usage=True)
    if args.format == "json" and modes:
        raise UsageError("--format goes with PROBLEM FILE", usage=True)
    if args.list or args.progress:
        if args.problem or args.starter:
            raise UsageError(f"--{modes[0]} takes no other argument", usage=True)
        if args.list:
            return list_problems(problems)
        return progress(problems, args.timeout)
    if args.starter:
        if args.problem:
            raise UsageError("--starter takes a problem, and no FILE", usage=True)
        problem = _problem(problems, args.starter)
        return write_starter(problem, args.output or f"{STARTERS}/{problem.name}.py")
    if not args.problem:
        raise UsageError(
            "give a PROBLEM and a FILE (or --list, --progress, --starter PROBLEM)",
            usage=True,
        )
    if args.problem not in problems and args.file in problems:
        raise UsageError(f"the problem comes first: {PROG} {args.file} {args.problem}")
    problem = _problem(problems, args.problem)
    if args.hint:
        return show_hint(problem, _hint_number(args.file))
    if args.watch:
        file = args.file or f"{STARTERS}/{problem.name}.py"
        return watch(problem, file, args.timeout)
    if not args.file:
        raise UsageError("give a PROBLEM and a FILE", usage=True)
    return grade(problem, args.file, args.timeout, args.format)


def main(argv=None):
    p = parser()
    args = p.parse_args(argv)
    try:
        # A signal that ends the grader ends what it started first (Stopped).
        with isolation.stop_on_signals():
            return run(args, catalog.discover())
    except UsageError as exc:
        if exc.usage:
            p.print_usage(sys.stderr)
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return UNGRADABLE
    except Stopped as stop:
        with contextlib.suppress(OSError):  # a closed terminal may have sent it
            print(f"\n{stopped_text(stop)}", flush=True)
        return UNGRADABLE
    except BrokenPipeError:
        raise  # the reader went away: not a fault of the grader
    except Exception as exc:  # the grader's own fault: a message, no traceback
        message = f"{PROG}: internal error: {type(exc).__name__}: {exc}"
        with contextlib.suppress(OSError):
            kept = isolation.keep_log("check", [("the grader", traceback.format_exc())])
            message += f". The grader's log is kept in {kept}."
        print(visible(message), file=sys.stderr)
        return UNGRADABLE
