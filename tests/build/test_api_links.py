"""API names link to the official reference, from an inventory built offline."""

import re

import api_links
import pytest
from project import HTML, LESSONS, notebook_page

TABLE = api_links.load_table()
# The form of a reference URL on each site: its base, then its page layout.
FORMS = {
    "jax": ("https://docs.jax.dev/en/latest/", r"_autosummary/{name}\.html"),
    "flax": (
        "https://flax.readthedocs.io/en/latest/",
        r"api_reference/flax\.nnx/.+\.html",
    ),
    "flax_linen": (
        "https://flax-linen.readthedocs.io/en/latest/",
        r"api_reference/flax\.linen/.+\.html",
    ),
}
NAMES = [(project, name) for project, (_, links) in TABLE.items() for name in links]


def exists(name):
    """Whether a dotted name is an object of the installed packages."""
    try:
        api_links.find(name)
    except (ImportError, AttributeError):
        return False
    return True


def test_a_name_that_is_not_in_the_packages_is_caught():
    assert exists("flax.nnx.Dropout")
    assert not exists("flax.nnx.NoSuchLayer")
    assert not exists("jax.no_such_module.key")


@pytest.mark.parametrize("project, name", NAMES)
def test_name_exists_in_the_pinned_packages(project, name):
    assert exists(name), f"{name} is not in the installed {project}"


@pytest.mark.parametrize("project, name", NAMES)
def test_url_has_the_documented_form(project, name):
    base, links = TABLE[project]
    expected_base, page = FORMS[project]
    assert base == expected_base
    assert re.fullmatch(
        page.format(name=re.escape(name)) + "#" + re.escape(name), links[name]
    )


def linked(html):
    return re.findall(r'href="(https://[^"#]+)#([\w.]+)"', html)


@pytest.mark.parametrize("slug", LESSONS)
def test_code_and_prose_link_to_the_reference(slug):
    html = (HTML / f"{slug}.html").read_text()
    allowed = {
        base + uri.split("#")[0]
        for base, links in TABLE.values()
        for uri in links.values()
    }
    links = linked(html)
    assert links, "no API link on the page"
    assert {url for url, _ in links} <= allowed
    assert "sphinx-codeautolink-a" in html  # names in code cells
    assert re.search(
        r'<a class="reference external" href="https://[^"]+"[^>]*><code', html
    )


@pytest.mark.parametrize("slug", LESSONS)
def test_names_in_the_folded_solution_are_linked(slug):
    # sphinx-codeautolink inside a sphinx-design dropdown: the combination the
    # site relies on for folded, linked solutions.
    html = (HTML / f"{slug}.html").read_text()
    start = html.index("Show the solution")
    solution = html[start : html.index("</details>", start)]
    assert "sphinx-codeautolink-a" in solution and linked(solution)


# A page of one cell whose names are in the reference: what it links must
# not depend on which builds came before.
LINKED_PAGE = notebook_page(
    "Links",
    "import jax.numpy as jnp\nfrom flax import nnx\n\n"
    "nnx.Dropout(0.5, rngs=nnx.Rngs(0))(jnp.ones(3))",
)
LINKED = {"jax.numpy.ones", "flax.nnx.Dropout", "flax.nnx.Rngs"}


# The index, whose code block links the same names: it is written again without
# being read when the title of a page in its toctree changes.
INDEX = """\
# Index

```python
import jax.numpy as jnp
from flax import nnx

nnx.Dropout(0.5, rngs=nnx.Rngs(0))(jnp.ones(3))
```

```{toctree}
links
```
"""


def test_links_survive_incremental_builds(scratch_site):
    scratch_site.write({"links": LINKED_PAGE})
    (scratch_site.src / "index.md").write_text(INDEX)

    def build_and_check(*options):
        result = scratch_site.build(*options)
        assert result.returncode == 0, result.stderr[-3000:]
        for name in ("links", "index"):
            text = (scratch_site.path / "html" / f"{name}.html").read_text()
            assert "sphinx-codeautolink-a" in text, (name, options)
            found = {name for _, name in linked(text)}
            assert LINKED <= found, (name, options, found)

    build_and_check()
    # A configuration change: every page is read and written again.
    build_and_check("-D", "nb_execution_timeout=59")
    # An edited page, read and written again.
    (scratch_site.src / "links.md").touch()
    build_and_check("-D", "nb_execution_timeout=59")
    # A page written again without being read: the index, whose toctree shows
    # the title that changed.
    page = scratch_site.src / "links.md"
    page.write_text(page.read_text().replace("# Links", "# Links, renamed"))
    build_and_check("-D", "nb_execution_timeout=59")
