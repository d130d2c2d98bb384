"""Stable primitives: torch parity (Hypothesis), fixed values, stability at huge inputs."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import lossbook
from losses_registry import PARITY, arrays, assert_close

matrices = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5).flatmap(
    lambda shape: st.tuples(arrays(shape, -1e3, 1e3), st.integers(-len(shape), len(shape) - 1))
)


@PARITY
@given(matrices, st.booleans())
def test_logsumexp_matches_torch(case, keepdim):
    x, dim = case
    theirs = torch.logsumexp(torch.from_numpy(x), dim=dim, keepdim=keepdim).numpy()
    assert_close("logsumexp", lossbook.logsumexp(x, dim=dim, keepdim=keepdim), theirs)


@PARITY
@given(matrices)
def test_log_softmax_matches_torch(case):
    x, dim = case
    theirs = F.log_softmax(torch.from_numpy(x), dim=dim).numpy()
    # x - logsumexp cancels when x is the maximum: compare to the magnitude of x
    assert_close("log_softmax", lossbook.log_softmax(x, dim=dim), theirs, scale=np.max(np.abs(x)))


@PARITY
@given(matrices)
def test_softmax_matches_torch(case):
    x, dim = case
    assert_close(
        "softmax", lossbook.softmax(x, dim=dim), torch.softmax(torch.from_numpy(x), dim=dim).numpy()
    )


@PARITY
@given(arrays(hnp.array_shapes(min_dims=0, max_dims=2), -1e3, 1e3))
def test_sigmoid_and_log_sigmoid_match_torch(x):
    assert_close("sigmoid", lossbook.sigmoid(x), torch.sigmoid(torch.from_numpy(x)).numpy())
    assert_close("log_sigmoid", lossbook.log_sigmoid(x), F.logsigmoid(torch.from_numpy(x)).numpy())


def test_fixed_values():
    # log(e^0 + e^0) = log 2; softmax of equal scores is uniform; sigma(0) = 1/2
    assert lossbook.logsumexp([0.0, 0.0]) == pytest.approx(math.log(2))
    np.testing.assert_allclose(lossbook.softmax([[2.0, 2.0]]), [[0.5, 0.5]])
    assert lossbook.sigmoid(0.0) == 0.5
    assert lossbook.log_sigmoid(0.0) == pytest.approx(-math.log(2))
    # sigma(log 3) = 3 / (3 + 1)
    assert lossbook.sigmoid(math.log(3)) == pytest.approx(0.75)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_at_huge_inputs(dtype):
    x = np.array([[1e4, -1e4, 0.0]], dtype=dtype)
    for fn in (
        lossbook.logsumexp,
        lossbook.log_softmax,
        lossbook.softmax,
        lossbook.sigmoid,
        lossbook.log_sigmoid,
    ):
        out = fn(x)
        assert out.dtype == dtype and np.all(np.isfinite(out)), fn.__name__
    # the exact answers: logsumexp = 1e4 (+ e^-1e4), log_softmax = x - 1e4, sigma(-1e4) = 0
    assert lossbook.logsumexp(x)[0] == 1e4
    np.testing.assert_array_equal(lossbook.log_softmax(x), x - dtype(1e4))
    np.testing.assert_allclose(lossbook.log_sigmoid(x), [[0.0, -1e4, -math.log(2)]], rtol=1e-6)


def test_infinities_as_torch():
    # torch: logsumexp of all -inf is -inf, with a +inf it is +inf
    assert lossbook.logsumexp([-np.inf, -np.inf]) == -np.inf
    assert lossbook.logsumexp([np.inf, 1.0]) == np.inf


def test_nan_propagates():
    assert np.isnan(lossbook.logsumexp([np.nan, 1.0]))
    assert np.isnan(lossbook.sigmoid(np.nan)) and np.isnan(lossbook.log_sigmoid(np.nan))
    assert np.all(np.isnan(lossbook.softmax([np.nan, 1.0])))


@pytest.mark.parametrize("dim", [(0, 0), (0, -2), (1, -1)])
def test_logsumexp_rejects_an_axis_named_twice_as_torch_does(dim):
    x = np.zeros((2, 3))
    with pytest.raises(RuntimeError):
        torch.logsumexp(torch.from_numpy(x), dim=dim)
    with pytest.raises(ValueError, match="logsumexp: dim .* more than once"):
        lossbook.logsumexp(x, dim=dim)


def test_logsumexp_over_a_tuple_of_axes_matches_torch():
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    for dim in [(0, 2), (-1, 0), (0, 1, 2)]:
        expected = torch.logsumexp(torch.from_numpy(x), dim=dim).numpy()
        np.testing.assert_allclose(lossbook.logsumexp(x, dim=dim), expected)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_takes_one_axis_only_as_torch_does(name):
    x = np.zeros((2, 3))
    with pytest.raises(TypeError):
        getattr(torch, name)(torch.from_numpy(x), dim=(0,))
    with pytest.raises(TypeError, match=f"{name}: dim must be an int"):
        getattr(lossbook, name)(x, dim=(0,))
