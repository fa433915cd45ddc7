"""Let the reader open a plot on its own, full size: every image a cell
outputs links to its file (an SVG opens sharp at any zoom)."""

import posixpath

from docutils import nodes
from sphinx.util.osutil import relative_uri


def link_plots(app, doctree, docname):
    if app.builder.format != "html":
        return
    # Where the builder copies images; MyST-NB names each by its content's
    # hash, so its name there is its own.
    folder = relative_uri(app.builder.get_target_uri(docname), app.builder.imagedir)
    for output in list(doctree.findall(nodes.container)):
        if output.get("nb_element") != "cell_code_output":
            continue
        for image in list(output.findall(nodes.image)):
            if isinstance(image.parent, nodes.reference):
                continue
            uri = posixpath.join(folder, posixpath.basename(image["uri"]))
            link = nodes.reference("", "", refuri=uri, internal=True)
            link["classes"] = ["plot-full-size"]
            image.replace_self(link)
            link.append(image)


def setup(app):
    app.connect("doctree-resolved", link_plots)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
