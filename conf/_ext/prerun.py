"""Execute the lessons while Sphinx starts: in parallel, longest first, on warm kernels.

MyST-NB executes a notebook when Sphinx reads its page, one page after the
other (or in Sphinx's parallel chunks, which on two cores put lessons of
unequal length together). This extension, in cache mode, looks for the pages
to read that the execution cache lacks as soon as Sphinx knows them, and
executes them ``prerun_jobs`` at a time (default: one per core), the longest
first (by their times in the previous build, else by the length of their
code), on kernels forked from a process that already imported what a kernel
imports (``warm_kernels.py``; ``prerun_warm_kernels``), plus
``prerun_kernel_imports``. That process is started when the configuration is
read, so its imports overlap Sphinx's own start.

``prerun_kernel_imports`` is empty: jax and flax cannot be imported before
the kernel exists. Both decide at import whether they run in IPython (jax's
pretty printer checks for a ``ZMQInteractiveShell``, flax's reprs for
``get_ipython()``) and colour their output accordingly, so a pre-imported flax
printed ``nnx.State`` without the colours a kernel of its own gives it.

Each result goes into the execution cache exactly as MyST-NB would put it
there (same notebook, same working directory, timeout and error settings),
and MyST-NB then reads the page from the cache: every cell is executed, once,
and the page is what a cache hit makes of it. A notebook whose execution
fails is not cached: MyST-NB executes it again when it reads it, and reports
the failure as it always does.

Pages are read one at a time in the main process while the notebooks run
(each waits for its own), and written in parallel as ``-j`` says.
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
    worker drives one kernel through nbclient)."""

    def __init__(self, jobs, size, kernel_manager_class=None):
        self.jobs, self.size = jobs, size
        self.kernel_manager_class = kernel_manager_class
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()

    def _run(self):
        asyncio.run(self._main())

    async def _main(self):
        queue = asyncio.Queue()
        for job in self.jobs:
            queue.put_nowait(job)
        await asyncio.gather(*(self._worker(queue) for _ in range(self.size)))

    async def _worker(self, queue):
        while not queue.empty():
            job = queue.get_nowait()
            try:
                await self._execute(job)
            except Exception as error:  # reported when the page is read
                job.error = error
            finally:
                job.done.set()

    async def _execute(self, job):
        from nbclient import NotebookClient

        config = job.nb_config
        timeout, allow_errors = config.execution_timeout, config.execution_allow_errors
        # As jupyter-cache's single_nb_execution (meta_override=True).
        execution = job.notebook.metadata.get("execution", {})
        timeout = execution.get("timeout", timeout)
        allow_errors = execution.get("allow_errors", allow_errors)
        options = {}
        if self.kernel_manager_class is not None:
            options["kernel_manager_class"] = self.kernel_manager_class
        client = NotebookClient(
            job.notebook,
            resources={"metadata": {"path": str(job.path.parent)}},
            timeout=timeout,
            allow_errors=allow_errors,
            record_timing=False,
            **options,
        )
        start = time.perf_counter()
        await client.async_execute()
        job.seconds = time.perf_counter() - start


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

    def setup_zygote(self, app):
        modules = app.config.prerun_kernel_imports
        if self.enabled(app) and app.config.prerun_warm_kernels:
            from warm_kernels import Zygote

            self.zygote = Zygote(modules)
            atexit.register(self.stop_zygote)

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
        self.jobs = {str(job.path): job for job in jobs}
        for job in jobs:
            logger.info(f"{job.path}: Executing notebook (prerun)")
        manager = None
        if self.zygote is not None:
            from warm_kernels import kernel_manager_class

            manager = kernel_manager_class(self.zygote)
        Pool(jobs, self.jobs_at_once(app), manager).start()
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

    # -- helpers ---------------------------------------------------------------

    def stop_zygote(self):
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
    prerun = Prerun(app)
    app.connect("config-inited", lambda app, config: prerun.setup_zygote(app))
    app.connect("env-before-read-docs", prerun.before_read)
    app.connect("env-updated", prerun.after_read)
    app.connect("build-finished", prerun.finished)

    start_client = NotebookClientCache.start_client

    def start_client_after_prerun(self):
        prerun.collect(self)
        return start_client(self)

    NotebookClientCache.start_client = start_client_after_prerun
    return {"parallel_read_safe": True, "parallel_write_safe": True}
