"""Keep sphinx-codeautolink's name resolution from one build to the next.

At the end of every build, sphinx-codeautolink resolves each name of every
code cell (``nnx.Dropout(...).__call__``) by importing the packages and
following the attributes: jax and flax are imported (about 1.5 s) even when
no page changed. A name's resolution depends only on the name, the installed
packages and the inventory of linkable names, so this extension keeps the
results in the doctree folder (build/html/.doctrees), keyed on the versions of
jax, jaxlib, flax and sphinx-codeautolink and on the inventory, and resolves
only the names it has not seen. Other versions installed (``nox -s latest``)
or another inventory start the table afresh.
"""

import hashlib
import importlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import sphinx_codeautolink.extension as codeautolink
from sphinx_codeautolink.extension.resolve import CouldNotResolve

FILE = "codeautolink-resolved.json"
PACKAGES = ("jax", "jaxlib", "flax", "sphinx-codeautolink")


def installed_versions():
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return versions


def inventory_digest(inventory):
    text = json.dumps(sorted(inventory.items()), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class ResolveCache:
    """resolve_location with a memory: {name's components: result}."""

    def __init__(self, resolve):
        self.resolve = resolve
        self.path = None
        self.versions = None
        self.tables = {}  # inventory digest -> {components: [kind, value]}
        self.digests = {}  # id(inventory) -> (inventory, digest)
        self.changed = False

    def load(self, path):
        self.path = Path(path)
        self.versions = installed_versions()
        try:
            saved = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return
        if saved.get("versions") == self.versions:
            self.tables = {saved["inventory"]: saved["resolved"]}

    def prepare(self, app):
        """With nothing resolved yet (a first build, other versions), import
        the lessons' packages now, while the notebooks run: resolving imports
        them."""
        if not any(self.tables.values()):
            for module in app.config.prerun_kernel_imports:
                importlib.import_module(module)

    def digest(self, inventory):
        held = self.digests.get(id(inventory))
        if held is None or held[0] is not inventory:
            held = (inventory, inventory_digest(inventory))
            self.digests[id(inventory)] = held
        return held[1]

    def __call__(self, chain, inventory):
        table = self.tables.setdefault(self.digest(inventory), {})
        key = json.dumps(list(chain.import_components))
        if key not in table:
            try:
                table[key] = ["ok", self.resolve(chain, inventory)]
            except CouldNotResolve as error:
                table[key] = ["error", str(error)]
            self.changed = True
        kind, value = table[key]
        if kind == "error":
            raise CouldNotResolve(value)
        return value

    def save(self):
        if self.path is None or not self.changed or len(self.tables) != 1:
            # Several inventories in one build: keep none rather than guess.
            return
        ((digest, resolved),) = self.tables.items()
        saved = {"versions": self.versions, "inventory": digest, "resolved": resolved}
        self.path.write_text(json.dumps(saved, indent=0, sort_keys=True), "utf-8")
        self.changed = False


def setup(app):
    app.setup_extension("sphinx_codeautolink")
    cache = ResolveCache(codeautolink.resolve_location)
    # The name create_references calls.
    codeautolink.resolve_location = cache
    app.connect("builder-inited", lambda app: cache.load(Path(app.doctreedir) / FILE))
    if "prerun-executing" in app.events.events:  # a build without prerun has none
        app.connect("prerun-executing", lambda app: cache.prepare(app))
    app.connect("build-finished", lambda app, exception: cache.save())
    return {"parallel_read_safe": True, "parallel_write_safe": True}
