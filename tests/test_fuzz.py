"""Bad input, fuzzed: every public loss-API function either works or fails loudly and clearly.

Hypothesis builds a valid call for each function, then breaks one argument: wrong shapes and
ranks, empty and 0-d arrays, strings, complex, object and bool dtypes, NaN and +-inf, huge and
tiny values, out-of-range and negative labels, lists instead of arrays, ragged lists, ``None``,
bad options. Each call must either

* return the documented result: a Python ``float`` when reduced, otherwise an array of the
  documented shape (never a broadcast shape: a pairwise loss that returns had equal shapes),
  with NaN propagated where an input was NaN; or
* raise ``ValueError`` or ``TypeError`` whose message starts with the function's name and
  names the parameter that was broken.

Anything else (``IndexError``, ``AxisError``, ``OverflowError``, a NumPy message that names no
parameter, a result of the wrong shape) fails the test. The functions are enumerated from
``lossbook.__all__``: a new public name fails ``test_every_public_name_is_fuzzed_or_exempt``
until it is fuzzed here: no name is exempt.
"""

from __future__ import annotations

import inspect
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lossbook
from losses_registry import LOSSES

EXAMPLES = 100  # per function; the whole file runs in well under a minute on two busy cores
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CASES: Counter = Counter()  # function name -> calls made (reported by the last test)
OUTCOMES: Counter = Counter()  # "returned" / "ValueError" / "TypeError"

# --------------------------------------------------------------------------------------------
# What is fuzzed: every public name of lossbook, the loss library (the chapters' toolkit,
# lossbook.book, is tested by its own modules' tests)

# --------------------------------------------------------------------------------------------
# Malformed values

BAD_DTYPES = [
    np.array(["a", "b"]),
    np.array([1 + 2j, 3j]),
    np.array([object(), 1.0], dtype=object),
    np.array(["2020-01-01"], dtype="datetime64[D]"),
    np.array([b"x"]),
]
SPECIAL = [np.nan, np.inf, -np.inf, 1e308, -1e308, 1e-308, 5e-324, -0.0, 3.4e38, 1e19]


@st.composite
def float_arrays(draw, shape):
    """A float64 array of ``shape``, values anywhere, including NaN, inf, huge and tiny."""
    n = int(np.prod(shape))
    elements = st.one_of(
        st.floats(-3, 3), st.sampled_from(SPECIAL), st.floats(allow_nan=True, allow_infinity=True)
    )
    values = draw(st.lists(elements, min_size=n, max_size=n))
    dtype = draw(st.sampled_from([np.float64, np.float64, np.float32, np.float16]))
    with np.errstate(over="ignore"):
        return np.array(values, dtype=np.float64).reshape(shape).astype(dtype)


shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)
nonempty_shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


def other_shape(draw, shape):
    """A shape with a different value: one more or fewer axis, a trailing 1, a changed side."""
    candidates = [
        shape + (1,),
        (1,) + shape,
        shape[:-1],
        shape[::-1],
        tuple(s + 1 for s in shape),
        (0,),
        (),
    ]
    if shape:
        candidates.append(shape[:-1] + (1,))
    candidates = [c for c in candidates if c != shape]
    return draw(st.sampled_from(candidates))


