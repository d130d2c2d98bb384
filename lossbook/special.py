r"""Numerically stable primitives that the losses are built from.

Each one is finite for any finite input, however large: exponentials are only
ever taken of numbers :math:`\le 0`, so they cannot overflow.
"""

import numpy as np

from . import _validation as _v


def logsumexp(input, dim=-1, keepdim=False):
    r"""Logarithm of the sum of exponentials along ``dim``, without overflow.

    .. math::

        \operatorname{logsumexp}(x) = \log \sum_i e^{x_i}
        = m + \log \sum_i e^{x_i - m}, \qquad m = \max_i x_i .

    Shifting by the maximum :math:`m` makes the largest exponent
    :math:`e^0 = 1`, so nothing overflows and the sum is at least 1. An
    infinite maximum is not subtracted (as in torch), so a row of
    :math:`-\infty` gives :math:`-\infty` and a :math:`+\infty` gives
    :math:`+\infty`.

    Its gradient with respect to :math:`x` is :func:`softmax` :math:`(x)`.

    Matches ``torch.logsumexp(input, dim, keepdim)``; here ``dim`` defaults to
    the last axis.

    Args:
        input (``array_like``): Real numbers of any shape.
        dim (int or tuple of int): The axis or axes to reduce. Default: ``-1``.
        keepdim (bool): Keep the reduced axes with length 1.
            Default: ``False``.

    Returns:
        ``numpy.ndarray``: The logsumexp, in the input's floating dtype
        (float64 for int input).

    Raises:
        TypeError: If ``input`` is not numeric.

    Example:
        >>> from lossbook import logsumexp
        >>> logsumexp([1000.0, 1000.0])  # log(2 e^1000), no overflow
        array(1000.69314718)

    Reference:
        Blanchard, Higham and Higham, "Accurately computing the log-sum-exp and
        softmax functions", IMA Journal of Numerical Analysis 41(4), 2021.
    """
    x = _v.as_float_array("logsumexp", "input", input)
    _v.check_dim("logsumexp", x, dim, allow_tuple=True)
    m = np.max(x, axis=dim, keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        out = m + np.log(np.sum(np.exp(x - m), axis=dim, keepdims=True))
    return np.asarray(out if keepdim else np.squeeze(out, axis=dim))


def log_softmax(input, dim=-1):
    r"""Log of the softmax along ``dim``: log-probabilities from logits.

    .. math::

        \log \operatorname{softmax}(x)_i = x_i - \operatorname{logsumexp}(x)

    Computed as a difference, never as the log of a probability that may have
    underflowed to 0, so it is finite for any finite input.

    Matches ``torch.nn.functional.log_softmax(input, dim)``; ``dim`` defaults
    to the last axis.

    Args:
        input (``array_like``): Real numbers of any shape, e.g. logits of shape
            ``(N, C)``.
        dim (int): The axis that holds the classes. Default: ``-1``.

    Returns:
        ``numpy.ndarray``: An array of the input's shape whose exponentials sum
        to 1 along ``dim``.

    Raises:
        TypeError: If ``input`` is not numeric.

    Example:
        >>> from lossbook import log_softmax
        >>> log_softmax([0.0, 0.0, 1e4])  # two probabilities of e^-10000
        array([-10000., -10000.,      0.])
    """
    x = _v.as_float_array("log_softmax", "input", input)
    _v.check_dim("log_softmax", x, dim)
    return np.asarray(x - logsumexp(x, dim=dim, keepdim=True))


def softmax(input, dim=-1):
    r"""Softmax along ``dim``: probabilities from scores (logits).

    .. math::

        \operatorname{softmax}(x)_i = \frac{e^{x_i - m}}{\sum_j e^{x_j - m}},
        \qquad m = \max_j x_j

    The shift by :math:`m` cancels between numerator and denominator and
    prevents overflow.

    Matches ``torch.softmax(input, dim)``; ``dim`` defaults to the last axis.

    Args:
        input (``array_like``): Real numbers of any shape, e.g. logits of shape
            ``(N, C)``.
        dim (int): The axis that holds the classes. Default: ``-1``.

    Returns:
        ``numpy.ndarray``: Non-negative values of the input's shape that sum to
        1 along ``dim``.

    Raises:
        TypeError: If ``input`` is not numeric.

    Example:
        >>> from lossbook import softmax
        >>> softmax([1.0, 1.0, 1.0, 1.0])
        array([0.25, 0.25, 0.25, 0.25])
    """
    x = _v.as_float_array("softmax", "input", input)
    _v.check_dim("softmax", x, dim)
    e = np.exp(x - np.max(x, axis=dim, keepdims=True, initial=-np.inf))
    e /= np.sum(e, axis=dim, keepdims=True)
    return np.asarray(e)


def sigmoid(input):
    r"""The logistic sigmoid, elementwise, without overflow.

    .. math::

        \sigma(x) = \frac{1}{1 + e^{-x}} =
        \begin{cases}
            1 / (1 + e^{-|x|}) & x \ge 0 \\
            e^{-|x|} / (1 + e^{-|x|}) & x < 0
        \end{cases}

    Only :math:`e^{-|x|} \le 1` is ever computed. Its derivative is
    :math:`\sigma(x)\,(1 - \sigma(x))`.

    Matches ``torch.sigmoid(input)``.

    Args:
        input (``array_like``): Real numbers of any shape.

    Returns:
        ``numpy.ndarray``: Values in [0, 1], of the input's shape.

    Raises:
        TypeError: If ``input`` is not numeric.

    Example:
        >>> from lossbook import sigmoid
        >>> sigmoid([-1e4, 0.0, 1e4])
        array([0. , 0.5, 1. ])
    """
    x = _v.as_float_array("sigmoid", "input", input)
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.asarray(np.where(x >= 0, 1, e) / (1 + e))


def log_sigmoid(input):
    r"""Log of the sigmoid, elementwise, without overflow or :math:`\log 0`.

    .. math::

        \log \sigma(x) = -\log(1 + e^{-x}) = \min(x, 0) - \log(1 + e^{-|x|})

    Its derivative is :math:`1 - \sigma(x) = \sigma(-x)`.

    Matches ``torch.nn.functional.logsigmoid(input)``.

    Args:
        input (``array_like``): Real numbers of any shape.

    Returns:
        ``numpy.ndarray``: Values :math:`\le 0`, of the input's shape.

    Raises:
        TypeError: If ``input`` is not numeric.

    Example:
        >>> from lossbook import log_sigmoid
        >>> log_sigmoid([-1e4, 0.0])  # about -1e4, not log(0) = -inf
        array([-1.00000000e+04, -6.93147181e-01])
    """
    x = _v.as_float_array("log_sigmoid", "input", input)
    return np.asarray(np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x))))
