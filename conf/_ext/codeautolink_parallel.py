"""Add sphinx-codeautolink's links to the written pages in parallel.

At the end of a build that wrote pages, sphinx-codeautolink reads each of them
back, parses it (BeautifulSoup) and writes it again with its links: about a
second a lesson, one page after the other, the last thing a cold build does,
on one core. This extension lets it list the pages to link, then links them
in forked workers, as many at a time as Sphinx writes pages (``-j``), through
Sphinx's own ``ParallelTasks``: what a worker logs (a code block it could not
match, say) reaches Sphinx as in a serial run, so ``-W`` still fails on it.
Serial builds (``-j 1``) link serially.
"""

import sphinx_codeautolink.extension as codeautolink
from sphinx.util.parallel import ParallelTasks, parallel_available

# sphinx-codeautolink's own, which its apply_links calls for every page.
LINK_HTML = codeautolink.link_html
pending = []


def later(*args, **kwargs):
    pending.append((args, kwargs))


def list_pages(app, exception):
    """Just before apply_links: have it list the pages instead of linking them."""
    pending.clear()
    codeautolink.link_html = later


def link_pages(app, exception):
    """Just after apply_links: link the pages it listed."""
    codeautolink.link_html = LINK_HTML
    calls = list(pending)
    pending.clear()
    if exception is not None:
        return
    jobs = min(app.parallel, len(calls))
    if jobs <= 1 or not parallel_available:
        for args, kwargs in calls:
            LINK_HTML(*args, **kwargs)
        return
    tasks = ParallelTasks(jobs)
    for call in calls:
        tasks.add_task(lambda call: LINK_HTML(*call[0], **call[1]), call)
    tasks.join()


def setup(app):
    app.setup_extension("sphinx_codeautolink")
    # Only around apply_links (priority 500, connected before link_pages): a
    # build without this extension in the same process links as it would.
    app.connect("build-finished", list_pages, priority=499)
    app.connect("build-finished", link_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
