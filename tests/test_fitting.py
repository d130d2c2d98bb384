"""Fitting helpers: fit_line against NumPy gradient descent, closed forms and hand-written
SGD recursions; compare_reductions against the mean/sum relation; the residual curves
against the losses' formulas."""

from __future__ import annotations

from functools import partial

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from lossbook import huber_loss, huber_loss_grad, l1_loss, l1_loss_grad, mse_loss, mse_loss_grad  # noqa: E402
from lossbook.book import (  # noqa: E402  # noqa: E402
    compare_reductions,
    fit_line,
    gradient_descent_line,
    least_squares_line,
    loss_and_grad_curves,
    make_linear_regression,
    plot_loss_and_grad,
)


@pytest.fixture(scope="module")
def data():
    return make_linear_regression(40, slope=-1.5, intercept=0.7, noise=0.3, seed=4)


def test_fit_line_mse_takes_the_steps_of_numpy_gradient_descent(data):
    # Oracle: book.gradient_descent_line, an independent NumPy implementation of the
    # same updates with the analytic gradient (2/n) sum r x, (2/n) sum r.
    x, y = data
    torch_run = fit_line(x, y, torch.nn.MSELoss(), lr=0.07, steps=25, slope=0.4, intercept=-2.0)
    numpy_run = gradient_descent_line(x, y, lr=0.07, steps=25, slope=0.4, intercept=-2.0)
    for key in ("slope", "intercept", "loss"):
        assert torch_run[key].shape == (26,)
        np.testing.assert_allclose(torch_run[key], numpy_run[key], rtol=1e-12, atol=1e-14)


def test_fit_line_converges_to_the_closed_form(data):
    x, y = data
    run = fit_line(x, y, F.mse_loss, lr=0.2, steps=400)
    np.testing.assert_allclose(
        (run["slope"][-1], run["intercept"][-1]), least_squares_line(x, y), rtol=1e-10
    )


def test_fit_line_l1_first_step_matches_the_sign_gradient(data):
    # Closed form of one L1 step: dL/da = mean(sign(r) x), dL/db = mean(sign(r)).
    x, y = data
    a0, b0, lr = 0.3, 0.1, 0.5
    run = fit_line(x, y, F.l1_loss, lr=lr, steps=1, slope=a0, intercept=b0)
    sign = np.sign(a0 * x + b0 - y)
    assert run["slope"][1] == pytest.approx(a0 - lr * np.mean(sign * x), rel=1e-13)
    assert run["intercept"][1] == pytest.approx(b0 - lr * np.mean(sign), rel=1e-13)
    assert run["loss"][0] == pytest.approx(np.mean(np.abs(a0 * x + b0 - y)), rel=1e-13)


def test_fit_line_momentum_follows_the_heavy_ball_recursion(data):
    # torch.optim.SGD with momentum mu: v <- mu v + g (v = g at the first step); p <- p - lr v.
    x, y = data
    lr, mu, steps = 0.05, 0.9, 6
    run = fit_line(x, y, torch.nn.MSELoss(), lr=lr, steps=steps, momentum=mu)
    p, v = np.zeros(2), None
    for _ in range(steps):
        r = p[0] * x + p[1] - y
        g = np.array([2 * np.mean(r * x), 2 * np.mean(r)])
        v = g if v is None else mu * v + g
        p = p - lr * v
    np.testing.assert_allclose([run["slope"][-1], run["intercept"][-1]], p, rtol=1e-12)


def test_sum_with_lr_over_n_equals_mean(data):
    x, y = data
    n = len(x)
    mean_run = fit_line(x, y, torch.nn.MSELoss(), lr=0.1, steps=30)
    sum_run = fit_line(x, y, torch.nn.MSELoss(reduction="sum"), lr=0.1 / n, steps=30)
    np.testing.assert_allclose(sum_run["slope"], mean_run["slope"], rtol=1e-11)
    np.testing.assert_allclose(sum_run["loss"], n * mean_run["loss"], rtol=1e-11)


def test_fit_line_zero_steps_records_the_start(data):
    x, y = data
    run = fit_line(x, y, torch.nn.MSELoss(), lr=0.1, steps=0, slope=1.0, intercept=2.0)
    assert run["slope"].tolist() == [1.0] and run["intercept"].tolist() == [2.0]
    assert run["loss"][0] == pytest.approx(mse_loss(x + 2.0, y), rel=1e-14)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": 0.0, "steps": 1}, "lr"),
        ({"lr": 0.1, "steps": -1}, "steps must be an int >= 0"),
        ({"lr": 0.1, "steps": 1.5}, "steps must be an int >= 0"),
        ({"lr": 0.1, "steps": 1, "momentum": 1.0}, r"momentum must be in \[0, 1\)"),
    ],
)
def test_fit_line_rejects_bad_options(data, kwargs, message):
    x, y = data
    with pytest.raises(ValueError, match=message):
        fit_line(x, y, torch.nn.MSELoss(), **kwargs)


def test_fit_line_rejects_mismatched_shapes_and_unreduced_losses(data):
    x, y = data
    with pytest.raises(ValueError, match=r"fit_line: x and y must be 1-D .* \(40,\) and \(40, 1\)"):
        fit_line(x, y.reshape(-1, 1), torch.nn.MSELoss(), lr=0.1, steps=1)
    with pytest.raises(ValueError, match=r"single number, got \(40,\).*reduction='none'"):
        fit_line(x, y, torch.nn.MSELoss(reduction="none"), lr=0.1, steps=1)
    with pytest.raises(TypeError, match="fit_line: x must be a real numeric array"):
        fit_line(np.array(["a", "b"]), np.zeros(2), torch.nn.MSELoss(), lr=0.1, steps=1)


