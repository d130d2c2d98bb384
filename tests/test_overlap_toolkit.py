"""The overlap chapter's toolkit: the disc data and the thresholded scores."""

import numpy as np
import pytest
import torch

from lossbook.book import make_disc_masks, mask_scores


def test_discs_have_the_area_of_a_disc_and_the_noise_asked_for():
    images, masks = make_disc_masks(50, size=40, radius=2.3, noise=0.8, seed=0)
    assert images.shape == masks.shape == (50, 1, 40, 40)
    assert images.dtype == masks.dtype == torch.float64
    area = masks.sum((1, 2, 3)).numpy()
    # lattice discs: each within a few pixels of pi r^2, their mean within one
    assert np.all(np.abs(area - np.pi * 2.3**2) < 5)
    assert abs(area.mean() - np.pi * 2.3**2) < 1
    assert set(np.unique(masks.numpy())) == {0.0, 1.0}
    assert float((images - masks).std()) == pytest.approx(0.8, rel=0.02)
    again, _ = make_disc_masks(50, size=40, radius=2.3, noise=0.8, seed=0)
    assert torch.equal(images, again)
    other, _ = make_disc_masks(50, size=40, radius=2.3, noise=0.8, seed=1)
    assert not torch.equal(images, other)


def test_disc_arguments_are_checked():
    with pytest.raises(ValueError, match="make_disc_masks: n and size"):
        make_disc_masks(0, size=10, radius=1.0, noise=0.1, seed=0)
    with pytest.raises(ValueError, match="does not fit"):
        make_disc_masks(1, size=10, radius=5.0, noise=0.1, seed=0)


def test_scores_of_perfect_empty_and_half_right_predictions():
    _, masks = make_disc_masks(3, size=20, radius=3.0, noise=0.0, seed=2)
    assert mask_scores(masks, masks) == {"dice": 1.0, "recall": 1.0, "precision": 1.0}
    nothing = mask_scores(torch.zeros_like(masks), masks)
    assert nothing == {"dice": 0.0, "recall": 0.0, "precision": 1.0}
    # hard Dice by counting: |A n B| = 1, |A| = 2, |B| = 2
    y = torch.tensor([[1.0, 1.0, 0.0, 0.0]])
    scores = mask_scores(torch.tensor([[0.9, 0.2, 0.7, 0.1]]), y)
    assert scores == {"dice": 0.5, "recall": 0.5, "precision": 0.5}
    empty = torch.zeros(1, 4)
    assert mask_scores(empty, empty)["dice"] == 1.0
    with pytest.raises(ValueError, match="mask_scores: probs has shape"):
        mask_scores(torch.zeros(1, 3), y)
