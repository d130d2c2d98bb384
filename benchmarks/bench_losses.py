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
    make: Callable[[np.random.Generator, int, type], tuple[np.ndarray, ...]]
    torch_fn: Callable
    kwargs: dict
    wrt: tuple[int, ...] = (0,)  # the arrays the gradient is taken of (losses on embeddings: >1)


# One case per loss of the registry the tests use (tests/losses_registry.py): a new loss is
# benchmarked as soon as it is registered, with the inputs its entry makes.
CASES = [
    Case(e.name, e.bench, e.torch_fn, e.bench_kwargs, tuple(e.inputs.index(g) for g in e.grads))
    for e in LOSSES
]


def time_case(case: Case, n: int, dtype, repeats: int) -> tuple[float, float]:
    """Median seconds per forward+gradient call: (lossbook, torch)."""
    rng = np.random.default_rng(0)
    args = case.make(rng, n, dtype)  # (input, target), or the arrays of a loss on embeddings
    loss, grad = getattr(lossbook, case.name), getattr(lossbook, case.name + "_grad")
    tensors = [torch.from_numpy(a).requires_grad_(i in case.wrt) for i, a in enumerate(args)]

    def ours():
        loss(*args, **case.kwargs)
        grad(*args, **case.kwargs)

    def theirs():
        for i in case.wrt:
            tensors[i].grad = None
        case.torch_fn(*tensors, **case.kwargs).backward()

    # Same numbers on both sides, or the comparison would be meaningless.
    theirs()
    tol = 1e-9 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(
        loss(*args, **case.kwargs), case.torch_fn(*tensors, **case.kwargs).item(), rtol=tol
    )
    grads = grad(*args, **case.kwargs)
    grads = grads if len(case.wrt) > 1 else (grads,)
    for i, g in zip(case.wrt, grads, strict=True):
        theirs_g = tensors[i].grad.numpy()
        np.testing.assert_allclose(g, theirs_g, rtol=tol, atol=tol * float(np.abs(theirs_g).max()))

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
