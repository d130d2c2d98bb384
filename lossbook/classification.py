r"""Classification losses: cross-entropy, NLL, binary cross-entropy (on
probabilities and on logits) and KL divergence, each with its gradient.

The notation is the book's: logits :math:`z`, the model's probabilities
:math:`q = \operatorname{softmax}(z)` (or :math:`\sigma(z)` for one logit),
the target distribution :math:`p` and class indices :math:`y`; the
cross-entropy is :math:`-\sum_k p_k \log q_k`.

Reductions: ``"mean"`` (the default) and ``"sum"`` return a Python ``float``,
``"none"`` an array with one loss per sample (per element for the binary
losses and KL). Each ``*_grad`` twin takes the same arguments and returns the
gradient of the reduced loss with respect to ``input`` (for ``"none"``, of the
sum).
"""

import numpy as np

from . import _validation as _v
from .special import log_sigmoid, log_softmax, sigmoid, softmax


def _ce_targets(fname, input, target, weight, ignore_index, label_smoothing):
    r"""What cross-entropy needs: logits, target matrix, rows, divisor.

    Every form of cross-entropy is :math:`\ell_i = -\sum_k P_{ik} \log q_{ik}`
    with :math:`q_i = \operatorname{softmax}(z_i)` and the matrix
    :math:`P_{ik} = w_k \tilde p_{ik}` built here from the target, the class
    weights and the label smoothing. Returns the logits ``z``, ``P``, the mask
    of counted rows, the divisor of the mean, and whether the zeros of ``P``
    are exact: class indices without label smoothing, where torch picks
    ``log q_iy`` alone, so that a class of logit ``-inf`` adds nothing. With
    smoothing, or probability targets, torch multiplies every ``log q_ik``
    and ``0 * -inf`` is NaN, as it is here.
    """
    z = _v.as_float_array(fname, "input", input)
    _v.check_logits(fname, z)
    n, c = z.shape
    eps = _v.check_number(
        fname, "label_smoothing", label_smoothing, low=0, high=1
    )
    target = _v.as_array(fname, "target", target)
    if target.dtype.kind in "iu":  # class indices y, shape (N,)
        y, counted = _v.class_indices(
            fname, target, n, c, ignore_index, probabilities_ok=True
        )
        w = _v.check_weight(fname, "weight", weight, (c,), z.dtype, exact=True)
        w = np.ones(c, z.dtype) if w is None else w
        # any valid index; ignored rows are zeroed below
        y = np.where(counted, y, 0)
        w_y = w[y] * counted
        # P = (1 - eps) w_y one_hot(y) + (eps / C) w: every class gets
        # (eps / C) w_k, then the true class of each row gets (1 - eps) w_y on
        # top (no dense one-hot matrix is made).
        P = np.broadcast_to((eps / c) * w, (n, c)).copy()
        P[np.arange(n), y] += (1 - eps) * w_y
        # weighted mean: divide by the counted weights
        return z, P, counted, np.sum(w_y), eps == 0
    # class probabilities p, shape (N, C): every row counts, and an
    # ignore_index that could name a class is an error, as in torch
    _v.check_ignore_index(fname, ignore_index, probabilities=True)
    p = _v.as_float_array(fname, "target", target)
    if p.shape != z.shape:
        raise ValueError(
            f"{fname}: a float target is read as class probabilities and must "
            f"have the input's shape (N, C) = {z.shape}; got shape "
            f"{p.shape}. For class indices pass an integer array, e.g. "
            "target.astype(np.int64)."
        )
    _v.check_probability_rows(fname, "target", p)
    z = z.astype(np.result_type(z, p), copy=False)
    w = _v.check_weight(fname, "weight", weight, (c,), z.dtype, exact=True)
    P = p * (1 - eps) + eps / c
    # mean: divide by N
    return z, (P if w is None else P * w), np.ones(n, bool), n, False


