"""lossbook.initialisation: init helpers, the layer-statistics recorder, the theory curves.

Oracles: torch.nn.init and nn.Linear.reset_parameters (same generator, same draws), the
empirical variance of large tensors, closed forms of the variance recursion, Monte Carlo for
tanh, and autograd for the recorded gradients.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

# make_mlp (lossbook.classifiers) builds Linear -> activation -> ... -> Linear stacks.
from lossbook.book import init_linear_, layer_stats, make_mlp, theory_std, weight_variance
from lossbook.book.initialisation import SCHEMES


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


# -- weight_variance: closed forms ------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "kwargs", "expected"),
    [
        ("normal", {}, 1.0),
        ("default", {}, 1 / (3 * 30)),  # bound 1/sqrt(30), var bound^2/3
        ("xavier_normal", {}, 2 / (30 + 70)),  # Glorot & Bengio (2010), eq. 16
        ("xavier_uniform", {}, 2 / (30 + 70)),
        ("kaiming_normal", {}, 2 / 30),  # He et al. (2015), eq. 10
        ("kaiming_uniform", {"mode": "fan_out"}, 2 / 70),
        ("kaiming_normal", {"nonlinearity": "tanh"}, (5 / 3) ** 2 / 30),  # torch's tanh gain
        ("kaiming_normal", {"nonlinearity": "linear"}, 1 / 30),
        ("zeros", {}, 0.0),
    ],
)
def test_weight_variance_closed_forms(scheme, kwargs, expected):
    assert weight_variance(scheme, 30, 70, **kwargs) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_weight_variance_matches_the_empirical_variance_of_init_linear(scheme):
    fan_in, fan_out = 300, 500
    layer = nn.Linear(fan_in, fan_out).double()
    init_linear_(layer, scheme, generator=_gen(1))
    expected = weight_variance(scheme, fan_in, fan_out)
    # 150,000 draws: the relative standard error of a sample variance is about 0.4 %.
    assert layer.weight.var().item() == pytest.approx(expected, rel=0.02, abs=1e-12)
    mean_tolerance = 4 * math.sqrt(expected / 150_000) + 1e-12  # four standard errors
    assert layer.weight.mean().item() == pytest.approx(0.0, abs=mean_tolerance)


def test_default_matches_torch_reset_parameters_draw_for_draw():
    torch.manual_seed(123)
    reference = nn.Linear(7, 5)  # torch's own initialisation, from the global generator
    ours = nn.Linear(7, 5)
    init_linear_(ours, "default", generator=_gen(123))
    torch.testing.assert_close(ours.weight, reference.weight, rtol=0, atol=0)
    torch.testing.assert_close(ours.bias, reference.bias, rtol=0, atol=0)
    assert ours.weight.abs().max() <= 1 / math.sqrt(7)


@pytest.mark.parametrize(
    ("scheme", "torch_init"),
    [
        ("xavier_normal", lambda w, g: nn.init.xavier_normal_(w, generator=g)),
        ("xavier_uniform", lambda w, g: nn.init.xavier_uniform_(w, generator=g)),
        (
            "kaiming_normal",
            lambda w, g: nn.init.kaiming_normal_(w, nonlinearity="relu", generator=g),
        ),
        (
            "kaiming_uniform",
            lambda w, g: nn.init.kaiming_uniform_(w, nonlinearity="relu", generator=g),
        ),
        ("normal", lambda w, g: nn.init.normal_(w, 0.0, 1.0, generator=g)),
    ],
)
def test_schemes_draw_exactly_what_torch_nn_init_draws(scheme, torch_init):
    layer = nn.Linear(6, 4)
    init_linear_(layer, scheme, generator=_gen(5))
    expected = torch.empty(4, 6)
    torch_init(expected, _gen(5))
    torch.testing.assert_close(layer.weight.detach(), expected, rtol=0, atol=0)
    assert torch.count_nonzero(layer.bias) == 0


def test_same_generator_seed_same_network():
    nets = [
        init_linear_(make_mlp(3, 2, hidden=(8, 8, 8), seed=i), "kaiming_normal", generator=_gen(9))
        for i in range(2)
    ]
    for a, b in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        assert torch.equal(a, b)


def test_subclasses_of_linear_are_initialised():
    attention = nn.MultiheadAttention(8, 2)  # its out_proj is a subclass of nn.Linear
    init_linear_(attention, "zeros", generator=_gen())
    assert torch.count_nonzero(attention.out_proj.weight) == 0


def test_fan_out_mode_uses_out_features():
    layer = nn.Linear(1000, 40)
    init_linear_(layer, "kaiming_normal", generator=_gen(2), mode="fan_out")
    assert layer.weight.var().item() == pytest.approx(2 / 40, rel=0.03)


# -- layer_stats against autograd and direct computation -------------------------------


def test_layer_stats_forward_matches_direct_computation():
    net = init_linear_(
        make_mlp(5, 3, hidden=(6, 6), activation="tanh").double(),
        "xavier_normal",
        generator=_gen(3),
    )
    x = torch.randn(20, 5, generator=_gen(4), dtype=torch.float64)
    y1 = net[0](x)
    y2 = net[2](torch.tanh(y1))
    y3 = net[4](torch.tanh(y2))
    stats = layer_stats(net, x, generator=_gen(5))
    np.testing.assert_allclose(stats["forward"], [y.std().item() for y in (y1, y2, y3)], rtol=1e-12)


def test_layer_stats_backward_matches_manual_backpropagation():
    net = init_linear_(
        make_mlp(4, 3, hidden=(5, 5), activation="relu").double(),
        "kaiming_normal",
        generator=_gen(6),
    )
    x = torch.randn(10, 4, generator=_gen(7), dtype=torch.float64)
    stats = layer_stats(net, x, generator=_gen(8))
    # Redo the backward pass by hand, with the same upstream gradient.
    y1 = net[0](x)
    y2 = net[2](torch.relu(y1))
    y3 = net[4](torch.relu(y2))
    d3 = torch.randn(y3.shape, generator=_gen(8), dtype=torch.float64)
    d2 = (y2 > 0) * (d3 @ net[4].weight)
    d1 = (y1 > 0) * (d2 @ net[2].weight)
    expected = [d.std().item() for d in (d1, d2, d3)]
    np.testing.assert_allclose(stats["backward"], expected, rtol=1e-12)


def test_layer_stats_leaves_parameter_grads_alone():
    net = make_mlp(3, 1, hidden=(4,))
    layer_stats(net, torch.randn(6, 3), generator=_gen())
    assert all(p.grad is None for p in net.parameters())
    assert not net[0]._forward_hooks  # hooks removed


def test_layer_stats_needs_a_linear_layer():
    with pytest.raises(ValueError, match="found no nn.Linear in the ReLU"):
        layer_stats(nn.ReLU(), torch.randn(3, 2), generator=_gen())


# -- theory_std: closed forms, Monte Carlo, measurement ---------------------------------


def test_theory_std_relu_closed_form():
    n, depth = 64, 6
    for var, per_layer in [(1 / n, 0.5), (2 / n, 1.0), (1 / (3 * n), 1 / 6), (1.0, n / 2)]:
        curve = theory_std(depth, width=n, weight_var=var, activation="relu", input_var=2.0)
        q1 = n * var * 2.0
        expected = np.sqrt(q1 * per_layer ** np.arange(depth))
        np.testing.assert_allclose(curve["forward"], expected, rtol=1e-12)
        expected_back = np.sqrt(per_layer ** np.arange(depth - 1, -1, -1))
        np.testing.assert_allclose(curve["backward"], expected_back, rtol=1e-12)


def test_theory_std_linear_with_bias_reaches_the_fixed_point():
    # q <- a q + b converges to b / (1 - a) when a < 1.
    curve = theory_std(200, width=10, weight_var=0.05, activation="linear", bias_var=0.3)
    assert curve["forward"][-1] ** 2 == pytest.approx(0.3 / (1 - 0.5), rel=1e-12)


def test_theory_std_tanh_matches_monte_carlo():
    q = 0.7
    curve = theory_std(2, width=1, weight_var=1.0, activation="tanh", input_var=q)
    z = np.random.default_rng(0).standard_normal(2_000_000) * math.sqrt(q)
    assert curve["forward"][1] ** 2 == pytest.approx(np.mean(np.tanh(z) ** 2), rel=2e-3)
    assert curve["backward"][0] ** 2 == pytest.approx(np.mean((1 - np.tanh(z) ** 2) ** 2), rel=2e-3)


@pytest.mark.parametrize("q", [128.0, 1e4, 1e6])
def test_theory_std_tanh_reaches_its_wide_input_asymptote(q):
    # For large q, E[tanh'(z)^2] -> (integral of sech^4 = 4/3) / sqrt(2 pi q);
    # the asymptote's own error shrinks like 1/q. (Exact values at any q:
    # the mpmath oracle below.)
    curve = theory_std(2, width=1, weight_var=1.0, activation="tanh", input_var=q)
    asymptote = (4 / 3) / math.sqrt(2 * math.pi * q)
    assert curve["backward"][0] ** 2 == pytest.approx(asymptote, rel=20 / q)


@pytest.mark.parametrize(
    ("activation", "scheme"),
    [
        ("relu", "xavier_normal"),
        ("tanh", "xavier_normal"),
        ("relu", "default"),
        ("tanh", "default"),
        ("tanh", "kaiming_normal"),
    ],
)
def test_theory_std_predicts_what_layer_stats_measures(activation, scheme):
    width, depth = 256, 8
    net = make_mlp(width, width, hidden=(width,) * (depth - 1), activation=activation)
    init_linear_(net, scheme, generator=_gen(11), nonlinearity=activation)
    x = torch.randn(512, width, generator=_gen(12))
    measured = layer_stats(net, x, generator=_gen(13))
    # "default" also draws the biases, uniform on +-1/sqrt(width): variance 1/(3 width).
    bias_var = 1 / (3 * width) if scheme == "default" else 0.0
    weight_var = weight_variance(scheme, width, width, nonlinearity=activation)
    predicted = theory_std(
        depth, width=width, activation=activation, bias_var=bias_var, weight_var=weight_var
    )
    # A finite-width network wanders around the prediction (the log of its variance takes a
    # random walk with steps of size ~1/sqrt(width)), so compare on a log scale: a wrong
    # per-layer factor (a missing 1/2 for ReLU, say) would be off by 2 or more here.
    for key in ("forward", "backward"):
        assert np.abs(np.log(measured[key] / predicted[key])).max() < 0.35, key


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: weight_variance("he", 3, 3), "weight_variance: scheme must be one of"),
        (
            lambda: weight_variance("normal", 0, 3),
            "fan_in and fan_out must be at least 1, got 0 and 3",
        ),
        (
            lambda: weight_variance("kaiming_normal", 3, 3, mode="in"),
            "mode must be 'fan_in' or 'fan_out'",
        ),
        (
            lambda: init_linear_(nn.Linear(2, 2), "glorot", generator=_gen()),
            "init_linear_: scheme must be",
        ),
        (
            lambda: init_linear_(nn.Linear(2, 2), "normal", generator=_gen(), mode="x"),
            "mode must be",
        ),
        (
            lambda: init_linear_(nn.Tanh(), "normal", generator=_gen()),
            "found no nn.Linear in the Tanh",
        ),
        (
            lambda: theory_std(0, width=3, weight_var=1.0, activation="relu"),
            "depth must be at least 1",
        ),
        (
            lambda: theory_std(3, width=3, weight_var=1.0, activation="elu"),
            "activation must be one of",
        ),
        (lambda: theory_std(3, width=3, weight_var=-1.0, activation="relu"), "must be >= 0"),
    ],
)
def test_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("q", [1e-4, 0.7, 6.25, 128.0, 1e6])
def test_theory_std_tanh_is_exact_to_ten_digits(q):
    # Oracle: the two Gaussian expectations by mpmath's adaptive quadrature at
    # 30 digits, split where the integrands change scale.
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 30
    sd = mpmath.sqrt(q)

    def expect(f):
        def integrand(z):
            return 2 * mpmath.npdf(z, 0, sd) * f(z)

        return float(mpmath.quad(integrand, [0, sd / 10, sd, 1, 10, 30, mpmath.inf]))

    curve = theory_std(2, width=1, weight_var=1.0, activation="tanh", input_var=q)
    assert curve["forward"][1] ** 2 == pytest.approx(
        expect(lambda z: mpmath.tanh(z) ** 2), rel=1e-10
    )
    assert curve["backward"][0] ** 2 == pytest.approx(
        expect(lambda z: mpmath.sech(z) ** 4), rel=1e-10
    )
