"""lossbook.regularisation: ridge, lasso, paths, early stopping, parameter groups, sine data.

Oracles: torch autograd (the gradient of the ridge objective vanishes at the solution),
torch's softshrink, torch's optimisers, the lasso's optimality (KKT) conditions, closed
forms for orthogonal designs, and a brute-force restatement of early stopping.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lossbook import soft_threshold
from lossbook.book import (
    EarlyStopping,
    coefficient_path,
    decay_parameter_groups,
    early_stopping_epoch,
    lasso,
    lasso_alpha_max,
    make_sine_regression,
    ridge,
)


def _problem(n=40, d=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) + rng.uniform(-2, 2, d)  # columns not centred
    w_true = np.array([3.0, -2.0, 0.0, 0.5, 0.0, 1.0])[:d]
    y = X @ w_true + 1.5 + 0.3 * rng.standard_normal(n)
    return X, y


# ----------------------------------------------------------------------------- data


def test_sine_regression_without_noise_is_the_sine():
    x, y = make_sine_regression(50, noise=0.0, frequency=2.0, seed=3)
    np.testing.assert_allclose(y, np.sin(2.0 * x))
    assert x.min() >= -1 and x.max() <= 1 and x.shape == y.shape == (50,)


def test_sine_regression_noise_has_the_requested_spread():
    x, y = make_sine_regression(20_000, noise=0.3, seed=1)
    residual = y - np.sin(3.0 * x)
    assert abs(residual.std() - 0.3) < 0.01


def test_sine_regression_is_seeded():
    a, b, c = (make_sine_regression(5, seed=s) for s in (4, 4, 5))
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


@pytest.mark.parametrize("kwargs, match", [({"n": 0}, "n must be"), ({"noise": -1.0}, "noise")])
def test_sine_regression_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_sine_regression(**kwargs)


# ----------------------------------------------------------------------------- ridge


def _ridge_objective_grad(X, y, w, b, alpha):
    """Gradient of mean((Xw + b - y)^2) + alpha * ||w||^2, by torch autograd."""
    Xt, yt = torch.tensor(X), torch.tensor(y)
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.mse_loss(Xt @ wt + bt, yt) + alpha * (wt**2).sum()
    loss.backward()
    return wt.grad.numpy(), bt.grad.item()


@pytest.mark.parametrize("alpha", [0.0, 0.01, 0.3, 5.0])
def test_ridge_zeroes_the_gradient_of_its_objective(alpha):
    X, y = _problem()
    w, b = ridge(X, y, alpha)
    gw, gb = _ridge_objective_grad(X, y, w, b, alpha)
    np.testing.assert_allclose(gw, 0.0, atol=1e-10)
    assert abs(gb) < 1e-10


def test_ridge_without_intercept_solves_the_normal_equations():
    X, y = _problem()
    n, d = X.shape
    w, b = ridge(X, y, 0.2, fit_intercept=False)
    expected = np.linalg.solve(X.T @ X + n * 0.2 * np.eye(d), X.T @ y)
    np.testing.assert_allclose(w, expected, rtol=1e-10)
    assert b == 0.0


def test_ridge_at_zero_is_least_squares():
    X, y = _problem()
    w, b = ridge(X, y, 0.0)
    A = np.hstack([X, np.ones((len(X), 1))])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(w, coef[:-1], rtol=1e-10)
    assert b == pytest.approx(coef[-1], rel=1e-10)


def test_ridge_equals_sgd_with_weight_decay_twice_alpha_on_the_weight():
    # The factor of 2: weight_decay=lam adds lam * w to the gradient, the gradient of
    # (lam / 2) * ||w||^2, so the penalty alpha * ||w||^2 needs weight_decay = 2 * alpha.
    rng = np.random.default_rng(5)
    X = rng.standard_normal((40, 3))  # well conditioned: gradient descent converges fast
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.7 + 0.3 * rng.standard_normal(40)
    alpha = 0.1
    model = torch.nn.Linear(3, 1).double()
    opt = torch.optim.SGD(
        [
            {"params": [model.weight], "weight_decay": 2 * alpha},
            {"params": [model.bias], "weight_decay": 0.0},
        ],
        lr=0.3,
    )
    Xt, yt = torch.tensor(X), torch.tensor(y).unsqueeze(1)
    for _ in range(300):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(Xt), yt).backward()
        opt.step()
    w, b = ridge(X, y, alpha)
    np.testing.assert_allclose(model.weight.detach().numpy().ravel(), w, rtol=1e-8)
    assert model.bias.item() == pytest.approx(b, rel=1e-8)


def test_ridge_shrinks_as_alpha_grows():
    X, y = _problem()
    norms = [np.linalg.norm(ridge(X, y, a)[0]) for a in (0.0, 0.1, 1.0, 10.0, 100.0)]
    assert all(a > b for a, b in zip(norms, norms[1:], strict=False))
    assert norms[-1] < 0.05 * norms[0]


@pytest.mark.parametrize(
    "X, y, alpha, error, match",
    [
        (np.ones(3), np.ones(3), 1.0, ValueError, "X must have shape"),
        (np.ones((3, 2)), np.ones((3, 1)), 1.0, ValueError, "y must have shape"),
        (np.ones((3, 2)), np.ones(3), -1.0, ValueError, "alpha"),
        (np.ones((3, 2)), np.ones(3), "big", TypeError, "alpha"),
        (np.array([["a", "b"]]), np.ones(1), 1.0, TypeError, "X must be"),
    ],
)
def test_ridge_rejects_bad_input(X, y, alpha, error, match):
    with pytest.raises(error, match=match):
        ridge(X, y, alpha)


# ----------------------------------------------------------------------------- lasso


def test_soft_threshold_matches_torch_softshrink():
    z = np.linspace(-3, 3, 61)
    for t in (0.0, 0.4, 1.0):
        expected = torch.nn.functional.softshrink(torch.tensor(z), t).numpy()
        np.testing.assert_allclose(soft_threshold(z, t), expected, rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="threshold"):
        soft_threshold(z, -0.1)


def _kkt_violation(X, y, w, b, alpha):
    """How far (w, b) is from the lasso's optimality conditions (0 at the optimum)."""
    n = len(y)
    r = y - X @ w - b
    g = 2.0 / n * X.T @ r  # minus the gradient of the data term
    active = w != 0
    v_active = np.abs(g[active] - alpha * np.sign(w[active]))
    v_zero = np.maximum(np.abs(g[~active]) - alpha, 0.0)
    return max(np.max(v_active, initial=0.0), np.max(v_zero, initial=0.0), abs(r.mean()))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    frac=st.floats(0.01, 1.2),
    n=st.integers(5, 40),
    d=st.integers(1, 8),
)
def test_lasso_satisfies_the_optimality_conditions(seed, frac, n, d):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) + rng.standard_normal(n)
    alpha = frac * lasso_alpha_max(X, y)
    w, b = lasso(X, y, alpha)
    assert _kkt_violation(X, y, w, b, alpha) < 1e-7


