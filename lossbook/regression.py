r"""Regression losses: MSE, L1, Huber and smooth L1, each followed by its gradient.

Every loss compares a prediction ``input`` with a ``target`` of exactly the same shape,
elementwise, then reduces: ``"mean"`` (the default) averages over all elements, ``"sum"`` adds
them, both returning a Python ``float``; ``"none"`` returns the array of elementwise losses.
Each ``*_grad`` twin takes the same arguments and returns :math:`\partial L / \partial x`, the
gradient of the reduced loss with respect to ``input`` (for ``"none"``, of the sum).
"""

import numpy as np

from . import _validation as _v


def mse_loss(input, target, *, reduction="mean"):
    r"""Mean squared error: the squared difference between prediction and target.

    .. math:: \ell_i = (x_i - y_i)^2

    Reductions: ``"mean"`` gives :math:`\frac{1}{n}\sum_i \ell_i` over all :math:`n` elements,
    ``"sum"`` gives :math:`\sum_i \ell_i`, ``"none"`` gives the array of :math:`\ell_i`.
    Gradient (:func:`mse_loss_grad`): :math:`\partial \ell_i / \partial x_i = 2 (x_i - y_i)`.

    Matches ``torch.nn.functional.mse_loss(input, target, reduction=reduction)``, except that
    shapes must be equal: torch broadcasts an ``(N, 1)`` input against an ``(N,)`` target into
    ``(N, N)`` pairs with only a warning; lossbook raises.

    Args:
        input (``array_like``): Predictions :math:`x`, any shape.
        target (``array_like``): Targets :math:`y`, the same shape as ``input``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``. Default: ``"mean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise an
        array of the input's shape, in the promoted floating dtype of ``input`` and ``target``.

    Raises:
        TypeError: If ``input`` or ``target`` is not numeric.
        ValueError: If the shapes differ or ``reduction`` is unknown.

    Example:
        >>> from lossbook import mse_loss
        >>> mse_loss([1.0, 2.0, 3.0], [1.0, 0.0, 0.0])  # (0 + 4 + 9) / 3
        4.333333333333333
        >>> mse_loss([1.0, 2.0, 3.0], [1.0, 0.0, 0.0], reduction="none")
        array([0., 4., 9.])

    Reference:
        Hastie, Tibshirani and Friedman, *The Elements of Statistical Learning*, 2nd ed.,
        Springer 2009, section 2.4.
    """
    x, y = _v.same_shape("mse_loss", input, target)
    _v.check_reduction("mse_loss", reduction)
    return _v.reduce((x - y) ** 2, reduction)


def mse_loss_grad(input, target, *, reduction="mean"):
    r"""Gradient of :func:`mse_loss` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial x_i} = 2 (x_i - y_i) \cdot s,
        \qquad s = 1/n \text{ for "mean", else } 1

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import mse_loss_grad
        >>> mse_loss_grad([1.0, 2.0, 3.0], [1.0, 0.0, 0.0])  # 2 (x - y) / 3
        array([0.        , 1.33333333, 2.        ])
    """
    x, y = _v.same_shape("mse_loss_grad", input, target)
    _v.check_reduction("mse_loss_grad", reduction)
    g = x - y
    g *= 2 * _v.grad_scale(
        reduction, x.size
    )  # in place: one temporary for the whole gradient
    return np.asarray(g)


def l1_loss(input, target, *, reduction="mean"):
    r"""Mean absolute error (L1 loss): the absolute difference between prediction and target.

    .. math:: \ell_i = |x_i - y_i|

    Reductions as in :func:`mse_loss`. Gradient (:func:`l1_loss_grad`):
    :math:`\operatorname{sign}(x_i - y_i)`, taken as 0 at a tie :math:`x_i = y_i`, as torch does.

    Matches ``torch.nn.functional.l1_loss(input, target, reduction=reduction)``, except that
    shapes must be equal (torch broadcasts with a warning; lossbook raises).

    Args:
        input (``array_like``): Predictions :math:`x`, any shape.
        target (``array_like``): Targets :math:`y`, the same shape as ``input``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``. Default: ``"mean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise an
        array of the input's shape.

    Raises:
        TypeError: If ``input`` or ``target`` is not numeric.
        ValueError: If the shapes differ or ``reduction`` is unknown.

    Example:
        >>> from lossbook import l1_loss
        >>> l1_loss([1.0, 2.0, 3.0], [1.0, 0.0, 0.0])  # (0 + 2 + 3) / 3
        1.6666666666666667

    Reference:
        Hastie, Tibshirani and Friedman, *The Elements of Statistical Learning*, 2nd ed.,
        Springer 2009, section 10.6.
    """
    x, y = _v.same_shape("l1_loss", input, target)
    _v.check_reduction("l1_loss", reduction)
    return _v.reduce(np.abs(x - y), reduction)


