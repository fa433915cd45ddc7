"""How long the site takes to build, next to the floor set by its code alone.

    python benchmarks/build_speed.py [--repeat N] [--lesson NAME]

Run it with the python of an installed environment (``nox -s bench``). Each
round measures, on this machine:

- the floor: the code cells of all lessons run in one process (imports paid
  once), and of each lesson on its own (benchmarks/run_cells.py);
- a cold build: no execution cache, no output;
- a cold build of stock MyST-NB (``tools/sitebuild.py --stock``): serial, in
  cache mode, without the project's speed-ups, for reference;
- a rebuild with nothing changed;
- a rebuild after a code cell of one lesson changed, checked from the build
  log to have executed that lesson and no other.

The builds read a copy of docs/ in build/bench/src, so that an edit never
touches the real pages, and write to build/bench/out. Every figure is the
median of the rounds, with min and max; the results go to
build/bench/build_speed.json.

    python benchmarks/build_speed.py --ab N

measures instead what each speed-up buys alone: N rounds, each a build with
it and a build without it (``tools/sitebuild.py --without``), in alternating
order. Those that act on execution are timed on cold builds; those that act
in Sphinx's own process, on a rebuild after one page was touched (read and
written again, its code unchanged). Results in build/bench/speedups.json.
"""

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import sitebuild  # noqa: E402
from sitebuild import BUILD, DOCS, ROOT  # noqa: E402

WORK = BUILD / "bench"
SRC = WORK / "src" / "docs"
OUT = WORK / "out"
LOGS = WORK / "logs"

# Targets, with the environment installed.
COLD_OVER_FLOOR = 1.0
NO_CHANGE_SECONDS = 3.0
EDIT_OVER_LESSON_FLOOR_SECONDS = 3.0

EXECUTING = re.compile(r"([^/\s]+)\.\w+: Executing notebook")
STOCK = WORK / "stock"
EXECUTED = re.compile(r"([^/\s]+)\.\w+: Executed notebook in ([\d.]+) seconds")


def lessons():
    """The executed pages of the copy: those that are notebooks."""
    return sitebuild.lessons(SRC)


def fresh_sources():
    """Copy docs/ into SRC, beside links to the rest of the repository, so
    that a path a page takes from its parent (`../examples`) resolves."""
    shutil.rmtree(SRC.parent, ignore_errors=True)
    shutil.copytree(DOCS, SRC)
    for entry in ROOT.iterdir():
        if entry.name not in ("docs", "build") and not entry.name.startswith("."):
            (SRC.parent / entry.name).symlink_to(entry)


def environment(jax_cache):
    """The build's environment, with any JAX compilation cache (the build's,
    the grader's) in a folder of the benchmark's own that it can empty."""
    return dict(os.environ, JAX_COMPILATION_CACHE_DIR=str(jax_cache))


def is_kernel(process, commands):
    """A kernel: ipykernel's launcher (stock MyST-NB), or a fork of the warm
    kernels' zygote (warm_kernels.py serve), which keeps the zygote's command."""
    command = commands.get(process.pid, "")
    if "ipykernel" in command:
        return True
    parent = commands.get(process.ppid(), "")
    return "warm_kernels.py serve" in parent


class TreeSampler(threading.Thread):
    """Peak memory and number of kernels of a process and its children, and
    how long two or more kernels ran at once."""

    def __init__(self, pid, interval=0.05):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_rss = 0
        self.peak_kernels = 0
        self.overlap = 0.0
        self.last = time.perf_counter()
        self.stopped = threading.Event()

    def sample(self):
        rss = kernels = 0
        processes = [self.root, *self.root.children(recursive=True)]
        # Read each time: a process seen before its exec has its parent's
        # command line.
        commands = {}
        for process in processes:
            try:
                commands[process.pid] = " ".join(process.cmdline())
            except psutil.Error:  # ended between listing and reading
                pass
        for process in processes:
            try:
                rss += process.memory_info().rss
                kernels += is_kernel(process, commands)
            except psutil.Error:
                pass
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_kernels = max(self.peak_kernels, kernels)
        now = time.perf_counter()
        if kernels >= 2:
            self.overlap += now - self.last
        self.last = now

    def run(self):
        while not self.stopped.wait(self.interval):
            try:
                self.sample()
            except psutil.Error:
                return


def cpu_seconds():
    """CPU time of this process's descendants that have ended, and of the
    whole machine (all processes, all cores)."""
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine = psutil.cpu_times()
    busy = sum(
        getattr(machine, name, 0)
        for name in ("user", "nice", "system", "irq", "softirq", "steal")
    )
    return ended.ru_utime + ended.ru_stime, busy


