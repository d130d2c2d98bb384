"""Re-execute chapters in place: fresh kernel, top to bottom, outputs stored.

Usage: python tools/run_notebooks.py book/*.ipynb

This is what `make notebooks` runs after a chapter changes, so that the stored outputs
are the ones a fresh run gives (strict nbval compares them in `make test`). A cell that
raises stops the run, unless the cell is tagged ``raises-exception``. Prints each
chapter's wall time, kernel start included.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

TIMEOUT_PER_CELL = 120  # seconds; chapters are meant to take under 10 in all


def execute(path: Path):
    """Execute one notebook top to bottom in a fresh kernel; return it and the seconds taken.

    The kernel starts in the notebook's folder, as it does under Jupyter Book and nbval.
    This is the book's one notebook runner: ``make notebooks`` stores what it returns, and
    the chapter benchmark (``benchmarks/bench_chapters.py``) times it.
    """
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=TIMEOUT_PER_CELL,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,  # no timestamps in the stored notebook: diffs stay clean
    )
    client.execute()
    return nb, time.perf_counter() - start


def run(path: Path) -> float:
    """Execute one notebook in place; return its wall time in seconds."""
    nb, elapsed = execute(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    nbformat.write(nb, path)
    return elapsed


def merge_streams(outputs: list) -> list:
    """Join consecutive outputs of the same stream into one.

    How printed text is split into messages depends on when the kernel
    flushes, which varies from run to run; joining keeps re-runs from
    changing the stored notebook (nbval joins them too when comparing).
    Only neighbours are joined: nbclient's ``coalesce_streams`` would also
    pull a print that follows a figure up before it.
    """
    merged: list = []
    for out in outputs:
        last = merged[-1] if merged else None
        if (
            out.output_type == "stream"
            and last is not None
            and last.output_type == "stream"
            and last.name == out.name
        ):
            last.text += out.text
        else:
            merged.append(out)
    return merged


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__)
        return 2
    total = 0.0
    for name in paths:
        elapsed = run(Path(name))
        total += elapsed
        print(f"{name:40s} {elapsed:6.1f} s")
    print(f"{'total':40s} {total:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
