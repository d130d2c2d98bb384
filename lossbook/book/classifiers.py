r"""Small classifiers on 2-D data: build, train, predict, draw their regions.

The classification chapters train the same kind of model again and again: a
small multilayer perceptron (MLP) that maps a point of the plane to :math:`C`
logits, trained full-batch on a few hundred synthetic points
(:func:`~lossbook.book.make_blobs`, :func:`~lossbook.book.make_spirals`).
This module holds those pieces, so that a chapter's experiment is a few lines
and two chapters train exactly the same way.

The loss is always a parameter: :func:`train_classifier` calls
``loss_fn(logits, targets)``, so cross-entropy on class indices, MSE between
softmax outputs and one-hot targets, or any other loss on the logits can be
compared on the same model, data and optimiser.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from .training import fit

_ACTIVATIONS = {
    "tanh": torch.nn.Tanh,
    "relu": torch.nn.ReLU,
    "sigmoid": torch.nn.Sigmoid,
}


def make_mlp(
    in_features: int = 2,
    num_classes: int = 3,
    *,
    hidden: Sequence[int] = (32,),
    activation: str = "tanh",
    seed: int = 0,
    dtype: torch.dtype = torch.float32,
) -> torch.nn.Sequential:
    r"""An MLP that maps ``in_features`` inputs to ``num_classes`` logits.

    The network is ``Linear -> activation -> ... -> Linear``: one hidden layer
    per entry of ``hidden``, and a last linear layer with no activation, so its
    outputs are **logits** :math:`z \in \mathbb R^C`, the input that
    :func:`torch.nn.functional.cross_entropy` expects. With ``hidden=()`` it is
    a linear (softmax-regression) model. The weights get PyTorch's default
    initialisation, drawn from a generator seeded with ``seed``, so the same
    call always gives the same network whatever the global seed.

    Args:
        in_features: inputs per example (2 for points of the plane).
        num_classes: number of outputs :math:`C` (logits); 1 for a binary model
            used with ``BCEWithLogitsLoss``.
        hidden: widths of the hidden layers, possibly empty.
        activation: ``"tanh"``, ``"relu"`` or ``"sigmoid"``, used after every
            hidden layer.
        seed: seed of the weights' initialisation.
        dtype: the parameters' dtype.

    Returns:
        A :class:`torch.nn.Sequential` whose output for an ``(N, in_features)``
        input has shape ``(N, num_classes)``.

    Raises:
        ValueError: if a size is below 1 or ``activation`` is unknown.

    Example:
        >>> import torch
        >>> model = make_mlp(2, 3, hidden=(8,), seed=1)
        >>> model(torch.zeros(5, 2)).shape
        torch.Size([5, 3])
        >>> again = make_mlp(2, 3, hidden=(8,), seed=1)
        >>> bool(torch.equal(model[0].weight, again[0].weight))
        True
    """
    if in_features < 1 or num_classes < 1 or any(h < 1 for h in hidden):
        raise ValueError(
            "make_mlp: in_features, num_classes and every hidden width must "
            f"be at least 1, got in_features={in_features}, "
            f"num_classes={num_classes}, hidden={tuple(hidden)}."
        )
    if activation not in _ACTIVATIONS:
        raise ValueError(
            f"make_mlp: activation must be one of {sorted(_ACTIVATIONS)}, got "
            f"{activation!r}."
        )
    widths = [in_features, *hidden, num_classes]
    layers: list[torch.nn.Module] = []
    state = torch.random.get_rng_state()
    # Initialise from our own seed, and leave the global generator as it was.
    try:
        torch.manual_seed(seed)
        for i, (fan_in, fan_out) in enumerate(
            zip(widths[:-1], widths[1:], strict=True)
        ):
            layers.append(torch.nn.Linear(fan_in, fan_out, dtype=dtype))
            if i < len(widths) - 2:
                layers.append(_ACTIVATIONS[activation]())
    finally:
        torch.random.set_rng_state(state)
    return torch.nn.Sequential(*layers)


def _as_inputs(X, model: torch.nn.Module) -> torch.Tensor:
    """Inputs as a tensor of the model's dtype (NumPy arrays are converted)."""
    dtype = next(model.parameters()).dtype
    return torch.as_tensor(
        np.asarray(X) if not torch.is_tensor(X) else X, dtype=dtype
    )


