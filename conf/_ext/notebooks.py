"""Publish each lesson as a notebook with its executed outputs, and open it in Colab.

MyST-NB writes each page's notebook to ``jupyter_execute/`` and keeps its
executed outputs in the jupyter-cache (the notebook it writes lacks them when
they came from the cache). After the build, this extension merges the two
into a notebook that reads as the page does, in Jupyter and in Colab, and
publishes it beside the page source as ``_sources/<page>.ipynb``, where the
theme's download menu offers it. Colab cannot open MyST Markdown, so the
page's Colab button opens this notebook, as published on the site's
``gh-pages`` branch.

What the page hides, the notebook hides: a removed cell (the hidden
assertions) is left out; a cell whose code the page hides or folds keeps its
outputs and has its code folded, as Jupyter (``jupyter.source_hidden``) and
Colab (``cellView: form``) fold it. The reference solution is shown where the
page shows it, in a ``<details>`` fold after the Solution heading, and runs
there, from a folded cell, for the cells after it; its grading cases never
appear. The grader's report, produced by a cell that only runs in the
repository, is kept as text. The sections written from a problem's folder
are written again for Jupyter (sections.py), and links to other pages in full.
"""

import functools
import json
import re
import sys
import time
from importlib.metadata import packages_distributions, version
from pathlib import Path

import nbformat
from api_tabs import TABS, framework
from build_stamp import stamp_markdown
from grader_wheel import wheel_url
from problem_sections import colab_url, problems
from sections import SECTION, Target, expand
from upstream import exact_streams

from lessongrader import cli
from lessongrader.version import __version__

# The notebook's own front end (Colab brings its IPython), never reinstalled.
FRONT_END = {"ipython", "ipykernel", "ipywidgets", "lessongrader"}
# Always pinned where imported with jax: its compiled half.
COMPANIONS = {"jax": ("jaxlib",)}
IMPORT = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", re.MULTILINE)
SETUP_CELL = """\
# {title}
# Outside the environment this lesson was built in (on Colab, for example),
# install the versions it was executed with{grader_words}.
# Nothing is installed when they are all there.
import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys

PINS = {pins}
{grader}

def _installed(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _install(*arguments):
    if importlib.util.find_spec("pip"):
        command = [sys.executable, "-m", "pip", "install", "-q"]
    else:  # an environment made by uv has no pip
        command = [shutil.which("uv") or "uv", "pip", "install", "-q"]
        command += ["--python", sys.executable]
    subprocess.run([*command, *arguments], check=True)


missing = [f"{{n}}=={{pin}}" for n, pin in PINS.items() if _installed(n) != pin]
if missing:
    _install(*missing)
    # A module imported before at another version stays in memory (on Colab,
    # jax is imported at start): only a restart loads the one just installed.
    stale = [n for n in PINS if n in sys.modules and f"{{n}}=={{PINS[n]}}" in missing]
    if stale:
        print(f"Installed {{', '.join(missing)}}. {{', '.join(stale)}} was already "
              "imported: restart the runtime, then run the notebook from the top.")
{grader_install}importlib.invalidate_caches()
"""
GRADER_SETUP = """\
# The grader, built with the site; LESSONGRADER_WHEEL overrides its address.
GRADER = {version!r}
WHEEL = os.environ.get("LESSONGRADER_WHEEL") or {url!r}
"""
GRADER_INSTALL = """\
if not importlib.util.find_spec("lessongrader") or _installed("lessongrader") != GRADER:
    _install("--no-deps", "--force-reinstall", WHEEL)
"""
# {doc}`page` or {doc}`text <page>`: a link to another page of the site.
DOC = re.compile(r"\{doc\}`([^`<]*?)\s*(?:<([^>`]+)>)?`")
# Tags of cells whose code, or whose outputs, the page folds or hides.
SOURCE_HIDDEN = {"remove-input", "hide-input", "hide-cell"}
OUTPUTS_HIDDEN = {"hide-output", "hide-cell"}


def executed_notebook(app, docname):
    path = Path(app.env.mystnb_config.output_folder) / f"{docname}.ipynb"
    return path if path.exists() else None


def with_cached_outputs(notebook, cache):
    """The notebook with the outputs the execution cache holds for it (MyST-NB
    writes a page served from the cache without them); as it is if the cache
    holds no run of it."""
    from jupyter_cache import get_cache

    cache = get_cache(str(cache))
    try:
        _, notebook = cache.merge_match_into_notebook(notebook)
    except KeyError:
        pass
    finally:
        cache.db.dispose()
    return notebook


def doc_link(match, srcdir, config):
    """A {doc} role as a link to the page on the site, named by its title."""
    text, target = match.group(1).strip(), match.group(2)
    target = (target or text).strip()
    if not match.group(2):
        heading = re.search(r"^# (.+)$", (srcdir / f"{target}.md").read_text(), re.M)
        text = heading.group(1).strip() if heading else target
    return f"[{text}]({config.html_baseurl.rstrip('/')}/{target}.html)"


