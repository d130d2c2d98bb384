r"""Regression losses: MSE, L1, Huber and smooth L1, each with its gradient.

Every loss compares a prediction :math:`\hat y` (``input``) with a target
:math:`y` (``target``) of exactly the same shape, elementwise, through the
residual :math:`r = \hat y - y`, then reduces: ``"mean"`` (the default)
averages over all elements, ``"sum"`` adds them, both returning a Python
``float``; ``"none"`` returns the array of elementwise losses. Each ``*_grad``
twin takes the same arguments and returns :math:`\partial L / \partial \hat y`,
the gradient of the reduced loss with respect to ``input`` (for ``"none"``,
of the sum).
"""

import numpy as np

from . import _validation as _v


def mse_loss(input, target, *, reduction="mean", weight=None):
    r"""Mean squared error: the squared difference of prediction and target.

    .. math:: \ell_i = (\hat y_i - y_i)^2 = r_i^2

    Reductions: ``"mean"`` gives :math:`\frac{1}{n}\sum_i \ell_i` over all
    :math:`n` elements, ``"sum"`` gives :math:`\sum_i \ell_i`, ``"none"``
    gives the array of :math:`\ell_i`. Gradient (:func:`mse_loss_grad`):
    :math:`\partial \ell_i / \partial \hat y_i = 2 (\hat y_i - y_i)`.

    Matches ``torch.nn.functional.mse_loss`` with the same arguments, except
    that shapes must be equal: torch broadcasts an ``(N, 1)`` input against an
    ``(N,)`` target into ``(N, N)`` pairs with only a warning; lossbook
    raises.

    Args:
        input (``array_like``): Predictions :math:`\hat y`, any shape.
        target (``array_like``): Targets :math:`y`, the same shape as
            ``input``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.
        weight (``array_like``, optional): A weight :math:`w_i` per element,
            of the input's shape: the loss becomes :math:`w_i \ell_i`, and
            ``"mean"`` becomes the weighted average
            :math:`\sum_i w_i \ell_i / \sum_i w_i` (NaN when the weights sum
            to 0), as in torch. Default: ``None``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        an array of the input's shape, in the promoted floating dtype of
        ``input`` and ``target``.

    Raises:
        TypeError: If ``input`` or ``target`` is not numeric.
        ValueError: If the shapes differ, ``reduction`` is unknown, or
            ``weight`` does not have the input's shape.

    Example:
        >>> from lossbook import mse_loss
        >>> mse_loss([1.0, 2.0, 3.0], [1.0, 0.0, 0.0])  # (0 + 4 + 9) / 3
        4.333333333333333
        >>> mse_loss([1.0, 2.0, 3.0], [1.0, 0.0, 0.0], reduction="none")
        array([0., 4., 9.])

    Reference:
        Hastie, Tibshirani and Friedman, *The Elements of Statistical
        Learning*, 2nd ed., Springer 2009, section 2.4.
    """
    y_hat, y = _v.same_shape("mse_loss", input, target)
    _v.check_reduction("mse_loss", reduction)
    w = _v.element_weight("mse_loss", weight, y_hat)
    loss = _v.weighted((y_hat - y) ** 2, w)
    return _v.reduce(loss, reduction, _v.weighted_count(w))


def mse_loss_grad(input, target, *, reduction="mean", weight=None):
    r"""Gradient of :func:`mse_loss` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial \hat y_i}
        = 2 w_i (\hat y_i - y_i) \cdot s,
        \qquad s = 1/\textstyle\sum_j w_j \text{ for "mean", else } 1

    with :math:`w_i = 1` (and so :math:`s = 1/n` for the mean) when no
    ``weight`` is given.

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import mse_loss_grad
        >>> mse_loss_grad([1.0, 2.0, 3.0], [1.0, 0.0, 0.0])  # 2 r / 3
        array([0.        , 1.33333333, 2.        ])
    """
    y_hat, y = _v.same_shape("mse_loss_grad", input, target)
    _v.check_reduction("mse_loss_grad", reduction)
    w = _v.element_weight("mse_loss_grad", weight, y_hat)
    g = y_hat - y
    g *= 2  # in place: one temporary for the whole gradient
    return _v.scale_grad(_v.weighted(g, w), reduction, _v.weighted_count(w))