def l1_loss_grad(input, target, *, reduction="mean"):
    r"""Gradient of :func:`l1_loss` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial x_i} = \operatorname{sign}(x_i - y_i) \cdot s,
        \qquad s = 1/n \text{ for "mean", else } 1

    with :math:`\operatorname{sign}(0) = 0` (the subgradient torch uses at a tie).

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import l1_loss_grad
        >>> l1_loss_grad([1.0, 2.0, -3.0], [1.0, 0.0, 0.0], reduction="sum")
        array([ 0.,  1., -1.])
    """
    x, y = _v.same_shape("l1_loss_grad", input, target)
    _v.check_reduction("l1_loss_grad", reduction)
    g = np.sign(x - y)
    g *= _v.grad_scale(reduction, x.size)
    return np.asarray(g)


def huber_loss(input, target, *, reduction="mean", delta=1.0):
    r"""Huber loss: quadratic for small errors, linear (slope :math:`\delta`) for large ones.

    .. math::

        \ell_i = \begin{cases}
            \tfrac12 (x_i - y_i)^2 & |x_i - y_i| \le \delta \\
            \delta \left(|x_i - y_i| - \tfrac12 \delta\right) & \text{otherwise}
        \end{cases}

    Both pieces and their slopes agree at :math:`|x_i - y_i| = \delta`. Reductions as in
    :func:`mse_loss`. Gradient (:func:`huber_loss_grad`): the error clipped to
    :math:`[-\delta, \delta]`. Huber with :math:`\delta` equals :math:`\delta` times
    :func:`smooth_l1_loss` with :math:`\beta = \delta`.

    Matches ``torch.nn.functional.huber_loss(input, target, reduction=reduction, delta=delta)``,
    except that shapes must be equal (torch broadcasts with a warning; lossbook raises).

    Args:
        input (``array_like``): Predictions :math:`x`, any shape.
        target (``array_like``): Targets :math:`y`, the same shape as ``input``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``. Default: ``"mean"``.
        delta (float): Where the loss turns from quadratic to linear; must be > 0.
            Default: ``1.0``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise an
        array of the input's shape.

    Raises:
        TypeError: If ``input`` or ``target`` is not numeric, or ``delta`` is not a number.
        ValueError: If the shapes differ, ``reduction`` is unknown or ``delta <= 0``.

    Example:
        >>> from lossbook import huber_loss
        >>> huber_loss([0.5, 3.0], [0.0, 0.0], reduction="none")  # 0.5 * 0.5**2, 1 * (3 - 0.5)
        array([0.125, 2.5  ])

    Reference:
        Huber, "Robust Estimation of a Location Parameter", Annals of Mathematical Statistics
        35(1), 1964.
    """
    x, y = _v.same_shape("huber_loss", input, target)
    _v.check_reduction("huber_loss", reduction)
    delta = _v.check_number("huber_loss", "delta", delta, low=0, low_open=True)
    err = np.abs(x - y)
    # Both pieces in one formula: with c = min(|x - y|, delta), c (|x - y| - c / 2) is
    # |x - y|^2 / 2 below delta and delta (|x - y| - delta / 2) above it.
    c = np.minimum(err, delta)
    return _v.reduce(c * (err - 0.5 * c), reduction)


