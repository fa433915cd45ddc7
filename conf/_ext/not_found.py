"""A 404 page that works wherever the site is served.

A host answers every missing path with ``404.html``, at any depth:
GitHub Pages under the site's path (``/lessons/old/page.html``), and a local
preview (``python -m http.server`` in ``build/html``, ``nox -s serve``) from
the root (``/old/page.html``). Links relative to the page would break at
depth, and links absolute from the production path (as sphinx-notfound-page
writes them) break everywhere else. So the page is written like a page at the
site's root, and its first script (in ``layout.html``) sets the base its
links resolve from: the production path when the address starts with it,
else ``/``. (Below the root, a browser may first fetch a few of its assets
from the missing page's folder, ahead of the parser and so of the base:
misses that cost a few requests and nothing else.)
"""

PAGE = "404"
BODY = """\
<h1>Page not found</h1>
<p>There is no page at this address: it may have been renamed or moved.</p>
<p>Every lesson is listed on the <a href="index.html">home page</a>, and
<a href="search.html">search</a> looks through their text.</p>
"""


def collect_page(app):
    yield PAGE, {"title": "Page not found", "body": BODY}, "page.html"


def add_base(app, pagename, templatename, context, doctree):
    if pagename == PAGE:
        # Read by layout.html: the path the site is served under in production.
        context["not_found_site_path"] = app.config.notfound_urls_prefix


def setup(app):
    # The path the site is served under in production, such as "/lessons/".
    app.add_config_value("notfound_urls_prefix", "/", "html", types=[str])
    app.connect("html-collect-pages", collect_page)
    app.connect("html-page-context", add_base)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
