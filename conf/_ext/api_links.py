"""Link API names to the official jax and flax reference, with no network.

The build cannot download the projects' ``objects.inv``, so this extension
writes intersphinx inventories from ``conf/api_inventory.toml``. Intersphinx
then resolves them, sphinx-codeautolink links the names in code cells, and a
transform below links inline code in the text that names one of them
(``nnx.Dropout``, ``jax.random.split()``).

An inventory lists each name's role (class, function, method) and the name of
the module that defines it, which only importing jax and flax tells. The
build finds them once per set of installed versions and table, in a process of
its own (Sphinx's process forks later, where JAX must not be loaded yet), and
keeps the inventories in the doctree folder under a name made of both: a build
with other releases (``nox -s latest``) writes its own.
"""

import functools
import hashlib
import importlib
import inspect
import json
import subprocess
import sys
import tomllib
import zlib
from importlib.metadata import version
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform

TABLE = Path(__file__).resolve().parent.parent / "api_inventory.toml"
# The short names the lessons import packages under.
ALIASES = {"nnx.": "flax.nnx.", "nn.": "flax.linen.", "jnp.": "jax.numpy."}
PACKAGES = {"jax": "jax", "flax": "flax", "flax_linen": "flax"}


@functools.cache  # read by every document's transform
def load_table(path=TABLE):
    """{project: (base URL, {name: URL relative to the base})}."""
    projects = {}
    for project, spec in tomllib.loads(path.read_text()).items():
        links = {}
        for page, names in spec["pages"].items():
            for name in names:
                links[name] = page.format(name=name) + "#" + name
        projects[project] = (spec["url"], links)
    return projects


def find(name):
    """The object a dotted name refers to in the installed packages."""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute)
        return obj
    raise ImportError(name)


def role(name):
    obj = find(name)
    if inspect.isclass(obj):
        return "class"
    parent = find(name.rpartition(".")[0])
    return "method" if inspect.isclass(parent) else "function"


def canonical(name):
    """Where the object is defined, as code linkers find it (flax.nnx.rnglib.Rngs)."""
    obj = find(name)
    module, qualname = (
        getattr(obj, "__module__", None),
        getattr(obj, "__qualname__", None),
    )
    return f"{module}.{qualname}" if module and qualname else name


def installed_versions():
    return {package: version(package) for package in sorted(set(PACKAGES.values()))}


def describe(names):
    """{name: [role, canonical name]}, from the installed packages."""
    return {name: [role(name), canonical(name)] for name in sorted(names)}


def described_apart(names):
    """describe(names), computed in a process of its own (this file's)."""
    done = subprocess.run(
        [sys.executable, __file__],
        input=json.dumps(sorted(names)),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def write_inventory(path, project, links, objects):
    # Each object is listed under its public name and, for code linkers, under
    # the name of the module that defines it.
    entries = {}
    for name, uri in links.items():
        role, canonical = objects[name]
        entries[name] = f"{name} py:{role} 1 {uri} -"
        entries.setdefault(canonical, f"{canonical} py:{role} 1 {uri} {name}")
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version(PACKAGES[project])}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = "".join(line + "\n" for _, line in sorted(entries.items()))
    path.write_bytes(header.encode() + zlib.compress(body.encode(), 9))


def add_inventories(app, config):
    table = load_table()
    key = json.dumps([installed_versions(), TABLE.read_text()]).encode()
    folder = Path(app.doctreedir, "inventories", hashlib.sha256(key).hexdigest()[:16])
    paths = {project: folder / f"{project}.inv" for project in table}
    if not all(path.exists() for path in paths.values()):
        objects = described_apart({n for _, links in table.values() for n in links})
        folder.mkdir(parents=True, exist_ok=True)
        for project, (_, links) in table.items():
            write_inventory(paths[project], project, links, objects)
    for project, (url, _) in table.items():
        config.intersphinx_mapping[project] = (url, str(paths[project]))


def in_card(node):
    while node is not None:
        if "sd-card" in node.get("classes", []):
            return True
        node = node.parent
    return False


class LinkInlineNames(SphinxTransform):
    """Turn inline code that names a linked API object into a reference."""

    default_priority = 500

    def apply(self, **kwargs):
        names = {n for _, links in load_table().values() for n in links}
        for literal in list(self.document.findall(nodes.literal)):
            if isinstance(literal.parent, (nodes.reference, addnodes.pending_xref)):
                continue
            if in_card(literal):  # a card is a link already: no link inside it
                continue
            text = literal.astext().removesuffix("()")
            for short, full in ALIASES.items():
                if text.startswith(short):
                    text = full + text[len(short) :]
            if text not in names:
                continue
            xref = addnodes.pending_xref(
                "", refdomain="py", reftype="obj", reftarget=text, refexplicit=True
            )
            literal.replace_self(xref)
            xref += literal


def setup(app):
    app.setup_extension("sphinx.ext.intersphinx")
    app.connect("config-inited", add_inventories)
    app.add_transform(LinkInlineNames)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    # The names on stdin, their descriptions on stdout (described_apart).
    json.dump(describe(json.load(sys.stdin)), sys.stdout)