@st.composite
def malformed_array(draw, valid, *, integer=False):
    """Break an array argument ``valid`` in one of the ways the issue lists."""
    shape = np.shape(valid)
    kind = draw(
        st.sampled_from(
            [
                "shape",
                "shape",
                "0d",
                "empty",
                "dtype",
                "special",
                "list",
                "ragged",
                "none",
                "bool",
                "int",
                "scalar",
            ]
            + (["float_labels", "negative", "huge_labels"] if integer else [])
        )
    )
    if kind == "shape":
        return kind, (
            draw(float_arrays(other_shape(draw, shape)))
            if not integer
            else np.zeros(other_shape(draw, shape), np.int64)
        )
    if kind == "0d":
        return kind, np.array(0 if integer else 0.5)
    if kind == "empty":
        return kind, np.zeros((0,) + shape[1:], np.int64 if integer else np.float64)
    if kind == "dtype":
        return kind, draw(st.sampled_from(BAD_DTYPES))
    if kind == "special":
        return kind, draw(float_arrays(shape))
    if kind == "list":
        return kind, np.asarray(valid).tolist()
    if kind == "ragged":
        return kind, [[1, 2], [3]]
    if kind == "none":
        return kind, None
    if kind == "bool":
        return kind, np.ones(shape, bool)
    if kind == "int":
        return kind, np.ones(shape, np.int64)
    if kind == "scalar":
        return kind, draw(st.sampled_from([0.5, 1, "x", 1j]))
    if kind == "float_labels":
        return kind, np.asarray(valid, np.float64)
    if kind == "negative":
        return kind, np.full(shape, draw(st.sampled_from([-1, -2, -101])), np.int64)
    return kind, np.full(shape, draw(st.sampled_from([10**6, 2**62])), np.int64)


ARRAY_OPTIONS = ("weight", "pos_weight", "alpha")
BAD_OPTIONS = [
    None,
    "MEAN",
    "avg",
    1,
    0,
    -1,
    -0.5,
    1.5,
    np.nan,
    np.inf,
    -np.inf,
    True,
    "1",
    1j,
    [1.0],
    np.float32(0.5),
    np.int64(1),
    1e308,
    5e-324,
]

# --------------------------------------------------------------------------------------------
# One valid call per function, and what it documents


@dataclass
class Spec:
    valid: Callable  # draw -> dict of keyword arguments (positional names included)
    arrays: tuple[str, ...]  # the array parameters that may be broken
    options: tuple[str, ...]  # the option parameters that may be broken
    check: Callable  # (kwargs, result) -> None: the documented result
    integer: tuple[str, ...] = ()  # array parameters that hold integer labels


def _reduced_or_shape(shape_of):
    def check(kw, out):
        if kw.get("reduction", "mean") == "none" and "grad" not in kw["__name__"]:
            assert isinstance(out, np.ndarray), f"expected an array, got {type(out)}"
            assert out.shape == shape_of(kw), f"shape {out.shape} != {shape_of(kw)}"
        elif kw["__name__"].endswith("_grad"):
            assert isinstance(out, np.ndarray), f"expected an array, got {type(out)}"
            assert out.shape == np.shape(kw["input"]), (
                f"gradient shape {out.shape} != input shape {np.shape(kw['input'])}"
            )
        else:
            assert type(out) is float, f"a reduced loss must be a Python float, got {type(out)}"

    return check


def _pairwise_check(kw, out):
    """Elementwise losses: no broadcasting, NaN in -> NaN out, documented kind and shape."""
    x, y = np.asarray(kw["input"]), np.asarray(kw["target"])
    assert x.shape == y.shape, f"returned although input {x.shape} and target {y.shape} differ"
    _reduced_or_shape(lambda k: np.shape(k["input"]))(kw, out)
    if kw["reduction"] == "none" and not kw["__name__"].endswith("_grad"):
        nan_in = np.isnan(x) | np.isnan(y)
        assert np.all(np.isnan(out[nan_in])), "NaN in the input did not propagate"


@st.composite
def _pair(draw, reduction=("mean", "sum", "none")):
    shape = draw(nonempty_shapes)
    x = draw(float_arrays(shape)).astype(np.float64)
    x = np.nan_to_num(x, nan=0.5, posinf=1.0, neginf=-1.0)
    return {
        "input": x,
        "target": np.full(shape, 0.5),
        "reduction": draw(st.sampled_from(reduction)),
    }


@st.composite
def _weighted_pair(draw):
    kw = draw(_pair())
    if draw(st.booleans()):
        kw["weight"] = np.ones(kw["input"].shape)
    return kw


@st.composite
def _probabilities(draw):
    kw = draw(_pair())
    kw["input"] = np.full(kw["input"].shape, 0.25)
    if draw(st.booleans()):
        kw["weight"] = np.ones(kw["input"].shape[-1:])
    return kw


