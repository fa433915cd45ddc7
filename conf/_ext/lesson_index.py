"""The lesson cards and the lessons' toctree, from each lesson page's metadata.

A lesson page says in its front matter where it goes and what its card says::

    lesson:
      order: 3
      api: [NNX]
      level: intermediate
      summary: Inverted dropout by hand ...
      builds_on: [nnx-train-eval-flag]

``{lesson-badges}`` (under a lesson's title) shows its badges and problem.
``{lesson-cards}`` (on the index) draws one card per lesson, in that order,
with the page's title, its badges, the summary, the name of its problem (the
problem folder whose ``LESSON`` is the page), the titles of the lessons it
builds on, and the releases it holds on (release_ranges.py); and a hidden
toctree of the lessons. A new lesson page is picked up by the next build:
nothing else lists the lessons.
"""

import html
import re
from pathlib import Path

import yaml
from release_ranges import range_words, release_check
from sections import add_section
from sphinx.util.docutils import SphinxDirective

from lessongrader import catalog

LEVELS = {"beginner": "info", "intermediate": "warning", "advanced": "danger"}
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


def metadata(path):
    """The ``lesson`` entry of a page's front matter, with its title; None for
    a page that is not a lesson."""
    text = Path(path).read_text()
    front = FRONT_MATTER.match(text)
    if not front:
        return None
    lesson = (yaml.safe_load(front.group(1)) or {}).get("lesson")
    if not isinstance(lesson, dict):
        return None
    title = re.search(r"^# (.+)$", text, re.MULTILINE)
    return {**lesson, "title": title.group(1).strip() if title else Path(path).stem}


def lessons(srcdir):
    """(slug, metadata) of every lesson, in their order."""
    found = {p.stem: metadata(p) for p in sorted(Path(srcdir).glob("*.md"))}
    found = {slug: meta for slug, meta in found.items() if meta is not None}
    return sorted(found.items(), key=lambda item: (item[1].get("order", 0), item[0]))


def badges(meta, notebook=False):
    """The API and level badges; in a notebook, which has none, bold words."""

    def badge(style, text):
        return f"**{text}**" if notebook else f"{{bdg-{style}}}`{text}`"

    apis = " ".join(badge("primary", api) for api in meta.get("api", []))
    level = meta.get("level", "")
    return f"{apis} {badge(LEVELS.get(level, 'secondary'), level)}".strip()


def cards_markdown(srcdir, check=None):
    """The cards, in the lessons' order: each with its badges and summary, its
    problem, the lessons it builds on, and the releases it holds on (from the
    release check)."""
    problems = {p.lesson: name for name, p in catalog.discover().items()}
    found = lessons(srcdir)
    titles = {slug: meta["title"] for slug, meta in found}
    cards = []
    for slug, meta in found:
        facts = []
        if slug in problems:
            facts.append(f"Problem: `{problems[slug]}`.")
        if meta.get("builds_on"):
            earlier = ", ".join(titles[s] for s in meta["builds_on"])
            facts.append(f"Builds on: {earlier}.")
        holds = range_words(check, slug)
        if holds:
            facts.append(f"{holds}.")
        cards.append(
            f":::{{grid-item-card}} {meta['title']}\n:link: {slug}\n:link-type: doc\n\n"
            f"{badges(meta)}\n{meta.get('summary', '').strip()}\n\n"
            + "\n".join(facts)
            + "\n:::\n"
        )
    toctree = "\n".join(slug for slug, _ in found)
    return (
        "::::{grid} 1 1 2 2\n:gutter: 3\n\n" + "\n".join(cards) + "::::\n\n"
        "```{toctree}\n:hidden:\n:maxdepth: 1\n:caption: Lessons\n\n"
        f"{toctree}\n```\n"
    )


def badges_section(argument, target):
    """``{lesson-badges}``: a lesson's badges and problem, under its title,
    from its own front matter."""
    path = target.srcdir / f"{target.docname}.md"
    meta = metadata(path) or {}
    problems = {p.lesson: name for name, p in catalog.discover().items()}
    problem = problems.get(target.docname)
    line = badges(meta, notebook=target.notebook)
    return line + (f" · Problem: `{problem}`" if problem else "")


class LessonCards(SphinxDirective):
    def run(self):
        srcdir = Path(self.env.srcdir)
        for slug, _ in lessons(srcdir):
            self.env.note_dependency(str(srcdir / f"{slug}.md"))
        self.env.note_dependency(self.config.lessons_release_check)
        check = release_check(self.config)
        return self.parse_text_to_nodes(cards_markdown(srcdir, check))


def describe_lesson(app, pagename, templatename, context, doctree):
    """A lesson's description (search results, link previews): its summary.
    Before sphinxext-opengraph, which describes a page by its first words
    otherwise (here the badges and the version line), and leaves alone a
    description a page already has."""
    path = Path(app.srcdir, f"{pagename}.md")
    meta = metadata(path) if path.exists() else None
    if not meta or not meta.get("summary"):
        return
    summary = " ".join(meta["summary"].replace("`", "").split())
    context["meta"] = {**(context.get("meta") or {}), "og:description": summary}
    tag = f'<meta name="description" content="{html.escape(summary)}" />\n'
    context["metatags"] = context.get("metatags", "") + tag


def outdated(app, env, added, changed, removed):
    """Every page, read and written again when a page is added or removed: the
    cards change, and so does the navigation of every page."""
    if not (added or removed):
        return []
    return sorted(env.found_docs - set(added) - set(removed))


def setup(app):
    app.setup_extension("release_ranges")  # it declares lessons_release_check
    app.add_directive("lesson-cards", LessonCards)
    add_section(app, "lesson-badges", badges_section)
    app.connect("env-get-outdated", outdated)
    app.connect("html-page-context", describe_lesson, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
