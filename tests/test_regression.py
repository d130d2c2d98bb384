"""Regression losses: fixed values and corners (torch parity for every loss: test_parity.py)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import lossbook
from losses_registry import BY_NAME

# -- fixed values: each expected number is worked out by hand in the comment -----------------


def test_mse_fixed_values():
    x, y = [1.0, 2.0, 4.0], [1.0, 0.0, 1.0]
    assert lossbook.mse_loss(x, y) == pytest.approx(13 / 3)  # (0 + 4 + 9) / 3
    assert lossbook.mse_loss(x, y, reduction="sum") == 13.0
    np.testing.assert_array_equal(lossbook.mse_loss(x, y, reduction="none"), [0.0, 4.0, 9.0])
    np.testing.assert_allclose(lossbook.mse_loss_grad(x, y), [0.0, 4 / 3, 2.0])  # 2 (x - y) / 3


def test_l1_fixed_values_and_zero_gradient_at_a_tie():
    x, y = [1.0, 2.0, -4.0], [1.0, 0.0, 1.0]
    assert lossbook.l1_loss(x, y) == pytest.approx(7 / 3)  # (0 + 2 + 5) / 3
    # sign(x - y): 0 at the tie, as torch's abs backward (checked in the parity test too)
    np.testing.assert_array_equal(lossbook.l1_loss_grad(x, y, reduction="sum"), [0.0, 1.0, -1.0])


def test_huber_fixed_values():
    # |d| = 0.5 <= 1: 0.5 * 0.25 = 0.125; |d| = 3 > 1: 1 * (3 - 0.5) = 2.5; delta = 2: 2 * (3 - 1)
    np.testing.assert_allclose(
        lossbook.huber_loss([0.5, -3.0], [0.0, 0.0], reduction="none"), [0.125, 2.5]
    )
    assert lossbook.huber_loss([3.0], [0.0], delta=2.0) == 4.0
    np.testing.assert_array_equal(
        lossbook.huber_loss_grad([0.5, -3.0], [0.0, 0.0], reduction="sum", delta=2.0), [0.5, -2.0]
    )  # the error clipped to [-2, 2]


def test_smooth_l1_fixed_values_and_beta_zero_is_l1():
    # beta = 2: |d| = 1 < 2 -> 0.5 * 1 / 2 = 0.25; |d| = 3 -> 3 - 1 = 2
    np.testing.assert_allclose(
        lossbook.smooth_l1_loss([1.0, 3.0], [0.0, 0.0], reduction="none", beta=2.0), [0.25, 2.0]
    )
    x, y = np.array([0.3, -2.0, 5.0]), np.array([0.0, 0.0, 5.0])
    np.testing.assert_array_equal(
        lossbook.smooth_l1_loss(x, y, beta=0.0, reduction="none"), np.abs(x - y)
    )
    np.testing.assert_array_equal(
        lossbook.smooth_l1_loss_grad(x, y, beta=0.0, reduction="sum"), [1.0, -1.0, 0.0]
    )


# -- corners ------------------------------------------------------------------------------

REGRESSION = ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss"]


@pytest.mark.parametrize("name", REGRESSION)
def test_float32_stays_float32(name):
    entry = BY_NAME[name]
    x = np.array([0.5, -3.0, 2.0], dtype=np.float32)
    y = np.zeros(3, dtype=np.float32)
    assert entry.loss(x, y, reduction="none").dtype == np.float32
    assert entry.grad(x, y).dtype == np.float32
    expected = entry.torch_fn(torch.from_numpy(x), torch.from_numpy(y)).item()
    assert entry.loss(x, y) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("name", REGRESSION)
def test_nan_propagates_like_torch(name):
    entry = BY_NAME[name]
    x, y = np.array([np.nan, 1.0]), np.array([0.0, 0.0])
    expected = entry.torch_fn(torch.from_numpy(x), torch.from_numpy(y), reduction="none")
    np.testing.assert_array_equal(entry.loss(x, y, reduction="none"), expected.numpy())
    assert np.isnan(entry.loss(x, y))


@pytest.mark.parametrize("name", REGRESSION)
def test_empty_input_mean_is_nan_and_sum_is_zero_as_torch(name):
    entry = BY_NAME[name]
    e = np.zeros(0)
    assert np.isnan(entry.torch_fn(torch.zeros(0), torch.zeros(0)).item())  # the torch behaviour
    assert np.isnan(entry.loss(e, e))
    assert entry.loss(e, e, reduction="sum") == 0.0
    assert entry.grad(e, e).shape == (0,)


def test_int_and_list_input_default_to_float64():
    assert lossbook.mse_loss([1, 2], [0, 0], reduction="none").dtype == np.float64
    assert lossbook.mse_loss_grad([1, 2], [0, 0]).dtype == np.float64


@pytest.mark.parametrize(("residual", "beta"), [(1e300, 1e10), (1e307, 100.0), (1e-200, 1e-300)])
def test_smooth_l1_extreme_residuals_match_torch(residual, beta):
    # far beyond beta the loss is |r| - beta / 2: no intermediate overflow
    ours = lossbook.smooth_l1_loss([residual], [0.0], beta=beta)
    theirs = F.smooth_l1_loss(
        torch.tensor([residual], dtype=torch.float64),
        torch.zeros(1, dtype=torch.float64),
        beta=beta,
    ).item()
    assert np.isfinite(ours) and ours == pytest.approx(theirs, rel=1e-15)
