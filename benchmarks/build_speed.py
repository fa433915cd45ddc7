"""How long the site takes to build, next to the floor set by its code alone.

    python benchmarks/build_speed.py [--repeat N] [--lesson NAME]

Run it with the python of an installed environment (``nox -s bench``). Each
round measures, on this machine:

- the floor: the code cells of all lessons run in one process (imports paid
  once), and of the edited lesson on its own (benchmarks/run_cells.py);
- a cold build: no execution cache, no output;
- a cold build as stock MyST-NB makes it: each notebook executed when its
  page is read (``-D parallel_execution_jobs=1``), no XLA compilation cache;
- a rebuild with nothing changed;
- a rebuild after a code cell of one lesson changed, checked from the build
  log to have executed that lesson and no other.

Every build is timed as ``nox -s docs`` runs it, nox's own start included. The
builds read a copy of docs/ in build/bench/src, so that an edit never touches
the real pages. Every figure is the median of the rounds, with min and max;
they go to build/bench/build_speed.json, and the figures and a line of the log
to benchmarks/README.md.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import sitebuild
from sitebuild import BUILD, DOCS, ROOT

WORK = BUILD / "bench"
SRC = WORK / "src" / "docs"
OUT = WORK / "out"
STOCK = WORK / "stock"
LOGS = WORK / "logs"
README = Path(__file__).resolve().parent / "README.md"

# Targets (issue 29), with the environment installed.
COLD_OVER_FLOOR = 1.1
NO_CHANGE_SECONDS = 3.0
EDIT_OVER_LESSON_FLOOR_SECONDS = 3.0

# What MyST-NB and parallel_execution.py log as they execute a notebook.
EXECUTING = re.compile(r"([^/\s]+)\.md: Executing (?:its )?notebook")
STOCK_OPTIONS = ["-D", "parallel_execution_jobs=1"]


def fresh_sources():
    """Copy docs/ into SRC, beside links to the rest of the repository, so
    that a path a page takes from its parent (`../examples`) resolves."""
    shutil.rmtree(SRC.parent, ignore_errors=True)
    shutil.copytree(DOCS, SRC)
    for entry in ROOT.iterdir():
        if entry.name not in ("docs", "build") and not entry.name.startswith("."):
            (SRC.parent / entry.name).symlink_to(entry)


def environment(folder, stock=False):
    """The build's environment, with a compilation cache of its own (the
    build's and the grader's), or none for a stock build."""
    env = dict(os.environ, JAX_COMPILATION_CACHE_DIR=str(folder / ".jax_cache"))
    if stock:
        env["JAX_ENABLE_COMPILATION_CACHE"] = "false"
    return env


class PeakMemory(threading.Thread):
    """The peak of the RSS summed over a process and its children."""

    def __init__(self, pid, interval=0.05):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(self.interval):
            total = 0
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return
            for process in processes:
                try:
                    total += process.memory_info().rss
                except psutil.Error:  # ended meanwhile
                    pass
            self.peak = max(self.peak, total)


def run(command, log, env):
    """Run a command to its end: (seconds, peak RSS of its process tree)."""
    with log.open("a") as output:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        memory = PeakMemory(process.pid)
        memory.start()
        code = process.wait()
        seconds = time.perf_counter() - start
        memory.stopped.set()
        memory.join()
    if code:
        sys.exit(f"failed ({code}): {' '.join(map(str, command))}; see {log}")
    return seconds, memory.peak


def floor(pages, log):
    """Run the pages' code in one process, from an empty compilation cache,
    as a cold build starts: its own clock's seconds, and peak memory."""
    folder = WORK / "floor"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    result_file = folder / "result.json"
    command = [sys.executable, ROOT / "benchmarks" / "run_cells.py", result_file]
    env = environment(folder)
    env.setdefault("MPLBACKEND", "Agg")  # no window for plt.show()
    _, peak = run([*command, *pages], log, env)
    # Reading the pages is not part of the floor.
    return json.loads(result_file.read_text())["total"], peak


def build(log, out, *options, stock=False):
    """One build of SRC by `nox -s docs`: seconds, peak memory, and the
    lessons it executed (from its log)."""
    log.unlink(missing_ok=True)
    command = [sys.executable, "-m", "nox", "-s", "docs", "--"]
    command += ["--build", out, "--docs", SRC, *options]
    seconds, peak = run(command, log, environment(out, stock))
    return seconds, peak, sorted(set(EXECUTING.findall(log.read_text())))


def edit_code_cell(page, token):
    """Change the first code cell of a page: its notebook must run again."""
    text = page.read_text()
    start = text.index("```{code-cell}")
    end = text.index("\n```", start)
    page.write_text(f"{text[:end]}\nbench_edit = {token}{text[end:]}")