def predict(model: torch.nn.Module, X) -> np.ndarray:
    r"""Predicted classes: the index of the largest logit of each row.

    For a model with a single output (a binary classifier on logits) the class
    is 1 where the logit is positive, that is where :math:`\sigma(z) > 1/2`.

    Args:
        model: maps an ``(N, d)`` tensor to ``(N, C)`` logits.
        X: inputs of shape ``(N, d)``, a NumPy array or a tensor.

    Returns:
        An int64 array of shape ``(N,)``.

    Example:
        >>> import numpy as np
        >>> model = make_mlp(2, 3, hidden=(), seed=0)
        >>> predict(model, np.zeros((4, 2))).shape
        (4,)
    """
    with torch.no_grad():
        logits = model(_as_inputs(X, model))
    if logits.shape[-1] == 1:
        return (logits[:, 0] > 0).to(torch.int64).numpy()
    return logits.argmax(dim=1).numpy()


def accuracy(model: torch.nn.Module, X, labels) -> float:
    """The fraction of examples whose predicted class equals their label.

    The predicted class is that of :func:`predict`.

    Args:
        model: maps an ``(N, d)`` tensor to ``(N, C)`` logits.
        X: inputs of shape ``(N, d)``.
        labels: integer class labels of shape ``(N,)``.

    Returns:
        A float in [0, 1].

    Raises:
        ValueError: if ``labels`` does not have one entry per row of ``X``.

    Example:
        >>> import numpy as np
        >>> model = make_mlp(2, 2, hidden=(), seed=0)
        >>> everything = predict(model, np.eye(2))
        >>> accuracy(model, np.eye(2), everything)
        1.0
    """
    labels = np.asarray(labels)
    if labels.shape != (len(X),):
        raise ValueError(
            f"accuracy: labels must have shape (N,) = ({len(X)},), got "
            f"{labels.shape}."
        )
    return float(np.mean(predict(model, X) == labels))


def train_classifier(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    X,
    labels,
    *,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    | None = None,
    targets=None,
    steps: int = 300,
) -> dict[str, np.ndarray]:
    r"""Train a classifier full-batch; record loss and accuracy at each step.

    Each step of :func:`~lossbook.book.fit` (full batch) computes the logits
    of all of ``X``, the loss ``loss_fn(logits, targets)``, back-propagates
    and takes one optimiser step.
    Before the update it records the loss and the accuracy of those logits
    against ``labels``, so ``history["loss"][0]`` is the loss of the untrained
    model. The model is trained in place.

    Args:
        model: maps an ``(N, d)`` tensor to ``(N, C)`` logits (e.g.
            :func:`make_mlp`).
        optimizer: an optimiser over ``model``'s parameters, as for
            :func:`~lossbook.book.fit`.
        X: inputs of shape ``(N, d)``, a NumPy array or a tensor.
        labels: integer class labels of shape ``(N,)``; used for the accuracy,
            and as the targets unless ``targets`` is given.
        loss_fn: maps ``(logits, targets)`` to a scalar tensor; default
            :func:`torch.nn.functional.cross_entropy`.
        targets: what ``loss_fn`` compares the logits with, when it is not the
            labels (for example float one-hot rows for an MSE loss); converted
            to a tensor as given.
        steps: number of optimiser steps.

    Returns:
        The history of :func:`~lossbook.book.fit`: ``"loss"``, ``"lr"`` and
        ``"accuracy"``, float64 arrays with one entry per step.

    Raises:
        ValueError: if ``steps < 1``, or ``labels`` does not have one entry
            per row of ``X``.

    Example:
        >>> import torch.nn.functional as F
        >>> from lossbook.book import make_blobs
        >>> X, labels = make_blobs(20, std=0.5, seed=0)
        >>> model = make_mlp(2, 3, hidden=(), seed=0)
        >>> adam = torch.optim.Adam(model.parameters(), lr=0.05)
        >>> history = train_classifier(
        ...     model, adam, X, labels, loss_fn=F.cross_entropy, steps=100
        ... )
        >>> bool(history["loss"][-1] < history["loss"][0])
        True
        >>> float(history["accuracy"][-1])
        1.0
    """
    if steps < 1:
        raise ValueError(
            f"train_classifier: steps must be at least 1, got {steps}."
        )
    inputs = _as_inputs(X, model)
    labels = torch.as_tensor(np.asarray(labels), dtype=torch.int64)
    if labels.shape != (len(inputs),):
        raise ValueError(
            "train_classifier: labels must have shape (N,) = "
            f"({len(inputs)},), got {tuple(labels.shape)}."
        )
    if targets is None:
        targets = labels
    elif not torch.is_tensor(targets):
        targets = torch.as_tensor(np.asarray(targets))
    if loss_fn is None:
        loss_fn = torch.nn.functional.cross_entropy

    def accuracy_of(logits, _targets):
        """The share of rows whose logits put the label first."""
        if logits.shape[-1] == 1:
            predicted = (logits[:, 0] > 0).to(torch.int64)
        else:
            predicted = logits.argmax(dim=1)
        return (predicted == labels).double().mean().item()

    history = fit(
        model,
        loss_fn,
        optimizer,
        inputs,
        targets,
        steps=steps,
        metrics={"accuracy": accuracy_of},
    )
    model.eval()
    return history


