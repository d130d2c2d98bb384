r"""Compare losses and target forms for classification on one network.

Whether a classifier should be trained with cross-entropy on class indices,
with the mean squared error between its softmax outputs and one-hot targets, or
with one sigmoid per class, is a question about the loss only. To answer it
fairly, everything else must be the same: the data, the network and its initial
weights, the optimiser, the learning rate and the number of steps.
:func:`compare_losses` does exactly that, on top of
``lossbook.book.make_mlp`` and ``lossbook.book.train_classifier``.

Every loss here takes **logits** of shape ``(N, C)`` and **integer labels** of
shape ``(N,)`` and builds the target form it needs itself, with ``num_classes``
taken from the logits, so a batch that happens to lack the last class still
gets one-hot rows of the right width.

Two measurements go with them: :func:`logit_gradient`, the gradient of a loss
with respect to the logits (what back-propagation sends into the network), and
:func:`confidence_stats`, how confident a set of logits is (for label
smoothing, which caps it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .classifiers import make_mlp, train_classifier

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _one_hot_like(
    fname: str, logits: torch.Tensor, labels: torch.Tensor
) -> torch.Tensor:
    """Float one-hot rows of the logits' shape and dtype, labels checked."""
    if logits.ndim != 2:
        raise ValueError(
            f"{fname}: logits must have shape (N, C), got "
            f"{tuple(logits.shape)}."
        )
    if labels.dtype not in (torch.int64, torch.int32, torch.uint8):
        raise TypeError(
            f"{fname}: labels must be integer class indices, got dtype "
            f"{labels.dtype}. Pass labels.long() for indices."
        )
    if labels.shape != logits.shape[:1]:
        raise ValueError(
            f"{fname}: labels must have shape (N,) = ({logits.shape[0]},) to "
            f"match the logits {tuple(logits.shape)}, got "
            f"{tuple(labels.shape)}."
        )
    labels = labels.long()
    if labels.numel() and (
        labels.min() < 0 or labels.max() >= logits.shape[1]
    ):
        raise ValueError(
            f"{fname}: labels must lie in 0 .. C-1 = {logits.shape[1] - 1} "
            f"for logits of shape {tuple(logits.shape)}, got values from "
            f"{labels.min().item()} to {labels.max().item()}."
        )
    return F.one_hot(labels, logits.shape[1]).to(logits.dtype)


def softmax_mse_loss(
    logits: torch.Tensor, labels: torch.Tensor
) -> torch.Tensor:
    r"""Mean squared error between softmax probabilities and one-hot targets.

    .. math:: L = \frac{1}{NC} \sum_{i=1}^{N} \sum_{c=1}^{C}
        \big(\operatorname{softmax}(z_i)_c - [y_i = c]\big)^2

    This is ``F.mse_loss(logits.softmax(1), F.one_hot(labels, C).float())``
    with the mean over all :math:`N C` entries (PyTorch's default). Its
    gradient with respect to :math:`z_{ij}` carries the softmax Jacobian
    :math:`p_{ij}(\delta_{cj} - p_{ic})`, which vanishes when the prediction is
    confident, right or wrong.

    Args:
        logits: tensor of shape ``(N, C)``.
        labels: integer tensor of shape ``(N,)`` with values in ``0 .. C-1``.

    Returns:
        A scalar tensor, differentiable with respect to ``logits``.

    Raises:
        TypeError: if ``labels`` is not an integer tensor.
        ValueError: if the shapes do not match or a label is out of range.

    Example:
        >>> import torch
        >>> logits = torch.tensor([[0.0, 0.0]])  # p = (1/2, 1/2)
        >>> labels = torch.tensor([0])
        >>> softmax_mse_loss(logits, labels).item()  # ((1/2)^2 + (1/2)^2) / 2
        0.25
    """
    targets = _one_hot_like("softmax_mse_loss", logits, labels)
    return F.mse_loss(torch.softmax(logits, dim=1), targets)


