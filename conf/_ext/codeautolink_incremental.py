"""Keep sphinx-codeautolink's links on incremental builds.

sphinx-codeautolink 0.19 adds its links to the HTML files after they are
written, but only to the documents it found out of date when the build
started, and it reloads its parse results from the previous build only for
``.rst`` sources. After a configuration change (every page re-read and
rewritten) or when a page is rewritten without being re-read (its toctree
changed), pages came out with no links at all. This extension hands it the
documents actually written in this build and the parse results of the ``.md``
pages.
"""

import json
import time
from pathlib import Path

from sphinx_codeautolink.extension import SphinxCodeAutoLink
from sphinx_codeautolink.extension.block import CodeExample, Name, SourceTransform


def linker(app):
    for listener in app.events.listeners.get("builder-inited", []):
        owner = getattr(listener.handler, "__self__", None)
        if isinstance(owner, SphinxCodeAutoLink):
            return owner
    raise RuntimeError("sphinx_codeautolink is not loaded")


def load_markdown_transforms(app):
    state = linker(app)
    path = Path(state.cache.cache_dir) / state.cache.cache_filename
    if not path.exists():
        return
    for doc, transforms in json.loads(path.read_text("utf-8")).items():
        if doc in state.cache.transforms or not Path(app.srcdir, doc + ".md").exists():
            continue
        for transform in transforms:
            transform["example"] = CodeExample(**transform["example"])
            transform["names"] = [Name(**name) for name in transform["names"]]
        state.cache.transforms[doc] = [SourceTransform(**t) for t in transforms]


def note_start(app):
    app.codeautolink_started = time.time()


def link_written_pages(app, exception):
    # A failed build may have written no page: let its own error show.
    if exception is not None:
        return
    # Pages may be written by parallel workers, so ask the files themselves.
    written = set()
    for doc in app.env.found_docs:
        page = Path(app.outdir, app.builder.get_target_uri(doc))
        if page.exists() and page.stat().st_mtime >= app.codeautolink_started:
            written.add(doc)
    linker(app).outdated_docs = {str(Path(doc)) for doc in written}


def setup(app):
    app.setup_extension("sphinx_codeautolink")
    # After sphinx-codeautolink's own handlers (default priority 500) set up,
    # and before it adds links at the end of the build.
    app.connect("builder-inited", note_start, priority=100)
    app.connect("builder-inited", load_markdown_transforms, priority=600)
    app.connect("build-finished", link_written_pages, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
