"""Execute the lessons' notebooks in parallel, into MyST-NB's execution cache.

MyST-NB, in cache mode, executes a page's notebook when Sphinx reads the page,
one page after the other. As soon as Sphinx knows which pages it will read,
this extension executes those whose notebook the cache lacks,
``parallel_execution_jobs`` at a time (default: one per core), the longest first
(by the length of their code), each in a kernel of its own, with
jupyter-cache's ``single_nb_execution`` (nbclient), exactly as MyST-NB would
on a cache miss: the notebook MyST-NB reads, the page's folder as working
directory, the same timeout. Each result is added to the cache as MyST-NB adds
one. Sphinx reads the other pages meanwhile; a lesson waits for its own
notebook (``source-read``), and MyST-NB then finds it in the cache.

A notebook whose run fails is not cached: MyST-NB executes it again when it
reads the page, and reports the failure as it always does.

Kernels talk to this process over IPC sockets in a folder of their own, not
TCP ports, so kernels started side by side (here, or by another build on the
same machine) never race for a port.

The cache knows a notebook by its code alone. A cell whose outputs also
depend on files it reads (a lesson's grading of an attempt, tagged
``needs-repository``) would keep outputs older than those files:
``execution_inputs`` maps such a tag to the files its cells read, and a page
with a cell so tagged is read and executed again when one of them is newer
than its cached run.
"""

import datetime
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)


class Execution:
    """The notebooks of one build, run on a pool of threads, each driving a kernel."""

    def __init__(self, app, jobs):
        self.app = app
        self.pool = ThreadPoolExecutor(jobs, thread_name_prefix="notebook")
        self.sockets = tempfile.TemporaryDirectory(prefix="kernels-")
        self.runs = {}  # docname -> Future
        self.kernels = 0
        self.lock = threading.Lock()

    def submit(self, docname, path, notebook, read_fmt):
        self.runs[docname] = self.pool.submit(self.execute, path, notebook, read_fmt)

    def socket_prefix(self):
        with self.lock:
            self.kernels += 1
            return os.path.join(self.sockets.name, f"kernel-{self.kernels}")

    def execute(self, path, notebook, read_fmt):
        from jupyter_cache import get_cache
        from jupyter_cache.base import CacheBundleIn
        from jupyter_cache.executors.utils import single_nb_execution
        from traitlets.config import Config

        config = self.app.env.mystnb_config
        # The kernel nbclient starts, and shuts down, talks over IPC sockets.
        sockets = Config()
        sockets.KernelManager.transport = "ipc"
        sockets.KernelManager.ip = self.socket_prefix()
        result = single_nb_execution(
            notebook,
            cwd=str(path.parent),
            timeout=config.execution_timeout,
            allow_errors=config.execution_allow_errors,
            meta_override=True,
            config=sockets,
        )
        if result.err is not None:
            return result
        cache = get_cache(config.execution_cache_path)
        try:
            record = cache.add_nb_to_project(str(path), read_data=read_fmt)
            cache.cache_notebook_bundle(
                CacheBundleIn(
                    notebook, record.uri, data={"execution_seconds": result.time}
                ),
                check_validity=False,
                overwrite=True,
            )
        finally:
            cache.db.dispose()
        return result

    def wait(self, docname):
        run = self.runs.pop(docname, None)
        if run is None:
            return
        try:
            result = run.result()
            failure = result.err
        except Exception as error:  # the kernel died, say
            failure = error
        if failure is None:
            seconds = f"{result.time:.2f} seconds"
            logger.info(
                f"Executed its notebook in {seconds} (parallel)", location=docname
            )
        else:
            # MyST-NB finds no run in the cache: it executes the notebook as
            # it reads the page, and reports the failure as it always does.
            name = type(failure).__name__
            message = f"Executing its notebook failed ({name}); MyST-NB runs it again"
            logger.info(message, location=docname)

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.sockets.cleanup()


