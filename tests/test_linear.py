"""Line fitting: closed form against NumPy's lstsq, gradient descent against the closed form."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lossbook.book import (
    gradient_descent_line,
    least_squares_line,
    line_design,
    make_linear_regression,
    mse_hessian,
    step_limit,
)


def test_closed_form_matches_numpy_lstsq():
    x, y = make_linear_regression(50, slope=-0.7, intercept=4.0, noise=1.0, seed=3)
    design = np.stack([x, np.ones_like(x)], axis=1)
    expected, *_ = np.linalg.lstsq(design, y, rcond=None)  # the oracle
    np.testing.assert_allclose(least_squares_line(x, y), expected, rtol=1e-12)


def test_gradient_descent_converges_to_the_closed_form():
    x, y = make_linear_regression(100, seed=0)
    run = gradient_descent_line(x, y, lr=0.1, steps=400)
    np.testing.assert_allclose(
        (run["slope"][-1], run["intercept"][-1]), least_squares_line(x, y), rtol=1e-9
    )
    assert len(run["loss"]) == len(run["slope"]) == 401
    assert np.all(np.diff(run["loss"]) <= 1e-15)  # a small step never increases the loss


def test_gradient_descent_step_matches_autograd():
    torch = pytest.importorskip("torch")
    x, y = make_linear_regression(20, seed=1)
    run = gradient_descent_line(x, y, lr=0.05, steps=1, slope=0.3, intercept=-1.0)
    a = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-1.0, dtype=torch.float64, requires_grad=True)
    loss = torch.mean((a * torch.from_numpy(x) + b - torch.from_numpy(y)) ** 2)
    loss.backward()
    assert run["loss"][0] == pytest.approx(loss.item(), rel=1e-12)
    assert run["slope"][1] == pytest.approx(0.3 - 0.05 * a.grad.item(), rel=1e-12)
    assert run["intercept"][1] == pytest.approx(-1.0 - 0.05 * b.grad.item(), rel=1e-12)


def test_too_large_a_learning_rate_diverges_without_warnings():
    x, y = make_linear_regression(100, seed=0)
    run = gradient_descent_line(x, y, lr=5.0, steps=1000)
    assert not np.isfinite(run["loss"][-1]) or run["loss"][-1] > 1e100


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: least_squares_line(np.ones(3), np.ones(4)), r"shapes \(3,\) and \(4,\)"),
        (lambda: least_squares_line(np.ones((3, 1)), np.ones(3)), "1-D arrays"),
        (lambda: least_squares_line(np.ones(3), np.arange(3.0)), "every x is the same"),
        (lambda: gradient_descent_line(np.ones(3), np.ones(3), lr=0, steps=1), "lr must be > 0"),
        (lambda: gradient_descent_line(np.ones(3), np.ones(3), lr=1, steps=-1), "steps must"),
    ],
)
def test_bad_input_says_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_mse_hessian_is_autograd_hessian_of_the_mse():
    rng = np.random.default_rng(3)
    A, t = rng.standard_normal((12, 3)), rng.standard_normal(12)
    At, tt = torch.from_numpy(A), torch.from_numpy(t)
    for reduction in ("mean", "sum"):
        oracle = torch.autograd.functional.hessian(
            lambda w, r=reduction: F.mse_loss(At @ w, tt, reduction=r),
            torch.zeros(3, dtype=torch.float64),
        )
        np.testing.assert_allclose(mse_hessian(A, reduction=reduction), oracle.numpy(), rtol=1e-12)
    # a line: its design is (x, 1), and the Hessian holds the moments of x
    x = rng.standard_normal(7)
    expected = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    np.testing.assert_allclose(mse_hessian(line_design(x)), expected, rtol=1e-12)


@pytest.mark.parametrize("factor, converges", [(0.98, True), (1.02, False)])
def test_step_limit_separates_convergence_from_divergence(factor, converges):
    rng = np.random.default_rng(4)
    A, t = rng.standard_normal((30, 2)), rng.standard_normal(30)
    H = mse_hessian(A)
    w_star = np.linalg.lstsq(A, t, rcond=None)[0]
    w, lr = np.zeros(2), factor * step_limit(H)
    for _ in range(2000):
        w -= lr * 2 / len(A) * A.T @ (A @ w - t)
    assert bool(np.abs(w - w_star).max() < 1e-6) == converges


def test_design_and_hessian_errors():
    with pytest.raises(ValueError, match=r"line_design: x must be 1-D; got shape \(2, 1\)"):
        line_design(np.zeros((2, 1)))
    with pytest.raises(ValueError, match=r"mse_hessian: design must be 2-D"):
        mse_hessian(np.zeros(3))
    with pytest.raises(ValueError, match=r"mse_hessian: reduction must be one of"):
        mse_hessian(np.zeros((3, 2)), reduction="none")