@st.composite
def _logits_pair(draw):
    kw = draw(_pair())
    for name in ("weight", "pos_weight"):
        if draw(st.booleans()):
            kw[name] = np.full(kw["input"].shape[-1:], 2.0)
    return kw


@st.composite
def _kl(draw):
    kw = draw(_pair(("mean", "sum", "none", "batchmean")))
    kw["input"] = np.log(np.full(kw["input"].shape, 0.5))
    kw["log_target"] = draw(st.booleans())
    return kw


@st.composite
def _binary_targets(draw):
    """Logits anywhere, targets 0 or 1 (the losses that check the target's range)."""
    kw = draw(_pair())
    kw["target"] = (np.arange(kw["input"].size) % 2).reshape(kw["input"].shape) * 1.0
    return kw


@st.composite
def _focal_indices(draw):
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    kw = {
        "input": draw(float_arrays((n, c))).astype(np.float64),
        "target": np.asarray(
            draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), np.int64
        ),
        "reduction": draw(st.sampled_from(["mean", "sum", "none"])),
        "gamma": draw(st.sampled_from([0.0, 0.5, 2.0])),
    }
    if draw(st.booleans()):
        kw["alpha"] = np.full(c, 0.5)
    return kw


@st.composite
def _logits_logits(draw):
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return {
        "input": draw(float_arrays((n, c))).astype(np.float64),
        "target": draw(float_arrays((n, c))).astype(np.float64),
        "reduction": draw(st.sampled_from(["batchmean", "sum", "none"])),
        "temperature": draw(st.sampled_from([1.0, 2.0])),
    }


@st.composite
def _logits_and_indices(draw, smoothing=True):
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    kw = {
        "input": draw(float_arrays((n, c))).astype(np.float64),
        "target": np.asarray(
            draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), np.int64
        ),
        "reduction": draw(st.sampled_from(["mean", "sum", "none"])),
        "ignore_index": draw(st.sampled_from([-100, 0, 1])),
    }
    if draw(st.booleans()):
        kw["weight"] = np.ones(c)
    if smoothing:
        kw["label_smoothing"] = draw(st.sampled_from([0.0, 0.1, 1.0]))
        if draw(st.booleans()):  # probability targets
            kw["target"] = np.full((n, c), 1.0 / c)
            del kw["ignore_index"]
    return kw


def _rows(kw):
    return (np.shape(kw["input"])[0],)


def _special_check(reduces):
    def check(kw, out):
        x = np.asarray(kw["input"])
        assert isinstance(out, np.ndarray), f"expected an array, got {type(out)}"
        expected = x.shape
        if reduces and x.ndim:
            axis = int(kw.get("dim", -1)) % x.ndim
            kept = (1,) if kw.get("keepdim") else ()
            expected = x.shape[:axis] + kept + x.shape[axis + 1 :]
        assert out.shape == expected, f"shape {out.shape} != {expected}"
        assert out.dtype.kind == "f", f"dtype {out.dtype}"

    return check


@st.composite
def _one_input(draw, keepdim=False):
    kw = {"input": np.linspace(-1, 1, 6).reshape(draw(st.sampled_from([(6,), (2, 3)])))}
    if keepdim:
        kw["keepdim"] = draw(st.booleans())
    return kw


@st.composite
def _labels(draw):
    labels = np.asarray(draw(st.lists(st.integers(0, 3), min_size=1, max_size=5)), np.int64)
    return {"labels": labels, "num_classes": draw(st.sampled_from([-1, 4, 5]))}


def _one_hot_check(kw, out):
    y = np.asarray(kw["labels"])
    c = kw["num_classes"] if kw["num_classes"] != -1 else int(y.max()) + 1
    assert isinstance(out, np.ndarray) and out.dtype == np.int64, f"{type(out)}"
    assert out.shape == y.shape + (c,), f"shape {out.shape} != {y.shape + (c,)}"
    assert np.all(out.sum(axis=-1) == 1)


@st.composite
def _smooth(draw):
    kw = draw(_labels())
    kw["target"] = kw.pop("labels")
    kw["label_smoothing"] = draw(st.sampled_from([0.0, 0.1, 1.0]))
    return kw


