r"""Metric learning: losses on pairs, triplets and batches of embeddings.

These losses do not compare a prediction with a target. They compare
*embeddings* with one another: two vectors that should be close (a
positive pair) or apart (a negative pair), an anchor with a positive and a
negative, or a batch of queries with a batch of keys. So they take two or
three arrays of embeddings (shape ``(N, D)``: :math:`N` vectors of
:math:`D` numbers), and each ``*_grad`` twin returns a tuple with one
gradient per embedding array, in the order of the arguments.

The names, options and defaults follow :mod:`torch.nn.functional` where
PyTorch has the loss (``cosine_embedding_loss``, ``triplet_margin_loss``,
``margin_ranking_loss``); :func:`contrastive_loss`, :func:`info_nce_loss`
and :func:`nt_xent_loss` have no PyTorch built-in and are checked against
the formulas written in PyTorch.

Deliberate differences from PyTorch: arrays must have equal shapes (no
broadcasting); a label ``target`` must hold only 1 and -1 (PyTorch gives a
loss of 0 for any other value, silently); ``triplet_margin_loss`` takes
``p >= 1`` (a norm) and embeddings of shape ``(N, D)`` or ``(D,)``.
"""

import numpy as np

from . import _validation as _v
from .special import logsumexp, softmax

# What ATen's cosine_embedding_loss adds to each |x|^2: 1e-12 held in a C++
# float, so the float32 nearest 1e-12 (9.99999996e-13), also for float64
# input (checked on torch 2.13).
COSINE_EPS = float(np.float32(1e-12))
NORMALIZE_EPS = 1e-12  # F.normalize's default: x / max(|x|, eps)


# -- shared checks and pieces -------------------------------------------------


def _embeddings(fname, arrays, *, batch_only=False):
    """Convert named embedding arrays to one float dtype; check their shapes.

    ``arrays`` is a list of ``(name, value)``. Each must have the shape of
    the first, which must be ``(N, D)`` (or ``(D,)``, unless
    ``batch_only``).
    """
    out = [(n, _v.as_float_array(fname, n, a)) for n, a in arrays]
    name0, x0 = out[0]
    ranks = (2,) if batch_only else (1, 2)
    if x0.ndim not in ranks:
        single = "" if batch_only else " or (D,) for one embedding"
        raise ValueError(
            f"{fname}: {name0} must have shape (N, D) (N embeddings of D "
            f"numbers){single}; got shape {x0.shape}."
        )
    for name, x in out[1:]:
        _v.check_same_shape(fname, x0, x, name0, name)
    dtype = np.result_type(*(x for _, x in out))
    return [x.astype(dtype, copy=False) for _, x in out]


def _labels(fname, target, shape, dtype):
    """Check a target of 1 (similar / first ranks higher) and -1 labels."""
    y = _v.as_float_array(fname, "target", target)
    if y.shape != tuple(shape):
        raise ValueError(
            f"{fname}: target must have shape {tuple(shape)}, one label per "
            f"pair; got shape {y.shape}."
        )
    bad = ~((y == 1) | (y == -1))
    if bad.any():
        raise ValueError(
            f"{fname}: target must hold 1 (a similar pair) or -1 (a "
            f"dissimilar one); got {float(y[bad][0])!r}. Labels in {{0, 1}} "
            "become {-1, 1} with 2 * target - 1. (torch does not check, and "
            "gives such a pair a loss of 0.)"
        )
    return y.astype(dtype, copy=False)


def _p_norm(fname, p):
    p = _v.check_number(fname, "p", p, low=1)
    if not np.isfinite(p):
        raise ValueError(
            f"{fname}: p must be finite (p >= 1: the p-norm); got {p}."
        )
    return p


def _distance(u, v, p, eps):
    r"""``torch.pairwise_distance(u, v, p, eps)``:
    :math:`\|u - v + \epsilon\|_p` over the last axis, and its derivative
    with respect to ``u`` (the derivative with respect to ``v`` is its
    negative); 0 where the distance is 0, as in torch's norm backward."""
    d = u - v + eps
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if p == 2:
            dist = np.sqrt(np.sum(d * d, axis=-1))
            ddu = d / dist[..., None]
        elif p == 1:
            dist = np.sum(np.abs(d), axis=-1)
            ddu = np.sign(d)
        else:
            a = np.abs(d)
            dist = np.sum(a**p, axis=-1) ** (1 / p)
            ddu = np.sign(d) * a ** (p - 1) / dist[..., None] ** (p - 1)
    ddu = np.where(dist[..., None] == 0, 0.0, ddu).astype(d.dtype)
    return dist, ddu