def sigmoid_mse_loss(
    logits: torch.Tensor, labels: torch.Tensor
) -> torch.Tensor:
    r"""Mean squared error between per-class sigmoids and one-hot targets.

    .. math:: L = \frac{1}{NC} \sum_{i=1}^{N} \sum_{c=1}^{C}
        \big(\sigma(z_{ic}) - [y_i = c]\big)^2

    Each output is squashed on its own, as in the classic networks trained with
    squared error. The gradient with respect to :math:`z_{ic}` is

    .. math:: \tfrac{2}{NC}(\sigma(z_{ic}) - t_{ic})\,
        \sigma(z_{ic})(1 - \sigma(z_{ic}))

    The factor :math:`\sigma'(z)` vanishes when a unit saturates, on the wrong
    side as well.

    Args:
        logits: tensor of shape ``(N, C)``.
        labels: integer tensor of shape ``(N,)`` with values in ``0 .. C-1``.

    Returns:
        A scalar tensor, differentiable with respect to ``logits``.

    Raises:
        TypeError: if ``labels`` is not an integer tensor.
        ValueError: if the shapes do not match or a label is out of range.

    Example:
        >>> import torch
        >>> logits, labels = torch.tensor([[0.0, 0.0]]), torch.tensor([1])
        >>> sigmoid_mse_loss(logits, labels).item()
        0.25
    """
    targets = _one_hot_like("sigmoid_mse_loss", logits, labels)
    return F.mse_loss(torch.sigmoid(logits), targets)


def one_vs_rest_bce_loss(
    logits: torch.Tensor, labels: torch.Tensor
) -> torch.Tensor:
    r"""Binary cross-entropy of one sigmoid per class against one-hot targets.

    .. math:: L = -\frac{1}{NC} \sum_{i, c} \big(t_{ic} \log \sigma(z_{ic})
        + (1 - t_{ic}) \log(1 - \sigma(z_{ic}))\big), \qquad t_{ic} = [y_i = c]

    The same sigmoid outputs as :func:`sigmoid_mse_loss` with a log-likelihood
    instead of a squared error, computed stably by
    ``F.binary_cross_entropy_with_logits``. Its gradient with respect to
    :math:`z_{ic}` is :math:`(\sigma(z_{ic}) - t_{ic}) / (NC)`: no
    :math:`\sigma'` factor.

    Args:
        logits: tensor of shape ``(N, C)``.
        labels: integer tensor of shape ``(N,)`` with values in ``0 .. C-1``.

    Returns:
        A scalar tensor, differentiable with respect to ``logits``.

    Raises:
        TypeError: if ``labels`` is not an integer tensor.
        ValueError: if the shapes do not match or a label is out of range.

    Example:
        >>> import math, torch
        >>> logits, labels = torch.tensor([[0.0, 0.0]]), torch.tensor([0])
        >>> loss = one_vs_rest_bce_loss(logits, labels)
        >>> math.isclose(loss.item(), math.log(2), rel_tol=1e-6)
        True
    """
    targets = _one_hot_like("one_vs_rest_bce_loss", logits, labels)
    return F.binary_cross_entropy_with_logits(logits, targets)


def classification_losses() -> dict[str, LossFn]:
    """The four losses the one-hot chapter compares, by name.

    Each one is called as ``loss_fn(logits, labels)``.

    Returns:
        dict: in this order, ``"cross-entropy"`` (``F.cross_entropy`` on class
        indices), ``"MSE on softmax"`` (:func:`softmax_mse_loss`),
        ``"MSE on sigmoids"`` (:func:`sigmoid_mse_loss`) and
        ``"BCE on sigmoids"`` (:func:`one_vs_rest_bce_loss`).

    Example:
        >>> for name in classification_losses():
        ...     print(name)
        cross-entropy
        MSE on softmax
        MSE on sigmoids
        BCE on sigmoids
    """
    return {
        "cross-entropy": F.cross_entropy,
        "MSE on softmax": softmax_mse_loss,
        "MSE on sigmoids": sigmoid_mse_loss,
        "BCE on sigmoids": one_vs_rest_bce_loss,
    }


