"""Say on each page when the site was built, and from which commit.

The date is the built commit's (``git log -1``), or SOURCE_DATE_EPOCH's when
set, never the clock's: two builds of one commit publish the same pages. A
lesson's "Executed with ..." line gets "last built on <date> from <commit>"
appended; every page's footer says it too (``lessons-footer.html``), with
the repository the site is built from.
"""

import datetime
import os
import subprocess

from docutils import nodes


def built_commit(srcdir):
    """(sha, unix time) of the commit being built; ("", time) without git."""
    try:
        sha, time = subprocess.run(
            ["git", "log", "-1", "--format=%H %ct"],
            cwd=srcdir,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError, ValueError):
        sha, time = "", None
    time = os.environ.get("SOURCE_DATE_EPOCH") or time
    return sha, int(time) if time else None


def commit_stamp(srcdir, repository):
    """What a page says of the commit being built: its date, its short sha and
    its address; None without a commit (or SOURCE_DATE_EPOCH)."""
    sha, time = built_commit(srcdir)
    if time is None:
        return None
    date = datetime.datetime.fromtimestamp(time, datetime.UTC)
    return {
        "date": f"{date.day} {date:%B %Y}",
        "iso": f"{date:%Y-%m-%d}",
        "commit": sha[:7],
        "url": f"https://github.com/{repository}/commit/{sha}" if sha else "",
    }


def read_commit(app, config):
    built = commit_stamp(app.srcdir, config.lessons_repository)
    if built is not None:
        # A new commit rewrites every page (see outdated()).
        config.lessons_built = built


def stamp(built):
    """The words and link appended to the version line."""
    words = nodes.inline(classes=["last-built"])
    words += nodes.Text(f" Last built on {built['date']}")
    if built["commit"]:
        words += nodes.Text(" from commit ")
        words += nodes.reference(
            "", "", nodes.literal(text=built["commit"]), refuri=built["url"]
        )
    words += nodes.Text(".")
    return words


def stamp_markdown(built):
    """The same words, for the version line of a published notebook."""
    commit = f" from commit `{built['commit']}`" if built["commit"] else ""
    return f" Last built on {built['date']}{commit}."


def stamp_version_line(app, doctree, docname):
    built = app.config.lessons_built
    if not built:
        return
    for paragraph in doctree.findall(nodes.paragraph):
        if paragraph.astext().startswith("Executed with "):
            paragraph += stamp(built)
            return


def outdated(app, env, added, changed, removed):
    """Every page, read and written again when the build's commit (or date)
    is not the one the pages were last written with: an unchanged page would
    keep the old line."""
    built = app.config.lessons_built
    if getattr(env, "lessons_built", None) == built:
        return []
    env.lessons_built = built
    return sorted(env.found_docs - set(added) - set(removed))


def add_context(app, pagename, templatename, context, doctree):
    context["lessons_built"] = app.config.lessons_built
    context["lessons_repository_url"] = (
        f"https://github.com/{app.config.lessons_repository}"
    )


def setup(app):
    app.add_config_value("lessons_built", {}, "html", types=[dict])
    app.connect("config-inited", read_commit)
    app.connect("env-get-outdated", outdated)
    app.connect("doctree-resolved", stamp_version_line)
    app.connect("html-page-context", add_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