def _normalize(x):
    """``F.normalize(x, dim=-1)``: :math:`x / \\max(\\|x\\|, 10^{-12})`, with
    the function that takes a gradient at the result back to ``x``."""
    norm = np.sqrt(np.sum(x * x, axis=-1, keepdims=True))
    n = np.maximum(norm, NORMALIZE_EPS)
    u = x / n

    def back(gu):
        radial = np.where(norm >= NORMALIZE_EPS, u, 0.0)
        return (gu - radial * np.sum(radial * gu, axis=-1, keepdims=True)) / n

    return u, back


def _scale(g, reduction, n):
    return g * _v.grad_scale(reduction, n)


# -- cosine embedding loss ----------------------------------------------------


def _cosine_terms(fname, input1, input2, target, margin, reduction):
    x1, x2 = _embeddings(fname, [("input1", input1), ("input2", input2)])
    y = _labels(fname, target, x1.shape[:-1], x1.dtype)
    margin = _v.check_number(fname, "margin", margin)
    _v.check_reduction(fname, reduction)
    with np.errstate(over="ignore", invalid="ignore"):
        m1 = np.sum(x1 * x1, axis=-1) + COSINE_EPS
        m2 = np.sum(x2 * x2, axis=-1) + COSINE_EPS
        den = np.sqrt(m1 * m2)
        cos = np.sum(x1 * x2, axis=-1) / den
    return x1, x2, y, margin, m1, m2, den, cos


def cosine_embedding_loss(
    input1, input2, target, *, margin=0.0, reduction="mean"
):
    r"""Cosine embedding loss: pull similar pairs to cosine 1, push others.

    With the cosine similarity of a pair,
    :math:`\cos_i = \dfrac{x_{1i} \cdot x_{2i}}
    {\sqrt{(\|x_{1i}\|^2 + \epsilon)(\|x_{2i}\|^2 + \epsilon)}}`,
    :math:`\epsilon = 10^{-12}` (added where PyTorch adds it),

    .. math:: \ell_i = \begin{cases} 1 - \cos_i & y_i = 1 \\
        \max(0, \cos_i - \text{margin}) & y_i = -1. \end{cases}

    ``"mean"`` averages the :math:`N` losses, ``"sum"`` adds them, ``"none"``
    returns them, shape ``(N,)``. Matches ``F.cosine_embedding_loss``.

    Args:
        input1 (``array_like``): Embeddings :math:`x_1`, shape ``(N, D)`` or
            ``(D,)``.
        input2 (``array_like``): Embeddings :math:`x_2`, the same shape.
        target (``array_like``): Labels :math:`y \in \{1, -1\}`, shape
            ``(N,)`` (or ``()`` for one pair).
        margin (float): Dissimilar pairs cost nothing below this cosine
            (PyTorch suggests 0 to 0.5). Default: ``0.0``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced,
        otherwise one loss per pair.

    Raises:
        TypeError: If an array or an option is not numeric.
        ValueError: If the shapes differ, ``target`` holds a value other
            than 1 and -1 (torch silently scores it 0), or ``reduction`` is
            unknown.

    Example:
        >>> from lossbook import cosine_embedding_loss
        >>> cosine_embedding_loss([[1.0, 0.0], [1.0, 0.0]],
        ...                       [[0.0, 2.0], [3.0, 0.0]], [1, -1],
        ...                       reduction="none")
        array([1., 1.])

    Reference:
        PyTorch, ``torch.nn.CosineEmbeddingLoss``.
    """
    _, _, y, margin, _, _, _, cos = _cosine_terms(
        "cosine_embedding_loss", input1, input2, target, margin, reduction
    )
    loss = np.where(y == 1, 1 - cos, np.maximum(cos - margin, 0))
    return _v.reduce(loss, reduction)


