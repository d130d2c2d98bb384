r"""Overlap losses: soft Dice and Jaccard for masks, IoU losses for boxes.

A segmentation mask and a bounding box are both sets, and the natural score
of a prediction is how much it overlaps the truth: the intersection over the
union (IoU, the Jaccard index) or the Dice coefficient. The soft versions of
Dice and Jaccard replace set sizes by sums of probabilities (Milletari,
Navab and Ahmadi 2016); the box losses are :math:`1 - \mathrm{IoU}` plus a
penalty that still has a slope when the boxes do not overlap: the empty part
of the smallest enclosing box (GIoU, Rezatofighi et al. 2019), the distance
between the centres (DIoU) and a term for the aspect ratio (CIoU, both
Zheng et al. 2020). The box losses match ``torchvision.ops``, eps and
reductions included.
"""

import numpy as np

from . import _validation as _v


def _mask_terms(
    fname, input, target, smooth_nr, smooth_dr, squared, reduction
):
    """Checked inputs and the per-sample sums of the soft Dice and Jaccard."""
    p, y = _v.same_shape(fname, input, target)
    _v.check_reduction(fname, reduction)
    if p.ndim < 2:
        raise ValueError(
            f"{fname}: input must have shape (N, *), one sample per row "
            f"and at least 2 axes; got shape {p.shape}. For one mask, pass "
            "input[None] and target[None]."
        )
    if not np.all((p >= 0) & (p <= 1)):  # NaN too
        seen = p[~np.isnan(p)]
        got = f"[{seen.min()}, {seen.max()}]" if seen.size else "only NaN"
        raise ValueError(
            f"{fname}: input must hold probabilities in [0, 1]; got values "
            f"in {got}{' and NaN' if seen.size < p.size else ''}. For logits, "
            "apply a sigmoid (or a softmax over the classes) first."
        )
    _v.check_probability_range(fname, "target", y)
    smooth_nr = _v.check_number(fname, "smooth_nr", smooth_nr, low=0)
    smooth_dr = _v.check_number(fname, "smooth_dr", smooth_dr, low=0)
    squared = _v.check_bool(fname, "squared", squared)
    axes = tuple(range(1, p.ndim))
    inter = np.sum(p * y, axis=axes)
    if squared:
        total = np.sum(p * p, axis=axes) + np.sum(y * y, axis=axes)
    else:
        total = np.sum(p, axis=axes) + np.sum(y, axis=axes)
    return p, y, inter, total, smooth_nr, smooth_dr, squared


def _rows(a, ndim):
    """A per-sample array of shape (N,) broadcast against (N, *)."""
    return a.reshape(a.shape + (1,) * (ndim - 1))


