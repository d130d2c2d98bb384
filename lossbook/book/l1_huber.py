r"""For the chapter *L1, Huber and SmoothL1*: the robust line, fitted by IRLS.

The least-absolute-deviations line and Huber's line have no closed form; both
are found by *iteratively reweighted least squares*: a least-squares line in
which each point is weighted by how much the loss trusts it, the weights
recomputed from the residuals until nothing moves.
"""

from __future__ import annotations

import numpy as np

from .. import _validation as _v
from .linear import least_squares_line
from .robust import _L1_FLOOR, _check_loss, _huber_weights


def robust_line(
    x,
    y,
    *,
    loss: str = "l1",
    delta: float = 1.0,
    tol: float = 1e-12,
    max_iter: int = 1000,
) -> tuple[float, float]:
    r"""The slope and intercept of the line that minimises a loss.

    Minimises :math:`\sum_i \ell(a x_i + b - y_i)` with :math:`\ell` the
    squared error (``"mse"``: :func:`~lossbook.book.least_squares_line`, in
    closed form), the absolute error (``"l1"``: least absolute deviations) or
    the Huber loss with threshold ``delta`` (``"huber"``). The last two are
    solved by iteratively reweighted least squares: starting from the
    least-squares line, each step solves a weighted least-squares problem with
    the weights

    .. math::
        w_i = \frac{1}{\max(|r_i|, 10^{-10})} \ (\text{L1}), \qquad
        w_i = \min\!\left(1, \frac{\delta}{|r_i|}\right) \ (\text{Huber}),

    computed from the current residuals :math:`r_i = a x_i + b - y_i`, because
    then :math:`w_i r_i` equals the loss's derivative :math:`\ell'(r_i)`
    (:math:`\operatorname{sign} r_i` for L1, :math:`r_i` clipped to
    :math:`[-\delta, \delta]` for Huber): a fixed point of the weighted
    problem is a stationary point of the loss. Each step lowers the loss; it
    stops when the parameters move by less than ``tol`` (relative). For L1
    the result is within about :math:`10^{-7}` of the exact minimiser (the
    weights' floor limits it); a least-absolute-deviations line passes
    through (at least) two data points, which the tests use as an exact
    oracle.

    Args:
        x: inputs, shape ``(n,)``, not all equal.
        y: targets, shape ``(n,)``.
        loss: ``"mse"``, ``"l1"`` or ``"huber"``.
        delta: the Huber threshold :math:`\delta > 0`, in the units of ``y``.
        tol: relative change of the parameters below which IRLS stops.
        max_iter: the most IRLS iterations.

    Returns:
        ``(slope, intercept)`` as Python floats.

    Raises:
        TypeError: if ``x`` or ``y`` is not numeric.
        ValueError: if the shapes differ or are not 1-D, every ``x`` is the
            same, or ``loss`` or ``delta`` is invalid.

    Example:
        >>> x = np.arange(6.0); y = 2 * x + 1
        >>> y[5] = 100.0  # one gross outlier
        >>> [round(v, 6) for v in robust_line(x, y, loss="l1")]
        [2.0, 1.0]
        >>> [round(v, 3) for v in robust_line(x, y, loss="mse")]
        [14.714, -15.952]

    Reference:
        Huber, "Robust Estimation of a Location Parameter", 1964; Holland and
        Welsch, "Robust regression using iteratively reweighted least-squares",
        Communications in Statistics 6(9), 1977.
    """
    x, y = _line_data("robust_line", x, y)
    _check_loss("robust_line", loss)
    if loss == "huber":
        delta = _v.check_number(
            "robust_line", "delta", delta, low=0, low_open=True
        )
    slope, intercept = least_squares_line(x, y)
    if loss == "mse":
        return slope, intercept

    def problem(r):  # IRLS: the targets stay, the weights follow r
        if loss == "l1":
            return y, 1.0 / np.maximum(np.abs(r), _L1_FLOOR)
        return y, _huber_weights(r, delta)

    return _reweighted_line(x, y, problem, slope, intercept, tol, max_iter)