def l1_loss(input, target, *, reduction="mean", weight=None):
    r"""Mean absolute error (L1 loss): the absolute difference.

    .. math:: \ell_i = |\hat y_i - y_i| = |r_i|

    Reductions as in :func:`mse_loss`. Gradient (:func:`l1_loss_grad`):
    :math:`\operatorname{sign}(\hat y_i - y_i)`, taken as 0 at a tie
    :math:`\hat y_i = y_i`, as torch does.

    Matches ``torch.nn.functional.l1_loss`` with the same arguments, except
    that shapes must be equal (torch broadcasts with a warning; lossbook
    raises).

    Args:
        input (``array_like``): Predictions :math:`\hat y`, any shape.
        target (``array_like``): Targets :math:`y`, the same shape as
            ``input``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.
        weight (``array_like``, optional): A weight :math:`w_i` per element,
            of the input's shape: the loss becomes :math:`w_i \ell_i`, and
            ``"mean"`` becomes the weighted average
            :math:`\sum_i w_i \ell_i / \sum_i w_i` (NaN when the weights sum
            to 0), as in torch. Default: ``None``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        an array of the input's shape.

    Raises:
        TypeError: If ``input`` or ``target`` is not numeric.
        ValueError: If the shapes differ, ``reduction`` is unknown, or
            ``weight`` does not have the input's shape.

    Example:
        >>> from lossbook import l1_loss
        >>> l1_loss([1.0, 2.0, 3.0], [1.0, 0.0, 0.0])  # (0 + 2 + 3) / 3
        1.6666666666666667

    Reference:
        Hastie, Tibshirani and Friedman, *The Elements of Statistical
        Learning*, 2nd ed., Springer 2009, section 10.6.
    """
    y_hat, y = _v.same_shape("l1_loss", input, target)
    _v.check_reduction("l1_loss", reduction)
    w = _v.element_weight("l1_loss", weight, y_hat)
    loss = _v.weighted(np.abs(y_hat - y), w)
    return _v.reduce(loss, reduction, _v.weighted_count(w))


def l1_loss_grad(input, target, *, reduction="mean", weight=None):
    r"""Gradient of :func:`l1_loss` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial \hat y_i}
        = w_i \operatorname{sign}(\hat y_i - y_i) \cdot s,
        \qquad s = 1/\textstyle\sum_j w_j \text{ for "mean", else } 1

    with :math:`w_i = 1` (and so :math:`s = 1/n` for the mean) when no
    ``weight`` is given, and :math:`\operatorname{sign}(0) = 0` (the
    subgradient torch uses at a tie).

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import l1_loss_grad
        >>> l1_loss_grad([1.0, 2.0, -3.0], [1.0, 0.0, 0.0], reduction="sum")
        array([ 0.,  1., -1.])
    """
    y_hat, y = _v.same_shape("l1_loss_grad", input, target)
    _v.check_reduction("l1_loss_grad", reduction)
    w = _v.element_weight("l1_loss_grad", weight, y_hat)
    g = np.sign(y_hat - y)
    return _v.scale_grad(_v.weighted(g, w), reduction, _v.weighted_count(w))


