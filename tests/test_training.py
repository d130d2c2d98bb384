"""book.fit: the tiny training loop."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from lossbook.book import fit, record_lr


def _line(n=32):
    X = torch.linspace(-1, 1, n, dtype=torch.float64).unsqueeze(1)
    return X, 3 * X - 2


def test_full_batch_fit_reaches_least_squares_solution():
    X, y = _line()
    model = torch.nn.Linear(1, 1).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    history = fit(model, torch.nn.MSELoss(), opt, X, y, steps=300)
    assert len(history["loss"]) == 300
    torch.testing.assert_close(model.weight.detach(), torch.tensor([[3.0]], dtype=torch.float64))
    torch.testing.assert_close(model.bias.detach(), torch.tensor([-2.0], dtype=torch.float64))


def test_history_records_the_loss_before_each_update():
    X, y = _line(4)
    model = torch.nn.Linear(1, 1, bias=False).double()
    with torch.no_grad():
        model.weight.fill_(0.0)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, torch.nn.MSELoss(), opt, X, y, steps=1)
    # With w = 0 the prediction is 0, so the first recorded loss is mean(y**2).
    assert history["loss"][0] == pytest.approx(torch.mean(y**2).item())


def test_scheduler_is_stepped_after_the_optimiser():
    X, y = _line()
    model = torch.nn.Linear(1, 1).double()
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    history = fit(model, torch.nn.MSELoss(), opt, X, y, steps=6, scheduler=sched)
    assert history["lr"].tolist() == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]


def test_plateau_scheduler_watches_the_loss():
    X, y = _line()
    X = torch.zeros_like(X)  # with no input and no bias the loss cannot change
    model = torch.nn.Linear(1, 1, bias=False).double()
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
    history = fit(model, torch.nn.MSELoss(), opt, X, y, steps=8, scheduler=sched)
    # A flat loss: the first step sets the best value; after patience + 1 = 3 more steps
    # without improvement the rate halves, and again 3 steps later.
    assert history["lr"].tolist() == [1.0] * 4 + [0.5] * 3 + [0.25]


def test_plateau_scheduler_watches_the_validation_loss_when_given():
    # Training improves every step while the validation loss is flat, so a
    # scheduler fed the validation loss cuts the rate and one fed the training
    # loss would not. Oracle: a twin scheduler stepped by record_lr with the
    # recorded validation losses.
    X, y = _line()
    X_val = torch.zeros_like(X)  # no input, no bias: a constant prediction
    model = torch.nn.Linear(1, 1, bias=False).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
    history = fit(
        model, torch.nn.MSELoss(), opt, X, y, steps=8, scheduler=sched, validation=(X_val, y)
    )
    assert all(b < a for a, b in itertools.pairwise(history["loss"]))
    twin_opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.01)
    twin = torch.optim.lr_scheduler.ReduceLROnPlateau(twin_opt, factor=0.5, patience=2)
    expected = record_lr(twin, 8, metrics=history["val_loss"])
    assert history["lr"].tolist() == expected.tolist()
    assert history["lr"][-1] < history["lr"][0]  # the flat validation loss cut it


def test_minibatches_are_reproducible_with_a_generator():
    X, y = _line()
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = torch.nn.Linear(1, 1).double()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        gen = torch.Generator().manual_seed(7)
        runs.append(
            fit(model, torch.nn.MSELoss(), opt, X, y, steps=20, batch_size=5, generator=gen)["loss"]
        )
    np.testing.assert_array_equal(runs[0], runs[1])


def test_validation_loss_is_measured_in_eval_mode():
    X, y = _line()
    model = torch.nn.Sequential(torch.nn.Dropout(p=0.9), torch.nn.Linear(1, 1)).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.0)  # nothing moves
    history = fit(model, torch.nn.MSELoss(), opt, X, y, steps=3, validation=(X, y))
    # With lr 0 and dropout off in eval mode, the validation loss is the same every step.
    assert len(set(history["val_loss"])) == 1
    # ... while every training step is back in training mode: dropout makes
    # the training losses differ from step to step.
    assert len(set(history["loss"])) == 3
    assert not model.training  # left in evaluation mode after validating


def test_without_validation_the_model_stays_in_training_mode():
    X, y = _line()
    model = torch.nn.Sequential(torch.nn.Dropout(p=0.9), torch.nn.Linear(1, 1)).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    history = fit(model, torch.nn.MSELoss(), opt, X, y, steps=3)
    assert len(set(history["loss"])) == 3 and model.training


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": 0}, "steps must be at least 1"),
        ({"steps": 1, "batch_size": 0}, "batch_size must be between 1 and len"),
        ({"steps": 1, "batch_size": 99}, "batch_size must be between 1 and len"),
    ],
)
def test_bad_arguments(kwargs, message):
    X, y = _line()
    model = torch.nn.Linear(1, 1).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=message):
        fit(model, torch.nn.MSELoss(), opt, X, y, **kwargs)


def test_rows_must_match():
    model = torch.nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="same number of rows, got 3 and 2"):
        fit(model, torch.nn.MSELoss(), opt, torch.ones(3, 1), torch.ones(2, 1), steps=1)


def test_callback_sees_every_step_and_can_stop_early():
    torch.manual_seed(0)
    X = torch.linspace(-1, 1, 16).unsqueeze(1)
    y = 2 * X
    seen = []

    def stop_at_five(step, history):
        seen.append((step, len(history["loss"]), len(history["val_loss"])))
        return step == 4  # stop after the fifth step

    model = torch.nn.Linear(1, 1)
    twin = torch.nn.Linear(1, 1)
    twin.load_state_dict(model.state_dict())
    history = fit(
        model,
        torch.nn.MSELoss(),
        torch.optim.SGD(model.parameters(), lr=0.1),
        X,
        y,
        steps=50,
        validation=(X, y),
        callback=stop_at_five,
    )
    assert seen == [(s, s + 1, s + 1) for s in range(5)]  # the history so far, each step
    assert len(history["loss"]) == len(history["val_loss"]) == len(history["lr"]) == 5
    # stopping early is exactly a shorter run: the same five steps, the same numbers
    short = fit(
        twin,
        torch.nn.MSELoss(),
        torch.optim.SGD(twin.parameters(), lr=0.1),
        X,
        y,
        steps=5,
        validation=(X, y),
    )
    assert short.keys() == history.keys()
    for name in short:
        np.testing.assert_array_equal(short[name], history[name])


def test_metrics_are_measured_on_the_output_the_loss_was_computed_from():
    torch.manual_seed(1)
    X = torch.randn(32, 3)
    y = torch.randn(32, 1)
    model = torch.nn.Linear(3, 1)
    mse = torch.nn.MSELoss()
    history = fit(
        model,
        mse,
        torch.optim.SGD(model.parameters(), lr=0.1),
        X,
        y,
        steps=6,
        batch_size=8,
        generator=torch.Generator().manual_seed(0),
        metrics={"again": lambda out, target: mse(out, target).item(), "rows": lambda o, t: len(o)},
    )
    np.testing.assert_array_equal(
        history["again"], history["loss"]
    )  # the same batch, before the update
    assert history["rows"].tolist() == [8] * 6
