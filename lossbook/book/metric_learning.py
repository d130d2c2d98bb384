r"""Learn a 2-D embedding of labelled clusters, and measure retrieval.

The metric-learning chapter trains a small network that maps points of a
higher-dimensional space to the plane, with a triplet loss and with InfoNCE,
and measures how well the embedding retrieves points of the same class. The
pieces that are not the lesson live here:

* :func:`make_clusters`: labelled clusters whose classes differ in a few
  directions, hidden among directions of larger, class-free variance;
* :func:`sample_pairs`: one (anchor, positive) pair per class, the batch both
  losses train on;
* :func:`train_embedding`: Adam on such batches, the loss given as a function
  of the two embedded halves;
* :func:`recall_at_1`: the share of points whose nearest other point (in
  Euclidean distance or in cosine similarity) has their class;
* :func:`plot_embedding`: the points of the plane, coloured by class.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch


def make_clusters(
    num_classes: int = 8,
    per_class: int = 40,
    *,
    informative: int = 4,
    nuisance: int = 6,
    separation: float = 2.5,
    spread: float = 0.6,
    nuisance_std: float = 3.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""Labelled clusters in ``informative + nuisance`` dimensions.

    Class :math:`c` has a centre :math:`\mu_c \sim \mathcal N(0, I)` in the
    first ``informative`` coordinates; a point of it is :math:`\mu_c` plus
    :math:`\mathcal N(0, \text{spread}^2)` noise there, and
    :math:`\mathcal N(0, \text{nuisance\_std}^2)` noise, the same for every
    class, in the other ``nuisance`` coordinates. With the default
    ``nuisance_std`` larger than the centres' spread, the directions of
    largest variance carry no class information.

    Args:
        num_classes: number of classes.
        per_class: points per class, in the training set and again in the
            held-out set.
        informative: coordinates in which the classes differ.
        nuisance: coordinates of class-free noise.
        spread: standard deviation of a class around its centre.
        nuisance_std: standard deviation of the nuisance coordinates.
        seed: seed of the draw.

    Returns:
        ``(X_train, y_train, X_test, y_test)``: float64 points of shape
        ``(num_classes * per_class, informative + nuisance)`` and int64
        labels; both sets share the centres.
    """
    if num_classes < 2 or per_class < 2:
        raise ValueError(
            "make_clusters: need num_classes >= 2 and per_class >= 2 (a "
            f"point's nearest other point of its class); got {num_classes} "
            f"and {per_class}."
        )
    g = np.random.default_rng(seed)
    centres = separation * g.standard_normal((num_classes, informative))

    def draw():
        y = np.repeat(np.arange(num_classes), per_class)
        signal = centres[y] + spread * g.standard_normal((len(y), informative))
        noise = nuisance_std * g.standard_normal((len(y), nuisance))
        return np.concatenate([signal, noise], axis=1), y

    X_train, y_train = draw()
    X_test, y_test = draw()
    return X_train, y_train, X_test, y_test


def sample_pairs(
    X: torch.Tensor, labels: torch.Tensor, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """One (anchor, positive) pair per class: two different points of it.

    Returns ``(anchors, positives)``, each of shape ``(C, D)``; row ``c`` of
    both is of class ``c``, so row ``c`` of one half is a positive for row
    ``c`` of the other and every other row is a negative.
    """
    num_classes = int(labels.max()) + 1
    anchors, positives = [], []
    for c in range(num_classes):
        members = torch.nonzero(labels == c)[:, 0]
        pick = torch.randperm(len(members), generator=generator)[:2]
        anchors.append(members[pick[0]])
        positives.append(members[pick[1]])
    return X[torch.stack(anchors)], X[torch.stack(positives)]


def train_embedding(
    net: torch.nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    X: np.ndarray,
    labels: np.ndarray,
    *,
    steps: int = 300,
    lr: float = 0.01,
    generator: torch.Generator,
) -> np.ndarray:
    """Train ``net`` with Adam on :func:`sample_pairs` batches.

    Each step embeds a fresh batch of pairs and minimises
    ``loss_fn(net(anchors), net(positives))``. The network's dtype sets the
    data's. Returns the loss of every step (float64 array).
    """
    dtype = next(net.parameters()).dtype
    X_t = torch.as_tensor(X, dtype=dtype)
    labels_t = torch.as_tensor(labels)
    adam = torch.optim.Adam(net.parameters(), lr=lr)
    history = np.zeros(steps)
    for step in range(steps):
        xa, xp = sample_pairs(X_t, labels_t, generator)
        loss = loss_fn(net(xa), net(xp))
        adam.zero_grad()
        loss.backward()
        adam.step()
        history[step] = loss.item()
    return history


def recall_at_1(
    embeddings: np.ndarray, labels: np.ndarray, *, metric: str = "euclidean"
) -> float:
    """Share of points whose nearest *other* point has the same label.

    ``metric="euclidean"`` ranks by distance, ``"cosine"`` by cosine
    similarity (the directions only). Each point is a query against all the
    others (leave one out).
    """
    e = np.asarray(embeddings, dtype=np.float64)
    if metric == "cosine":
        e = e / np.linalg.norm(e, axis=1, keepdims=True)
        score = -(e @ e.T)  # smaller is closer
    elif metric == "euclidean":
        score = np.sum((e[:, None, :] - e[None, :, :]) ** 2, axis=-1)
    else:
        raise ValueError(
            "recall_at_1: metric must be 'euclidean' or 'cosine'; got "
            f"{metric!r}."
        )
    np.fill_diagonal(score, np.inf)  # a point is not its own neighbour
    nearest = np.argmin(score, axis=1)
    return float(np.mean(labels[nearest] == labels))


def plot_embedding(ax, embeddings, labels, title: str = ""):
    """Scatter 2-D ``embeddings`` coloured by class on ``ax``; returns it."""
    e = np.asarray(embeddings)
    for c in np.unique(labels):
        pts = e[labels == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=9, color=f"C{c % 10}", alpha=0.8)
    ax.set_title(title)
    ax.set_aspect("equal", adjustable="datalim")
    return ax