def huber_loss(input, target, *, reduction="mean", delta=1.0, weight=None):
    r"""Huber loss: quadratic for small residuals, linear for large ones.

    With the residual :math:`r_i = \hat y_i - y_i`,

    .. math::

        \ell_i = \begin{cases}
            \tfrac12 r_i^2 & |r_i| \le \delta \\
            \delta \left(|r_i| - \tfrac12 \delta\right) & \text{otherwise}
        \end{cases}

    Both pieces and their slopes agree at :math:`|r_i| = \delta`; the slope
    of the linear part is :math:`\delta`. Reductions as in :func:`mse_loss`.
    Gradient (:func:`huber_loss_grad`): the residual clipped to
    :math:`[-\delta, \delta]`. Huber with :math:`\delta` equals
    :math:`\delta` times :func:`smooth_l1_loss` with :math:`\beta = \delta`.

    Matches ``torch.nn.functional.huber_loss`` with the same arguments,
    except that shapes must be equal (torch broadcasts with a warning;
    lossbook raises).

    Args:
        input (``array_like``): Predictions :math:`\hat y`, any shape.
        target (``array_like``): Targets :math:`y`, the same shape as
            ``input``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.
        delta (float): Where the loss turns from quadratic to linear; must be
            positive. Default: ``1.0``.
        weight (``array_like``, optional): A weight :math:`w_i` per element,
            of the input's shape: the loss becomes :math:`w_i \ell_i`. Unlike
            ``mse_loss`` and ``l1_loss``, ``"mean"`` still divides by the
            number of elements :math:`n`, not by :math:`\sum_i w_i`: torch
            2.13 does so. Default: ``None``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        an array of the input's shape.

    Raises:
        TypeError: If ``input`` or ``target`` is not numeric, or ``delta`` is
            not a number.
        ValueError: If the shapes differ, ``reduction`` is unknown,
            ``delta <= 0`` or ``weight`` does not have the input's shape.

    Example:
        >>> from lossbook import huber_loss
        >>> # 0.5 * 0.5**2 and 1 * (3 - 0.5)
        >>> huber_loss([0.5, 3.0], [0.0, 0.0], reduction="none")
        array([0.125, 2.5  ])

    Reference:
        Huber, "Robust Estimation of a Location Parameter", Annals of
        Mathematical Statistics 35(1), 1964.
    """
    y_hat, y = _v.same_shape("huber_loss", input, target)
    _v.check_reduction("huber_loss", reduction)
    delta = _v.check_number("huber_loss", "delta", delta, low=0, low_open=True)
    abs_r = np.abs(y_hat - y)
    # Split |r| into the part up to delta, charged quadratically, and the
    # part beyond, charged linearly: r^2 / 2 below delta, delta (|r| -
    # delta / 2) above it. No branch, and no r^2 that could overflow.
    inner = np.minimum(abs_r, delta)
    outer = abs_r - inner
    w = _v.element_weight("huber_loss", weight, y_hat)
    loss = _v.weighted(0.5 * inner * inner + delta * outer, w)  # torch's order
    return _v.reduce(loss, reduction)  # the mean divides by n (as torch)


def huber_loss_grad(
    input, target, *, reduction="mean", delta=1.0, weight=None
):
    r"""Gradient of :func:`huber_loss` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial \hat y_i} =
        w_i \operatorname{clip}(\hat y_i - y_i, -\delta, \delta) \cdot s,
        \qquad s = 1/n \text{ for "mean", else } 1

    with :math:`w_i = 1` when no ``weight`` is given (the mean divides by
    :math:`n` even with weights, as torch's does).

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import huber_loss_grad
        >>> huber_loss_grad([0.5, 3.0], [0.0, 0.0], reduction="sum")
        array([0.5, 1. ])
    """
    y_hat, y = _v.same_shape("huber_loss_grad", input, target)
    _v.check_reduction("huber_loss_grad", reduction)
    delta = _v.check_number(
        "huber_loss_grad", "delta", delta, low=0, low_open=True
    )
    w = _v.element_weight("huber_loss_grad", weight, y_hat)
    g = np.clip(y_hat - y, -delta, delta)
    g *= _v.grad_scale(reduction, y_hat.size)  # the mean divides by n
    return np.asarray(_v.weighted(g, w))