def cosine_embedding_loss_grad(
    input1, input2, target, *, margin=0.0, reduction="mean"
):
    r"""Gradients of :func:`cosine_embedding_loss`: ``(d/dinput1, d/dinput2)``.

    .. math:: \frac{\partial \cos_i}{\partial x_{1i}} =
        \frac{x_{2i}}{\sqrt{m_{1i} m_{2i}}} - \cos_i \frac{x_{1i}}{m_{1i}},
        \qquad m_{ki} = \|x_{ki}\|^2 + \epsilon,

    and symmetrically for :math:`x_{2i}`; :math:`\partial \ell_i /
    \partial \cos_i` is :math:`-1` for :math:`y_i = 1`, and for
    :math:`y_i = -1` it is 1 where :math:`\cos_i \ge \text{margin}` (the
    boundary included, as in torch) and 0 elsewhere. ``"mean"`` divides by
    :math:`N`.

    Returns:
        tuple of ``numpy.ndarray``: The two gradients, each of the shape of
        its input.

    Example:
        >>> from lossbook import cosine_embedding_loss_grad
        >>> g1, g2 = cosine_embedding_loss_grad([1.0, 0.0], [0.0, 1.0], 1)
        >>> g1 + 0.0, g2 + 0.0  # + 0.0 turns -0.0 into 0.0
        (array([ 0., -1.]), array([-1.,  0.]))
    """
    x1, x2, y, margin, m1, m2, den, cos = _cosine_terms(
        "cosine_embedding_loss_grad", input1, input2, target, margin, reduction
    )
    dcos = np.where(y == 1, -1.0, (cos - margin >= 0) * 1.0)
    dcos = _scale(dcos, reduction, cos.size)[..., None]
    with np.errstate(over="ignore", invalid="ignore"):
        g1 = dcos * (x2 / den[..., None] - cos[..., None] * x1 / m1[..., None])
        g2 = dcos * (x1 / den[..., None] - cos[..., None] * x2 / m2[..., None])
    return g1.astype(x1.dtype), g2.astype(x1.dtype)


# -- contrastive loss ---------------------------------------------------------


def _contrastive_terms(fname, input1, input2, target, margin, eps, reduction):
    x1, x2 = _embeddings(fname, [("input1", input1), ("input2", input2)])
    y = _labels(fname, target, x1.shape[:-1], x1.dtype)
    margin = _v.check_number(fname, "margin", margin, low=0)
    eps = _v.check_number(fname, "eps", eps, low=0)
    _v.check_reduction(fname, reduction)
    dist, ddist = _distance(x1, x2, 2, eps)
    return y, margin, dist, ddist


def contrastive_loss(
    input1, input2, target, *, margin=1.0, eps=1e-6, reduction="mean"
):
    r"""Contrastive loss (Hadsell, Chopra and LeCun 2006) on pairs.

    With the Euclidean distance of a pair, as ``F.pairwise_distance``
    computes it, :math:`d_i = \|x_{1i} - x_{2i} + \epsilon\|_2`,

    .. math:: \ell_i = \begin{cases} \tfrac12 d_i^2 & y_i = 1 \\
        \tfrac12 \max(0, \text{margin} - d_i)^2 & y_i = -1: \end{cases}

    similar pairs are pulled together, dissimilar pairs pushed apart until
    they are ``margin`` away, and no further. The paper writes the label
    the other way round (:math:`Y = 0` for a similar pair); lossbook uses
    ``nn.CosineEmbeddingLoss``'s 1 and -1. PyTorch has no built-in; the
    tests compare with the formula written with ``F.pairwise_distance``.

    Args:
        input1 (``array_like``): Embeddings, shape ``(N, D)`` or ``(D,)``.
        input2 (``array_like``): Embeddings, the same shape.
        target (``array_like``): Labels, 1 (similar) or -1 (dissimilar),
            shape ``(N,)`` (or ``()``).
        margin (float): :math:`\ge 0`. Default: ``1.0``.
        eps (float): :math:`\epsilon \ge 0` added to the difference, as in
            ``F.pairwise_distance``. Default: ``1e-6``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced,
        otherwise one loss per pair.

    Raises:
        TypeError: If an array or an option is not numeric.
        ValueError: If the shapes differ, ``target`` holds a value other
            than 1 and -1, ``margin`` or ``eps`` is negative, or
            ``reduction`` is unknown.

    Example:
        >>> from lossbook import contrastive_loss
        >>> x1 = [[0.0, 0.0], [0.0, 0.0]]
        >>> x2 = [[3.0, 4.0], [0.6, 0.8]]  # distances 5 and 1
        >>> contrastive_loss(x1, x2, [1, -1], eps=0.0, reduction="none")
        array([12.5,  0. ])

    Reference:
        Hadsell, Chopra and LeCun, "Dimensionality Reduction by Learning an
        Invariant Mapping", CVPR 2006.
    """
    y, margin, dist, _ = _contrastive_terms(
        "contrastive_loss", input1, input2, target, margin, eps, reduction
    )
    loss = np.where(y == 1, dist**2, np.maximum(margin - dist, 0) ** 2) / 2
    return _v.reduce(loss, reduction)


