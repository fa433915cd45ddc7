"""The build's speed-ups change nothing but its speed.

prerun.py orders the notebooks, warm_kernels.py forks kernels, api_links.py
reads what it knows of the API from conf/api_objects.json,
lazy_social_cards.py stands in for opengraph's social-card module, and
codeautolink_resolve_cache.py remembers codeautolink's resolved names. The
whole-site check (two clean builds with the speed-ups agree byte for byte)
is tests/build/test_reproducible.py's; the benchmark (nox -s bench) builds
the stock configuration too.
"""

import subprocess
import sys
import time
from types import SimpleNamespace

import codeautolink_resolve_cache
import lazy_social_cards
import prerun
import pytest
import warm_kernels
from sitebuild import CONF


def test_longest_notebook_first_by_last_time_else_by_code_length():
    def job(name, length):
        return SimpleNamespace(docname=name, code_length=length)

    jobs = [job("a", 1000), job("b", 5000), job("c", 3000), job("d", 3000)]
    assert [j.docname for j in prerun.order(jobs, {})] == ["b", "c", "d", "a"]
    # The previous build's seconds win over the length of the code.
    previous = {"a": 9.0, "b": 1.0}
    assert [j.docname for j in prerun.order(jobs, previous)] == ["a", "c", "d", "b"]


def test_pool_runs_every_job_on_at_most_its_workers():
    running, peak, ran = 0, 0, []

    class Pool(prerun.Pool):
        async def _execute(self, job):
            import asyncio

            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            ran.append(job.docname)
            running -= 1
            if job.docname == "fails":
                raise RuntimeError("cell failed")

    jobs = [
        SimpleNamespace(docname=n, done=__import__("threading").Event(), error=None)
        for n in ["a", "fails", "b", "c", "d"]
    ]
    pool = Pool(jobs, 2)
    pool.start()
    pool.thread.join(10)
    assert sorted(ran) == ["a", "b", "c", "d", "fails"]
    assert peak == 2
    assert all(job.done.is_set() for job in jobs)
    # A failure is kept for MyST-NB to report, and stops no other job.
    assert [type(j.error).__name__ for j in jobs if j.error] == ["RuntimeError"]


def test_pool_starts_the_next_kernels_while_a_job_runs_and_ends_them_all():
    import asyncio
    import threading
    from pathlib import Path

    events = []

    class Pool(prerun.Pool):
        async def _start_kernel(self, name, folder):
            events.append(("start", name, folder))
            await asyncio.sleep(0.02)
            return name, folder

        @staticmethod
        async def _shutdown(manager, client):
            events.append(("shutdown", manager, client))

        async def _run_notebook(self, job, manager, kernel):
            events.append(("run", job.docname, manager, kernel))
            await asyncio.sleep(0.05)

    def job(name, kernel="python3", folder="docs"):
        notebook = SimpleNamespace(metadata={"kernelspec": {"name": kernel}})
        path = Path(folder) / f"{name}.md"
        return SimpleNamespace(
            docname=name, notebook=notebook, path=path,
            done=threading.Event(), error=None, seconds=None,
        )  # fmt: skip

    jobs = [job("a"), job("b"), job("c"), job("d", folder="other"), job("e")]
    pool = Pool(jobs, 2)
    pool.start()
    pool.thread.join(10)
    assert all(j.done.is_set() and j.error is None for j in jobs)
    runs = [e for e in events if e[0] == "run"]
    # Each job ran in a kernel of its own kind and folder.
    assert sorted((r[1], r[3]) for r in runs) == [
        ("a", "docs"), ("b", "docs"), ("c", "docs"), ("d", "other"), ("e", "docs")
    ]  # fmt: skip
    # The kernels of c and of d were started before any job had finished.
    first_end = next(i for i, e in enumerate(events) if e[0] == "shutdown")
    started = [e for e in events[:first_end] if e[0] == "start"]
    assert [e[2] for e in started] == ["docs", "docs", "docs", "other"]
    # As many kernels started as shut down: none left running.
    assert len([e for e in events if e[0] == "start"]) == 5
    assert len([e for e in events if e[0] == "shutdown"]) == 5