def dice_loss(
    input,
    target,
    *,
    smooth_nr=1e-5,
    smooth_dr=1e-5,
    squared=False,
    reduction="mean",
):
    r"""The soft Dice loss of probabilities against a mask, one per sample.

    For sample :math:`i` with probabilities :math:`p` and target :math:`y`
    (sums over all axes but the first),

    .. math::

        \ell_i = 1 - \frac{2 \sum_j p_{ij} y_{ij} + s_{nr}}
            {\sum_j p_{ij} + \sum_j y_{ij} + s_{dr}},

    or, with ``squared=True`` (the V-Net form of Milletari et al.), with
    :math:`\sum_j p_{ij}^2 + \sum_j y_{ij}^2` in the denominator. On hard
    masks :math:`1 - \ell_i` is the Dice coefficient
    :math:`2|A \cap B| / (|A| + |B|)`. The smoothing constants keep an
    empty prediction of an empty mask defined: with
    :math:`s_{nr} = s_{dr} > 0` its loss is 0, with :math:`s_{nr} = 0` it
    is 1. ``"mean"`` averages over the :math:`N` samples (per-image Dice);
    for one Dice over the whole batch, pass ``input.reshape(1, -1)`` and
    ``target.reshape(1, -1)``.

    PyTorch has no Dice loss; the option names follow MONAI's ``DiceLoss``
    (``smooth_nr``, ``smooth_dr`` and their defaults; ``squared`` is its
    ``squared_pred``). The tests check this formula written in torch, with
    autograd, and finite differences.

    Args:
        input (``array_like``): Probabilities in [0, 1], shape ``(N, *)``
            with at least 2 axes.
        target (``array_like``): The mask (0/1, or soft in [0, 1]), the
            input's shape.
        smooth_nr (float): :math:`s_{nr} \ge 0`, added to the numerator.
            Default: ``1e-5``.
        smooth_dr (float): :math:`s_{dr} \ge 0`, added to the denominator.
            Default: ``1e-5``.
        squared (bool): Square the terms of the denominator.
            Default: ``False``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        one loss per sample, shape ``(N,)``.

    Raises:
        TypeError: If an array or an option is not numeric, or ``squared``
            is not a bool.
        ValueError: If the shapes differ, the input has fewer than 2 axes, a
            value is outside [0, 1], a smoothing constant is negative or
            ``reduction`` is unknown.

    Example:
        >>> import numpy as np
        >>> from lossbook import dice_loss
        >>> y = np.array([[1.0, 1.0, 0.0, 0.0]])
        >>> p = np.array([[1.0, 0.0, 1.0, 0.0]])  # one of two pixels right
        >>> round(dice_loss(p, y, smooth_nr=0.0, smooth_dr=0.0), 4)
        0.5

    Reference:
        Milletari, Navab and Ahmadi, "V-Net: Fully Convolutional Neural
        Networks for Volumetric Medical Image Segmentation", 3DV 2016.
    """
    _, _, inter, total, s_nr, s_dr, _ = _mask_terms(
        "dice_loss", input, target, smooth_nr, smooth_dr, squared, reduction
    )
    return _v.reduce(1 - (2 * inter + s_nr) / (total + s_dr), reduction)


def dice_loss_grad(
    input,
    target,
    *,
    smooth_nr=1e-5,
    smooth_dr=1e-5,
    squared=False,
    reduction="mean",
):
    r"""Gradient of :func:`dice_loss` with respect to the probabilities.

    With :math:`n_i = 2 \sum_j p_{ij} y_{ij} + s_{nr}` and
    :math:`d_i = \sum_j p_{ij} + \sum_j y_{ij} + s_{dr}`,

    .. math:: \frac{\partial \ell_i}{\partial p_{ij}} =
        -\frac{2 y_{ij}}{d_i} + \frac{n_i}{d_i^2}\, c_{ij},
        \qquad c_{ij} = 1 \text{ (or } 2 p_{ij} \text{ if squared)},

    times :math:`1/N` for ``"mean"``. Every pixel's gradient depends on the
    whole sample through :math:`n_i` and :math:`d_i`: a background pixel
    (:math:`y = 0`) is pushed down by :math:`n_i / d_i^2`, which is small
    while the overlap is small.

    Returns:
        ``numpy.ndarray``: The gradient, the input's shape.

    Example:
        >>> import numpy as np
        >>> from lossbook import dice_loss_grad
        >>> dice_loss_grad(np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]]),
        ...                smooth_nr=0.0, smooth_dr=0.0)
        array([[-0.75,  0.25]])
    """
    p, y, inter, total, s_nr, s_dr, squared = _mask_terms(
        "dice_loss_grad",
        input,
        target,
        smooth_nr,
        smooth_dr,
        squared,
        reduction,
    )
    num = _rows(2 * inter + s_nr, p.ndim)
    den = _rows(total + s_dr, p.ndim)
    dtotal = 2 * p if squared else 1.0
    g = -2 * y / den + num * dtotal / den**2
    return np.asarray(g * _v.grad_scale(reduction, p.shape[0]))


