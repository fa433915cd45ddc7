"""Execute the lessons while Sphinx starts: in parallel, longest first, on warm kernels.

MyST-NB executes a notebook when Sphinx reads its page, one page after the
other (or in Sphinx's parallel chunks, which on two cores put lessons of
unequal length together). This extension, in cache mode, looks for the pages
to read that the execution cache lacks as soon as Sphinx knows them, and
executes them ``prerun_jobs`` at a time (default: one per core), the longest
first (by their times in the previous build, else by the length of their
code), on kernels forked from a process that already imported what a kernel
imports and ``prerun_kernel_imports`` (jax and flax, as a kernel's first
cell imports them: ``warm_kernels.py``; ``prerun_warm_kernels``). That
process is started on a cold build (no execution cache yet) as the build
starts, by tools/sitebuild.py before Sphinx or else when the configuration
is read, so its imports overlap Sphinx's own start; on a rebuild, once the
notebooks to run are known (none when nothing changed).
While a notebook runs, the kernel of the next one is started.

Each result goes into the execution cache exactly as MyST-NB would put it
there (same notebook, same working directory, timeout and error settings),
and MyST-NB then reads the page from the cache: every cell is executed, once,
and the page is what a cache hit makes of it. A notebook whose execution
fails is not cached: MyST-NB executes it again when it reads it, and reports
the failure as it always does.

Pages are read one at a time in the main process while the notebooks run
(each waits for its own), and written in parallel as ``-j`` says. Once every
kernel has started, the ``prerun-executing`` event lets other extensions do
in a thread what the end of the build needs (importing what codeautolink
resolves names in), while the last notebooks run.
"""

import asyncio
import atexit
import contextlib
import json
import os
import re
import threading
import time
from pathlib import Path, PurePosixPath

from myst_nb.core.execute.cache import NotebookClientCache
from sphinx.util import logging

logger = logging.getLogger(__name__)

TIMES = "prerun-times.json"


def order(jobs, previous):
    """Longest first: by the seconds a job took last time, else by the length
    of its code (scaled to seconds, roughly); ties by name."""

    def estimate(job):
        if job.docname in previous:
            return previous[job.docname]
        return job.code_length / 1000

    return sorted(jobs, key=lambda job: (-estimate(job), job.docname))


class Job:
    def __init__(self, docname, path, notebook, nb_config, read_fmt):
        self.docname, self.path, self.notebook = docname, path, notebook
        self.nb_config, self.read_fmt = nb_config, read_fmt
        self.code_length = sum(
            len(cell.source) for cell in notebook.cells if cell.cell_type == "code"
        )
        self.done = threading.Event()
        self.seconds = None
        self.error = None


