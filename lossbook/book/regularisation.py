r"""For the chapter *Regularisation*: ridge, lasso, paths, early stopping.

The chapter *Regularisation* uses these to put a number on each technique it
discusses:

* :func:`ridge` and :func:`lasso` solve the penalised least-squares problems
  exactly (the linear special case of "MSE + penalty"), and
  :func:`coefficient_path` traces their solutions as the penalty grows;
* :class:`EarlyStopping` and :func:`early_stopping_epoch` stop training when a
  validation loss has not improved for ``patience`` epochs;
* :func:`decay_parameter_groups` splits a model's parameters so that an
  optimiser decays the weights but not the biases and normalisation parameters.

The soft-thresholding operator behind the lasso is a penalty's proximal map,
and lives with the penalties in the loss library
(:func:`lossbook.soft_threshold`).

Conventions: both penalised problems use the mean squared error, as
``torch.nn.MSELoss`` does, and an unpenalised intercept :math:`b`:

.. math::

    J_{\text{ridge}}(w, b) = \frac{1}{n}\sum_{i=1}^n (x_i^\top w + b - y_i)^2
        + \alpha \lVert w \rVert_2^2, \qquad
    J_{\text{lasso}}(w, b) = \frac{1}{n}\sum_{i=1}^n (x_i^\top w + b - y_i)^2
        + \alpha \lVert w \rVert_1 .

scikit-learn scales the data term differently: its ``Ridge(alpha=a)`` is ours
with ``alpha = a / n`` and its ``Lasso(alpha=a)`` is ours with
``alpha = 2 * a``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .._validation import as_float_array, check_number


def _design(fname: str, X, y):
    """Check a design matrix ``(n, d)``, targets ``(n,)``; copy to float64."""
    X = as_float_array(fname, "X", X).astype(np.float64)
    y = as_float_array(fname, "y", y).astype(np.float64)
    if X.ndim != 2:
        raise ValueError(
            f"{fname}: X must have shape (n, d), one row per example; got "
            f"shape {X.shape}. For a single feature use X[:, None]."
        )
    if y.shape != (X.shape[0],):
        raise ValueError(
            f"{fname}: y must have shape (n,) = ({X.shape[0]},) to match X of "
            f"shape {X.shape}; got shape {y.shape}. Flatten it with y.ravel() "
            "if it is a column."
        )
    return X, y


def _centre(X: np.ndarray, y: np.ndarray, fit_intercept: bool):
    """Centre ``X`` and ``y`` if an intercept is fitted (not penalised)."""
    if not fit_intercept:
        return X, y, np.zeros(X.shape[1]), 0.0
    x_mean, y_mean = X.mean(axis=0), float(y.mean())
    return X - x_mean, y - y_mean, x_mean, y_mean


def ridge(X, y, alpha: float, *, fit_intercept: bool = True):
    r"""Ridge regression: minimise MSE + :math:`\alpha\lVert w\rVert_2^2`.

    Minimises

    .. math:: J(w, b) = \frac1n \lVert Xw + b - y \rVert^2
        + \alpha \lVert w \rVert_2^2 .

    Setting the gradient to zero gives, with :math:`X_c, y_c` the centred
    data,

    .. math::

        (X_c^\top X_c + n\alpha I)\, w = X_c^\top y_c, \qquad
        b = \bar y - \bar x^\top w,

    which is solved here as the least-squares problem
    :math:`[X_c; \sqrt{n\alpha} I]\, w \approx [y_c; 0]` (stable, and the
    minimum-norm least-squares fit when ``alpha = 0``). The same penalty in
    PyTorch is ``F.mse_loss(pred, y) + alpha * (w ** 2).sum()``, or
    ``torch.optim.SGD(..., weight_decay=2 * alpha)`` on the weight only:
    ``weight_decay`` adds
    :math:`\lambda w` to the gradient, the gradient of
    :math:`\frac{\lambda}{2}\lVert w \rVert^2`.

    Args:
        X: design matrix of shape ``(n, d)``.
        y: targets of shape ``(n,)``.
        alpha: penalty strength :math:`\alpha \ge 0`.
        fit_intercept: fit an unpenalised intercept :math:`b`; otherwise
            :math:`b = 0`.

    Returns:
        ``(w, b)``: the coefficients, float64 of shape ``(d,)``, and the
        intercept as a float.

    Raises:
        ValueError: if shapes do not match or ``alpha < 0``.
        TypeError: if ``X`` or ``y`` is not numeric or ``alpha`` is not a
            number.

    References:
        Hoerl and Kennard (1970), *Ridge regression: biased estimation for
        nonorthogonal problems*.

    Example:
        >>> X = np.array([[1.0], [2.0], [3.0]]); y = np.array([2.0, 4.0, 6.0])
        >>> w, b = ridge(X, y, 0.0)  # no penalty: the least-squares y = 2x
        >>> round(float(w[0]), 6), round(b, 6)
        (2.0, 0.0)
        >>> w, b = ridge(X, y, 1.0)  # the penalty shrinks the slope to 0
        >>> round(float(w[0]), 4)
        0.8
    """
    X, y = _design("ridge", X, y)
    alpha = check_number("ridge", "alpha", alpha, low=0.0)
    Xc, yc, x_mean, y_mean = _centre(X, y, fit_intercept)
    n, d = X.shape
    A = np.vstack([Xc, math.sqrt(n * alpha) * np.eye(d)])
    rhs = np.concatenate([yc, np.zeros(d)])
    w = np.linalg.lstsq(A, rhs, rcond=None)[0]
    b = y_mean - float(x_mean @ w) if fit_intercept else 0.0
    return w, b


def lasso_alpha_max(X, y, *, fit_intercept: bool = True) -> float:
    r"""The smallest :math:`\alpha` at which every lasso coefficient is 0.

    At :math:`w = 0` the subgradient optimality condition of :func:`lasso`
    reads :math:`\lvert \frac{2}{n} x_j^\top y_c \rvert \le \alpha` for every
    column :math:`j`, so

    .. math::

        \alpha_{\max}
        = \max_j \Big\lvert \frac{2}{n} x_{c,j}^\top y_c \Big\rvert .

    Args:
        X: design matrix of shape ``(n, d)``.
        y: targets of shape ``(n,)``.
        fit_intercept: centre the data first, as :func:`lasso` does.

    Returns:
        :math:`\alpha_{\max}` as a float.

    Example:
        >>> X = np.array([[1.0], [-1.0]]); y = np.array([3.0, -3.0])
        >>> lasso_alpha_max(X, y)
        6.0
    """
    X, y = _design("lasso_alpha_max", X, y)
    Xc, yc, _, _ = _centre(X, y, fit_intercept)
    return float(np.max(np.abs(2.0 / len(y) * Xc.T @ yc)))


def lasso(
    X,
    y,
    alpha: float,
    *,
    fit_intercept: bool = True,
    w0=None,
    tol: float = 1e-12,
    max_iter: int = 100_000,
):
    r"""The lasso: the minimiser of MSE + :math:`\alpha\lVert w\rVert_1`.

    Minimises

    .. math:: J(w, b) = \frac1n \lVert Xw + b - y \rVert^2
        + \alpha \lVert w \rVert_1 .

    With the other coefficients fixed, the best :math:`w_j` has a closed
    form,

    .. math::

        w_j \leftarrow \frac{S(\rho_j, \alpha/2)}{z_j}, \qquad
        \rho_j = \tfrac1n x_j^\top (y_c - X_c w) + z_j w_j, \qquad
        z_j = \tfrac1n \lVert x_j \rVert^2,

    with :math:`S` the :func:`~lossbook.soft_threshold`; sweeping over
    :math:`j` until no coefficient moves converges to the minimiser (the
    problem is convex). The optimum satisfies
    :math:`\frac2n x_j^\top r = \alpha\,\operatorname{sign}(w_j)` where
    :math:`w_j \ne 0` and
    :math:`\lvert \frac2n x_j^\top r\rvert \le \alpha` where :math:`w_j = 0`,
    with :math:`r = y_c - X_c w` the residual; the tests check exactly these
    conditions.

    Args:
        X: design matrix of shape ``(n, d)``.
        y: targets of shape ``(n,)``.
        alpha: penalty strength :math:`\alpha \ge 0`.
        fit_intercept: fit an unpenalised intercept; otherwise :math:`b = 0`.
        w0: optional starting coefficients (a warm start), shape ``(d,)``.
        tol: stop when a full sweep moves no coefficient by more than ``tol``
            times the largest coefficient (or ``tol`` if all are below 1).
        max_iter: maximum number of sweeps.

    Returns:
        ``(w, b)``: the coefficients, float64 of shape ``(d,)``, and the
        intercept.

    Raises:
        ValueError: if shapes do not match, ``alpha < 0`` or ``w0`` has the
            wrong shape.

    References:
        Tibshirani (1996), *Regression shrinkage and selection via the lasso*.

    Example:
        >>> X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
        >>> y = np.array([2.0, -2.0, 0.5, -0.5])
        >>> # orthogonal columns: w_j = S(x_j @ y / n, alpha / 2) / z_j
        >>> w, b = lasso(X, y, 0.25)
        >>> w.round(6).tolist(), round(b, 6)
        ([1.75, 0.25], 0.0)
    """
    X, y = _design("lasso", X, y)
    alpha = check_number("lasso", "alpha", alpha, low=0.0)
    n, d = X.shape
    Xc, yc, x_mean, y_mean = _centre(X, y, fit_intercept)
    if w0 is None:
        w = np.zeros(d)
    else:
        w = as_float_array("lasso", "w0", w0).astype(np.float64).copy()
        if w.shape != (d,):
            raise ValueError(
                f"lasso: w0 must have shape ({d},) to match X; got {w.shape}."
            )
    z = (Xc**2).sum(axis=0) / n
    r = yc - Xc @ w
    for _ in range(max_iter):
        biggest_move = 0.0
        for j in range(d):
            if z[j] == 0.0:  # a constant column carries no information
                new = 0.0
            else:
                rho = Xc[:, j] @ r / n + z[j] * w[j]
                new = math.copysign(max(abs(rho) - alpha / 2, 0.0), rho) / z[j]
            move = new - w[j]
            if move != 0.0:
                r -= move * Xc[:, j]
                w[j] = new
                biggest_move = max(biggest_move, abs(move))
        if biggest_move <= tol * max(1.0, float(np.max(np.abs(w)))):
            break
    b = y_mean - float(x_mean @ w) if fit_intercept else 0.0
    return w, b


def coefficient_path(
    X, y, alphas, *, penalty: str = "l1", fit_intercept: bool = True
):
    r"""The fitted coefficients against the penalty strength: a path.

    Solves :func:`lasso` (``penalty="l1"``) or :func:`ridge` (``penalty="l2"``)
    for every :math:`\alpha` in ``alphas``. The lasso path is computed from the
    largest :math:`\alpha` down, each solution warm-starting the next, which
    makes the whole path about as cheap as a single fit.

    Args:
        X: design matrix of shape ``(n, d)``.
        y: targets of shape ``(n,)``.
        alphas: the penalty strengths, a 1-D array of values :math:`\ge 0` in
            any order.
        penalty: ``"l1"`` (lasso) or ``"l2"`` (ridge).
        fit_intercept: fit an unpenalised intercept at each :math:`\alpha`.

    Returns:
        A float64 array of shape ``(len(alphas), d)``; row ``k`` holds
        :math:`w` at ``alphas[k]``.

    Raises:
        ValueError: for an unknown ``penalty``, a negative or non 1-D
            ``alphas``, or mismatched shapes.

    Example:
        >>> X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
        >>> y = np.array([2.0, -2.0, 0.5, -0.5])
        >>> path = coefficient_path(X, y, [0.0, 1.0, 4.0], penalty="l1")
        >>> path.round(6).tolist()
        [[2.0, 0.5], [1.0, 0.0], [0.0, 0.0]]
    """
    if penalty not in ("l1", "l2"):
        raise ValueError(
            f"coefficient_path: penalty must be 'l1' or 'l2'; got {penalty!r}."
        )
    X, y = _design("coefficient_path", X, y)
    alphas = as_float_array("coefficient_path", "alphas", alphas).astype(
        np.float64
    )
    if alphas.ndim != 1 or np.any(~(alphas >= 0)):
        raise ValueError(
            "coefficient_path: alphas must be a 1-D array of values >= 0; "
            f"got shape {alphas.shape} with minimum "
            f"{np.min(alphas) if alphas.size else None}."
        )
    path = np.zeros((len(alphas), X.shape[1]))
    w = None
    for k in np.argsort(-alphas, kind="stable"):
        if penalty == "l1":
            w, _ = lasso(X, y, alphas[k], fit_intercept=fit_intercept, w0=w)
        else:
            w, _ = ridge(X, y, alphas[k], fit_intercept=fit_intercept)
        path[k] = w
    return path


class EarlyStopping:
    """Stop training once the validation loss stalls for ``patience`` epochs.

    Call :meth:`step` with each epoch's validation loss. An epoch *improves*
    when its loss is below the best so far by more than ``min_delta``; after
    ``patience`` epochs in a row without improvement, :meth:`step` returns
    ``True``. Keep the parameters of the best epoch (``improved`` tells when to
    copy them) and restore them when training stops: early stopping returns the
    model of epoch :attr:`best_epoch`, not the last one.

    Epochs are counted from 0, in the order :meth:`step` is called. A NaN loss
    never improves.

    Args:
        patience: how many epochs without improvement to tolerate (an int >=
            1).
        min_delta: how much lower than the best a loss must be to count as an
            improvement.

    Attributes:
        best: the lowest loss seen so far (``inf`` before the first step).
        best_epoch: the epoch of ``best`` (``None`` before the first
            improvement).
        improved: whether the last step set a new best.
        wait: epochs since the last improvement.
        stopped_epoch: the epoch at which the patience ran out (``None`` until
            then).

    Raises:
        ValueError: if ``patience < 1`` or ``min_delta < 0``.

    References:
        Prechelt (1998), *Early stopping - but when?*

    Example:
        >>> stopper = EarlyStopping(patience=2)
        >>> [stopper.step(v) for v in [1.0, 0.8, 0.9, 0.85]]
        [False, False, False, True]
        >>> stopper.best_epoch, stopper.stopped_epoch, stopper.best
        (1, 3, 0.8)
    """

    def __init__(self, patience: int, *, min_delta: float = 0.0) -> None:
        if (
            isinstance(patience, bool)
            or not isinstance(patience, numbers.Integral)
            or patience < 1
        ):
            raise ValueError(
                "EarlyStopping: patience must be an int >= 1, got "
                f"{patience!r}."
            )
        self.patience = int(patience)
        self.min_delta = check_number(
            "EarlyStopping", "min_delta", min_delta, low=0.0
        )
        self.best = math.inf
        self.best_epoch: int | None = None
        self.improved = False
        self.wait = 0
        self.stopped_epoch: int | None = None
        self._epoch = 0

    def step(self, loss: float) -> bool:
        """Record an epoch's validation loss; ``True`` means stop training."""
        loss = float(loss)
        self.improved = loss < self.best - self.min_delta
        if self.improved:
            self.best, self.best_epoch, self.wait = loss, self._epoch, 0
        else:
            self.wait += 1
        if self.stopped_epoch is None and self.wait >= self.patience:
            self.stopped_epoch = self._epoch
        self._epoch += 1
        return self.stopped_epoch is not None

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(patience={self.patience}, "
            f"min_delta={self.min_delta}, best={self.best:.6g}, "
            f"best_epoch={self.best_epoch}, "
            f"stopped_epoch={self.stopped_epoch})"
        )


