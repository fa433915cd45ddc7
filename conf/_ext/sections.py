"""Directives written as Markdown by one function, for the page and the notebook.

A section (``{problem} NAME``, ``{hints} NAME``, ``{lesson-badges}``...) is
registered once, with ``add_section(app, name, write)``. ``write(argument,
target)`` returns the section's Markdown: MyST, which the page parses, when
``target.notebook`` is false; the Markdown Jupyter and Colab show (folds as
``<details>``, links in full), which the published notebook holds
(``notebooks.py``, through ``expand``), when it is true. So a new section is
one function, and the page and the notebook cannot say different things.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from sphinx.util.docutils import SphinxDirective

# The sections' writers, by directive name.
WRITERS = {}
# A section in a page's Markdown: a fence holding nothing.
SECTION = re.compile(r"^```\{([\w-]+)\}(?: (\S+))?\n```$", re.MULTILINE)


class UnknownArgument(ValueError):
    """The argument names nothing the section can write (its message says why)."""


@dataclass(frozen=True)
class Target:
    """Where the section's Markdown goes, and what it may need to know."""

    docname: str
    srcdir: Path
    config: object  # Sphinx's config
    notebook: bool
    # Called with each file the section is written from: the page is read
    # again when one changes.
    depends_on: object = field(default=lambda path: None)


def fold(title, body, target):
    """A fold with a title: a dropdown on the page, <details> in a notebook."""
    body = body.strip()
    if not target.notebook:
        return f":::{{dropdown}} {title}\n{body}\n:::\n"
    title = summary_html(title)
    return f"<details><summary>{title}</summary>\n\n{body}\n\n</details>\n"


def summary_html(title):
    """A fold's title as HTML, where Markdown is not read: code as <code>."""
    import html

    parts = re.split(r"`([^`]*)`", title)
    return "".join(
        f"<code>{html.escape(part)}</code>" if number % 2 else html.escape(part)
        for number, part in enumerate(parts)
    )


class Section(SphinxDirective):
    optional_arguments = 1

    def run(self):
        target = Target(
            docname=self.env.docname,
            srcdir=Path(self.env.srcdir),
            config=self.config,
            notebook=False,
            depends_on=lambda path: self.env.note_dependency(str(path)),
        )
        argument = self.arguments[0] if self.arguments else None
        try:
            markdown = WRITERS[self.name](argument, target)
        except UnknownArgument as error:
            return [self.reporter.error(str(error), line=self.lineno)]
        return self.parse_text_to_nodes(markdown)


def add_section(app, name, write):
    WRITERS[name] = write
    app.add_directive(name, Section)


def expand(markdown, target):
    """A notebook's Markdown: each section written out for Jupyter."""

    def write(match):
        name, argument = match.groups()
        if name not in WRITERS:
            return match.group(0)
        return WRITERS[name](argument, target).rstrip()

    return SECTION.sub(write, markdown)
