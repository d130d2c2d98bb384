"""lossbook.comparison: classification losses on (logits, labels), the comparison runner,
logit gradients and confidence statistics.

Oracles: the closed-form gradients derived in the one-hot chapter, PyTorch's own losses on
explicitly built targets, central finite differences, and direct evaluation of the network
that the runner claims to start from.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lossbook import numerical_grad
from lossbook.book import make_blobs
from lossbook.book.classifiers import make_mlp
from lossbook.book.one_hot import (
    LossRun,
    classification_losses,
    compare_losses,
    confidence_stats,
    logit_gradient,
    one_vs_rest_bce_loss,
    sigmoid_mse_loss,
    softmax_mse_loss,
)

N, C = 5, 4
finite = st.floats(-8, 8, allow_nan=False, width=64)


def _case(data):
    z = data.draw(arrays(np.float64, (N, C), elements=finite))
    y = data.draw(arrays(np.int64, (N,), elements=st.integers(0, C - 1)))
    return z, y


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# -- values against torch on explicitly built float one-hot targets ----------------------


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_losses_equal_torch_on_explicit_one_hot_targets(data):
    z, y = _case(data)
    zt, yt = torch.from_numpy(z), torch.from_numpy(y)
    t = torch.from_numpy(np.eye(C)[y])  # float64 one-hot built without F.one_hot
    torch.testing.assert_close(
        softmax_mse_loss(zt, yt), F.mse_loss(zt.softmax(1), t), rtol=1e-12, atol=0
    )
    torch.testing.assert_close(
        sigmoid_mse_loss(zt, yt), F.mse_loss(torch.sigmoid(zt), t), rtol=1e-12, atol=0
    )
    torch.testing.assert_close(
        one_vs_rest_bce_loss(zt, yt), F.binary_cross_entropy_with_logits(zt, t), rtol=1e-12, atol=0
    )


def test_fixed_values():
    # Logits 0 give p = 1/2 for every output: squared errors (1/2)^2 for every entry, so both
    # MSE losses are 1/4; BCE is -log(1/2) = log 2 per entry.
    z, y = torch.zeros(3, 2, dtype=torch.float64), torch.tensor([0, 1, 1])
    assert softmax_mse_loss(z, y).item() == pytest.approx(0.25, rel=1e-15)
    assert sigmoid_mse_loss(z, y).item() == pytest.approx(0.25, rel=1e-15)
    assert one_vs_rest_bce_loss(z, y).item() == pytest.approx(math.log(2), rel=1e-15)


def test_one_hot_width_comes_from_the_logits_not_the_labels():
    # The labels never reach class 3; F.one_hot(labels) alone would give 3 columns.
    z = torch.linspace(-1, 1, 12, dtype=torch.float64).reshape(3, 4)
    y = torch.tensor([0, 2, 1])
    expected = F.mse_loss(z.softmax(1), F.one_hot(y, 4).double())
    assert F.one_hot(y).shape == (3, 3)
    torch.testing.assert_close(softmax_mse_loss(z, y), expected, rtol=1e-15, atol=0)


# -- gradients: closed forms from the chapter, autograd, finite differences ---------------


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_gradients_match_closed_forms(data):
    z, y = _case(data)
    t = np.eye(C)[y]
    s = _sigmoid(z)
    p = _softmax(z)
    # MSE on sigmoids: 2/(NC) (s - t) s (1 - s).
    np.testing.assert_allclose(
        logit_gradient(sigmoid_mse_loss, z, y),
        2 / (N * C) * (s - t) * s * (1 - s),
        rtol=1e-9,
        atol=1e-15,
    )
    # BCE on sigmoids: (s - t)/(NC), no sigma' factor.
    np.testing.assert_allclose(
        logit_gradient(one_vs_rest_bce_loss, z, y), (s - t) / (N * C), rtol=1e-9, atol=1e-15
    )
    # MSE on softmax: 2/(NC) p_j [(p_j - t_j) - sum_k (p_k - t_k) p_k].
    inner = ((p - t) * p).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(
        logit_gradient(softmax_mse_loss, z, y),
        2 / (N * C) * p * ((p - t) - inner),
        rtol=1e-9,
        atol=1e-15,
    )
    # Cross-entropy: (p - t)/N.
    np.testing.assert_allclose(
        logit_gradient(F.cross_entropy, z, y), (p - t) / N, rtol=1e-9, atol=1e-15
    )


@pytest.mark.parametrize("name", list(classification_losses()))
def test_gradients_match_finite_differences(name):
    loss_fn = classification_losses()[name]
    z = np.random.default_rng(3).normal(size=(N, C))
    y = np.array([0, 3, 1, 1, 2])
    yt = torch.from_numpy(y)
    numeric = numerical_grad(lambda v: loss_fn(torch.from_numpy(v), yt).item(), z)
    np.testing.assert_allclose(logit_gradient(loss_fn, z, y), numeric, rtol=1e-6, atol=1e-10)


def test_logit_gradient_accepts_float_targets_and_rejects_unreduced_losses():
    z = np.array([[1.0, -1.0]])
    t = np.array([[0.25, 0.75]])  # class probabilities: gradient p - t
    np.testing.assert_allclose(logit_gradient(F.cross_entropy, z, t), _softmax(z) - t, rtol=1e-12)
    with pytest.raises(ValueError, match="must return a scalar"):
        logit_gradient(lambda a, b: F.cross_entropy(a, b, reduction="none"), z, np.array([0]))


def test_vanishing_factor_at_a_confidently_wrong_logit():
    # Target class 0 with z_0 = -10: MSE's gradient carries sigma'(-10) ~ 4.5e-5, BCE's not.
    z, y = np.array([[-10.0, -10.0]]), np.array([0])
    s = _sigmoid(-10.0)
    g_mse = logit_gradient(sigmoid_mse_loss, z, y)[0, 0]
    g_bce = logit_gradient(one_vs_rest_bce_loss, z, y)[0, 0]
    assert g_mse == pytest.approx(2 / 2 * (s - 1) * s * (1 - s), rel=1e-12)
    assert g_bce == pytest.approx((s - 1) / 2, rel=1e-12)
    assert abs(g_bce / g_mse) > 1e4


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("loss_fn", [softmax_mse_loss, sigmoid_mse_loss, one_vs_rest_bce_loss])
def test_errors(loss_fn):
    z = torch.zeros(3, 4)
    name = loss_fn.__name__
    with pytest.raises(TypeError, match=f"{name}: labels must be integer class indices"):
        loss_fn(z, torch.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=rf"{name}: labels must have shape \(N,\) = \(3,\)"):
        loss_fn(z, torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=rf"{name}: labels must lie in 0 .. C-1 = 3"):
        loss_fn(z, torch.tensor([0, 1, 4]))
    with pytest.raises(ValueError, match=rf"{name}: labels must lie in 0 .. C-1"):
        loss_fn(z, torch.tensor([0, -1, 2]))
    with pytest.raises(ValueError, match=rf"{name}: logits must have shape \(N, C\)"):
        loss_fn(torch.zeros(4), torch.tensor([0, 1, 2, 3]))


# -- the comparison runner ----------------------------------------------------------------


def sgd(lr):
    """An optimiser factory for compare_losses: plain gradient descent at rate lr."""
    return lambda params: torch.optim.SGD(params, lr=lr)


def test_every_run_starts_from_the_same_network():
    X, labels = make_blobs(10, std=0.8, seed=2)
    runs = compare_losses(
        classification_losses(), X, labels, hidden=(6,), steps=3, make_optimizer=sgd(0.5)
    )
    assert list(runs) == list(classification_losses())
    start = make_mlp(2, 3, hidden=(6,), seed=0, dtype=torch.float64)
    logits = start(torch.from_numpy(X))
    yt = torch.from_numpy(labels)
    for name, loss_fn in classification_losses().items():
        run = runs[name]
        assert isinstance(run, LossRun)
        assert run.loss.shape == run.accuracy.shape == (3,)
        # The first recorded loss and accuracy are those of the untrained network.
        assert run.loss[0] == pytest.approx(loss_fn(logits, yt).item(), rel=1e-12)
        assert run.accuracy[0] == pytest.approx(
            (logits.argmax(1) == yt).double().mean().item(), rel=1e-15
        )
        # ... and training moved its weights away from the start.
        assert not torch.equal(run.model[0].weight, start[0].weight)


def test_only_the_loss_differs_between_runs():
    # Two names for the same loss must give bit-identical runs.
    X, labels = make_blobs(10, seed=1)
    runs = compare_losses(
        {"a": F.cross_entropy, "b": lambda z, y: F.cross_entropy(z, y)},
        X,
        labels,
        hidden=(5,),
        steps=20,
        make_optimizer=sgd(0.3),
    )
    np.testing.assert_array_equal(runs["a"].loss, runs["b"].loss)
    np.testing.assert_array_equal(runs["a"].accuracy, runs["b"].accuracy)


def test_cross_entropy_learns_separable_blobs():
    X, labels = make_blobs(20, std=0.4, seed=0)
    run = compare_losses(
        {"ce": F.cross_entropy}, X, labels, hidden=(8,), steps=100, make_optimizer=sgd(0.5)
    )
    assert run["ce"].loss[-1] < 0.5 * run["ce"].loss[0]
    assert run["ce"].accuracy[-1] == 1.0


def test_compare_losses_rejects_an_empty_mapping():
    with pytest.raises(ValueError, match="compare_losses: losses is empty"):
        compare_losses({}, np.zeros((2, 2)), np.array([0, 1]))


# -- confidence statistics ------------------------------------------------------------------


def test_confidence_stats_closed_form():
    # Rows [a, 0, 0]: top probability e^a / (e^a + 2), gap a; mean over the rows.
    a = np.array([1.0, 3.0])
    z = np.stack([a, np.zeros(2), np.zeros(2)], axis=1)
    stats = confidence_stats(z)
    assert stats["max_probability"] == pytest.approx(
        np.mean(np.exp(a) / (np.exp(a) + 2)), rel=1e-14
    )
    assert stats["logit_gap"] == pytest.approx(2.0, rel=1e-14)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (N, C), elements=finite), st.floats(-50, 50))
def test_confidence_stats_is_shift_invariant_and_matches_torch(z, shift):
    stats = confidence_stats(torch.from_numpy(z))
    shifted = confidence_stats(z + shift)
    assert shifted["max_probability"] == pytest.approx(stats["max_probability"], rel=1e-9)
    assert shifted["logit_gap"] == pytest.approx(stats["logit_gap"], rel=1e-6, abs=1e-9)
    expected = torch.softmax(torch.from_numpy(z), 1).max(1).values.mean().item()
    assert stats["max_probability"] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("eps", [0.05, 0.1, 0.3])
def test_label_smoothing_optimum_stated_in_the_docstring(eps):
    # Cross-entropy with label smoothing of the row [g, 0, 0] (true class 0) is minimised
    # where its derivative in g vanishes: g* = log(1 + (1 - eps) C / eps), and there the top
    # probability is 1 - eps + eps / C.
    c = 3
    g_star = math.log(1 + (1 - eps) * c / eps)
    g = torch.tensor([g_star, 0.0, 0.0], dtype=torch.float64, requires_grad=True)
    loss = F.cross_entropy(g.unsqueeze(0), torch.tensor([0]), label_smoothing=eps)
    (grad,) = torch.autograd.grad(loss, g)
    assert abs(grad[0].item()) < 1e-12
    stats = confidence_stats(g.detach().unsqueeze(0))
    assert stats["max_probability"] == pytest.approx(1 - eps + eps / c, rel=1e-12)
    assert stats["logit_gap"] == pytest.approx(g_star, rel=1e-12)


def test_confidence_stats_errors():
    for bad in (np.zeros(3), np.zeros((2, 1)), np.zeros((0, 3))):
        with pytest.raises(ValueError, match=r"confidence_stats: logits must have shape \(N, C\)"):
            confidence_stats(bad)
