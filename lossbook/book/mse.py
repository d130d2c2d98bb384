r"""For the chapter *Mean squared error*: the same fit under two reductions."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .. import _validation as _v
from .linear import fit_line


def compare_reductions(
    x,
    y,
    loss: Callable,
    *,
    lr: float,
    steps: int,
    reductions: Sequence[str] = ("mean", "sum"),
    **fit_options,
) -> dict[str, dict[str, np.ndarray]]:
    r"""Fit one line with one learning rate under several reductions of a loss.

    For each name in ``reductions`` the loss is built as
    ``loss(reduction=name)`` and the line is fitted by :func:`fit_line` from
    the same start with the same ``lr`` and ``steps``. Only the reduction
    differs, so the runs show what it does to training: a summed loss is
    :math:`n` times the mean, its gradient is :math:`n` times larger, and a
    learning rate that suits the mean can make the sum diverge.

    Args:
        x: inputs, shape ``(n,)``.
        y: targets, shape ``(n,)``.
        loss: a factory that takes ``reduction=`` and returns a loss callable,
            such as ``torch.nn.MSELoss``, ``torch.nn.L1Loss`` or
            ``functools.partial(torch.nn.HuberLoss, delta=2.0)``.
        lr: the learning rate shared by every run.
        steps: the number of updates of every run.
        reductions: the reductions to compare, each ``"mean"`` or ``"sum"``.
        **fit_options: passed on to :func:`fit_line` (``slope``, ``intercept``,
            ``momentum``).

    Returns:
        ``{reduction: history}``, each history as returned by :func:`fit_line`.

    Raises:
        ValueError: if a reduction is not ``"mean"`` or ``"sum"`` (``"none"``
            gives no single number to minimise), or for any reason
            :func:`fit_line` raises.

    Example:
        >>> import torch
        >>> x = np.linspace(-1.0, 1.0, 50); y = 3 * x
        >>> runs = compare_reductions(x, y, torch.nn.MSELoss, lr=0.5, steps=20)
        >>> mean, total = runs["mean"]["loss"][-1], runs["sum"]["loss"][-1]
        >>> bool(mean < 1e-6), bool(total > 1e6)
        (True, True)
    """
    for name in reductions:
        _v.check_reduction("compare_reductions", name, allowed=("mean", "sum"))
    return {
        name: fit_line(
            x, y, loss(reduction=name), lr=lr, steps=steps, **fit_options
        )
        for name in reductions
    }
