r"""Focal loss: a cross-entropy that stops counting what it already gets right.

On a problem where one class is rare, most examples are easy negatives; each
adds a small loss, and together they outweigh the few hard examples. The focal
loss of Lin et al. (2017) multiplies the binary cross-entropy of each element
by :math:`(1 - p_t)^\gamma`, where :math:`p_t` is the probability the model
gives the true label: an easy example (:math:`p_t \to 1`) adds almost
nothing, a hard one keeps its full weight.
"""

import numpy as np

from . import _validation as _v
from .special import log_sigmoid, sigmoid


def _focal_terms(fname, input, target, alpha, gamma, reduction):
    """Checked inputs and the shared pieces: z, y, p, 1 - p_t, a_t, gamma."""
    z, y = _v.same_shape(fname, input, target)
    _v.check_reduction(fname, reduction)
    gamma = _v.check_number(fname, "gamma", gamma, low=0)
    alpha = _v.check_number(fname, "alpha", alpha)
    if not (alpha == -1 or 0 <= alpha <= 1):
        raise ValueError(
            f"{fname}: alpha must be in [0, 1], or -1 for no class weighting; "
            f"got {alpha}."
        )
    p = sigmoid(z)
    p_t = p * y + (1 - p) * (1 - y)  # the probability of the true label
    miss = 1 - p_t  # written as torchvision writes it, roundoff included
    a_t = 1.0 if alpha == -1 else alpha * y + (1 - alpha) * (1 - y)
    return z, y, p, miss, a_t, gamma


def sigmoid_focal_loss(
    input, target, *, alpha=0.25, gamma=2.0, reduction="none"
):
    r"""The focal loss on logits, for binary (or multi-label) targets.

    With :math:`p_i = \sigma(z_i)` and
    :math:`p_{t,i} = p_i y_i + (1 - p_i)(1 - y_i)`,

    .. math::

        \ell_i = \alpha_{t,i}\, (1 - p_{t,i})^{\gamma}\,
            \operatorname{BCE}(z_i, y_i), \qquad
        \alpha_{t,i} = \alpha y_i + (1 - \alpha)(1 - y_i),

    where :math:`\operatorname{BCE}(z, y) = (1 - y) z - \log\sigma(z)` is
    :func:`~lossbook.binary_cross_entropy_with_logits` per element. With
    :math:`\gamma = 0` and ``alpha=-1`` (no class weighting) it is exactly
    that cross-entropy. Reductions as in :func:`~lossbook.mse_loss`, but the
    default is ``"none"``, as in torchvision.

    Matches ``torchvision.ops.sigmoid_focal_loss`` (same arguments, same
    defaults); torchvision itself is not a dependency here: the tests check
    this formula written in torch, with autograd, and finite differences.
    Like torchvision, it computes :math:`1 - p_t` by subtraction and the
    cross-entropy as torch does, so for :math:`|z| \gtrsim 25` the tiny
    losses of confident examples keep only a few correct digits, in both.

    Args:
        input (``array_like``): Logits :math:`z`, any shape.
        target (``array_like``): Targets :math:`y \in [0, 1]` (usually 0 or
            1), the input's shape.
        alpha (float): The weight of the positive class, in :math:`[0, 1]`;
            ``-1`` for none. Default: ``0.25``.
        gamma (float): The focusing exponent :math:`\gamma \ge 0`.
            Default: ``2.0``.
        reduction (str): ``"none"``, ``"mean"`` or ``"sum"``.
            Default: ``"none"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        an array of the input's shape.

    Raises:
        TypeError: If an array or an option is not numeric.
        ValueError: If the shapes differ, ``reduction`` is unknown,
            ``gamma < 0`` or ``alpha`` is neither in [0, 1] nor -1.

    Example:
        >>> from lossbook import sigmoid_focal_loss
        >>> # an easy positive (z = 4) counts far less than a hard one (z = -4)
        >>> sigmoid_focal_loss([4.0, -4.0], [1.0, 1.0], alpha=-1).round(4)
        array([0.    , 3.8749])

    Reference:
        Lin, Goyal, Girshick, He and Dollár, "Focal Loss for Dense Object
        Detection", ICCV 2017.
    """
    z, y, _, miss, a_t, gamma = _focal_terms(
        "sigmoid_focal_loss", input, target, alpha, gamma, reduction
    )
    bce = (1 - y) * z - log_sigmoid(z)
    return _v.reduce(a_t * bce * miss**gamma, reduction)


def sigmoid_focal_loss_grad(
    input, target, *, alpha=0.25, gamma=2.0, reduction="none"
):
    r"""Gradient of :func:`sigmoid_focal_loss` with respect to the logits.

    With :math:`m = 1 - p_t` and :math:`\frac{dm}{dz} = p(1 - p)(1 - 2y)`,

    .. math:: \frac{\partial L}{\partial z_i} = \alpha_{t,i} \Big[
        m_i^{\gamma} (p_i - y_i)
        + \gamma\, m_i^{\gamma - 1} \tfrac{dm_i}{dz_i}\,
        \operatorname{BCE}(z_i, y_i) \Big] \cdot s,
        \qquad s = 1/n \text{ for "mean", else } 1

    (the second term is 0 when :math:`\gamma = 0`). The first term is the
    cross-entropy's gradient, scaled down for easy examples; the second
    pulls down the weight of an example as it becomes easier.

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import sigmoid_focal_loss_grad
        >>> # gamma = 0, no alpha: the cross-entropy's sigma(z) - y
        >>> sigmoid_focal_loss_grad([0.0], [1.0], alpha=-1, gamma=0.0)
        array([-0.5])
    """
    z, y, p, miss, a_t, gamma = _focal_terms(
        "sigmoid_focal_loss_grad", input, target, alpha, gamma, reduction
    )
    g = miss**gamma * (p - y)
    if gamma != 0:
        bce = (1 - y) * z - log_sigmoid(z)
        dmiss = p * (1 - p) * (1 - 2 * y)  # d(1 - p_t)/dz
        g = g + gamma * miss ** (gamma - 1) * dmiss * bce
    g = a_t * g
    return np.asarray(g * _v.grad_scale(reduction, g.size))