def jaccard_loss(
    input,
    target,
    *,
    smooth_nr=1e-5,
    smooth_dr=1e-5,
    squared=False,
    reduction="mean",
):
    r"""The soft Jaccard (IoU) loss of probabilities against a mask.

    For sample :math:`i`, with :math:`I_i = \sum_j p_{ij} y_{ij}` and
    :math:`S_i = \sum_j p_{ij} + \sum_j y_{ij}` (squared terms with
    ``squared=True``),

    .. math::

        \ell_i = 1 - \frac{I_i + s_{nr}}{S_i - I_i + s_{dr}}.

    On hard masks :math:`I_i` and :math:`S_i - I_i` are the sizes of the
    intersection and the union, and the Jaccard index :math:`J` and the
    Dice coefficient :math:`D` are tied by :math:`J = D / (2 - D)`. Options
    and reductions as in :func:`dice_loss` (whose option names follow
    MONAI's; MONAI's ``jaccard=True`` puts the constants in another place).

    Args:
        input (``array_like``): Probabilities in [0, 1], shape ``(N, *)``
            with at least 2 axes.
        target (``array_like``): The mask, the input's shape.
        smooth_nr (float): Added to the numerator. Default: ``1e-5``.
        smooth_dr (float): Added to the denominator. Default: ``1e-5``.
        squared (bool): Square the terms of :math:`S`. Default: ``False``.
        reduction (str): ``"mean"``, ``"sum"`` or ``"none"``.
            Default: ``"mean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        one loss per sample, shape ``(N,)``.

    Raises:
        TypeError: If an array or an option is not numeric, or ``squared``
            is not a bool.
        ValueError: As :func:`dice_loss`.

    Example:
        >>> import numpy as np
        >>> from lossbook import jaccard_loss
        >>> y = np.array([[1.0, 1.0, 0.0, 0.0]])
        >>> p = np.array([[1.0, 0.0, 1.0, 0.0]])  # |A n B| = 1, |A u B| = 3
        >>> round(jaccard_loss(p, y, smooth_nr=0.0, smooth_dr=0.0), 4)
        0.6667

    Reference:
        Jaccard, "The distribution of the flora in the alpine zone", New
        Phytologist 11(2), 1912; Rahman and Wang, "Optimizing
        Intersection-Over-Union in Deep Neural Networks for Image
        Segmentation", ISVC 2016.
    """
    _, _, inter, total, s_nr, s_dr, _ = _mask_terms(
        "jaccard_loss",
        input,
        target,
        smooth_nr,
        smooth_dr,
        squared,
        reduction,
    )
    return _v.reduce(1 - (inter + s_nr) / (total - inter + s_dr), reduction)


def jaccard_loss_grad(
    input,
    target,
    *,
    smooth_nr=1e-5,
    smooth_dr=1e-5,
    squared=False,
    reduction="mean",
):
    r"""Gradient of :func:`jaccard_loss` with respect to the probabilities.

    With :math:`n_i = I_i + s_{nr}` and :math:`u_i = S_i - I_i + s_{dr}`,

    .. math:: \frac{\partial \ell_i}{\partial p_{ij}} =
        -\frac{y_{ij}}{u_i} + \frac{n_i}{u_i^2}\,(c_{ij} - y_{ij}),
        \qquad c_{ij} = 1 \text{ (or } 2 p_{ij} \text{ if squared)},

    times :math:`1/N` for ``"mean"``.

    Returns:
        ``numpy.ndarray``: The gradient, the input's shape.

    Example:
        >>> import numpy as np
        >>> from lossbook import jaccard_loss_grad
        >>> jaccard_loss_grad(np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]]),
        ...                   smooth_nr=0.0, smooth_dr=0.0)
        array([[-0.66666667,  0.22222222]])
    """
    p, y, inter, total, s_nr, s_dr, squared = _mask_terms(
        "jaccard_loss_grad",
        input,
        target,
        smooth_nr,
        smooth_dr,
        squared,
        reduction,
    )
    num = _rows(inter + s_nr, p.ndim)
    den = _rows(total - inter + s_dr, p.ndim)
    dtotal = 2 * p if squared else 1.0
    g = -y / den + num * (dtotal - y) / den**2
    return np.asarray(g * _v.grad_scale(reduction, p.shape[0]))


# -- boxes ------------------------------------------------------------------

TORCHVISION_EPS = 1e-7  # torchvision's default, fixed inside its CIoU's IoU


def _check_boxes(fname, name, b):
    if b.ndim == 0 or b.shape[-1] != 4:
        raise ValueError(
            f"{fname}: {name} must have shape (..., 4), one box "
            f"(x1, y1, x2, y2) per row; got shape {b.shape}."
        )
    for lo, hi, axis in ((0, 2, "x"), (1, 3, "y")):
        bad = b[..., hi] < b[..., lo]  # NaN passes, as in torchvision
        if bad.any():
            at = tuple(int(i) for i in np.argwhere(bad)[0])
            which = "" if not at else f" {at[0] if len(at) == 1 else at}"
            raise ValueError(
                f"{fname}: {name} must hold boxes (x1, y1, x2, y2) with "
                f"{axis}1 <= {axis}2; box{which} has {axis}1 = "
                f"{b[at + (lo,)]} > {axis}2 = {b[at + (hi,)]}. Boxes given "
                "as (cx, cy, w, h) or (x, y, w, h) must be converted first "
                "(torchvision.ops.box_convert)."
            )


