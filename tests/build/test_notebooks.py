"""Each lesson is published as a notebook, and Colab opens that notebook.

That each runs top to bottom in a fresh kernel is tests/notebook's.
"""

import re
from importlib.metadata import version

import jupytext
import nbformat
import pytest
from project import CONF, HTML, LESSONS, notebook_page, published
from sitebuild import DOCS


@pytest.mark.parametrize("slug", LESSONS)
def test_notebook_is_valid_and_carries_the_executed_outputs(slug):
    nb = published(slug)
    nbformat.validate(nb)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert len(outputs) > 5
    # MyST-only syntax is rewritten for Jupyter.
    markdown = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "{dropdown}" not in markdown and "{literalinclude}" not in markdown
    assert "<details><summary>Show the solution</summary>" in markdown


@pytest.mark.parametrize("slug", LESSONS)
def test_first_cell_installs_the_versions_the_lesson_ran_with(slug):
    first = published(slug).cells[0]
    for package in ("jax", "flax"):
        assert f"'{package}': '{version(package)}'" in first.source


@pytest.mark.parametrize("slug", LESSONS)
def test_colab_button_opens_the_published_notebook(slug):
    page = (HTML / f"{slug}.html").read_text()
    repository, branch = CONF["lessons_repository"], CONF["lessons_pages_branch"]
    url = (
        f"https://colab.research.google.com/github/{repository}/blob/{branch}"
        f"/_sources/{slug}.ipynb"
    )
    assert f'href="{url}"' in page
    assert (HTML / "_sources" / f"{slug}.ipynb").exists()
    # The download menu offers the notebook and the MyST source.
    assert f'href="_sources/{slug}.ipynb"' in page
    assert f'href="_sources/{slug}.md"' in page


PAGE_PRINTING_AN_ENVIRONMENT_VARIABLE = notebook_page(
    "Outputs", 'import os\n\nprint("run", os.environ["LESSON_RUN"])'
)


def test_notebook_holds_the_outputs_of_the_run_that_built_the_page(
    scratch_site, monkeypatch
):
    # A cached build, then one that executes the page again (as nox -s latest
    # does with other versions): the page and its notebook show the new run.
    scratch_site.write({"outputs": PAGE_PRINTING_AN_ENVIRONMENT_VARIABLE})
    html = scratch_site.path / "html"
    for run, options in (("first", ()), ("second", ("-D", "nb_execution_mode=force"))):
        monkeypatch.setenv("LESSON_RUN", run)
        result = scratch_site.build(*options)
        assert result.returncode == 0, result.stderr[-3000:]
        published = nbformat.read(html / "_sources" / "outputs.ipynb", as_version=4)
        printed = [o.text for c in published.cells for o in c.get("outputs", [])]
        assert printed == [f"run {run}\n"]
        assert f"run {run}" in (html / "outputs.html").read_text()


# -- The page, nothing more -------------------------------------------------------

MYST = {
    "a role": re.compile(r"\{[A-Za-z][\w:-]*\}`"),
    "a directive fence": re.compile(r"^\s*(`{3,}|~{3,})\s*\{", re.MULTILINE),
    "a colon fence": re.compile(r"^\s*:::", re.MULTILINE),
    "a definition list": re.compile(r"^: ", re.MULTILINE),
}


def page_cells(slug):
    """(source, tags) of every code cell of the page's source."""
    notebook = jupytext.read(DOCS / f"{slug}.md")
    return [
        (cell.source.strip(), set(cell.metadata.get("tags", [])))
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]


def source_hidden(cell):
    return (
        cell.metadata.get("jupyter", {}).get("source_hidden") is True
        and cell.metadata.get("cellView") == "form"
    )


# The cells of a notebook's Practice part (conf/_ext/notebooks.py).
PRACTICE_TAGS = {"practice-setup", "attempt", "check"}


@pytest.mark.parametrize("slug", LESSONS)
def test_notebook_shows_only_what_the_page_shows(slug):
    nb = published(slug)
    cells = page_cells(slug)
    shown = {
        source for source, tags in cells if not tags & {"remove-cell", "remove-input"}
    }
    hidden_input = {source for source, tags in cells if "remove-input" in tags}
    # The first cell installs the versions the lesson ran with (not on the page),
    # and the notebook ends with its Practice part, which only it has.
    practice = PRACTICE_TAGS
    for cell in nb.cells[1:]:
        if cell.cell_type != "code":
            continue
        if practice & set(cell.metadata.get("tags", [])):
            continue
        source = cell.source.strip()
        tags = set(cell.metadata.get("tags", []))
        assert "remove-cell" not in tags, source[:200]
        if source in hidden_input or tags & {"hide-input", "hide-cell"}:
            assert source_hidden(cell), source[:200]
        elif not source_hidden(cell):
            assert source in shown, source[:200]


@pytest.mark.parametrize("slug", LESSONS)
def test_notebook_has_no_myst_syntax_no_grading_cases_no_early_solution(slug):
    nb = published(slug)
    for cell in nb.cells:
        assert "CASES" not in cell.source, cell.source[:200]
        if cell.cell_type == "markdown":
            for what, pattern in MYST.items():
                match = pattern.search(cell.source)
                assert not match, f"{what}: {cell.source[match.start() :][:120]!r}"
    text = "\n".join(cell.source for cell in nb.cells)
    heading = re.search(r"^## Solution$", text, re.MULTILINE)
    assert heading, "no Solution heading"
    assert f"def {LESSONS[slug]}(" not in text[: heading.start()]
