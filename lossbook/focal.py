r"""Losses for class imbalance: focal loss (binary and multi-class) and GHM.

On a problem where one class is rare, most examples are easy negatives; each
adds a small loss, and together they outweigh the few hard examples. The focal
loss of Lin et al. (2017) multiplies the binary cross-entropy of each element
by :math:`(1 - p_t)^\gamma`, where :math:`p_t` is the probability the model
gives the true label: an easy example (:math:`p_t \to 1`) adds almost
nothing, a hard one keeps its full weight. The gradient harmonizing
mechanism (GHM-C) of Li, Liu and Wang (2019) reaches a similar end another
way: it weights each element by the inverse density of its gradient norm
:math:`g = |\sigma(z) - y|`, so that the many examples sharing a gradient norm
(the easy ones near :math:`g = 0`, and outliers near 1) share one vote.
"""

import numpy as np

from . import _validation as _v
from .special import log_sigmoid, log_softmax, sigmoid


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


def _softmax_focal_terms(fname, input, target, alpha, gamma, reduction):
    """Checked inputs and the pieces of the multi-class focal loss."""
    z = _v.as_float_array(fname, "input", input)
    _v.check_logits(fname, z)
    n, c = z.shape
    y, _ = _v.class_indices(fname, target, n, c, ignore_index=-100)
    if (y < 0).any():
        raise ValueError(
            f"{fname}: target holds class index {y[y < 0][0]}; every index "
            f"must be in [0, {c - 1}] (focal_loss has no ignore_index)."
        )
    _v.check_reduction(fname, reduction)
    gamma = _v.check_number(fname, "gamma", gamma, low=0)
    a = _v.check_weight(fname, "alpha", alpha, (c,), z.dtype, exact=True)
    a_y = 1.0 if a is None else a[y]
    log_q = log_softmax(z)
    log_q_y = log_q[np.arange(n), y]
    miss = -np.expm1(log_q_y)  # 1 - q_y, accurate when q_y is close to 1
    return z, y, log_q, log_q_y, miss, a_y, gamma


def focal_loss(input, target, *, alpha=None, gamma=2.0, reduction="mean"):
    r"""The focal loss on logits for :math:`C` classes (softmax form).

    With :math:`q_i = \operatorname{softmax}(z_i)` and the true class
    :math:`y_i`,

    .. math::

        \ell_i = -\alpha_{y_i}\, (1 - q_{i y_i})^{\gamma} \log q_{i y_i},

    the cross-entropy of sample :math:`i` scaled down by
    :math:`(1 - q_{iy_i})^\gamma` once the model gives its class a high
    probability. With :math:`\gamma = 0` and no ``alpha`` it is
    :func:`~lossbook.cross_entropy`. ``"mean"`` divides the sum by
    :math:`N` (``alpha`` scales terms, unlike the class weights of
    :func:`~lossbook.cross_entropy`, which also divide). :math:`1 - q`
    is computed as ``-expm1(log q)``, exact to the last digits even when
    :math:`q` is within roundoff of 1.

    PyTorch has no multi-class focal loss; the tests check this formula
    written in torch with autograd, the closed forms above and finite
    differences.

    Args:
        input (``array_like``): Logits :math:`z`, shape ``(N, C)``.
        target (``array_like``): Class indices in ``[0, C)``, shape ``(N,)``.
        alpha (``array_like`` or None): Per-class factors
            :math:`\alpha_k`, shape ``(C,)``. Default: ``None`` (all 1).
        gamma (float): The focusing exponent :math:`\gamma \ge 0`.
            Default: ``2.0``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        one loss per sample, shape ``(N,)``.

    Raises:
        TypeError: If an array or an option is not numeric.
        ValueError: If a shape is wrong, an index is out of range,
            ``reduction`` is unknown or ``gamma < 0``.

    Example:
        >>> import numpy as np
        >>> from lossbook import focal_loss
        >>> z = np.array([[3.0, 0.0, 0.0], [0.0, 0.0, 3.0]])
        >>> y = np.array([0, 0])  # row 0 is right (easy), row 1 wrong (hard)
        >>> ce = focal_loss(z, y, gamma=0.0, reduction="none")
        >>> (focal_loss(z, y, reduction="none") / ce).round(3)
        array([0.008, 0.911])

    Reference:
        Lin, Goyal, Girshick, He and Dollár, "Focal Loss for Dense Object
        Detection", ICCV 2017 (the binary form; this is its softmax
        extension, as in their remark on multi-class detection).
    """
    *_, log_q_y, miss, a_y, gamma = _softmax_focal_terms(
        "focal_loss", input, target, alpha, gamma, reduction
    )
    return _v.reduce(-a_y * miss**gamma * log_q_y, reduction)


def focal_loss_grad(input, target, *, alpha=None, gamma=2.0, reduction="mean"):
    r"""Gradient of :func:`focal_loss` with respect to the logits.

    With :math:`m_i = 1 - q_{iy_i}` and :math:`\delta_{ky}` the one-hot
    target,

    .. math:: \frac{\partial \ell_i}{\partial z_{ik}} = \alpha_{y_i}
        \big(q_{ik} - \delta_{k y_i}\big)
        \big[m_i^{\gamma} - \gamma\, m_i^{\gamma - 1}\,
        q_{iy_i} \log q_{iy_i}\big],

    times :math:`1/N` for ``"mean"``. The bracket is the factor by which the
    cross-entropy's gradient :math:`q - \delta` is rescaled: it tends to 0
    for an easy sample (:math:`m \to 0`) and to 1 for a hard one.

    Returns:
        ``numpy.ndarray``: The gradient, shape ``(N, C)``.

    Example:
        >>> import numpy as np
        >>> from lossbook import focal_loss_grad
        >>> # gamma = 0: the cross-entropy's q - one_hot(y)
        >>> focal_loss_grad(np.zeros((1, 2)), np.array([0]), gamma=0.0)
        array([[-0.5,  0.5]])
    """
    z, y, log_q, log_q_y, miss, a_y, gamma = _softmax_focal_terms(
        "focal_loss_grad", input, target, alpha, gamma, reduction
    )
    n = z.shape[0]
    scale = miss**gamma
    if gamma != 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            extra = gamma * miss ** (gamma - 1) * np.exp(log_q_y) * log_q_y
        scale = scale - np.where(miss > 0, extra, 0.0)  # its limit at m = 0
    g = np.exp(log_q)
    g[np.arange(n), y] -= 1.0
    g *= (a_y * scale)[:, None]
    return np.asarray(g * _v.grad_scale(reduction, n))