def _dmax(a, b):
    """d max(a, b) / da as torch's autograd gives it: 1/2 at a tie."""
    return np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))


def _dmin(a, b):
    """d min(a, b) / da as torch's autograd gives it: 1/2 at a tie."""
    return np.where(a < b, 1.0, np.where(a == b, 0.5, 0.0))


class _Boxes:
    """Checked boxes and the pieces the four losses share (as torchvision).

    ``d_iou`` etc. are the partial derivatives with respect to the input's
    (x1, y1, x2, y2), as a list of four arrays.
    """

    def __init__(self, fname, input, target, reduction, eps):
        b, g = _v.same_shape(fname, input, target)
        _v.check_reduction(fname, reduction, ("none", "mean", "sum"))
        _check_boxes(fname, "input", b)
        _check_boxes(fname, "target", g)
        self.eps = _v.check_number(fname, "eps", eps, low=0)
        self.reduction, self.shape, self.dtype = reduction, b.shape, b.dtype
        self.x1, self.y1, self.x2, self.y2 = (b[..., k] for k in range(4))
        self.x1g, self.y1g, self.x2g, self.y2g = (g[..., k] for k in range(4))

    def iou(self, eps):
        """IoU = I / (U + eps), with I and U as torchvision's
        ``_loss_inter_union`` computes them."""
        s = self
        self.iw = np.minimum(s.x2, s.x2g) - np.maximum(s.x1, s.x1g)
        self.ih = np.minimum(s.y2, s.y2g) - np.maximum(s.y1, s.y1g)
        self.mask = (self.ih > 0) & (self.iw > 0)
        self.inter = np.where(self.mask, self.iw * self.ih, 0).astype(s.dtype)
        self.w, self.h = s.x2 - s.x1, s.y2 - s.y1
        self.wg, self.hg = s.x2g - s.x1g, s.y2g - s.y1g
        self.union = self.w * self.h + self.wg * self.hg - self.inter
        self.cw = np.maximum(s.x2, s.x2g) - np.minimum(s.x1, s.x1g)
        self.ch = np.maximum(s.y2, s.y2g) - np.minimum(s.y1, s.y1g)
        return self.inter / (self.union + eps)

    def d_iou(self, iou, eps):
        s, m = self, self.mask.astype(self.dtype)
        d_inter = [
            -m * s.ih * _dmax(s.x1, s.x1g),
            -m * s.iw * _dmax(s.y1, s.y1g),
            m * s.ih * _dmin(s.x2, s.x2g),
            m * s.iw * _dmin(s.y2, s.y2g),
        ]
        d_area = [-s.h, -s.w, s.h, s.w]
        self.d_union = [a - i for a, i in zip(d_area, d_inter, strict=True)]
        den = s.union + eps
        return [
            (i - iou * u) / den
            for i, u in zip(d_inter, self.d_union, strict=True)
        ]

    def d_enclosing(self):
        """Derivatives of the enclosing box's width and height."""
        s = self
        dcw = [-_dmin(s.x1, s.x1g), 0.0, _dmax(s.x2, s.x2g), 0.0]
        dch = [0.0, -_dmin(s.y1, s.y1g), 0.0, _dmax(s.y2, s.y2g)]
        return dcw, dch

    def centres(self, eps):
        """Squared centre distance and squared enclosing diagonal (+ eps)."""
        s = self
        dx = (s.x2 + s.x1) / 2 - (s.x1g + s.x2g) / 2
        dy = (s.y2 + s.y1) / 2 - (s.y1g + s.y2g) / 2
        self.dx, self.dy = dx, dy
        return dx**2 + dy**2, s.cw**2 + s.ch**2 + eps

    def d_centres(self, dist, diag):
        s = self
        dcw, dch = self.d_enclosing()
        d_dist = [s.dx, s.dy, s.dx, s.dy]
        d_diag = [
            2 * s.cw * a + 2 * s.ch * b for a, b in zip(dcw, dch, strict=True)
        ]
        return [
            dd / diag - dist * dg / diag**2
            for dd, dg in zip(d_dist, d_diag, strict=True)
        ]

    def reduce(self, loss):
        return _v.reduce(loss, self.reduction, max(loss.size, 1))

    def grad(self, parts):
        g = np.stack([np.broadcast_to(p, self.shape[:-1]) for p in parts], -1)
        n = int(np.prod(self.shape[:-1]))
        return np.asarray(g * _v.grad_scale(self.reduction, n), self.dtype)


