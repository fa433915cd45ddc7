"""Execute the code cells of pages in this one IPython process, as a build would.

    python benchmarks/run_cells.py RESULT.json PAGE.md [PAGE.md ...]

Imports are paid once, for all the pages: the time this takes is the floor a
build of these pages cannot beat. Each page gets a fresh namespace and runs
with its own folder as working directory, like myst-nb's local-CWD execution.
A cell that ``:load:``s a file runs that file's code; a cell tagged
``raises-exception`` must raise and any other cell must not. RESULT.json gets
the seconds of each page and of all, from the IPython import on (reading the
pages is not part of the floor).
"""

import json
import os
import sys
import time
from pathlib import Path

import sitebuild


def code_cells(page):
    """The code of each code cell of a MyST text notebook, with its tags."""
    return [
        (cell.source, cell.metadata.get("tags", []))
        for cell in sitebuild.read_notebook(page).cells
        if cell.cell_type == "code"
    ]


def run_page(shell, page, cells):
    shell.reset(new_session=False)
    os.chdir(page.parent)
    for number, (source, tags) in enumerate(cells, 1):
        result = shell.run_cell(source)
        raised = result.error_before_exec or result.error_in_exec
        if bool(raised) != ("raises-exception" in tags):
            expected = "raise" if "raises-exception" in tags else "pass"
            sys.exit(f"{page.name}: code cell {number} did not {expected}: {raised!r}")


def main():
    result_file = Path(sys.argv[1]).resolve()
    pages = {Path(p).resolve(): None for p in sys.argv[2:]}
    for page in pages:
        pages[page] = code_cells(page)

    start = time.perf_counter()
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # as nbclient starts kernels
    shell = InteractiveShell.instance(config=config)
    seconds = {}
    for page, cells in pages.items():
        began = time.perf_counter()
        run_page(shell, page, cells)
        seconds[page.stem] = time.perf_counter() - began
    total = time.perf_counter() - start
    result_file.write_text(json.dumps({"pages": seconds, "total": total}))


if __name__ == "__main__":
    main()