def for_jupyter(markdown, target):
    """A markdown cell as Jupyter and Colab show it: its sections written out
    (sections.py), and links to other pages in full."""
    markdown = expand(markdown, target)
    srcdir, config = target.srcdir, target.config
    return DOC.sub(lambda m: doc_link(m, srcdir, config), markdown)


def fold(cell, source=False, outputs=False):
    """Fold a cell's code or outputs, as Jupyter and Colab do."""
    if source:
        cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
        cell.metadata["cellView"] = "form"
        # The page's button for the fold, as the title Colab shows for it.
        prompt = cell.metadata.get("mystnb", {}).get("code_prompt_show")
        if prompt:
            cell.source = f"# @title {prompt}\n{cell.source}"
    if outputs:
        cell.metadata.setdefault("jupyter", {})["outputs_hidden"] = True
    return cell


def report(cell):
    """The text a cell printed, as a markdown code block."""
    text = "".join(o.text for o in cell.outputs if o.output_type == "stream")
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall("`+", text))])
    return nbformat.v4.new_markdown_cell(f"{fence}text\n{text.rstrip()}\n{fence}")


def solution(code):
    """The solution as the page shows it, folded, run for the cells after it."""
    title = "# @title The solution shown above, run for the cells below\n"
    cell = nbformat.v4.new_code_cell(title + code)
    cell.metadata["tags"] = ["hide-input"]
    return fold(cell, source=True)


def label_tabs(cells):
    """Name each cell of a Linen/NNX tab pair, as its tab does on the page."""
    labelled = []
    for number, cell in enumerate(cells):
        name = framework(cell) if cell.cell_type == "code" else None
        if name is None:
            labelled.append(cell)
            continue
        last = number
        while last + 1 < len(cells) and framework(cells[last + 1]):
            last += 1
        label = f"**{TABS[name]}**"
        continuing = framework(cells[last])
        if name != continuing:
            label += ", for comparison: the cells below continue from the "
            label += f"{TABS[continuing]} cell."
        labelled += [nbformat.v4.new_markdown_cell(label), cell]
    return labelled


def with_build_date(cell, built):
    """The version line says when the site was built, as on the page."""
    for output in cell.outputs:
        text = output.get("data", {}).get("text/markdown", "")
        if built and text.lstrip("*_").startswith("Executed with "):
            output.data["text/markdown"] = text + stamp_markdown(built)


@functools.cache
def module_owners():
    """{top-level module: [distributions]} of the environment: reading it
    scans every installed distribution's files (about 1 s), so once a build."""
    return packages_distributions()


def imported(cells):
    """The distributions the code cells import (not the standard library's, nor
    the grader), with their companions: name -> installed version."""
    modules = {
        name
        for cell in cells
        if cell.cell_type == "code"
        for name in IMPORT.findall(cell.source)
    }
    owners = module_owners()
    names = set()
    for module in modules - set(sys.stdlib_module_names) - {"lessongrader"}:
        for name in owners.get(module, []):
            names.add(name.lower())
            names.update(COMPANIONS.get(name.lower(), ()))
    return {name: version(name) for name in sorted(names - FRONT_END)}


def setup_cell(pins, grader_url=None):
    """The code that installs the pinned packages (and the grader)."""
    grader = grader_url is not None
    code = SETUP_CELL.format(
        title="Practice setup: the grader and the lesson's packages"
        if grader
        else "Setup: the packages this lesson imports",
        grader_words=", and the grader (lessongrader)" if grader else "",
        pins=pins,
        grader=GRADER_SETUP.format(version=__version__, url=grader_url)
        if grader
        else "",
        grader_install=GRADER_INSTALL if grader else "",
    )
    return nbformat.v4.new_code_cell(code)


def practice_cells(problem, pins, config):
    """The Practice part: set up, attempt, check; hints and solution on demand."""
    name = problem.name
    intro = nbformat.v4.new_markdown_cell(
        "## Practice\n\n"
        f"Attempt the problem here. Run the setup cell, write `{name}` in the "
        "starter cell (in place of `raise NotImplementedError`), then run the "
        "check cell: it grades your function on the grader's cases, as "
        f"`{cli.PROG} {name} FILE` does, and names the mistake it finds. It runs "
        "in this notebook's process: if your function hangs, interrupt the cell "
        "(Kernel > Interrupt, or Runtime > Interrupt execution on Colab)."
    )
    setup = setup_cell(pins, wheel_url(config.html_baseurl))
    setup.metadata["tags"] = ["practice-setup"]
    attempt = nbformat.v4.new_code_cell(
        "\n".join(problem.imports) + "\n\n\n" + cli.starter_function(problem)
    )
    attempt.metadata["tags"] = ["attempt"]
    check = nbformat.v4.new_code_cell(
        "from lessongrader import practice\n\n"
        f'exercise = practice("{name}")\n'
        f"exercise.check({name})"
    )
    check.metadata["tags"] = ["check"]
    help_ = nbformat.v4.new_markdown_cell(
        "Stuck? In a new cell, `exercise.hint()` shows the first hint, and the "
        "next one each time you run it again (`exercise.hint(2)` shows the "
        f"second); there are {len(problem.hints)}. `exercise.solution()` shows "
        "the solution. Then change your function and run the check cell again."
    )
    return [intro, setup, attempt, check, help_]


