"""What changed between two builds of the site: the report of ``nox -s latest``.

Usage: ``python tools/watch.py BEFORE AFTER [--output REPORT.md]``, where each
is a build folder (``build``, ``build/latest``) holding ``html/`` and
``jupyter_execute/``, and, for its versions, ``versions.json``. The report
lists, per page, the cells whose outputs changed (the version stamp aside), with
a short before and after; the hidden claims that failed; the example cells that
raised; and the pages that did not build. Exit status: 0 when every page built
and no cell failed (outputs may still have changed), 1 otherwise.
"""

import argparse
import contextlib
import dataclasses
import json
import re
import sys
from pathlib import Path

import nbformat

# The stamp names the versions a page ran with, so it always differs.
STAMP = re.compile(r"(Executed with jax )\S+( and flax )\S+?(\.?\*?)$", re.M)
SHOWN = 100  # characters of a changed line shown


@dataclasses.dataclass
class Cell:
    number: int  # the cell's index in the page, from 1, counting markdown too
    source: str
    tags: list
    outputs: list

    @property
    def label(self):
        first = next((line for line in self.source.splitlines() if line), "")
        first = first if len(first) <= 60 else first[:57] + "..."
        return f"cell {self.number} (`{first}`)"

    @property
    def error(self):
        for output in self.outputs:
            if output.get("output_type") == "error":
                return f"{output['ename']}: {output['evalue']}".strip()
        return None


def output_text(output):
    """What one output shows, as text."""
    kind = output.get("output_type")
    if kind == "stream":
        return output["text"]
    if kind == "error":
        return f"{output['ename']}: {output['evalue']}"
    data = output.get("data", {})
    for mime in ("text/markdown", "text/plain"):
        if mime in data:
            return data[mime]
    images = [m for m in data if m.startswith("image/")]
    if images:
        return f"<{images[0]}: {len(str(data[images[0]]))} characters>"
    return json.dumps(data, sort_keys=True)


def cell_text(cell):
    """A cell's outputs as text: each stream whole (where the kernel split it
    depends on timing), then the rest in order; the versions in the stamp out."""
    outputs = cell.outputs
    parts = [
        "".join(o["text"] for o in outputs if o.get("name") == name)
        for name in ("stdout", "stderr")
    ]
    parts += [output_text(o) for o in outputs if o.get("output_type") != "stream"]
    return STAMP.sub(r"\1X\2X\3", "".join(parts))


def executed_cells(build, page):
    """The cells of a page as executed by a build, with their outputs.

    MyST-NB writes a page's notebook without outputs when they came from the
    execution cache; they are merged back from that cache.
    """
    path = build / "jupyter_execute" / f"{page}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cache_path = build / ".jupyter_cache"
    if cache_path.exists() and not any(
        c.get("outputs") for c in notebook.cells if c.cell_type == "code"
    ):
        from jupyter_cache import get_cache

        cache = get_cache(str(cache_path))
        with contextlib.suppress(KeyError):  # the cache holds no run of it
            _, notebook = cache.merge_match_into_notebook(notebook)
        cache.db.dispose()
    return [
        Cell(
            number,
            cell.source,
            list(cell.metadata.get("tags", [])),
            list(cell.get("outputs", [])),
        )
        for number, cell in enumerate(notebook.cells, 1)
        if cell.cell_type == "code"
    ]


def first_difference(before, after):
    """The first line that differs, before and after, shortened."""
    a, b = before.splitlines() or [""], after.splitlines() or [""]
    for x, y in zip(a + [""] * len(b), b + [""] * len(a), strict=False):
        if x != y:
            return short(x), short(y)
    return short(before), short(after)


def short(line):
    line = line.strip()
    return repr(line if len(line) <= SHOWN else line[: SHOWN - 3] + "...")


@dataclasses.dataclass
class PageReport:
    page: str
    built: bool = True
    changed: list = dataclasses.field(default_factory=list)
    claims: list = dataclasses.field(default_factory=list)
    examples: list = dataclasses.field(default_factory=list)
    why: str = ""


def compare_page(before, after, page):
    report = PageReport(page)
    error_log = after / "html" / "reports" / f"{page}.err.log"
    if not (after / "html" / f"{page}.html").exists():
        report.built, report.why = False, "no page was written"
        return report
    if error_log.exists():
        lines = error_log.read_text().strip().splitlines()
        report.built = False
        report.why = "its execution stopped: " + (lines[-1] if lines else "no log")
    try:
        new = executed_cells(after, page)
    except FileNotFoundError:
        report.built, report.why = False, "it was not executed"
        return report
    for cell in new:
        error = cell.error
        if error and "raises-exception" not in cell.tags:
            failed = report.claims if "remove-cell" in cell.tags else report.examples
            failed.append(f"{cell.label}: {error}")
    try:
        old = executed_cells(before, page)
    except FileNotFoundError:
        return report
    if [c.source for c in old] != [c.source for c in new]:
        report.changed.append("the page's code differs between the two builds")
        return report
    for a, b in zip(old, new, strict=True):
        x, y = cell_text(a), cell_text(b)
        if x != y:
            was, now = first_difference(x, y)
            report.changed.append(f"{b.label}\n    before: {was}\n    after:  {now}")
    return report


def versions(build):
    path = build / "versions.json"
    if not path.exists():
        return "unknown versions"
    found = json.loads(path.read_text())
    return ", ".join(f"{name} {value}" for name, value in found.items())


def pages(before, after):
    found = {p.stem for b in (before, after) for p in (b / "html").glob("*.html")}
    return sorted(
        p for p in found if (before / "jupyter_execute" / f"{p}.ipynb").exists()
    )


def report(before, after):
    """(the report as Markdown, whether everything built and held)."""
    reports = [compare_page(before, after, page) for page in pages(before, after)]
    broken = [r for r in reports if not r.built]
    claims = [(r.page, c) for r in reports for c in r.claims]
    examples = [(r.page, c) for r in reports for c in r.examples]
    changed = [r for r in reports if r.changed]
    ok = not (broken or claims or examples)
    verdict = "every page built and every claim held" if ok else "something broke"
    lines = [
        "# Version watch",
        "",
        f"- before: {versions(before)}",
        f"- after: {versions(after)}",
        f"- {len(reports)} pages compared: {verdict}; "
        f"{len(changed)} with changed outputs.",
    ]

    def section(title, items):
        lines.extend(["", f"## {title}", ""])
        lines.extend(items or ["None."])

    section("Pages that did not build", [f"- {r.page}: {r.why}" for r in broken])
    section("Claims that failed", [f"- {page}, {c}" for page, c in claims])
    section("Example cells that raised", [f"- {page}, {c}" for page, c in examples])
    changes = []
    for r in changed:
        changes.append(f"- {r.page}:")
        changes.extend(f"  - {c}" for c in r.changed)
    section("Outputs that changed (the version stamp aside)", changes)
    return "\n".join(lines) + "\n", ok


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--output", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    for build in (args.before, args.after):
        if not (build / "html").is_dir():
            parser.error(f"{build} holds no built site (html/)")
    text, ok = report(args.before, args.after)
    print(text)
    if args.output:
        args.output.write_text(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
