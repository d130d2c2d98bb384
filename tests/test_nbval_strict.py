"""Strict nbval must really compare: an altered stored output has to fail."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, chapters

SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


def _nbval(notebook: Path) -> subprocess.CompletedProcess:
    """Run strict nbval on one notebook in a separate pytest, outside this project's config."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
         f"--nbval-sanitize-with={SANITIZE}", "-p", "no:cacheprovider", "-q",
         "--rootdir", str(notebook.parent), str(notebook)],
        cwd=notebook.parent, capture_output=True, text=True, timeout=300,
    )


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
    chapter = chapters()[0]
    shutil.copy(chapter, tmp_path / "intact.ipynb")
    nb = json.loads(chapter.read_text(encoding="utf-8"))
    _alter_first_text_output(nb)
    (tmp_path / "altered.ipynb").write_text(json.dumps(nb), encoding="utf-8")

    intact = _nbval(tmp_path / "intact.ipynb")
    altered = _nbval(tmp_path / "altered.ipynb")

    # The control: the same chapter, unaltered, passes in the same harness ...
    assert intact.returncode == 0, intact.stdout[-3000:]
    # ... and the single altered output makes it fail, with nbval naming the mismatch.
    assert altered.returncode == 1, altered.stdout[-3000:]
    assert "(altered)" in altered.stdout
