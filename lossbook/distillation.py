r"""Knowledge distillation: a student matched to a teacher's softened outputs.

Hinton, Vinyals and Dean (2015) train a small *student* network on the
class probabilities of a large *teacher*, both softened by a temperature
:math:`T > 1` so that the teacher's small probabilities, which say which wrong
classes look alike, carry weight. The loss is the KL divergence between the
two softened distributions, multiplied by :math:`T^2` so that its gradient
keeps the same scale whatever the temperature.
"""

import numpy as np

from . import _validation as _v
from .special import log_softmax


def _distillation_terms(fname, input, target, temperature, reduction):
    s, t = _v.same_shape(fname, input, target)
    _v.check_logits(fname, s)
    _v.check_reduction(fname, reduction, ("batchmean", "sum", "none"))
    temperature = _v.check_number(
        fname, "temperature", temperature, low=0, low_open=True
    )
    log_q = log_softmax(s / temperature)  # the student's softened log-probs
    log_p = log_softmax(t / temperature)  # the teacher's
    divisor = s.shape[0] if reduction == "batchmean" else 1
    return log_q, log_p, temperature, divisor


def distillation_loss(
    input, target, *, temperature=1.0, reduction="batchmean"
):
    r"""Hinton et al.'s soft-target loss: :math:`T^2` times a KL divergence.

    With student logits :math:`s` (``input``), teacher logits :math:`t`
    (``target``), temperature :math:`T`, :math:`q_i =
    \operatorname{softmax}(s_i / T)` and :math:`p_i =
    \operatorname{softmax}(t_i / T)`,

    .. math:: \ell_i = T^2\, \mathrm{KL}(p_i \,\|\, q_i)
        = T^2 \sum_k p_{ik} (\log p_{ik} - \log q_{ik}).

    ``"batchmean"`` (the default) divides :math:`\sum_i \ell_i` by
    :math:`N`; ``"sum"`` does not; ``"none"`` returns :math:`\ell`, shape
    ``(N,)``. In PyTorch it is
    ``F.kl_div(F.log_softmax(s / T, 1), F.log_softmax(t / T, 1),
    reduction="batchmean", log_target=True) * T**2``, which the tests use as
    the oracle.

    Args:
        input (``array_like``): Student logits :math:`s`, shape ``(N, C)``.
        target (``array_like``): Teacher logits :math:`t`, shape ``(N, C)``
            (held fixed: no gradient flows to the teacher).
        temperature (float): :math:`T > 0`. Default: ``1.0``.
        reduction (str): ``"batchmean"``, ``"sum"`` or ``"none"``.
            Default: ``"batchmean"``.

    Returns:
        ``float`` or ``numpy.ndarray``: A Python float when reduced, otherwise
        one loss per sample, shape ``(N,)``.

    Raises:
        TypeError: If an array or an option is not numeric.
        ValueError: If the shapes differ or are not ``(N, C)``, ``reduction``
            is unknown or ``temperature <= 0``.

    Example:
        >>> from lossbook import distillation_loss
        >>> distillation_loss([[1.0, 2.0]], [[1.0, 2.0]], temperature=4.0)
        0.0

    Reference:
        Hinton, Vinyals and Dean, "Distilling the Knowledge in a Neural
        Network", NIPS Deep Learning Workshop, 2015.
    """
    log_q, log_p, temperature, divisor = _distillation_terms(
        "distillation_loss", input, target, temperature, reduction
    )
    kl = np.sum(np.exp(log_p) * (log_p - log_q), axis=1)
    return _v.reduce(temperature**2 * kl, reduction, divisor)


def distillation_loss_grad(
    input, target, *, temperature=1.0, reduction="batchmean"
):
    r"""Gradient of :func:`distillation_loss` with respect to the student.

    .. math:: \frac{\partial \ell_i}{\partial s_{ik}} = T\,(q_{ik} - p_{ik}),

    divided by :math:`N` for ``"batchmean"``. The :math:`T^2` of the loss and
    the :math:`1/T` of the softened logits leave one factor :math:`T`; for
    large :math:`T`, :math:`q - p \approx (s - t)/(CT)` minus its row mean,
    so the gradient tends to :math:`(s - t)/C` centred: the temperature no
    longer sets its scale.

    Returns:
        ``numpy.ndarray``: The gradient, shape ``(N, C)``.

    Example:
        >>> from lossbook import distillation_loss_grad
        >>> distillation_loss_grad([[0.0, 0.0]], [[0.0, 0.0]], temperature=2.0)
        array([[0., 0.]])
    """
    log_q, log_p, temperature, divisor = _distillation_terms(
        "distillation_loss_grad", input, target, temperature, reduction
    )
    g = temperature * (np.exp(log_q) - np.exp(log_p))
    return np.asarray(g / divisor)
