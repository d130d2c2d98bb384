r"""Learning-rate schedules: record PyTorch schedulers, find a first rate.

The chapter on learning-rate schedules plots every schedule from the scheduler
object PyTorch itself would use, never from a formula typed again by hand, and
picks its rates with the learning-rate range test. The helpers here do both:

* :func:`record_lr` steps an existing scheduler in the order PyTorch requires
  and returns the rate (or momentum) that each optimiser step used;
* :func:`lr_curve` does the same for a scheduler built on a throw-away
  optimiser;
* :func:`steps_per_epoch` counts the batches a
  :class:`torch.utils.data.DataLoader` yields, which is what ``OneCycleLR``'s
  ``total_steps`` must be sized from;
* :func:`lr_range_test` and :func:`suggest_lr` implement the range test of
  Smith (2017).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence

import numpy as np
import torch

from .training import fit


def _group_value(
    optimizer: torch.optim.Optimizer, key: str, group: int
) -> float:
    """The value of ``key`` in a parameter group (first entry of ``betas``)."""
    value = optimizer.param_groups[group][key]
    if isinstance(value, tuple | list):
        value = value[0]
    return float(value)


def record_lr(
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    steps: int,
    *,
    metrics: Sequence[float] | None = None,
    key: str = "lr",
    group: int = 0,
) -> np.ndarray:
    r"""Step a scheduler ``steps`` times; return the value each step used.

    Step :math:`t = 0, 1, \dots, T-1` reads the value the optimiser is about to
    use (for ``key="lr"`` that is ``scheduler.get_last_lr()[group]``, the rate
    :math:`\eta_t`), then calls ``optimizer.step()`` and only then
    ``scheduler.step()``: the order PyTorch requires since version 1.1, so no
    warning is raised and no value of the schedule is skipped. Gradients are
    cleared (set to ``None``) before every optimiser step, so the parameters
    are never changed: only the schedule advances.

    Args:
        scheduler: any :mod:`torch.optim.lr_scheduler` scheduler, freshly built
            (its optimiser may belong to a real model: the model is left
            untouched).
        steps: the number :math:`T` of optimiser steps to record, at least 1.
        metrics: for :class:`~torch.optim.lr_scheduler.ReduceLROnPlateau` only
            (required there): the monitored value passed to ``scheduler.step``
            after step :math:`t`, one per step.
        key: the parameter-group entry to record: ``"lr"``, or ``"momentum"``
            (SGD) or ``"betas"`` (Adam; its first entry is recorded) to see
            what ``OneCycleLR`` and ``CyclicLR`` do to momentum.
        group: index of the parameter group to record.

    Returns:
        float64 array of shape ``(steps,)``: entry :math:`t` is the value used
        by the :math:`t`-th optimiser step.

    Raises:
        ValueError: if ``steps < 1``; if ``metrics`` is missing for
            ``ReduceLROnPlateau``, given for another scheduler, or not of
            length ``steps``; or if ``key`` is not in the parameter group.

    Example:
        >>> from torch.optim.lr_scheduler import StepLR
        >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        >>> record_lr(StepLR(opt, step_size=2, gamma=0.5), 6).tolist()
        [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]

    Reference:
        PyTorch documentation, "How to adjust learning rate" (``torch.optim``).
    """
    if steps < 1:
        raise ValueError(f"record_lr: steps must be at least 1, got {steps}.")
    plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
    if plateau and metrics is None:
        raise ValueError(
            "record_lr: ReduceLROnPlateau needs the monitored value at every "
            "step; pass metrics=[...] with one value per step."
        )
    if metrics is not None:
        if not plateau:
            raise ValueError(
                f"record_lr: metrics is only used by ReduceLROnPlateau, "
                f"got it for {type(scheduler).__name__}; leave it out."
            )
        if len(metrics) != steps:
            raise ValueError(
                f"record_lr: metrics must hold one value per step ({steps}), "
                f"got {len(metrics)}."
            )
    optimizer = scheduler.optimizer
    if key not in optimizer.param_groups[group]:
        raise ValueError(
            f"record_lr: key {key!r} is not in the optimiser's parameter "
            f"group; choose one of {sorted(optimizer.param_groups[group])}."
        )
    values = np.empty(steps)
    for t in range(steps):
        if key == "lr":
            values[t] = float(scheduler.get_last_lr()[group])
        else:
            values[t] = _group_value(optimizer, key, group)
        optimizer.zero_grad(
            set_to_none=True
        )  # no gradients: the step changes nothing
        optimizer.step()
        if plateau:
            scheduler.step(metrics[t])
        else:
            scheduler.step()
    return values


def lr_curve(
    make_scheduler: Callable[
        [torch.optim.Optimizer], torch.optim.lr_scheduler.LRScheduler
    ],
    steps: int,
    *,
    lr: float = 0.1,
    momentum: float = 0.0,
    metrics: Sequence[float] | None = None,
    key: str = "lr",
) -> np.ndarray:
    """The schedule of a scheduler built on a throw-away SGD optimiser.

    Builds ``torch.optim.SGD`` over a single parameter with learning rate
    ``lr`` and the given ``momentum``, hands it to ``make_scheduler`` and
    records the result with :func:`record_lr`. Use it to draw a schedule
    without a model.

    Args:
        make_scheduler: maps the optimiser to a scheduler, e.g.
            ``lambda opt: StepLR(opt, step_size=10, gamma=0.1)``.
        steps: number of optimiser steps to record.
        lr: the optimiser's initial (base) learning rate.
        momentum: SGD's momentum (``OneCycleLR`` overrides it when it cycles
            momentum).
        metrics: the monitored values, for ``ReduceLROnPlateau`` only.
        key: ``"lr"`` or ``"momentum"``, as in :func:`record_lr`.

    Returns:
        float64 array of shape ``(steps,)``, as :func:`record_lr` returns.

    Raises:
        ValueError: as :func:`record_lr`.

    Example:
        >>> from torch.optim.lr_scheduler import ExponentialLR
        >>> lr_curve(lambda o: ExponentialLR(o, gamma=0.5), 4, lr=1.0).tolist()
        [1.0, 0.5, 0.25, 0.125]
    """
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=lr, momentum=momentum)
    return record_lr(
        make_scheduler(optimizer), steps, metrics=metrics, key=key
    )


def steps_per_epoch(
    n_examples: int, batch_size: int, *, drop_last: bool = False
) -> int:
    r"""Number of batches in one pass over ``n_examples``: ``len(DataLoader)``.

    Without ``drop_last`` the last, smaller batch counts too, so the number is
    :math:`\lceil n / B \rceil`; with ``drop_last=True`` it is
    :math:`\lfloor n / B \rfloor`.
    ``OneCycleLR(..., epochs=E, steps_per_epoch=S)`` (or
    ``total_steps = E * S``) must use this number when the scheduler is
    stepped once per batch, or the last epoch raises.

    Args:
        n_examples: the data set's size :math:`n`, at least 1.
        batch_size: the batch size :math:`B`, at least 1.
        drop_last: whether the incomplete last batch is dropped, as in
            ``DataLoader``.

    Returns:
        The number of batches per epoch.

    Raises:
        ValueError: if ``n_examples`` or ``batch_size`` is below 1.

    Example:
        >>> steps_per_epoch(1000, 64)
        16
        >>> steps_per_epoch(1000, 64, drop_last=True)
        15
    """
    if n_examples < 1 or batch_size < 1:
        raise ValueError(
            f"steps_per_epoch: n_examples and batch_size must be at least 1, "
            f"got {n_examples} and {batch_size}."
        )
    if drop_last:
        return n_examples // batch_size
    return math.ceil(n_examples / batch_size)


def lr_range_test(
    model: torch.nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    lr_min: float = 1e-5,
    lr_max: float = 10.0,
    steps: int = 100,
    batch_size: int | None = None,
    make_optimizer: Callable[..., torch.optim.Optimizer] | None = None,
    smoothing: float = 0.9,
    stop_factor: float = 4.0,
    generator: torch.Generator | None = None,
) -> dict[str, np.ndarray]:
    r"""The learning-rate range test: train while the rate grows geometrically.

    Step :math:`t = 0, \dots, T-1` trains with rate
    :math:`\eta_t = \eta_{\min} (\eta_{\max} / \eta_{\min})^{t / (T-1)}`, set
    by a real :class:`~torch.optim.lr_scheduler.ExponentialLR`, and records the
    batch loss :math:`\ell_t` before the update and its bias-corrected
    exponential moving average :math:`s_t = a_t / (1 - \beta^{t+1})` with
    :math:`a_t = \beta a_{t-1} + (1-\beta)\ell_t`, :math:`a_{-1} = 0`,
    :math:`\beta` = ``smoothing``. The test stops early once
    :math:`s_t > c \min_{u \le t} s_u` (:math:`c` = ``stop_factor``) or a loss
    is not finite: the rate has become too large. It runs on a deep copy of
    ``model``, so the model passed in is not changed; each step is one of
    :func:`~lossbook.book.fit`.

    Args:
        model: the network to probe (copied, not trained).
        loss_fn: maps ``(prediction, target)`` to a scalar tensor.
        X: inputs, one row per example.
        y: targets.
        lr_min: the first rate :math:`\eta_{\min} > 0`.
        lr_max: the last rate :math:`\eta_{\max} > \eta_{\min}`.
        steps: the number :math:`T \ge 2` of steps.
        batch_size: rows per step, drawn without replacement by ``generator``;
            None for the whole data set.
        make_optimizer: maps the parameters to an optimiser, as for
            ``compare_losses``; its learning rate is overwritten with
            ``lr_min``. By default ``torch.optim.SGD`` with ``momentum=0.9``.
        smoothing: the moving average's :math:`\beta`, in ``[0, 1)``.
        stop_factor: the divergence threshold :math:`c > 1`.
        generator: the generator that draws the mini-batches.

    Returns:
        ``{"lr": ..., "loss": ..., "smoothed": ...}``, float64 arrays of equal
        length (at most ``steps``; shorter when the test stopped early).

    Raises:
        ValueError: for rates, ``steps``, ``smoothing`` or ``stop_factor`` out
            of range, or a ``batch_size`` outside ``[1, len(X)]``.

    Example:
        >>> _ = torch.manual_seed(0)
        >>> X = torch.linspace(-1, 1, 32).unsqueeze(1)
        >>> model, loss_fn = torch.nn.Linear(1, 1), torch.nn.MSELoss()
        >>> result = lr_range_test(
        ...     model, loss_fn, X, 2 * X, lr_min=1e-3, lr_max=1e2, steps=50
        ... )
        >>> # it stopped early: the rate got too large
        >>> bool(result["lr"][0] == 1e-3), len(result["lr"]) < 50
        (True, True)

    Reference:
        L. N. Smith, "Cyclical Learning Rates for Training Neural Networks",
        WACV 2017.
    """
    if not 0 < lr_min < lr_max:
        raise ValueError(
            f"lr_range_test: need 0 < lr_min < lr_max, got lr_min={lr_min}, "
            f"lr_max={lr_max}."
        )
    if steps < 2:
        raise ValueError(
            f"lr_range_test: steps must be at least 2, got {steps}."
        )
    if not 0 <= smoothing < 1:
        raise ValueError(
            f"lr_range_test: smoothing must be in [0, 1), got {smoothing}."
        )
    if stop_factor <= 1:
        raise ValueError(
            f"lr_range_test: stop_factor must be > 1, got {stop_factor}."
        )
    if batch_size is not None and not 1 <= batch_size <= len(X):
        raise ValueError(
            "lr_range_test: batch_size must be between 1 and "
            f"len(X)={len(X)}, got {batch_size}."
        )
    probe = copy.deepcopy(model)
    if make_optimizer is None:
        optimizer = torch.optim.SGD(
            probe.parameters(), lr=lr_min, momentum=0.9
        )
    else:
        optimizer = make_optimizer(probe.parameters())
        for group in optimizer.param_groups:  # the test sets the rate
            group["lr"] = lr_min
    gamma = (lr_max / lr_min) ** (1.0 / (steps - 1))
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=gamma)
    smoothed: list[float] = []
    tracked = {"average": 0.0, "best": math.inf}

    def watch(t, history):
        """Smooth the step's loss (measured before its update); True stops."""
        value = history["loss"][-1]
        average = smoothing * tracked["average"] + (1 - smoothing) * value
        tracked["average"] = average
        smooth = average / (1 - smoothing ** (t + 1))
        smoothed.append(smooth)
        if not math.isfinite(value) or smooth > stop_factor * tracked["best"]:
            return True
        tracked["best"] = min(tracked["best"], smooth)
        return False

    history = fit(
        probe,
        loss_fn,
        optimizer,
        X,
        y,
        steps=steps,
        batch_size=batch_size,
        scheduler=scheduler,
        generator=generator,
        callback=watch,
    )
    return {
        "lr": np.array(history["lr"]),
        "loss": np.array(history["loss"]),
        "smoothed": np.array(smoothed),
    }


