r"""Robust fitting: the constant and the line that minimise MSE, L1 or Huber,
and a gradient descent on a constant with a fixed or a decaying step.

The squared error is minimised by the mean and by the least-squares line, both
in closed form. The absolute error is minimised by the median and by the
least-absolute-deviations line; the Huber loss by Huber's M-estimates. Neither
of the last two has a closed form for a line, and both are found here by
*iteratively reweighted least squares* (IRLS): a robust loss is a least-squares
loss in which each point is weighted by how much the loss trusts it, and the
weights are recomputed from the residuals until nothing moves.
"""

from __future__ import annotations

import numpy as np

from .. import _validation as _v
from ..regression import (
    huber_loss,
    huber_loss_grad,
    l1_loss,
    l1_loss_grad,
    mse_loss,
    mse_loss_grad,
)

LOSSES = ("mse", "l1", "huber")


SCHEDULES = ("constant", "inverse_sqrt", "inverse")


# Residuals smaller than this are treated as this in the L1 weights 1/|r|
# (IRLS), so that a point the line passes through exactly does not get an
# infinite weight.
_L1_FLOOR = 1e-10


def best_constant(
    y,
    *,
    loss: str = "mse",
    delta: float = 1.0,
    tol: float = 1e-12,
    max_iter: int = 500,
) -> float:
    r"""The constant :math:`c` that minimises :math:`\sum_i \ell(c - y_i)`.

    * ``"mse"``, :math:`\ell(r) = r^2`: the **mean** of ``y`` (set the
      derivative :math:`2\sum_i (c - y_i)` to zero).
    * ``"l1"``, :math:`\ell(r) = |r|`: a **median** of ``y``. The derivative
      :math:`\sum_i \operatorname{sign}(c - y_i)` counts the points below
      :math:`c` minus the points above it, and it changes sign at the middle of
      the sorted data. For an even number of points every :math:`c` between the
      two middle values is a minimiser; the midpoint (:func:`numpy.median`) is
      returned.
    * ``"huber"`` (with ``delta``): Huber's location estimate, the :math:`c` at
      which the residuals clipped to :math:`[-\delta, \delta]` sum to zero.
      Found by IRLS from the median: each point gets the weight
      :math:`\min(1, \delta / |c - y_i|)` and :math:`c` becomes the weighted
      mean, until it moves by less than ``tol``.

    Args:
        y: the data, any shape (flattened), at least one finite value.
        loss: ``"mse"``, ``"l1"`` or ``"huber"``.
        delta: the Huber threshold :math:`\delta > 0` (used by ``"huber"``
            only).
        tol: IRLS stops when :math:`c` moves by less than ``tol`` times
            ``1 + |c|``.
        max_iter: the most IRLS iterations.

    Returns:
        The minimiser, a Python float.

    Raises:
        TypeError: if ``y`` is not numeric.
        ValueError: if ``y`` is empty or ``loss`` or ``delta`` is invalid.

    Example:
        >>> y = [0.0, 1.0, 2.0, 100.0]
        >>> best_constant(y), best_constant(y, loss="l1")  # mean, median
        (25.75, 1.5)
        >>> c = best_constant(y, loss="huber", delta=3.0)  # 3 c - 3 - 3 = 0
        >>> round(c, 9)
        2.0

    Reference:
        Huber, "Robust Estimation of a Location Parameter", Annals of
        Mathematical Statistics 35(1), 1964.
    """
    y = _v.as_float_array("best_constant", "y", y).astype(np.float64).ravel()
    if y.size == 0:
        raise ValueError("best_constant: y is empty; pass at least one value.")
    _check_loss("best_constant", loss)
    if loss == "mse":
        return float(np.mean(y))
    centre = float(np.median(y))
    if loss == "l1":
        return centre
    delta = _v.check_number(
        "best_constant", "delta", delta, low=0, low_open=True
    )
    for _ in range(max_iter):
        w = _huber_weights(centre - y, delta)
        new = float(np.sum(w * y) / np.sum(w))
        done = abs(new - centre) <= tol * (1 + abs(new))
        centre = new
        if done:
            break
    return centre


