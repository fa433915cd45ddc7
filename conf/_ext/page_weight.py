"""Keep pages light: load no script a page does not use.

The theme puts on every page Sphinx's search scripts and index, which only
the search page uses, and whose presence stops Sphinx from highlighting a
searched term on the page a result leads to. ``layout.html`` drops them with
the ``without_scripts`` filter this extension gives its templates.
"""

import re

from markupsafe import Markup


def without_scripts(html, *names):
    """The HTML without the <script src=...> elements loading the named files."""
    for name in names:
        html = re.sub(
            rf'\s*<script\b[^>]*\bsrc="(?:[^"]*/)?{re.escape(name)}(\?[^"]*)?"[^>]*>'
            r"\s*</script>",
            "",
            str(html),
        )
    return Markup(html)


def add_filter(app):
    if hasattr(app.builder, "templates"):
        app.builder.templates.environment.filters["without_scripts"] = without_scripts


def setup(app):
    app.connect("builder-inited", add_filter)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
