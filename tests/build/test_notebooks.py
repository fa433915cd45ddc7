"""Each lesson is published as a notebook, and Colab opens that notebook.

That each runs top to bottom in a fresh kernel is tests/notebook's.
"""

from importlib.metadata import version

import nbformat
import pytest
from conftest import notebook_page
from project import CONF, HTML, LESSONS, published


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
