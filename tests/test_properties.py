"""Properties over the registry of all losses, and the identities between losses."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

import lossbook
from losses_registry import LOSSES, PROPERTY, arrays, ce_cases, regression_cases


def _with(kwargs, **changes):
    return {**kwargs, **changes}


@pytest.mark.parametrize("entry", LOSSES, ids=lambda e: e.name)
def test_reductions_agree_with_the_unreduced_losses(entry):
    """sum == none.sum() and mean == none.mean() (weighted means excepted); none is >= 0."""

    @PROPERTY
    @given(entry.cases)
    def check(case):
        *args, kwargs = case  # (input, target) or the arrays of a loss on embeddings
        y = args[-1]
        none = entry.loss(*args, **_with(kwargs, reduction="none"))
        assert isinstance(none, np.ndarray)
        if entry.nonnegative:
            assert not np.any(none < 0)  # NaN (0 * log 0 under a mask) is not negative
        total = entry.loss(*args, **_with(kwargs, reduction="sum"))
        assert isinstance(total, float)
        assert total == pytest.approx(float(np.sum(none)), rel=1e-12, abs=1e-300, nan_ok=True)
        weighted = "weight" in kwargs or kwargs.get("ignore_index") in set(np.ravel(y).tolist())
        if entry.name in ("cross_entropy", "nll_loss") and weighted and y.dtype.kind == "i":
            return  # the weighted mean divides by the weights, tested in test_classification
        mean_kind = "mean" if "mean" in entry.reductions else "batchmean"  # one row each
        mean = entry.loss(*args, **_with(kwargs, reduction=mean_kind))
        if entry.name in ("mse_loss", "l1_loss") and "weight" in kwargs:
            # torch 2.13's weighted mean of these two is a weighted average
            with np.errstate(invalid="ignore", divide="ignore"):
                expected = float(np.float64(total) / np.sum(kwargs["weight"]))
        else:
            expected = float(np.mean(none))
        assert mean == pytest.approx(expected, rel=1e-12, nan_ok=True)

    check()


@PROPERTY
@given(ce_cases(), st.floats(-1e3, 1e3))
def test_cross_entropy_is_invariant_to_adding_a_constant_to_a_row(case, shift):
    x, y, kwargs = case
    kwargs = _with(kwargs, reduction="none")
    np.testing.assert_allclose(
        lossbook.cross_entropy(x + shift, y, **kwargs),
        lossbook.cross_entropy(x, y, **kwargs),
        rtol=1e-9,
        atol=1e-9,
    )


@PROPERTY
@given(ce_cases(kind="index"))
def test_index_targets_equal_one_hot_targets(case):
    # holds for unweighted losses without ignored samples (torch's weighted means differ),
    # and without masked classes (a one-hot row multiplies their log 0 = -inf by 0: NaN)
    x, y, kwargs = case
    x = np.where(np.isinf(x), -30.0, x)
    y = np.where(y < 0, 0, np.minimum(y, x.shape[1] - 1))
    kwargs = {"reduction": kwargs["reduction"], "label_smoothing": kwargs["label_smoothing"]}
    onehot = lossbook.one_hot(y, x.shape[1]).astype(np.float64)
    np.testing.assert_allclose(
        lossbook.cross_entropy(x, onehot, **kwargs),
        lossbook.cross_entropy(x, y, **kwargs),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        lossbook.cross_entropy_grad(x, onehot, **kwargs),
        lossbook.cross_entropy_grad(x, y, **kwargs),
        rtol=1e-12,
        atol=1e-15,
    )


@PROPERTY
@given(regression_cases("delta", low=1e-3))
def test_huber_is_delta_times_smooth_l1_with_beta_delta(case):
    x, y, kwargs = case
    delta, reduction = kwargs["delta"], kwargs["reduction"]
    np.testing.assert_allclose(
        lossbook.huber_loss(x, y, delta=delta, reduction=reduction),
        delta * np.asarray(lossbook.smooth_l1_loss(x, y, beta=delta, reduction=reduction)),
        rtol=1e-12,
        atol=1e-300,
    )


@PROPERTY
@given(ce_cases())
def test_label_smoothing_zero_is_plain_cross_entropy(case):
    x, y, kwargs = case
    kwargs = _with(kwargs, label_smoothing=0.0)
    plain = {k: v for k, v in kwargs.items() if k != "label_smoothing"}
    np.testing.assert_array_equal(
        lossbook.cross_entropy(x, y, **kwargs), lossbook.cross_entropy(x, y, **plain)
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(x=arrays((3, 4), -1.0, 1.0), y=st.lists(st.integers(0, 3), min_size=3, max_size=3))
@PROPERTY
def test_stability_at_huge_logits(dtype, x, y):
    logits = (x * 1e4).astype(dtype)
    y = np.array(y)
    for fn in (lossbook.cross_entropy, lossbook.cross_entropy_grad):
        out = np.asarray(
            fn(logits, y, reduction="none" if fn is lossbook.cross_entropy else "mean")
        )
        assert np.all(np.isfinite(out)) and out.dtype == dtype
    theirs = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(y), reduction="none")
    # float32 logits of 1e4 have an ulp of 1e-3, so compare at that absolute scale
    np.testing.assert_allclose(
        lossbook.cross_entropy(logits, y, reduction="none"),
        theirs.numpy(),
        rtol=1e-6,
        atol=1e-2 if dtype == np.float32 else 1e-9,
    )
    t = (x > 0).astype(dtype)
    out = lossbook.binary_cross_entropy_with_logits(logits, t, reduction="none")
    assert np.all(np.isfinite(out)) and out.dtype == dtype
