"""Classification losses: fixed values, corners, stability (torch parity: test_parity.py)."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import lossbook

# -- fixed values: each expected number is worked out by hand in the comment -----------------


def test_cross_entropy_uniform_logits_is_log_c():
    # equal logits: p = 1/4 for every class, so -log p = log 4 whatever the target
    assert lossbook.cross_entropy(np.zeros((3, 4)), [0, 1, 3]) == pytest.approx(math.log(4))


def test_cross_entropy_weighted_mean_divides_by_the_weights_of_counted_samples():
    # logits 0 -> -log p = log 2 for each of 3 samples; weights w[y] = 1, 3, (ignored)
    # sum = (1 + 3) log 2, divided by 1 + 3 (not by N = 3): log 2
    x, y, w = np.zeros((3, 2)), np.array([0, 1, -100]), np.array([1.0, 3.0])
    assert lossbook.cross_entropy(x, y, weight=w) == pytest.approx(math.log(2))
    assert lossbook.cross_entropy(x, y, weight=w, reduction="sum") == pytest.approx(4 * math.log(2))
    # probability targets divide by N = 3: one-hot rows [1,0], [0,1], [1,0] -> (1 + 3 + 1) log 2 / 3
    q = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    assert lossbook.cross_entropy(x, q, weight=w) == pytest.approx(5 * math.log(2) / 3)


def test_cross_entropy_all_ignored_mean_is_nan_with_zero_gradient():
    # torch: 0 / 0 = nan for the loss, and a zero gradient (checked against torch in the probe)
    x, y = np.ones((2, 3)), np.array([-100, -100])
    assert math.isnan(F.cross_entropy(torch.ones(2, 3), torch.tensor([-100, -100])).item())
    assert math.isnan(lossbook.cross_entropy(x, y))
    np.testing.assert_array_equal(lossbook.cross_entropy_grad(x, y), np.zeros((2, 3)))
    assert lossbook.cross_entropy(x, y, reduction="sum") == 0.0


def test_label_smoothing_spreads_eps_over_all_classes():
    # logits 0 over C = 2: every log p = -log 2, and q sums to 1, so the loss is log 2 for any eps;
    # with logits [0, log 3]: log p = [log 1/4, log 3/4]; target 1, eps = 0.5 -> q = [0.25, 0.75]
    x = np.array([[0.0, math.log(3)]])
    expected = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    assert lossbook.cross_entropy(x, [1], label_smoothing=0.5) == pytest.approx(expected)
    assert lossbook.cross_entropy(x, np.array([[0.0, 1.0]]), label_smoothing=0.5) == pytest.approx(
        expected
    )


def test_nll_fixed_values():
    # picks -x[i, y_i]: -(-1) and -(-3), weights 2 and 1 -> (2 * 1 + 1 * 3) / (2 + 1)
    x = np.array([[-1.0, -2.0], [-0.5, -3.0]])
    assert lossbook.nll_loss(x, [0, 1], weight=[2.0, 1.0]) == pytest.approx(5 / 3)


def test_binary_cross_entropy_clamps_the_log_at_minus_100():
    # log(0) is clamped to -100, so a certain wrong prediction costs exactly 100 (torch's choice)
    np.testing.assert_array_equal(
        lossbook.binary_cross_entropy([0.0, 1.0], [1.0, 0.0], reduction="none"), [100.0, 100.0]
    )
    # and torch's backward uses (x - y) / max(x (1 - x), eps) there, with eps = 1e-12 rounded
    # to float32 (9.99999996e-13): about -1e12 and +1e12 (torch gives -1000000003995.8029)
    np.testing.assert_allclose(
        lossbook.binary_cross_entropy_grad([0.0, 1.0], [1.0, 0.0], reduction="sum"),
        [-1000000003995.8029, 1000000003995.8029],
        rtol=1e-15,
    )


def test_pos_weight_scales_only_the_positive_term():
    # x = 0: -log sigma(0) = log 2 for both terms; pos_weight 3 triples it only where y = 1
    out = lossbook.binary_cross_entropy_with_logits(
        np.zeros((1, 2)), np.array([[1.0, 0.0]]), pos_weight=np.array([3.0, 3.0]), reduction="none"
    )
    np.testing.assert_allclose(out, [[3 * math.log(2), math.log(2)]])


def test_kl_div_batchmean_and_zero_times_log_zero():
    # KL([1, 0] || [0.5, 0.5]) = 1 * log(1 / 0.5) + 0 = log 2 per row; 2 rows
    x, t = np.log(np.full((2, 2), 0.5)), np.array([[1.0, 0.0], [1.0, 0.0]])
    assert lossbook.kl_div(x, t, reduction="batchmean") == pytest.approx(math.log(2))
    assert lossbook.kl_div(x, t, reduction="sum") == pytest.approx(2 * math.log(2))
    assert lossbook.kl_div(x, t) == pytest.approx(2 * math.log(2) / 4)  # "mean": / numel
    # log_target: t = [0.75, 0.25] given as logs -> 0.75 log(0.75/0.5) + 0.25 log(0.25/0.5)
    expected = 0.75 * math.log(1.5) + 0.25 * math.log(0.5)
    assert lossbook.kl_div(
        x[:1], np.log([[0.75, 0.25]]), log_target=True, reduction="sum"
    ) == pytest.approx(expected)


# -- stability and dtypes --------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1e2, 1e4])
def test_cross_entropy_is_finite_at_huge_logits_and_matches_torch(dtype, scale):
    x = (np.array([[1.0, -1.0, 0.5], [-1.0, 1.0, 0.0]]) * scale).astype(dtype)
    y = np.array([1, 2])
    ours = lossbook.cross_entropy(x, y, reduction="none")
    theirs = F.cross_entropy(torch.from_numpy(x), torch.from_numpy(y), reduction="none")
    assert ours.dtype == dtype and np.all(np.isfinite(ours))
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-6)
    grad = lossbook.cross_entropy_grad(x, y)
    assert grad.dtype == dtype and np.all(np.isfinite(grad))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("logit", [200.0, -200.0, 1e4, -1e4])
def test_bce_with_logits_is_finite_at_huge_logits_and_matches_torch(dtype, logit):
    x = np.array([logit, logit], dtype=dtype)
    y = np.array([0.0, 1.0], dtype=dtype)
    ours = lossbook.binary_cross_entropy_with_logits(x, y, reduction="none")
    theirs = F.binary_cross_entropy_with_logits(
        torch.from_numpy(x), torch.from_numpy(y), reduction="none"
    )
    assert ours.dtype == dtype and np.all(np.isfinite(ours))
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-6, atol=1e-30)
    assert np.all(np.isfinite(lossbook.binary_cross_entropy_with_logits_grad(x, y)))


def test_nan_logits_propagate_like_torch():
    x = np.array([[np.nan, 0.0], [1.0, 2.0]])
    y = np.array([0, 1])
    theirs = F.cross_entropy(torch.from_numpy(x), torch.from_numpy(y), reduction="none").numpy()
    np.testing.assert_allclose(lossbook.cross_entropy(x, y, reduction="none"), theirs)
    assert math.isnan(lossbook.cross_entropy(x, y))
    theirs = F.binary_cross_entropy_with_logits(
        torch.from_numpy(x), torch.zeros(2, 2, dtype=torch.float64), reduction="none"
    )
    np.testing.assert_allclose(
        lossbook.binary_cross_entropy_with_logits(x, np.zeros((2, 2)), reduction="none"),
        theirs.numpy(),
    )


def test_float32_stays_float32_in_classification():
    x = np.zeros((2, 3), dtype=np.float32)
    assert lossbook.cross_entropy(x, [0, 1], reduction="none").dtype == np.float32
    assert lossbook.cross_entropy_grad(x, [0, 1], weight=[1.0, 2.0, 3.0]).dtype == np.float32
    assert lossbook.nll_loss_grad(x, [0, 1]).dtype == np.float32
    p = np.full(3, 0.5, dtype=np.float32)
    assert lossbook.binary_cross_entropy(p, p, reduction="none").dtype == np.float32
    assert (
        lossbook.binary_cross_entropy_with_logits_grad(p, p, pos_weight=[2.0]).dtype == np.float32
    )
    assert lossbook.kl_div(np.log(p), p, reduction="none").dtype == np.float32
    assert isinstance(lossbook.cross_entropy(x, [0, 1]), float)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
@pytest.mark.parametrize("target", [0, 2])
def test_cross_entropy_with_a_masked_class_matches_torch(target, label_smoothing):
    # A logit of -inf masks a class (attention masks, constrained decoding). With index
    # targets torch picks -log q_y, so the masked class adds nothing: 1.3133 for
    # [[0, -inf, 1]] and target 0, where a product 0 * log 0 would give NaN. With label
    # smoothing the masked class gets eps / C of the target, and the loss is inf in both.
    x = np.array([[0.0, -np.inf, 1.0]])
    y = np.array([target])
    xt = torch.tensor(x, requires_grad=True)
    theirs = F.cross_entropy(xt, torch.from_numpy(y), label_smoothing=label_smoothing)
    theirs.backward()
    ours = lossbook.cross_entropy(x, y, label_smoothing=label_smoothing)
    np.testing.assert_allclose(ours, theirs.item(), rtol=1e-12)
    if label_smoothing == 0:
        assert math.isfinite(ours)
        grad = lossbook.cross_entropy_grad(x, y)
        np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
@pytest.mark.parametrize("weight", [None, [1.0, 0.0, 0.0], [1.0, 2.0, 3.0]])
def test_masked_classes_with_weights_and_smoothing_match_torch(weight, label_smoothing):
    # where torch gives NaN (0 * log 0 from the smoothing term of a zero-weight masked class,
    # or 0/0 when the counted weights sum to 0), lossbook does too, in value and gradient
    x = np.array([[0.0, -np.inf, 1.0], [2.0, 0.0, -np.inf]])
    y = np.array([0, 1])
    kwargs = {"label_smoothing": label_smoothing}
    if weight is not None:
        kwargs["weight"] = np.array(weight)
    xt = torch.tensor(x, requires_grad=True)
    torch_kwargs = {
        k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()
    }
    theirs = F.cross_entropy(xt, torch.from_numpy(y), **torch_kwargs)
    theirs.backward()
    ours = lossbook.cross_entropy(x, y, **kwargs)
    np.testing.assert_allclose(ours, theirs.item(), rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(
        lossbook.cross_entropy_grad(x, y, **kwargs),
        xt.grad.numpy(),
        rtol=1e-12,
        atol=1e-15,
        equal_nan=True,
    )


def test_zero_total_weight_mean_is_nan_and_ignored_rows_keep_a_zero_gradient():
    x, weight = np.zeros((2, 3)), np.array([1.0, 0.0, 0.0])
    for y in (np.array([1, 2]), np.array([1, -100])):
        xt = torch.tensor(x, requires_grad=True)
        theirs = F.cross_entropy(xt, torch.from_numpy(y), weight=torch.from_numpy(weight))
        theirs.backward()
        assert np.isnan(theirs.item()) and np.isnan(lossbook.cross_entropy(x, y, weight=weight))
        np.testing.assert_array_equal(
            lossbook.cross_entropy_grad(x, y, weight=weight), xt.grad.numpy()
        )


@pytest.mark.parametrize("ignore_index", [-100, -1, 0, 2, 7])
def test_probability_targets_reject_an_ignore_index_that_names_a_class(ignore_index):
    """torch raises for ignore_index >= 0 with probability targets; so does lossbook."""
    rng = np.random.default_rng(0)
    z = rng.standard_normal((3, 4))
    p = lossbook.softmax(rng.standard_normal((3, 4)), dim=1)
    try:
        expected = F.cross_entropy(torch.tensor(z), torch.tensor(p), ignore_index=ignore_index)
    except RuntimeError:
        with pytest.raises(ValueError, match="ignore_index applies to class-index"):
            lossbook.cross_entropy(z, p, ignore_index=ignore_index)
        with pytest.raises(ValueError, match="ignore_index"):
            lossbook.cross_entropy_grad(z, p, ignore_index=ignore_index)
    else:
        assert ignore_index < 0
        got = lossbook.cross_entropy(z, p, ignore_index=ignore_index)
        np.testing.assert_allclose(got, expected.item(), rtol=1e-12)