def box_iou_loss(input, target, *, reduction="none", eps=1e-7):
    r"""The IoU loss of boxes: one minus their intersection over union.

    For a predicted box :math:`B` and a target box :math:`B^{g}`, each
    :math:`(x_1, y_1, x_2, y_2)` with :math:`x_1 \le x_2`,
    :math:`y_1 \le y_2`,

    .. math:: \ell = 1 - \frac{|B \cap B^g|}{|B \cup B^g| + \varepsilon}.

    It is 0 for identical boxes and 1 for boxes that do not overlap,
    however far apart: then its gradient is exactly 0. torchvision has no
    function for it; it is the first term of the three below, computed as
    they compute it (boxes that only touch have intersection 0).

    Args:
        input (``array_like``): Predicted boxes, shape ``(..., 4)``.
        target (``array_like``): Target boxes, the input's shape.
        reduction (str): ``"none"``, ``"mean"`` or ``"sum"``; ``"mean"`` of
            no boxes is 0, as in torchvision. Default: ``"none"``.
        eps (float): :math:`\varepsilon \ge 0`. Default: ``1e-7``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        one loss per box, shape ``input.shape[:-1]``.

    Raises:
        TypeError: If an array or an option is not numeric.
        ValueError: If the shapes differ, the last axis is not 4, a box has
            :math:`x_2 < x_1` or :math:`y_2 < y_1`, ``eps < 0`` or
            ``reduction`` is unknown.

    Example:
        >>> from lossbook import box_iou_loss
        >>> # two 2 x 2 boxes overlapping in a 1 x 2 strip: IoU = 2 / 6
        >>> loss = box_iou_loss([0.0, 0.0, 2.0, 2.0], [1.0, 0.0, 3.0, 2.0])
        >>> round(float(loss), 4)
        0.6667

    Reference:
        Yu, Jiang, Wang, Cao and Huang, "UnitBox: An Advanced Object
        Detection Network", ACM Multimedia 2016.
    """
    s = _Boxes("box_iou_loss", input, target, reduction, eps)
    return s.reduce(1 - s.iou(s.eps))


def box_iou_loss_grad(input, target, *, reduction="none", eps=1e-7):
    r"""Gradient of :func:`box_iou_loss` with respect to the input boxes.

    With :math:`I = i_w i_h` (the overlap's width and height),
    :math:`U = wh + w^g h^g - I` and
    :math:`\mathrm{IoU} = I/(U + \varepsilon)`,

    .. math:: \frac{\partial \ell}{\partial b} =
        -\frac{\partial_b I - \mathrm{IoU}\, \partial_b U}{U + \varepsilon},

    where, for :math:`b = x_2`, :math:`\partial I = i_h` if the predicted
    right edge is the overlap's (:math:`x_2 < x_2^g`), 0 otherwise, 1/2 of
    it at a tie (as torch's autograd of ``torch.min`` gives it), and
    :math:`\partial U = h - \partial I`. Without overlap it is 0.

    Returns:
        ``numpy.ndarray``: The gradient, the input's shape.

    Example:
        >>> from lossbook import box_iou_loss_grad
        >>> box_iou_loss_grad([0.0, 0.0, 1.0, 1.0], [5.0, 0.0, 6.0, 1.0])
        array([0., 0., 0., 0.])
    """
    s = _Boxes("box_iou_loss_grad", input, target, reduction, eps)
    iou = s.iou(s.eps)
    return s.grad([-d for d in s.d_iou(iou, s.eps)])