def machine_speed():
    """Seconds a fixed CPU-bound loop takes here and now: its spread across
    rounds shows other work on the host."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        best = min(best, time.perf_counter() - start)
    return best


def machinery_lines():
    """Lines of Python that build the site: conf/_ext and tools/."""
    files = [*(ROOT / "conf" / "_ext").glob("*.py"), *(ROOT / "tools").glob("*.py")]
    return sum(len(path.read_text().splitlines()) for path in files)


def summary(values):
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": [round(value, 3) for value in values],
    }


def measure(repeat, lesson):
    fresh_sources()
    names = [page.stem for page in sitebuild.lessons(SRC)]
    if lesson not in names:
        sys.exit(f"--lesson must be one of {', '.join(names)}")
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True)
    seconds = {
        key: [] for key in ("floor", lesson, "cold", "stock", "no_change", "edit")
    }
    peaks = {"floor": 0, "build": 0, "stock": 0}
    loop, problems = [], []

    def timed(key, result, executed=None, expected=None):
        seconds[key].append(result[0])
        if executed != expected:
            problems.append(f"{key} build executed {executed}, expected {expected}")
        return result

    for round_ in range(1, repeat + 1):
        print(f"round {round_} of {repeat}", flush=True)
        loop.append(machine_speed())
        fresh_sources()
        pages = sitebuild.lessons(SRC)
        for key, chosen in (("floor", pages), (lesson, [SRC / f"{lesson}.md"])):
            result = floor(chosen, LOGS / "floor.log")
            timed(key, result)
            peaks["floor"] = max(peaks["floor"], result[1])

        shutil.rmtree(STOCK, ignore_errors=True)
        result = build(LOGS / "stock.log", STOCK, *STOCK_OPTIONS, stock=True)
        timed("stock", result[:2], result[2], names)
        peaks["stock"] = max(peaks["stock"], result[1])

        shutil.rmtree(OUT, ignore_errors=True)
        edit = SRC / f"{lesson}.md"
        for key, expected in (("cold", names), ("no_change", []), ("edit", [lesson])):
            if key == "edit":
                edit_code_cell(edit, time.time_ns())
            result = build(LOGS / f"{key}.log", OUT)
            timed(key, result[:2], result[2], expected)
            peaks["build"] = max(peaks["build"], result[1])

    ratio = [c / f for c, f in zip(seconds["cold"], seconds["floor"], strict=True)]
    median = {key: statistics.median(values) for key, values in seconds.items()}
    return {
        "date": datetime.date.today().isoformat(),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip(),
        "cpus": os.cpu_count(),
        "repeat": repeat,
        "edited_lesson": lesson,
        "seconds": {key: summary(values) for key, values in seconds.items()},
        "cold_over_floor": summary(ratio),
        "stock_over_floor": statistics.median(seconds["stock"]) / median["floor"],
        "targets": {
            "cold": COLD_OVER_FLOOR * median["floor"],
            "no_change": NO_CHANGE_SECONDS,
            "edit": median[lesson] + EDIT_OVER_LESSON_FLOOR_SECONDS,
        },
        "peak_memory_gib": {k: round(v / 2**30, 2) for k, v in peaks.items()},
        "machinery_lines": machinery_lines(),
        "fixed_loop_seconds": summary(loop),
        "problems": problems,
    }


def table(results):
    """The figures, as a Markdown table."""
    s, targets, lesson = (
        results["seconds"],
        results["targets"],
        results["edited_lesson"],
    )

    def row(label, key, target=""):
        cell = s[key]
        figures = f"{cell['median']:.2f} ({cell['min']:.2f}-{cell['max']:.2f})"
        if target:
            met = "met" if cell["median"] <= targets[key] else "MISSED"
            target = f"<= {targets[key]:.2f} ({target}): {met}"
        return f"| {label} | {figures} | {target} |"

    ratio = results["cold_over_floor"]
    peak = results["peak_memory_gib"]
    return "\n".join(
        [
            "| Figure | Seconds, median (min-max) | Target |",
            "|---|---|---|",
            row("Floor: every lesson's code in one process", "floor"),
            row(f"Floor: {lesson} alone", lesson),
            row("Cold build", "cold", f"{COLD_OVER_FLOOR} x floor"),
            row("Cold build, stock MyST-NB", "stock"),
            row("Rebuild, nothing changed", "no_change", "3 s"),
            row(f"Rebuild after a code cell of {lesson} changed", "edit", "+ 3 s"),
            "",
            f"Cold build / floor: {ratio['median']:.2f} (each round's ratio:"
            f" {ratio['min']:.2f}-{ratio['max']:.2f}); stock MyST-NB / floor:"
            f" {results['stock_over_floor']:.2f}. Peak memory (RSS summed over the"
            f" process tree): build {peak['build']} GiB, stock {peak['stock']} GiB,"
            f" floor {peak['floor']} GiB. Build machinery (conf/_ext and tools/):"
            f" {results['machinery_lines']} lines of Python.",
        ]
    )


def log_line(results):
    s, peak = results["seconds"], results["peak_memory_gib"]
    return (
        f"| {results['date']} | {results['commit']} | {results['repeat']} |"
        f" {s['floor']['median']:.2f} | {s['cold']['median']:.2f} |"
        f" {results['cold_over_floor']['median']:.2f} |"
        f" {s['no_change']['median']:.2f} | {s['edit']['median']:.2f} |"
        f" {peak['build']} | {results['machinery_lines']} |"
    )


def update_readme(results, path=README):
    """Put the figures between the README's markers, and add a line to its log."""
    text = path.read_text()
    start, end = "<!-- bench:figures -->", "<!-- /bench:figures -->"
    head, rest = text.split(start)
    _, tail = rest.split(end)
    text = f"{head}{start}\n{table(results)}\n{end}{tail}"
    marker = "<!-- bench:log -->"
    text = text.replace(marker, f"{log_line(results)}\n{marker}")
    path.write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    parser.add_argument(
        "--lesson", default="nnx-dropout", help="lesson to edit (default %(default)s)"
    )
    args = parser.parse_args()
    results = measure(max(1, args.repeat), args.lesson)
    (WORK / "build_speed.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n{table(results)}\n")
    for problem in results["problems"]:
        print(f"PROBLEM: {problem}")
    if results["problems"]:
        sys.exit(1)
    update_readme(results)
    print(f"{README.relative_to(ROOT)} and {WORK / 'build_speed.json'} updated")


if __name__ == "__main__":
    main()