def contrastive_loss_grad(
    input1, input2, target, *, margin=1.0, eps=1e-6, reduction="mean"
):
    r"""Gradients of :func:`contrastive_loss`: ``(d/dinput1, d/dinput2)``.

    .. math:: \frac{\partial \ell_i}{\partial x_{1i}} = \begin{cases}
        d_i\, u_i & y_i = 1 \\ -\max(0, \text{margin} - d_i)\, u_i
        & y_i = -1 \end{cases}, \qquad u_i = \frac{x_{1i} - x_{2i} +
        \epsilon}{d_i}

    (:math:`u_i = 0` where :math:`d_i = 0`, as in torch), and the negative
    of it for :math:`x_{2i}`. ``"mean"`` divides by :math:`N`.

    Returns:
        tuple of ``numpy.ndarray``: The two gradients.

    Example:
        >>> from lossbook import contrastive_loss_grad
        >>> contrastive_loss_grad([3.0, 4.0], [0.0, 0.0], 1, eps=0.0)
        (array([3., 4.]), array([-3., -4.]))
    """
    y, margin, dist, ddist = _contrastive_terms(
        "contrastive_loss_grad", input1, input2, target, margin, eps, reduction
    )
    dl = np.where(y == 1, dist, -np.maximum(margin - dist, 0))
    g1 = _scale(dl, reduction, dist.size)[..., None] * ddist
    return g1, -g1


# -- triplet margin loss ------------------------------------------------------


def _triplet_terms(
    fname, anchor, positive, negative, margin, p, eps, swap, red
):
    a, pos, neg = _embeddings(
        fname,
        [("anchor", anchor), ("positive", positive), ("negative", negative)],
    )
    margin = _v.check_number(fname, "margin", margin, low=0, low_open=True)
    p = _p_norm(fname, p)
    eps = _v.check_number(fname, "eps", eps, low=0)
    swap = _v.check_bool(fname, "swap", swap)
    _v.check_reduction(fname, red)
    d_ap, g_ap = _distance(a, pos, p, eps)
    d_an, g_an = _distance(a, neg, p, eps)
    # the weight of d(a, n) in the negative distance; d(p, n) gets 1 - w
    w = np.ones_like(d_an)
    d_neg = d_an
    g_pn = np.zeros_like(g_an)
    if swap:
        d_pn, g_pn = _distance(pos, neg, p, eps)
        d_neg = np.minimum(d_an, d_pn)
        w = np.where(d_an < d_pn, 1.0, np.where(d_an == d_pn, 0.5, 0.0))
    hinge = margin + d_ap - d_neg
    return hinge, g_ap, g_an, g_pn, w.astype(d_an.dtype)


