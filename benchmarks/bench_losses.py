"""Table 2: lossbook against PyTorch, forward plus gradient, side by side in one process.

Each case times ``loss(x, y)`` followed by ``loss_grad(x, y)`` for lossbook, and the torch
function followed by ``backward()`` for torch, on the same arrays (torch wraps them without a
copy). Both run on one thread: NumPy's elementwise work is single-threaded, and torch is set
to ``torch.set_num_threads(1)``. The two sides alternate inside every repeat, so that a busy
moment on a shared machine slows both; the table gives the medians and their ratio.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

import lossbook
from _common import THREADS, calls_for, fmt_time, table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from losses_registry import LOSSES, NUM_CLASSES  # noqa: E402, F401 (NUM_CLASSES: run.py)

SIZES = (10**3, 10**5, 10**6)
DTYPES = (np.float64, np.float32)


@dataclass
class Case:
    name: str  # the lossbook function; its gradient is name + "_grad"
    make: Callable[[np.random.Generator, int, type], tuple[np.ndarray, np.ndarray]]
    torch_fn: Callable
    kwargs: dict


# One case per loss of the registry the tests use (tests/losses_registry.py): a new loss is
# benchmarked as soon as it is registered, with the inputs its entry makes.
CASES = [Case(e.name, e.bench, e.torch_fn, e.bench_kwargs) for e in LOSSES]


def time_case(case: Case, n: int, dtype, repeats: int) -> tuple[float, float]:
    """Median seconds per forward+gradient call: (lossbook, torch)."""
    rng = np.random.default_rng(0)
    x, y = case.make(rng, n, dtype)
    loss, grad = getattr(lossbook, case.name), getattr(lossbook, case.name + "_grad")
    xt, yt = torch.from_numpy(x).requires_grad_(True), torch.from_numpy(y)

    def ours():
        loss(x, y, **case.kwargs)
        grad(x, y, **case.kwargs)

    def theirs():
        xt.grad = None
        case.torch_fn(xt, yt, **case.kwargs).backward()

    # Same numbers on both sides, or the comparison would be meaningless.
    theirs()
    tol = 1e-9 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(
        loss(x, y, **case.kwargs), case.torch_fn(xt, yt, **case.kwargs).item(), rtol=tol
    )
    np.testing.assert_allclose(
        grad(x, y, **case.kwargs),
        xt.grad.numpy(),
        rtol=tol,
        atol=tol * float(np.abs(xt.grad.numpy()).max()),
    )

    number_ours, number_theirs = calls_for(ours), calls_for(theirs)

    t_ours, t_theirs = [], []
    for _ in range(repeats):  # alternate, so that a noisy moment hits both sides
        for fn, number, out in ((ours, number_ours, t_ours), (theirs, number_theirs, t_theirs)):
            start = time.perf_counter()
            for _ in range(number):
                fn()
            out.append((time.perf_counter() - start) / number)
    return float(np.median(t_ours)), float(np.median(t_theirs))


def run(repeats: int = 7, sizes=SIZES, dtypes=DTYPES, names=None, log=print) -> str:
    torch.set_num_threads(THREADS)
    rows, slow = [], []
    for case in CASES:
        if names and case.name not in names:
            continue
        for dtype in dtypes:
            for n in sizes:
                ours, theirs = time_case(case, n, dtype, repeats)
                ratio = ours / theirs
                rows.append(
                    [
                        case.name,
                        np.dtype(dtype).name,
                        _n(n),
                        fmt_time(ours),
                        fmt_time(theirs),
                        f"{ratio:.2f}",
                    ]
                )
                if n == max(sizes) and ratio > 2:
                    slow.append(f"{case.name} ({np.dtype(dtype).name})")
                log(f"  {case.name:34s} {np.dtype(dtype).name:8s} n={n:<8d} ratio {ratio:.2f}")
    out = table(
        ["loss (forward + gradient)", "dtype", "n", "lossbook", "torch", "lossbook / torch"],
        rows,
        "lllrrr",
    )
    if slow:
        out += f"\n\nMore than 2x slower than torch at n = {_n(max(sizes))}: {', '.join(slow)}."
    else:
        out += f"\n\nEvery loss is within 2x of torch at n = {_n(max(sizes))}."
    return out


def _n(n: int) -> str:
    """10**6 -> '1e6'."""
    return f"{n:.0e}".replace("e+0", "e").replace("e+", "e")