def cross_entropy(
    input,
    target,
    *,
    weight=None,
    ignore_index=-100,
    reduction="mean",
    label_smoothing=0.0,
):
    r"""Cross-entropy between the softmax of logits and class targets.

    With logits :math:`z`, the model's log-probabilities
    :math:`\log q_{ik} = z_{ik} - \operatorname{logsumexp}_j z_{ij}`
    (:func:`log_softmax`), class weights :math:`w_k` (default 1), :math:`C`
    classes and label smoothing :math:`\varepsilon`, the loss of sample
    :math:`i` is

    .. math::

        \ell_i = -\sum_{k=1}^{C} w_k \, \tilde p_{ik} \log q_{ik}, \qquad
        \tilde p_{ik} = (1 - \varepsilon)\, p_{ik} + \varepsilon / C,

    where the target distribution :math:`p_{ik}` is the one-hot encoding of
    an index target :math:`y_i` or the given class probability. Without
    weights and smoothing it is :math:`-\sum_k p_{ik} \log q_{ik}`. For index
    targets the weights enter as torch defines them:
    :math:`(1-\varepsilon)\, w_{y_i}` on the true class plus
    :math:`(\varepsilon/C)\, w_k` on every class; samples whose target equals
    ``ignore_index`` have :math:`\ell_i = 0`.

    Reductions: ``"sum"`` is :math:`\sum_i \ell_i`. ``"mean"`` divides that
    sum by :math:`\sum_{i \text{ counted}} w_{y_i}` for index targets (the
    number of counted samples when unweighted; NaN when every sample is
    ignored) but by :math:`N` for probability targets. ``"none"`` returns
    :math:`\ell` of shape ``(N,)``.

    Gradient (:func:`cross_entropy_grad`):

    .. math:: \frac{\partial \ell_i}{\partial z_{ik}}
        = \Big(\sum_j w_j \tilde p_{ij}\Big)\, q_{ik} - w_k \tilde p_{ik},

    that is :math:`q_{ik} - p_{ik}` without weights and smoothing.

    Matches ``torch.nn.functional.cross_entropy`` with the same arguments,
    with input of shape ``(N, C)``; unlike torch, an out-of-range class index
    raises ``ValueError`` with the offending value, probability targets
    must have exactly the input's shape, and with ``label_smoothing=1`` a
    target class of logit ``-inf`` gives the limit ``inf`` where torch adds
    ``0 * inf`` and returns NaN.

    Args:
        input (``array_like``): Logits :math:`z` of shape ``(N, C)`` (any real
            numbers).
        target (``array_like``): Either integer class indices :math:`y` of
            shape ``(N,)`` in ``[0, C)`` (or ``ignore_index``), or float class
            probabilities :math:`p` of shape ``(N, C)``.
        weight (``array_like``, optional): Class weights :math:`w` of shape
            ``(C,)``.
        ignore_index (int): An index target value whose samples are left out,
            from the loss and from the mean's divisor. Only for index targets.
            Default: ``-100``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.
        label_smoothing (float): :math:`\varepsilon \in [0, 1]`.
            Default: ``0.0``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        the ``(N,)`` array of per-sample losses.

    Raises:
        TypeError: If an array is not numeric.
        ValueError: If ``input`` is not 2-D, the target's shape does not fit,
            a class index is out of range, ``weight`` is not of shape
            ``(C,)``, ``label_smoothing`` is outside [0, 1] or ``reduction``
            is unknown.

    Example:
        >>> from lossbook import cross_entropy
        >>> cross_entropy([[0.0, 0.0, 0.0, 0.0]], [2])  # uniform: log 4
        1.3862943611198906
        >>> # finite: the true class has log q = -1e4
        >>> cross_entropy([[1e4, 0.0]], [1])
        10000.0

    Reference:
        Goodfellow, Bengio and Courville, *Deep Learning*, MIT Press 2016,
        section 6.2.2.3; Szegedy et al., "Rethinking the Inception
        Architecture for Computer Vision", CVPR 2016 (label smoothing).
    """
    _v.check_reduction("cross_entropy", reduction)
    z, P, counted, divisor, exact_zeros = _ce_targets(
        "cross_entropy", input, target, weight, ignore_index, label_smoothing
    )
    if reduction == "mean" and divisor == 0:
        return float("nan")  # nothing counted, or zero weight: torch's 0/0
    log_q = log_softmax(z, dim=1)
    if exact_zeros and np.isneginf(log_q).any():
        # a masked class (logit -inf) with no target weight: 0, not 0 * -inf
        log_q = np.where(P == 0, 0, log_q)
    # -sum_k P_ik log q_ik for every row i, in one pass (no (N, C) product
    # is stored)
    loss = np.where(counted, -np.einsum("ik,ik->i", P, log_q), 0)
    return _v.reduce(loss, reduction, divisor)