def lesson_problem(docname):
    return next((p for p in problems().values() if p.lesson == docname), None)


def solutions_shown(markdown):
    """{solution file: its code} of the solutions a markdown cell shows."""
    shown = {}
    for name, argument in SECTION.findall(markdown):
        if name == "solution" and argument in problems():
            problem = problems()[argument]
            path = (problem.folder / "solution.py").resolve()
            shown[path] = problem.solution_code.rstrip()
    return shown


def publishable(notebook, srcdir, config, docname):
    pins = imported(notebook.cells)
    target = Target(docname=docname, srcdir=Path(srcdir), config=config, notebook=True)
    notebook.metadata.pop("source_map", None)
    notebook.metadata.pop("jupytext", None)
    cells, shown = [], {}
    for cell in notebook.cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "markdown":
            shown.update(solutions_shown(cell.source))
            cell.source = for_jupyter(cell.source, target)
        elif "needs-repository" in tags:
            # It runs the repository's own tools (the grader), so it only runs
            # there; what the page shows is its report.
            cell = report(cell)
        elif "remove-cell" in tags:
            # Left out, unless it runs a file the page shows (the solution).
            path = (srcdir / cell.metadata.get("load", "")).resolve()
            if "load" not in cell.metadata or path not in shown:
                continue
            cell = solution(shown[path])
        else:
            cell.outputs = [] if "remove-output" in tags else cell.outputs
            cell.outputs = exact_streams(cell.outputs)
            with_build_date(cell, config.lessons_built)
            fold(cell, source=tags & SOURCE_HIDDEN, outputs=tags & OUTPUTS_HIDDEN)
        cells.append(cell)
    notebook.cells = label_tabs(cells)
    install = setup_cell(pins)
    install.metadata["tags"] = ["remove-cell"]
    notebook.cells.insert(0, install)
    problem = lesson_problem(docname)
    if problem is not None:
        notebook.cells += practice_cells(problem, pins, config)
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


# What the notebooks were last written with, beyond their pages (doctree folder).
WRITTEN = "notebooks-written.json"


def environment_key():
    """What a notebook holds that its page does not: the installed packages'
    versions (a folder of sys.path changes when a package is installed) and
    the grader's."""
    folders = sorted({p for p in sys.path if p and Path(p).is_dir()})
    times = {folder: Path(folder).stat().st_mtime_ns for folder in folders}
    return {"folders": times, "lessongrader": __version__}


def note_start(app):
    """Forget what was written: a build that fails leaves every notebook to
    write again."""
    stamp = Path(app.doctreedir, WRITTEN)
    try:
        app.notebooks_written_with = json.loads(stamp.read_text())
    except (OSError, ValueError):
        app.notebooks_written_with = None
    stamp.unlink(missing_ok=True)
    app.notebooks_started = time.time()


def page_written(app, docname):
    """Whether this build wrote the page (a parallel worker may have): its
    notebook depends on nothing else the page does not (source, loaded files,
    problem, outputs, configuration), but the installed packages."""
    page = Path(app.outdir, app.builder.get_target_uri(docname))
    started = getattr(app, "notebooks_started", 0) - 1  # coarse file times
    return not page.exists() or page.stat().st_mtime >= started


def write_notebooks(app, exception):
    if exception or app.builder.format != "html":
        return
    config = app.env.mystnb_config
    key = environment_key()
    same = getattr(app, "notebooks_written_with", None) == key
    for docname in sorted(app.env.found_docs):
        source = executed_notebook(app, docname)
        if source is None:
            continue
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        if same and target.exists() and not page_written(app, docname):
            continue  # as the previous build wrote it
        notebook = nbformat.read(source, 4)
        # A page executed by this build was written with its outputs; only a
        # page served from the cache needs them merged back. Outside cache mode
        # the cache may hold another run's outputs (other versions): never use it.
        if config.execution_mode == "cache":
            notebook = with_cached_outputs(notebook, config.execution_cache_path)
        notebook = publishable(notebook, Path(app.srcdir), app.config, docname)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
    Path(app.doctreedir, WRITTEN).write_text(json.dumps(key, sort_keys=True))


def setup(app):
    app.setup_extension("problem_sections")  # it declares lessons_repository
    # Before the theme builds its header buttons (priority 501), and after.
    app.connect("html-page-context", add_page_context, priority=400)
    app.connect("html-page-context", add_colab_button, priority=600)
    app.connect("builder-inited", note_start)
    app.connect("build-finished", write_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
