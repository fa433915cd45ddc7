"""Fixes of bugs in the packages the site is built with, each until its release.

This is the one module that changes what another package does. Each fix below
names the upstream issue, the test that fails without it, and the version it
was checked against (``CHECKED``): ``setup`` stops the build when another
version is installed, so that a new release is checked (is the fix still
needed? still right?) before it builds the site. Then update ``CHECKED``, or
delete the fix. CONTRIBUTING.md holds each one as a patch to send upstream.

One change lives outside this module, because it is JavaScript: on the search
page, conf/_static/search-sections.js replaces Sphinx's
``Search.makeSearchSummary`` (searchtools.js, Sphinx 9.2.0: the version
``CHECKED`` pins), so that a result quotes the section a word was found in and
leads there, not to the top of the page with the theme's buttons quoted
(related upstream: https://github.com/sphinx-doc/sphinx/issues/11943). Test:
tests/browser/test_browser_site.py,
test_search_results_lead_to_sections_with_lesson_text.
"""

import copy
import hashlib
import json
import queue
import time
from importlib import resources
from importlib.metadata import version
from pathlib import Path

from sphinx.errors import ExtensionError

# The versions each fix was checked against.
CHECKED = {
    "myst-nb": "1.4.0",
    "sphinx": "9.2.0",
    "sphinx-codeautolink": "0.19.0",
    "sphinx-sitemap": "2.9.0",
}


def unchecked_versions(checked=CHECKED):
    """The packages installed at a version their fixes were not checked with."""
    return {name: version(name) for name in checked if version(name) != checked[name]}


# -- MyST-NB: merged streams are stripped ---------------------------------------
# With nb_merge_streams, MyST-NB strips each chunk of a stream and adds a newline
# between chunks. The kernel flushes a cell's prints on a timer, so a line split
# by a flush shows as two lines, at random. Here the chunks are joined as
# written. No upstream issue yet (CONTRIBUTING.md). Test:
# tests/build/test_streams.py.


def exact_streams(outputs):
    """Each stream's chunks joined as written, where the stream first appeared.

    stdout and stderr stay apart (their relative order depends on timing too):
    stdout first when the two streams are neighbours, as MyST-NB orders them.
    The published notebooks (notebooks.py) merge with this function too.
    """
    merged, streams = [], {}
    for output in outputs:
        if output["output_type"] != "stream":
            merged.append(output)
        elif output["name"] in streams:
            streams[output["name"]]["text"] += output["text"]
        else:
            output = copy.copy(output)
            streams[output["name"]] = output
            merged.append(output)
    for i in range(len(merged) - 1):
        first, second = merged[i], merged[i + 1]
        if first["output_type"] == second["output_type"] == "stream" and (
            first["name"],
            second["name"],
        ) == ("stderr", "stdout"):
            merged[i], merged[i + 1] = second, first
    return merged


def merge_streams_exactly():
    from myst_nb.core import render

    # The name MyST-NB's renderer calls when nb_merge_streams is on.
    render.coalesce_streams = exact_streams


# -- MyST-NB: its stylesheet is linked two ways ---------------------------------
# MyST-NB copies mystnb.<hash>.css when the build ends, so a clean build's pages
# link it bare and a rebuild's (which finds the file) with Sphinx's ?v= checksum.
# Copied before any page is written, every build links it with the checksum.
# No upstream issue yet. Test: tests/build/test_extensions.py,
# test_a_rebuild_publishes_what_a_clean_build_does.


def copy_mystnb_stylesheet(app):
    if app.builder.format != "html":
        return
    source = resources.files("myst_nb.static").joinpath("mystnb.css").read_bytes()
    # Named as MyST-NB names it: by the SHA-256 of its content.
    name = f"mystnb.{hashlib.sha256(source).hexdigest()}.css"
    target = Path(app.builder.outdir) / "_static" / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source)


# -- Sphinx: the search index keeps words no page holds -------------------------
# A rebuild's searchindex.js keeps, from the builds before, every word no page
# holds any more (the commit of an earlier build, say), each with an empty list
# of pages; a clean build never has them. No upstream issue yet. Test:
# test_a_rebuild_publishes_what_a_clean_build_does.