def cross_entropy_grad(
    input,
    target,
    *,
    weight=None,
    ignore_index=-100,
    reduction="mean",
    label_smoothing=0.0,
):
    r"""Gradient of :func:`cross_entropy` with respect to the logits ``input``.

    .. math:: \frac{\partial L}{\partial z_{ik}} =
        \Big(\big(\textstyle\sum_j w_j \tilde p_{ij}\big)\, q_{ik}
        - w_k \tilde p_{ik}\Big) \cdot s

    with :math:`s` = 1 over the mean's divisor for ``"mean"`` (else 1); rows
    of ignored samples are 0, and so is the whole gradient when every sample
    is ignored (as in torch). When the counted samples' weights sum to 0 the
    mean is 0/0: the loss and the counted rows are NaN, as in torch.

    Returns:
        ``numpy.ndarray``: An array of shape ``(N, C)``.

    Example:
        >>> from lossbook import cross_entropy_grad
        >>> cross_entropy_grad([[0.0, 0.0]], [1])  # softmax minus one-hot
        array([[ 0.5, -0.5]])
    """
    _v.check_reduction("cross_entropy_grad", reduction)
    z, P, counted, divisor, _ = _ce_targets(
        "cross_entropy_grad",
        input,
        target,
        weight,
        ignore_index,
        label_smoothing,
    )
    g = softmax(z, dim=1)  # q, then in place: (sum_j P_ij) q_ik - P_ik
    g *= np.einsum("ik->i", P)[:, None]  # the row sums of P, in one pass
    g -= P
    g[~counted] = 0
    if reduction == "mean" and counted.any():
        if divisor == 0:  # counted rows that weigh nothing: torch's 0/0
            g[counted] = np.nan
        else:
            g /= divisor
    return g


def _nll_targets(fname, input, target, weight, ignore_index):
    """For NLL: input, indices, per-sample weights and counted rows.

    Ignored rows get index 0 and weight 0.
    """
    log_q = _v.as_float_array(fname, "input", input)
    _v.check_logits(fname, log_q)
    n, c = log_q.shape
    y, counted = _v.class_indices(fname, target, n, c, ignore_index)
    w = _v.check_weight(fname, "weight", weight, (c,), log_q.dtype, exact=True)
    y = np.where(counted, y, 0)  # any valid index; ignored rows get weight 0
    w_y = (np.ones(n, log_q.dtype) if w is None else w[y]) * counted
    return log_q, y, w_y, counted


