"""The synthetic data makers: shapes, seeds, and that they make what they promise."""

from __future__ import annotations

import numpy as np
import pytest

from lossbook.book import make_blobs, make_linear_regression, make_spirals


def test_regression_without_noise_lies_on_the_line():
    x, y = make_linear_regression(50, slope=-1.5, intercept=0.5, noise=0.0, seed=4)
    np.testing.assert_allclose(y, -1.5 * x + 0.5)


def test_regression_noise_has_the_requested_spread():
    x, y = make_linear_regression(20_000, noise=0.5, seed=1)
    residual = y - (2 * x + 3)
    assert abs(residual.std() - 0.5) < 0.01
    assert abs(residual.mean()) < 0.01


def test_regression_outliers_are_the_largest_inputs_moved_up():
    x0, y0 = make_linear_regression(30, seed=2)
    x, y = make_linear_regression(30, n_outliers=3, outlier_shift=10.0, seed=2)
    np.testing.assert_array_equal(x, x0)
    moved = np.flatnonzero(y != y0)
    assert set(moved) == set(np.argsort(x)[-3:])
    np.testing.assert_allclose(y[moved] - y0[moved], 10.0)


def test_same_seed_same_data_other_seed_other_data():
    a = make_blobs(10, seed=5)
    b = make_blobs(10, seed=5)
    c = make_blobs(10, seed=6)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_blobs_are_centred_on_their_centres():
    centers = np.array([[0.0, 0.0], [10.0, -4.0]])
    X, labels = make_blobs(5000, centers=centers, std=0.5, seed=0)
    assert labels.dtype == np.int64
    for k, c in enumerate(centers):
        np.testing.assert_allclose(X[labels == k].mean(axis=0), c, atol=0.03)
        np.testing.assert_allclose(X[labels == k].std(axis=0), 0.5, atol=0.03)


def test_spirals_have_balanced_classes_inside_the_unit_disc():
    X, labels = make_spirals(40, num_classes=4, noise=0.1)
    assert np.bincount(labels).tolist() == [40] * 4
    assert np.all(np.hypot(X[:, 0], X[:, 1]) <= 1.0 + 1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_linear_regression(0), "n must be at least 1"),
        (lambda: make_linear_regression(10, noise=-1), "noise must be >= 0"),
        (lambda: make_linear_regression(10, n_outliers=11), "n_outliers must be between"),
        (lambda: make_blobs(0), "n_per_class must be at least 1"),
        (lambda: make_blobs(5, std=0), "std must be > 0"),
        (lambda: make_blobs(5, centers=np.zeros((3, 3))), r"centers must have shape \(C, 2\)"),
        (lambda: make_spirals(5, num_classes=1), "num_classes must be at least 2"),
    ],
)
def test_bad_arguments_say_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()