def drop_words_of_no_page(index):
    """The index without the words and title words that lead to no page."""
    for key in ("terms", "titleterms"):
        words = index.get(key, {})
        index[key] = {word: pages for word, pages in words.items() if pages != []}
    return index


def prune_search_index(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.search import js_index

    path = Path(app.builder.outdir) / "searchindex.js"
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    pruned = js_index.dumps(drop_words_of_no_page(js_index.loads(text)))
    if pruned != text:
        path.write_text(pruned, encoding="utf-8")


# -- sphinx-sitemap: a rebuild lists only the pages it wrote --------------------
# https://github.com/jdillard/sphinx-sitemap/issues/13: after one page changed,
# the sitemap listed that page and the index. Every page is added to its queue
# before it writes the sitemap, in the order of their addresses, as a clean
# build writes them. Test: test_a_rebuild_publishes_what_a_clean_build_does.


def complete_sitemap(app, exception):
    links = getattr(app, "sitemap_links", None)  # sphinx-sitemap's queue
    if exception is not None or app.builder.format != "html" or links is None:
        return
    import sphinx_sitemap

    for docname in app.env.found_docs:
        sphinx_sitemap.add_html_link(app, docname, None, None, None)
    taken = set()
    while True:
        try:
            taken.add(links.get_nowait())
        except queue.Empty:
            break
    for link in sorted(taken):
        links.put(link)


# -- sphinx-codeautolink: links lost on incremental builds ----------------------
# https://github.com/felix-hilden/sphinx-codeautolink/issues/181: it links only
# the pages it found out of date when the build started, and reloads its parse
# results only for .rst sources. After a configuration change (every page read
# and written again), or a page written again without being read (its toctree
# changed), pages came out with no links. Here it gets the pages this build
# wrote, and the parse results of the .md pages it did not read, as the
# previous build resolved them (loaded once it has resolved the names of the
# pages read, so that a build that reads no page imports no package to
# resolve names). Test: tests/build/test_api_links.py,
# test_links_survive_incremental_builds.


def codeautolink(app):
    from sphinx_codeautolink.extension import SphinxCodeAutoLink

    for listener in app.events.listeners.get("builder-inited", []):
        owner = getattr(listener.handler, "__self__", None)
        if isinstance(owner, SphinxCodeAutoLink):
            return owner
    raise ExtensionError("sphinx_codeautolink is not loaded")


def load_markdown_transforms(app, env):
    from sphinx_codeautolink.extension.block import CodeExample, Name, SourceTransform

    state = codeautolink(app)
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


class WrittenPages:
    """The pages this build wrote, for sphinx-codeautolink to link."""

    def __init__(self):
        self.started = None

    def note_start(self, app):
        self.started = time.time()

    def hand_over(self, app, exception):
        if exception is not None:  # let the build's own error show
            return
        written = set()
        for doc in app.env.found_docs:
            page = Path(app.outdir, app.builder.get_target_uri(doc))
            if page.exists() and page.stat().st_mtime >= self.started:
                written.add(str(Path(doc)))
        codeautolink(app).outdated_docs = written


def setup(app):
    changed = unchecked_versions()
    if changed:
        found = ", ".join(
            f"{name} {v} (checked: {CHECKED[name]})" for name, v in changed.items()
        )
        raise ExtensionError(
            f"conf/_ext/upstream.py: its fixes were not checked with {found}. "
            "Check each fix of those packages against the new release (its test "
            "fails without it), then update CHECKED, or delete the fix."
        )
    merge_streams_exactly()
    # After MyST-NB's own builder-inited handler, which adds the stylesheet.
    app.connect("builder-inited", copy_mystnb_stylesheet, priority=900)
    app.connect("build-finished", prune_search_index)
    # Before sphinx-sitemap writes the sitemap (priority 500).
    app.connect("build-finished", complete_sitemap, priority=400)
    # Around sphinx-codeautolink's own handlers (priority 500): after it has
    # resolved the names of the pages read, and before it adds links at the
    # end of the build.
    written = WrittenPages()
    app.connect("builder-inited", written.note_start, priority=100)
    app.connect("env-updated", load_markdown_transforms, priority=600)
    app.connect("build-finished", written.hand_over, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
