"""Notebook helpers: show lossbook's source, glue computed numbers."""

from __future__ import annotations

import ast
import inspect
import textwrap


def show_source(obj, *, docstring: bool = False) -> object:
    """Return the source of a lossbook function, to display in a notebook.

    The chapters use it to show the implementation they are about to test, so
    that the code a reader sees is the code that runs. The docstrings are left
    out unless asked for: the chapter's prose already says what they say, and
    the API page shows them.

    Args:
        obj: a function, class or module.
        docstring: keep the docstrings (of ``obj`` and of what it defines).

    Returns:
        In IPython, an :class:`IPython.display.Markdown` object holding a
        fenced Python block (rendered with syntax highlighting in the book and
        in JupyterLab); elsewhere the source as a string.

    Example:
        >>> from lossbook import book
        >>> shown = book.show_source(book.setup)
        >>> text = getattr(shown, "data", shown)
        >>> print(text.splitlines()[1])
        def setup(seed: int = 0) -> np.random.Generator:
        >>> "Example:" in text
        False
    """
    source = inspect.getsource(obj)
    if not docstring:
        source = _without_docstrings(source)
    fenced = f"```python\n{source.rstrip()}\n```\n"
    try:
        from IPython.display import Markdown
    except ImportError:
        return fenced
    return Markdown(fenced)


def _without_docstrings(source: str) -> str:
    """``source`` with the docstring lines of every def and class removed."""
    source = textwrap.dedent(source)
    tree = ast.parse(source)
    drop: set[int] = set()
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)
    for node in ast.walk(tree):
        if isinstance(node, kinds) and ast.get_docstring(node) is not None:
            first = node.body[0]
            drop.update(range(first.lineno, first.end_lineno + 1))
    lines = source.splitlines()
    return "\n".join(
        line for number, line in enumerate(lines, 1) if number not in drop
    )


def glue(
    name: str, value, fmt: str | None = None, *, digits: int = 10
) -> None:
    """Store a computed value under ``name`` for the chapter's prose to quote.

    In the book, prose quotes the value with ``{glue:text}`name:.3f```
    (myst-nb), so no number in a sentence is ever typed by hand. Give the
    same format here, ``glue(name, value, ".3f")``, and a float is stored
    rounded to it: the stored output then holds exactly the digits a reader
    sees, which are the digits every machine must agree on (strict nbval
    compares them). Without ``fmt`` a float is stored with ``digits``
    significant digits, which suits a value that is exact (a count, a
    constant, a closed form in float64). The storing is myst-nb's own
    ``glue(name, value, display=False)``; outside a Jupyter Book toolchain
    (on Colab, say, where myst-nb is not installed) the call does nothing.

    Args:
        name: the key the prose uses; unique within the book.
        value: a number, string, array or figure.
        fmt: the format spec the prose shows a float with, such as ``".3f"``,
            ``".1e"`` or ``".0%"``.
        digits: significant digits kept for floats when ``fmt`` is not given.

    Example:
        >>> from lossbook.book import glue, shown
        >>> glue("answer", 42)  # outside a notebook kernel nothing is shown
        >>> shown(0.219669, ".2f"), shown(0.987, ".0%"), shown(3.86e-13, ".1e")
        (0.22, 0.99, 3.9e-13)
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # no Jupyter Book toolchain here: nothing to store
        return
    if isinstance(value, float) or type(value).__name__ in (
        "float32",
        "float64",
    ):
        if fmt is None:
            value = float(f"{float(value):.{digits}g}")
        else:
            value = shown(float(value), fmt)
    myst_glue(name, value, display=False)


def shown(value: float, fmt: str) -> float:
    """``value`` rounded to what ``format(value, fmt)`` shows.

    Formatting the result with ``fmt`` again gives the same text, so prose
    that quotes the rounded value with ``fmt`` reads as if it quoted
    ``value``.

    Args:
        value: the number.
        fmt: a format spec of the kind ``f``, ``e``, ``g`` or ``%``, with or
            without a thousands separator.

    Returns:
        The rounded float.
    """
    text = format(value, fmt).replace(",", "").replace("_", "")
    if text.endswith("%"):
        return float(format(float(text[:-1]) / 100, ".12g"))
    return float(text)
