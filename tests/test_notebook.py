"""book.glue rounds to the prose's format, then stores through myst-nb's own glue (the oracle)."""

from __future__ import annotations

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from myst_nb import glue as myst_glue

from lossbook import book


def published(glue_call) -> list[tuple[dict, dict]]:
    InteractiveShell.instance()  # a shell for the display machinery
    with capture_output() as captured:
        glue_call()
    return [(out.data, out.metadata) for out in captured.outputs]


@pytest.mark.parametrize("value", [1.25, 7, "text", np.arange(3)])
def test_glue_matches_myst_nb(value):
    ours = published(lambda: book.glue("name", value))
    theirs = published(lambda: myst_glue("name", value, display=False))
    assert ours == theirs and len(ours) == 1


def test_glue_rounds_floats_to_the_digits_asked():
    ours = published(lambda: book.glue("x", 0.1 + 0.2, digits=3))
    theirs = published(lambda: myst_glue("x", 0.3, display=False))
    assert ours == theirs
    # NumPy scalars are stored as Python floats, without the type's name
    ours = published(lambda: book.glue("x", np.float32(0.5)))
    theirs = published(lambda: myst_glue("x", 0.5, display=False))
    assert ours == theirs


def test_glue_stores_a_float_at_the_precision_the_prose_shows():
    ours = published(lambda: book.glue("x", 0.219669, ".2f"))
    theirs = published(lambda: myst_glue("x", 0.22, display=False))
    assert ours == theirs
    # a format for floats leaves an int alone
    ours = published(lambda: book.glue("n", 52, ".2f"))
    theirs = published(lambda: myst_glue("n", 52, display=False))
    assert ours == theirs


@pytest.mark.parametrize("fmt", [".0f", ".3f", ".4f", ".1e", ".2e", ".0%", ".1%", ".3g", ",.0f"])
@pytest.mark.parametrize(
    "value", [0.219669, 0.2199913597, 1.098612289, 3.853436785e-13, 0.98666, 123.456, -88.72284]
)
def test_shown_reads_the_same_in_its_format(value, fmt):
    rounded = book.shown(value, fmt)
    assert format(rounded, fmt) == format(value, fmt)
    # and it keeps no digit beyond them: rounding again changes nothing
    assert book.shown(rounded, fmt) == rounded
    assert len(repr(rounded)) <= len(repr(value))
