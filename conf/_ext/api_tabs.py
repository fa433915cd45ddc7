"""Group executed Linen and NNX code cells into synced sphinx-design tabs.

MyST-NB only executes code cells at the top level of a page, so a cell
cannot sit inside a ``{tab-item}`` directive. Instead, a page tags each
cell ``linen`` or ``nnx``; every run of consecutive tagged cells becomes one
tab set whose tabs share the sync group ``api``, so choosing "NNX" in one
tab set switches every tab set on the page (and on other pages).
"""

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx_design.shared import create_component

TABS = {"linen": "Linen", "nnx": "NNX"}
SYNC_GROUP = "api"


def _framework(node):
    """The framework a cell is tagged with, or None for any other node."""
    if not (
        isinstance(node, nodes.container) and node.get("nb_element") == "cell_code"
    ):
        return None
    found = [
        tag for tag in node.get("cell_metadata", {}).get("tags", []) if tag in TABS
    ]
    return found[0] if len(found) == 1 else None


def _tab_set(cells):
    items = []
    for framework in TABS:
        group = [cell for cell in cells if _framework(cell) == framework]
        if not group:
            continue
        label = nodes.rubric(TABS[framework], nodes.Text(TABS[framework]))
        label["classes"] = ["sd-tab-label"]
        label["sync_group"] = SYNC_GROUP
        label["sync_id"] = framework
        content = create_component("tab-content", ["sd-tab-content"], children=group)
        items.append(
            create_component("tab-item", ["sd-tab-item"], children=[label, content])
        )
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
