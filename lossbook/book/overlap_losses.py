r"""For the chapter *Overlap losses*: small discs to segment, and their scores.

The data are noisy images, each holding one small bright disc; the task is
to mark the disc's pixels. With a radius of a few pixels the foreground is
about 1 % of the image: the imbalance under which a per-pixel loss and an
overlap loss part ways.
"""

from __future__ import annotations

import numpy as np
import torch


def make_disc_masks(
    n: int, *, size: int, radius: float, noise: float, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Noisy images of one disc each, and the discs' masks.

    Each mask is 1 inside a disc of ``radius`` pixels (centre drawn
    uniformly, the disc kept a pixel away from the border) and 0 elsewhere;
    its image is the mask plus Gaussian noise of standard deviation
    ``noise``. The foreground fraction is about
    :math:`\pi r^2 / \text{size}^2`.

    Args:
        n: number of images.
        size: side of the square images, in pixels.
        radius: the discs' radius, in pixels.
        noise: standard deviation of the noise added to the masks.
        seed: seed of the generator that draws centres and noise.

    Returns:
        ``(images, masks)``, float64 tensors of shape ``(n, 1, size, size)``.

    Example:
        >>> from lossbook.book import make_disc_masks
        >>> images, masks = make_disc_masks(2, size=20, radius=2.0,
        ...                                 noise=0.5, seed=0)
        >>> tuple(images.shape), masks.sum((1, 2, 3)).tolist()
        ((2, 1, 20, 20), [12.0, 14.0])
    """
    if n < 1 or size < 1 or radius <= 0 or noise < 0:
        raise ValueError(
            "make_disc_masks: n and size must be >= 1, radius > 0 and "
            f"noise >= 0; got n={n}, size={size}, radius={radius}, "
            f"noise={noise}."
        )
    if 2 * radius + 2 > size:
        raise ValueError(
            f"make_disc_masks: a disc of radius {radius} does not fit in "
            f"{size} x {size} pixels with a margin of 1."
        )
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[:size, :size]
    centre = rng.uniform(radius + 1, size - radius - 1, (n, 2))
    dy = rows - centre[:, 0, None, None]
    dx = cols - centre[:, 1, None, None]
    masks = (dy**2 + dx**2 <= radius**2).astype(np.float64)
    images = masks + noise * rng.standard_normal(masks.shape)
    return torch.from_numpy(images[:, None]), torch.from_numpy(masks[:, None])


def mask_scores(
    probs: torch.Tensor, masks: torch.Tensor, *, threshold: float = 0.5
) -> dict[str, float]:
    r"""Scores of thresholded predictions against masks.

    The predicted set is ``probs > threshold``. Returns the mean over images
    of the hard Dice coefficient :math:`2|A \cap B| / (|A| + |B|)` (1 for an
    image where both sets are empty), and the recall
    :math:`|A \cap B| / |B|` and precision :math:`|A \cap B| / |A|` of all
    pixels pooled (1 when there is no foreground, resp. nothing predicted).

    Args:
        probs: predicted probabilities, shape ``(N, ...)``.
        masks: 0/1 targets, the same shape.
        threshold: the decision threshold. Default: 0.5.

    Returns:
        ``{"dice": ..., "recall": ..., "precision": ...}`` as floats.

    Example:
        >>> import torch
        >>> from lossbook.book import mask_scores
        >>> y = torch.tensor([[1.0, 1.0, 0.0, 0.0]])
        >>> mask_scores(torch.tensor([[0.9, 0.2, 0.7, 0.1]]), y)
        {'dice': 0.5, 'recall': 0.5, 'precision': 0.5}
    """
    if probs.shape != masks.shape:
        raise ValueError(
            f"mask_scores: probs has shape {tuple(probs.shape)} but masks "
            f"has shape {tuple(masks.shape)}."
        )
    predicted = (probs > threshold).to(masks.dtype)
    dims = tuple(range(1, masks.dim()))
    inter = (predicted * masks).sum(dims)
    sizes = predicted.sum(dims) + masks.sum(dims)
    dice = torch.where(sizes > 0, 2 * inter / sizes.clamp_min(1e-300), 1.0)
    found, relevant = float(inter.sum()), float(masks.sum())
    chosen = float(predicted.sum())
    return {
        "dice": float(dice.mean()),
        "recall": found / relevant if relevant else 1.0,
        "precision": found / chosen if chosen else 1.0,
    }
