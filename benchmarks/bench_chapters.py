"""Table 1: every chapter's execution time in a fresh kernel, kernel start included.

The book's one runner, ``tools/run_notebooks.py`` (nbclient, one fresh ``python3`` kernel per
chapter, working directory = the chapter's folder), but the executed notebook is thrown away:
nothing is written back to ``book/``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from _common import fmt_time, table, unpinned

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import run_notebooks  # noqa: E402

BUDGET = 10.0  # seconds per chapter, kernel start included (the budget)


def execute(path: Path) -> float:
    """Execute a copy of one chapter in a fresh kernel; return the wall time in seconds."""
    with unpinned():  # the kernel runs as under `make notebooks`, not with the bench's pinning
        return run_notebooks.execute(path)[1]  # the executed copy is thrown away


def run(chapters: list[Path], repeats: int = 3, log=print) -> str:
    """Time every chapter ``repeats`` times; return the markdown table.

    The runs go round-robin (every chapter once, then every chapter again), so
    that a slow spell of a shared machine lands on all chapters alike rather
    than on the one that happened to run then.
    """
    times: dict[Path, list[float]] = {path: [] for path in chapters}
    gauges = []
    for round_ in range(repeats):
        gauges.append(gauge())
        for path in chapters:
            times[path].append(execute(path))
            log(f"  round {round_ + 1}/{repeats}  {path.name:32s} {times[path][-1]:6.2f} s")
    rows, total, over = [], 0.0, []
    for path in chapters:
        med = statistics.median(times[path])
        total += med
        ok = med <= BUDGET
        if not ok:
            over.append(path.stem)
        rows.append(
            [
                path.name,
                fmt_time(med),
                f"{min(times[path]):.2f}–{max(times[path]):.2f} s",
                f"{BUDGET:.0f} s",
                "ok" if ok else "OVER",
            ]
        )
    rows.append(
        [
            "**total**",
            f"**{fmt_time(total)}**",
            "",
            f"{BUDGET * len(chapters):.0f} s",
            "ok" if not over else f"{len(over)} over",
        ]
    )
    gauges.append(gauge())
    return (
        table(["chapter", "median", "range", "budget", "status"], rows, "lrrrl")
        + f"\n\nMachine speed during these runs: a fixed pure-Python loop took "
        f"{min(gauges):.2f}–{max(gauges):.2f} s (measured before each round and at "
        "the end; the lower, the faster the machine was)."
    )


def gauge() -> float:
    """Seconds a fixed pure-Python loop takes: how fast the machine is right now.

    Shared virtual machines slow down and speed up with their neighbours' load;
    this number, printed with the table, says how fast this one was.
    """
    start = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i * i
    return time.perf_counter() - start
