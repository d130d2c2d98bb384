"""Robust fitting: minimisers against brute force and optimality conditions, gradient descent
against torch.optim.SGD with a LambdaLR schedule."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossbook.book import (
    best_constant,
    gradient_descent_constant,
    least_squares_line,
    make_linear_regression,
    robust_line,
)

torch = pytest.importorskip("torch")

finite = st.floats(-100, 100, allow_nan=False, allow_subnormal=False)
samples = st.lists(finite, min_size=1, max_size=25)


def huber(r, delta):
    """The Huber loss written out independently of lossbook (Huber 1964, eq. for rho)."""
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta))


# -- best_constant ------------------------------------------------------------------------


@given(samples)
def test_mse_constant_is_the_mean(y):
    assert best_constant(y) == pytest.approx(np.mean(y), rel=1e-12, abs=1e-12)


@given(samples)
def test_l1_constant_minimises_the_absolute_error_exactly(y):
    # Oracle: sum |c - y_i| is piecewise linear with kinks at the data, so its minimum over
    # the real line is attained at a data point; brute force over the data finds it.
    y = np.asarray(y)
    best = min(np.sum(np.abs(c - y)) for c in y)
    c = best_constant(y, loss="l1")
    assert np.sum(np.abs(c - y)) == pytest.approx(best, rel=1e-12, abs=1e-9)


def test_l1_constant_with_an_even_count_is_the_midpoint():
    # Every c in [2, 3] gives the same total (6 + ... ); the midpoint is returned.
    y = [0.0, 2.0, 3.0, 10.0]
    assert best_constant(y, loss="l1") == 2.5
    totals = [np.sum(np.abs(c - np.array(y))) for c in (2.0, 2.5, 3.0)]
    assert totals[0] == totals[1] == totals[2]


@settings(deadline=None)
@given(samples, st.floats(0.05, 20))
def test_huber_constant_zeroes_the_clipped_residuals(y, delta):
    # First-order condition of a convex loss: sum clip(c - y_i, -delta, delta) = 0.
    y = np.asarray(y)
    c = best_constant(y, loss="huber", delta=delta)
    assert abs(np.sum(np.clip(c - y, -delta, delta))) <= 1e-8 * (1 + len(y) * delta)
    step = 1e-4 * (1 + abs(c))
    f = lambda v: np.sum(huber(v - y, delta))  # noqa: E731
    assert f(c) <= min(f(c - step), f(c + step)) + 1e-9


def test_huber_constant_between_median_and_mean_limits():
    y = np.array([0.0, 1.0, 2.0, 100.0])
    assert best_constant(y, loss="huber", delta=1e6) == pytest.approx(np.mean(y), rel=1e-12)
    assert best_constant(y, loss="huber", delta=1e-6) == pytest.approx(1.5, abs=1e-5)
    # worked by hand: residuals c, c-1, c-2 inside delta=3, the outlier clipped to -3
    assert best_constant(y, loss="huber", delta=3.0) == pytest.approx(2.0, rel=1e-12)


# -- robust_line --------------------------------------------------------------------------


def lad_by_brute_force(x, y):
    """Exact least-absolute-deviations line: an optimal one passes through two data points."""
    best = (np.inf, None)
    for i, j in itertools.combinations(range(len(x)), 2):
        if x[i] == x[j]:
            continue
        a = (y[j] - y[i]) / (x[j] - x[i])
        b = y[i] - a * x[i]
        total = np.sum(np.abs(a * x + b - y))
        if total < best[0]:
            best = (total, (a, b))
    return best


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n_outliers", [0, 4])
def test_l1_line_matches_the_brute_force_optimum(seed, n_outliers):
    x, y = make_linear_regression(30, n_outliers=n_outliers, seed=seed)
    total, params = lad_by_brute_force(x, y)
    a, b = robust_line(x, y, loss="l1")
    assert np.sum(np.abs(a * x + b - y)) == pytest.approx(total, rel=1e-9)
    np.testing.assert_allclose((a, b), params, atol=1e-6)


@pytest.mark.parametrize("delta", [0.3, 1.0, 5.0])
def test_huber_line_has_zero_gradient_by_autograd(delta):
    x, y = make_linear_regression(60, n_outliers=6, seed=4)
    a, b = robust_line(x, y, loss="huber", delta=delta)
    params = torch.tensor([a, b], dtype=torch.float64, requires_grad=True)
    pred = params[0] * torch.from_numpy(x) + params[1]
    loss = torch.nn.functional.huber_loss(pred, torch.from_numpy(y), reduction="sum", delta=delta)
    loss.backward()
    assert params.grad.abs().max().item() < 1e-8 * (1 + len(x) * delta)


def test_huber_line_tends_to_least_squares_and_to_l1():
    x, y = make_linear_regression(40, n_outliers=4, seed=5)
    np.testing.assert_allclose(
        robust_line(x, y, loss="huber", delta=1e6), least_squares_line(x, y), rtol=1e-10
    )
    np.testing.assert_allclose(
        robust_line(x, y, loss="huber", delta=1e-5), robust_line(x, y, loss="l1"), atol=1e-3
    )


def test_mse_line_is_least_squares_and_robust_lines_resist_outliers():
    x, y = make_linear_regression(100, n_outliers=10, outlier_shift=20.0, seed=0)
    assert robust_line(x, y, loss="mse") == least_squares_line(x, y)
    for loss in ("l1", "huber"):
        slope, intercept = robust_line(x, y, loss=loss)
        assert abs(slope - 2.0) < 0.5 and abs(intercept - 3.0) < 0.5
    slope, _ = least_squares_line(x, y)
    assert abs(slope - 2.0) > 2.0


# -- gradient_descent_constant ------------------------------------------------------------


@pytest.mark.parametrize("loss", ["mse", "l1", "huber"])
@pytest.mark.parametrize("schedule", ["constant", "inverse_sqrt", "inverse"])
def test_descent_matches_torch_sgd_with_lambda_lr(loss, schedule):
    y = np.array([0.3, -1.2, 2.5, 7.0, 0.9])
    lr, steps, start, delta = 0.4, 25, -3.0, 1.5
    run = gradient_descent_constant(
        y, lr=lr, steps=steps, loss=loss, schedule=schedule, start=start, delta=delta
    )
    factor = {
        "constant": lambda t: 1.0,
        "inverse_sqrt": lambda t: 1 / np.sqrt(t + 1),
        "inverse": lambda t: 1 / (t + 1),
    }[schedule]
    c = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([c], lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    target = torch.from_numpy(y)
    fn = {
        "mse": torch.nn.functional.mse_loss,
        "l1": torch.nn.functional.l1_loss,
        "huber": lambda p, t: torch.nn.functional.huber_loss(p, t, delta=delta),
    }[loss]
    torch_c, torch_loss, torch_lr = [start], [], []
    for _ in range(steps):
        opt.zero_grad()
        value = fn(c.expand(len(y)), target)
        value.backward()
        torch_loss.append(value.item())
        torch_lr.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
        torch_c.append(c.item())
    np.testing.assert_allclose(run["c"], torch_c, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run["loss"][:-1], torch_loss, rtol=1e-12)
    np.testing.assert_allclose(run["lr"], torch_lr, rtol=1e-12)
    assert run["c"].shape == run["loss"].shape == (steps + 1,)


def test_fixed_step_on_l1_hops_around_the_median_and_decaying_step_settles():
    y = np.array([1.0, 2.0, 10.0])
    fixed = gradient_descent_constant(y, lr=1.0, steps=300)
    decaying = gradient_descent_constant(y, lr=1.0, steps=300, schedule="inverse")
    # Near the median the mean gradient is +-1/3, so fixed steps of size 1/3 never stop.
    np.testing.assert_allclose(np.abs(np.diff(fixed["c"][-10:])), 1 / 3, rtol=1e-12)
    assert abs(decaying["c"][-1] - 2.0) < 1e-4


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: best_constant([]), ValueError, "y is empty"),
        (lambda: best_constant([1.0], loss="l2"), ValueError, "loss must be one of"),
        (lambda: best_constant([1.0], loss="huber", delta=0), ValueError, "delta must be > 0"),
        (lambda: best_constant(["a"]), TypeError, "numeric"),
        (lambda: robust_line(np.ones(3), np.ones(4)), ValueError, r"shapes \(3,\) and \(4,\)"),
        (lambda: robust_line(np.ones(3), np.arange(3.0)), ValueError, "every x is the same"),
        (
            lambda: robust_line(np.arange(3.0), np.ones(3), loss="huber", delta=-1),
            ValueError,
            "delta must be > 0",
        ),
        (lambda: gradient_descent_constant([1.0], lr=0, steps=1), ValueError, "lr must be > 0"),
        (lambda: gradient_descent_constant([1.0], lr=1, steps=-1), ValueError, "steps must"),
        (
            lambda: gradient_descent_constant([1.0], lr=1, steps=1, schedule="cosine"),
            ValueError,
            "schedule must be one of",
        ),
        (lambda: gradient_descent_constant([], lr=1, steps=1), ValueError, "y is empty"),
    ],
)
def test_bad_input_says_what_was_expected(call, error, message):
    with pytest.raises(error, match=message):
        call()
