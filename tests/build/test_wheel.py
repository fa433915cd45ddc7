"""The grader's wheel is on the site, with the problem folders, for notebooks."""

import zipfile

from project import HTML, PROBLEMS

from lessongrader.version import __version__


def test_site_publishes_the_grader_wheel_with_its_problems():
    path = HTML / "_wheels" / f"lessongrader-{__version__}-py3-none-any.whl"
    assert path.exists(), f"build the site first (nox -s docs); missing {path}"
    names = zipfile.ZipFile(path).namelist()
    assert "lessongrader/practice.py" in names
    for problem in PROBLEMS:
        for module in ("problem", "solution", "mistakes"):
            assert f"lessongrader/problems/{problem}/{module}.py" in names
    assert not [n for n in names if "/attempts/" in n or "__pycache__" in n]


def test_notebooks_install_the_wheel_from_the_sites_address():
    import nbformat
    from project import CONF, LESSONS

    url = f"{CONF['html_baseurl'].rstrip('/')}/_wheels/lessongrader-{__version__}"
    for slug in LESSONS:
        nb = nbformat.read(HTML / "_sources" / f"{slug}.ipynb", as_version=4)
        setup = [c for c in nb.cells if "practice-setup" in c.metadata.get("tags", [])]
        assert len(setup) == 1 and url in setup[0].source
        assert "LESSONGRADER_WHEEL" in setup[0].source


def test_the_wheel_is_built_the_same_twice(tmp_path):
    from grader_wheel import build_wheel

    first = build_wheel(tmp_path / "a").read_bytes()
    assert build_wheel(tmp_path / "b").read_bytes() == first
