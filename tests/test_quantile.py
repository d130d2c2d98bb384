"""Quantile (pinball) loss and the quantile regression line: closed forms and exact oracles.

Value and gradient against the torch formula are in test_parity.py (the registry's oracle);
finite differences in test_gradcheck.py; bad input in test_fuzz.py.
"""

import itertools

import numpy as np
import pytest

import lossbook
from lossbook.book import make_linear_regression, quantile_line


def pinball(u, tau):
    """rho_tau(u) = u (tau - 1[u < 0]), Koenker and Bassett (1978), written independently."""
    return u * (tau - (u < 0))


@pytest.mark.parametrize("tau", [0.0, 0.1, 0.5, 0.9, 1.0])
def test_the_loss_is_the_check_function(tau):
    rng = np.random.default_rng(0)
    y_hat, y = rng.normal(size=40), rng.normal(size=40)
    np.testing.assert_allclose(
        lossbook.quantile_loss(y_hat, y, tau=tau, reduction="none"),
        pinball(y - y_hat, tau),
        rtol=1e-15,
    )


def test_tau_one_half_is_half_the_l1_loss_with_the_same_subgradient_at_ties():
    y_hat = np.array([0.0, 1.0, 2.0, -3.0])
    y = np.array([0.0, 0.5, 2.0, 1.0])  # two ties
    assert lossbook.quantile_loss(y_hat, y) == pytest.approx(0.5 * lossbook.l1_loss(y_hat, y))
    np.testing.assert_array_equal(
        lossbook.quantile_loss_grad(y_hat, y), 0.5 * lossbook.l1_loss_grad(y_hat, y)
    )


@pytest.mark.parametrize("tau", [0.1, 0.3, 0.5, 0.9])
def test_the_best_constant_is_the_inverted_cdf_quantile(tau):
    # the minimiser of sum_i rho_tau(y_i - c) is the ceil(n tau)-th smallest y
    # (Koenker 2005, section 1.3), numpy's method="inverted_cdf"
    rng = np.random.default_rng(1)
    y = rng.normal(size=23)  # n tau is never an integer here
    grid = np.sort(y)
    totals = [lossbook.quantile_loss(np.full_like(y, c), y, tau=tau) for c in grid]
    best = grid[int(np.argmin(totals))]
    assert best == np.quantile(y, tau, method="inverted_cdf")
    assert best == grid[int(np.ceil(len(y) * tau)) - 1]


def quantile_line_by_brute_force(x, y, tau):
    """An optimal quantile regression line passes through two data points."""
    best = (np.inf, None)
    for i, j in itertools.combinations(range(len(x)), 2):
        if x[i] == x[j]:
            continue
        a = (y[j] - y[i]) / (x[j] - x[i])
        b = y[i] - a * x[i]
        total = np.sum(pinball(y - a * x - b, tau))
        if total < best[0]:
            best = (total, (a, b))
    return best


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("tau", [0.1, 0.5, 0.75])
def test_quantile_line_matches_the_brute_force_optimum(seed, tau):
    x, y = make_linear_regression(30, n_outliers=3, seed=seed)
    total, params = quantile_line_by_brute_force(x, y, tau)
    a, b = quantile_line(x, y, tau=tau)
    assert np.sum(pinball(y - a * x - b, tau)) == pytest.approx(total, rel=1e-7)
    np.testing.assert_allclose((a, b), params, atol=1e-5)


def test_quantile_line_at_one_half_is_the_l1_line():
    from lossbook.book import robust_line

    x, y = make_linear_regression(50, n_outliers=5, seed=3)
    np.testing.assert_allclose(quantile_line(x, y), robust_line(x, y, loss="l1"), atol=1e-6)


@pytest.mark.parametrize("tau", [0.0, 1.0, -0.1, 1.5, float("nan")])
def test_quantile_line_needs_tau_strictly_inside(tau):
    with pytest.raises(ValueError, match="quantile_line: tau must be"):
        quantile_line([0.0, 1.0, 2.0], [0.0, 1.0, 0.0], tau=tau)


@pytest.mark.parametrize("fn", [lossbook.quantile_loss, lossbook.quantile_loss_grad])
def test_quantile_options_are_checked(fn):
    with pytest.raises(ValueError, match=rf"{fn.__name__}: tau must be"):
        fn([0.0], [1.0], tau=1.5)
    with pytest.raises(TypeError, match=rf"{fn.__name__}: tau must be a real number"):
        fn([0.0], [1.0], tau="0.5")