@dataclass
class LossRun:
    """One training run of :func:`compare_losses`: its history and its model.

    Attributes:
        history: the run's history, as :func:`~lossbook.book.fit` returns it
            (``"loss"``, ``"lr"`` and ``"accuracy"``, float64 arrays with one
            entry per step, measured before the step's update).
        model: the trained network.
    """

    history: dict[str, np.ndarray]
    model: torch.nn.Module

    @property
    def loss(self) -> np.ndarray:
        """The training loss at every step, before the step's update."""
        return self.history["loss"]

    @property
    def accuracy(self) -> np.ndarray:
        """The training accuracy of the same logits, at every step."""
        return self.history["accuracy"]


def compare_losses(
    losses: Mapping[str, LossFn],
    X,
    labels,
    *,
    hidden: Sequence[int] = (32, 32),
    activation: str = "tanh",
    steps: int = 400,
    make_optimizer: Callable[..., torch.optim.Optimizer] | None = None,
    seed: int = 0,
    dtype: torch.dtype = torch.float64,
) -> dict[str, LossRun]:
    r"""Train one network from the same initial weights once per loss.

    For every ``name, loss_fn`` in ``losses``, a fresh
    ``lossbook.book.make_mlp`` with the given ``hidden``, ``activation``,
    ``seed`` and ``dtype`` (hence identical initial weights in every run) is
    trained full-batch by ``lossbook.book.train_classifier`` with
    ``loss_fn(logits, labels)``, an optimiser made the same way and the same
    number of steps. Only the loss differs between the runs, so any
    difference in the curves is the loss's doing.

    Args:
        losses: names mapped to functions of ``(logits, labels)``, such as
            :func:`classification_losses`.
        X: inputs of shape ``(N, d)``.
        labels: integer class labels of shape ``(N,)``; the number of classes
            is ``labels.max() + 1``.
        hidden: widths of the hidden layers.
        activation: the hidden layers' activation (see
            ``lossbook.book.make_mlp``).
        steps: optimiser steps per run.
        make_optimizer: builds each run's optimiser from the model's
            parameters, e.g. ``lambda p: torch.optim.SGD(p, lr=1.0)`` (the
            default: plain gradient descent at rate 1).
        seed: seed of the initial weights, the same for every run.
        dtype: the network's dtype.

    Returns:
        ``{name: LossRun}`` in the order of ``losses``.

    Raises:
        ValueError: if ``losses`` is empty, or as
            ``lossbook.book.train_classifier`` does.

    Example:
        >>> from lossbook.book import make_blobs
        >>> X, labels = make_blobs(20, std=0.5, seed=0)
        >>> runs = compare_losses(
        ...     classification_losses(), X, labels, hidden=(8,), steps=50
        ... )
        >>> runs["cross-entropy"].loss.shape
        (50,)
        >>> float(runs["cross-entropy"].accuracy[-1])
        1.0
    """
    if not losses:
        raise ValueError(
            "compare_losses: losses is empty; pass at least one name: "
            "loss_fn pair."
        )
    if make_optimizer is None:

        def make_optimizer(params):
            return torch.optim.SGD(params, lr=1.0)

    X = np.asarray(X)
    labels = np.asarray(labels)
    num_classes = int(labels.max()) + 1 if labels.size else 0
    runs: dict[str, LossRun] = {}
    for name, loss_fn in losses.items():
        model = make_mlp(
            X.shape[1],
            num_classes,
            hidden=hidden,
            activation=activation,
            seed=seed,
            dtype=dtype,
        )
        optimizer = make_optimizer(model.parameters())
        history = train_classifier(
            model, optimizer, X, labels, loss_fn=loss_fn, steps=steps
        )
        runs[name] = LossRun(history, model)
    return runs