def test_lasso_on_orthogonal_columns_is_soft_thresholded_least_squares():
    rng = np.random.default_rng(2)
    Q, _ = np.linalg.qr(rng.standard_normal((30, 4)))
    X = Q * np.sqrt(30)  # X.T @ X / n = I (columns not centred, so fit no intercept)
    y = X @ np.array([2.0, -0.3, 0.1, -1.0]) + 0.1 * rng.standard_normal(30)
    w_ols = X.T @ y / 30
    w, b = lasso(X, y, 0.5, fit_intercept=False)
    np.testing.assert_allclose(w, soft_threshold(w_ols, 0.25), atol=1e-12)
    assert b == 0.0 and w[2] == 0.0  # |0.1 + noise| < 0.25: an exact zero


def test_lasso_is_all_zero_exactly_from_alpha_max_on():
    X, y = _problem()
    a_max = lasso_alpha_max(X, y)
    w, b = lasso(X, y, a_max)
    assert np.all(w == 0.0) and b == pytest.approx(y.mean())
    assert np.count_nonzero(lasso(X, y, 0.99 * a_max)[0]) == 1


def test_lasso_at_zero_is_least_squares_and_beats_perturbations():
    X, y = _problem()
    np.testing.assert_allclose(lasso(X, y, 0.0)[0], ridge(X, y, 0.0)[0], rtol=1e-8)
    alpha = 0.3
    w, b = lasso(X, y, alpha)

    def J(w, b):
        return np.mean((X @ w + b - y) ** 2) + alpha * np.abs(w).sum()

    rng = np.random.default_rng(0)
    best = J(w, b)
    for _ in range(200):
        assert J(w + 1e-3 * rng.standard_normal(len(w)), b + 1e-3 * rng.standard_normal()) >= best