def smooth_l1_loss(input, target, *, reduction="mean", beta=1.0):
    r"""Smooth L1 loss: quadratic below :math:`\beta`, then a shifted L1.

    With the residual :math:`r_i = \hat y_i - y_i`,

    .. math::

        \ell_i = \begin{cases}
            \tfrac12 r_i^2 / \beta & |r_i| < \beta \\
            |r_i| - \tfrac12 \beta & \text{otherwise}
        \end{cases}

    Above :math:`\beta` it is the L1 loss shifted down by :math:`\beta / 2`;
    with :math:`\beta = 0` it is exactly :func:`l1_loss`. The slope of the
    linear part is 1 whatever :math:`\beta` is (unlike :func:`huber_loss`,
    whose slope is :math:`\delta`). Reductions as in :func:`mse_loss`.
    Gradient (:func:`smooth_l1_loss_grad`):
    :math:`\operatorname{clip}(r_i / \beta, -1, 1)`, or the sign of
    :math:`r_i` for :math:`\beta = 0`.

    Matches ``torch.nn.functional.smooth_l1_loss`` with the same arguments,
    except that shapes must be equal (torch broadcasts with a warning;
    lossbook raises).

    Args:
        input (``array_like``): Predictions :math:`\hat y`, any shape.
        target (``array_like``): Targets :math:`y`, the same shape as
            ``input``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.
        beta (float): Where the loss turns from quadratic to linear; must be
            at least 0. Default: ``1.0``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        an array of the input's shape.

    Raises:
        TypeError: If ``input`` or ``target`` is not numeric, or ``beta`` is
            not a number.
        ValueError: If the shapes differ, ``reduction`` is unknown or
            ``beta < 0``.

    Example:
        >>> from lossbook import smooth_l1_loss
        >>> # 0.5 * 0.5**2 and 3 - 0.5
        >>> smooth_l1_loss([0.5, 3.0], [0.0, 0.0], reduction="none")
        array([0.125, 2.5  ])

    Reference:
        Girshick, "Fast R-CNN", ICCV 2015, equation 3.
    """
    y_hat, y = _v.same_shape("smooth_l1_loss", input, target)
    _v.check_reduction("smooth_l1_loss", reduction)
    beta = _v.check_number("smooth_l1_loss", "beta", beta, low=0)
    abs_r = np.abs(y_hat - y)
    if beta == 0:
        return _v.reduce(abs_r, reduction)
    # As in huber_loss, divided by beta: r^2 / (2 beta) below beta and
    # |r| - beta / 2 above it (inner / beta <= 1, so nothing overflows).
    inner = np.minimum(abs_r, beta)
    outer = abs_r - inner
    return _v.reduce(0.5 * inner * (inner / beta) + outer, reduction)


def smooth_l1_loss_grad(input, target, *, reduction="mean", beta=1.0):
    r"""Gradient of :func:`smooth_l1_loss` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial \hat y_i} =
        \operatorname{clip}\!\left(\frac{\hat y_i - y_i}{\beta}, -1, 1\right)
        \cdot s, \qquad s = 1/n \text{ for "mean", else } 1

    and :math:`\operatorname{sign}(\hat y_i - y_i) \cdot s` for
    :math:`\beta = 0`.

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import smooth_l1_loss_grad
        >>> smooth_l1_loss_grad([0.5, 3.0], [0.0, 0.0], reduction="sum")
        array([0.5, 1. ])
    """
    y_hat, y = _v.same_shape("smooth_l1_loss_grad", input, target)
    _v.check_reduction("smooth_l1_loss_grad", reduction)
    beta = _v.check_number("smooth_l1_loss_grad", "beta", beta, low=0)
    r = y_hat - y
    g = np.sign(r) if beta == 0 else np.clip(r / beta, -1, 1)
    g *= _v.grad_scale(reduction, y_hat.size)
    return np.asarray(g)


