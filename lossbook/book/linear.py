"""Fitting a straight line: the closed form, and gradient descent."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from .. import _validation as _v
from .training import fit


def least_squares_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    r"""The slope and intercept that minimise the mean squared error.

    They are computed in closed form.

    Setting the gradient of
    :math:`L(a, b) = \frac1n \sum_i (a x_i + b - y_i)^2` to zero gives the
    normal equations, whose solution is

    .. math::
        a^\star = \frac{\sum_i (x_i - \bar x)(y_i - \bar y)}
            {\sum_i (x_i - \bar x)^2},
        \qquad b^\star = \bar y - a^\star \bar x.

    Args:
        x: inputs, shape ``(n,)``, not all equal.
        y: targets, shape ``(n,)``.

    Returns:
        ``(slope, intercept)`` as Python floats.

    Raises:
        ValueError: if the shapes differ, are not 1-D, or every ``x`` is the
            same.

    Example:
        >>> x, y = np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0])
        >>> least_squares_line(x, y)
        (2.0, 1.0)

    Reference:
        Hastie, Tibshirani & Friedman, *The Elements of Statistical Learning*,
        section 3.2.
    """
    x, y = _v.line_data("least_squares_line", x, y)
    dx = x - x.mean()
    spread = np.sum(dx * dx)
    if spread == 0:
        raise ValueError(
            "least_squares_line: every x is the same, so the slope is "
            "undefined."
        )
    slope = np.sum(dx * (y - y.mean())) / spread
    return float(slope), float(y.mean() - slope * x.mean())


def gradient_descent_line(
    x: np.ndarray,
    y: np.ndarray,
    *,
    lr: float,
    steps: int,
    slope: float = 0.0,
    intercept: float = 0.0,
) -> dict[str, np.ndarray]:
    r"""Fit :math:`\hat y = a x + b` by gradient descent on the MSE.

    With residuals :math:`r_i = a x_i + b - y_i`, the loss and its gradient are

    .. math::
        L = \frac1n \sum_i r_i^2, \qquad
        \frac{\partial L}{\partial a} = \frac2n \sum_i r_i x_i, \qquad
        \frac{\partial L}{\partial b} = \frac2n \sum_i r_i,

    and each step moves both parameters against the gradient:
    :math:`a \leftarrow a - \eta\, \partial L / \partial a`, likewise for
    :math:`b`.

    Args:
        x: inputs, shape ``(n,)``.
        y: targets, shape ``(n,)``.
        lr: the learning rate :math:`\eta > 0`.
        steps: number of updates.
        slope: the starting slope :math:`a_0`.
        intercept: the starting intercept :math:`b_0`.

    Returns:
        A dict of arrays of length ``steps + 1``: ``"slope"`` and
        ``"intercept"`` (the parameters before each step, and after the last
        one) and ``"loss"`` (the loss at those parameters).

    Raises:
        ValueError: if the shapes differ or are not 1-D, ``lr <= 0`` or
            ``steps < 0``.

    Example:
        >>> x = np.array([0.0, 1.0, 2.0]); y = 2 * x + 1
        >>> run = gradient_descent_line(x, y, lr=0.1, steps=500)
        >>> a, b = run["slope"][-1], run["intercept"][-1]
        >>> round(float(a), 6), round(float(b), 6)
        (2.0, 1.0)
    """
    x, y = _v.line_data("gradient_descent_line", x, y)
    if lr <= 0:
        raise ValueError(f"gradient_descent_line: lr must be > 0, got {lr}.")
    if steps < 0:
        raise ValueError(
            f"gradient_descent_line: steps must be >= 0, got {steps}."
        )
    a, b = float(slope), float(intercept)
    history = {"slope": [a], "intercept": [b], "loss": []}
    with np.errstate(
        over="ignore", invalid="ignore"
    ):  # a diverging run overflows to inf
        for _ in range(steps):
            residual = a * x + b - y
            history["loss"].append(np.mean(residual**2))
            grad_a = 2 * np.mean(residual * x)
            grad_b = 2 * np.mean(residual)
            a, b = a - lr * grad_a, b - lr * grad_b
            history["slope"].append(a)
            history["intercept"].append(b)
        history["loss"].append(np.mean((a * x + b - y) ** 2))
    return {key: np.array(values) for key, values in history.items()}


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

    Each step (of :func:`~lossbook.book.fit`, full batch) evaluates
    ``loss_fn(a * x + b, y)`` on float64 tensors, back-propagates and applies
    one ``torch.optim.SGD`` step with learning rate
    :math:`\eta` = ``lr`` (and ``momentum``). With ``momentum = 0`` that is
    plain gradient descent,

    .. math::
        a \leftarrow a - \eta \frac{\partial L}{\partial a}, \qquad
        b \leftarrow b - \eta \frac{\partial L}{\partial b},

    so with ``torch.nn.MSELoss()`` it takes exactly the steps of
    :func:`~lossbook.book.gradient_descent_line`, and with
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
    line = _Line(float(slope), float(intercept))
    optimizer = torch.optim.SGD(line.parameters(), lr=lr, momentum=momentum)

    def loss_of(prediction, target) -> torch.Tensor:
        loss = loss_fn(prediction, target)
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
        "slope": [line.a.item()],
        "intercept": [line.b.item()],
        "loss": [],
    }

    def record(step, history_so_far):  # the path: (a, b) after every step
        history["slope"].append(line.a.item())
        history["intercept"].append(line.b.item())

    if steps:
        run = fit(
            line,
            loss_of,
            optimizer,
            inputs,
            targets,
            steps=steps,
            callback=record,
        )
        history["loss"] = list(run["loss"])  # each before its update
    with torch.no_grad():
        history["loss"].append(loss_of(line(inputs), targets).item())
    return {
        key: np.array(values, dtype=np.float64)
        for key, values in history.items()
    }


def line_design(x) -> np.ndarray:
    r"""The design matrix of a line :math:`a x + b`: rows :math:`(x_i, 1)`.

    Args:
        x: the inputs, shape ``(n,)``.

    Returns:
        A float64 array of shape ``(n, 2)``.

    Example:
        >>> line_design([1.0, 2.0])
        array([[1., 1.],
               [2., 1.]])
    """
    x = _v.as_float_array("line_design", "x", x).astype(np.float64)
    if x.ndim != 1:
        raise ValueError(f"line_design: x must be 1-D; got shape {x.shape}.")
    return np.column_stack([x, np.ones_like(x)])


def mse_hessian(design, *, reduction: str = "mean") -> np.ndarray:
    r"""The Hessian of the squared error of a linear model :math:`A w`.

    .. math:: H = \tfrac{2}{n} A^\top A \ \text{(mean)}, \qquad
        H = 2 A^\top A \ \text{(sum)}

    The loss is quadratic in :math:`w`, so :math:`H` does not depend on
    :math:`w` or on the targets: it is the whole curvature of the problem.

    Args:
        design: the design matrix :math:`A`, shape ``(n, d)`` (for a line,
            :func:`line_design`).
        reduction: ``"mean"`` (``nn.MSELoss()``) or ``"sum"``.

    Returns:
        A float64 array of shape ``(d, d)``.

    Example:
        >>> mse_hessian(line_design([0.0, 2.0]))  # mean of x^2 = 2, of x = 1
        array([[4., 2.],
               [2., 2.]])
    """
    A = _v.as_float_array("mse_hessian", "design", design).astype(np.float64)
    if A.ndim != 2:
        raise ValueError(
            f"mse_hessian: design must be 2-D (n, d); got shape {A.shape}."
        )
    _v.check_reduction("mse_hessian", reduction, allowed=("mean", "sum"))
    scale = 2 / len(A) if reduction == "mean" else 2.0
    return scale * A.T @ A


def step_limit(hessian) -> float:
    r"""The largest rate at which gradient descent converges on a quadratic.

    One step :math:`w \leftarrow w - \eta H (w - w^*)` multiplies the error's
    component along each eigenvector of :math:`H` (eigenvalue
    :math:`\lambda_i`) by :math:`1 - \eta\lambda_i`. Every component shrinks
    if and only if :math:`|1 - \eta\lambda_i| < 1` for all :math:`i`, that is
    :math:`\eta < 2 / \lambda_{\max}`.

    Args:
        hessian: a symmetric positive semi-definite matrix.

    Returns:
        :math:`2 / \lambda_{\max}(H)`.

    Example:
        >>> step_limit(np.diag([1.0, 4.0]))
        0.5
    """
    H = _v.as_float_array("step_limit", "hessian", hessian).astype(np.float64)
    return float(2 / np.linalg.eigvalsh(H).max())


class _Line(torch.nn.Module):
    """The line :math:`a x + b` as a module: two float64 scalar parameters."""

    def __init__(self, slope: float, intercept: float):
        super().__init__()
        self.a = torch.nn.Parameter(torch.tensor(slope, dtype=torch.float64))
        self.b = torch.nn.Parameter(
            torch.tensor(intercept, dtype=torch.float64)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.a * x + self.b


def line_model(slope: float = 0.0, intercept: float = 0.0) -> torch.nn.Linear:
    r"""The line :math:`a x + b` as PyTorch models it, started where asked.

    An ``nn.Linear(1, 1)`` in float64 (its weight is :math:`a`, its bias
    :math:`b`), built as usual, so it draws its default initialisation from
    torch's global generator like any layer, then set to ``slope`` and
    ``intercept``: every run that starts from the same line is the same run.

    Args:
        slope: the starting :math:`a`.
        intercept: the starting :math:`b`.

    Returns:
        The module, in float64.

    Example:
        >>> model = line_model(0.5)
        >>> model.weight.item(), model.bias.item(), model.weight.dtype
        (0.5, 0.0, torch.float64)
    """
    model = torch.nn.Linear(1, 1, dtype=torch.float64)
    with torch.no_grad():
        model.weight.fill_(slope)
        model.bias.fill_(intercept)
    return model