def _smooth_check(kw, out):
    t = np.asarray(kw["target"])
    assert isinstance(out, np.ndarray) and out.dtype.kind == "f", f"{type(out)}"
    if t.dtype.kind in "iu":
        c = kw["num_classes"] if kw["num_classes"] != -1 else int(t.max()) + 1
        assert out.shape == t.shape + (c,)
    else:
        assert out.shape == t.shape


def _square_sum(v):
    return float(np.sum(np.asarray(v) ** 2))


@st.composite
def _numerical(draw):
    return {
        "f": _square_sum,
        "x": np.linspace(-1, 1, draw(st.integers(1, 4))),
        "eps": draw(st.sampled_from([1e-6, 1e-3])),
    }


def _numerical_check(kw, out):
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    assert out.shape == np.shape(kw["x"]), f"shape {out.shape} != {np.shape(kw['x'])}"


@st.composite
def _check_grad(draw):
    kw = draw(_pair())
    kw["input"], kw["target"] = kw["input"].ravel()[:3], kw["target"].ravel()[:3]  # few calls
    return {
        "loss": lossbook.mse_loss,
        "grad": lossbook.mse_loss_grad,
        "input": kw["input"],
        "target": kw["target"],
        "eps": 1e-6,
        "reduction": kw["reduction"],
    }


def _check_grad_check(kw, out):
    assert type(out) is float, f"expected a float, got {type(out)}"
    assert np.shape(kw["input"]) == np.shape(kw["target"]), "returned despite a shape mismatch"


def _penalty_check(kw, out):
    """A penalty is a Python float, its gradient an array of the parameters' shape."""
    if kw["__name__"].endswith("_grad"):
        assert isinstance(out, np.ndarray), f"expected an array, got {type(out)}"
        assert out.shape == np.shape(kw["theta"]), f"shape {out.shape}"
    else:
        assert type(out) is float, f"a penalty must be a Python float, got {type(out)}"


@st.composite
def _theta(draw):
    return {"theta": np.linspace(-1, 1, 6).reshape(draw(st.sampled_from([(6,), (2, 3)])))}


@st.composite
def _soft(draw):
    return {"z": np.linspace(-2, 2, draw(st.integers(1, 5))), "threshold": 0.5}


@st.composite
def _norms(draw):
    return {"grad_norm": np.linspace(0, 1, draw(st.integers(1, 7))), "bins": 10}


def _norms_check(kw, out):
    assert isinstance(out, np.ndarray) and out.dtype == np.float64, f"{type(out)}"
    assert out.shape == np.shape(kw["grad_norm"]), f"shape {out.shape}"


def _soft_check(kw, out):
    assert isinstance(out, np.ndarray) and out.dtype == np.float64, f"{type(out)}"
    assert out.shape == np.shape(kw["z"]), f"shape {out.shape}"


@st.composite
def _masks(draw):
    """Probabilities (N, *) against a 0/1 mask (the soft Dice and Jaccard losses)."""
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 4)))
    return {
        "input": np.full(shape, 0.5),
        "target": (np.arange(shape[0] * shape[1]) % 2).reshape(shape) * 1.0,
        "reduction": draw(st.sampled_from(["mean", "sum", "none"])),
        "smooth_nr": draw(st.sampled_from([0.0, 1e-5, 1.0])),
        "smooth_dr": draw(st.sampled_from([1e-5, 1.0])),
        "squared": draw(st.booleans()),
    }


@st.composite
def _boxes(draw):
    """Boxes (..., 4) as (x1, y1, x2, y2) (the IoU-based box losses)."""
    batch = draw(st.sampled_from([(), (1,), (3,), (2, 2)]))
    corner = np.zeros(batch + (2,))
    return {
        "input": np.concatenate([corner, corner + 2.0], axis=-1),
        "target": np.concatenate([corner + 1.0, corner + 3.0], axis=-1),
        "reduction": draw(st.sampled_from(["mean", "sum", "none"])),
        "eps": draw(st.sampled_from([1e-7, 0.0])),
    }


