"""The lessons' notebooks run side by side, and MyST-NB reads each page from the
execution cache they were run into (conf/_ext/parallel_execution.py)."""

import re
from html import unescape

import psutil
import pytest
from project import ScratchSite, notebook_page

# Each page says when its run started and ended, and how its kernel talks to
# the build.
RUN = """\
import time

import ipykernel.kernelapp

started = time.time()
time.sleep(1.5)
transport = ipykernel.kernelapp.IPKernelApp.instance().transport
print("ran", "{page}", transport, started, time.time())
"""
PAGES = {
    "first": notebook_page("First", RUN.format(page="first")),
    "second": notebook_page("Second", RUN.format(page="second")),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = ScratchSite(tmp_path_factory.mktemp("parallel"))
    site.write(PAGES)
    result = site.build("-D", "parallel_execution_jobs=2")
    runs = {}
    for page in PAGES:
        html = unescape((site.path / "html" / f"{page}.html").read_text())
        (run,) = re.findall(rf"ran {page} (\w+) ([\d.]+) ([\d.]+)", html)
        runs[page] = (run[0], float(run[1]), float(run[2]))
    return site, result, runs


def test_the_notebooks_run_at_once_and_each_page_shows_that_run(built):
    # Had MyST-NB not found a page's run in the cache, it would have run the
    # page again, alone, after the other: the two runs would not overlap.
    _, result, runs = built
    assert result.returncode == 0, result.stderr[-3000:]
    (_, start_a, end_a), (_, start_b, end_b) = runs.values()
    assert start_a < end_b and start_b < end_a, runs


def test_kernels_talk_over_sockets_of_their_own_not_tcp_ports(built):
    # Two kernels started at once (or by two builds) cannot race for a port.
    _, _, runs = built
    assert {transport for transport, _, _ in runs.values()} == {"ipc"}


def test_no_kernel_outlives_the_build(built):
    site, _, _ = built
    docs = str(site.src)
    left = [
        process.info["cmdline"]
        for process in psutil.process_iter(["cwd", "cmdline"])
        if process.info["cwd"] == docs
    ]
    assert not left


def test_a_page_runs_again_when_a_file_its_tagged_cell_reads_changes(tmp_path):
    # A lesson's shown grading reads the grader and the examples: the cache,
    # which knows a notebook by its code, would keep the old report.
    site = ScratchSite(tmp_path, link_examples=False)
    examples = tmp_path / "examples"
    examples.mkdir()
    data = examples / "attempt.py"
    page = notebook_page("Reads", 'print(open("../examples/attempt.py").read())')
    page = page.replace("```{code-cell} ipython3\n", CELL_TAGGED, 1)
    site.write({"reads": page})
    for text in ("first = 1", "second = 2"):
        data.write_text(text)
        result = site.build()
        assert result.returncode == 0, result.stderr[-3000:]
        assert text in (site.path / "html" / "reads.html").read_text()


CELL_TAGGED = "```{code-cell} ipython3\n:tags: [needs-repository]\n\n"
