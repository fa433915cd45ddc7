"""Group executed Linen and NNX code cells into sphinx-design tabs that agree
with the rest of the page.

MyST-NB only executes code cells at the top level of a page, so a cell
cannot sit inside a ``{tab-item}`` directive. Instead, a page tags each
cell ``linen`` or ``nnx``; every run of consecutive tagged cells becomes one
tab set. The cell placed last in a run is executed last, so the rest of the
page continues from its names: its tab comes first and is the one selected,
and every other tab ends with a note naming it. The tabs of a page share the
sync group ``api``, so choosing "NNX" in one tab set switches every tab set of
the page; the choice is not carried to other pages (``sd_tabs_storage_prefix``
is empty in conf.py), whose code may continue from the other tab.
"""

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx_design.shared import create_component

TABS = {"linen": "Linen", "nnx": "NNX"}
SYNC_GROUP = "api"


def framework(cell):
    """The framework a code cell is tagged with, from its metadata, or None."""
    found = [tag for tag in cell.get("metadata", {}).get("tags", []) if tag in TABS]
    return found[0] if len(found) == 1 else None


def continued_from(label):
    """The note at the end of a tab the rest of the page does not continue from."""
    return f"For comparison: the cells below continue from the {label} tab."


def _framework(node):
    """The framework a cell node is tagged with, or None for any other node."""
    if not (
        isinstance(node, nodes.container) and node.get("nb_element") == "cell_code"
    ):
        return None
    return framework({"metadata": node.get("cell_metadata", {})})


def _tab_set(cells):
    continuing = _framework(cells[-1])
    order = [continuing] + [name for name in TABS if name != continuing]
    items = []
    for name in order:
        group = [cell for cell in cells if _framework(cell) == name]
        if not group:
            continue
        label = nodes.rubric(TABS[name], nodes.Text(TABS[name]))
        label["classes"] = ["sd-tab-label"]
        label["sync_group"] = SYNC_GROUP
        label["sync_id"] = name
        children = list(group)
        if name != continuing:
            note = continued_from(TABS[continuing])
            children.append(nodes.paragraph(note, note, classes=["api-tabs-note"]))
        content = create_component("tab-content", ["sd-tab-content"], children=children)
        item = create_component("tab-item", ["sd-tab-item"], children=[label, content])
        item["selected"] = name == continuing
        items.append(item)
    return create_component("tab-set", ["sd-tab-set", "api-tabs"], children=items)


class GroupApiTabs(SphinxTransform):
    # After MyST-NB has turned cells into nodes, before sphinx-design's
    # post-transform renders tab sets to HTML.
    default_priority = 500

    def apply(self, **kwargs):
        for parent in list(self.document.findall(nodes.Element)):
            runs, current = [], []
            for child in parent.children:
                if _framework(child):
                    current.append(child)
                elif current:
                    runs.append(current)
                    current = []
            if current:
                runs.append(current)
            for run in runs:
                parent.replace(run[0], _tab_set(run))
                for cell in run[1:]:
                    parent.remove(cell)


def setup(app):
    app.setup_extension("sphinx_design")
    app.add_transform(GroupApiTabs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