def _boxes_out(kw):
    return np.shape(kw["input"])[:-1]


# Losses on embeddings (lossbook/metric.py): two or three arrays, a tuple of gradients.


def _embedding_check(names, grads, loss_shape):
    """The documented result of a loss on embeddings: no broadcasting; a Python float when
    reduced, ``loss_shape(kw)`` for "none"; the gradient a tuple, one array per name in
    ``grads``, each of its array's shape."""

    def check(kw, out):
        shapes = [np.shape(kw[n]) for n in names if n != "target"]
        assert len(set(shapes)) == 1, f"returned although the shapes {shapes} differ"
        if kw["__name__"].endswith("_grad"):
            assert isinstance(out, tuple) and len(out) == len(grads), f"got {type(out)}"
            for name, g in zip(grads, out, strict=True):
                assert isinstance(g, np.ndarray), f"{name}: expected an array, got {type(g)}"
                assert g.shape == np.shape(kw[name]), f"{name}: gradient shape {g.shape}"
        elif kw.get("reduction", "mean") == "none":
            assert isinstance(out, np.ndarray), f"expected an array, got {type(out)}"
            assert out.shape == loss_shape(kw), f"shape {out.shape} != {loss_shape(kw)}"
        else:
            assert type(out) is float, f"a reduced loss must be a Python float, got {type(out)}"

    return check


def _embedding_arrays(draw, names, shape):
    return {n: np.nan_to_num(draw(float_arrays(shape)).astype(np.float64), nan=0.5) for n in names}


def _sign_labels(shape):
    return np.where(np.arange(int(np.prod(shape))) % 2 == 0, 1.0, -1.0).reshape(shape)


@st.composite
def _embedding_pairs(draw):
    shape = draw(st.sampled_from([(3, 2), (1, 4), (2, 1), (3,)]))
    kw = _embedding_arrays(draw, ("input1", "input2"), shape)
    kw["target"] = _sign_labels(shape[:-1])
    kw["reduction"] = draw(st.sampled_from(["mean", "sum", "none"]))
    kw["margin"] = draw(st.sampled_from([0.0, 0.5]))
    return kw


@st.composite
def _triplets(draw):
    shape = draw(st.sampled_from([(3, 2), (1, 4), (2, 1), (3,)]))
    kw = _embedding_arrays(draw, ("anchor", "positive", "negative"), shape)
    kw["reduction"] = draw(st.sampled_from(["mean", "sum", "none"]))
    kw["p"] = draw(st.sampled_from([1.0, 2.0, 3.0]))
    kw["swap"] = draw(st.booleans())
    return kw


@st.composite
def _ranking(draw):
    kw = draw(_pair())
    kw["input1"], kw["input2"] = kw.pop("input"), np.full(kw["target"].shape, 0.25)
    kw["target"] = _sign_labels(kw["input1"].shape)
    kw["margin"] = draw(st.sampled_from([0.0, 0.5]))
    return kw


@st.composite
def _two_batches(draw, names):
    shape = (draw(st.integers(1, 4)), draw(st.integers(1, 3)))
    kw = _embedding_arrays(draw, names, shape)
    kw["reduction"] = draw(st.sampled_from(["mean", "sum", "none"]))
    kw["temperature"] = draw(st.sampled_from([0.1, 0.5]))
    return kw