def triplet_margin_loss(
    anchor,
    positive,
    negative,
    *,
    margin=1.0,
    p=2.0,
    eps=1e-6,
    swap=False,
    reduction="mean",
):
    r"""Triplet margin loss: the positive closer than the negative by a margin.

    With :math:`d(u, v) = \|u - v + \epsilon\|_p`, the distance
    ``F.pairwise_distance`` computes (:math:`\epsilon` is added to every
    component of the difference, so :math:`d(u, u) = \epsilon
    D^{1/p}`, not 0),

    .. math:: \ell_i = \max\big(0,\ \text{margin} + d(a_i, p_i) -
        d(a_i, n_i)\big).

    With ``swap=True`` (Balntas et al. 2016) the negative distance is
    :math:`\min\big(d(a_i, n_i), d(p_i, n_i)\big)`: the harder of the two
    ways to reach the negative. ``"mean"`` averages the :math:`N` losses.
    Matches ``F.triplet_margin_loss``.

    Args:
        anchor (``array_like``): Embeddings :math:`a`, shape ``(N, D)`` or
            ``(D,)``.
        positive (``array_like``): :math:`p`, same shape (same class as the
            anchor).
        negative (``array_like``): :math:`n`, same shape (another class).
        margin (float): :math:`> 0`, as torch requires. Default: ``1.0``.
        p (float): The norm's order, :math:`1 \le p < \infty`.
            Default: ``2.0``.
        eps (float): :math:`\epsilon \ge 0`. Default: ``1e-6``.
        swap (bool): Use the distance swap. Default: ``False``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced,
        otherwise one loss per triplet.

    Raises:
        TypeError: If an array or an option is not numeric, or ``swap`` is
            not a bool.
        ValueError: If the shapes differ or are not ``(N, D)`` / ``(D,)``,
            ``margin <= 0``, ``p < 1`` or infinite, ``eps < 0``, or
            ``reduction`` is unknown.

    Example:
        >>> from lossbook import triplet_margin_loss
        >>> a, pos, neg = [[0.0, 0.0]], [[2.0, 0.0]], [[3.0, 0.0]]
        >>> round(triplet_margin_loss(a, pos, neg, eps=0.0), 12)
        0.0
        >>> round(triplet_margin_loss(a, pos, neg, eps=0.0, swap=True), 12)
        2.0

    Reference:
        Schroff, Kalenichenko and Philbin, "FaceNet: A Unified Embedding for
        Face Recognition and Clustering", CVPR 2015; Balntas, Riba, Ponsa and
        Mikolajczyk, "Learning local feature descriptors with triplets and
        shallow convolutional neural networks", BMVC 2016 (the swap).
    """
    hinge, *_ = _triplet_terms(
        "triplet_margin_loss",
        anchor,
        positive,
        negative,
        margin,
        p,
        eps,
        swap,
        reduction,
    )
    return _v.reduce(np.maximum(hinge, 0), reduction)


def triplet_margin_loss_grad(
    anchor,
    positive,
    negative,
    *,
    margin=1.0,
    p=2.0,
    eps=1e-6,
    swap=False,
    reduction="mean",
):
    r"""Gradients of :func:`triplet_margin_loss`: anchor, positive, negative.

    Where the hinge is active (:math:`\ell_i` argument :math:`\ge 0`, the
    boundary included as in torch), with :math:`g(u, v) = \partial d(u, v)
    / \partial u` (for :math:`p = 2`, :math:`(u - v + \epsilon) / d`):

    .. math:: \frac{\partial \ell}{\partial a} = g(a, p) - w\, g(a, n),\quad
        \frac{\partial \ell}{\partial p} = -g(a, p) - (1 - w)\, g(p, n),\quad
        \frac{\partial \ell}{\partial n} = w\, g(a, n) + (1 - w)\, g(p, n),

    with :math:`w = 1` without the swap; with it, :math:`w` is 1 where
    :math:`d(a, n) < d(p, n)`, 0 where it is larger, and 1/2 at a tie (torch's
    ``minimum`` splits the gradient). Zero where the hinge is inactive;
    ``"mean"`` divides by :math:`N`.

    Returns:
        tuple of ``numpy.ndarray``: The three gradients.

    Example:
        >>> from lossbook import triplet_margin_loss_grad
        >>> ga, gp, gn = triplet_margin_loss_grad([0.0, 0.0], [1.0, 0.0],
        ...                                       [0.0, 1.0], eps=0.0)
        >>> ga + 0.0, gp + 0.0, gn + 0.0
        (array([-1.,  1.]), array([1., 0.]), array([ 0., -1.]))
    """
    hinge, g_ap, g_an, g_pn, w = _triplet_terms(
        "triplet_margin_loss_grad",
        anchor,
        positive,
        negative,
        margin,
        p,
        eps,
        swap,
        reduction,
    )
    active = _scale((hinge >= 0) * 1.0, reduction, hinge.size)[..., None]
    w = w[..., None]
    ga = active * (g_ap - w * g_an)
    gp = active * (-g_ap - (1 - w) * g_pn)
    gn = active * (w * g_an + (1 - w) * g_pn)
    dtype = g_ap.dtype
    return ga.astype(dtype), gp.astype(dtype), gn.astype(dtype)