def test_compare_reductions_sum_diverges_where_mean_converges(data):
    x, y = data
    n = len(x)
    # For MSE on a line the Hessian of the mean is 2 [[mean x^2, mean x], [mean x, 1]];
    # gradient descent converges iff lr < 2 / lambda_max. Pick lr inside for the mean and
    # (since the sum's Hessian is n times larger) far outside for the sum.
    hessian = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    lr = 0.5 * 2 / np.linalg.eigvalsh(hessian).max()
    runs = compare_reductions(x, y, torch.nn.MSELoss, lr=lr, steps=40)
    assert set(runs) == {"mean", "sum"}
    assert runs["sum"]["loss"][0] == pytest.approx(n * runs["mean"]["loss"][0], rel=1e-13)
    a_star, b_star = least_squares_line(x, y)
    assert runs["mean"]["loss"][-1] == pytest.approx(mse_loss(a_star * x + b_star, y), rel=1e-6)
    assert runs["sum"]["loss"][-1] > 1e6 * runs["sum"]["loss"][0]


def test_compare_reductions_passes_options_and_checks_reductions(data):
    x, y = data
    runs = compare_reductions(
        x,
        y,
        partial(torch.nn.HuberLoss, delta=0.5),
        lr=0.01,
        steps=3,
        reductions=("sum",),
        slope=1.0,
    )
    assert list(runs) == ["sum"] and runs["sum"]["slope"][0] == 1.0
    expected = huber_loss(x + 0.0 - y, np.zeros_like(y), reduction="sum", delta=0.5)
    assert runs["sum"]["loss"][0] == pytest.approx(expected, rel=1e-13)
    with pytest.raises(ValueError, match="compare_reductions: reduction must be one of"):
        compare_reductions(x, y, torch.nn.MSELoss, lr=0.1, steps=1, reductions=("none",))


def test_curves_follow_the_formulas():
    r = np.array([-2.5, -0.5, 0.0, 0.5, 2.5])
    _, value, slope = loss_and_grad_curves(mse_loss, mse_loss_grad, r)
    np.testing.assert_allclose(value, r**2, rtol=1e-15)
    np.testing.assert_allclose(slope, 2 * r, rtol=1e-15)
    # Huber with delta = 1: the gradient is the residual clipped to [-1, 1].
    _, value, slope = loss_and_grad_curves(huber_loss, huber_loss_grad, r, delta=1.0)
    np.testing.assert_allclose(slope, np.clip(r, -1.0, 1.0), rtol=1e-15)
    np.testing.assert_allclose(value, np.where(abs(r) <= 1, r**2 / 2, abs(r) - 0.5), rtol=1e-15)


def test_curves_default_grid_and_bad_grid():
    r, value, _ = loss_and_grad_curves(l1_loss, l1_loss_grad)
    assert r.shape == value.shape == (601,) and r[0] == -3.0 and r[-1] == 3.0 and 0.0 in r
    with pytest.raises(ValueError, match="non-empty 1-D"):
        loss_and_grad_curves(l1_loss, l1_loss_grad, np.zeros((2, 2)))


def test_plot_draws_each_curve_in_both_panels():
    r = np.linspace(-2, 2, 9)
    ax_loss, ax_grad = plot_loss_and_grad(
        {"MSE": (mse_loss, mse_loss_grad), "L1": (l1_loss, l1_loss_grad)}, residuals=r
    )
    fig = ax_loss.figure
    try:
        assert list(fig.axes) == [ax_loss, ax_grad]
        loss_lines = [ln for ln in ax_loss.get_lines() if ln.get_label() in ("MSE", "L1")]
        grad_lines = [ln for ln in ax_grad.get_lines() if ln.get_label() in ("MSE", "L1")]
        np.testing.assert_allclose(loss_lines[0].get_ydata(), r**2)
        np.testing.assert_allclose(grad_lines[0].get_ydata(), 2 * r)
        np.testing.assert_allclose(loss_lines[1].get_ydata(), abs(r))
        np.testing.assert_allclose(grad_lines[1].get_ydata(), np.sign(r))
        assert [ln.get_color() for ln in loss_lines] == [ln.get_color() for ln in grad_lines]
        assert ax_loss.get_xlabel() and ax_grad.get_xlabel() and ax_grad.get_ylabel()
        assert [t.get_text() for t in ax_loss.get_legend().get_texts()] == ["MSE", "L1"]
    finally:
        plt.close(fig)


def test_plot_uses_given_axes_and_checks_input():
    fig, axes = plt.subplots(1, 2)
    try:
        drawn = plot_loss_and_grad({"MSE": (mse_loss, mse_loss_grad)}, axes=axes)
        assert drawn == tuple(axes)  # the axes it was given, in order
        with pytest.raises(ValueError, match="curves is empty"):
            plot_loss_and_grad({})
        with pytest.raises(ValueError, match="axes must be two axes"):
            plot_loss_and_grad({"MSE": (mse_loss, mse_loss_grad)}, axes=[axes[0]])
    finally:
        plt.close(fig)