PAIR_ARRAYS = ("input1", "input2", "target")
TRIPLET_ARRAYS = ("anchor", "positive", "negative")
EMBEDDING_FAMILIES = {
    "embedding_pairs": lambda options: dict(
        valid=_embedding_pairs(),
        arrays=PAIR_ARRAYS,
        check=_embedding_check(PAIR_ARRAYS, PAIR_ARRAYS[:2], lambda k: k["target"].shape),
    ),
    "triplets": lambda options: dict(
        valid=_triplets(),
        arrays=TRIPLET_ARRAYS,
        check=_embedding_check(
            TRIPLET_ARRAYS, TRIPLET_ARRAYS, lambda k: np.shape(k["anchor"])[:-1]
        ),
    ),
    "ranking": lambda options: dict(
        valid=_ranking(),
        arrays=PAIR_ARRAYS,
        check=_embedding_check(PAIR_ARRAYS, PAIR_ARRAYS[:2], lambda k: np.shape(k["input1"])),
    ),
    "query_key": lambda options: dict(
        valid=_two_batches(("query", "key")),
        arrays=("query", "key"),
        check=_embedding_check(
            ("query", "key"), ("query", "key"), lambda k: np.shape(k["query"])[:1]
        ),
    ),
    "two_views": lambda options: dict(
        valid=_two_batches(PAIR_ARRAYS[:2]),
        arrays=PAIR_ARRAYS[:2],
        check=_embedding_check(
            PAIR_ARRAYS[:2], PAIR_ARRAYS[:2], lambda k: (2 * np.shape(k["input1"])[0],)
        ),
    ),
}


# The families of valid loss calls that the registry's entries name (Loss.fuzz): a strategy
# given the loss's options, the array parameters to break, the check, the integer arrays.
ROWS = dict(arrays=("input", "target"), integer=("target",))
FAMILIES = {
    **EMBEDDING_FAMILIES,  # lossbook/metric.py
    "pair": lambda options: dict(
        valid=_weighted_pair() if "weight" in options else _pair(), **PAIRWISE
    ),
    "probabilities": lambda options: dict(valid=_probabilities(), **PAIRWISE),
    "logits_pair": lambda options: dict(valid=_logits_pair(), **PAIRWISE),
    "kl": lambda options: dict(valid=_kl(), **PAIRWISE),
    "logits_indices": lambda options: dict(
        valid=_logits_and_indices(), check=_reduced_or_shape(_rows), **ROWS
    ),
    "binary_targets": lambda options: dict(valid=_binary_targets(), **PAIRWISE),
    "focal_indices": lambda options: dict(
        valid=_focal_indices(), check=_reduced_or_shape(_rows), **ROWS
    ),
    "logits_logits": lambda options: dict(
        valid=_logits_logits(), arrays=("input", "target"), check=_reduced_or_shape(_rows)
    ),
    "logprobs_indices": lambda options: dict(
        valid=_logits_and_indices(smoothing=False), check=_reduced_or_shape(_rows), **ROWS
    ),
    "masks": lambda options: dict(
        valid=_masks(), arrays=("input", "target"), check=_reduced_or_shape(_rows)
    ),
    "boxes": lambda options: dict(
        valid=_boxes(), arrays=("input", "target"), check=_reduced_or_shape(_boxes_out)
    ),
}


def _loss_spec(entry) -> Spec:
    """The fuzz spec of a registry loss: its family's valid calls; its options are its
    keyword-only parameters, read from its signature."""
    parameters = inspect.signature(entry.loss).parameters.values()
    options = tuple(p.name for p in parameters if p.kind is p.KEYWORD_ONLY)
    return Spec(options=options, **FAMILIES[entry.fuzz](options))


PAIRWISE = dict(arrays=("input", "target"), check=_pairwise_check)
SPECS = {
    "logsumexp": Spec(
        _one_input(keepdim=True), ("input",), ("dim", "keepdim"), _special_check(True)
    ),
    "softmax": Spec(_one_input(), ("input",), ("dim",), _special_check(False)),
    "log_softmax": Spec(_one_input(), ("input",), ("dim",), _special_check(False)),
    "sigmoid": Spec(_one_input(), ("input",), (), _special_check(False)),
    "log_sigmoid": Spec(_one_input(), ("input",), (), _special_check(False)),
    **{  # the losses: one per entry of the registry, the loss and its gradient alike
        name: _loss_spec(entry) for entry in LOSSES for name in (entry.name, entry.name + "_grad")
    },
    "one_hot": Spec(_labels(), ("labels",), ("num_classes",), _one_hot_check, integer=("labels",)),
    "smooth_labels": Spec(
        _smooth(),
        ("target",),
        ("num_classes", "label_smoothing"),
        _smooth_check,
        integer=("target",),
    ),
    **{
        name: Spec(_theta(), ("theta",), (), _penalty_check)
        for name in ("l2_penalty", "l2_penalty_grad", "l1_penalty", "l1_penalty_grad")
    },
    "ghm_weights": Spec(_norms(), ("grad_norm",), ("bins",), _norms_check),
    "soft_threshold": Spec(_soft(), ("z",), ("threshold",), _soft_check),
    "numerical_grad": Spec(_numerical(), ("x",), ("eps", "f"), _numerical_check),
    "check_grad": Spec(
        _check_grad(), ("input", "target"), ("eps", "loss", "grad"), _check_grad_check
    ),
}

