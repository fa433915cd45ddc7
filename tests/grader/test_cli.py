"""The grader, run the way a learner runs it: ``python -m lessongrader``.

Each file under ``examples/<problem>/attempts/`` is a mistake a learner makes;
each under ``tests/grader/attempts/<problem>/`` tests the grader itself (a
process left behind, a closed output, terminal escapes, a time limit, an odd
output). Its ``# expect: STATUS TEXT`` lines give the exit status the grader
must return and a text its report must contain, and an ``# args:`` line adds
options. An attempt that starts processes writes their ids to
``$ATTEMPT_PIDS``: none may outlive the grading. A reference solution and a
fresh starter are graded too.

The learners' answers that run, right or wrong, are many, and the command
handles each the same way: its processes, its pipe and its exit statuses do
not depend on the problem. It grades, of each problem, the answer its lesson
shows, and that report must be the one the built page shows; each lesson's
notebook grades the starter, every such answer and the reference
(tests/notebook), with the same engine and held to the same lines. Every
attempt is graded somewhere (test_every_attempt_is_graded).

Out of scope: the grader is a self-check, not a sandbox. A file can forge its
grade (read the reference's outputs where the grading process keeps them,
rewrite the grader's frames or files); no test here asks the grader to notice.

A grading run spends most of its time starting JAX, so the runs the selected
tests need are all started at once, by one fixture, as many at a time as there
are processors; each test then waits for its own.
"""

import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
import psutil
import pytest
from project import (
    GRADER_ATTEMPTS,
    LESSONS,
    expected,
    grader_attempts,
    plain_attempts,
    shown_attempt,
    shown_report,
)
from sitebuild import ROOT

from lessongrader import catalog

PROBLEMS = catalog.discover()
# A run that takes longer is a hung grader, not a slow one.
RUN_LIMIT = 300
SYNTAX_ERROR = "def dropout_forward(seed, x, rate, deterministic)\n    return x\n"