def generalized_box_iou_loss(input, target, *, reduction="none", eps=1e-7):
    r"""The GIoU loss of Rezatofighi et al.: IoU loss plus empty space.

    With :math:`C` the area of the smallest box enclosing both,

    .. math:: \ell = 1 - \mathrm{IoU} + \frac{C - U}{C + \varepsilon},

    :math:`\mathrm{IoU} = I / (U + \varepsilon)`. The second term is the
    share of the enclosing box that neither box covers: for disjoint boxes
    it grows as they move apart, so the loss still has a slope. It lies in
    :math:`[0, 2)` and, like the IoU, does not change when both boxes are
    scaled by the same factor (up to :math:`\varepsilon`).

    Matches ``torchvision.ops.generalized_box_iou_loss`` (arguments
    ``boxes1``, ``boxes2`` there; same defaults, the same ``eps`` in the same
    places). torchvision is not a dependency: the tests check its formula
    written in torch, with autograd, and finite differences.

    Args:
        input (``array_like``): Predicted boxes, shape ``(..., 4)``.
        target (``array_like``): Target boxes, the input's shape.
        reduction (str): ``"none"``, ``"mean"`` or ``"sum"``.
            Default: ``"none"``.
        eps (float): :math:`\varepsilon \ge 0`. Default: ``1e-7``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        one loss per box, shape ``input.shape[:-1]``.

    Raises:
        TypeError: If an array or an option is not numeric.
        ValueError: As :func:`box_iou_loss`.

    Example:
        >>> from lossbook import generalized_box_iou_loss as giou
        >>> # disjoint: IoU = 0, empty share of the 4 x 1 enclosing box 1/2
        >>> round(float(giou([0.0, 0.0, 1.0, 1.0], [3.0, 0.0, 4.0, 1.0])), 4)
        1.5

    Reference:
        Rezatofighi, Tsoi, Gwak, Sadeghian, Reid and Savarese, "Generalized
        Intersection over Union: A Metric and A Loss for Bounding Box
        Regression", CVPR 2019.
    """
    s = _Boxes("generalized_box_iou_loss", input, target, reduction, eps)
    iou = s.iou(s.eps)
    area_c = s.cw * s.ch
    return s.reduce(1 - (iou - (area_c - s.union) / (area_c + s.eps)))


def generalized_box_iou_loss_grad(
    input, target, *, reduction="none", eps=1e-7
):
    r"""Gradient of :func:`generalized_box_iou_loss` w.r.t. the input boxes.

    With :math:`P = (C - U)/(C + \varepsilon)`,

    .. math:: \frac{\partial \ell}{\partial b} =
        -\partial_b \mathrm{IoU}
        + \frac{\partial_b C - \partial_b U}{C + \varepsilon}
        - \frac{(C - U)\, \partial_b C}{(C + \varepsilon)^2},

    :math:`\partial_b \mathrm{IoU}` as in :func:`box_iou_loss_grad`, and,
    for :math:`b = x_2`, :math:`\partial C = c_h` if the predicted right
    edge is the enclosing box's, 0 otherwise (1/2 at a tie).

    Returns:
        ``numpy.ndarray``: The gradient, the input's shape.

    Example:
        >>> from lossbook import generalized_box_iou_loss_grad as giou_grad
        >>> # disjoint boxes: moving x2 right (towards the target) lowers it
        >>> giou_grad([0.0, 0.0, 1.0, 1.0], [3.0, 0.0, 4.0, 1.0]).round(4) + 0
        array([ 0.125,  0.   , -0.25 ,  0.   ])
    """
    s = _Boxes("generalized_box_iou_loss_grad", input, target, reduction, eps)
    iou = s.iou(s.eps)
    d_iou = s.d_iou(iou, s.eps)
    dcw, dch = s.d_enclosing()
    area_c = s.cw * s.ch
    den = area_c + s.eps
    parts = []
    for di, du, a, b in zip(d_iou, s.d_union, dcw, dch, strict=True):
        dc = a * s.ch + b * s.cw
        parts.append(-di + (dc - du) / den - (area_c - s.union) * dc / den**2)
    return s.grad(parts)