# -- margin ranking loss ------------------------------------------------------


def _ranking_terms(fname, input1, input2, target, margin, reduction):
    x1 = _v.as_float_array(fname, "input1", input1)
    x2 = _v.as_float_array(fname, "input2", input2)
    _v.check_same_shape(fname, x1, x2, "input1", "input2")
    dtype = np.result_type(x1, x2)
    y = _labels(fname, target, x1.shape, dtype)
    margin = _v.check_number(fname, "margin", margin)
    _v.check_reduction(fname, reduction)
    x1, x2 = x1.astype(dtype, copy=False), x2.astype(dtype, copy=False)
    return y, -y * (x1 - x2) + margin


def margin_ranking_loss(
    input1, input2, target, *, margin=0.0, reduction="mean"
):
    r"""Margin ranking loss: score the preferred item higher by a margin.

    .. math:: \ell_i = \max\big(0,\ -y_i (x_{1i} - x_{2i}) +
        \text{margin}\big),

    :math:`y_i = 1` when :math:`x_{1i}` should rank higher, :math:`-1` when
    :math:`x_{2i}` should. Elementwise over arrays of any one shape;
    ``"mean"`` averages. Matches ``F.margin_ranking_loss``.

    Args:
        input1 (``array_like``): Scores :math:`x_1`, any shape.
        input2 (``array_like``): Scores :math:`x_2`, the same shape.
        target (``array_like``): Labels, 1 or -1, the same shape.
        margin (float): Default: ``0.0``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced,
        otherwise the elementwise losses.

    Raises:
        TypeError: If an array or an option is not numeric.
        ValueError: If the shapes differ, ``target`` holds a value other
            than 1 and -1 (torch takes any number), or ``reduction`` is
            unknown.

    Example:
        >>> from lossbook import margin_ranking_loss
        >>> margin_ranking_loss([2.0, 1.0], [1.0, 2.0], [1, 1], margin=0.5,
        ...                     reduction="none")
        array([0. , 1.5])

    Reference:
        PyTorch, ``torch.nn.MarginRankingLoss``; Herbrich, Graepel and
        Obermayer, "Large Margin Rank Boundaries for Ordinal Regression",
        2000.
    """
    _, hinge = _ranking_terms(
        "margin_ranking_loss", input1, input2, target, margin, reduction
    )
    return _v.reduce(np.maximum(hinge, 0), reduction)


def margin_ranking_loss_grad(
    input1, input2, target, *, margin=0.0, reduction="mean"
):
    r"""Gradients of :func:`margin_ranking_loss`: ``(d/dinput1, d/dinput2)``.

    :math:`\partial \ell_i / \partial x_{1i} = -y_i` and
    :math:`\partial \ell_i / \partial x_{2i} = y_i` where the hinge's
    argument is :math:`\ge 0` (the boundary included, as in torch), 0
    elsewhere; ``"mean"`` divides by the number of elements.

    Returns:
        tuple of ``numpy.ndarray``: The two gradients.

    Example:
        >>> from lossbook import margin_ranking_loss_grad
        >>> margin_ranking_loss_grad([2.0, 1.0], [1.0, 2.0], [1, 1],
        ...                          reduction="sum")
        (array([-0., -1.]), array([0., 1.]))
    """
    y, hinge = _ranking_terms(
        "margin_ranking_loss_grad", input1, input2, target, margin, reduction
    )
    g2 = _scale(y * (hinge >= 0), reduction, hinge.size)
    return np.asarray(-g2), np.asarray(g2)


# -- InfoNCE and NT-Xent ------------------------------------------------------


def _temperature(fname, temperature, reduction):
    _v.check_reduction(fname, reduction)
    return _v.check_number(
        fname, "temperature", temperature, low=0, low_open=True
    )