def suggest_lr(
    lrs: np.ndarray, losses: np.ndarray, *, method: str = "steepest"
) -> float:
    r"""Pick a learning rate from a range test's (rate, smoothed loss) curve.

    Two common rules:

    * ``"steepest"``: the rate where the loss falls fastest against
      :math:`\log \eta`, the minimum of
      :math:`\mathrm d s / \mathrm d \log \eta` (central differences), searched
      among the interior points below the rate of the lowest loss;
    * ``"minimum"``: one tenth of the rate at which the loss is smallest, a
      safe distance below the rates where training starts to diverge.

    Only finite losses are used; both rules are heuristics to start from, not
    optima.

    Args:
        lrs: the rates, increasing, as :func:`lr_range_test` returns them.
        losses: the (smoothed) losses at those rates, same shape.
        method: ``"steepest"`` or ``"minimum"``.

    Returns:
        The suggested rate.

    Raises:
        ValueError: if the shapes differ, fewer than three finite points
            remain, or ``method`` is unknown.

    Example:
        >>> lrs = np.logspace(-4, 0, 81)
        >>> losses = 1 - np.tanh(np.log10(lrs) + 2)  # steepest at lr = 1e-2
        >>> f"{suggest_lr(lrs, losses):.0e}"
        '1e-02'
    """
    lrs = np.asarray(lrs, dtype=np.float64)
    losses = np.asarray(losses, dtype=np.float64)
    if lrs.shape != losses.shape:
        raise ValueError(
            "suggest_lr: lrs and losses must have the same shape, got "
            f"{lrs.shape} and {losses.shape}."
        )
    if method not in ("steepest", "minimum"):
        raise ValueError(
            "suggest_lr: method must be 'steepest' or 'minimum', got "
            f"{method!r}."
        )
    finite = np.isfinite(losses) & np.isfinite(lrs) & (lrs > 0)
    lrs, losses = lrs[finite], losses[finite]
    if len(lrs) < 3:
        raise ValueError(
            f"suggest_lr: need at least 3 finite points, got {len(lrs)}; "
            "run the range test with more steps."
        )
    if method == "minimum":
        return float(lrs[np.argmin(losses)] / 10)
    slope = np.gradient(losses, np.log(lrs))
    # Search the interior points before the lowest loss: the ends have
    # one-sided slopes, and whatever the curve does after its minimum belongs
    # to a diverging run.
    upto = max(int(np.argmin(losses)), 2)
    return float(lrs[1 + np.argmin(slope[1:upto])])
