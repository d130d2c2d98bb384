r"""Classification losses: cross-entropy, NLL, binary cross-entropy (on probabilities and on
logits) and KL divergence, each followed by its gradient.

Reductions: ``"mean"`` (the default) and ``"sum"`` return a Python ``float``, ``"none"`` an array
with one loss per sample (per element for the binary losses and KL). Each ``*_grad`` twin takes
the same arguments and returns the gradient of the reduced loss with respect to ``input`` (for
``"none"``, of the sum).
"""

import numpy as np

from . import _validation as _v
from .special import log_sigmoid, log_softmax, sigmoid, softmax


def _ce_targets(fname, input, target, weight, ignore_index, label_smoothing):
    """The pieces cross-entropy needs: logits, weighted target matrix, counted rows, mean divisor.

    Every form of cross-entropy is :math:`\\ell_i = -\\sum_c Q_{ic} \\log p_{ic}` for a matrix
    ``Q`` built here from the target, the class weights and the label smoothing.
    """
    x = _v.as_float_array(fname, "input", input)
    _v.check_logits(fname, x)
    n, c = x.shape
    eps = _v.check_number(
        fname, "label_smoothing", label_smoothing, low=0, high=1
    )
    target = _v.as_array(fname, "target", target)
    if target.dtype.kind in "iu":  # class indices, shape (N,)
        y, counted = _v.class_indices(
            fname, target, n, c, ignore_index, probabilities_ok=True
        )
        w = _v.check_weight(fname, "weight", weight, (c,), x.dtype, exact=True)
        w = np.ones(c, x.dtype) if w is None else w
        y = np.where(
            counted, y, 0
        )  # any valid index; ignored rows are zeroed below
        w_y = w[y] * counted
        # q = (1 - eps) w_y one_hot(y) + (eps / C) w: every class gets (eps / C) w_c, then the
        # true class of each row gets (1 - eps) w_y on top (no dense one-hot matrix is made).
        q = np.broadcast_to((eps / c) * w, (n, c)).copy()
        q[np.arange(n), y] += (1 - eps) * w_y
        return (
            x,
            q,
            counted,
            np.sum(w_y),
        )  # weighted mean: divide by the counted weights
    probs = _v.as_float_array(
        fname, "target", target
    )  # class probabilities, shape (N, C)
    if probs.shape != x.shape:
        raise ValueError(
            f"{fname}: a float target is read as class probabilities and must have the input's "
            f"shape (N, C) = {x.shape}; got shape {probs.shape}. For class indices pass an "
            f"integer array, e.g. target.astype(np.int64)."
        )
    x = x.astype(np.result_type(x, probs), copy=False)
    w = _v.check_weight(fname, "weight", weight, (c,), x.dtype, exact=True)
    q = probs * (1 - eps) + eps / c
    return (
        x,
        (q if w is None else q * w),
        np.ones(n, bool),
        n,
    )  # mean: divide by N