def logit_gradient(loss_fn: LossFn, logits, targets) -> np.ndarray:
    r"""The gradient of a loss with respect to the logits, by autograd.

    :math:`\partial L / \partial z` is what back-propagation hands to the last
    layer of a network; everything before it is scaled by it. Comparing it
    across losses at the same logits shows which loss still pushes when a
    prediction is wrong.

    Args:
        loss_fn: maps ``(logits, targets)`` to a scalar tensor.
        logits: array or tensor of any shape ``loss_fn`` accepts; converted to
            float64.
        targets: passed to ``loss_fn`` unchanged if a tensor; a NumPy integer
            array becomes an int64 tensor and a float array a float64 tensor.

    Returns:
        A float64 array of the logits' shape.

    Raises:
        ValueError: if ``loss_fn`` does not return a scalar.

    Example:
        >>> import numpy as np, torch.nn.functional as F
        >>> z, labels = np.zeros((1, 2)), np.array([0])
        >>> logit_gradient(F.cross_entropy, z, labels)  # p - y
        array([[-0.5,  0.5]])
    """
    z = torch.tensor(
        np.asarray(logits, dtype=np.float64)
        if not torch.is_tensor(logits)
        else logits.detach().to(torch.float64),
        requires_grad=True,
    )
    if not torch.is_tensor(targets):
        t = np.asarray(targets)
        targets = torch.as_tensor(
            t, dtype=torch.int64 if t.dtype.kind in "iub" else torch.float64
        )
    loss = loss_fn(z, targets)
    if loss.ndim != 0:
        raise ValueError(
            "logit_gradient: loss_fn must return a scalar, got shape "
            f"{tuple(loss.shape)}; use reduction='mean' or 'sum'."
        )
    (grad,) = torch.autograd.grad(loss, z)
    return grad.numpy()


def confidence_stats(logits) -> dict[str, float]:
    r"""How confident a batch of logits is: mean top probability, logit gap.

    For each row :math:`z_i \in \mathbb R^C` (with :math:`C \ge 2`),

    .. math::

        \text{max\_probability}_i = \max_c \operatorname{softmax}(z_i)_c,
        \qquad
        \text{logit\_gap}_i = \max_c z_{ic}
            - \frac{1}{C - 1}\sum_{c \ne c^*} z_{ic},

    where :math:`c^*` is the top class; both are averaged over the rows.
    Cross-entropy on hard one-hot targets keeps pushing the gap towards
    infinity; with label smoothing :math:`\varepsilon` its minimum sits at a
    finite gap :math:`\log\big(1 + (1 - \varepsilon) C / \varepsilon\big)`,
    where the top probability is :math:`1 - \varepsilon + \varepsilon / C`.

    Args:
        logits: array or tensor of shape ``(N, C)``.

    Returns:
        ``{"max_probability": float, "logit_gap": float}``.

    Raises:
        ValueError: if ``logits`` is not of shape ``(N, C)`` with ``N >= 1``
            and ``C >= 2``.

    Example:
        >>> stats = confidence_stats([[2.0, 0.0, 0.0]])
        >>> # the top probability is e^2 / (e^2 + 2)
        >>> round(stats["max_probability"], 4), stats["logit_gap"]
        (0.787, 2.0)
    """
    z = (
        logits.detach().to(torch.float64).numpy()
        if torch.is_tensor(logits)
        else np.asarray(logits, dtype=np.float64)
    )
    if z.ndim != 2 or z.shape[0] < 1 or z.shape[1] < 2:
        raise ValueError(
            "confidence_stats: logits must have shape (N, C) with N >= 1 and "
            f"C >= 2, got {z.shape}."
        )
    shifted = z - z.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    top = z.max(axis=1)
    rest = (z.sum(axis=1) - top) / (z.shape[1] - 1)
    return {
        "max_probability": float(probs.max(axis=1).mean()),
        "logit_gap": float(np.mean(top - rest)),
    }
