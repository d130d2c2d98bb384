"""Synthetic data sets for the chapters: small, seeded, made on the spot.

Nothing in the book downloads data. Each maker takes a ``seed`` and returns
NumPy float64 arrays, so the same call gives the same numbers on every machine.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import check_number


def make_linear_regression(
    n: int = 100,
    *,
    slope: float = 2.0,
    intercept: float = 3.0,
    noise: float = 0.5,
    n_outliers: int = 0,
    outlier_shift: float = 20.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Points on a noisy line, :math:`y_i = a x_i + b + \varepsilon_i`.

    Optionally, some of them are outliers.

    The inputs are standard normal, :math:`x_i \sim \mathcal N(0, 1)`, and the
    noise is Gaussian, :math:`\varepsilon_i \sim \mathcal N(0, \sigma^2)` with
    :math:`\sigma` = ``noise``. With ``n_outliers > 0``, the targets of the
    ``n_outliers`` points with the largest :math:`x` are raised by
    ``outlier_shift``: gross errors at one end of the data, the kind that drags
    a least-squares line.

    Args:
        n: number of points.
        slope: the true slope :math:`a`.
        intercept: the true intercept :math:`b`.
        noise: the noise's standard deviation :math:`\sigma` (0 for exact
            points).
        n_outliers: how many points become outliers (0 to ``n``).
        outlier_shift: how far the outliers' targets are moved up.
        seed: seed of the generator.

    Returns:
        ``(x, y)``, two float64 arrays of shape ``(n,)``.

    Raises:
        ValueError: if ``n < 1``, ``noise < 0`` or ``n_outliers`` is outside
            ``[0, n]``.

    Example:
        >>> x, y = make_linear_regression(5, noise=0.0)
        >>> bool(np.allclose(y, 2 * x + 3))
        True
    """
    if n < 1:
        raise ValueError(
            f"make_linear_regression: n must be at least 1, got {n}."
        )
    if noise < 0:
        raise ValueError(
            f"make_linear_regression: noise must be >= 0, got {noise}."
        )
    if not 0 <= n_outliers <= n:
        raise ValueError(
            f"make_linear_regression: n_outliers must be between 0 and n={n}, "
            f"got {n_outliers}."
        )
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    y = slope * x + intercept + noise * rng.standard_normal(n)
    if n_outliers:
        y[np.argsort(x)[-n_outliers:]] += outlier_shift
    return x, y


def make_blobs(
    n_per_class: int = 100,
    *,
    centers: np.ndarray | None = None,
    std: float = 1.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gaussian clouds in the plane, one per class: the simplest classes.

    Class :math:`k` has ``n_per_class`` points drawn from
    :math:`\mathcal N(c_k, s^2 I)`, with :math:`c_k` the ``k``-th row of
    ``centers`` and :math:`s` = ``std``. Far-apart centres and a small ``std``
    give separable classes; close centres or a large ``std`` give overlapping
    ones.

    Args:
        n_per_class: points in each class.
        centers: array of shape ``(C, 2)``; by default three centres on a
            circle of radius 3.
        std: the standard deviation :math:`s` of every cloud.
        seed: seed of the generator.

    Returns:
        ``(X, labels)``: ``X`` float64 of shape ``(C * n_per_class, 2)`` and
        ``labels`` int64 of shape ``(C * n_per_class,)`` with values
        ``0 .. C-1``, shuffled together.

    Raises:
        ValueError: if ``n_per_class < 1``, ``std <= 0`` or ``centers`` is not
            ``(C, 2)``.

    Example:
        >>> X, labels = make_blobs(4, seed=1)
        >>> X.shape, labels.shape, sorted(set(labels.tolist()))
        ((12, 2), (12,), [0, 1, 2])
    """
    if n_per_class < 1:
        raise ValueError(
            f"make_blobs: n_per_class must be at least 1, got {n_per_class}."
        )
    if std <= 0:
        raise ValueError(f"make_blobs: std must be > 0, got {std}.")
    if centers is None:
        angles = 2 * np.pi * np.arange(3) / 3
        centers = 3.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[1] != 2:
        raise ValueError(
            f"make_blobs: centers must have shape (C, 2), got {centers.shape}."
        )
    rng = np.random.default_rng(seed)
    num_classes = len(centers)
    labels = np.repeat(np.arange(num_classes), n_per_class)
    X = centers[labels] + std * rng.standard_normal((len(labels), 2))
    order = rng.permutation(len(labels))
    return X[order], labels[order]


def make_spirals(
    n_per_class: int = 100,
    *,
    num_classes: int = 3,
    noise: float = 0.2,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Interleaved spiral arms in the plane: classes no line can separate.

    Arm :math:`k` runs through radius :math:`r \in [0, 1]` at angle
    :math:`4r + 2\pi k / C` plus Gaussian noise of standard deviation ``noise``
    on the angle, so a linear model fails and a small network succeeds.

    Args:
        n_per_class: points on each arm.
        num_classes: number of arms (classes), at least 2.
        noise: standard deviation of the angular noise.
        seed: seed of the generator.

    Returns:
        ``(X, labels)`` as for :func:`make_blobs`.

    Raises:
        ValueError: if ``n_per_class < 1``, ``num_classes < 2`` or
            ``noise < 0``.

    Example:
        >>> X, labels = make_spirals(10, num_classes=2)
        >>> X.shape, int(labels.max())
        ((20, 2), 1)
    """
    if n_per_class < 1:
        raise ValueError(
            f"make_spirals: n_per_class must be at least 1, got {n_per_class}."
        )
    if num_classes < 2:
        raise ValueError(
            f"make_spirals: num_classes must be at least 2, got {num_classes}."
        )
    if noise < 0:
        raise ValueError(f"make_spirals: noise must be >= 0, got {noise}.")
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(num_classes), n_per_class)
    radius = np.tile(np.linspace(0.0, 1.0, n_per_class), num_classes)
    angle = 4 * radius + 2 * np.pi * labels / num_classes
    angle = angle + noise * rng.standard_normal(len(labels))
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    order = rng.permutation(len(labels))
    return X[order], labels[order]


def make_sine_regression(
    n: int = 20,
    *,
    noise: float = 0.3,
    frequency: float = 3.0,
    seed: int = 0,
):
    r"""Noisy samples of a sine, :math:`y_i = \sin(f x_i) + \varepsilon_i`.

    The inputs are uniform on :math:`[-1, 1]` and the noise is Gaussian,
    :math:`\varepsilon_i \sim \mathcal N(0, \sigma^2)` with :math:`\sigma` =
    ``noise``. A few points with noise and a network with many parameters make
    the classic overfitting example; many points from another seed make its
    validation set. The best possible mean squared error on fresh data is
    :math:`\sigma^2`.

    Args:
        n: number of points.
        noise: the noise's standard deviation :math:`\sigma` (0 for exact
            points).
        frequency: the angular frequency :math:`f` of the sine.
        seed: seed of the generator.

    Returns:
        ``(x, y)``, two float64 arrays of shape ``(n,)``.

    Raises:
        ValueError: if ``n < 1`` or ``noise < 0``.

    Example:
        >>> x, y = make_sine_regression(4, noise=0.0, seed=1)
        >>> bool(np.allclose(y, np.sin(3 * x))), bool(np.all(np.abs(x) <= 1))
        (True, True)
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(
            f"make_sine_regression: n must be an int >= 1, got {n!r}."
        )
    noise = check_number("make_sine_regression", "noise", noise, low=0.0)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, n)
    y = np.sin(frequency * x) + noise * rng.standard_normal(n)
    return x, y