def distance_box_iou_loss(input, target, *, reduction="none", eps=1e-7):
    r"""The DIoU loss of Zheng et al.: IoU loss plus centre distance.

    With :math:`\rho^2` the squared distance between the two boxes' centres
    and :math:`c^2` the squared diagonal of the smallest enclosing box,

    .. math:: \ell = 1 - \mathrm{IoU}
        + \frac{\rho^2}{c^2 + \varepsilon}.

    The penalty pulls the centres together directly, overlapping or not,
    and lies in :math:`[0, 1)`, so the loss lies in :math:`[0, 2)`.

    Matches ``torchvision.ops.distance_box_iou_loss`` (same defaults, same
    ``eps`` placement); checked against its formula written in torch.

    Args:
        input (``array_like``): Predicted boxes, shape ``(..., 4)``.
        target (``array_like``): Target boxes, the input's shape.
        reduction (str): ``"none"``, ``"mean"`` or ``"sum"``.
            Default: ``"none"``.
        eps (float): :math:`\varepsilon \ge 0`. Default: ``1e-7``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        one loss per box, shape ``input.shape[:-1]``.

    Raises:
        TypeError: If an array or an option is not numeric.
        ValueError: As :func:`box_iou_loss`.

    Example:
        >>> from lossbook import distance_box_iou_loss as diou
        >>> # centres 3 apart, enclosing box 4 x 1: 1 - 0 + 9 / 17
        >>> round(float(diou([0.0, 0.0, 1.0, 1.0], [3.0, 0.0, 4.0, 1.0])), 4)
        1.5294

    Reference:
        Zheng, Wang, Liu, Li, Ye and Ren, "Distance-IoU Loss: Faster and
        Better Learning for Bounding Box Regression", AAAI 2020.
    """
    s = _Boxes("distance_box_iou_loss", input, target, reduction, eps)
    iou = s.iou(s.eps)
    dist, diag = s.centres(s.eps)
    return s.reduce(1 - iou + dist / diag)


def distance_box_iou_loss_grad(input, target, *, reduction="none", eps=1e-7):
    r"""Gradient of :func:`distance_box_iou_loss` w.r.t. the input boxes.

    .. math:: \frac{\partial \ell}{\partial b} =
        -\partial_b \mathrm{IoU} + \frac{\partial_b \rho^2}{c^2 + \varepsilon}
        - \frac{\rho^2\, \partial_b c^2}{(c^2 + \varepsilon)^2},

    with :math:`\partial \rho^2 / \partial x_1 = \partial \rho^2 /
    \partial x_2 = x_c - x_c^g` (the centres' horizontal offset) and
    :math:`c^2 = c_w^2 + c_h^2`.

    Returns:
        ``numpy.ndarray``: The gradient, the input's shape.

    Example:
        >>> from lossbook import distance_box_iou_loss_grad as diou_grad
        >>> diou_grad([0.0, 0.0, 1.0, 1.0], [3.0, 0.0, 4.0, 1.0]).round(4)
        array([ 0.0727,  0.0311, -0.1765, -0.0311])
    """
    s = _Boxes("distance_box_iou_loss_grad", input, target, reduction, eps)
    iou = s.iou(s.eps)
    d_iou = s.d_iou(iou, s.eps)
    dist, diag = s.centres(s.eps)
    d_pen = s.d_centres(dist, diag)
    return s.grad([-di + dp for di, dp in zip(d_iou, d_pen, strict=True)])


def _aspect(s):
    """CIoU's aspect term v and dv/dw, dv/dh of the predicted box."""
    k = 4 / (np.pi**2)
    gap = np.arctan(s.wg / s.hg) - np.arctan(s.w / s.h)
    v = k * gap**2
    with np.errstate(divide="ignore", invalid="ignore"):
        datan = 1 / (1 + (s.w / s.h) ** 2)  # d atan(r) / dr, r = w / h
        dv_dw = -2 * k * gap * datan / s.h
        dv_dh = 2 * k * gap * datan * s.w / s.h**2
    return v, dv_dw, dv_dh