class Run:
    """What one command took: wall and CPU seconds, the share of the machine
    other processes used meanwhile (noise), and its process tree's peaks."""

    def __init__(self, seconds=0.0, cpu=0.0, others=0.0, rss=0, kernels=0, overlap=0):
        self.seconds, self.cpu, self.others = seconds, cpu, others
        self.rss, self.kernels, self.overlap = rss, kernels, overlap

    def __add__(self, other):
        seconds = self.seconds + other.seconds
        others = self.others * self.seconds + other.others * other.seconds
        return Run(
            seconds,
            self.cpu + other.cpu,
            others / seconds if seconds else 0.0,
            max(self.rss, other.rss),
            max(self.kernels, other.kernels),
            self.overlap + other.overlap,
        )


def run(command, log, env):
    """Run a command to its end, sampling its process tree."""
    with log.open("a") as output:
        cpu_before, busy_before = cpu_seconds()
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        sampler = TreeSampler(process.pid)
        sampler.start()
        code = process.wait()
        seconds = time.perf_counter() - start
        cpu_after, busy_after = cpu_seconds()
        sampler.stopped.set()
        sampler.join()
    if code:
        sys.exit(f"failed ({code}): {' '.join(map(str, command))}; see {log}")
    cpu = cpu_after - cpu_before
    others = max(0.0, busy_after - busy_before - cpu) / (seconds * os.cpu_count())
    return Run(
        seconds, cpu, others, sampler.peak_rss, sampler.peak_kernels, sampler.overlap
    )


def floor(pages, log):
    """Run the pages' code in one process, from empty caches, as a cold build
    starts."""
    shutil.rmtree(WORK / "floor", ignore_errors=True)
    result_file = WORK / "floor" / "result.json"
    result_file.parent.mkdir(parents=True)
    command = [
        sys.executable,
        ROOT / "benchmarks" / "run_cells.py",
        result_file,
        *pages,
    ]
    env = environment(WORK / "floor" / ".jax_cache")
    env.setdefault("MPLBACKEND", "Agg")  # no window for plt.show()
    result = run(command, log, env)
    # The runner's own clock: reading the pages is not part of the floor.
    result.seconds = json.loads(result_file.read_text())["total"]
    return result


def build(log, out=OUT, *options):
    """One build of SRC by `nox -s docs` (nox's own start included), its
    environment installed. Returns the Run, the pages it executed, and their
    times from myst-nb's log."""
    log.unlink(missing_ok=True)
    env = environment(out / ".jax_cache")
    total = run(
        [sys.executable, "-m", "nox", "-s", "docs", "--",
         "--build", out, "--docs", SRC, *options],
        log,
        env,
    )  # fmt: skip
    text = log.read_text()
    executing = sorted(EXECUTING.findall(text))
    executed = {name: float(s) for name, s in EXECUTED.findall(text)}
    return total, executing, executed


def edit_code_cell(page, token):
    """Change the first code cell of a page: its notebook must run again."""
    text = page.read_text()
    start = text.index("```{code-cell}")
    end = text.index("\n```", start)
    page.write_text(f"{text[:end]}\nbench_edit = {token}{text[end:]}")


