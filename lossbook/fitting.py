r"""Fitting helpers: a line fitted with any PyTorch loss, a comparison of
reductions, and a plot of a loss and its gradient against the residual.

These are the small experiments the regression chapters repeat with different
losses. A line :math:`\hat y = a x + b` has two parameters, so a fit is cheap,
its path can be recorded step by step, and the result can be compared with a
closed form (:func:`~lossbook.least_squares_line`) or a robust fit
(:func:`~lossbook.robust.robust_line`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from . import _validation as _v

# The residual grid that plot_loss_and_grad uses when none is given: symmetric,
# with 0 on it.
_DEFAULT_RESIDUALS = np.linspace(-3.0, 3.0, 601)


def fit_line(
    x,
    y,
    loss_fn: Callable,
    *,
    lr: float,
    steps: int,
    slope: float = 0.0,
    intercept: float = 0.0,
    momentum: float = 0.0,
) -> dict[str, np.ndarray]:
    r"""Fit :math:`\hat y = a x + b` by full-batch gradient descent on a loss.

    Each step evaluates ``loss_fn(a * x + b, y)`` on float64 tensors,
    back-propagates and applies one ``torch.optim.SGD`` step with learning rate
    :math:`\eta` = ``lr`` (and ``momentum``). With ``momentum = 0`` that is
    plain gradient descent,

    .. math::
        a \leftarrow a - \eta \frac{\partial L}{\partial a}, \qquad
        b \leftarrow b - \eta \frac{\partial L}{\partial b},

    so with ``torch.nn.MSELoss()`` it takes exactly the steps of
    :func:`~lossbook.gradient_descent_line`, and with
    ``torch.nn.MSELoss(reduction="sum")`` steps :math:`n` times larger. A
    diverging run is recorded as it goes (the values grow to ``inf`` or
    ``nan``); nothing is clipped.

    Args:
        x: inputs, shape ``(n,)``.
        y: targets, shape ``(n,)``.
        loss_fn: maps ``(prediction, target)``, two float64 tensors of shape
            ``(n,)``, to a scalar tensor: ``torch.nn.MSELoss()``,
            ``torch.nn.functional.l1_loss``, ``torch.nn.HuberLoss(delta=2.0)``,
            ...
        lr: the learning rate :math:`\eta > 0`.
        steps: number of updates, at least 0.
        slope: the starting slope :math:`a_0`.
        intercept: the starting intercept :math:`b_0`.
        momentum: SGD's momentum factor, in ``[0, 1)``; 0 for plain gradient
            descent.

    Returns:
        A dict of float64 arrays of length ``steps + 1``: ``"slope"`` and
        ``"intercept"`` (the parameters before each step, and after the last
        one) and ``"loss"`` (the loss at those parameters).

    Raises:
        TypeError: if ``x`` or ``y`` is not numeric.
        ValueError: if ``x`` and ``y`` are not 1-D arrays of one length,
            ``lr <= 0``, ``steps < 0``, ``momentum`` is outside ``[0, 1)``, or
            ``loss_fn`` does not return a single number (for example a loss
            built with ``reduction="none"``).

    Example:
        >>> import torch
        >>> x = np.array([0.0, 1.0, 2.0, 3.0]); y = 2 * x + 1
        >>> run = fit_line(x, y, torch.nn.MSELoss(), lr=0.1, steps=300)
        >>> a, b = run["slope"][-1], run["intercept"][-1]
        >>> round(float(a), 6), round(float(b), 6)
        (2.0, 1.0)
        >>> len(run["loss"])
        301

    Reference:
        PyTorch documentation, ``torch.optim.SGD`` (the update rule, momentum
        included).
    """
    import torch

    x, y = _v.line_data("fit_line", x, y)
    lr = _v.check_number("fit_line", "lr", lr, low=0, low_open=True)
    momentum = _v.check_number("fit_line", "momentum", momentum, low=0)
    if momentum >= 1:
        raise ValueError(
            f"fit_line: momentum must be in [0, 1); got {momentum}."
        )
    if (
        isinstance(steps, bool)
        or not isinstance(steps, (int, np.integer))
        or steps < 0
    ):
        raise ValueError(
            f"fit_line: steps must be an int >= 0; got {steps!r}."
        )

    inputs, targets = torch.from_numpy(x), torch.from_numpy(y)
    a = torch.tensor(float(slope), dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(intercept), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([a, b], lr=lr, momentum=momentum)

    def loss_at() -> torch.Tensor:
        loss = loss_fn(a * inputs + b, targets)
        if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
            shape = (
                tuple(loss.shape)
                if isinstance(loss, torch.Tensor)
                else type(loss).__name__
            )
            raise ValueError(
                f"fit_line: loss_fn must return a single number, got {shape}. "
                "Use a reduced loss (reduction='mean' or 'sum'), not "
                "reduction='none'."
            )
        return loss.reshape(())

    history: dict[str, list[float]] = {
        "slope": [],
        "intercept": [],
        "loss": [],
    }
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_at()
        history["slope"].append(a.item())
        history["intercept"].append(b.item())
        history["loss"].append(loss.item())
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        history["loss"].append(loss_at().item())
    history["slope"].append(a.item())
    history["intercept"].append(b.item())
    return {
        key: np.array(values, dtype=np.float64)
        for key, values in history.items()
    }


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


def loss_and_grad_curves(
    loss: Callable, grad: Callable, residuals=None, **options
):
    r"""A loss and its gradient, elementwise, as functions of the residual.

    Evaluates a lossbook-style pair (``loss(input, target, reduction="none")``
    and its ``*_grad`` twin) at predictions :math:`\hat y = r` against targets
    :math:`y = 0`, so each entry is :math:`\ell(r)` and
    :math:`\partial \ell / \partial \hat y` at residual :math:`r = \hat y - y`.
    For the squared error these are :math:`r^2` and :math:`2r`.

    Args:
        loss: a loss with lossbook's signature, e.g.
            :func:`~lossbook.mse_loss`.
        grad: its gradient, e.g. :func:`~lossbook.mse_loss_grad`.
        residuals: the residuals :math:`r`, 1-D; by default 601 points from -3
            to 3.
        **options: passed to both (e.g. ``delta=2.0`` for
            :func:`~lossbook.huber_loss`).

    Returns:
        ``(residuals, values, gradients)``, three float64 arrays of one shape.

    Example:
        >>> from lossbook import mse_loss, mse_loss_grad
        >>> r, value, slope = loss_and_grad_curves(
        ...     mse_loss, mse_loss_grad, [-1.0, 0.0, 2.0]
        ... )
        >>> value, slope
        (array([1., 0., 4.]), array([-2.,  0.,  4.]))
    """
    r = _DEFAULT_RESIDUALS if residuals is None else residuals
    r = _v.as_float_array("loss_and_grad_curves", "residuals", r).astype(
        np.float64
    )
    if r.ndim != 1 or r.size == 0:
        raise ValueError(
            "loss_and_grad_curves: residuals must be a non-empty 1-D array; "
            f"got shape {r.shape}."
        )
    target = np.zeros_like(r)
    values = np.asarray(
        loss(r, target, reduction="none", **options), dtype=np.float64
    )
    gradients = np.asarray(
        grad(r, target, reduction="none", **options), dtype=np.float64
    )
    return r, values, gradients


def plot_loss_and_grad(
    curves: Mapping[str, tuple[Callable, Callable]],
    *,
    residuals=None,
    axes=None,
):
    r"""Plot losses (left) and gradients (right) against the residual.

    The residual is :math:`r = \hat y - y`.

    Each entry of ``curves`` is drawn in both panels with the same colour, from
    :func:`loss_and_grad_curves`: the per-element loss :math:`\ell(r)` on the
    left, its derivative :math:`\partial\ell/\partial\hat y` on the right. The
    axes are labelled and a legend is added to the left panel; the caller adds
    titles or reference lines.

    Args:
        curves: ``{label: (loss, grad)}`` with lossbook-style functions; wrap
            options with :func:`functools.partial`, e.g.
            ``partial(huber_loss, delta=2.0)``.
        residuals: the residual grid; by default 601 points from -3 to 3.
        axes: two matplotlib axes to draw into; by default a new figure with
            two panels.

    Returns:
        The :class:`matplotlib.figure.Figure` holding the two panels.

    Raises:
        ValueError: if ``curves`` is empty or ``axes`` is not a pair.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> from lossbook import mse_loss, mse_loss_grad
        >>> fig = plot_loss_and_grad({"MSE": (mse_loss, mse_loss_grad)})
        >>> [ax.get_ylabel() for ax in fig.axes]
        ['loss $\\ell(r)$', 'gradient $\\partial \\ell / \\partial \\hat y$']
        >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    if not curves:
        raise ValueError(
            "plot_loss_and_grad: curves is empty; pass {label: (loss, grad)}."
        )
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.6))
    elif len(axes) != 2:
        raise ValueError(
            f"plot_loss_and_grad: axes must be two axes; got {len(axes)}."
        )
    ax_loss, ax_grad = axes
    for label, (loss, grad) in curves.items():
        r, values, gradients = loss_and_grad_curves(loss, grad, residuals)
        (line,) = ax_loss.plot(r, values, label=label)
        ax_grad.plot(r, gradients, color=line.get_color(), label=label)
    for ax in axes:
        ax.axhline(0.0, color="0.6", lw=0.8)
        ax.axvline(0.0, color="0.6", lw=0.8)
        ax.set_xlabel(r"residual $r = \hat y - y$")
    ax_loss.set_ylabel(r"loss $\ell(r)$")
    ax_grad.set_ylabel(r"gradient $\partial \ell / \partial \hat y$")
    ax_loss.legend()
    return ax_loss.figure
