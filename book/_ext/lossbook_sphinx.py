"""Small fixes to the Jupyter Book 1 build, loaded from _config.yml (sphinx.local_extensions).

sphinx-thebe registers its inline configuration script once per read of the sources, so a
build can put `const THEBE_JS_URL = ...` on a page twice, and the browser then stops on
"Identifier 'THEBE_JS_URL' has already been declared". We drop duplicates (same file or inline
body, same attributes, whatever their priority) from each page's script list before the
page is written.
"""

from __future__ import annotations


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


def setup(app):
    # Late, once every extension has added its scripts to the page.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

