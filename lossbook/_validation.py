"""Input checks and the reduction helper shared by every loss.

All validation of the public functions lives here, so that every loss fails the
same way: a ``TypeError`` for input that is not numeric, a ``ValueError`` for a
value, shape or option that is wrong. Messages name the function and the
parameter, say what was expected and what was received, and say how to fix it
when a fix is known.
"""

import numbers

import numpy as np

REDUCTIONS = ("none", "mean", "sum")


def as_array(fname, name, x):
    """Return ``np.asarray(x)``; ragged input raises ``TypeError``."""
    try:
        return np.asarray(x)
    except (TypeError, ValueError) as err:  # ragged lists and the like
        raise TypeError(
            f"{fname}: {name} must be a numeric array; could not convert it "
            f"({err})."
        ) from err


def as_float_array(fname, name, x):
    """Return ``x`` as floats (float16/32/64 kept, int/bool -> float64)."""
    arr = as_array(fname, name, x)
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
    raise TypeError(
        f"{fname}: {name} must be a real numeric array; got dtype "
        f"{arr.dtype}. Convert it first, e.g. np.asarray({name}, "
        "dtype=np.float64)."
    )


def line_data(fname, x, y):
    """Return ``x`` and ``y`` as float64 1-D arrays of one length (copies)."""
    x = as_float_array(fname, "x", x).astype(np.float64)
    y = as_float_array(fname, "y", y).astype(np.float64)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            f"{fname}: x and y must be 1-D arrays of the same length, got "
            f"shapes {x.shape} and {y.shape}. Flatten them first, e.g. "
            "x.ravel()."
        )
    return x, y


def as_index_array(fname, name, x):
    """Return int64 class indices; float, bool and other dtypes raise."""
    arr = as_array(fname, name, x)
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"{fname}: {name} must hold integer class indices; got dtype "
            f"{arr.dtype}. Convert it first, e.g. "
            f"np.asarray({name}).astype(np.int64)."
        )
    return arr.astype(np.int64)


def same_shape(fname, input, target):
    """Convert prediction and target to float arrays of one shape and dtype."""
    x = as_float_array(fname, "input", input)
    y = as_float_array(fname, "target", target)
    check_same_shape(fname, x, y)
    dtype = np.result_type(x, y)
    return x.astype(dtype, copy=False), y.astype(dtype, copy=False)


def check_same_shape(fname, x, y, xname="input", yname="target"):
    """Raise ``ValueError`` if the shapes of ``x`` and ``y`` differ."""
    if x.shape != y.shape:
        raise ValueError(
            f"{fname}: {xname} has shape {x.shape} but {yname} has shape "
            f"{y.shape}; they must be equal (lossbook does not broadcast, "
            "torch would). Reshape one of them, e.g. "
            f"{xname}.reshape({yname}.shape) if they hold the same number of "
            "values."
        )


def check_callable(fname, name, f):
    """Raise ``TypeError`` unless ``f`` can be called."""
    if not callable(f):
        raise TypeError(
            f"{fname}: {name} must be a function; got {type(f).__name__}."
        )


def check_reduction(fname, reduction, allowed=REDUCTIONS):
    """Raise ``ValueError`` unless ``reduction`` is one of ``allowed``."""
    if not isinstance(reduction, str) or reduction not in allowed:
        choices = ", ".join(repr(r) for r in allowed)
        raise ValueError(
            f"{fname}: reduction must be one of {choices}; got {reduction!r}."
        )


def check_number(fname, name, value, *, low=None, high=None, low_open=False):
    """Return ``value`` as a float, checked to be a real in ``[low, high]``.

    With ``low_open=True`` the lower bound is excluded: ``(low, high]``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{fname}: {name} must be a real number; got "
            f"{type(value).__name__}."
        )
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and value > high
    if too_low or too_high or np.isnan(value):
        lo = "" if low is None else f"{'>' if low_open else '>='} {low}"
        hi = "" if high is None else f"<= {high}"
        expected = " and ".join(s for s in (lo, hi) if s) or "a number"
        raise ValueError(f"{fname}: {name} must be {expected}; got {value}.")
    return value


def check_bool(fname, name, value):
    """Return ``value`` as a bool, checked to be ``True`` or ``False``.

    A switch given as ``0``/``1`` or a string is rejected rather than read
    by its truth value.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{fname}: {name} must be True or False (a bool); got "
            f"{type(value).__name__}."
        )
    return bool(value)