# --------------------------------------------------------------------------------------------
# The checks


def test_every_public_name_is_fuzzed():
    public = set(lossbook.__all__)
    missing = sorted(public - set(SPECS))
    assert not missing, f"public names not fuzzed (add a Spec): {missing}"
    stale = sorted(set(SPECS) - public)
    assert not stale, f"no longer public, remove them here: {stale}"


def _call(name, kwargs):
    """Call ``lossbook.<name>`` with every argument by keyword (the documented names)."""
    fn = getattr(lossbook, name)
    params = inspect.signature(fn).parameters
    unknown = [k for k in kwargs if not k.startswith("__") and k not in params]
    takes_any = any(p.kind == p.VAR_KEYWORD for p in params.values())
    assert takes_any or not unknown, f"{name} has no parameters {unknown}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow to inf is a documented result
        return fn(**{k: v for k, v in kwargs.items() if not k.startswith("__")})


def _expect_documented(name, kwargs, broken):
    """Call ``name``; the outcome must be the documented result or a clear exception."""
    CASES[name] += 1
    kwargs = {**kwargs, "__name__": name}
    try:
        out = _call(name, kwargs)
    except (ValueError, TypeError) as err:
        msg = str(err)
        OUTCOMES[type(err).__name__] += 1
        # check_grad passes its arrays on to the loss and gradient it checks, whose own
        # messages are then the clear ones
        owners = (
            name,
            *(
                f.__name__
                for k in ("loss", "grad")
                if callable(f := kwargs.get(k)) and hasattr(f, "__name__")
            ),
        )
        assert msg.startswith(tuple(f"{o}:" for o in owners)), (
            f"{type(err).__name__} not from lossbook: {msg!r}"
        )
        # The broken parameter is named; a shape that no longer fits another array may be
        # reported on that array instead (cross_entropy: "weight must have shape (C,)").
        names = (broken,) + (
            SPECS[name].arrays + ARRAY_OPTIONS if broken in SPECS[name].arrays else ()
        )
        assert any(n in msg for n in names), f"message names none of {names}: {msg!r}"
        return
    except Exception as err:  # noqa: BLE001 - anything else is the bug this file looks for
        pytest.fail(f"{name}: broken {broken!r} gave an unexplained {type(err).__name__}: {err}")
    OUTCOMES["returned"] += 1
    try:
        SPECS[name].check(kwargs, out)
    except AssertionError as err:
        pytest.fail(f"{name}: broken {broken!r} returned a wrong result: {err}")


@pytest.mark.parametrize("name", sorted(SPECS))
def test_malformed_input_fails_loudly_or_gives_the_documented_result(name):
    spec = SPECS[name]

    @FUZZ
    @given(data=st.data())
    def check(data):
        kwargs = data.draw(spec.valid, label="valid call")
        _expect_documented(name, kwargs, broken="(none)")  # the valid call itself
        broken = data.draw(st.sampled_from(spec.arrays + spec.options), label="broken")
        if broken in spec.arrays:
            valid = kwargs.get(broken, np.ones(2))
            _, value = data.draw(
                malformed_array(valid, integer=broken in spec.integer), label=broken
            )
        else:
            value = data.draw(st.sampled_from(BAD_OPTIONS), label=broken)
        _expect_documented(name, {**kwargs, broken: value}, broken)

    check()