def check(*args, cwd=ROOT, env=()):
    return subprocess.run(
        [sys.executable, "-m", "lessongrader", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=RUN_LIMIT,
        env={**os.environ, "JAX_PLATFORMS": "cpu", **dict(env)},
    )


def alive(pid):
    """Whether a process runs (a zombie has ended, and awaits only its parent)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


@dataclasses.dataclass(frozen=True)
class Grading:
    """One grading run, and what its report must say."""

    name: str
    problem: str
    attempt: str  # a path from the repository root, or "starter" or "syntax-error"
    status: int
    texts: tuple[str, ...]
    options: tuple[str, ...] = ()

    def run(self, scratch):
        """The finished grading, and the processes the attempt said it started."""
        attempt = self.attempt
        if attempt == "starter":
            attempt = scratch / f"{self.problem}.py"
            written = check("--starter", self.problem, "--output", attempt)
            assert written.returncode == 0, written.stdout + written.stderr
        elif attempt == "syntax-error":
            attempt = scratch / "syntax_error.py"
            attempt.write_text(SYNTAX_ERROR)
        pids = scratch / f"{self.name.replace('/', '-')}.pids"
        result = check(self.problem, attempt, *self.options, env={"ATTEMPT_PIDS": pids})
        started = pids.read_text().split() if pids.exists() else []
        return result, [int(pid) for pid in started]


def expectations(problem, path):
    """The Grading an attempt file asks for, from its comments."""
    wanted = expected(path)
    return Grading(
        name=f"{problem}/{path.stem}",
        problem=problem,
        attempt=str(path.relative_to(ROOT)),
        status=wanted.status,
        texts=wanted.texts,
        options=wanted.options,
    )


def by_the_command(problem):
    """A problem's attempts the command grades here: those a notebook cannot
    (status 2), and the one the problem's lesson shows."""
    plain = {p.resolve() for p in plain_attempts(problem)}
    plain.discard(shown_attempt(problem).resolve())
    return [path for path in problem.attempts if path.resolve() not in plain]


# The reference and the starter of one problem; tests/notebook grades every
# problem's, in the kernel.
ONE = "dropout_forward"
GRADINGS = [
    Grading(
        f"{ONE}/reference", ONE, f"examples/{ONE}/solution.py", 0, ("cases passed",)
    ),
    Grading(f"{ONE}/starter", ONE, "starter", 1, ("[not-attempted]", "Not attempted")),
    Grading(
        f"{ONE}/syntax_error",
        ONE,
        "syntax-error",
        2,
        ("SyntaxError in", "syntax_error.py, line 1: expected ':'"),
    ),
    *(
        expectations(p.name, path)
        for p in PROBLEMS.values()
        for path in by_the_command(p)
    ),
    *(expectations(problem, path) for problem, path in grader_attempts()),
]
SHOWN = {
    slug: next(
        g
        for g in GRADINGS
        if (ROOT / g.attempt).resolve() == shown_attempt(PROBLEMS[name]).resolve()
    )
    for slug, name in LESSONS.items()
}
# The slowest first, so that it overlaps the others.
GRADINGS.sort(key=lambda g: "--timeout" not in g.options)


@pytest.fixture(scope="session")
def graded(request, tmp_path_factory):
    """Start every grading run the selected tests need; map name to future."""
    scratch = tmp_path_factory.mktemp("attempts")
    needed = {
        item.callspec.params["grading"]
        for item in request.session.items
        if "grading" in getattr(getattr(item, "callspec", None), "params", {})
    }
    # One more than the processors: the run that hangs sleeps for its 20 s.
    with ThreadPoolExecutor(max_workers=(os.cpu_count() or 2) + 1) as pool:
        yield {g.name: pool.submit(g.run, scratch) for g in GRADINGS if g in needed}


def test_every_problem_is_listed_and_has_attempts():
    listed = check("--list")
    assert listed.returncode == 0, listed.stderr
    assert re.findall(r"^  (\w+) +lesson [\w-]+$", listed.stdout, re.MULTILINE) == (
        list(PROBLEMS)
    )
    assert all(problem.attempts for problem in PROBLEMS.values())


# One worker (pytest -n) runs them all: the fixture starts every run at once.
@pytest.mark.xdist_group("gradings")
@pytest.mark.parametrize("grading", GRADINGS, ids=lambda g: g.name)
def test_grading(grading, graded):
    result, pids = graded[grading.name].result()
    left = [pid for pid in pids if alive(pid)]
    for pid in left:  # leave none behind the test either
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes the attempt started outlived the grading: {left}"
    report = result.stdout + result.stderr
    assert result.returncode == grading.status, report
    words = " ".join(report.split())  # reports are wrapped to the terminal
    for text in grading.texts:
        assert text in words, f"{text!r} missing from:\n{report}"
    assert "Traceback" not in report, report
    # Nothing of the grader's own (its warnings, its paths) passes for the file's.
    assert str(catalog.PACKAGE) not in report, report
    if grading.status == 2:
        assert "Could not grade:" in report, report


# With the gradings above: the fixture starts these runs with the others.
@pytest.mark.xdist_group("gradings")
@pytest.mark.parametrize(
    ("slug", "grading"), SHOWN.items(), ids=lambda v: getattr(v, "name", v)
)
def test_the_report_a_lesson_shows_is_the_one_the_command_prints(slug, grading, graded):
    """The grading shown on the page ran in the build; here it runs again,
    as a learner runs it, and prints the same report, byte for byte."""
    result, _ = graded[grading.name].result()
    assert result.stdout.rstrip() == shown_report(slug)


def test_a_class_the_contract_names_and_the_file_lacks_is_named(tmp_path):
    attempt = tmp_path / "misnamed.py"
    source = (ROOT / "examples/dropout_forward/solution.py").read_text()
    attempt.write_text(source.replace("MyDropout", "Dropout"))
    result = check("dropout_forward", attempt)
    report = " ".join(result.stdout.split())
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "[missing-name] The contract names `MyDropout`; your file defines none "
        "(it defines `Dropout`: is that it?)"
    ) in report


def test_starter_is_not_overwritten(tmp_path):
    existing = tmp_path / "mine.py"
    existing.write_text("# my work\n")
    result = check("--starter", "dropout_forward", "--output", existing)
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert existing.read_text() == "# my work\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dropout_foward", "x.py"], "Did you mean dropout_forward?"),
        (["tests/x.py", "dropout_forward"], "the problem comes first"),
        (["dropout_forward"], "give a PROBLEM and a FILE"),
        (["dropout_forward", "x.py", "--timeout", "0"], "positive number"),
        (["dropout_forward", "no/such/file.py"], "does not exist"),
    ],
)
def test_misuse_is_status_2(args, message):
    result = check(*args)
    assert result.returncode == 2
    assert message in " ".join((result.stdout + result.stderr).split())
    assert "Traceback" not in result.stderr