def ghm_weights(grad_norm, *, bins=10):
    r"""GHM's weights: the inverse density of each gradient norm.

    The norms :math:`g_i \in [0, 1]` are counted in ``bins`` equal bins
    (the last one closed on the right). An element in a bin holding
    :math:`c` of the :math:`N` elements gets

    .. math:: \beta_i = \frac{N}{c \cdot M},

    where :math:`M` is the number of non-empty bins, so that every occupied
    bin carries the same total weight :math:`N / M`, whatever its count
    (the implementation of the paper's authors, without its moving average).

    Args:
        grad_norm (``array_like``): Gradient norms :math:`g` in
            :math:`[0, 1]`, any shape.
        bins (int): The number of bins :math:`\ge 1`. Default: ``10``.

    Returns:
        ``numpy.ndarray``: The weights, the shape of ``grad_norm``.

    Raises:
        TypeError: If ``grad_norm`` is not numeric.
        ValueError: If a norm is outside [0, 1] or ``bins < 1`` (a NaN norm
            gets weight NaN and is not counted).

    Example:
        >>> from lossbook import ghm_weights
        >>> # three easy elements share a bin; the hard one has its own
        >>> ghm_weights([0.01, 0.02, 0.03, 0.9]).round(3)
        array([0.667, 0.667, 0.667, 2.   ])
    """
    g = _v.as_float_array("ghm_weights", "grad_norm", grad_norm)
    outside = (g < 0) | (g > 1)  # NaN passes and gets weight NaN
    if outside.any():
        raise ValueError(
            "ghm_weights: grad_norm must hold gradient norms |sigmoid(z) - y| "
            f"in [0, 1]; got {g[outside][0]}."
        )
    bins = _v.check_count("ghm_weights", "bins", bins)
    return _ghm_weights(g, bins)


def _ghm_weights(g, bins):
    """:func:`ghm_weights` of checked norms; a NaN norm gets weight NaN."""
    known = ~np.isnan(g)
    index = np.minimum(
        (np.where(known, g, 0) * bins).astype(np.int64), bins - 1
    )
    counts = np.bincount(index[known], minlength=bins)
    occupied = np.count_nonzero(counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.count_nonzero(known) / (counts[index] * occupied)
    return np.where(known, w, np.nan)


def _ghmc_terms(fname, input, target, bins, reduction):
    z, y = _v.same_shape(fname, input, target)
    _v.check_reduction(fname, reduction)
    _v.check_probability_range(fname, "target", y)
    bins = _v.check_count(fname, "bins", bins)
    p = sigmoid(z)
    return z, y, p, _ghm_weights(np.abs(p - y), bins)


def ghmc_loss(input, target, *, bins=10, reduction="mean"):
    r"""GHM-C: the binary cross-entropy on logits, weighted by GHM.

    .. math:: L = \frac1N \sum_i \beta_i\, \operatorname{BCE}(z_i, y_i),
        \qquad \beta = \operatorname{ghm}(\lvert\sigma(z) - y\rvert),

    for ``"mean"`` (``"sum"`` drops the :math:`1/N`, ``"none"`` returns
    the weighted terms). The weights depend on the batch and are held
    constant in the gradient, as the paper's implementation detaches them.

    PyTorch has no GHM loss; the tests check this formula written in torch
    (weights detached), with autograd and finite differences.

    Args:
        input (``array_like``): Logits :math:`z`, any shape.
        target (``array_like``): Targets :math:`y \in [0, 1]`, the input's
            shape.
        bins (int): The number of gradient-norm bins. Default: ``10``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        an array of the input's shape.

    Example:
        >>> from lossbook import ghmc_loss
        >>> # 3 easy negatives and one hard positive: the hard one counts
        >>> round(ghmc_loss([-4.0, -4.0, -4.0, -1.0], [0.0, 0.0, 0.0, 1.0]), 4)
        0.6657

    Reference:
        Li, Liu and Wang, "Gradient Harmonized Single-stage Detector",
        AAAI 2019.
    """
    z, y, _, w = _ghmc_terms("ghmc_loss", input, target, bins, reduction)
    bce = (1 - y) * z - log_sigmoid(z)
    return _v.reduce(w * bce, reduction)


def ghmc_loss_grad(input, target, *, bins=10, reduction="mean"):
    r"""Gradient of :func:`ghmc_loss` with respect to the logits.

    .. math:: \frac{\partial L}{\partial z_i} = \beta_i\,
        (\sigma(z_i) - y_i) \cdot s, \qquad s = 1/N \text{ for "mean"}.

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import ghmc_loss_grad
        >>> ghmc_loss_grad([0.0, 0.0], [1.0, 1.0], reduction="sum")
        array([-0.5, -0.5])
    """
    _, y, p, w = _ghmc_terms("ghmc_loss_grad", input, target, bins, reduction)
    g = w * (p - y)
    return np.asarray(g * _v.grad_scale(reduction, g.size))
