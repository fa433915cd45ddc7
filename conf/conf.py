"""Sphinx configuration. Build with ``nox -s docs`` (sphinx-build -c conf docs ...)."""

import sys
from pathlib import Path

CONF = Path(__file__).resolve().parent
sys.path.insert(0, str(CONF / "_ext"))

# -- Project ------------------------------------------------------------------

project = "Flax primitives, executed"
author = "The Flax primitives lessons authors"
copyright = "2026, " + author

# -- General ------------------------------------------------------------------

extensions = [
    "myst_nb",
    "sphinx_design",
    "sphinx_copybutton",
    "notfound.extension",
    "api_tabs",
]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
templates_path = [str(CONF / "_templates")]
# Fail on broken references too, not only on syntax errors.
nitpicky = True

# -- MyST ---------------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- Execution ----------------------------------------------------------------

# Cache executed notebooks: an unchanged page is not executed again.
nb_execution_mode = "cache"
# A cell that raises fails the build, unless it is tagged raises-exception.
nb_execution_raise_on_error = True
# Kept small on purpose: a cell that needs longer needs a smaller example.
nb_execution_timeout = 60
# Cell outputs are rendered as text, so no page needs MathJax or other scripts.
nb_render_markdown_format = "commonmark"
nb_execution_show_tb = True
# A cell's prints arrive in chunks that depend on timing; merged, two builds
# give the same HTML.
nb_merge_streams = True

# -- HTML ---------------------------------------------------------------------

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = [str(CONF / "_static")]
html_css_files = ["lessons.css"]
# Without an icon link, browsers request /favicon.ico and log a 404.
html_favicon = str(CONF / "_static" / "favicon.svg")
html_last_updated_fmt = None
# Light or dark follows the reader's system setting until they pick one.
html_context = {"default_mode": "auto"}
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
}

# -- 404 page -----------------------------------------------------------------

# The 404 page is served at any depth, so its links are absolute from here.
notfound_urls_prefix = "/"

# -- Copy button --------------------------------------------------------------

# Buttons on code only (cell inputs, included files, shell commands), never on
# outputs; prompts are stripped, so what is copied runs as pasted.
copybutton_selector = ", ".join(
    f"div.highlight-{lang} div.highlight pre"
    for lang in ("ipython3", "python", "bash", "console")
)
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_exclude = ".linenos, .gp, .go"