class Pool:
    """Runs jobs on ``size`` workers in a thread of its own (asyncio: each
    worker drives one kernel through nbclient).

    A kernel takes a few tenths of a second to answer, most of it waiting:
    while a worker runs one notebook, the kernel for a notebook still queued
    is started (a *spare*, at most one per worker), so that the next job
    starts on a kernel that is ready. A kernel is shut down after its job is
    done, while the worker goes on.
    """

    def __init__(self, jobs, size, kernel_manager_class=None):
        self.jobs, self.size = jobs, size
        self.kernel_manager_class = kernel_manager_class
        self.thread = threading.Thread(target=self._run, daemon=True)
        # Set once every job has its kernel: a kernel takes the environment
        # of this process as it is when the kernel starts.
        self.kernels_started = threading.Event()
        self.kernels_asked = 0

    def start(self):
        self.thread.start()

    def _run(self):
        asyncio.run(self._main())

    async def _main(self):
        self.waiting = list(self.jobs)  # in order: the next job is taken first
        self.spares = []  # (kernel name, folder, task starting the kernel)
        self.cleanups = []
        try:
            await asyncio.gather(*(self._worker() for _ in range(self.size)))
        finally:
            for _, _, task in self.spares:  # unused (a job failed to start)
                self.cleanups.append(asyncio.create_task(self._discard(task)))
            await asyncio.gather(*self.cleanups, return_exceptions=True)
            self.kernels_started.set()

    async def _worker(self):
        while self.waiting:
            job = self.waiting.pop(0)
            try:
                await self._execute(job)
            except Exception as error:  # reported when the page is read
                job.error = error
            finally:
                job.done.set()

    # -- kernels -----------------------------------------------------------

    @staticmethod
    def kernel_of(job):
        """The kernel name and working folder a job's notebook runs with (as
        nbclient picks them)."""
        name = job.notebook.metadata.get("kernelspec", {}).get("name", "python")
        return name, str(job.path.parent)

    async def _start_kernel(self, name, folder):
        """A kernel started, and answering, as nbclient starts one."""
        from jupyter_client.manager import AsyncKernelManager

        manager = (self.kernel_manager_class or AsyncKernelManager)(kernel_name=name)
        extra = ["--HistoryManager.hist_file=:memory:"] if manager.ipykernel else []
        await manager.start_kernel(extra_arguments=extra, cwd=folder)
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
        except BaseException:
            await self._shutdown(manager, client)
            raise
        client.allow_stdin = False
        return manager, client

    @staticmethod
    async def _shutdown(manager, client):
        try:
            if await manager.is_alive():
                await manager.shutdown_kernel()
        finally:
            await manager.cleanup_resources()
            client.stop_channels()

    async def _discard(self, task):
        with contextlib.suppress(Exception):
            await self._shutdown(*await task)

    async def _kernel_for(self, job):
        wanted = self.kernel_of(job)
        for spare in self.spares:
            if spare[:2] == wanted:
                self.spares.remove(spare)
                try:
                    return await spare[2]
                except Exception:
                    break  # start one of its own below
        return await self._start_kernel(*wanted)

    def _start_spare(self):
        """Start the kernel of the next waiting job that has none."""
        if len(self.waiting) > len(self.spares):
            wanted = self.kernel_of(self.waiting[len(self.spares)])
            task = asyncio.create_task(self._start_kernel(*wanted))
            self.spares.append((*wanted, task))

    async def _execute(self, job):
        start = time.perf_counter()
        try:
            manager, kernel = await self._kernel_for(job)
        finally:
            self.kernels_asked += 1
            if self.kernels_asked == len(self.jobs):
                self.kernels_started.set()
        self._start_spare()
        try:
            await self._run_notebook(job, manager, kernel)
        finally:
            self.cleanups.append(asyncio.create_task(self._shutdown(manager, kernel)))
        job.seconds = time.perf_counter() - start

    async def _run_notebook(self, job, manager, kernel):
        from nbclient import NotebookClient

        config = job.nb_config
        timeout, allow_errors = config.execution_timeout, config.execution_allow_errors
        # As jupyter-cache's single_nb_execution (meta_override=True).
        execution = job.notebook.metadata.get("execution", {})
        timeout = execution.get("timeout", timeout)
        allow_errors = execution.get("allow_errors", allow_errors)
        client = NotebookClient(
            job.notebook,
            km=manager,
            resources={"metadata": {"path": str(job.path.parent)}},
            timeout=timeout,
            allow_errors=allow_errors,
            record_timing=False,
        )
        client.kc = kernel
        await client.async_execute()


def read_job(app, docname):
    """The page's notebook as MyST-NB reads it, or None if it is not one that
    cache mode would execute."""
    from myst_nb.core.nb_to_tokens import nb_node_to_dict
    from myst_nb.core.read import create_nb_reader

    env = app.env
    path = Path(env.doc2path(docname))
    nb_config = env.mystnb_config
    reader = create_nb_reader(str(path), env.myst_config, nb_config, path.read_text())
    if reader is None:
        return None
    notebook = reader.read(path.read_text())
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    for pattern, alias in (nb_config.kernel_rgx_aliases or {}).items():
        if kernel is not None and re.fullmatch(pattern, kernel):
            notebook.metadata["kernelspec"]["name"] = alias
            break
    if nb_config.metadata_key in notebook.metadata:
        overrides = nb_node_to_dict(notebook.metadata[nb_config.metadata_key])
        overrides.pop("output_folder", None)
        with contextlib.suppress(Exception):  # MyST-NB reports it
            nb_config = nb_config.copy(**overrides)
    if nb_config.execution_mode != "cache" or nb_config.execution_in_temp:
        return None
    if any(
        PurePosixPath(path.as_posix()).match(p)
        for p in nb_config.execution_excludepatterns
    ):
        return None
    return Job(docname, path, notebook, nb_config, reader.read_fmt)


