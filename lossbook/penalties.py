r"""Penalties on parameters: L2 and L1, their gradients, and soft-thresholding.

A penalty :math:`\Omega(\theta)` is added to a loss to prefer small parameters:
the L2 penalty :math:`\lVert\theta\rVert_2^2` shrinks every parameter towards
zero; the L1 penalty :math:`\lVert\theta\rVert_1` sets some of them to exactly
zero, which soft-thresholding shows in one line. Each function takes one array
(the parameters, any shape) and returns a Python ``float``; each ``*_grad``
twin returns the gradient, an array of the parameters' shape. PyTorch has no
penalty functions: its oracle is the same expression written in torch,
``theta.pow(2).sum()`` and ``theta.abs().sum()``, differentiated by autograd.
"""

import numpy as np

from . import _validation as _v


def l2_penalty(theta):
    r"""The squared L2 norm of the parameters.

    .. math:: \Omega(\theta) = \lVert\theta\rVert_2^2 = \sum_i \theta_i^2

    Adding :math:`\frac{\lambda}{2}\Omega` to a loss adds :math:`\lambda\theta`
    to its gradient: plain SGD's ``weight_decay=lambda``.

    Args:
        theta (``array_like``): The parameters, any shape.

    Returns:
        ``float``: The penalty.

    Raises:
        TypeError: If ``theta`` is not numeric.

    Example:
        >>> from lossbook import l2_penalty
        >>> l2_penalty([3.0, -4.0])
        25.0

    Reference:
        Hoerl and Kennard, "Ridge Regression: Biased Estimation for
        Nonorthogonal Problems", Technometrics 12(1), 1970.
    """
    theta = _v.as_float_array("l2_penalty", "theta", theta)
    return float(np.sum(theta * theta))


def l2_penalty_grad(theta):
    r"""Gradient of :func:`l2_penalty`: :math:`2\theta`.

    Returns:
        ``numpy.ndarray``: An array of ``theta``'s shape.

    Example:
        >>> from lossbook import l2_penalty_grad
        >>> l2_penalty_grad([3.0, -4.0])
        array([ 6., -8.])
    """
    theta = _v.as_float_array("l2_penalty_grad", "theta", theta)
    return np.asarray(2 * theta)


def l1_penalty(theta):
    r"""The L1 norm of the parameters.

    .. math:: \Omega(\theta) = \lVert\theta\rVert_1 = \sum_i |\theta_i|

    Args:
        theta (``array_like``): The parameters, any shape.

    Returns:
        ``float``: The penalty.

    Raises:
        TypeError: If ``theta`` is not numeric.

    Example:
        >>> from lossbook import l1_penalty
        >>> l1_penalty([3.0, -4.0])
        7.0

    Reference:
        Tibshirani, "Regression Shrinkage and Selection via the Lasso",
        Journal of the Royal Statistical Society B 58(1), 1996.
    """
    theta = _v.as_float_array("l1_penalty", "theta", theta)
    return float(np.sum(np.abs(theta)))


def l1_penalty_grad(theta):
    r"""Gradient of :func:`l1_penalty`: :math:`\operatorname{sign}(\theta)`.

    At :math:`\theta_i = 0`, where :math:`|\theta_i|` has no derivative, it is
    0, the subgradient torch's autograd picks for ``abs``.

    Returns:
        ``numpy.ndarray``: An array of ``theta``'s shape.

    Example:
        >>> from lossbook import l1_penalty_grad
        >>> l1_penalty_grad([3.0, 0.0, -4.0])
        array([ 1.,  0., -1.])
    """
    theta = _v.as_float_array("l1_penalty_grad", "theta", theta)
    return np.asarray(np.sign(theta))


def soft_threshold(z, threshold):
    r"""The soft-thresholding operator :math:`S(z, t)`.

    .. math:: S(z, t) = \operatorname{sign}(z)\max(|z| - t, 0)

    It is the proximal map of :math:`t\lvert\cdot\rvert`: values within
    :math:`t` of zero become exactly zero and the others move :math:`t`
    towards zero. This is why the L1 penalty produces exact zeros while the
    L2 penalty only shrinks.

    Args:
        z (``array_like``): A number or array.
        threshold (float): :math:`t \ge 0`.

    Returns:
        ``numpy.ndarray``: ``S(z, t)`` in float64, of ``z``'s shape.

    Raises:
        TypeError: If ``z`` or ``threshold`` is not numeric.
        ValueError: If ``threshold < 0``.

    Example:
        >>> from lossbook import soft_threshold
        >>> soft_threshold([-3.0, -0.5, 0.2, 2.0], 1.0)
        array([-2.,  0.,  0.,  1.])

    Reference:
        Donoho and Johnstone, "Ideal Spatial Adaptation by Wavelet
        Shrinkage", Biometrika 81(3), 1994.
    """
    threshold = _v.check_number(
        "soft_threshold", "threshold", threshold, low=0.0
    )
    z = _v.as_float_array("soft_threshold", "z", z).astype(np.float64)
    return np.asarray(np.sign(z) * np.maximum(np.abs(z) - threshold, 0.0))
