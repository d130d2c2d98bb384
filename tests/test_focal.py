"""Focal loss: closed forms against the cross-entropy it modulates, and its options' errors.

Value and gradient against the torch formula are in test_parity.py (the registry's oracle);
finite differences in test_gradcheck.py.
"""

import numpy as np
import pytest

import lossbook


def test_gamma_zero_without_alpha_is_the_binary_cross_entropy():
    rng = np.random.default_rng(0)
    z, y = rng.normal(0, 4, 50), rng.uniform(0, 1, 50)
    bce = lossbook.binary_cross_entropy_with_logits(z, y, reduction="none")
    np.testing.assert_allclose(
        lossbook.sigmoid_focal_loss(z, y, alpha=-1, gamma=0.0), bce, rtol=1e-14
    )
    np.testing.assert_allclose(
        lossbook.sigmoid_focal_loss_grad(z, y, alpha=-1, gamma=0.0, reduction="mean"),
        lossbook.binary_cross_entropy_with_logits_grad(z, y),
        rtol=1e-14,
    )


@pytest.mark.parametrize("gamma", [0.5, 1.0, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [0.25, 0.9])
def test_the_focal_factor_scales_each_element_of_the_cross_entropy(gamma, alpha):
    # l = a_t (1 - p_t)^gamma BCE, with p_t the probability of the true label (Lin et al. 2017)
    z = np.array([-6.0, -1.0, 0.0, 2.0, 6.0])
    for label in (0.0, 1.0):
        y = np.full_like(z, label)
        p = 1 / (1 + np.exp(-z))
        p_t = p if label == 1 else 1 - p
        a_t = alpha if label == 1 else 1 - alpha
        bce = lossbook.binary_cross_entropy_with_logits(z, y, reduction="none")
        expected = a_t * (1 - p_t) ** gamma * bce
        np.testing.assert_allclose(
            lossbook.sigmoid_focal_loss(z, y, alpha=alpha, gamma=gamma), expected, rtol=1e-12
        )


def test_easy_examples_stop_dominating():
    # 10,000 easy negatives (p = 0.01) against 10 hard positives (p = 0.2): under the
    # cross-entropy the easy ones carry most of the loss (about 86 %), under gamma = 2 almost
    # none of it (0.01^2 shrinks each easy term, 0.8^2 each hard one)
    z_easy, z_hard = np.full(10_000, np.log(0.01 / 0.99)), np.full(10, np.log(0.2 / 0.8))
    z = np.concatenate([z_easy, z_hard])
    y = np.concatenate([np.zeros(10_000), np.ones(10)])
    for gamma, easy_share_bound in ((0.0, (0.5, 1.0)), (2.0, (0.0, 0.01))):
        loss = lossbook.sigmoid_focal_loss(z, y, alpha=-1, gamma=gamma)
        share = loss[:10_000].sum() / loss.sum()
        assert easy_share_bound[0] < share < easy_share_bound[1]


@pytest.mark.parametrize("fn", [lossbook.sigmoid_focal_loss, lossbook.sigmoid_focal_loss_grad])
def test_focal_options_are_checked(fn):
    with pytest.raises(ValueError, match=rf"{fn.__name__}: gamma must be"):
        fn([0.0], [1.0], gamma=-1.0)
    with pytest.raises(ValueError, match=r"alpha must be in \[0, 1\], or -1 for no class"):
        fn([0.0], [1.0], alpha=1.5)
    with pytest.raises(ValueError, match=r"reduction must be one of"):
        fn([0.0], [1.0], reduction="batchmean")
