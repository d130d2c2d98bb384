"""Table 3: the time of ``make book`` with a warm environment.

Runs the same ``jupyter-book build`` as ``make book`` (the flags are read from the Makefile's
``JB_FLAGS``) into a temporary ``--path-output``, so the repository's ``_build`` is never
touched. The first build in a fresh output folder executes every chapter (the execution cache
lives in that folder and starts empty); a rebuild in the same folder then finds the cache warm
and nothing changed, which is the usual edit-build loop's floor.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import fmt_time, table, unpinned


def jb_flags(root: Path) -> list[str]:
    """The build flags of ``make book``, from the Makefile (default ``-W -n --keep-going``)."""
    match = re.search(r"^JB_FLAGS\s*:?=\s*(.+)$", (root / "Makefile").read_text(), re.M)
    return match.group(1).split() if match else ["-W", "-n", "--keep-going"]


def build(root: Path, out: Path) -> float:
    """One ``jupyter-book build`` of ``root`` into ``out``; its wall time in seconds."""
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(root), "--path-output", str(out), *jb_flags(root)]
    start = time.perf_counter()
    with unpinned():  # the build runs as `make book` does, with the user's thread settings
        proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        raise RuntimeError(f"jupyter-book build failed ({proc.returncode}):\n{tail}")
    return elapsed


def run(root: Path, repeats: int = 1, log=print) -> str:
    cold, warm = [], []
    for _ in range(repeats):
        out = Path(tempfile.mkdtemp(prefix="lossbook-bench-book-"))
        try:
            cold.append(build(root, out))
            log(f"  fresh output folder: {cold[-1]:.1f} s")
            warm.append(build(root, out))
            log(f"  rebuild, cache warm: {warm[-1]:.1f} s")
        finally:
            shutil.rmtree(out, ignore_errors=True)
    rows = [
        [
            "make book, fresh output folder (executes every chapter)",
            fmt_time(statistics.median(cold)),
            str(len(cold)),
        ],
        [
            "make book, rebuild (execution cache warm, nothing changed)",
            fmt_time(statistics.median(warm)),
            str(len(warm)),
        ],
    ]
    return table(["build (warm environment)", "median", "runs"], rows, "lrr")