def nll_loss(
    input, target, *, weight=None, ignore_index=-100, reduction="mean"
):
    r"""Negative log-likelihood of the target classes, from log-probabilities.

    .. math:: \ell_i = -w_{y_i} \log q_{i y_i}

    with :math:`\ell_i = 0` when :math:`y_i` equals ``ignore_index``. Only the
    target entry of each row is read: pass :func:`log_softmax` outputs to get
    :func:`cross_entropy`.

    Reductions: ``"sum"`` is :math:`\sum_i \ell_i`; ``"mean"`` divides it by
    :math:`\sum_{i \text{ counted}} w_{y_i}` (NaN when every sample is
    ignored); ``"none"`` returns :math:`\ell` of shape ``(N,)``.

    Gradient (:func:`nll_loss_grad`): :math:`-w_{y_i}` at :math:`(i, y_i)`,
    0 elsewhere.

    Matches ``torch.nn.functional.nll_loss`` with input of shape ``(N, C)``;
    an out-of-range class index raises ``ValueError`` with the offending
    value.

    Args:
        input (``array_like``): Log-probabilities :math:`\log q` of shape
            ``(N, C)``.
        target (``array_like``): Integer class indices :math:`y` of shape
            ``(N,)``.
        weight (``array_like``, optional): Class weights :math:`w` of shape
            ``(C,)``.
        ignore_index (int): A target value whose samples are left out.
            Default: ``-100``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        the ``(N,)`` array.

    Raises:
        TypeError: If ``input`` is not numeric or ``target`` is not integer.
        ValueError: If the shapes do not fit, a class index is out of range,
            ``weight`` is not of shape ``(C,)`` or ``reduction`` is unknown.

    Example:
        >>> import numpy as np
        >>> from lossbook import nll_loss
        >>> log_q = np.log([[0.5, 0.5], [0.9, 0.1]])
        >>> nll_loss(log_q, [0, 0])  # -(log 0.5 + log 0.9) / 2
        0.39925384810888576
    """
    _v.check_reduction("nll_loss", reduction)
    log_q, y, w_y, counted = _nll_targets(
        "nll_loss", input, target, weight, ignore_index
    )
    loss = np.where(counted, -w_y * log_q[np.arange(len(y)), y], 0)
    return _v.reduce(loss, reduction, np.sum(w_y))