class Prerun:
    def __init__(self, app):
        self.app = app
        self.zygote = None
        self.jobs = {}  # by path, until MyST-NB reads the page
        self.done = []
        self.parallel = None

    # -- events ----------------------------------------------------------------

    def start_if_cold(self, app):
        """With no execution cache yet, every notebook will run: start the
        zygote while Sphinx starts (tools/sitebuild.py, which creates the
        cache's tables first, starts one itself)."""
        path = app.config.nb_execution_cache_path or Path(app.outdir).parent.joinpath(
            ".jupyter_cache"
        )  # as MyST-NB places it
        if not Path(path, "global.db").exists():
            self.setup_zygote(app)

    def setup_zygote(self, app):
        """The zygote tools/sitebuild.py started for a cold build, or one
        started now that notebooks are to run; none if kernels are not warm."""
        import warm_kernels

        if self.zygote is not None:
            return
        modules = app.config.prerun_kernel_imports
        early = warm_kernels.take_early(modules)
        if self.enabled(app) and app.config.prerun_warm_kernels:
            self.zygote = early or warm_kernels.Zygote(modules)
            atexit.register(self.stop_zygote)
        elif early is not None:
            early.stop()

    def enabled(self, app):
        return self.jobs_at_once(app) > 0 and app.config.nb_execution_mode == "cache"

    def jobs_at_once(self, app):
        value = app.config.prerun_jobs
        return (os.cpu_count() or 1) if value in ("auto", None) else int(value)

    def before_read(self, app, env, docnames):
        if not self.enabled(app):
            return self.stop_zygote()
        from jupyter_cache import get_cache

        cache = get_cache(env.mystnb_config.execution_cache_path)
        jobs = []
        for docname in docnames:
            job = read_job(app, docname)
            if job is None:
                continue
            with contextlib.suppress(KeyError):
                cache.match_cache_notebook(job.notebook)
                continue  # cached: nothing to run
            jobs.append(job)
        if not jobs:
            return self.stop_zygote()
        jobs = order(jobs, self.previous_times())
        self.setup_zygote(app)
        self.jobs = {str(job.path): job for job in jobs}
        for job in jobs:
            logger.info(f"{job.path}: Executing notebook (prerun)")
        manager = None
        if self.zygote is not None:
            from warm_kernels import kernel_manager_class

            manager = kernel_manager_class(self.zygote)
        pool = Pool(jobs, self.jobs_at_once(app), manager)
        pool.start()
        # Work the end of the build will need, done while the notebooks run.
        threading.Thread(target=self.meanwhile, args=(app, pool), daemon=True).start()
        # The pages are read here, one at a time, each as its notebook is
        # done; the order the notebooks are run in is the order to read them.
        first = [d for d in docnames if d not in {j.docname for j in jobs}]
        docnames[:] = first + [job.docname for job in jobs]
        self.parallel, app.parallel = app.parallel, 1

    def after_read(self, app, env):
        if self.parallel is not None:
            app.parallel, self.parallel = self.parallel, None
        self.stop_zygote()
        times = self.previous_times()
        times.update({job.docname: job.seconds for job in self.done if job.seconds})
        if self.done:
            self.times_file().write_text(json.dumps(times, indent=1, sort_keys=True))

    def finished(self, app, exception):
        self.stop_zygote()

    @staticmethod
    def meanwhile(app, pool):
        # Once no kernel is left to start: importing jax sets variables in
        # this process's environment, which a kernel started later would get.
        pool.kernels_started.wait()
        with contextlib.suppress(Exception):  # done again when needed, and reported
            app.emit("prerun-executing")

    # -- helpers ---------------------------------------------------------------

    def stop_zygote(self):
        import warm_kernels

        warm_kernels.stop_early()  # not taken: no notebook to run
        if self.zygote is not None:
            self.zygote.stop()
            self.zygote = None

    def times_file(self):
        return Path(self.app.doctreedir) / TIMES

    def previous_times(self):
        try:
            return json.loads(self.times_file().read_text())
        except (OSError, ValueError):
            return {}

    def collect(self, client):
        """Before MyST-NB looks for a page in the cache: wait for its run, and
        put the result in the cache."""
        job = self.jobs.pop(str(client.path), None)
        if job is None:
            return
        job.done.wait()
        if job.error is not None:
            client.logger.warning(
                f"prerun failed ({type(job.error).__name__}); executing it again"
                " to report",
                subtype="exec",
            )
            return
        from jupyter_cache import get_cache
        from jupyter_cache.base import CacheBundleIn

        cache = get_cache(client.nb_config.execution_cache_path)
        if job.read_fmt is not None:
            record = cache.add_nb_to_project(str(job.path), read_data=job.read_fmt)
        else:
            record = cache.add_nb_to_project(str(job.path))
        cache.cache_notebook_bundle(
            CacheBundleIn(
                job.notebook, record.uri, data={"execution_seconds": job.seconds}
            ),
            check_validity=False,
            overwrite=True,
        )
        client.logger.info(f"Executed notebook in {job.seconds:.2f} seconds (prerun)")
        self.done.append(job)


def setup(app):
    app.setup_extension("myst_nb")
    app.add_config_value("prerun_jobs", "auto", "", types=(str, int))
    app.add_config_value("prerun_warm_kernels", True, "", types=(bool,))
    app.add_config_value("prerun_kernel_imports", [], "", types=(list,))
    # Emitted in a thread of its own while the notebooks run, once every
    # kernel has started: for work the build will need later and can do now
    # (importing what it will inspect).
    app.add_event("prerun-executing")
    prerun = Prerun(app)
    app.connect("config-inited", lambda app, config: prerun.start_if_cold(app))
    app.connect("env-before-read-docs", prerun.before_read)
    app.connect("env-updated", prerun.after_read)
    app.connect("build-finished", prerun.finished)

    start_client = NotebookClientCache.start_client

    def start_client_after_prerun(self):
        prerun.collect(self)
        return start_client(self)

    NotebookClientCache.start_client = start_client_after_prerun
    return {"parallel_read_safe": True, "parallel_write_safe": True}
