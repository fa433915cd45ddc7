"""Sphinx configuration. Build with ``nox -s docs`` (sphinx-build -c conf docs ...)."""

import os
import sys
from pathlib import Path
from urllib.parse import urlparse

CONF = Path(__file__).resolve().parent
sys.path.insert(0, str(CONF / "_ext"))

# -- Project ------------------------------------------------------------------

project = "Flax primitives, executed"
author = "The Flax primitives lessons authors"
copyright = "2026, " + author

# -- Publishing ---------------------------------------------------------------

# The one setting a fork changes: the GitHub repository. The site is published
# to its gh-pages branch (GitHub Pages), which is where Colab opens notebooks.
lessons_repository = "flax-primitives/lessons"
lessons_pages_branch = "gh-pages"
_owner, _name = lessons_repository.split("/")
# Read the Docs says where it serves the site; elsewhere it is GitHub Pages.
html_baseurl = os.environ.get(
    "READTHEDOCS_CANONICAL_URL", f"https://{_owner}.github.io/{_name}/"
)
sitemap_url_scheme = "{link}"
# Pages for readers to land on, not the search, index and 404 pages.
sitemap_excludes = ["search.html", "genindex.html", "404.html"]
ogp_site_url = html_baseurl
# Social cards would be drawn with matplotlib at build time; a title is enough.
ogp_social_cards = {"enable": False}

# -- General ------------------------------------------------------------------

extensions = [
    "myst_nb",
    # Executes the lessons' notebooks in parallel, for MyST-NB's cache.
    "parallel_execution",
    "sphinx_design",
    "sphinx_copybutton",
    "not_found",
    "sphinx_codeautolink",
    "api_tabs",
    "api_links",
    "notebooks",
    "grader_wheel",
    "problem_sections",
    "lesson_index",
    "release_ranges",
    "plots",
    "build_stamp",
    "page_weight",
    "sphinx_sitemap",
    "sphinxext.opengraph",
    # Fixes of upstream bugs, each until its release.
    "upstream",
]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
templates_path = [str(CONF / "_templates")]
# Fail on broken references too, not only on syntax errors.
nitpicky = True

# -- Release ranges -----------------------------------------------------------

# Where each lesson holds, as nox -s releases last found (_ext/release_ranges.py).
lessons_release_check = str(CONF / "release-check.json")

# -- API links ----------------------------------------------------------------

# Inventories come from conf/api_inventory.toml (see _ext/api_links.py); the
# mapping is filled in there, and nothing is ever fetched.
intersphinx_mapping = {}
intersphinx_timeout = 1
# A name defined in one cell is known in the cells after it.
codeautolink_concat_default = True

# -- MyST ---------------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- Tabs ---------------------------------------------------------------------

# A tab chosen on one page is not carried to the next: each page opens on the
# tab its later cells continue from (see _ext/api_tabs.py).
sd_tabs_storage_prefix = ""

# -- Execution ----------------------------------------------------------------

# Cache executed notebooks: an unchanged page is not executed again.
nb_execution_mode = "cache"
# A cell that raises fails the build, unless it is tagged raises-exception.
nb_execution_raise_on_error = True
# The grading a lesson shows runs the grader on an attempt: its outputs depend
# on those files too, and run again when one changes (_ext/parallel_execution.py).
execution_inputs = {
    "needs-repository": ["../lessongrader/**/*.py", "../examples/**/*.py"]
}
# Kept small on purpose: a cell that needs longer needs a smaller example.
nb_execution_timeout = 60
# Cell outputs are rendered as text, so no page needs MathJax or other scripts.
nb_render_markdown_format = "commonmark"
nb_execution_show_tb = True
# A cell's prints arrive in chunks that depend on timing: merge them, exactly
# as written (_ext/upstream.py), so two builds give the same HTML.
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
    "use_download_button": True,
    "use_fullscreen_button": False,
    # No header bar above the page. The book theme leaves the one it inherits
    # empty but for a second search box, and on a phone the theme's scripts
    # bound to the hidden copies of the menu and contents buttons drawn in it,
    # so tapping the visible ones opened nothing.
    "navbar_persistent": [],
    # The site title beside the menu button, where the sidebar is not shown.
    "article_header_start": ["toggle-primary-sidebar.html", "site-title.html"],
    # A repository menu (the repository, "edit this page", "open an issue"),
    # from lessons_repository alone.
    "repository_url": f"https://github.com/{lessons_repository}",
    "repository_branch": "main",
    "path_to_docs": "docs",
    "use_repository_button": True,
    "use_edit_page_button": True,
    "use_issues_button": True,
    # The copyright, then when and from which commit the site was built.
    "footer_content_items": ["copyright.html", "lessons-footer.html"],
}
_sidebar = ["navbar-logo.html", "search-button-field.html", "sbt-sidebar-nav.html"]
# The search page has its own search box: one is enough.
html_sidebars = {"**": _sidebar, "search": [_sidebar[0], _sidebar[2]]}

# -- 404 page -----------------------------------------------------------------

# The path the site is served under in production. The 404 page resolves its
# links from it there, and from "/" under a local preview (_ext/not_found.py).
notfound_urls_prefix = urlparse(html_baseurl).path

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