def quantile_line(
    x,
    y,
    *,
    tau: float = 0.5,
    tol: float = 1e-12,
    max_iter: int = 2000,
) -> tuple[float, float]:
    r"""The slope and intercept of the :math:`\tau`-quantile regression line.

    Minimises :math:`\sum_i \rho_\tau(y_i - a x_i - b)` with the pinball loss
    :math:`\rho_\tau(u) = \max(\tau u, (\tau - 1) u)`
    (:func:`~lossbook.quantile_loss`), by the MM algorithm of Hunter and
    Lange: writing :math:`\rho_\tau(u) = \tfrac12|u| + (\tau - \tfrac12) u`
    and bounding :math:`|u|` by the parabola that touches it at the current
    residual :math:`u_i^{(k)}` turns each step into a weighted least-squares
    line with weights :math:`w_i = 1 / |u_i^{(k)}|` and targets shifted to
    :math:`y_i + (2\tau - 1)|u_i^{(k)}|`. With :math:`\tau = \tfrac12` it
    is :func:`robust_line`'s L1 iteration. The weights are floored as there
    (a residual below :math:`10^{-10}` counts as :math:`10^{-10}`), so the
    result is within about :math:`10^{-7}` of the exact minimiser, a line
    through (at least) two data points.

    Args:
        x: inputs, shape ``(n,)``, not all equal.
        y: targets, shape ``(n,)``.
        tau: the quantile level, strictly between 0 and 1.
        tol: relative change of the parameters below which it stops.
        max_iter: the most iterations.

    Returns:
        ``(slope, intercept)`` as Python floats.

    Raises:
        TypeError: if ``x``, ``y`` or ``tau`` is not numeric.
        ValueError: if the shapes differ or are not 1-D, every ``x`` is the
            same, or ``tau`` is not in ``(0, 1)``.

    Example:
        >>> x = np.arange(5.0)
        >>> y = np.array([0.0, 1.0, 2.0, 13.0, 4.0])  # one point far above
        >>> [round(v, 4) for v in quantile_line(x, y, tau=0.5)]
        [1.0, 0.0]

    Reference:
        Koenker and Bassett, "Regression Quantiles", Econometrica 46(1),
        1978; Hunter and Lange, "Quantile Regression via an MM Algorithm",
        Journal of Computational and Graphical Statistics 9(1), 2000.
    """
    x, y = _line_data("quantile_line", x, y)
    tau = _v.check_number("quantile_line", "tau", tau, low=0, low_open=True)
    if not tau < 1:
        raise ValueError(f"quantile_line: tau must be < 1; got {tau}.")

    def problem(r):  # MM: shifted targets, weights 1 / |r|
        size = np.maximum(np.abs(r), _L1_FLOOR)
        return y + (2 * tau - 1) * size, 1.0 / size

    slope, intercept = least_squares_line(x, y)
    return _reweighted_line(x, y, problem, slope, intercept, tol, max_iter)


def _reweighted_line(x, y, problem, slope, intercept, tol, max_iter):
    """Iterate weighted least squares from a start line until it settles.

    ``problem(r)`` maps the current residuals ``r = a x + b - y`` to the
    targets and weights of the next weighted fit; iteration stops when the
    parameters move by less than ``tol`` (relative) or after ``max_iter``.
    """
    for _ in range(max_iter):
        targets, weights = problem(slope * x + intercept - y)
        new_slope, new_intercept = _weighted_line(x, targets, weights)
        change = abs(new_slope - slope) + abs(new_intercept - intercept)
        slope, intercept = new_slope, new_intercept
        if change <= tol * (1 + abs(slope) + abs(intercept)):
            break
    return slope, intercept


def _weighted_line(
    x: np.ndarray, y: np.ndarray, w: np.ndarray
) -> tuple[float, float]:
    """The weighted least-squares line: min. sum_i w_i (a x_i + b - y_i)^2."""
    total = np.sum(w)
    x_bar, y_bar = np.sum(w * x) / total, np.sum(w * y) / total
    dx = x - x_bar
    slope = np.sum(w * dx * (y - y_bar)) / np.sum(w * dx * dx)
    return float(slope), float(y_bar - slope * x_bar)


def _line_data(fname: str, x, y) -> tuple[np.ndarray, np.ndarray]:
    """1-D float64 ``x`` and ``y`` of one length, with ``x`` not constant."""
    x, y = _v.line_data(fname, x, y)
    if x.size == 0 or np.all(x == x[0]):
        raise ValueError(
            f"{fname}: every x is the same (or x is empty), so the slope is "
            f"undefined."
        )
    return x, y