def nll_loss_grad(
    input, target, *, weight=None, ignore_index=-100, reduction="mean"
):
    r"""Gradient of :func:`nll_loss` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial \log q_{ik}}
        = -w_{y_i} \, [k = y_i] \cdot s

    with :math:`s = 1 / \sum_{i \text{ counted}} w_{y_i}` for ``"mean"``
    (else 1), and 0 for ignored samples.

    Returns:
        ``numpy.ndarray``: An array of shape ``(N, C)``.

    Example:
        >>> from lossbook import nll_loss_grad
        >>> nll_loss_grad([[-0.7, -0.7], [-0.1, -2.3]], [0, 0])
        array([[-0.5,  0. ],
               [-0.5,  0. ]])
    """
    _v.check_reduction("nll_loss_grad", reduction)
    log_q, y, w_y, counted = _nll_targets(
        "nll_loss_grad", input, target, weight, ignore_index
    )
    scale = 1 / np.sum(w_y) if reduction == "mean" and counted.any() else 1
    g = np.zeros(log_q.shape, log_q.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        g[np.arange(len(y)), y] = np.where(counted, -w_y * scale, 0)
    return g


# torch's backward floors q (1 - q) at EPSILON = 1e-12f, a float32 constant:
# 9.99999996e-13
_BCE_EPS = float(np.float32(1e-12))


def _bce_inputs(fname, input, target, weight, reduction):
    q, y = _v.same_shape(fname, input, target)
    _v.check_reduction(fname, reduction)
    _v.check_probability_range(fname, "input", q)
    _v.check_probability_range(fname, "target", y)
    w = _v.check_weight(fname, "weight", weight, q.shape, q.dtype, exact=False)
    return q, y, (1 if w is None else w)


def binary_cross_entropy(input, target, *, weight=None, reduction="mean"):
    r"""Binary cross-entropy between predicted probabilities and targets.

    With the model's probabilities :math:`q_i` (for example
    :math:`\sigma(z_i)`) and targets :math:`y_i \in [0, 1]`,

    .. math::

        \ell_i = -w_i \big[\, y_i \max(\log q_i, -100)
            + (1 - y_i) \max(\log(1 - q_i), -100) \big]

    The logs are clamped at -100 as in torch, so a confident wrong prediction
    (:math:`q_i = 0`, :math:`y_i = 1`) costs 100 instead of infinity. Prefer
    :func:`binary_cross_entropy_with_logits`, which never needs the clamp.
    Reductions as in :func:`~lossbook.mse_loss` (elementwise).

    Gradient (:func:`binary_cross_entropy_grad`):
    :math:`w_i (q_i - y_i) / \max(q_i (1 - q_i), 10^{-12})`, the formula
    torch's backward uses (it ignores the clamp, so it is huge, not 0, at
    :math:`q_i \in \{0, 1\}`).

    Matches ``torch.nn.functional.binary_cross_entropy``, except that
    ``input`` and ``target`` must have the same shape (torch broadcasts with
    a warning; lossbook raises). ``weight`` may broadcast to the input's
    shape, as in torch.

    Args:
        input (``array_like``): Probabilities :math:`q \in [0, 1]`, any
            shape.
        target (``array_like``): Targets :math:`y \in [0, 1]`, the same shape
            as ``input``.
        weight (``array_like``, optional): Weights :math:`w`, broadcastable to
            the input's shape.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        an array of the input's shape.

    Raises:
        TypeError: If an array is not numeric.
        ValueError: If the shapes differ, an element of ``input`` or
            ``target`` is outside [0, 1] or NaN (as in torch), ``weight`` does
            not broadcast or ``reduction`` is unknown.

    Example:
        >>> from lossbook import binary_cross_entropy
        >>> # log 2, and the clamp
        >>> binary_cross_entropy([0.5, 0.0], [1.0, 1.0], reduction="none")
        array([  0.69314718, 100.        ])

    Reference:
        Bishop, *Pattern Recognition and Machine Learning*, Springer 2006,
        section 4.3.2.
    """
    q, y, w = _bce_inputs(
        "binary_cross_entropy", input, target, weight, reduction
    )
    with np.errstate(divide="ignore"):
        log_q, log_1mq = (
            np.maximum(np.log(q), -100),
            np.maximum(np.log1p(-q), -100),
        )
    return _v.reduce(-w * (y * log_q + (1 - y) * log_1mq), reduction)


def binary_cross_entropy_grad(input, target, *, weight=None, reduction="mean"):
    r"""Gradient of :func:`binary_cross_entropy`, as torch computes it.

    .. math:: \frac{\partial L}{\partial q_i} =
        w_i \frac{q_i - y_i}{\max(q_i (1 - q_i), 10^{-12})} \cdot s,
        \qquad s = 1/n \text{ for "mean", else } 1

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import binary_cross_entropy_grad
        >>> q, y = [0.5, 0.8], [1.0, 1.0]
        >>> binary_cross_entropy_grad(q, y, reduction="sum")  # -1/q
        array([-2.  , -1.25])
    """
    q, y, w = _bce_inputs(
        "binary_cross_entropy_grad", input, target, weight, reduction
    )
    scale = _v.grad_scale(reduction, q.size)
    return np.asarray(w * (q - y) / np.maximum(q * (1 - q), _BCE_EPS) * scale)


def _bce_logits_inputs(fname, input, target, weight, reduction, pos_weight):
    z, y = _v.same_shape(fname, input, target)
    _v.check_reduction(fname, reduction)
    w = _v.check_weight(fname, "weight", weight, z.shape, z.dtype, exact=False)
    w_pos = _v.check_weight(
        fname, "pos_weight", pos_weight, z.shape, z.dtype, exact=False
    )
    return z, y, w, w_pos  # None when not given


def binary_cross_entropy_with_logits(
    input, target, *, weight=None, reduction="mean", pos_weight=None
):
    r"""Binary cross-entropy on logits, stable through :func:`log_sigmoid`.

    With logits :math:`z_i`, :math:`\sigma` the sigmoid and positive-class
    weight :math:`w_+` (default 1),

    .. math::

        \ell_i = -w_i \big[\, w_+ y_i \log \sigma(z_i)
            + (1 - y_i) \log(1 - \sigma(z_i)) \big]
            = w_i \big[ (1 - y_i)\, z_i
            - (1 + (w_+ - 1)\, y_i) \log \sigma(z_i) \big],

    using :math:`\log(1 - \sigma(z)) = \log \sigma(z) - z`. The second form
    is torch's; it takes no exponential of a positive number, so it is finite
    for every finite logit. ``pos_weight`` scales only the positive term
    (:math:`w_+ > 1` raises recall). Reductions as in
    :func:`~lossbook.mse_loss` (elementwise).

    Gradient (:func:`binary_cross_entropy_with_logits_grad`):
    :math:`w_i \big[(1 + (w_+ - 1) y_i)\, \sigma(z_i) - w_+ y_i\big]`, which
    is :math:`\sigma(z_i) - y_i` without weights.

    Matches ``torch.nn.functional.binary_cross_entropy_with_logits``, except
    that ``input`` and ``target`` must have the same shape (torch broadcasts;
    lossbook raises). ``weight`` and ``pos_weight`` may broadcast to the
    input's shape, as in torch (``pos_weight`` of shape ``(C,)`` weighs class
    :math:`k` of an ``(N, C)`` multi-label input).

    Args:
        input (``array_like``): Logits :math:`z`, any shape.
        target (``array_like``): Targets :math:`y \in [0, 1]`, the same shape
            as ``input``.
        weight (``array_like``, optional): Weights :math:`w`, broadcastable to
            the input's shape.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.
        pos_weight (``array_like``, optional): Positive-class weights
            :math:`w_+`, broadcastable to the input's shape.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        an array of the input's shape.

    Raises:
        TypeError: If an array is not numeric.
        ValueError: If the shapes differ, ``weight`` or ``pos_weight`` does not
            broadcast, or ``reduction`` is unknown.

    Example:
        >>> from lossbook import binary_cross_entropy_with_logits as bce
        >>> bce([0.0, -1e4], [1.0, 1.0], reduction="none")
        array([6.93147181e-01, 1.00000000e+04])

    Reference:
        Bishop, *Pattern Recognition and Machine Learning*, Springer 2006,
        section 4.3.2.
    """
    z, y, w, w_pos = _bce_logits_inputs(
        "binary_cross_entropy_with_logits",
        input,
        target,
        weight,
        reduction,
        pos_weight,
    )
    log_sig = log_sigmoid(z)
    if w_pos is not None:
        log_sig *= 1 + (w_pos - 1) * y  # the log weight; 1 without pos_weight
    loss = (1 - y) * z - log_sig
    return _v.reduce(loss if w is None else w * loss, reduction)


def binary_cross_entropy_with_logits_grad(
    input, target, *, weight=None, reduction="mean", pos_weight=None
):
    r"""Gradient of :func:`binary_cross_entropy_with_logits` in the logits.

    .. math:: \frac{\partial L}{\partial z_i} =
        w_i \big[(1 + (w_+ - 1)\, y_i)\, \sigma(z_i) - w_+ y_i\big] \cdot s,
        \qquad s = 1/n \text{ for "mean", else } 1

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import binary_cross_entropy_with_logits_grad as grad
        >>> grad([0.0, 0.0], [1.0, 0.0], reduction="sum")
        array([-0.5,  0.5])
    """
    z, y, w, w_pos = _bce_logits_inputs(
        "binary_cross_entropy_with_logits_grad",
        input,
        target,
        weight,
        reduction,
        pos_weight,
    )
    if w_pos is None:
        g = sigmoid(z) - y
    else:
        g = (1 + (w_pos - 1) * y) * sigmoid(z) - w_pos * y
    if w is not None:
        g *= w
    g *= _v.grad_scale(reduction, z.size)
    return np.asarray(g)


def _kl_inputs(fname, input, target, reduction):
    log_q, target = _v.same_shape(fname, input, target)
    _v.check_reduction(fname, reduction, ("none", "batchmean", "sum", "mean"))
    divisor = {
        "mean": log_q.size,
        "batchmean": log_q.shape[0] if log_q.ndim else 1,
    }.get(reduction, 1)
    return log_q, target, divisor


def kl_div(input, target, *, reduction="mean", log_target=False):
    r"""Kullback-Leibler divergence KL(p || q) of target p from model q.

    With the model's log-probabilities :math:`\log q` (``input``) and the
    target probabilities :math:`p`,

    .. math:: \ell_i = p_i (\log p_i - \log q_i), \qquad 0 \log 0 = 0,

    or, with ``log_target=True`` and the target given as :math:`\log p`,
    :math:`\ell_i = e^{\log p_i} (\log p_i - \log q_i)`. Summed over a
    distribution this is :math:`\mathrm{KL}(p \,\|\, q) \ge 0`; single terms
    may be negative.

    Reductions: ``"batchmean"`` divides :math:`\sum_i \ell_i` by the batch
    size (the length of the first axis) and is the true mean KL per sample;
    ``"mean"`` (torch's default, kept here) divides by the number of
    elements, which is not a KL divergence; ``"sum"`` and ``"none"`` as
    usual.

    Gradient (:func:`kl_div_grad`): :math:`-p_i` with respect to
    :math:`\log q_i`.

    Matches ``torch.nn.functional.kl_div``, except that shapes must be equal
    (torch broadcasts; lossbook raises) and ``"mean"`` does not warn. Note the
    argument order: the model's log-probabilities first, the target second.

    Args:
        input (``array_like``): Log-probabilities :math:`\log q`, any shape
            (rows are distributions).
        target (``array_like``): Probabilities :math:`p` (or log-probabilities
            :math:`\log p` with ``log_target=True``), the same shape as
            ``input``.
        reduction (str): ``"mean"``, ``"batchmean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.
        log_target (bool): Whether ``target`` holds log-probabilities.
            Default: ``False``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        an array of the input's shape.

    Raises:
        TypeError: If an array is not numeric.
        ValueError: If the shapes differ or ``reduction`` is unknown.

    Example:
        >>> import numpy as np
        >>> from lossbook import kl_div
        >>> log_q, p = np.log([[0.5, 0.5]]), [[1.0, 0.0]]
        >>> kl_div(log_q, p, reduction="batchmean")  # log 2
        0.6931471805599453

    Reference:
        Kullback and Leibler, "On Information and Sufficiency", Annals of
        Mathematical Statistics 22(1), 1951.
    """
    log_q, target, divisor = _kl_inputs("kl_div", input, target, reduction)
    if log_target:
        log_p = target
        loss = np.exp(log_p) * (log_p - log_q)
    else:
        p = target
        with np.errstate(divide="ignore", invalid="ignore"):
            loss = np.where(p == 0, 0, p * np.log(p)) - p * log_q
    if reduction in ("none", "sum"):
        return _v.reduce(loss, reduction)
    return _v.reduce(loss, "mean", divisor)


def kl_div_grad(input, target, *, reduction="mean", log_target=False):
    r"""Gradient of :func:`kl_div` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial \log q_i} = -p_i \cdot s

    (with ``log_target``, :math:`p_i = e^{\log p_i}` from the given
    :math:`\log p_i`), where :math:`s` = 1/batch size for ``"batchmean"``,
    1/number of elements for ``"mean"``, else 1.

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import kl_div_grad
        >>> kl_div_grad([[-0.7, -0.7]], [[1.0, 0.0]], reduction="batchmean")
        array([[-1., -0.]])
    """
    _, target, divisor = _kl_inputs("kl_div_grad", input, target, reduction)
    p = np.exp(target) if log_target else target
    return np.asarray(-p / divisor)
