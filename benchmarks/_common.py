"""Shared helpers for the benchmarks: thread pinning, repeated timing, markdown tables."""

from __future__ import annotations

import contextlib
import os
import time

# Every benchmark runs single-threaded unless it says otherwise: NumPy's elementwise work
# (everything lossbook does) runs on one thread, so torch gets one thread too, and any BLAS is
# pinned to one thread before NumPy is imported. run.py imports this module first.
THREADS = 1
PINNED = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
ORIGINAL_ENV = {var: os.environ.get(var) for var in PINNED}  # what the user's shell had
for _var in PINNED:
    os.environ.setdefault(_var, str(THREADS))


@contextlib.contextmanager
def unpinned():
    """Give child processes (chapter kernels, the book build) the user's own thread settings."""
    pinned = {var: os.environ.get(var) for var in PINNED}
    _restore(ORIGINAL_ENV)
    try:
        yield
    finally:
        _restore(pinned)


def _restore(values):
    for var, value in values.items():
        if value is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = value


def cores() -> int:
    """The number of cores this process may run on (the affinity mask, else the CPU count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def load() -> str:
    """The 1-minute load average, to show how busy the machine was."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except (AttributeError, OSError):
        return "n/a"


def calls_for(fn, *, target: float = 0.05, cap: int = 10_000) -> int:
    """How many calls of ``fn`` take about ``target`` seconds (at least 1), after a warm-up."""
    fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, min(cap, int(target / once)))


def table(header: list[str], rows: list[list[str]], align: str | None = None) -> str:
    """A markdown table; ``align`` holds one of 'l'/'r' per column (default: first left)."""
    align = align or "l" + "r" * (len(header) - 1)
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    widths = [max(w, 3) for w in widths]

    def line(cells):
        out = []
        for cell, w, a in zip(cells, widths, align, strict=True):
            out.append(str(cell).ljust(w) if a == "l" else str(cell).rjust(w))
        return "| " + " | ".join(out) + " |"

    rule = (
        "| "
        + " | ".join(
            "-" * (w - 1) + ":" if a == "r" else "-" * w for w, a in zip(widths, align, strict=True)
        )
        + " |"
    )
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def fmt_time(seconds: float) -> str:
    """A duration with a unit that keeps three significant digits."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"