def complete_box_iou_loss(input, target, *, reduction="none", eps=1e-7):
    r"""The CIoU loss of Zheng et al.: DIoU plus an aspect-ratio term.

    .. math:: \ell = \ell_{\mathrm{DIoU}} + \alpha v, \quad
        v = \frac{4}{\pi^2}\Big(\arctan\frac{w^g}{h^g}
            - \arctan\frac{w}{h}\Big)^2, \quad
        \alpha = \frac{v}{1 - \mathrm{IoU} + v + \varepsilon},

    where :math:`w, h` are the predicted box's width and height. The
    weight :math:`\alpha` is a constant in the gradient (computed under
    ``torch.no_grad()`` in torchvision, as in the paper): it only says how
    much the aspect term counts, larger once the boxes overlap well.

    Matches ``torchvision.ops.complete_box_iou_loss``, including one detail
    of its code: its ``eps`` enters :math:`\alpha` only, while the IoU and
    the DIoU term inside it use the default ``1e-7`` whatever ``eps`` is.
    Checked against that formula written in torch.

    Args:
        input (``array_like``): Predicted boxes, shape ``(..., 4)``.
        target (``array_like``): Target boxes, the input's shape.
        reduction (str): ``"none"``, ``"mean"`` or ``"sum"``.
            Default: ``"none"``.
        eps (float): :math:`\varepsilon \ge 0` in :math:`\alpha`.
            Default: ``1e-7``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        one loss per box, shape ``input.shape[:-1]``. A box of zero width
        and height gives NaN (:math:`0/0` in :math:`w/h`), as in torchvision.

    Raises:
        TypeError: If an array or an option is not numeric.
        ValueError: As :func:`box_iou_loss`.

    Example:
        >>> from lossbook import complete_box_iou_loss as ciou
        >>> # same centre, 2 x 1 against 1 x 2: IoU = 1/3, plus alpha v
        >>> round(float(ciou([0.0, 0.5, 2.0, 1.5], [0.5, 0.0, 1.5, 2.0])), 4)
        0.7004

    Reference:
        Zheng, Wang, Liu, Li, Ye and Ren, "Distance-IoU Loss: Faster and
        Better Learning for Bounding Box Regression", AAAI 2020.
    """
    s = _Boxes("complete_box_iou_loss", input, target, reduction, eps)
    iou = s.iou(TORCHVISION_EPS)
    dist, diag = s.centres(TORCHVISION_EPS)
    v, _, _ = _aspect(s)
    alpha = v / (1 - iou + v + s.eps)
    return s.reduce((1 - iou + dist / diag) + alpha * v)


def complete_box_iou_loss_grad(input, target, *, reduction="none", eps=1e-7):
    r"""Gradient of :func:`complete_box_iou_loss` w.r.t. the input boxes.

    :math:`\alpha` held constant:

    .. math:: \frac{\partial \ell}{\partial b} =
        \frac{\partial \ell_{\mathrm{DIoU}}}{\partial b}
        + \alpha \frac{\partial v}{\partial b}, \qquad
        \frac{\partial v}{\partial w} = -\frac{8}{\pi^2}
        \Big(\arctan\frac{w^g}{h^g} - \arctan\frac{w}{h}\Big)
        \frac{h}{w^2 + h^2},

    :math:`\partial v / \partial h` likewise with :math:`-w` in place of
    :math:`h` in the last factor, and :math:`w = x_2 - x_1`,
    :math:`h = y_2 - y_1`.

    Returns:
        ``numpy.ndarray``: The gradient, the input's shape.

    Example:
        >>> from lossbook import complete_box_iou_loss_grad as ciou_grad
        >>> # identical boxes: no gradient
        >>> g = ciou_grad([0.0, 0.0, 2.0, 1.0], [0.0, 0.0, 2.0, 1.0])
        >>> bool(abs(g).max() < 1e-6)
        True
    """
    s = _Boxes("complete_box_iou_loss_grad", input, target, reduction, eps)
    iou = s.iou(TORCHVISION_EPS)
    d_iou = s.d_iou(iou, TORCHVISION_EPS)
    dist, diag = s.centres(TORCHVISION_EPS)
    d_pen = s.d_centres(dist, diag)
    v, dv_dw, dv_dh = _aspect(s)
    alpha = v / (1 - iou + v + s.eps)
    d_v = [-dv_dw, -dv_dh, dv_dw, dv_dh]
    return s.grad(
        [
            -di + dp + alpha * dv
            for di, dp, dv in zip(d_iou, d_pen, d_v, strict=True)
        ]
    )