def uncached_notebooks(app, docnames):
    """(docname, path, notebook, reader format) of the pages to read whose
    notebook the execution cache lacks."""
    from jupyter_cache import get_cache
    from myst_nb.core.read import create_nb_reader

    env = app.env
    config = env.mystnb_config
    cache = get_cache(config.execution_cache_path)
    found = []
    try:
        for docname in docnames:
            path = Path(env.doc2path(docname))
            text = path.read_text(encoding="utf-8")
            reader = create_nb_reader(str(path), env.myst_config, config, text)
            if reader is None:
                continue
            notebook = reader.read(text)
            try:
                cache.match_cache_notebook(notebook)
            except KeyError:
                found.append((docname, path, notebook, reader.read_fmt))
    finally:
        cache.db.dispose()
    return found


def code_length(notebook):
    return sum(len(c.source) for c in notebook.cells if c.cell_type == "code")


class ParallelExecution:
    """The extension's state in one build: the runs started, if any."""

    def __init__(self):
        self.execution = None

    def start(self, app, env, docnames):
        config = env.mystnb_config
        jobs = app.config.parallel_execution_jobs or os.cpu_count() or 1
        if jobs <= 1 or config.execution_mode != "cache" or config.execution_in_temp:
            return  # MyST-NB executes each page as it reads it
        pending = uncached_notebooks(app, docnames)
        if not pending:
            return
        pending.sort(key=lambda item: -code_length(item[2]))
        self.execution = Execution(app, jobs)
        for item in pending:
            logger.info("Executing its notebook (parallel)", location=item[0])
            self.execution.submit(*item)
        # Pages with no notebook to wait for are read first, then the lessons
        # in the order their runs started.
        waiting = [item[0] for item in pending]
        docnames[:] = [d for d in docnames if d not in waiting] + waiting

    def wait_for_notebook(self, app, docname, source):
        if self.execution is not None:
            self.execution.wait(docname)

    def finish(self, app, exception):
        if self.execution is not None:
            self.execution.close()
            self.execution = None


def newest_input(srcdir, patterns):
    """The latest modification time of the files the patterns match (relative
    to the source folder), or 0."""
    times = [
        path.stat().st_mtime
        for pattern in patterns
        for path in Path(srcdir).glob(pattern)
        if path.is_file()
    ]
    return max(times, default=0)


def outdated_by_inputs(app, env, added, changed, removed):
    """The pages whose cached run is older than a file a tagged cell of theirs
    reads (execution_inputs): their runs leave the cache, and Sphinx reads
    them again."""
    inputs = app.config.execution_inputs
    config = env.mystnb_config
    if not inputs or config.execution_mode != "cache":
        return []
    from jupyter_cache import get_cache

    newest = {
        tag: newest_input(app.srcdir, patterns) for tag, patterns in inputs.items()
    }
    cache = get_cache(config.execution_cache_path)
    stale = []
    try:
        for record in cache.list_cache_records():
            path = Path(record.uri)
            docname = env.path2doc(str(path)) if path.exists() else None
            if docname is None or docname in added or docname in changed:
                continue
            # jupyter-cache records times in UTC, without a zone.
            ran = record.created.replace(tzinfo=datetime.UTC).timestamp()
            text = path.read_text(encoding="utf-8")
            if any(tag in text and newest[tag] > ran for tag in inputs):
                cache.remove_cache(record.pk)
                stale.append(docname)
    finally:
        cache.db.dispose()
    return sorted(set(stale))


def setup(app):
    app.setup_extension("myst_nb")
    # {cell tag: [glob of the files its cells read, from the source folder]}.
    app.add_config_value("execution_inputs", {}, "", types=(dict,))
    app.connect("env-get-outdated", outdated_by_inputs)
    # Notebooks run at once; 0 for one per core. 1 leaves the execution to
    # MyST-NB: each notebook when its page is read (a stock build).
    app.add_config_value("parallel_execution_jobs", 0, "", types=(int,))
    extension = ParallelExecution()
    app.connect("env-before-read-docs", extension.start)
    app.connect("source-read", extension.wait_for_notebook)
    app.connect("build-finished", extension.finish)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
