"""Keep pages light: load no script a page does not use, and only the icons
the site draws.

The theme puts on every page fontawesome.js (1.5 MB, 62 % of a lesson page),
which only redraws each icon as an SVG that its stylesheet already draws with
the icon font, and Sphinx's search scripts and index, which only the search
page uses (and whose presence stops Sphinx from highlighting a searched
term on the page a result leads to). ``layout.html`` drops them with the
``without_scripts`` filter this extension gives its templates.

The icon fonts hold some 2,000 icons (225 kB for the two a page loads); the
site draws about twenty. After each build, this extension writes copies of
them with only the icons the built pages name, and the ones the theme's
stylesheets and scripts draw, to ``_static/fonts/``; lessons.css declares
them after the theme's fonts, so a browser loads them instead.
"""

import re
from pathlib import Path

import pydata_sphinx_theme
from fontTools import subset
from markupsafe import Markup

# The theme's icon fonts, as it ships them.
FONTS = (
    Path(pydata_sphinx_theme.__file__).parent
    / "theme/pydata_sphinx_theme/static/vendor/fontawesome/webfonts"
)
# What draws icons, as the build copies it to _static/.
STYLESHEETS = ["styles/pydata-sphinx-theme.css", "styles/sphinx-book-theme.css"]
SCRIPTS = ["scripts/pydata-sphinx-theme.js", "scripts/sphinx-book-theme.js"]
# An icon class's character, as Font Awesome's stylesheet sets it:
# .fa-github,.fa-github-alt{--fa:"\f09b"}
ICON_RULE = re.compile(r'((?:\.fa-[\w-]+,?)+)\{--fa:"([^"]*)"\}')
ICON_CLASS = re.compile(r"\bfa-[a-z0-9-]+")
# Characters of the private use area, where the icons are, drawn by the
# theme's own rules (content: var(--pst-icon-...)).
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


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


def css_string(value):
    r"""The text of a CSS string's content: "\f09b" is one character."""
    return re.sub(r"\\([0-9a-fA-F]{1,6}) ?", lambda m: chr(int(m.group(1), 16)), value)


def icons_drawn(outdir):
    """The characters of every icon the built site can draw."""
    static = Path(outdir) / "_static"
    stylesheets = [(static / name).read_text() for name in STYLESHEETS]
    characters = {}
    for selectors, value in ICON_RULE.findall(stylesheets[0]):
        for selector in selectors.split(","):
            characters[selector[1:]] = css_string(value)
    named = set()
    for text in [
        *(page.read_text() for page in Path(outdir).rglob("*.html")),
        *((static / script).read_text() for script in SCRIPTS),
    ]:
        named.update(ICON_CLASS.findall(text))
    drawn = {characters[name] for name in named if name in characters}
    for stylesheet in stylesheets:
        drawn.update(PRIVATE_USE.findall(ICON_RULE.sub("", stylesheet)))
    return {ord(c) for text in drawn for c in text}


def write_icon_fonts(app, exception):
    if exception or app.builder.format != "html":
        return
    unicodes = icons_drawn(app.outdir)
    folder = Path(app.outdir) / "_static" / "fonts"
    folder.mkdir(parents=True, exist_ok=True)
    for font in sorted(FONTS.glob("*.woff2")):
        options = subset.Options()
        options.flavor = "woff2"
        options.layout_features = []  # no ligatures: icons are drawn by class
        options.name_IDs = ["*"]  # the font's names and its licence
        subsetter = subset.Subsetter(options)
        loaded = subset.load_font(str(font), options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(loaded)
        subset.save_font(loaded, str(folder / font.name), options)
        loaded.close()  # the font file it read from


def setup(app):
    app.connect("builder-inited", add_filter)
    app.connect("build-finished", write_icon_fonts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
