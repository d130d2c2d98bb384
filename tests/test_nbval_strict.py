"""Strict nbval must really compare: an altered stored output has to fail."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BOOK, ROOT

SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


def _nbval(notebook: Path) -> subprocess.CompletedProcess:
    """Run strict nbval on one notebook in a separate pytest, outside this project's config."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "--nbval-current-env",
            f"--nbval-sanitize-with={SANITIZE}",
            "-p",
            "no:cacheprovider",
            "-q",
            "--rootdir",
            str(notebook.parent),
            str(notebook),
        ],
        cwd=notebook.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _up_to_first_text_output(nb: dict) -> dict:
    """The chapter's cells up to its first code cell with a text output.

    Enough to prove the comparison, at a fraction of the chapter's run time.
    """
    for index, cell in enumerate(nb["cells"]):
        outputs = cell.get("outputs", [])
        if any(o.get("output_type") in ("stream", "execute_result") for o in outputs):
            return {**nb, "cells": nb["cells"][: index + 1]}
    raise AssertionError("no text output in this notebook")


def _alter_first_text_output(nb: dict) -> str:
    """Change the first stored text output of a code cell; return what it said."""
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                before = "".join(out["text"])
                out["text"] = before.rstrip("\n") + " (altered)\n"
                return before
            if out.get("output_type") == "execute_result" and "text/plain" in out["data"]:
                before = "".join(out["data"]["text/plain"])
                out["data"]["text/plain"] = before + " (altered)"
                return before
    raise AssertionError("no text output to alter in this notebook")


@pytest.mark.slow
def test_altered_output_fails_strict_nbval(tmp_path):
    chapter = BOOK / "what_is_a_loss.ipynb"
    nb = _up_to_first_text_output(json.loads(chapter.read_text(encoding="utf-8")))
    (tmp_path / "intact.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    _alter_first_text_output(nb)
    (tmp_path / "altered.ipynb").write_text(json.dumps(nb), encoding="utf-8")

    intact = _nbval(tmp_path / "intact.ipynb")
    altered = _nbval(tmp_path / "altered.ipynb")

    # The control: the same chapter, unaltered, passes in the same harness ...
    assert intact.returncode == 0, intact.stdout[-3000:]
    # ... and the single altered output makes it fail, with nbval naming the mismatch.
    assert altered.returncode == 1, altered.stdout[-3000:]
    assert "(altered)" in altered.stdout