def huber_loss_grad(input, target, *, reduction="mean", delta=1.0):
    r"""Gradient of :func:`huber_loss` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial x_i} =
        \operatorname{clip}(x_i - y_i, -\delta, \delta) \cdot s,
        \qquad s = 1/n \text{ for "mean", else } 1

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import huber_loss_grad
        >>> huber_loss_grad([0.5, 3.0], [0.0, 0.0], reduction="sum")
        array([0.5, 1. ])
    """
    x, y = _v.same_shape("huber_loss_grad", input, target)
    _v.check_reduction("huber_loss_grad", reduction)
    delta = _v.check_number(
        "huber_loss_grad", "delta", delta, low=0, low_open=True
    )
    g = np.clip(x - y, -delta, delta)
    g *= _v.grad_scale(reduction, x.size)
    return np.asarray(g)


def smooth_l1_loss(input, target, *, reduction="mean", beta=1.0):
    r"""Smooth L1 loss: quadratic below :math:`\beta`, then L1 shifted down by :math:`\beta/2`.

    .. math::

        \ell_i = \begin{cases}
            \tfrac12 (x_i - y_i)^2 / \beta & |x_i - y_i| < \beta \\
            |x_i - y_i| - \tfrac12 \beta & \text{otherwise}
        \end{cases}

    With :math:`\beta = 0` it is exactly :func:`l1_loss`. The slope of the linear part is 1
    whatever :math:`\beta` is (unlike :func:`huber_loss`, whose slope is :math:`\delta`).
    Reductions as in :func:`mse_loss`. Gradient (:func:`smooth_l1_loss_grad`):
    :math:`\operatorname{clip}((x_i - y_i)/\beta, -1, 1)`, or the sign for :math:`\beta = 0`.

    Matches ``torch.nn.functional.smooth_l1_loss(input, target, reduction=reduction,
    beta=beta)``, except that shapes must be equal (torch broadcasts with a warning;
    lossbook raises).

    Args:
        input (``array_like``): Predictions :math:`x`, any shape.
        target (``array_like``): Targets :math:`y`, the same shape as ``input``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``. Default: ``"mean"``.
        beta (float): Where the loss turns from quadratic to linear; must be >= 0.
            Default: ``1.0``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise an
        array of the input's shape.

    Raises:
        TypeError: If ``input`` or ``target`` is not numeric, or ``beta`` is not a number.
        ValueError: If the shapes differ, ``reduction`` is unknown or ``beta < 0``.

    Example:
        >>> from lossbook import smooth_l1_loss
        >>> smooth_l1_loss([0.5, 3.0], [0.0, 0.0], reduction="none")  # 0.5 * 0.5**2, 3 - 0.5
        array([0.125, 2.5  ])

    Reference:
        Girshick, "Fast R-CNN", ICCV 2015, equation 3.
    """
    x, y = _v.same_shape("smooth_l1_loss", input, target)
    _v.check_reduction("smooth_l1_loss", reduction)
    beta = _v.check_number("smooth_l1_loss", "beta", beta, low=0)
    err = np.abs(x - y)
    if beta == 0:
        return _v.reduce(err, reduction)
    # As in huber_loss: with c = min(|x - y|, beta), c (|x - y| - c / 2) / beta is
    # |x - y|^2 / (2 beta) below beta and |x - y| - beta / 2 above it.
    c = np.minimum(err, beta)
    return _v.reduce(c * (err - 0.5 * c) / beta, reduction)


def smooth_l1_loss_grad(input, target, *, reduction="mean", beta=1.0):
    r"""Gradient of :func:`smooth_l1_loss` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial x_i} =
        \operatorname{clip}\!\left(\frac{x_i - y_i}{\beta}, -1, 1\right) \cdot s,
        \qquad s = 1/n \text{ for "mean", else } 1

    and :math:`\operatorname{sign}(x_i - y_i) \cdot s` for :math:`\beta = 0`.

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import smooth_l1_loss_grad
        >>> smooth_l1_loss_grad([0.5, 3.0], [0.0, 0.0], reduction="sum")
        array([0.5, 1. ])
    """
    x, y = _v.same_shape("smooth_l1_loss_grad", input, target)
    _v.check_reduction("smooth_l1_loss_grad", reduction)
    beta = _v.check_number("smooth_l1_loss_grad", "beta", beta, low=0)
    g = np.sign(x - y) if beta == 0 else np.clip((x - y) / beta, -1, 1)
    g *= _v.grad_scale(reduction, x.size)
    return np.asarray(g)
