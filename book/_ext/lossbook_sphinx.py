"""The book's own Sphinx extension, loaded from _config.yml (sphinx.local_extensions).

It adds the ``{lossbook-versions}`` directive (the status page's table of the versions the
book was built with) and fixes one fault of the Jupyter Book 1 build:

sphinx-thebe registers its inline configuration script once per read of the sources, so a
build can put `const THEBE_JS_URL = ...` on a page twice, and the browser then stops on
"Identifier 'THEBE_JS_URL' has already been declared". We drop duplicates (same file or inline
body, same attributes, whatever their priority) from each page's script list before the
page is written.
"""

from __future__ import annotations

import platform
from importlib import metadata

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

# The software a reader needs to reproduce the book's numbers, in the order shown.
_VERSIONED = ["lossbook", "torch", "numpy", "matplotlib", "jupyter-book", "myst-nb", "nbval"]


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen = set()
    unique = []
    for script in context.get("script_files", []):
        attributes = getattr(script, "attributes", {})
        filename = getattr(script, "filename", str(script)) or None  # inline: None or ""
        key = (filename, tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"][:] = unique


class VersionsDirective(SphinxDirective):
    """``{lossbook-versions}``: a table of the versions the book was built with."""

    def run(self):
        rows = [("Python", platform.python_version())]
        for name in _VERSIONED:
            try:
                rows.append((name, metadata.version(name)))
            except metadata.PackageNotFoundError:
                rows.append((name, "not installed"))
        return [_table(("package", "version"), rows)]


def _table(header, rows):
    """A docutils table with one header row."""
    table = nodes.table()
    group = nodes.tgroup(cols=len(header))
    table += group
    group += [nodes.colspec(colwidth=1) for _ in header]

    def row(cells):
        line = nodes.row()
        for text in cells:
            entry = nodes.entry()
            entry += nodes.paragraph(text=text)
            line += entry
        return line

    head = nodes.thead()
    head += row(header)
    body = nodes.tbody()
    body += [row(cells) for cells in rows]
    group += [head, body]
    return table


def setup(app):
    app.add_directive("lossbook-versions", VersionsDirective)
    # Late, once every extension has added its scripts to the page.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