def decision_grid(
    model: torch.nn.Module, X, *, resolution: int = 200, padding: float = 0.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The model's predicted class on a regular grid covering the data.

    The grid spans the bounding box of ``X`` enlarged by ``padding`` on every
    side, with ``resolution`` points along each axis.

    Args:
        model: maps an ``(N, 2)`` tensor to ``(N, C)`` logits.
        X: the data, shape ``(N, 2)``; only its extent is used.
        resolution: grid points along each axis.
        padding: margin added around the data, in the inputs' units.

    Returns:
        ``(xx, yy, classes)``, three arrays of shape
        ``(resolution, resolution)``: the grid's coordinates (as
        :func:`numpy.meshgrid` gives them) and the predicted class at each
        point.

    Raises:
        ValueError: if ``X`` is not of shape ``(N, 2)`` or ``resolution < 2``.

    Example:
        >>> import numpy as np
        >>> model = make_mlp(2, 2, hidden=(), seed=0)
        >>> corners = np.array([[0.0, 0.0], [1.0, 1.0]])
        >>> xx, yy, classes = decision_grid(
        ...     model, corners, resolution=5, padding=0.0
        ... )
        >>> xx.shape, float(xx.min()), float(yy.max())
        ((5, 5), 0.0, 1.0)
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"decision_grid: X must have shape (N, 2), got {X.shape}."
        )
    if resolution < 2:
        raise ValueError(
            f"decision_grid: resolution must be at least 2, got {resolution}."
        )
    low, high = X.min(axis=0) - padding, X.max(axis=0) + padding
    xx, yy = np.meshgrid(
        np.linspace(low[0], high[0], resolution),
        np.linspace(low[1], high[1], resolution),
    )
    classes = predict(model, np.column_stack([xx.ravel(), yy.ravel()]))
    return xx, yy, classes.reshape(xx.shape)


def plot_decision_regions(
    ax,
    model: torch.nn.Module,
    X,
    labels,
    *,
    resolution: int = 200,
    padding: float = 0.5,
    num_classes: int | None = None,
    legend_loc: str = "upper right",
):
    r"""Draw a classifier's decision regions, with the data on top, on an axis.

    Each region is shaded in its class's colour (the default colour cycle,
    class ``k`` in colour ``Ck``) and each point is drawn in the colour of its
    true label, so misclassified points stand out against the region they fall
    in. The axes are labelled :math:`x_1` and :math:`x_2` and a legend, placed
    at ``legend_loc``, names the classes.

    Args:
        ax: a :class:`matplotlib.axes.Axes`.
        model: maps an ``(N, 2)`` tensor to ``(N, C)`` logits.
        X: points of shape ``(N, 2)``.
        labels: integer class labels of shape ``(N,)``.
        resolution: grid points along each axis (see :func:`decision_grid`).
        padding: margin around the data.
        num_classes: number of classes; by default ``labels.max() + 1``.
        legend_loc: where the legend goes, any ``loc`` that matplotlib's
            ``ax.legend`` accepts (``"best"``, ``"lower left"``, ...); default
            ``"upper right"``.

    Returns:
        The axis, for chaining.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import matplotlib.pyplot as plt
        >>> from lossbook.book import make_blobs
        >>> X, labels = make_blobs(10, seed=0)
        >>> fig, ax = plt.subplots()
        >>> model = make_mlp(2, 3, seed=0)
        >>> ax = plot_decision_regions(ax, model, X, labels, resolution=20)
        >>> ax.get_xlabel()
        '$x_1$'
        >>> plt.close(fig)
    """
    from matplotlib.colors import ListedColormap

    X, labels = np.asarray(X), np.asarray(labels)
    c = int(labels.max()) + 1 if num_classes is None else num_classes
    xx, yy, classes = decision_grid(
        model, X, resolution=resolution, padding=padding
    )
    colours = [f"C{k}" for k in range(c)]
    ax.contourf(
        xx,
        yy,
        classes,
        levels=np.arange(c + 1) - 0.5,
        cmap=ListedColormap(colours),
        alpha=0.25,
    )
    for k in range(c):
        rows = labels == k
        ax.scatter(
            X[rows, 0],
            X[rows, 1],
            s=12,
            color=colours[k],
            edgecolor="white",
            linewidth=0.4,
            label=f"class {k}",
        )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")
    ax.legend(loc=legend_loc)
    return ax