def machine_speed():
    """Seconds a fixed CPU-bound loop takes here and now. Other work on the
    host (not only in this system) slows every figure; a spread of this one
    across rounds shows it."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        best = min(best, time.perf_counter() - start)
    return best


def summary(values):
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": [round(value, 3) for value in values],
    }


def measure(repeat, lesson):
    fresh_sources()
    pages = lessons()
    names = [p.stem for p in pages]
    if lesson not in names:
        sys.exit(f"--lesson must be one of {', '.join(names)}")
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True)
    runs = {key: [] for key in ["floor", *names, "cold", "stock", "no_change", "edit"]}
    loop = []
    executed = {}
    problems = []

    def check(what, found, expected):
        if found != expected:
            problems.append(f"{what}: executed {found}, expected {expected}")

    for round_ in range(1, repeat + 1):
        print(f"round {round_} of {repeat}", flush=True)
        loop.append(machine_speed())
        fresh_sources()
        runs["floor"].append(floor(pages, LOGS / "floor.log"))
        for page in pages:
            runs[page.stem].append(floor([page], LOGS / "floor.log"))

        shutil.rmtree(STOCK, ignore_errors=True)
        result, found, _ = build(LOGS / "stock.log", STOCK, "--stock")
        runs["stock"].append(result)
        check(f"round {round_}, stock build", found, names)

        shutil.rmtree(OUT, ignore_errors=True)
        for key, expected in [("cold", names), ("no_change", [])]:
            result, found, notebooks = build(LOGS / f"{key}.log")
            runs[key].append(result)
            check(f"round {round_}, {key} build", found, expected)
            if key == "cold":
                for name, value in notebooks.items():
                    executed.setdefault(name, []).append(value)

        edit_code_cell(SRC / f"{lesson}.md", f"{time.time_ns()}")
        result, found, _ = build(LOGS / "edit.log")
        runs["edit"].append(result)
        check(f"round {round_}, edit of {lesson}", found, [lesson])

    def ratios(key, floor_key):
        pairs = zip(runs[key], runs[floor_key], strict=True)
        return [timed.seconds / base.seconds for timed, base in pairs]

    builds = [r for key in ("cold", "no_change", "edit") for r in runs[key]]
    stock_builds = runs["stock"]
    everything = [r for values in runs.values() for r in values]
    median = {key: statistics.median(r.seconds for r in v) for key, v in runs.items()}
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "repeat": repeat,
        "lessons": names,
        "edited_lesson": lesson,
        "seconds": {k: summary([r.seconds for r in v]) for k, v in runs.items()},
        "cpu_seconds": {k: summary([r.cpu for r in v]) for k, v in runs.items()},
        "notebook_execution_seconds": {k: summary(v) for k, v in executed.items()},
        # Each round's own ratio, so that a machine that slows down between
        # rounds (other work on it) skews them less than it skews the seconds.
        "ratios": {
            "cold_over_floor": summary(ratios("cold", "floor")),
            "stock_over_floor": summary(ratios("stock", "floor")),
            "edit_over_lesson_floor": summary(ratios("edit", lesson)),
        },
        "targets": {
            "cold": COLD_OVER_FLOOR * median["floor"],
            "no_change": NO_CHANGE_SECONDS,
            "edit": median[lesson] + EDIT_OVER_LESSON_FLOOR_SECONDS,
        },
        "peak_rss_mib": {
            "build": max(r.rss for r in builds) / 2**20,
            "stock": max(r.rss for r in stock_builds) / 2**20,
            "floor": max(r.rss for r in runs["floor"]) / 2**20,
        },
        "peak_kernels_at_once": max(r.kernels for r in runs["cold"]),
        "seconds_with_two_kernels_or_more": summary([r.overlap for r in runs["cold"]]),
        # Share of the machine's CPU time taken by other processes meanwhile.
        "other_load": summary([r.others for r in everything]),
        "fixed_loop_seconds": summary(loop),
        "environment": {
            k: v
            for k, v in sorted(environment(OUT / ".jax_cache").items())
            if k.startswith(("JAX_", "XLA_", "UV_COMPILE", "PYTHONDONTWRITE"))
        },
        "problems": problems,
    }


def report(results):
    seconds, cpu = results["seconds"], results["cpu_seconds"]
    targets = results["targets"]
    lesson = results["edited_lesson"]
    rows = [("floor: all lessons, one process", "floor", "")]
    rows += [(f"floor: {name}", name, "") for name in results["lessons"]]
    rows += [
        ("cold build", "cold", f"{COLD_OVER_FLOOR} x floor"),
        ("cold build, stock MyST-NB", "stock", ""),
        ("rebuild, nothing changed", "no_change", f"{NO_CHANGE_SECONDS:.0f} s"),
        (
            f"rebuild, {lesson} edited",
            "edit",
            f"its floor + {EDIT_OVER_LESSON_FLOOR_SECONDS:.0f} s",
        ),
    ]
    header = f"{'':<34}{'median':>8}{'min':>8}{'max':>8}{'cpu':>8}   target"
    print(f"\n{header}\n{'-' * len(header)}{'-' * 28}")
    for label, key, target in rows:
        s = seconds[key]
        line = f"{label:<34}{s['median']:>8.2f}{s['min']:>8.2f}{s['max']:>8.2f}"
        line += f"{cpu[key]['median']:>8.2f}"
        if target:
            verdict = "ok" if s["median"] <= targets[key] else "MISSED"
            line += f"   <= {targets[key]:.2f} ({target}) {verdict}"
        print(line)
    ratios, rss = results["ratios"], results["peak_rss_mib"]
    loop = results["fixed_loop_seconds"]
    executions = results["notebook_execution_seconds"]
    print(
        f"\nseconds, median of {results['repeat']} (cpu: CPU seconds of the process"
        " tree)"
        f"\ncold / floor {ratios['cold_over_floor']['median']:.2f}"
        f" (min {ratios['cold_over_floor']['min']:.2f},"
        f" max {ratios['cold_over_floor']['max']:.2f});"
        f" stock MyST-NB / floor {ratios['stock_over_floor']['median']:.2f};"
        f" edit rebuild / {lesson} floor"
        f" {ratios['edit_over_lesson_floor']['median']:.2f} (median of each round's)"
        f"\npeak memory, RSS summed over the process tree: build {rss['build']:.0f}"
        f" MiB, stock MyST-NB {rss['stock']:.0f} MiB, floor {rss['floor']:.0f} MiB"
        f"\nkernels at once in the cold build: at most "
        f"{results['peak_kernels_at_once']}, two or more for "
        f"{results['seconds_with_two_kernels_or_more']['median']:.1f} s"
        "\nnotebook execution in the cold build, median seconds: "
        + ", ".join(f"{k} {v['median']:.2f}" for k, v in sorted(executions.items()))
        + f"\nother processes used {results['other_load']['median']:.0%} of the"
        f" machine meanwhile (median; max {results['other_load']['max']:.0%});"
        f" a fixed CPU loop took {loop['min']:.3f} to {loop['max']:.3f} s"
        " across rounds"
    )
    for problem in results["problems"]:
        print(f"PROBLEM: {problem}")


# Each speed-up (sitebuild.SPEEDUPS, and the warm kernels of prerun) and the
# build it is timed on; and the sitebuild.py options that leave it out.
AB = {
    "prerun": "cold",
    "warm_kernels": "cold",
    "jax_cache": "cold",
    "parallel": "cold",
    "codeautolink_parallel": "cold",
    "api_objects": "touched",
    "lazy_social_cards": "touched",
    "codeautolink_resolve_cache": "touched",
}


def leave_out(name):
    if name == "warm_kernels":
        return ["-D", "prerun_warm_kernels=0"]
    if name == "prerun":
        # MyST-NB then executes the pages itself, and only serially: in
        # Sphinx's parallel readers its kernels race for their ports.
        return ["--without", "prerun,parallel"]
    return ["--without", name]


def timed_build(kind, options, lesson):
    """Seconds of one build of the given kind with these options."""
    log = LOGS / "ab.log"
    if kind == "cold":
        shutil.rmtree(OUT, ignore_errors=True)
        result, found, _ = build(log, OUT, *options)
        expected = sorted(p.stem for p in lessons())
    else:
        # A build with these options first: a change of extensions or of
        # configuration makes Sphinx read every page again.
        build(log, OUT, *options)
        (SRC / f"{lesson}.md").touch()
        result, found, _ = build(log, OUT, *options)
        expected = []
    if found != expected:
        sys.exit(f"{kind} build with {options}: executed {found}, expected {expected}")
    return result.seconds


def measure_speedups(rounds, lesson, only=None):
    fresh_sources()
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True)
    shutil.rmtree(OUT, ignore_errors=True)
    build(LOGS / "ab.log")  # so that the first touched build reads one page
    results = {}
    for name, kind in AB.items():
        if only and name not in only:
            continue
        options = leave_out(name)
        times = {"with": [], "without": []}
        for round_ in range(rounds):
            arms = [("with", []), ("without", options)]
            for arm, extra in arms if round_ % 2 == 0 else arms[::-1]:
                times[arm].append(timed_build(kind, extra, lesson))
        results[name] = {
            "build": kind,
            "options": options,
            **{arm: summary(values) for arm, values in times.items()},
        }
        with_, without = (results[name][a]["median"] for a in ("with", "without"))
        print(
            f"{name:<32}{kind:>8}{with_:>9.2f}{without:>9.2f}{without - with_:>+9.2f}",
            flush=True,
        )
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    parser.add_argument(
        "--lesson", default="nnx-dropout", help="lesson to edit (default %(default)s)"
    )
    parser.add_argument(
        "--ab", type=int, metavar="N", help="what each speed-up buys: N rounds"
    )
    parser.add_argument(
        "--only", default="", help="with --ab: these speed-ups (comma-separated)"
    )
    args = parser.parse_args()
    only = sitebuild.names(args.only)
    if only - set(AB):
        parser.error(f"--only takes some of {', '.join(AB)}")
    if args.ab:
        print(f"{'speed-up':<32}{'build':>8}{'with':>9}{'without':>9}{'saves':>9}")
        results = measure_speedups(args.ab, args.lesson, only)
        (WORK / "speedups.json").write_text(json.dumps(results, indent=2) + "\n")
        print(
            f"\nseconds, median of {args.ab} alternated rounds ('touched': a rebuild"
            f" after {args.lesson}.md was touched); {WORK / 'speedups.json'}"
        )
        return
    results = measure(max(1, args.repeat), args.lesson)
    (WORK / "build_speed.json").write_text(json.dumps(results, indent=2) + "\n")
    report(results)
    print(f"\n{WORK / 'build_speed.json'}; build logs in {LOGS}")
    if results["problems"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