def early_stopping_epoch(
    losses, *, patience: int, min_delta: float = 0.0
) -> tuple[int | None, int | None]:
    """Replay :class:`EarlyStopping` on a recorded validation curve.

    Args:
        losses: the validation loss of each epoch, in order.
        patience: as for :class:`EarlyStopping`.
        min_delta: as for :class:`EarlyStopping`.

    Returns:
        ``(best_epoch, stopped_epoch)``: the epoch whose parameters early
        stopping keeps, and the epoch at which it stops (``None`` if the curve
        ends first; training would then simply end at the last epoch).

    Example:
        >>> early_stopping_epoch([3.0, 2.0, 1.0, 1.5, 1.2, 0.9], patience=2)
        (2, 4)
        >>> early_stopping_epoch([3.0, 2.0, 1.0], patience=2)
        (2, None)
    """
    stopper = EarlyStopping(patience, min_delta=min_delta)
    for loss in np.asarray(losses, dtype=np.float64).ravel():
        if stopper.step(loss):
            break
    return stopper.best_epoch, stopper.stopped_epoch


def decay_parameter_groups(
    model, weight_decay: float, *, exclude: tuple = ()
) -> list[dict]:
    """Split a model's parameters into a decayed group and an undecayed one.

    Biases and the parameters of normalisation layers (batch, instance, layer,
    group and RMS norm) get ``weight_decay=0``: they set offsets and scales,
    not the model's capacity, and pulling a normalisation scale towards 0
    damages the layer rather than regularising it. Every other parameter gets
    ``weight_decay``, unless its module is an instance of a type in
    ``exclude`` (for example ``(nn.Embedding,)``, which some recipes leave
    undecayed). Pass the result to an optimiser in place of
    ``model.parameters()``; a parameter shared between modules is listed once,
    and parameters with ``requires_grad=False`` are left out.

    Args:
        model: a ``torch.nn.Module``.
        weight_decay: the decay of the first group (``>= 0``).
        exclude: further module types whose parameters are not decayed.

    Returns:
        A list of two parameter groups,
        ``{"params": decayed, "weight_decay": weight_decay}`` and
        ``{"params": not_decayed, "weight_decay": 0.0}``.

    Raises:
        ValueError: if ``weight_decay < 0``.
        TypeError: if ``exclude`` is not a tuple of classes.

    Example:
        >>> import torch
        >>> from torch import nn
        >>> net = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4))
        >>> groups = decay_parameter_groups(net, 0.1)
        >>> [len(g["params"]) for g in groups]
        [1, 3]
        >>> [g["weight_decay"] for g in groups]
        [0.1, 0.0]
        >>> opt = torch.optim.AdamW(groups, lr=1e-3)
        >>> emb = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 2))
        >>> groups = decay_parameter_groups(emb, 0.1, exclude=(nn.Embedding,))
        >>> [len(g["params"]) for g in groups]
        [1, 2]
    """
    import torch.nn as nn

    weight_decay = check_number(
        "decay_parameter_groups", "weight_decay", weight_decay, low=0.0
    )
    norm_types = tuple(
        t
        for t in (
            # BatchNorm*d, InstanceNorm*d, SyncBatchNorm
            nn.modules.batchnorm._NormBase,
            nn.LayerNorm,
            nn.GroupNorm,
            getattr(nn, "RMSNorm", None),
        )
        if t is not None
    )
    if not isinstance(exclude, tuple) or not all(
        isinstance(t, type) for t in exclude
    ):
        raise TypeError(
            "decay_parameter_groups: exclude must be a tuple of module "
            f"types such as (nn.Embedding,); got {exclude!r}."
        )
    norm_types += exclude
    decayed, not_decayed, seen = [], [], set()
    for module in model.modules():
        for name, param in module.named_parameters(recurse=False):
            if not param.requires_grad or id(param) in seen:
                continue
            seen.add(id(param))
            if isinstance(module, norm_types) or name.endswith("bias"):
                not_decayed.append(param)
            else:
                decayed.append(param)
    return [
        {"params": decayed, "weight_decay": weight_decay},
        {"params": not_decayed, "weight_decay": 0.0},
    ]
