"""Publish each lesson as a notebook with its executed outputs, and open it in Colab.

MyST-NB writes each page's notebook to ``jupyter_execute/`` and keeps its
executed outputs in the jupyter-cache (the notebook it writes lacks them when
they came from the cache). After the build, this extension merges the two
into a notebook that reads well in Jupyter and Colab, and publishes it beside
the page source as
``_sources/<page>.ipynb``, where the theme's download menu offers it. Colab
cannot open MyST Markdown, so the page's Colab button opens this notebook, as
published on the site's ``gh-pages`` branch.
"""

import contextlib
import re
from importlib.metadata import version
from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from streams import exact_streams

PINNED = ("jax", "flax")
INSTALL_CELL = """\
# Outside the environment this lesson was built in (on Colab, for example),
# install the versions it was executed with.
import importlib.metadata
import subprocess
import sys

PINS = {pins}


def _installed(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


if any(_installed(name) != pin for name, pin in PINS.items()):
    pins = [f"{{name}}=={{pin}}" for name, pin in PINS.items()]
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *pins], check=True)
"""
DROPDOWN = re.compile(r"^:::\{dropdown\} (.*?)\n(.*?)^:::$", re.MULTILINE | re.DOTALL)
LITERALINCLUDE = re.compile(
    r"^```\{literalinclude\} (\S+)\n((?::.*\n)*)```$", re.MULTILINE
)
BADGE = re.compile(r"\{bdg-[a-z-]+\}`([^`]*)`")


def executed_notebook(app, docname):
    path = Path(app.env.mystnb_config.output_folder) / f"{docname}.ipynb"
    return path if path.exists() else None


def colab_url(config, docname):
    return (
        f"https://colab.research.google.com/github/{config.lessons_repository}"
        f"/blob/{config.lessons_pages_branch}/_sources/{docname}.ipynb"
    )


def include(srcdir, match):
    """The code a literalinclude shows, as a fenced block."""
    options = dict(re.findall(r"^:([\w-]+): (.*)$", match.group(2), re.MULTILINE))
    text = (srcdir / match.group(1)).read_text()
    if "start-at" in options:
        text = text[text.index(options["start-at"]) :]
    if "end-before" in options:
        end = text.index(options["end-before"])
        text = text[: text.rindex("\n", 0, end) + 1]
    return f"```{options.get('language', 'python')}\n{text.rstrip()}\n```"


def for_jupyter(markdown, srcdir):
    """MyST-only syntax in a markdown cell, rewritten for Jupyter and Colab."""
    markdown = LITERALINCLUDE.sub(lambda m: include(srcdir, m), markdown)
    markdown = DROPDOWN.sub(
        lambda m: (
            f"<details><summary>{m.group(1)}</summary>\n\n{m.group(2)}\n</details>"
        ),
        markdown,
    )
    return BADGE.sub(r"**\1**", markdown)


def publishable(notebook, srcdir):
    pins = {name: version(name) for name in PINNED}
    notebook.metadata.pop("source_map", None)
    notebook.metadata.pop("jupytext", None)
    # Cells that run the repository's own tools (the grader) only run there.
    notebook.cells = [
        cell
        for cell in notebook.cells
        if "needs-repository" not in cell.metadata.get("tags", [])
    ]
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = for_jupyter(cell.source, srcdir)
        else:
            cell.outputs = exact_streams(cell.outputs)
    install = nbformat.v4.new_code_cell(INSTALL_CELL.format(pins=pins))
    install.metadata["tags"] = ["remove-cell"]
    notebook.cells.insert(0, install)
    # Cell ids are random when a page is read; numbered, two builds agree.
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number}"
    return notebook


def add_page_context(app, pagename, templatename, context, doctree):
    if not executed_notebook(app, pagename):
        return
    # Read by the theme's download menu (it adds the .ipynb entry).
    context["ipynb_source"] = f"{pagename}.ipynb"


def add_colab_button(app, pagename, templatename, context, doctree):
    if not executed_notebook(app, pagename):
        return
    # A launch menu, as the theme draws its own launch buttons.
    colab = {
        "type": "link",
        "url": colab_url(app.config, pagename),
        "text": "Colab",
        "tooltip": "Open this lesson as a notebook in Colab",
        "icon": "_static/images/logo_colab.png",
        "label": "colab-button",
    }
    context["header_buttons"].insert(
        0,
        {
            "type": "group",
            "tooltip": "Run this lesson",
            "icon": "fas fa-rocket",
            "buttons": [colab],
            "label": "launch-buttons",
        },
    )


def write_notebooks(app, exception):
    if exception or app.builder.format != "html":
        return
    config = app.env.mystnb_config
    cache = get_cache(config.execution_cache_path)
    for docname in sorted(app.env.found_docs):
        source = executed_notebook(app, docname)
        if source is None:
            continue
        notebook = nbformat.read(source, 4)
        # A page executed by this build was written with its outputs; only a
        # page served from the cache needs them merged back. Outside cache mode
        # the cache may hold another run's outputs (other versions): never use it.
        if config.execution_mode == "cache":
            with contextlib.suppress(KeyError):  # not cached: its run failed
                _, notebook = cache.merge_match_into_notebook(notebook)
        notebook = publishable(notebook, Path(app.srcdir))
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)


def setup(app):
    app.add_config_value("lessons_repository", "", "html")
    app.add_config_value("lessons_pages_branch", "gh-pages", "html")
    # Before the theme builds its header buttons (priority 501), and after.
    app.connect("html-page-context", add_page_context, priority=400)
    app.connect("html-page-context", add_colab_button, priority=600)
    app.connect("build-finished", write_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
