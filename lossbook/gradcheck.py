r"""Finite-difference gradients, to check the analytic ``*_grad`` functions.

A central difference :math:`\big(f(x + h e_j) - f(x - h e_j)\big) / 2h` has
error :math:`O(h^2)` from truncation and :math:`O(\epsilon_{\text{mach}} / h)`
from rounding; in float64 a step :math:`h = 10^{-6}` balances the two and
typically gives 8 to 10 correct digits, which is far more than is needed to
catch a wrong formula.
"""

import numpy as np

from . import _validation as _v


def numerical_grad(f, x, eps=1e-6):
    r"""Gradient of a scalar function by central finite differences (float64).

    .. math:: \frac{\partial f}{\partial x_j} \approx
        \frac{f(x + h e_j) - f(x - h e_j)}{2h}

    Args:
        f (``callable``): Maps an array of the shape of ``x`` to a number.
        x (``array_like``): The point, any shape; converted to float64.
        eps (float): The step :math:`h`. Default: ``1e-6``.

    Returns:
        ``numpy.ndarray``: The estimated gradient, float64, of the shape of
        ``x``.

    Raises:
        TypeError: If ``x`` is not numeric.
        ValueError: If ``eps <= 0``.

    Example:
        >>> import numpy as np
        >>> from lossbook import numerical_grad
        >>> g = numerical_grad(lambda v: np.sum(v**3), [1.0, 2.0])  # 3 v^2
        >>> np.round(g, 6)
        array([ 3., 12.])
    """
    eps = _v.check_number("numerical_grad", "eps", eps, low=0, low_open=True)
    _v.check_callable("numerical_grad", "f", f)
    x = _v.as_float_array("numerical_grad", "x", x).astype(np.float64)
    grad = np.zeros_like(x)
    for j in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[j] = eps
        grad[j] = (float(f(x + step)) - float(f(x - step))) / (2 * eps)
    return grad


def check_grad(loss, grad, input, target, *, eps=1e-6, **kwargs):
    r"""Compare an analytic gradient with finite differences: relative error.

    Evaluates ``grad(input, target, **kwargs)`` and the central-difference
    gradient of ``loss(input, target, **kwargs)`` (summed, so
    ``reduction="none"`` works too), both in float64, and returns

    .. math:: \frac{\max_j |g_j - \hat g_j|}
        {\max\big(\max_j |g_j|,\ \max_j |\hat g_j|\big)},

    the largest difference relative to the largest gradient entry (0 when both
    are 0). A correct gradient gives about :math:`10^{-8}` or less; a wrong one
    gives something of order 1. Assert on it in a book cell:
    ``assert check_grad(...) < 1e-6``.

    Args:
        loss (``callable``): A loss such as :func:`~lossbook.mse_loss`.
        grad (``callable``): Its claimed gradient, such as
            :func:`~lossbook.mse_loss_grad`.
        input (``array_like``): Where to check; converted to float64.
        target (``array_like``): The target, passed through unchanged.
        eps (float): The finite-difference step. Default: ``1e-6``.
        **kwargs: Options passed to both ``loss`` and ``grad`` (e.g.
            ``reduction="sum"``).

    Returns:
        float: The relative error defined above.

    Raises:
        ValueError: If ``grad`` returns an array of a shape other than the
            input's.

    Example:
        >>> from lossbook import check_grad, mse_loss, mse_loss_grad, l1_loss
        >>> check_grad(mse_loss, mse_loss_grad, [0.5, -1.0], [0.0, 0.0]) < 1e-8
        True
        >>> # the wrong gradient: MSE's for the L1 loss
        >>> check_grad(l1_loss, mse_loss_grad, [0.5, -1.0], [0.0, 0.0])
        0.5
    """
    eps = _v.check_number("check_grad", "eps", eps, low=0, low_open=True)
    _v.check_callable("check_grad", "loss", loss)
    _v.check_callable("check_grad", "grad", grad)
    x = _v.as_float_array("check_grad", "input", input).astype(np.float64)
    analytic = np.asarray(grad(x, target, **kwargs), dtype=np.float64)
    _v.check_same_shape("check_grad", analytic, x, "the gradient", "input")
    numeric = numerical_grad(
        lambda v: np.sum(loss(v, target, **kwargs)), x, eps
    )
    scale = max(
        np.max(np.abs(analytic), initial=0), np.max(np.abs(numeric), initial=0)
    )
    return (
        float(np.max(np.abs(analytic - numeric), initial=0) / scale)
        if scale
        else 0.0
    )
