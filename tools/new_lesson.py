"""Start a lesson: its page and its problem's folder, from tools/skeleton/.

    python tools/new_lesson.py SLUG PROBLEM     (nox -s new -- SLUG PROBLEM)

writes ``docs/SLUG.md`` and ``examples/PROBLEM/`` (solution, contract, hints,
cases, known mistakes, one wrong attempt), which build and grade as they are.
Fill in their ``TODO``s. The lesson cards and the toctree pick the page up
from its front matter; the grader finds the problem by its folder.
"""

import argparse
import re
import sys
from pathlib import Path

from sitebuild import DOCS, EXAMPLES, ROOT, lessons

SKELETON = Path(__file__).resolve().parent / "skeleton"


def next_order(docs):
    orders = [
        int(m.group(1))
        for page in lessons(docs)
        if (m := re.search(r"^  order: (\d+)$", page.read_text(), re.MULTILINE))
    ]
    return max(orders, default=0) + 1


def fill(template, **names):
    return template.read_text().format(**names)


def create(slug, problem, docs=DOCS, examples=EXAMPLES):
    """Write the page and the folder; return the paths written."""
    page, folder = Path(docs) / f"{slug}.md", Path(examples) / problem
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        raise ValueError(f"{slug!r}: a slug is lowercase words joined by hyphens")
    if not (problem.isidentifier() and problem.islower()):
        raise ValueError(f"{problem!r}: a problem is named as a Python function")
    for path in (page, folder):
        if path.exists():
            raise ValueError(f"{path} already exists")
    names = {"slug": slug, "problem": problem, "order": next_order(docs)}
    written = [page]
    page.write_text(fill(SKELETON / "lesson.md.tmpl", **names))
    for template in sorted((SKELETON / "problem").rglob("*.tmpl")):
        target = folder / template.relative_to(SKELETON / "problem").with_suffix("")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(fill(template, **names))
        written.append(target)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(prog="nox -s new --", description=__doc__)
    parser.add_argument("slug", help="the page's name: docs/SLUG.md")
    parser.add_argument("problem", help="the function the problem asks for")
    args = parser.parse_args(argv)
    try:
        written = create(args.slug, args.problem)
    except ValueError as exc:
        print(f"nox -s new: error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path.relative_to(ROOT)}")
    print("Fill in the TODOs, then build: python3 -m nox -s docs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