def quantile_loss(input, target, *, reduction="mean", tau=0.5):
    r"""Quantile (pinball) loss: an L1 loss that tilts towards a quantile.

    With :math:`u_i = y_i - \hat y_i` (target minus prediction) and the
    quantile level :math:`\tau \in [0, 1]`,

    .. math::

        \ell_i = \max\bigl(\tau u_i, (\tau - 1) u_i\bigr)
        = \begin{cases}
            \tau\, u_i & u_i \ge 0 \ (\text{under-prediction}) \\
            (\tau - 1)\, u_i & u_i < 0 \ (\text{over-prediction})
        \end{cases}

    Under-predicting costs :math:`\tau` per unit, over-predicting
    :math:`1 - \tau`, so the constant that minimises the summed loss is a
    :math:`\tau`-quantile of the targets; :math:`\tau = 0.5` gives half the
    L1 loss, minimised by the median. Reductions as in :func:`mse_loss`.
    Gradient (:func:`quantile_loss_grad`): :math:`1 - \tau` where
    :math:`\hat y_i > y_i`, :math:`-\tau` where :math:`\hat y_i < y_i`, and
    the midpoint :math:`\tfrac12 - \tau` of the two at a tie (what autograd
    gives for the ``torch.maximum`` form, and 0 for :math:`\tau = 0.5`, as
    for :func:`l1_loss`).

    PyTorch has no pinball loss; the oracle is the formula written in
    torch, ``torch.maximum(tau * u, (tau - 1) * u)`` with
    ``u = target - input``. Shapes must be equal (lossbook raises rather
    than broadcast).

    Args:
        input (``array_like``): Predictions :math:`\hat y`, any shape.
        target (``array_like``): Targets :math:`y`, the same shape as
            ``input``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.
        tau (float): The quantile level :math:`\tau`, in ``[0, 1]``
            (``torch.quantile`` calls it ``q``). Default: ``0.5``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        an array of the input's shape.

    Raises:
        TypeError: If ``input`` or ``target`` is not numeric, or ``tau`` is
            not a number.
        ValueError: If the shapes differ, ``reduction`` is unknown or ``tau``
            is outside ``[0, 1]``.

    Example:
        >>> from lossbook import quantile_loss
        >>> # under-predict by 2: 0.9 * 2; over-predict by 2: 0.1 * 2
        >>> quantile_loss([0.0, 4.0], [2.0, 2.0], tau=0.9, reduction="none")
        array([1.8, 0.2])

    Reference:
        Koenker and Bassett, "Regression Quantiles", Econometrica 46(1),
        1978.
    """
    y_hat, y = _v.same_shape("quantile_loss", input, target)
    _v.check_reduction("quantile_loss", reduction)
    tau = _v.check_number("quantile_loss", "tau", tau, low=0, high=1)
    u = y - y_hat
    return _v.reduce(np.maximum(tau * u, (tau - 1) * u), reduction)


def quantile_loss_grad(input, target, *, reduction="mean", tau=0.5):
    r"""Gradient of :func:`quantile_loss` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial \hat y_i} = s \cdot \begin{cases}
            1 - \tau & \hat y_i > y_i \\
            \tfrac12 - \tau & \hat y_i = y_i \\
            -\tau & \hat y_i < y_i
        \end{cases},
        \qquad s = 1/n \text{ for "mean", else } 1

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import quantile_loss_grad
        >>> quantile_loss_grad(
        ...     [0.0, 2.0, 4.0], [2.0, 2.0, 2.0], tau=0.9, reduction="sum"
        ... )
        array([-0.9, -0.4,  0.1])
    """
    y_hat, y = _v.same_shape("quantile_loss_grad", input, target)
    _v.check_reduction("quantile_loss_grad", reduction)
    tau = _v.check_number("quantile_loss_grad", "tau", tau, low=0, high=1)
    r = y_hat - y
    g = np.where(r > 0, 1 - tau, -tau)
    g = np.where(r == 0, 0.5 - tau, g)
    g = np.where(np.isnan(r), r, g).astype(r.dtype, copy=False)
    g *= _v.grad_scale(reduction, y_hat.size)
    return np.asarray(g)