def info_nce_loss(query, key, *, temperature=0.1, reduction="mean"):
    r"""InfoNCE (van den Oord et al. 2018) with in-batch negatives.

    Each query :math:`q_i` has one positive, the key :math:`k_i` of the same
    row; the other :math:`N - 1` keys of the batch are its negatives. With
    unit vectors :math:`\hat q_i = q_i / \max(\|q_i\|, 10^{-12})` (as
    ``F.normalize``) and the cosine similarities :math:`s_{ij} = \hat q_i
    \cdot \hat k_j / \tau` of the batch,

    .. math:: \ell_i = -\log \frac{e^{s_{ii}}}{\sum_{j=1}^{N} e^{s_{ij}}}
        = \operatorname{logsumexp}_j s_{ij} - s_{ii},

    the cross-entropy of row :math:`i` of the similarity matrix with class
    :math:`i`. The temperature :math:`\tau` sets how sharply the softmax
    picks out the negatives most similar to the query. PyTorch has no
    built-in; it is ``F.cross_entropy(F.normalize(q) @ F.normalize(k).T /
    tau, torch.arange(N))``, the tests' oracle.

    Args:
        query (``array_like``): Queries, shape ``(N, D)``.
        key (``array_like``): Keys, shape ``(N, D)``; row :math:`i` is the
            positive of query :math:`i`.
        temperature (float): :math:`\tau > 0`. Default: ``0.1``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced,
        otherwise one loss per query, shape ``(N,)``.

    Raises:
        TypeError: If an array or an option is not numeric.
        ValueError: If the shapes differ or are not ``(N, D)``,
            ``temperature <= 0``, or ``reduction`` is unknown.

    Example:
        >>> import numpy as np
        >>> from lossbook import info_nce_loss
        >>> q = np.eye(3)  # each query on its key, orthogonal to the others
        >>> loss = info_nce_loss(q, q, temperature=1.0)
        >>> bool(np.isclose(loss, np.log(1 + 2 * np.exp(-1.0)), rtol=1e-14))
        True

    Reference:
        van den Oord, Li and Vinyals, "Representation Learning with
        Contrastive Predictive Coding", arXiv:1807.03748, 2018.
    """
    fname = "info_nce_loss"
    q, k = _embeddings(
        fname, [("query", query), ("key", key)], batch_only=True
    )
    t = _temperature(fname, temperature, reduction)
    s = (_normalize(q)[0] @ _normalize(k)[0].T) / t
    loss = logsumexp(s, dim=1) - np.diagonal(s)
    return _v.reduce(loss, reduction)


def info_nce_loss_grad(query, key, *, temperature=0.1, reduction="mean"):
    r"""Gradients of :func:`info_nce_loss`: ``(d/dquery, d/dkey)``.

    With :math:`G = \operatorname{softmax}(S) - I` (row-wise softmax of the
    similarity matrix, minus the one-hot positives),
    :math:`\partial L / \partial \hat q = G \hat k / \tau` and
    :math:`\partial L / \partial \hat k = G^\top \hat q / \tau`; each is
    taken back through the normalisation, :math:`\partial L / \partial q_i =
    (I - \hat q_i \hat q_i^\top)\, \partial L / \partial \hat q_i /
    \|q_i\|`, the component along :math:`q_i` removed. ``"mean"`` divides
    by :math:`N`.

    Returns:
        tuple of ``numpy.ndarray``: The two gradients, shape ``(N, D)``.

    Example:
        >>> import numpy as np
        >>> from lossbook import info_nce_loss_grad
        >>> q = np.array([[3.0, 0.0], [1.0, 1.0]])
        >>> gq, gk = info_nce_loss_grad(q, np.eye(2))
        >>> np.sum(gq * q, axis=1).round(12) + 0.0  # orthogonal to each query
        array([0., 0.])
    """
    fname = "info_nce_loss_grad"
    q, k = _embeddings(
        fname, [("query", query), ("key", key)], batch_only=True
    )
    t = _temperature(fname, temperature, reduction)
    u, back_q = _normalize(q)
    v, back_k = _normalize(k)
    s = (u @ v.T) / t
    g = softmax(s, dim=1) - np.eye(len(s), dtype=s.dtype)
    g = _scale(g, reduction, len(s)) / t
    return back_q(g @ v), back_k(g.T @ u)


