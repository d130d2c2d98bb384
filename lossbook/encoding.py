r"""Target encodings: one-hot vectors and label smoothing."""

import numpy as np

from . import _validation as _v


def one_hot(labels, num_classes=-1):
    r"""One-hot encode integer class labels.

    .. math:: \operatorname{one\_hot}(y)_{\dots, c} = [\, y_{\dots} = c \,],
        \qquad c = 0, \dots, C - 1

    Matches ``torch.nn.functional.one_hot(labels, num_classes)``: the result
    has a new last axis of length :math:`C` and dtype int64; ``num_classes=-1``
    uses ``labels.max() + 1``.

    Args:
        labels (``array_like``): Non-negative integer labels of any shape.
        num_classes (int): The number of classes :math:`C`, or ``-1`` to infer
            it. Default: ``-1``.

    Returns:
        ``numpy.ndarray``: An int64 array of shape ``labels.shape + (C,)``.

    Raises:
        TypeError: If ``labels`` is not an int64 array: float labels, and
            int32 or uint8 ones too, as ``F.one_hot`` refuses them.
        ValueError: If a label is negative or not smaller than ``num_classes``,
            if ``num_classes`` is 0 or below -1, or if it must be inferred from
            empty labels.

    Example:
        >>> from lossbook import one_hot
        >>> one_hot([0, 2, 1])
        array([[1, 0, 0],
               [0, 0, 1],
               [0, 1, 0]])
    """
    y, c = _v.check_labels("one_hot", labels, num_classes, int64=True)
    return _encode("one_hot", y, c)


def _encode(fname, y, c):
    """The one-hot array of checked labels ``y`` with ``c`` classes."""
    try:
        return (y[..., None] == np.arange(c)).astype(np.int64)
    except (
        ValueError,
        MemoryError,
    ) as err:  # e.g. labels.max() + 1 = 2**62 classes
        raise ValueError(
            f"{fname}: {y.size} labels with {c} classes are too many to "
            f"one-hot encode ({err}). Pass smaller labels or num_classes."
        ) from err


def smooth_labels(target, num_classes=-1, *, label_smoothing):
    r"""Label smoothing: mix the targets with the uniform distribution.

    .. math:: \tilde p_{ic} = (1 - \varepsilon)\, p_{ic} + \varepsilon / C

    where :math:`p` is the one-hot encoding of integer labels or the given
    class probabilities (last axis of length :math:`C`). Every class receives
    :math:`\varepsilon / C`, the true one included, as in
    ``torch.nn.functional.cross_entropy(..., label_smoothing=eps)``:
    cross-entropy against ``smooth_labels(target, C, label_smoothing=eps)``
    equals cross-entropy with ``label_smoothing=eps`` (without class weights).

    Args:
        target (``array_like``): Integer labels of any shape, or float class
            probabilities whose last axis holds the :math:`C` classes.
        num_classes (int): :math:`C` for integer labels (``-1``:
            ``labels.max() + 1``); for probabilities ``-1`` or the length of
            the last axis. Default: ``-1``.
        label_smoothing (float): :math:`\varepsilon \in [0, 1]`.

    Returns:
        ``numpy.ndarray``: Probabilities of shape ``labels.shape + (C,)``
        (float64), or of the probabilities' shape and dtype.

    Raises:
        TypeError: If ``target`` is not numeric or ``label_smoothing`` is not a
            number.
        ValueError: If ``label_smoothing`` is outside [0, 1], labels are
            invalid as in :func:`one_hot`, or ``num_classes`` does not match
            the probabilities.

    Example:
        >>> from lossbook import smooth_labels
        >>> # 0.7 + 0.1 on the true class, 0.1 on the others
        >>> smooth_labels([0, 2], 3, label_smoothing=0.3)
        array([[0.8, 0.1, 0.1],
               [0.1, 0.1, 0.8]])

    Reference:
        Szegedy et al., "Rethinking the Inception Architecture for Computer
        Vision", CVPR 2016, section 7.
    """
    eps = _v.check_number(
        "smooth_labels", "label_smoothing", label_smoothing, low=0, high=1
    )
    t = _v.as_array("smooth_labels", "target", target)
    if t.dtype.kind in "iu":
        y, c = _v.check_labels("smooth_labels", t, num_classes, name="target")
        t = _encode("smooth_labels", y, c).astype(np.float64)
    else:
        t = _v.as_float_array("smooth_labels", "target", t)
        _v.check_num_classes("smooth_labels", t, num_classes)
    return (1 - eps) * t + eps / t.shape[-1]
