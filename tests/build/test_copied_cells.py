"""Code copied from a lesson runs as it is: the cells a reader copies as the
page opens (every fold open, each tab set on the tab the page continues from),
in order, in a fresh interpreter; and the solution alone, as if copied into a
file of its own. A cell tagged raises-exception must raise the error the page
shows. That the copy buttons copy exactly this code is
tests/browser/test_browser_reader.py's. It writes how many copied cells ran to
build/copied-cells.json.
"""

import json
import os
import subprocess
import sys

import pytest
from project import HTML, LESSONS, copied_in_order, published, solution_source

# Runs copied code as a reader pasting it into a script or a Python prompt
# would: each script (a list of cells) in order, in a namespace of its own, in
# one fresh interpreter; one result per cell: None, or the exception it raised.
RUNNER = """
import contextlib, io, json, os, sys
results = []
for script, (folder, cells) in enumerate(json.load(sys.stdin)):
    os.chdir(folder)
    namespace = {"__name__": "__main__"}
    results.append([])
    for number, source in enumerate(cells):
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                name = f"<copied {script + 1}.{number + 1}>"
                exec(compile(source, name, "exec"), namespace)
        except BaseException as error:
            results[-1].append(f"{type(error).__name__}: {error}"[:300])
        else:
            results[-1].append(None)
json.dump(results, sys.__stdout__)
"""


def shown_errors(slug):
    """{cell source: the error its output shows} of the cells tagged
    raises-exception, as the published notebook holds them."""
    return {
        cell.source.rstrip("\n"): " ".join(
            f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"
        )
        for cell in published(slug).cells
        if "raises-exception" in cell.metadata.get("tags", [])
    }


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Every lesson's copied cells, then its solution alone, run in one fresh
    interpreter (JAX starts once): slug -> (results in order, alone)."""
    scripts = []
    for slug, function in LESSONS.items():
        # Each in a folder of its own: a copied cell may write files.
        folder = str(tmp_path_factory.mktemp(slug))
        solution = solution_source(function).rstrip()
        scripts.append((folder, copied_in_order(slug)))
        scripts.append((folder, [solution, f"assert callable({function})"]))
    run = subprocess.run(
        [sys.executable, "-c", RUNNER],
        input=json.dumps(scripts),
        capture_output=True,
        text=True,
        env={**os.environ, "JAX_PLATFORMS": "cpu", "MPLBACKEND": "Agg"},
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(run.stdout)
    return {
        slug: (results[2 * n], results[2 * n + 1]) for n, slug in enumerate(LESSONS)
    }


def failed(shown, error):
    """A cell failed: it raised, or, tagged raises-exception, it did not raise
    the error the page shows."""
    if shown is None:
        return error is not None
    return error is None or error.split(":")[0] not in shown


COPIED = {}


@pytest.mark.parametrize("slug", LESSONS)
def test_copied_cells_run_in_order_and_the_solution_alone(ran, slug):
    in_order, alone = ran[slug]
    cells, errors = copied_in_order(slug), shown_errors(slug)
    assert len(cells) > 5
    results = [
        (code, errors.get(code), error)
        for code, error in zip(cells, in_order, strict=True)
    ]
    failures = [
        (number, error or "raised nothing", code.splitlines()[0])
        for number, (code, shown, error) in enumerate(results, 1)
        if failed(shown, error)
    ]
    COPIED[slug] = {"cells": len(cells), "failed": len(failures)}
    (HTML.parent / "copied-cells.json").write_text(json.dumps(COPIED, indent=1))
    assert not failures, failures
    assert alone == [None, None], alone