def test_a_warm_kernel_is_a_process_of_its_own(tmp_path):
    from jupyter_client.manager import KernelManager  # noqa: F401
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    zygote = warm_kernels.Zygote([])
    try:
        code = "import os, sys\nprint(os.getpid(), os.getcwd(), sys.path[0])"
        outputs = []
        for _ in range(2):
            notebook = new_notebook(cells=[new_code_cell(code)])
            notebook.metadata["kernelspec"] = {"name": "python3"}
            NotebookClient(
                notebook,
                resources={"metadata": {"path": str(tmp_path)}},
                timeout=60,
                kernel_manager_class=warm_kernels.kernel_manager_class(zygote),
            ).execute()
            outputs.append(notebook.cells[0].outputs[0].text.split())
    finally:
        zygote.stop()
    (pid1, cwd1, path1), (pid2, cwd2, path2) = outputs
    assert pid1 != pid2 and int(pid1) != zygote.process.pid
    assert cwd1 == cwd2 == path1 == path2 == str(tmp_path)


# Every simple module-level value (a flag, a count, a name) of every module
# loaded, after the cell imports the lessons' packages.
MODULE_STATE = """
import json, sys, types
SIMPLE = (bool, int, float, complex, str, bytes, type(None))
for name in IMPORTS:
    __import__(name)
state = {}
for name, module in sorted(sys.modules.items()):
    if name != "__main__" and isinstance(module, types.ModuleType):
        for key, value in list(vars(module).items()):
            if isinstance(value, SIMPLE) and not key.startswith("__"):
                state[f"{name}:{key}"] = repr(value)
with open("state.json", "w") as file:
    json.dump(state, file)
"""


def kernel_imports():
    import runpy

    return runpy.run_path(str(CONF / "conf.py"))["prerun_kernel_imports"]


def run_cell(code, folder, manager=None, env=None):
    """Run one cell in a new kernel (warm if given a manager) in folder; its
    printed text."""
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    folder.mkdir(exist_ok=True)
    notebook = new_notebook(cells=[new_code_cell(code)])
    notebook.metadata["kernelspec"] = {"name": "python3"}
    options = {"kernel_manager_class": manager} if manager else {}
    NotebookClient(
        notebook, resources={"metadata": {"path": str(folder)}}, timeout=120, **options
    ).execute(**({"env": env} if env else {}))
    return "".join(o.get("text", "") for o in notebook.cells[0].outputs)


def test_a_warm_kernel_with_the_lessons_packages_sees_what_a_new_kernel_sees(
    tmp_path,
):
    import json

    imports = kernel_imports()
    assert {"jax", "flax.nnx", "flax.linen"} <= set(imports)
    code = f"IMPORTS = {imports!r}\n{MODULE_STATE}"
    zygote = warm_kernels.Zygote(imports)
    try:
        manager = warm_kernels.kernel_manager_class(zygote)
        run_cell(code, tmp_path / "warm", manager)
    finally:
        zygote.stop()
    for name in ("plain", "again"):
        run_cell(code, tmp_path / name)
    plain, again, warm = (
        json.loads((tmp_path / name / "state.json").read_text())
        for name in ("plain", "again", "warm")
    )
    # What differs between two kernels of their own (a time, an id) proves
    # nothing either way.
    settled = {key for key in plain if again.get(key) == plain[key]}
    assert len(settled) > 5_000
    assert "jax._src.pretty_printer:CAN_USE_COLOR" in settled
    differ = sorted(k for k in settled if warm.get(k) != plain[k])
    assert differ == [], [(k, plain[k], warm.get(k)) for k in differ[:20]]


def test_a_kernel_whose_environment_differs_imports_the_packages_itself(tmp_path):
    import os

    code = "import jax.numpy as jnp\nprint(jnp.ones(1).dtype)"
    # Read when jax is imported: the zygote's import did not see it.
    env = {**os.environ, "JAX_ENABLE_X64": "1"}
    zygote = warm_kernels.Zygote(kernel_imports())
    try:
        manager = warm_kernels.kernel_manager_class(zygote)
        assert run_cell(code, tmp_path / "same", manager).split() == ["float32"]
        assert run_cell(code, tmp_path / "x64", manager, env).split() == ["float64"]
    finally:
        zygote.stop()