def test_lasso_warm_start_reaches_the_same_solution():
    X, y = _problem()
    cold = lasso(X, y, 0.2)[0]
    warm = lasso(X, y, 0.2, w0=np.full(X.shape[1], 5.0))[0]
    np.testing.assert_allclose(warm, cold, atol=1e-9)
    with pytest.raises(ValueError, match="w0 must have shape"):
        lasso(X, y, 0.2, w0=np.zeros(2))


def test_lasso_alpha_max_is_twice_the_largest_correlation():
    X = np.array([[1.0, 2.0], [-1.0, 0.0], [0.0, -2.0]])
    y = np.array([1.0, -1.0, 0.0])
    # centred columns: [1, -1, 0], [2, 0, -2]; y is centred: 2/3 * max(|2|, |2|) = 4/3
    assert lasso_alpha_max(X, y) == pytest.approx(4 / 3)


# ----------------------------------------------------------------------------- paths


@pytest.mark.parametrize("penalty, solver", [("l1", lasso), ("l2", ridge)])
def test_path_rows_are_independent_fits_in_the_given_order(penalty, solver):
    X, y = _problem()
    alphas = np.array([0.5, 0.0, 2.0, 0.05])
    path = coefficient_path(X, y, alphas, penalty=penalty)
    assert path.shape == (4, X.shape[1])
    for a, row in zip(alphas, path, strict=True):
        np.testing.assert_allclose(row, solver(X, y, a)[0], atol=1e-9)


def test_l1_path_has_exact_zeros_and_l2_path_does_not():
    X, y = _problem()
    alphas = np.geomspace(1e-3, lasso_alpha_max(X, y), 20)
    l1 = coefficient_path(X, y, alphas, penalty="l1")
    l2 = coefficient_path(X, y, alphas, penalty="l2")
    assert np.count_nonzero(l1 == 0.0) > 0 and np.all(l1[-1] == 0.0)
    assert np.count_nonzero(l2 == 0.0) == 0


@pytest.mark.parametrize(
    "alphas, penalty, match",
    [
        ([0.1], "l3", "penalty must be"),
        ([-0.1, 1.0], "l1", "alphas must"),
        ([[0.1]], "l2", "alphas must"),
        ([float("nan")], "l1", "alphas must"),
    ],
)
def test_path_rejects_bad_input(alphas, penalty, match):
    X, y = _problem()
    with pytest.raises(ValueError, match=match):
        coefficient_path(X, y, alphas, penalty=penalty)


# ----------------------------------------------------------------------------- early stopping


def _brute_force(losses, patience, min_delta):
    """Early stopping restated: stop at the first epoch that ends `patience` bad epochs."""
    best, best_epoch, run = math.inf, None, 0
    for epoch, loss in enumerate(losses):
        if loss < best - min_delta:
            best, best_epoch, run = loss, epoch, 0
        else:
            run += 1
        if run == patience:
            return best_epoch, epoch
    return best_epoch, None


@settings(max_examples=200, deadline=None)
@given(
    losses=st.lists(st.floats(0, 10, allow_nan=False), min_size=0, max_size=30),
    patience=st.integers(1, 5),
    min_delta=st.sampled_from([0.0, 0.1, 1.0]),
)
def test_early_stopping_matches_the_brute_force_rule(losses, patience, min_delta):
    assert early_stopping_epoch(losses, patience=patience, min_delta=min_delta) == _brute_force(
        losses, patience, min_delta
    )