def _nt_xent_terms(fname, input1, input2, temperature, reduction):
    x1, x2 = _embeddings(
        fname, [("input1", input1), ("input2", input2)], batch_only=True
    )
    t = _temperature(fname, temperature, reduction)
    n = len(x1)
    u1, back1 = _normalize(x1)
    u2, back2 = _normalize(x2)
    z = np.concatenate([u1, u2])
    s = (z @ z.T) / t
    np.fill_diagonal(s, -np.inf)  # a view is not its own negative
    partner = np.concatenate([np.arange(n, 2 * n), np.arange(n)])
    return z, s, partner, t, back1, back2


def nt_xent_loss(input1, input2, *, temperature=0.5, reduction="mean"):
    r"""NT-Xent, SimCLR's loss (Chen et al. 2020): InfoNCE over two views.

    Rows :math:`i` of ``input1`` and ``input2`` are two views of one
    example. Stack the :math:`2N` unit vectors :math:`z` (``input1``'s rows
    first), let :math:`s_{ab} = z_a \cdot z_b / \tau`; each view's positive
    is its partner :math:`a'` and its negatives are the other
    :math:`2N - 2` views (itself excluded):

    .. math:: \ell_a = \operatorname{logsumexp}_{b \ne a} s_{ab} - s_{aa'}.

    ``"mean"`` averages the :math:`2N` losses; ``"none"`` returns them,
    shape ``(2N,)``, ``input1``'s views first. PyTorch has no built-in; it is
    ``F.cross_entropy`` over the similarity matrix with its diagonal set to
    :math:`-\infty`, the tests' oracle.

    Args:
        input1 (``array_like``): First views, shape ``(N, D)``.
        input2 (``array_like``): Second views, shape ``(N, D)``.
        temperature (float): :math:`\tau > 0`. Default: ``0.5``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced,
        otherwise the :math:`2N` losses.

    Raises:
        TypeError: If an array or an option is not numeric.
        ValueError: If the shapes differ or are not ``(N, D)``,
            ``temperature <= 0``, or ``reduction`` is unknown.

    Example:
        >>> import numpy as np
        >>> from lossbook import nt_xent_loss
        >>> nt_xent_loss(np.eye(2)[:1], np.eye(2)[:1])  # no negatives: 0
        0.0

    Reference:
        Chen, Kornblith, Norouzi and Hinton, "A Simple Framework for
        Contrastive Learning of Visual Representations", ICML 2020.
    """
    _, s, partner, *_ = _nt_xent_terms(
        "nt_xent_loss", input1, input2, temperature, reduction
    )
    rows = np.arange(len(s))
    loss = logsumexp(s, dim=1) - s[rows, partner] if len(s) else np.zeros(0)
    return _v.reduce(loss, reduction)


def nt_xent_loss_grad(input1, input2, *, temperature=0.5, reduction="mean"):
    r"""Gradients of :func:`nt_xent_loss`: ``(d/dinput1, d/dinput2)``.

    With :math:`G = \operatorname{softmax}(S) - P` (:math:`P` the one-hot
    partners; the masked diagonal has probability 0), :math:`S` symmetric
    and each :math:`z_a` in both a row and a column of it,
    :math:`\partial L / \partial z = (G + G^\top) z / \tau`, taken back
    through the normalisation as in :func:`info_nce_loss_grad`.
    ``"mean"`` divides by :math:`2N`.

    Returns:
        tuple of ``numpy.ndarray``: The two gradients, shape ``(N, D)``.

    Example:
        >>> import numpy as np
        >>> from lossbook import nt_xent_loss_grad
        >>> g1, g2 = nt_xent_loss_grad(np.eye(2), np.eye(2))
        >>> g1.shape, g2.shape
        ((2, 2), (2, 2))
    """
    z, s, partner, t, back1, back2 = _nt_xent_terms(
        "nt_xent_loss_grad", input1, input2, temperature, reduction
    )
    m = len(s)
    g = softmax(s, dim=1) if m else s.copy()
    g[np.arange(m), partner] -= 1
    g = _scale(g, reduction, m) / t
    gz = (g + g.T) @ z
    return back1(gz[: m // 2]), back2(gz[m // 2 :])