def test_a_kernel_ends_when_its_launcher_is_killed(tmp_path):
    import psutil

    zygote = warm_kernels.Zygote([])
    try:
        launcher = subprocess.Popen(
            [sys.executable, "-I", warm_kernels.HERE, "launch", zygote.socket,
             "-f", tmp_path / "connection.json"],
        )  # fmt: skip
        parent = psutil.Process(zygote.process.pid)
        deadline = time.monotonic() + 60
        while not parent.children() and time.monotonic() < deadline:
            time.sleep(0.1)
        (kernel,) = parent.children()
        launcher.kill()  # as Jupyter kills a kernel that does not shut down
        launcher.wait()
        kernel.wait(30)
    finally:
        zygote.stop()
    assert zygote.process.poll() is not None


def test_stopping_the_zygote_ends_its_kernels(tmp_path):
    import psutil

    zygote = warm_kernels.Zygote([])
    launcher = subprocess.Popen(
        [sys.executable, "-I", warm_kernels.HERE, "launch", zygote.socket,
         "-f", tmp_path / "connection.json"],
    )  # fmt: skip
    try:
        parent = psutil.Process(zygote.process.pid)
        deadline = time.monotonic() + 60
        while not parent.children() and time.monotonic() < deadline:
            time.sleep(0.1)
        (kernel,) = parent.children()
        zygote.stop()  # the kernel is still running: no orphan is left
        kernel.wait(30)
        assert not kernel.is_running()
        assert launcher.wait(30) == 0  # and its launcher sees it end
    finally:
        launcher.kill()
        launcher.wait()
        zygote.stop()


def test_a_launcher_whose_zygote_ends_unanswered_says_so(tmp_path):
    """A zygote stopped (or killed) between a launcher's request and its
    answer: the launcher ends with a message, not a traceback."""
    import socket

    path = str(tmp_path / "socket")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    launcher = subprocess.Popen(
        [sys.executable, "-I", warm_kernels.HERE, "launch", path,
         "-f", tmp_path / "connection.json"],
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        connection, _ = server.accept()
        connection.makefile("rb").readline()  # the request; no answer
        connection.close()
        server.close()
        _, stderr = launcher.communicate(timeout=30)
    finally:
        launcher.kill()
    assert launcher.returncode == 1
    assert "Traceback" not in stderr, stderr
    assert "ended before it started the kernel" in stderr, stderr


def test_kernels_in_the_bench_are_counted():
    sys.path.insert(0, str(CONF.parent / "benchmarks"))
    try:
        import build_speed
    finally:
        sys.path.pop(0)

    class Process:
        def __init__(self, pid, ppid):
            self.pid, self._ppid = pid, ppid

        def ppid(self):
            return self._ppid

    commands = {
        1: "python tools/sitebuild.py",
        2: "python /x/conf/_ext/warm_kernels.py serve /tmp/zygote-1/socket",
        3: "python /x/conf/_ext/warm_kernels.py serve /tmp/zygote-1/socket",
        4: "python -I /x/conf/_ext/warm_kernels.py launch /tmp/zygote-1/socket",
        5: "python -m ipykernel_launcher -f kernel.json",
    }
    found = [
        pid
        for pid, ppid in [(1, 0), (2, 1), (3, 2), (4, 1), (5, 1)]
        if build_speed.is_kernel(Process(pid, ppid), commands)
    ]
    assert found == [3, 5]


def test_api_objects_match_the_installed_packages():
    # In a process of its own: jax imported here would warn at every later
    # fork of this one (Sphinx's parallel builds in other tests).
    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import api_links;"
        "saved = json.loads(api_links.OBJECTS.read_text());"
        "names = {n for _, l in api_links.load_table().values() for n in l};"
        "assert saved['versions'] == api_links.installed_versions(), 'versions';"
        "assert saved['objects'] == api_links.describe(names), 'objects'"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(CONF / "_ext")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, (
        "run python conf/_ext/api_links.py in the docs environment\n"
        + result.stderr[-2000:]
    )


def test_social_card_stand_in_has_the_real_defaults():
    real = lazy_social_cards.real_module()
    assert lazy_social_cards.DEFAULT_SOCIAL_CONFIG == real.DEFAULT_SOCIAL_CONFIG
    assert callable(real.create_social_card)


@pytest.mark.parametrize("module", ["jax", "flax"])
def test_no_package_of_the_lessons_is_imported_by_sphinx_at_start(module):
    # What Sphinx imports to load the configuration and its extensions.
    script = (
        "import sys; sys.path.insert(0, sys.argv[1] + '/_ext');"
        "from sphinx.application import Sphinx;"
        "import runpy; conf = runpy.run_path(sys.argv[1] + '/conf.py');"
        "[__import__(e) for e in conf['extensions']];"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('jax', 'flax', 'matplotlib')))"
    )
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", script, str(CONF)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert module not in result.stdout, result.stdout[:300]
    assert time.perf_counter() - start < 30


