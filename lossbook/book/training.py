"""A tiny, explicit training loop for the chapters' experiments."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import torch

# A per-step hook: (step, history so far) -> True to stop training.
Callback = Callable[[int, dict[str, list[float]]], bool | None]
# A per-step measurement: (the step's output, its targets) -> a number.
Metric = Callable[[torch.Tensor, torch.Tensor], float]


def fit(
    model: torch.nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    steps: int,
    batch_size: int | None = None,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    validation: tuple[torch.Tensor, torch.Tensor] | None = None,
    generator: torch.Generator | None = None,
    metrics: Mapping[str, Metric] | None = None,
    callback: Callback | None = None,
) -> dict[str, np.ndarray]:
    """Train ``model`` for ``steps`` optimiser steps; return the loss history.

    Each step takes a batch (the whole of ``X`` when ``batch_size`` is None,
    otherwise ``batch_size`` rows drawn without replacement by ``generator``),
    computes ``loss_fn(model(batch_X), batch_y)``, back-propagates, calls
    ``optimizer.step()`` and then, if given, ``scheduler.step()``: the order
    PyTorch requires.

    Args:
        model: the network; it is put in training mode for the steps and in
            evaluation mode for the validation loss (so it is left in
            evaluation mode when ``validation`` is given, else in training
            mode).
        loss_fn: maps ``(prediction, target)`` to a scalar tensor, e.g.
            ``nn.MSELoss()``.
        optimizer: an optimiser over ``model``'s parameters.
        X: inputs, one row per example.
        y: targets, one row (or entry) per example.
        steps: number of optimiser steps.
        batch_size: rows per step; None for full-batch gradient descent.
        scheduler: a learning-rate scheduler stepped once after every optimiser
            step; a ``ReduceLROnPlateau`` is given the validation loss (or,
            without ``validation``, the step's training loss) as its metric.
        validation: an optional ``(X_val, y_val)`` pair, evaluated after every
            step without gradients.
        generator: the generator that draws mini-batches (for reproducible
            runs).
        metrics: ``{name: fn}``; each step records ``fn(output, target)`` on
            the step's batch, before the update, under ``name`` (for
            example the accuracy of the logits the loss was computed from).
        callback: called after every step (after the validation loss and
            the scheduler) as ``callback(step, history)``, with the step's
            0-based index and the history so far (lists, growing): the
            place to record something per step, or to stop early. If it
            returns True, training stops there.

    Returns:
        The history (the book's one kind) as a dict of float64 arrays,
        ``{"loss": ..., "lr": ...}`` with one entry per step taken: the
        training loss of the step's batch (before the update) and the
        learning rate it used; with ``validation``, also ``"val_loss"``,
        measured after the update; one array per entry of ``metrics``.

    Raises:
        ValueError: if ``steps < 1``, or ``X`` and ``y`` have different numbers
            of rows, or ``batch_size`` is not between 1 and ``len(X)``.

    Example:
        >>> import torch
        >>> model = torch.nn.Linear(1, 1)
        >>> X = torch.linspace(-1, 1, 20).unsqueeze(1)
        >>> opt = torch.optim.SGD(model.parameters(), lr=0.5)
        >>> y = 3 * X + 1
        >>> history = fit(model, torch.nn.MSELoss(), opt, X, y, steps=200)
        >>> history["loss"].shape, bool(history["loss"][-1] < 1e-6)
        ((200,), True)
    """
    if steps < 1:
        raise ValueError(f"fit: steps must be at least 1, got {steps}.")
    if len(X) != len(y):
        raise ValueError(
            f"fit: X and y must have the same number of rows, got {len(X)} "
            f"and {len(y)}."
        )
    if batch_size is not None and not 1 <= batch_size <= len(X):
        raise ValueError(
            f"fit: batch_size must be between 1 and len(X)={len(X)}, got "
            f"{batch_size}."
        )
    history: dict[str, list[float]] = {"loss": [], "lr": []}
    metrics = dict(metrics or {})
    for name in metrics:
        history[name] = []
    if validation is not None:
        history["val_loss"] = []
    model.train()
    for step in range(steps):
        if batch_size is None:
            batch_X, batch_y = X, y
        else:
            rows = torch.randperm(len(X), generator=generator)[:batch_size]
            batch_X, batch_y = X[rows], y[rows]
        optimizer.zero_grad()
        output = model(batch_X)
        loss = loss_fn(output, batch_y)
        loss.backward()
        history["lr"].append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        history["loss"].append(loss.item())
        with torch.no_grad():
            for name, metric in metrics.items():
                history[name].append(metric(output.detach(), batch_y))
        if validation is not None:
            model.eval()
            with torch.no_grad():
                history["val_loss"].append(
                    loss_fn(model(validation[0]), validation[1]).item()
                )
            if step + 1 < steps:
                model.train()
        if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            # It watches a metric: the validation loss if there is one, else
            # the step's loss.
            scheduler.step(
                history["val_loss" if validation is not None else "loss"][-1]
            )
        elif scheduler is not None:
            scheduler.step()
        if callback is not None and callback(step, history):
            break
    return {
        name: np.asarray(values, dtype=np.float64)
        for name, values in history.items()
    }
