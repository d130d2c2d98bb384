"""Penalties: value and gradient against torch autograd, finite differences, soft-thresholding."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis.extra import numpy as hnp

import lossbook
from losses_registry import PARITY, arrays, assert_close

PENALTIES = {
    # name -> the same expression in torch, differentiated by autograd (the oracle)
    "l2_penalty": lambda t: t.pow(2).sum(),
    "l1_penalty": lambda t: t.abs().sum(),
}
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5)


@pytest.mark.parametrize("name", PENALTIES)
def test_penalty_and_gradient_match_torch(name):
    @PARITY
    @given(shapes.flatmap(lambda s: arrays(s, -1e3, 1e3)))
    def check(theta):
        theta = np.where(np.abs(theta) < 1e-3, 0.0, theta)  # exact zeros: the L1 kink
        tt = torch.tensor(theta, requires_grad=True)
        value = PENALTIES[name](tt)
        value.backward()
        assert_close(name, getattr(lossbook, name)(theta), value.detach().numpy())
        assert_close(name + "_grad", getattr(lossbook, name + "_grad")(theta), tt.grad.numpy())

    check()


@pytest.mark.parametrize("name", PENALTIES)
def test_penalty_gradient_matches_finite_differences(name):
    theta = np.array([[0.7, -1.3, 2.0], [-0.2, 0.05, 3.0]])
    numerical = lossbook.numerical_grad(getattr(lossbook, name), theta)
    np.testing.assert_allclose(getattr(lossbook, name + "_grad")(theta), numerical, rtol=1e-7)


def test_soft_threshold_is_the_proximal_map_of_the_l1_penalty():
    # S(z, t) = argmin_w (w - z)^2 / 2 + t |w|: check against a brute-force minimisation
    z, t = np.array([-3.0, -0.4, 0.0, 0.7, 2.5]), 0.5
    grid = np.linspace(-4, 4, 80001)
    brute = [grid[np.argmin((grid - zi) ** 2 / 2 + t * np.abs(grid))] for zi in z]
    np.testing.assert_allclose(lossbook.soft_threshold(z, t), brute, atol=1e-4)
    # within t of zero: exactly zero, the lasso's sparsity in one line
    assert np.all(lossbook.soft_threshold(z, t)[np.abs(z) <= t] == 0)
    with pytest.raises(ValueError, match="soft_threshold: threshold"):
        lossbook.soft_threshold(z, -1.0)