def test_resolved_names_are_kept_with_their_versions_and_inventory(tmp_path):
    from sphinx_codeautolink.extension.resolve import CouldNotResolve

    calls = []

    def resolve(chain, inventory):
        calls.append(tuple(chain.import_components))
        if chain.import_components[0] == "nowhere":
            raise CouldNotResolve("no module nowhere")
        return ".".join(chain.import_components)

    def name(*components):
        return SimpleNamespace(import_components=list(components))

    path = tmp_path / "resolved.json"
    inventory = {"flax.nnx.Dropout": "flax.html#flax.nnx.Dropout"}
    for _ in range(2):
        cache = codeautolink_resolve_cache.ResolveCache(resolve)
        cache.load(path)
        assert cache(name("flax", "nnx", "Dropout"), inventory) == "flax.nnx.Dropout"
        with pytest.raises(CouldNotResolve, match="no module nowhere"):
            cache(name("nowhere", "x"), inventory)
        cache.save()
        # Resolved once, then read from the file.
        assert len(calls) == 2
    # Another inventory: resolved again.
    cache = codeautolink_resolve_cache.ResolveCache(resolve)
    cache.load(path)
    cache(name("flax", "nnx", "Dropout"), {**inventory, "jax.jit": "jax.html"})
    assert len(calls) == 3


def test_a_stock_build_leaves_out_every_speed_extension(monkeypatch):
    import runpy

    from sitebuild import SPEED_EXTENSIONS, SPEEDUPS, SPEEDUPS_OFF

    monkeypatch.syspath_prepend(str(CONF / "_ext"))
    monkeypatch.delenv(SPEEDUPS_OFF, raising=False)
    ours = runpy.run_path(str(CONF / "conf.py"))["extensions"]
    monkeypatch.setenv(SPEEDUPS_OFF, ",".join(SPEEDUPS))  # as --stock sets it
    stock = runpy.run_path(str(CONF / "conf.py"))["extensions"]
    assert set(ours) - set(stock) == set(SPEED_EXTENSIONS)
    # One left out alone (the benchmark's A/B): only that one.
    monkeypatch.setenv(SPEEDUPS_OFF, "prerun")
    one = runpy.run_path(str(CONF / "conf.py"))["extensions"]
    assert set(ours) - set(one) == {"prerun"}


def test_a_speed_up_left_out_must_be_one_the_build_has(capsys):
    import sitebuild

    with pytest.raises(SystemExit) as exit_:
        sitebuild.build(["--without", "prerun,no_such_speedup"])
    assert exit_.value.code == 2
    assert "--without takes some of prerun," in capsys.readouterr().err


def test_a_build_ends_at_once_with_no_process_left_holding_its_output():
    # What sphinx-sitemap does: a multiprocessing manager, a process of its own.
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import multiprocessing, sitebuild;"
        "manager = multiprocessing.Manager(); queue = manager.Queue();"
        "print('built', flush=True); sitebuild.end(3)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(CONF.parent / "tools")],
        capture_output=True,  # read to its end: every writer must have closed it
        text=True,
        timeout=30,
    )
    assert (result.returncode, result.stdout) == (3, "built\n")