def gradient_descent_constant(
    y,
    *,
    lr: float,
    steps: int,
    loss: str = "l1",
    schedule: str = "constant",
    start: float = 0.0,
    delta: float = 1.0,
) -> dict[str, np.ndarray]:
    r"""Fit a constant :math:`c` to ``y`` by gradient descent on a mean loss.

    The loss is :math:`L(c) = \frac1n \sum_i \ell(c - y_i)` with :math:`\ell`
    the squared, absolute or Huber error (computed by
    :func:`~lossbook.mse_loss`, :func:`~lossbook.l1_loss` or
    :func:`~lossbook.huber_loss`, the gradient by their ``*_grad`` twins), and
    each step is :math:`c \leftarrow c - \eta_t L'(c)` with

    .. math::
        \eta_t = \eta \ (\texttt{"constant"}), \qquad
        \eta_t = \frac{\eta}{\sqrt{t + 1}} \ (\texttt{"inverse\_sqrt"}), \qquad
        \eta_t = \frac{\eta}{t + 1} \ (\texttt{"inverse"}),

    for :math:`t = 0, 1, \dots`. The L1 gradient
    :math:`\frac1n\sum_i\operatorname{sign}(c - y_i)` keeps its size right up
    to the median, so with a constant step the iterate ends up hopping around
    the minimum instead of settling; a decaying step lets it settle.

    Args:
        y: the data, any shape (flattened).
        lr: the initial learning rate :math:`\eta > 0`.
        steps: the number of updates, at least 0.
        loss: ``"mse"``, ``"l1"`` or ``"huber"``.
        schedule: ``"constant"``, ``"inverse_sqrt"`` or ``"inverse"``.
        start: the starting value :math:`c_0`.
        delta: the Huber threshold (used by ``"huber"`` only).

    Returns:
        dict: arrays ``"c"`` and ``"loss"`` of length ``steps + 1`` (before
        each step and after the last), and ``"lr"`` of length ``steps`` (the
        rate each step used).

    Raises:
        TypeError: if ``y`` is not numeric.
        ValueError: if ``y`` is empty, ``lr <= 0``, ``steps < 0``, or ``loss``,
            ``schedule`` or ``delta`` is invalid.

    Example:
        >>> y = [1.0, 2.0, 10.0]  # median 2
        >>> fixed = gradient_descent_constant(y, lr=1.0, steps=300)
        >>> decaying = gradient_descent_constant(
        ...     y, lr=1.0, steps=300, schedule="inverse"
        ... )
        >>> fixed["c"][-4:]  # hops by lr / 3 around the median forever
        array([2.    , 2.3333, 2.    , 2.3333])
        >>> bool(abs(decaying["c"][-1] - 2.0) < 1e-5)
        True
    """
    y = (
        _v.as_float_array("gradient_descent_constant", "y", y)
        .astype(np.float64)
        .ravel()
    )
    if y.size == 0:
        raise ValueError(
            "gradient_descent_constant: y is empty; pass at least one value."
        )
    lr = _v.check_number(
        "gradient_descent_constant", "lr", lr, low=0, low_open=True
    )
    if (
        isinstance(steps, bool)
        or not isinstance(steps, (int, np.integer))
        or steps < 0
    ):
        raise ValueError(
            "gradient_descent_constant: steps must be an int >= 0, got "
            f"{steps!r}."
        )
    _check_loss("gradient_descent_constant", loss)
    if schedule not in SCHEDULES:
        choices = ", ".join(repr(s) for s in SCHEDULES)
        raise ValueError(
            f"gradient_descent_constant: schedule must be one of {choices}; "
            f"got {schedule!r}."
        )
    options = {}
    if loss == "huber":
        options["delta"] = _v.check_number(
            "gradient_descent_constant", "delta", delta, low=0, low_open=True
        )
    value, grad = {
        "mse": (mse_loss, mse_loss_grad),
        "l1": (l1_loss, l1_loss_grad),
        "huber": (huber_loss, huber_loss_grad),
    }[loss]
    t = np.arange(steps, dtype=np.float64)
    rates = {
        "constant": np.full(steps, lr),
        "inverse_sqrt": lr / np.sqrt(t + 1),
        "inverse": lr / (t + 1),
    }[schedule]
    c = float(start)
    cs, losses = [c], [value(np.full_like(y, c), y, **options)]
    for eta in rates:
        c = c - eta * float(np.sum(grad(np.full_like(y, c), y, **options)))
        cs.append(c)
        losses.append(value(np.full_like(y, c), y, **options))
    return {"c": np.array(cs), "loss": np.array(losses), "lr": rates}


def _check_loss(fname: str, loss) -> None:
    if loss not in LOSSES:
        choices = ", ".join(repr(s) for s in LOSSES)
        raise ValueError(
            f"{fname}: loss must be one of {choices}; got {loss!r}."
        )


def _huber_weights(r: np.ndarray, delta: float) -> np.ndarray:
    """IRLS weights of the Huber loss: 1 on [-delta, delta], else delta/|r|."""
    a = np.abs(r)
    return delta / np.maximum(a, delta)  # exactly 1 where |r| <= delta
