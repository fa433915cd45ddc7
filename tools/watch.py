"""What changed between builds of the site with other jax and flax releases.

    python tools/watch.py report BEFORE AFTER [--output REPORT.md]

is the report of ``nox -s latest``. Each argument is a build folder (``build``,
``build/latest``) holding ``html/`` and ``jupyter_execute/``, and, for its
versions, ``versions.json``. The report lists, per page, the cells whose
outputs changed (the version stamp aside), with a short before and after; the
hidden claims that failed; the example cells that raised; and the pages that
did not build. Exit status: 0 when every page built and no cell failed
(outputs may still have changed), 1 otherwise.

    python tools/watch.py ranges PINNED NAME=BUILD ... --output CHECK.json

is the end of ``nox -s releases``: what each page of the pinned build did on
each release set's build (given from the oldest to the newest), written to
CHECK.json (conf/release-check.json), with the digest of each page's code. It
prints a line per page, and exits with 3 when a page now holds on other
releases than CHECK.json said before.
"""

import argparse
import contextlib
import dataclasses
import datetime
import json
import re
import sys
from pathlib import Path

import nbformat
import sitebuild

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
        """The cell's number and its first line that says what it does (not
        an import, a comment or a magic, when it has another)."""
        lines = [line.strip() for line in self.source.splitlines() if line.strip()]
        telling = [
            line
            for line in lines
            if not line.startswith(("import ", "from ", "#", "%"))
        ]
        first = (telling or lines or [""])[0]
        first = first if len(first) <= 60 else first[:57] + "..."
        return f"cell {self.number} (`{first}`)"

    @property
    def error(self):
        for output in self.outputs:
            if output.get("output_type") == "error":
                return ": ".join(filter(None, (output["ename"], output["evalue"])))
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


@dataclasses.dataclass(frozen=True)
class Change:
    cell: str  # its label
    before: str
    after: str


@dataclasses.dataclass
class PageReport:
    page: str
    built: bool = True
    changed: list = dataclasses.field(default_factory=list)  # of Change
    claims: list = dataclasses.field(default_factory=list)
    examples: list = dataclasses.field(default_factory=list)
    why: str = ""

    @property
    def holds(self):
        """Built, every hidden claim held, and no example raised."""
        return self.built and not self.claims and not self.examples


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
        report.built = False
        report.why = "its code differs between the two builds"
        return report
    for a, b in zip(old, new, strict=True):
        x, y = cell_text(a), cell_text(b)
        if x != y:
            report.changed.append(Change(b.label, *first_difference(x, y)))
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
        for c in r.changed:
            changes.append(
                f"  - {c.cell}\n    before: {c.before}\n    after:  {c.after}"
            )
    section("Outputs that changed (the version stamp aside)", changes)
    return "\n".join(lines) + "\n", ok


def result_of(page_report):
    """What a release set did with a page, as release-check.json keeps it."""
    return {
        "holds": page_report.holds,
        "why": page_report.why,
        "claims": page_report.claims,
        "raised": page_report.examples,
        "changed": [dataclasses.asdict(change) for change in page_report.changed],
    }


def span(values):
    from packaging.version import Version

    ordered = sorted(set(values), key=Version)
    return [ordered[0], ordered[-1]]


def holds_on(results, sets):
    """The flax and jax releases of the sets a page holds on: {flax: [lowest,
    highest], jax: [...]}, or None if it holds on none."""
    held = [s for s in sets if results[s["name"]]["holds"]]
    if not held:
        return None
    return {package: span(s[package] for s in held) for package in ("flax", "jax")}


def ranges(pinned, builds, docs=sitebuild.DOCS):
    """release-check.json: each page of the pinned build on each (name,
    folder) of builds, given from the oldest release set to the newest."""
    sets = [
        {"name": name, **json.loads((folder / "versions.json").read_text())}
        for name, folder in builds
    ]
    check = {"checked": datetime.date.today().isoformat(), "sets": sets, "pages": {}}
    for page in pages(pinned, pinned):
        results = {
            name: result_of(compare_page(pinned, folder, page))
            for name, folder in builds
        }
        check["pages"][page] = {
            "code": sitebuild.code_digest(docs / f"{page}.md"),
            "holds_on": holds_on(results, sets),
            "not_on": [s["name"] for s in sets if not results[s["name"]]["holds"]],
            "results": results,
        }
    return check


def moved(before, after):
    """The pages whose releases changed between two release checks: (page,
    before, after), as {holds_on, not_on} with the sets' versions."""

    def where(check, page):
        entry = check.get("pages", {}).get(page)
        if entry is None:
            return None
        versions = {s["name"]: s for s in check["sets"]}
        return {
            "holds_on": entry["holds_on"],
            "not_on": [versions[name] for name in entry["not_on"]],
        }

    found = []
    for page in sorted(after["pages"]):
        was, now = where(before, page), where(after, page)
        if was != now:
            found.append((page, was, now))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    compare = commands.add_parser("report", help="nox -s latest's report")
    compare.add_argument("before", type=Path)
    compare.add_argument("after", type=Path)
    compare.add_argument("--output", type=Path, help="also write the report here")
    check = commands.add_parser("ranges", help="nox -s releases' release check")
    check.add_argument("pinned", type=Path)
    check.add_argument("builds", nargs="+", metavar="NAME=BUILD")
    check.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "report":
        for build in (args.before, args.after):
            if not (build / "html").is_dir():
                parser.error(f"{build} holds no built site (html/)")
        text, ok = report(args.before, args.after)
        print(text)
        if args.output:
            args.output.write_text(text)
        return 0 if ok else 1
    if not all("=" in item for item in args.builds):
        parser.error(f"give each build as NAME=BUILD, not {args.builds}")
    builds = [item.split("=", 1) for item in args.builds]
    result = ranges(args.pinned, [(name, Path(folder)) for name, folder in builds])
    for page, entry in result["pages"].items():
        where = entry["holds_on"]
        held = (
            f"flax {'-'.join(where['flax'])}, jax {'-'.join(where['jax'])}"
            if where
            else "no set"
        )
        print(f"{page}: holds on {held}", end="")
        print(f"; not on {', '.join(entry['not_on'])}" if entry["not_on"] else "")
    before = json.loads(args.output.read_text()) if args.output.exists() else {}
    args.output.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    changes = moved(before, result)
    for page, was, now in changes:
        print(f"CHANGED {page}: was {json.dumps(was)}, now {json.dumps(now)}")
    return 3 if changes else 0


if __name__ == "__main__":
    sys.exit(main())
