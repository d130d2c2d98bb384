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


# -- the multi-class (softmax) focal loss ---------------------------------------------------


def test_softmax_focal_with_gamma_zero_is_the_cross_entropy():
    rng = np.random.default_rng(1)
    z, y = rng.normal(0, 3, (20, 4)), rng.integers(0, 4, 20)
    for reduction in ("mean", "sum", "none"):
        np.testing.assert_allclose(
            lossbook.focal_loss(z, y, gamma=0.0, reduction=reduction),
            lossbook.cross_entropy(z, y, reduction=reduction),
            rtol=1e-13,
        )
    np.testing.assert_allclose(
        lossbook.focal_loss_grad(z, y, gamma=0.0), lossbook.cross_entropy_grad(z, y), rtol=1e-13
    )


def test_softmax_focal_scales_each_cross_entropy_by_its_focal_factor_and_alpha():
    rng = np.random.default_rng(2)
    z, y = rng.normal(0, 3, (20, 4)), rng.integers(0, 4, 20)
    alpha = np.array([0.1, 0.2, 0.3, 0.4])
    q_y = lossbook.softmax(z)[np.arange(20), y]
    ce = lossbook.cross_entropy(z, y, reduction="none")
    np.testing.assert_allclose(
        lossbook.focal_loss(z, y, alpha=alpha, gamma=2.0, reduction="none"),
        alpha[y] * (1 - q_y) ** 2 * ce,
        rtol=1e-10,
    )


def test_softmax_focal_gradient_is_the_limit_where_torch_autograd_gives_nan():
    # one class: the loss is 0 for every logit, so is its gradient; autograd of
    # (1 - q)^gamma with gamma < 1 meets 0 * inf there
    import torch

    z = torch.zeros(3, 1, dtype=torch.float64, requires_grad=True)
    log_q = torch.log_softmax(z, dim=1)[:, 0]
    (-((-torch.expm1(log_q)) ** 0.5) * log_q).sum().backward()
    assert torch.isnan(z.grad).all()
    np.testing.assert_array_equal(
        lossbook.focal_loss_grad(np.zeros((3, 1)), np.zeros(3, np.int64), gamma=0.5), 0.0
    )


def test_softmax_focal_rejects_negative_indices():
    with pytest.raises(ValueError, match=r"focal_loss: target holds class index -100"):
        lossbook.focal_loss(np.zeros((2, 3)), np.array([0, -100]))


# -- GHM-C ----------------------------------------------------------------------------------


def test_every_occupied_bin_carries_the_same_total_weight():
    rng = np.random.default_rng(3)
    g = np.concatenate([rng.uniform(0, 0.05, 90), rng.uniform(0.5, 0.6, 9), [0.97]])
    w = lossbook.ghm_weights(g, bins=10)
    bins = np.minimum((g * 10).astype(int), 9)
    totals = [w[bins == b].sum() for b in np.unique(bins)]
    np.testing.assert_allclose(totals, g.size / len(totals), rtol=1e-12)
    assert w[-1] > 30 * w[0]  # the lone hard example outweighs each easy one


def test_ghmc_with_one_bin_is_the_binary_cross_entropy():
    rng = np.random.default_rng(4)
    z, y = rng.normal(0, 3, 40), rng.integers(0, 2, 40) * 1.0
    np.testing.assert_allclose(
        lossbook.ghmc_loss(z, y, bins=1),
        lossbook.binary_cross_entropy_with_logits(z, y),
        rtol=1e-13,
    )


def test_ghm_checks_its_norms_and_bins():
    with pytest.raises(ValueError, match=r"ghm_weights: grad_norm"):
        lossbook.ghm_weights([0.5, 1.5])
    with pytest.raises(ValueError, match=r"ghmc_loss: bins must be >= 1"):
        lossbook.ghmc_loss([0.0], [1.0], bins=0)
    with pytest.raises(TypeError, match=r"ghmc_loss: bins must be an int"):
        lossbook.ghmc_loss([0.0], [1.0], bins=2.5)


# -- distillation ---------------------------------------------------------------------------


def test_distillation_is_t_squared_times_the_kl_of_the_softened_outputs():
    rng = np.random.default_rng(5)
    s, t = rng.normal(0, 3, (8, 5)), rng.normal(0, 3, (8, 5))
    for temperature in (1.0, 2.0, 7.5):
        log_q = lossbook.log_softmax(s / temperature)
        p = lossbook.softmax(t / temperature)
        kl = lossbook.kl_div(log_q, p, reduction="batchmean")
        assert lossbook.distillation_loss(s, t, temperature=temperature) == pytest.approx(
            temperature**2 * kl, rel=1e-12
        )


def test_at_high_temperature_the_gradient_is_the_centred_logit_gap_over_c():
    # Hinton et al. 2015, section 2.1: for T >> |logits|, T (q - p) -> (s - t)/C, centred
    rng = np.random.default_rng(6)
    s, t = rng.normal(0, 1, (4, 5)), rng.normal(0, 1, (4, 5))
    gap = s - t
    expected = (gap - gap.mean(axis=1, keepdims=True)) / 5 / 4  # batchmean: 1/N
    got = lossbook.distillation_loss_grad(s, t, temperature=1e3)
    np.testing.assert_allclose(got, expected, rtol=1e-2, atol=1e-6)


def test_distillation_has_no_plain_mean():
    with pytest.raises(ValueError, match=r"distillation_loss: .*reduction"):
        lossbook.distillation_loss(np.zeros((1, 2)), np.zeros((1, 2)), reduction="mean")
    with pytest.raises(ValueError, match=r"distillation_loss: temperature"):
        lossbook.distillation_loss(np.zeros((1, 2)), np.zeros((1, 2)), temperature=0.0)
