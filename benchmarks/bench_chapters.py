"""Table 1: every chapter's execution time in a fresh kernel, kernel start included.

The approach of ``tools/run_notebooks.py`` (nbclient, one fresh ``python3`` kernel per chapter,
working directory = the chapter's folder), but the executed notebook is thrown away: nothing
is written back to ``book/``.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import nbformat
from _common import fmt_time, table, unpinned
from nbclient import NotebookClient

BUDGET = 10.0  # seconds per chapter, kernel start included (the budget)
TIMEOUT_PER_CELL = 120


def execute(path: Path) -> float:
    """Execute a copy of one chapter in a fresh kernel; return the wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    with unpinned():  # the kernel runs as under `make notebooks`, not with the bench's pinning
        NotebookClient(
            nb,
            timeout=TIMEOUT_PER_CELL,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    return time.perf_counter() - start


def run(chapters: list[Path], repeats: int = 3, log=print) -> str:
    rows, total, over = [], 0.0, []
    for path in chapters:
        times = []
        for _ in range(repeats):
            times.append(execute(path))
        med = statistics.median(times)
        total += med
        ok = med <= BUDGET
        if not ok:
            over.append(path.stem)
        rows.append([path.name, fmt_time(med), f"{min(times):.2f}–{max(times):.2f} s",
                     f"{BUDGET:.0f} s", "ok" if ok else "OVER"])
        log(f"  {path.name:32s} median {med:6.2f} s over {repeats} runs")
    rows.append(["**total**", f"**{fmt_time(total)}**", "", f"{BUDGET * len(chapters):.0f} s",
                 "ok" if not over else f"{len(over)} over"])
    return table(["chapter", "median", "range", "budget", "status"], rows, "lrrrl")
