"""lossbook.schedules: recording real schedulers, batches per epoch, the range test.

Oracles: the closed forms in PyTorch's scheduler documentation, a hand-written loop that
steps the same scheduler in the documented order, ``len(DataLoader)``, and curves whose
steepest point or minimum is known analytically.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.optim import lr_scheduler as S

from lossbook.book import lr_curve, lr_range_test, record_lr, steps_per_epoch, suggest_lr


def _sgd(lr=0.1, momentum=0.0):
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr, momentum=momentum)


def _by_hand(scheduler, steps, metrics=None, key="lr"):
    """The documented loop: read the value, optimizer.step(), then scheduler.step()."""
    used = []
    for t in range(steps):
        value = scheduler.optimizer.param_groups[0][key]
        used.append(float(value[0] if isinstance(value, tuple) else value))
        scheduler.optimizer.step()
        scheduler.step() if metrics is None else scheduler.step(metrics[t])
    return used


# -- record_lr / lr_curve ------------------------------------------------------------------


def test_steplr_matches_its_closed_form():
    # torch docs: lr_t = lr_0 * gamma ** (t // step_size)
    got = lr_curve(lambda opt: S.StepLR(opt, step_size=10, gamma=0.1), 35, lr=0.1)
    t = np.arange(35)
    np.testing.assert_allclose(got, 0.1 * 0.1 ** (t // 10), rtol=1e-12)


def test_cosine_matches_its_closed_form_and_rises_past_t_max():
    # torch docs: eta_t = eta_min + (eta_max - eta_min)(1 + cos(pi t / T_max)) / 2
    T_max, eta_min = 20, 0.01
    got = lr_curve(lambda opt: S.CosineAnnealingLR(opt, T_max=T_max, eta_min=eta_min), 41, lr=1.0)
    t = np.arange(41)
    expected = eta_min + (1.0 - eta_min) * (1 + np.cos(np.pi * t / T_max)) / 2
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    assert got[T_max] == pytest.approx(eta_min)
    assert got[2 * T_max] == pytest.approx(1.0)


def test_onecycle_lr_and_momentum_ends():
    # torch docs: initial_lr = max_lr / div_factor, min_lr = initial_lr / final_div_factor;
    # momentum moves inversely, from max_momentum down to base_momentum at the peak.
    make = lambda opt: S.OneCycleLR(opt, max_lr=0.5, total_steps=50)  # noqa: E731
    lr = lr_curve(make, 50, momentum=0.9)
    mom = lr_curve(make, 50, momentum=0.9, key="momentum")
    assert lr[0] == pytest.approx(0.5 / 25)
    assert lr.max() == pytest.approx(0.5)
    assert lr[-1] == pytest.approx(0.5 / 25 / 1e4)
    peak = int(np.argmax(lr))
    assert mom[0] == pytest.approx(0.95) and mom[-1] == pytest.approx(0.95)
    assert mom[peak] == pytest.approx(0.85) and int(np.argmin(mom)) == peak


def test_adam_betas_record_the_first_entry():
    opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    got = record_lr(S.OneCycleLR(opt, max_lr=0.1, total_steps=30), 30, key="betas")
    opt2 = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    expected = _by_hand(S.OneCycleLR(opt2, max_lr=0.1, total_steps=30), 30, key="betas")
    np.testing.assert_array_equal(got, expected)
    assert got.min() == pytest.approx(0.85)


@pytest.mark.parametrize(
    "make",
    [
        lambda opt: S.MultiStepLR(opt, milestones=[5, 12], gamma=0.3),
        lambda opt: S.ExponentialLR(opt, gamma=0.9),
        lambda opt: S.LinearLR(opt, start_factor=0.1, total_iters=8),
        lambda opt: S.SequentialLR(
            opt,
            [S.LinearLR(opt, start_factor=0.1, total_iters=5), S.CosineAnnealingLR(opt, T_max=15)],
            milestones=[5],
        ),
        lambda opt: S.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4),
    ],
)
def test_record_equals_the_documented_loop(make):
    got = lr_curve(make, 20)
    expected = _by_hand(make(_sgd()), 20)
    np.testing.assert_array_equal(got, expected)


def test_plateau_uses_the_metrics_and_its_patience():
    # A metric that improves until t = 5 and then stays flat: with patience p the rate is
    # cut after p + 1 steps without improvement, i.e. the step after t = 5 + p + 1 uses it.
    metrics = [1.0 - 0.1 * min(t, 5) for t in range(30)]
    make = lambda opt: S.ReduceLROnPlateau(opt, factor=0.5, patience=3)  # noqa: E731
    got = lr_curve(make, 30, lr=1.0, metrics=metrics)
    np.testing.assert_array_equal(got, _by_hand(make(_sgd(1.0)), 30, metrics=metrics))
    first_cut = int(np.argmax(got < 1.0))
    assert first_cut == 5 + 3 + 2
    assert got[first_cut] == 0.5


def test_recording_warns_nothing_and_leaves_the_model_alone():
    model = torch.nn.Linear(3, 1)
    before = [p.detach().clone() for p in model.parameters()]
    model(torch.ones(2, 3)).sum().backward()  # gradients present: they must not be applied
    opt = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record_lr(S.StepLR(opt, step_size=1, gamma=0.5), 5)
    for p, b in zip(model.parameters(), before, strict=True):
        torch.testing.assert_close(p.detach(), b, rtol=0, atol=0)


def test_record_lr_errors():
    with pytest.raises(ValueError, match="steps must be at least 1"):
        lr_curve(lambda opt: S.StepLR(opt, 1), 0)
    with pytest.raises(ValueError, match="ReduceLROnPlateau needs"):
        lr_curve(lambda opt: S.ReduceLROnPlateau(opt), 3)
    with pytest.raises(ValueError, match="only used by ReduceLROnPlateau"):
        lr_curve(lambda opt: S.StepLR(opt, 1), 3, metrics=[1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"one value per step \(3\), got 2"):
        lr_curve(lambda opt: S.ReduceLROnPlateau(opt), 3, metrics=[1.0, 1.0])
    with pytest.raises(ValueError, match="key 'betas' is not"):
        lr_curve(lambda opt: S.StepLR(opt, 1), 3, key="betas")


# -- steps_per_epoch ---------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 300), batch=st.integers(1, 80), drop_last=st.booleans())
def test_steps_per_epoch_equals_len_dataloader(n, batch, drop_last):
    loader = torch.utils.data.DataLoader(range(n), batch_size=batch, drop_last=drop_last)
    assert steps_per_epoch(n, batch, drop_last=drop_last) == len(loader)


def test_onecycle_sized_by_steps_per_epoch_runs_exactly_to_the_end():
    n, batch, epochs = 1000, 64, 3
    total = epochs * steps_per_epoch(n, batch)
    opt = _sgd(momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=0.1, total_steps=total)
    record_lr(sched, total)  # one scheduler step per batch: fine
    with pytest.raises(ValueError, match="Tried to step"):
        sched.step()


def test_steps_per_epoch_errors():
    with pytest.raises(ValueError, match="at least 1"):
        steps_per_epoch(0, 4)
    with pytest.raises(ValueError, match="at least 1"):
        steps_per_epoch(10, 0)


# -- lr_range_test / suggest_lr -------------------------------------------------------------


def _line_data():
    X = torch.linspace(-1, 1, 64, dtype=torch.float64).unsqueeze(1)
    return X, 3 * X - 1


def test_range_test_rates_are_geometric_and_the_model_is_untouched():
    X, y = _line_data()
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1).double()
    before = [p.detach().clone() for p in model.parameters()]
    result = lr_range_test(model, torch.nn.MSELoss(), X, y, lr_min=1e-4, lr_max=1e-2, steps=30)
    assert len(result["lr"]) == 30  # nothing diverges below 1e-2
    np.testing.assert_allclose(result["lr"], np.geomspace(1e-4, 1e-2, 30), rtol=1e-10)
    for p, b in zip(model.parameters(), before, strict=True):
        torch.testing.assert_close(p.detach(), b, rtol=0, atol=0)


def test_range_test_first_loss_is_the_untrained_loss_and_smoothing_is_bias_corrected():
    X, y = _line_data()
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1).double()
    with torch.no_grad():
        start = torch.nn.functional.mse_loss(model(X), y).item()
    result = lr_range_test(
        model, torch.nn.MSELoss(), X, y, lr_min=1e-4, lr_max=1e-2, steps=10, smoothing=0.7
    )
    assert result["loss"][0] == pytest.approx(start)
    assert result["smoothed"][0] == pytest.approx(start)  # bias correction: s_0 = l_0
    a, expected = 0.0, []
    for t, value in enumerate(result["loss"]):
        a = 0.7 * a + 0.3 * value
        expected.append(a / (1 - 0.7 ** (t + 1)))
    np.testing.assert_allclose(result["smoothed"], expected, rtol=1e-12)


def test_range_test_stops_once_the_loss_diverges():
    X, y = _line_data()
    torch.manual_seed(0)
    result = lr_range_test(
        torch.nn.Linear(1, 1).double(), torch.nn.MSELoss(), X, y, lr_min=1e-3, lr_max=1e3, steps=100
    )
    # Full-batch SGD with momentum 0.9 on this quadratic is unstable well below lr = 1e3.
    assert len(result["lr"]) < 100
    last, best = result["smoothed"][-1], result["smoothed"][:-1].min()
    assert last > 4.0 * best or not math.isfinite(result["loss"][-1])


def test_range_test_errors():
    X, y = _line_data()
    model = torch.nn.Linear(1, 1).double()
    with pytest.raises(ValueError, match="0 < lr_min < lr_max"):
        lr_range_test(model, torch.nn.MSELoss(), X, y, lr_min=1.0, lr_max=0.1)
    with pytest.raises(ValueError, match="steps must be at least 2"):
        lr_range_test(model, torch.nn.MSELoss(), X, y, steps=1)
    with pytest.raises(ValueError, match="smoothing"):
        lr_range_test(model, torch.nn.MSELoss(), X, y, smoothing=1.0)
    with pytest.raises(ValueError, match="stop_factor"):
        lr_range_test(model, torch.nn.MSELoss(), X, y, stop_factor=1.0)
    with pytest.raises(ValueError, match="batch_size"):
        lr_range_test(model, torch.nn.MSELoss(), X, y, batch_size=65)


@pytest.mark.parametrize("center", [-3.0, -1.5, 0.0])
def test_suggest_steepest_finds_the_inflection(center):
    # 1 - tanh(u - c) with u = log10(lr) falls fastest at u = c.
    lrs = np.logspace(-5, 1, 241)
    losses = 1 - np.tanh(np.log10(lrs) - center)
    assert suggest_lr(lrs, losses) == pytest.approx(10.0**center, rel=1e-9)


def test_suggest_minimum_is_a_tenth_of_the_best_rate_and_skips_non_finite():
    lrs = np.logspace(-4, 0, 81)
    losses = (np.log10(lrs) + 1.0) ** 2  # smallest at lr = 0.1
    losses[-3:] = np.nan  # a diverged tail
    assert suggest_lr(lrs, losses, method="minimum") == pytest.approx(0.01, rel=1e-9)


def test_suggest_lr_errors():
    with pytest.raises(ValueError, match="same shape"):
        suggest_lr(np.ones(4), np.ones(3))
    with pytest.raises(ValueError, match="method must be"):
        suggest_lr(np.ones(4), np.ones(4), method="valley")
    with pytest.raises(ValueError, match="at least 3 finite"):
        suggest_lr(np.array([0.1, 1.0, 10.0]), np.array([1.0, np.nan, 2.0]))


def test_suggest_steepest_ignores_what_follows_the_minimum():
    u = np.linspace(-4, 1, 201)  # log10 of the rate
    lrs = 10.0**u
    losses = 1 - np.tanh(u + 2)  # falls fastest at lr = 1e-2 ...
    after = u > -0.5  # ... a minimum at 10**-0.5, then a rise and a steep (diverged) fall
    losses[after] = losses[after][0] + 4 * (u[after] + 0.5) - 9 * np.maximum(u[after] - 0.5, 0)
    assert suggest_lr(lrs, losses) == pytest.approx(1e-2, rel=1e-9)


def test_range_test_takes_an_optimiser_factory_and_sets_its_rate():
    # make_optimizer(params), as everywhere in the toolkit; the test overrides its rate
    X, y = _line_data()
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1).double()
    made = []

    def adam(params):
        made.append(torch.optim.Adam(params, lr=123.0))
        return made[-1]

    result = lr_range_test(
        model, torch.nn.MSELoss(), X, y, lr_min=1e-4, lr_max=1e-2, steps=10, make_optimizer=adam
    )
    assert len(made) == 1 and isinstance(made[0], torch.optim.Adam)
    np.testing.assert_allclose(result["lr"], np.geomspace(1e-4, 1e-2, 10), rtol=1e-10)
