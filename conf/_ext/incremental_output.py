"""An incremental build publishes the bytes a clean build does.

Two things Sphinx and MyST-NB write differ once ``build/html`` already holds a
build:

- MyST-NB copies its stylesheet only when the build ends, so the pages of a
  clean build link it bare, while a rebuild finds it and adds Sphinx's
  ``?v=`` checksum. It is copied here before any page is written, so every
  build adds the checksum.
- Sphinx's search index keeps, from the builds before, every word no page
  holds any more (the commit of an earlier build, say), each with an empty
  list of pages. They are dropped when the build ends, as a clean build never
  has them.
- sphinx-sitemap lists the pages written by this build only
  (jdillard/sphinx-sitemap#13): a rebuild after one page changed published a
  sitemap of that page and the index. Every page of the site is added before
  it writes the sitemap, in the order of their addresses, as a clean build
  writes them.
"""

import queue
from pathlib import Path

from sphinx.search import js_index


def copy_mystnb_stylesheet(app):
    if app.builder.format != "html":
        return
    from myst_nb import sphinx_ext, static

    with sphinx_ext._import_resources_path(static, "mystnb.css") as source:
        name = f"mystnb.{sphinx_ext._get_file_hash(source)}.css"
        target = Path(app.builder.outdir) / "_static" / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(Path(source).read_bytes())


def drop_words_of_no_page(index):
    """The index without the words and title words that lead to no page."""
    for key in ("terms", "titleterms"):
        words = index.get(key, {})
        index[key] = {word: pages for word, pages in words.items() if pages != []}
    return index


def prune_search_index(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    path = Path(app.builder.outdir) / "searchindex.js"
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    pruned = js_index.dumps(drop_words_of_no_page(js_index.loads(text)))
    if pruned != text:
        path.write_text(pruned, encoding="utf-8")


def drained(links):
    """What a queue holds, taken out of it: a set."""
    taken = set()
    while True:
        try:
            taken.add(links.get_nowait())
        except queue.Empty:
            return taken


def complete_sitemap(app, exception):
    """Every page in sphinx-sitemap's queue, once each, in order."""
    links = getattr(app, "sitemap_links", None)
    if exception is not None or app.builder.format != "html" or links is None:
        return
    import sphinx_sitemap

    for docname in app.env.found_docs:
        sphinx_sitemap.add_html_link(app, docname, None, None, None)
    for link in sorted(drained(links)):
        links.put(link)


def setup(app):
    # After MyST-NB's own builder-inited handler, which adds the stylesheet.
    app.connect("builder-inited", copy_mystnb_stylesheet, priority=900)
    app.connect("build-finished", prune_search_index)
    # Before sphinx-sitemap's own handler (priority 500) writes the sitemap.
    app.connect("build-finished", complete_sitemap, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