def cross_entropy(
    input,
    target,
    *,
    weight=None,
    ignore_index=-100,
    reduction="mean",
    label_smoothing=0.0,
):
    r"""Cross-entropy between softmax probabilities of logits and class targets.

    With :math:`\log p_{ic} = x_{ic} - \operatorname{logsumexp}_c x_{ic}` (:func:`log_softmax`),
    class weights :math:`w_c` (default 1), :math:`C` classes and smoothing :math:`\varepsilon`,
    the loss of sample :math:`i` is

    .. math::

        \ell_i = -\sum_{c=1}^{C} w_c \, q_{ic} \log p_{ic}, \qquad
        q_{ic} = (1 - \varepsilon)\, t_{ic} + \varepsilon / C,

    where :math:`t_{ic}` is the one-hot encoding of an index target :math:`y_i` or the given
    probability :math:`t_{ic}`. For index targets the weights enter as torch defines them:
    :math:`(1-\varepsilon)\, w_{y_i}` on the true class plus :math:`(\varepsilon/C)\, w_c` on
    every class; samples whose target equals ``ignore_index`` have :math:`\ell_i = 0`.

    Reductions: ``"sum"`` is :math:`\sum_i \ell_i`. ``"mean"`` divides that sum by
    :math:`\sum_{i \text{ counted}} w_{y_i}` for index targets (the number of counted samples
    when unweighted; NaN when every sample is ignored) but by :math:`N` for probability targets.
    ``"none"`` returns :math:`\ell` of shape ``(N,)``.

    Gradient (:func:`cross_entropy_grad`): :math:`\partial \ell_i / \partial x_{ic} =
    \big(\sum_k w_k q_{ik}\big)\, p_{ic} - w_c q_{ic}`, i.e. :math:`p_{ic} - t_{ic}` without
    weights and smoothing.

    Matches ``torch.nn.functional.cross_entropy`` with the same arguments, with input of shape
    ``(N, C)``; unlike torch, an out-of-range class index raises ``ValueError`` with the
    offending value, and probability targets must have exactly the input's shape.

    Args:
        input (``array_like``): Logits :math:`x` of shape ``(N, C)`` (any real numbers).
        target (``array_like``): Either integer class indices of shape ``(N,)`` in ``[0, C)`` (or
            ``ignore_index``), or float class probabilities of shape ``(N, C)``.
        weight (``array_like``, optional): Class weights :math:`w` of shape ``(C,)``.
        ignore_index (int): An index target value whose samples are left out, from the loss
            and from the mean's divisor. Only for index targets. Default: ``-100``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``. Default: ``"mean"``.
        label_smoothing (float): :math:`\varepsilon \in [0, 1]`. Default: ``0.0``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise the ``(N,)`` array of
        per-sample losses.

    Raises:
        TypeError: If an array is not numeric.
        ValueError: If ``input`` is not 2-D, the target's shape does not fit, a class index is
            out of range, ``weight`` is not of shape ``(C,)``, ``label_smoothing`` is outside
            [0, 1] or ``reduction`` is unknown.

    Example:
        >>> from lossbook import cross_entropy
        >>> cross_entropy([[0.0, 0.0, 0.0, 0.0]], [2])  # uniform over 4 classes: log 4
        1.3862943611198906
        >>> cross_entropy([[1e4, 0.0]], [1])  # finite: the true class has log p = -1e4
        10000.0

    Reference:
        Goodfellow, Bengio and Courville, *Deep Learning*, MIT Press 2016, section 6.2.2.3;
        Szegedy et al., "Rethinking the Inception Architecture for Computer Vision", CVPR 2016
        (label smoothing).
    """
    _v.check_reduction("cross_entropy", reduction)
    x, q, counted, divisor = _ce_targets(
        "cross_entropy", input, target, weight, ignore_index, label_smoothing
    )
    # -sum_c q_ic log p_ic for every row i, in one pass (no (N, C) product is stored)
    loss = np.where(
        counted, -np.einsum("ic,ic->i", q, log_softmax(x, dim=1)), 0
    )
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

    .. math:: \frac{\partial L}{\partial x_{ic}} =
        \Big(\big(\textstyle\sum_k w_k q_{ik}\big)\, p_{ic} - w_c q_{ic}\Big) \cdot s

    with :math:`s` = 1 over the mean's divisor for ``"mean"`` (else 1); rows of ignored samples
    are 0, and so is the whole gradient when every sample is ignored (as in torch).

    Returns:
        ``numpy.ndarray``: An array of shape ``(N, C)``.

    Example:
        >>> from lossbook import cross_entropy_grad
        >>> cross_entropy_grad([[0.0, 0.0]], [1])  # softmax minus one-hot
        array([[ 0.5, -0.5]])
    """
    _v.check_reduction("cross_entropy_grad", reduction)
    x, q, counted, divisor = _ce_targets(
        "cross_entropy_grad",
        input,
        target,
        weight,
        ignore_index,
        label_smoothing,
    )
    g = softmax(x, dim=1)  # then updated in place: (sum_k q_ik) p_ic - q_ic
    g *= np.einsum("ic->i", q)[:, None]  # the row sums of q, in one pass
    g -= q
    g[~counted] = 0
    if reduction == "mean" and counted.any():
        g /= divisor
    return g


def _nll_targets(fname, input, target, weight, ignore_index):
    """Input, clamped indices, per-sample weights (0 if ignored) and counted rows for NLL."""
    x = _v.as_float_array(fname, "input", input)
    _v.check_logits(fname, x)
    n, c = x.shape
    y, counted = _v.class_indices(fname, target, n, c, ignore_index)
    w = _v.check_weight(fname, "weight", weight, (c,), x.dtype, exact=True)
    y = np.where(counted, y, 0)  # any valid index; ignored rows get weight 0
    w_y = (np.ones(n, x.dtype) if w is None else w[y]) * counted
    return x, y, w_y, counted


def nll_loss(
    input, target, *, weight=None, ignore_index=-100, reduction="mean"
):
    r"""Negative log-likelihood of the target classes, given log-probabilities.

    .. math:: \ell_i = -w_{y_i} \, x_{i, y_i}

    with :math:`\ell_i = 0` when :math:`y_i` equals ``ignore_index``. Only the target entry of
    each row is read: pass :func:`log_softmax` outputs to get :func:`cross_entropy`.

    Reductions: ``"sum"`` is :math:`\sum_i \ell_i`; ``"mean"`` divides it by
    :math:`\sum_{i \text{ counted}} w_{y_i}` (NaN when every sample is ignored); ``"none"``
    returns :math:`\ell` of shape ``(N,)``.

    Gradient (:func:`nll_loss_grad`): :math:`-w_{y_i}` at :math:`(i, y_i)`, 0 elsewhere.

    Matches ``torch.nn.functional.nll_loss`` with input of shape ``(N, C)``; an out-of-range
    class index raises ``ValueError`` with the offending value.

    Args:
        input (``array_like``): Log-probabilities :math:`x` of shape ``(N, C)``.
        target (``array_like``): Integer class indices :math:`y` of shape ``(N,)``.
        weight (``array_like``, optional): Class weights :math:`w` of shape ``(C,)``.
        ignore_index (int): A target value whose samples are left out. Default: ``-100``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``. Default: ``"mean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise the ``(N,)`` array.

    Raises:
        TypeError: If ``input`` is not numeric or ``target`` is not integer.
        ValueError: If the shapes do not fit, a class index is out of range, ``weight`` is not
            of shape ``(C,)`` or ``reduction`` is unknown.

    Example:
        >>> import numpy as np
        >>> from lossbook import nll_loss
        >>> nll_loss(np.log([[0.5, 0.5], [0.9, 0.1]]), [0, 0])  # -(log 0.5 + log 0.9) / 2
        0.39925384810888576
    """
    _v.check_reduction("nll_loss", reduction)
    x, y, w_y, counted = _nll_targets(
        "nll_loss", input, target, weight, ignore_index
    )
    loss = np.where(counted, -w_y * x[np.arange(len(y)), y], 0)
    return _v.reduce(loss, reduction, np.sum(w_y))


def nll_loss_grad(
    input, target, *, weight=None, ignore_index=-100, reduction="mean"
):
    r"""Gradient of :func:`nll_loss` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial x_{ic}} = -w_{y_i} \, [c = y_i] \cdot s

    with :math:`s = 1 / \sum_{i \text{ counted}} w_{y_i}` for ``"mean"`` (else 1), and 0 for
    ignored samples.

    Returns:
        ``numpy.ndarray``: An array of shape ``(N, C)``.

    Example:
        >>> from lossbook import nll_loss_grad
        >>> nll_loss_grad([[-0.7, -0.7], [-0.1, -2.3]], [0, 0])
        array([[-0.5,  0. ],
               [-0.5,  0. ]])
    """
    _v.check_reduction("nll_loss_grad", reduction)
    x, y, w_y, counted = _nll_targets(
        "nll_loss_grad", input, target, weight, ignore_index
    )
    scale = 1 / np.sum(w_y) if reduction == "mean" and counted.any() else 1
    g = np.zeros(x.shape, x.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        g[np.arange(len(y)), y] = np.where(counted, -w_y * scale, 0)
    return g


# torch's backward floors x (1 - x) at EPSILON = 1e-12f, a float32 constant: 9.99999996e-13
_BCE_EPS = float(np.float32(1e-12))


def _bce_inputs(fname, input, target, weight, reduction):
    x, y = _v.same_shape(fname, input, target)
    _v.check_reduction(fname, reduction)
    _v.check_probability_range(fname, "input", x)
    _v.check_probability_range(fname, "target", y)
    w = _v.check_weight(fname, "weight", weight, x.shape, x.dtype, exact=False)
    return x, y, (1 if w is None else w)


def binary_cross_entropy(input, target, *, weight=None, reduction="mean"):
    r"""Binary cross-entropy between predicted probabilities and targets in [0, 1].

    .. math::

        \ell_i = -w_i \big[\, y_i \max(\log x_i, -100) + (1 - y_i) \max(\log(1 - x_i), -100) \big]

    The logs are clamped at -100 as in torch, so a confident wrong prediction
    (:math:`x_i = 0`, :math:`y_i = 1`) costs 100 instead of infinity. Prefer
    :func:`binary_cross_entropy_with_logits`, which never needs the clamp.
    Reductions as in :func:`~lossbook.mse_loss` (elementwise).

    Gradient (:func:`binary_cross_entropy_grad`): :math:`w_i (x_i - y_i) / \max(x_i (1 - x_i),
    10^{-12})`, the formula torch's backward uses (it ignores the clamp, so it is huge, not 0,
    at :math:`x_i \in \{0, 1\}`).

    Matches ``torch.nn.functional.binary_cross_entropy``, except that ``input`` and ``target``
    must have the same shape (torch broadcasts with a warning; lossbook raises). ``weight`` may
    broadcast to the input's shape, as in torch.

    Args:
        input (``array_like``): Probabilities :math:`x \in [0, 1]`, any shape.
        target (``array_like``): Targets :math:`y \in [0, 1]`, the same shape as ``input``.
        weight (``array_like``, optional): Weights :math:`w`, broadcastable to the input's shape.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``. Default: ``"mean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise an
        array of the input's shape.

    Raises:
        TypeError: If an array is not numeric.
        ValueError: If the shapes differ, an element of ``input`` or ``target`` is outside
            [0, 1] or NaN (as in torch), ``weight`` does not broadcast or ``reduction`` is
            unknown.

    Example:
        >>> from lossbook import binary_cross_entropy
        >>> binary_cross_entropy([0.5, 0.0], [1.0, 1.0], reduction="none")  # log 2, clamp
        array([  0.69314718, 100.        ])

    Reference:
        Bishop, *Pattern Recognition and Machine Learning*, Springer 2006, section 4.3.2.
    """
    x, y, w = _bce_inputs(
        "binary_cross_entropy", input, target, weight, reduction
    )
    with np.errstate(divide="ignore"):
        log_x, log_1mx = (
            np.maximum(np.log(x), -100),
            np.maximum(np.log1p(-x), -100),
        )
    return _v.reduce(-w * (y * log_x + (1 - y) * log_1mx), reduction)


def binary_cross_entropy_grad(input, target, *, weight=None, reduction="mean"):
    r"""Gradient of :func:`binary_cross_entropy` with respect to ``input``, as torch computes it.

    .. math:: \frac{\partial L}{\partial x_i} =
        w_i \frac{x_i - y_i}{\max(x_i (1 - x_i), 10^{-12})} \cdot s,
        \qquad s = 1/n \text{ for "mean", else } 1

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import binary_cross_entropy_grad
        >>> binary_cross_entropy_grad([0.5, 0.8], [1.0, 1.0], reduction="sum")  # -1/x
        array([-2.  , -1.25])
    """
    x, y, w = _bce_inputs(
        "binary_cross_entropy_grad", input, target, weight, reduction
    )
    scale = _v.grad_scale(reduction, x.size)
    return np.asarray(w * (x - y) / np.maximum(x * (1 - x), _BCE_EPS) * scale)


def _bce_logits_inputs(fname, input, target, weight, reduction, pos_weight):
    x, y = _v.same_shape(fname, input, target)
    _v.check_reduction(fname, reduction)
    w = _v.check_weight(fname, "weight", weight, x.shape, x.dtype, exact=False)
    p = _v.check_weight(
        fname, "pos_weight", pos_weight, x.shape, x.dtype, exact=False
    )
    return x, y, (1 if w is None else w), (1 if p is None else p)


def binary_cross_entropy_with_logits(
    input, target, *, weight=None, reduction="mean", pos_weight=None
):
    r"""Binary cross-entropy on logits, computed stably from :func:`log_sigmoid`.

    With :math:`\sigma` the sigmoid and positive-class weight :math:`p` (default 1),

    .. math::

        \ell_i = -w_i \big[\, p\, y_i \log \sigma(x_i) + (1 - y_i) \log(1 - \sigma(x_i)) \big]
               = w_i \big[ (1 - y_i)\, x_i - (1 + (p - 1)\, y_i) \log \sigma(x_i) \big],

    using :math:`\log(1 - \sigma(x)) = \log \sigma(x) - x`. The right-hand form is torch's; it
    takes no exponential of a positive number, so it is finite for every finite logit.
    ``pos_weight`` scales only the positive term (:math:`p > 1` raises recall).
    Reductions as in :func:`~lossbook.mse_loss` (elementwise).

    Gradient (:func:`binary_cross_entropy_with_logits_grad`):
    :math:`w_i \big[(1 + (p - 1) y_i)\, \sigma(x_i) - p\, y_i\big]`, which is
    :math:`\sigma(x_i) - y_i` without weights.

    Matches ``torch.nn.functional.binary_cross_entropy_with_logits``, except that ``input`` and
    ``target`` must have the same shape (torch broadcasts; lossbook raises). ``weight`` and
    ``pos_weight`` may broadcast to the input's shape, as in torch (``pos_weight`` of shape
    ``(C,)`` weighs class :math:`c` of an ``(N, C)`` multi-label input).

    Args:
        input (``array_like``): Logits :math:`x`, any shape.
        target (``array_like``): Targets :math:`y \in [0, 1]`, the same shape as ``input``.
        weight (``array_like``, optional): Weights :math:`w`, broadcastable to the input's shape.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``. Default: ``"mean"``.
        pos_weight (``array_like``, optional): Positive-class weights :math:`p`, broadcastable to
            the input's shape.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise an
        array of the input's shape.

    Raises:
        TypeError: If an array is not numeric.
        ValueError: If the shapes differ, ``weight`` or ``pos_weight`` does not broadcast, or
            ``reduction`` is unknown.

    Example:
        >>> from lossbook import binary_cross_entropy_with_logits
        >>> binary_cross_entropy_with_logits([0.0, -1e4], [1.0, 1.0], reduction="none")
        array([6.93147181e-01, 1.00000000e+04])

    Reference:
        Bishop, *Pattern Recognition and Machine Learning*, Springer 2006, section 4.3.2.
    """
    x, y, w, p = _bce_logits_inputs(
        "binary_cross_entropy_with_logits",
        input,
        target,
        weight,
        reduction,
        pos_weight,
    )
    log_sig = log_sigmoid(x)
    if pos_weight is not None:
        log_sig *= 1 + (p - 1) * y  # the log weight; 1 without pos_weight
    loss = (1 - y) * x - log_sig
    return _v.reduce(loss if weight is None else w * loss, reduction)


def binary_cross_entropy_with_logits_grad(
    input, target, *, weight=None, reduction="mean", pos_weight=None
):
    r"""Gradient of :func:`binary_cross_entropy_with_logits` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial x_i} =
        w_i \big[(1 + (p - 1)\, y_i)\, \sigma(x_i) - p\, y_i\big] \cdot s,
        \qquad s = 1/n \text{ for "mean", else } 1

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import binary_cross_entropy_with_logits_grad
        >>> binary_cross_entropy_with_logits_grad([0.0, 0.0], [1.0, 0.0], reduction="sum")
        array([-0.5,  0.5])
    """
    x, y, w, p = _bce_logits_inputs(
        "binary_cross_entropy_with_logits_grad",
        input,
        target,
        weight,
        reduction,
        pos_weight,
    )
    if pos_weight is None:
        g = sigmoid(x) - y
    else:
        g = (1 + (p - 1) * y) * sigmoid(x) - p * y
    if weight is not None:
        g *= w
    g *= _v.grad_scale(reduction, x.size)
    return np.asarray(g)


def _kl_inputs(fname, input, target, reduction):
    x, t = _v.same_shape(fname, input, target)
    _v.check_reduction(fname, reduction, ("none", "batchmean", "sum", "mean"))
    divisor = {"mean": x.size, "batchmean": x.shape[0] if x.ndim else 1}.get(
        reduction, 1
    )
    return x, t, divisor


def kl_div(input, target, *, reduction="mean", log_target=False):
    r"""Kullback-Leibler divergence of the target distribution from log-probabilities ``input``.

    With :math:`x = \log q` (log-probabilities of the model) and target probabilities :math:`t`,

    .. math:: \ell_i = t_i (\log t_i - x_i), \qquad 0 \log 0 = 0,

    or, with ``log_target=True`` and :math:`t` given as log-probabilities,
    :math:`\ell_i = e^{t_i} (t_i - x_i)`. Summed over a distribution this is
    :math:`\mathrm{KL}(t \,\|\, q) \ge 0`; single terms may be negative.

    Reductions: ``"batchmean"`` divides :math:`\sum_i \ell_i` by the batch size (the length of
    the first axis) and is the true mean KL per sample; ``"mean"`` (torch's default, kept here)
    divides by the number of elements, which is not a KL divergence; ``"sum"`` and ``"none"``
    as usual.

    Gradient (:func:`kl_div_grad`): :math:`-t_i` (or :math:`-e^{t_i}` with ``log_target``).

    Matches ``torch.nn.functional.kl_div``, except that shapes must be equal (torch broadcasts;
    lossbook raises) and ``"mean"`` does not warn. Note the argument order: the model's
    log-probabilities first, the target second.

    Args:
        input (``array_like``): Log-probabilities :math:`x`, any shape (rows are distributions).
        target (``array_like``): Probabilities :math:`t` (or log-probabilities with
            ``log_target=True``), the same shape as ``input``.
        reduction (str): ``"mean"``, ``"batchmean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.
        log_target (bool): Whether ``target`` holds log-probabilities. Default: ``False``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise an
        array of the input's shape.

    Raises:
        TypeError: If an array is not numeric.
        ValueError: If the shapes differ or ``reduction`` is unknown.

    Example:
        >>> import numpy as np
        >>> from lossbook import kl_div
        >>> kl_div(np.log([[0.5, 0.5]]), [[1.0, 0.0]], reduction="batchmean")  # log 2
        0.6931471805599453

    Reference:
        Kullback and Leibler, "On Information and Sufficiency", Annals of Mathematical
        Statistics 22(1), 1951.
    """
    x, t, divisor = _kl_inputs("kl_div", input, target, reduction)
    if log_target:
        loss = np.exp(t) * (t - x)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            loss = np.where(t == 0, 0, t * np.log(t)) - t * x
    if reduction in ("none", "sum"):
        return _v.reduce(loss, reduction)
    return _v.reduce(loss, "mean", divisor)


def kl_div_grad(input, target, *, reduction="mean", log_target=False):
    r"""Gradient of :func:`kl_div` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial x_i} = -t_i \cdot s
        \quad (\text{or } -e^{t_i} \cdot s \text{ with log\_target})

    with :math:`s` = 1/batch size for ``"batchmean"``, 1/number of elements for ``"mean"``,
    else 1.

    Returns:
        ``numpy.ndarray``: An array of the input's shape.

    Example:
        >>> from lossbook import kl_div_grad
        >>> kl_div_grad([[-0.7, -0.7]], [[1.0, 0.0]], reduction="batchmean")
        array([[-1., -0.]])
    """
    x, t, divisor = _kl_inputs("kl_div_grad", input, target, reduction)
    return np.asarray(-(np.exp(t) if log_target else t) / divisor)