def test_a_fault_of_the_grader_keeps_its_log():
    # A backend that does not exist: JAX fails in the grader's own code.
    result = check(
        "dropout_forward",
        "examples/dropout_forward/solution.py",
        env={"JAX_PLATFORMS": "no-such-backend"},
    )
    report = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 2, report
    assert "Traceback" not in report, report
    kept = re.search(r"The grader's log is kept in (\S+?)\.? ", report + " ")
    assert kept, report
    log = Path(kept.group(1))
    try:
        assert "Traceback" in log.read_text() and "no-such-backend" in log.read_text()
    finally:
        log.unlink(missing_ok=True)


def test_python_without_the_packages_gets_a_message_not_a_traceback():
    # As when a learner runs python3 -m lessongrader outside the environment.
    hide_numpy = (
        "import runpy, sys; sys.modules['numpy'] = None; "
        "runpy.run_module('lessongrader', run_name='__main__')"
    )
    result = subprocess.run(
        [sys.executable, "-c", hide_numpy, "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "python3 -m nox -s check --" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_attempt_is_graded():
    """By the command here, or by its lesson's notebook in tests/notebook."""
    folders = {path.name for path in GRADER_ATTEMPTS.iterdir() if path.is_dir()}
    assert folders <= set(PROBLEMS), "tests/grader/attempts/<problem>/ only"
    graded_here = {(ROOT / g.attempt).resolve() for g in GRADINGS}
    assert {path.resolve() for _, path in grader_attempts()} <= graded_here
    for problem in PROBLEMS.values():
        every = {path.resolve() for path in problem.attempts}
        runs = {
            (ROOT / g.attempt).resolve() for g in GRADINGS if g.problem == problem.name
        }
        here = runs & every
        in_the_notebook = {path.resolve() for path in plain_attempts(problem)}
        assert here | in_the_notebook == every, problem.name
        assert shown_attempt(problem).resolve() in here & in_the_notebook


def grader(*args, env=()):
    """The command, started: ``runpy`` gives it Python's own SIGINT handler,
    which a test process started in the background may lack (ignored)."""
    start = (
        "import runpy, signal, sys; "
        "signal.signal(signal.SIGINT, signal.default_int_handler); "
        "sys.argv[0] = 'lessongrader'; "
        "runpy.run_module('lessongrader', run_name='__main__')"
    )
    return subprocess.Popen(
        [sys.executable, "-c", start, *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "JAX_PLATFORMS": "cpu", **{k: str(v) for k, v in env}},
    )


def wait_for(condition, process, what, limit=RUN_LIMIT):
    deadline = time.monotonic() + limit
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"no {what} after {limit} s"
        time.sleep(0.1)


HANGS = GRADER_ATTEMPTS / "dropout_forward" / "hangs_with_a_child.py"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_to_the_grader_ends_the_grading_and_what_it_started(signum, tmp_path):
    """As a closed terminal (SIGHUP), a cancelled CI job (SIGTERM) or Ctrl-C
    (SIGINT) ends the grader: the attempt and its child end too, the
    temporary folder goes, and a last line says the grading was stopped."""
    pids, temporary = tmp_path / "pids", tmp_path / "tmp"
    temporary.mkdir()
    env = [("ATTEMPT_PIDS", pids), ("TMPDIR", temporary)]
    run = grader("dropout_forward", HANGS, "--timeout", RUN_LIMIT, env=env)
    wait_for(pids.exists, run, "attempt running")
    started = [int(pid) for pid in pids.read_text().split()]
    run.send_signal(signum)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 2, out + err
    name = signal.Signals(signum).name
    assert (
        out.rstrip()
        .splitlines()[-1]
        .startswith(f"Grading stopped: the grader received {name}.")
    ), out
    assert "Traceback" not in out + err, out + err
    assert not [pid for pid in started if alive(pid)]
    assert not list(temporary.glob("lessongrader-*"))


def children(pid):
    return psutil.Process(pid).children(recursive=True)


def test_watch_grades_at_each_save_and_ends_cleanly_on_ctrl_c(tmp_path):
    attempt = tmp_path / "dropout_forward.py"
    shutil.copy(ROOT / "examples/dropout_forward/attempts/no_rescale.py", attempt)
    lines = []
    with grader("--watch", "dropout_forward", attempt) as run:
        reader = threading.Thread(target=lambda: lines.extend(run.stdout))
        reader.start()

        def reports():
            return [line for line in lines if line.endswith("cases passed.\n")]

        try:
            wait_for(lambda: len(reports()) == 1, run, "first report")
            assert "[no-rescale]" in "".join(lines)
            time.sleep(0.05)  # a later modification time, where it is kept coarsely
            shutil.copy(ROOT / "examples/dropout_forward/solution.py", attempt)
            wait_for(lambda: len(reports()) == 2, run, "report after the save")
            assert re.fullmatch(r"(\d+) of \1 cases passed\.\n", reports()[1])
            wait_for(lambda: lines[-1].startswith("Watching"), run, "watching again")
            assert not children(run.pid)
            run.send_signal(signal.SIGINT)
            run.wait(timeout=60)
        finally:
            # A failed assertion must not leave the test waiting for a watch
            # that never ends.
            if run.poll() is None:
                run.kill()
        reader.join(timeout=10)
        err = run.stderr.read()
    assert run.returncode == 0, "".join(lines) + err
    assert lines[-1] == f"Stopped watching {attempt}.\n"
    assert "Traceback" not in "".join(lines) + err


def test_progress_says_where_each_problem_stands(tmp_path):
    attempts = tmp_path / "attempts"
    attempts.mkdir()
    shutil.copy(
        ROOT / "examples/dropout_forward/solution.py", attempts / "dropout_forward.py"
    )
    shutil.copy(
        ROOT / "examples/train_eval_forward/attempts/flag_inverted.py",
        attempts / "train_eval_forward.py",
    )
    written = check("--starter", "batchnorm_forward", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    result = check("--progress", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    found = dict(re.findall(r"^  (\w+) +(lesson [\w-]+: .*)$", result.stdout, re.M))
    assert found == {
        name: f"lesson {problem.lesson}: "
        + {
            "dropout_forward": "solved",
            "train_eval_forward": "[flag-inverted] The train/eval flag is inverted",
        }.get(name, "not started")
        for name, problem in PROBLEMS.items()
    }, result.stdout
    assert result.stdout.rstrip().endswith(f"1 of {len(PROBLEMS)} solved.")


SCHEMA = json.loads((catalog.PACKAGE / "results.schema.json").read_text())
PRINTS = """
from lessongrader.problems.dropout_forward.solution import MyDropout
from lessongrader.problems.dropout_forward.solution import dropout_forward as right


def dropout_forward(seed, x, rate, deterministic):
    print(f"seed {seed}: " + "x" * 600)
    return right(seed, x, rate, deterministic)
"""


def test_json_reports_follow_the_schema_kept_in_the_repository(tmp_path):
    """One of each verdict: pass, fail, error; and what each case printed."""
    prints = tmp_path / "prints.py"
    prints.write_text(PRINTS)
    broken = tmp_path / "broken.py"
    broken.write_text(SYNTAX_ERROR)
    attempts = {
        "pass": prints,
        "fail": ROOT / "examples/dropout_forward/attempts/p_equals_rate.py",
        "error": broken,
    }
    for status, attempt in attempts.items():
        result = check("dropout_forward", attempt, "--format", "json")
        assert result.returncode == {"pass": 0, "fail": 1, "error": 2}[status]
        report = json.loads(result.stdout)
        jsonschema.validate(report, SCHEMA)
        assert report["status"] == status, report
        if status == "error":
            assert "SyntaxError" in report["message"] and report["tests"] == []
            continue
        tests = report["tests"]
        count = len(PROBLEMS["dropout_forward"].cases())
        assert [t["name"] for t in tests] == [
            f"case {n}" for n in range(1, len(tests) + 1)
        ]
        # The function's cases, then the checks of MyDropout, which call no
        # dropout_forward: they print nothing.
        assert len(tests) > count
        assert all("seed=" in t["test_code"] for t in tests[:count])
        if status == "pass":
            assert all(t["output"] is None for t in tests[count:])
            for test in tests[:count]:
                seed = re.search(r"seed=([\d.]+)", test["test_code"]).group(1)
                assert test["output"].startswith(f"seed {seed}: xxx")
                assert len(test["output"]) == 500, test["output"]
        else:
            failed = [t for t in tests if t["status"] == "fail"]
            assert len(failed) == 4 and "[p-equals-rate]" in failed[0]["message"]
