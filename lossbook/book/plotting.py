r"""A loss and its gradient against the residual, computed and plotted.

The regression chapters (MSE, L1 and Huber) draw every loss the same way: the
loss :math:`\ell(r)` and its derivative :math:`\ell'(r)` over a grid of
residuals :math:`r = \hat y - y`, side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from .. import _validation as _v

# The residual grid that plot_loss_and_grad uses when none is given: symmetric,
# with 0 on it.
_DEFAULT_RESIDUALS = np.linspace(-3.0, 3.0, 601)


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
        The two axes ``(ax_loss, ax_grad)``, given or made, as every plotting
        helper of the book returns the axes it drew into.

    Raises:
        ValueError: if ``curves`` is empty or ``axes`` is not a pair.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> from lossbook import mse_loss, mse_loss_grad
        >>> axes = plot_loss_and_grad({"MSE": (mse_loss, mse_loss_grad)})
        >>> [ax.get_ylabel() for ax in axes]
        ['loss $\\ell(r)$', 'gradient $\\partial \\ell / \\partial \\hat y$']
        >>> plt.close(axes[0].figure)
    """
    import matplotlib.pyplot as plt

    if not curves:
        raise ValueError(
            "plot_loss_and_grad: curves is empty; pass {label: (loss, grad)}."
        )
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9.0, 3.6))
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
    return ax_loss, ax_grad