def check_count(fname, name, value, *, low=1):
    """Return ``value`` checked to be an ``int`` (not a bool) ``>= low``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{fname}: {name} must be an int; got {type(value).__name__}."
        )
    if value < low:
        raise ValueError(f"{fname}: {name} must be >= {low}; got {value}.")
    return int(value)


def check_weight(fname, name, weight, shape, dtype, *, exact):
    """Return an optional weight array in ``dtype``, or ``None``.

    With ``exact=True`` the weight must have exactly ``shape`` (per-class
    weights); otherwise it may broadcast to ``shape`` without changing it
    (torch's rule for element weights).
    """
    if weight is None:
        return None
    w = as_float_array(fname, name, weight).astype(dtype, copy=False)
    if exact:
        ok = w.shape == tuple(shape)
    else:
        try:
            ok = np.broadcast_shapes(w.shape, shape) == tuple(shape)
        except ValueError:
            ok = False
    if not ok:
        how = (
            "must have shape"
            if exact
            else "must broadcast to the input's shape"
        )
        raise ValueError(
            f"{fname}: {name} {how} {tuple(shape)}; got shape {w.shape}."
        )
    return w


def element_weight(fname, weight, input):
    """An optional weight per element: ``input``'s shape, in its dtype.

    torch 2.13's ``mse_loss``, ``l1_loss`` and ``huber_loss`` take such a
    weight and reject one of another shape ("Weights and input must have the
    same size"); so does lossbook.
    """
    return check_weight(
        fname, "weight", weight, input.shape, input.dtype, exact=True
    )


def weighted(x, w):
    """``x`` times the weight ``w``, or ``x`` itself when ``w`` is None."""
    return x if w is None else w * x


def check_dim(fname, x, dim, name="input", *, allow_tuple=False):
    """Raise unless ``dim`` names an axis of ``x`` (or, with ``allow_tuple``,
    a tuple of distinct axes)."""
    if allow_tuple and isinstance(dim, tuple):
        dims = dim
    else:
        dims = (dim,)
    ndim = max(x.ndim, 1)  # as in torch, a 0-d array accepts dim 0 and -1
    seen = set()
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, numbers.Integral):
            kind = "an int or a tuple of ints" if allow_tuple else "an int"
            raise TypeError(
                f"{fname}: dim must be {kind}; got {type(d).__name__}."
            )
        if not -ndim <= d < ndim:
            raise ValueError(
                f"{fname}: dim {d} is out of range for {name} of shape "
                f"{x.shape}; pass dim in [{-ndim}, {ndim - 1}]."
            )
        if d % ndim in seen:
            raise ValueError(
                f"{fname}: dim {d} appears more than once in {dim}; pass "
                "each axis once."
            )
        seen.add(d % ndim)


def check_logits(fname, x, name="input"):
    """Raise ``ValueError`` unless ``x`` is a 2-D array of shape ``(N, C)``."""
    if x.ndim != 2:
        raise ValueError(
            f"{fname}: {name} must have shape (N, C) (a batch of N rows of C "
            f"class scores); got shape {x.shape}. For a single sample use "
            f"{name}[None, :]."
        )


def check_ignore_index(fname, ignore_index, *, probabilities=False):
    """Check ``ignore_index``: an int; negative with probability targets.

    torch rejects an ``ignore_index`` that could name a class (``>= 0``) when
    the target holds class probabilities, which have no index to ignore.
    """
    if isinstance(ignore_index, bool) or not isinstance(
        ignore_index, numbers.Integral
    ):
        raise TypeError(
            f"{fname}: ignore_index must be an int; got "
            f"{type(ignore_index).__name__}."
        )
    if probabilities and ignore_index >= 0:
        raise ValueError(
            f"{fname}: ignore_index applies to class-index targets only; with "
            f"probability targets it must be negative (the default -100), as "
            f"torch requires; got ignore_index = {ignore_index}."
        )


def class_indices(
    fname, target, n, num_classes, ignore_index, *, probabilities_ok=False
):
    """Check class indices for an ``(N, C)`` input; return them and a mask.

    The mask marks the counted rows (those whose target is not
    ``ignore_index``).
    """
    check_ignore_index(fname, ignore_index)
    y = as_index_array(fname, "target", target)
    if y.shape != (n,):
        hint = (
            (
                " For one-hot or probability targets of shape (N, C) pass "
                "floats, e.g. target.astype(np.float64)."
            )
            if probabilities_ok
            else ""
        )
        raise ValueError(
            f"{fname}: class-index target must have shape (N,) = ({n},) to "
            f"match input of shape ({n}, {num_classes}); got shape "
            f"{y.shape}.{hint}"
        )
    counted = y != ignore_index
    bad = counted & ((y < 0) | (y >= num_classes))
    if bad.any():
        raise ValueError(
            f"{fname}: target holds class index {y[bad][0]}, outside [0, "
            f"{num_classes - 1}] for input with C = {num_classes} classes "
            f"(and not ignore_index = {ignore_index})."
        )
    return y, counted


def check_probability_range(fname, name, x):
    """Raise ``ValueError`` if an element of ``x`` is outside [0, 1] or NaN.

    NaN is rejected too, as torch does.
    """
    if not np.all((x >= 0) & (x <= 1)):
        numbers_seen = x[~np.isnan(x)]  # +-inf included
        seen = (
            f"values in [{numbers_seen.min()}, {numbers_seen.max()}]"
            if numbers_seen.size
            else "no number"
        )
        raise ValueError(
            f"{fname}: all elements of {name} must be between 0 and 1; got "
            f"{seen}{' and NaN' if numbers_seen.size < x.size else ''}. If "
            f"{name} holds logits, use binary_cross_entropy_with_logits."
        )


PROBABILITY_ROW_TOL = float(np.sqrt(np.finfo(np.float32).eps))  # about 3.5e-4


def check_probability_rows(fname, name, p):
    """Raise ``ValueError`` unless each row of ``p`` is a distribution.

    A row (the last axis) must hold numbers in [0, 1] that sum to 1 within
    ``PROBABILITY_ROW_TOL``, the square root of float32's machine epsilon
    whatever the dtype: probabilities computed in float32 and cast to
    float64 pass, a row that sums to 0.999 does not. Rows holding NaN are
    left alone, so that NaN propagates as in torch, which checks none of
    this.
    """
    rows = p.reshape(-1, p.shape[-1])
    rows = rows[~np.isnan(rows).any(axis=1)]
    tol = PROBABILITY_ROW_TOL
    outside = (rows < 0) | (rows > 1)
    if outside.any():
        raise ValueError(
            f"{fname}: {name} holds class probabilities, which must be "
            f"between 0 and 1; got {float(rows[outside][0])!r}. For class "
            "indices pass an integer array; for logits, take a softmax first."
        )
    sums = rows.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1) > tol)
    if off.size:
        raise ValueError(
            f"{fname}: {name} holds class probabilities, so each row must sum "
            f"to 1 (within {tol:.1e}); row {off[0]} sums to "
            f"{float(sums[off[0]])!r}. "
            f"Normalise it, e.g. {name} / {name}.sum(axis=-1, keepdims=True). "
            "(torch does not check this and returns a number that is not a "
            "cross-entropy.)"
        )


def reduce(loss, reduction, denominator=None):
    """Apply a reduction: ``"none"`` -> array, ``"sum"``/``"mean"`` -> float.

    ``"mean"`` divides the sum by ``denominator`` (default: the number of
    elements), so an empty input gives NaN as in torch.
    """
    if reduction == "none":
        return np.asarray(loss)  # an array even for 0-d input
    total = float(np.sum(loss))
    if reduction == "sum":
        return total
    n = loss.size if denominator is None else denominator
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.float64(total) / n)


def weighted_count(w):
    """What a weighted mean divides by: the sum of the weights (None: n)."""
    return None if w is None else np.sum(w)


def scale_grad(g, reduction, denominator=None):
    """The gradient ``g`` of a summed loss, scaled as ``reduction`` asks.

    ``"mean"`` divides by ``denominator`` (default: the number of elements);
    a zero denominator gives NaN, as torch's 0/0 does.
    """
    if reduction == "mean" and g.size:
        n = g.size if denominator is None else denominator
        with np.errstate(invalid="ignore", divide="ignore"):
            g = g / n
    return np.asarray(g)


def grad_scale(reduction, n):
    """The factor that scales the summed loss's gradient: ``1/n`` for mean."""
    return 1.0 / n if reduction == "mean" and n else 1.0


def check_labels(fname, labels, num_classes, name="labels", *, int64=False):
    """Check integer labels for one-hot encoding; return them and the count.

    The count is the number of classes, inferred when ``num_classes`` is -1.
    With ``int64=True`` other integer dtypes raise, as in ``F.one_hot``.
    """
    if int64:
        arr = as_array(fname, name, labels)
        if arr.dtype.kind in "iu" and arr.dtype != np.int64:
            raise TypeError(
                f"{fname}: {name} must be int64, as torch's F.one_hot "
                f"requires; got {arr.dtype}. Convert them first, e.g. "
                f"{name}.astype(np.int64)."
            )
    y = as_index_array(fname, name, labels)
    if isinstance(num_classes, bool) or not isinstance(
        num_classes, numbers.Integral
    ):
        raise TypeError(
            f"{fname}: num_classes must be an int; got "
            f"{type(num_classes).__name__}."
        )
    if num_classes != -1 and num_classes < 1:
        raise ValueError(
            f"{fname}: num_classes must be a positive int, or -1 to use "
            f"{name}.max() + 1; got {num_classes}."
        )
    if y.size and y.min() < 0:
        raise ValueError(
            f"{fname}: {name} must be non-negative; got {y.min()}."
        )
    if num_classes == -1:
        if y.size == 0:
            raise ValueError(
                f"{fname}: cannot infer the number of classes from empty "
                f"{name}; pass num_classes."
            )
        num_classes = int(y.max()) + 1
    elif y.size and y.max() >= num_classes:
        raise ValueError(
            f"{fname}: {name} must be smaller than num_classes = "
            f"{num_classes}; got {y.max()}. Pass a larger num_classes, or -1 "
            f"to use {name}.max() + 1."
        )
    return y, int(num_classes)


def check_num_classes(fname, probs, num_classes):
    """Raise ``ValueError`` unless ``probs`` has ``num_classes`` columns.

    ``num_classes=-1`` accepts any length of the last axis.
    """
    if probs.ndim == 0 or num_classes not in (-1, probs.shape[-1]):
        raise ValueError(
            f"{fname}: probability targets must have a last axis of "
            f"num_classes entries; got shape {probs.shape} and num_classes = "
            f"{num_classes}. Pass num_classes=-1 to use the last axis, or "
            "integer labels to one-hot encode them."
        )