def test_early_stopping_state_on_a_hand_made_curve():
    stopper = EarlyStopping(patience=3)
    curve = [5.0, 4.0, 4.0, 3.0, 3.5, 3.2, 3.1, 2.0]
    decisions = [stopper.step(v) for v in curve]
    # improvements at epochs 0, 1, 3; epochs 4, 5, 6 do not improve on 3.0 -> stop at 6
    assert decisions == [False] * 6 + [True, True]
    assert (stopper.best, stopper.best_epoch, stopper.stopped_epoch) == (2.0, 7, 6)


def test_min_delta_ignores_tiny_improvements_and_nan_never_improves():
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    assert not stopper.step(1.0) and stopper.improved
    assert not stopper.step(0.95) and not stopper.improved  # better, but by less than 0.1
    assert stopper.step(float("nan")) and stopper.best_epoch == 0 and stopper.best == 1.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"patience": 0}, "patience"),
        ({"patience": 2.5}, "patience"),
        ({"patience": True}, "patience"),
        ({"patience": 2, "min_delta": -1.0}, "min_delta"),
    ],
)
def test_early_stopping_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        EarlyStopping(**kwargs)


# ----------------------------------------------------------------------------- parameter groups


class _Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv1d(2, 3, 3)
        self.bn = torch.nn.BatchNorm1d(3)
        self.fc = torch.nn.Linear(3, 3)
        self.ln = torch.nn.LayerNorm(3)
        self.head = torch.nn.Linear(3, 3, bias=False)
        self.head.weight = self.fc.weight  # tied: must appear once
        self.frozen = torch.nn.Linear(3, 3)
        self.frozen.requires_grad_(False)


def test_groups_put_weights_in_one_group_and_biases_and_norms_in_the_other():
    net = _Net()
    decayed, plain = decay_parameter_groups(net, 0.05)
    assert decayed["weight_decay"] == 0.05 and plain["weight_decay"] == 0.0
    ids = lambda ps: {id(p) for p in ps}  # noqa: E731
    assert ids(decayed["params"]) == ids([net.conv.weight, net.fc.weight])
    assert ids(plain["params"]) == ids(
        [net.conv.bias, net.bn.weight, net.bn.bias, net.fc.bias, net.ln.weight, net.ln.bias]
    )
    assert len(decayed["params"]) == 2 and len(plain["params"]) == 6


def test_adamw_with_the_groups_decays_only_the_weights():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.LayerNorm(2))
    before = [p.detach().clone() for p in net.parameters()]
    opt = torch.optim.AdamW(decay_parameter_groups(net, 0.5), lr=0.1)
    for p in net.parameters():
        p.grad = torch.zeros_like(p)  # no gradient: only the decay can move a parameter
    opt.step()
    weight, bias, ln_w, ln_b = net.parameters()
    torch.testing.assert_close(weight.detach(), before[0] * (1 - 0.1 * 0.5))
    for p, p0 in zip((bias, ln_w, ln_b), before[1:], strict=True):
        torch.testing.assert_close(p.detach(), p0, rtol=0, atol=0)


def test_groups_reject_negative_decay():
    with pytest.raises(ValueError, match="weight_decay"):
        decay_parameter_groups(torch.nn.Linear(1, 1), -0.1)


def test_groups_can_exclude_further_module_types():
    net = torch.nn.Sequential(torch.nn.Embedding(5, 3), torch.nn.Linear(3, 2))
    decayed, plain = decay_parameter_groups(net, 0.1)  # default: embeddings decay
    assert [p is net[0].weight for p in decayed["params"]] == [True, False]
    decayed, plain = decay_parameter_groups(net, 0.1, exclude=(torch.nn.Embedding,))
    ids = lambda ps: {id(p) for p in ps}  # noqa: E731
    assert ids(decayed["params"]) == ids([net[1].weight])
    assert ids(plain["params"]) == ids([net[0].weight, net[1].bias])


@pytest.mark.parametrize("bad", [[torch.nn.Embedding], (torch.nn.Embedding(2, 2),), "Embedding"])
def test_groups_reject_an_exclude_that_is_not_a_tuple_of_types(bad):
    with pytest.raises(TypeError, match="exclude"):
        decay_parameter_groups(torch.nn.Linear(1, 1), 0.1, exclude=bad)
