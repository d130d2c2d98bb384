"""Table 2: lossbook against PyTorch, forward plus gradient, side by side in one process.

Each case times ``loss(x, y)`` followed by ``loss_grad(x, y)`` for lossbook, and the torch
function followed by ``backward()`` for torch, on the same arrays (torch wraps them without a
copy). Both run on one thread: NumPy's elementwise work is single-threaded, and torch is set
to ``torch.set_num_threads(1)``. The two sides alternate inside every repeat, so that a busy
moment on a shared machine slows both; the table gives the medians and their ratio.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

import lossbook
from _common import THREADS, calls_for, fmt_time, table

SIZES = (10**3, 10**5, 10**6)
DTYPES = (np.float64, np.float32)
NUM_CLASSES = 10  # the classification losses use N x C = n elements with C = 10


@dataclass
class Case:
    name: str  # the lossbook function; its gradient is name + "_grad"
    make: Callable[[np.random.Generator, int, type], tuple[np.ndarray, np.ndarray]]
    torch_fn: Callable
    kwargs: dict


def _pair(rng, n, dtype):
    return rng.standard_normal(n).astype(dtype), rng.standard_normal(n).astype(dtype)


def _logits_indices(rng, n, dtype):
    x = rng.standard_normal((n // NUM_CLASSES, NUM_CLASSES)).astype(dtype)
    return x, rng.integers(0, NUM_CLASSES, n // NUM_CLASSES)


def _logprobs_indices(rng, n, dtype):
    x, y = _logits_indices(rng, n, dtype)
    return lossbook.log_softmax(x).astype(dtype), y


def _probabilities(rng, n, dtype):
    return rng.uniform(0.01, 0.99, n).astype(dtype), rng.uniform(0, 1, n).astype(dtype)


def _logits_labels(rng, n, dtype):
    return rng.standard_normal(n).astype(dtype), rng.integers(0, 2, n).astype(dtype)


def _logprobs_probs(rng, n, dtype):
    shape = (n // NUM_CLASSES, NUM_CLASSES)
    x = lossbook.log_softmax(rng.standard_normal(shape)).astype(dtype)
    return x, lossbook.softmax(rng.standard_normal(shape)).astype(dtype)


CASES = [
    Case("mse_loss", _pair, F.mse_loss, {}),
    Case("l1_loss", _pair, F.l1_loss, {}),
    Case("huber_loss", _pair, F.huber_loss, {}),
    Case("smooth_l1_loss", _pair, F.smooth_l1_loss, {}),
    Case("cross_entropy", _logits_indices, F.cross_entropy, {}),
    Case("nll_loss", _logprobs_indices, F.nll_loss, {}),
    Case("binary_cross_entropy", _probabilities, F.binary_cross_entropy, {}),
    Case(
        "binary_cross_entropy_with_logits", _logits_labels, F.binary_cross_entropy_with_logits, {}
    ),
    Case("kl_div", _logprobs_probs, F.kl_div, {"reduction": "batchmean"}),
]


def losses_without_case() -> list[str]:
    """Every lossbook loss (a public name with a ``_grad`` twin) that has no case here."""
    names = {
        n.removesuffix("_grad")
        for n in lossbook.__all__
        if n.endswith("_loss_grad")
        or n.endswith("_grad")
        and n.removesuffix("_grad") in lossbook.__all__
    }
    return sorted(names - {c.name for c in CASES})


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
    missing = losses_without_case()
    if missing:
        raise SystemExit(f"bench_losses: no benchmark case for {missing}; add one to CASES.")
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