# A list holding valid numbers is a valid array: the result must equal the array's.
@pytest.mark.parametrize(
    "name",
    [
        "mse_loss",
        "huber_loss_grad",
        "binary_cross_entropy",
        "cross_entropy",
        "kl_div",
        "softmax",
        "one_hot",
    ],
)
def test_lists_give_the_same_result_as_arrays(name):
    spec = SPECS[name]

    @settings(max_examples=20, deadline=None, derandomize=True)
    @given(data=st.data())
    def check(data):
        kwargs = data.draw(spec.valid)
        as_lists = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
        name_kw = {"__name__": name}
        np.testing.assert_array_equal(
            _call(name, {**kwargs, **name_kw}), _call(name, {**as_lists, **name_kw})
        )

    check()


def test_report_the_number_of_cases(capsys):
    """Runs last in this file: every fuzzed function was called, and the count is reported."""
    ran = [name for name in SPECS if CASES[name]]
    if len(ran) < len(SPECS):  # run on its own (-k): nothing to report
        pytest.skip("the fuzz tests did not all run in this session")
    total = sum(CASES.values())
    with capsys.disabled():
        print(
            f"\ntest_fuzz: {total} calls over {len(SPECS)} functions "
            f"({', '.join(f'{k} {v}' for k, v in sorted(OUTCOMES.items()))}); "
            "no public name exempt"
        )


# --------------------------------------------------------------------------------------------
# Regression tests for what the fuzzing found (each failed before its fix in lossbook)


def test_found_smooth_labels_messages_name_smooth_labels_and_target():
    with pytest.raises(ValueError, match=r"^smooth_labels: target must be non-negative"):
        lossbook.smooth_labels([0, -1], 3, label_smoothing=0.1)  # said "one_hot: labels ..."
    with pytest.raises(TypeError, match=r"^smooth_labels: num_classes must be an int"):
        lossbook.smooth_labels([0, 1], None, label_smoothing=0.1)


def test_found_ragged_lists_are_a_type_error_naming_the_parameter():
    with pytest.raises(TypeError, match=r"^cross_entropy: target must be a numeric array"):
        lossbook.cross_entropy(np.zeros((2, 2)), [[1, 2], [3]])  # was NumPy's ValueError
    with pytest.raises(TypeError, match=r"^one_hot: labels must be a numeric array"):
        lossbook.one_hot([[1, 2], [3]])


def test_found_softmax_dim_is_checked_and_empty_input_works():
    with pytest.raises(TypeError, match=r"^softmax: dim must be an int; got str"):
        lossbook.softmax([1.0, 2.0], dim="1")  # was "'str' object cannot be interpreted ..."
    with pytest.raises(ValueError, match=r"^log_softmax: dim 1 is out of range for input"):
        lossbook.log_softmax([1.0, 2.0], dim=1)  # was NumPy's AxisError
    for fn, expected in ((lossbook.softmax, 1.0), (lossbook.logsumexp, 0.5)):
        out = fn(0.5)  # 0-d, as in torch; was a NumPy scalar instead of an array
        assert isinstance(out, np.ndarray) and out.shape == () and out == expected
    out = lossbook.softmax(np.zeros((3, 0)))  # was "zero-size array to reduction operation"
    assert isinstance(out, np.ndarray) and out.shape == (3, 0)


def test_found_one_hot_of_a_huge_label_is_a_value_error():
    with pytest.raises(
        ValueError,
        match=r"^one_hot: 1 labels with 4611686018427387905 "
        r"classes are too many",
    ):
        lossbook.one_hot([2**62])  # was NumPy's "array is too big"


def test_found_gradcheck_checks_its_callables_and_step():
    with pytest.raises(TypeError, match=r"^numerical_grad: f must be a function; got NoneType"):
        lossbook.numerical_grad(None, [1.0])
    with pytest.raises(TypeError, match=r"^check_grad: grad must be a function; got str"):
        lossbook.check_grad(lossbook.mse_loss, "mse_loss_grad", [1.0], [0.0])
    with pytest.raises(ValueError, match=r"^check_grad: eps must be > 0; got 0.0"):
        lossbook.check_grad(lossbook.mse_loss, lossbook.mse_loss_grad, [1.0], [0.0], eps=0)
