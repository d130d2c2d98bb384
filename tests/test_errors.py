"""Every error path: the exception type and the message (function, parameter, fix)."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import lossbook
from losses_registry import LOSSES

X2 = np.zeros((2, 3))
INDEX_TARGETS = ("logits_indices", "logprobs_indices", "focal_indices")  # fuzz families
PAIRWISE = [e for e in LOSSES if e.fuzz not in INDEX_TARGETS and e.inputs == ("input", "target")]
# Losses on embeddings: two or three arrays, named in the entry's ``inputs``
EMBEDDING = [e for e in LOSSES if e.inputs != ("input", "target")]


def _valid_arrays(entry):
    """Positional arrays of a small valid call (the index-target losses take (2, 3) logits)."""
    if entry.inputs != ("input", "target"):
        return entry.bench(np.random.default_rng(0), 60, np.float64)
    y = np.array([0, 1]) if entry.fuzz in INDEX_TARGETS else np.full((2, 3), 0.5)
    return np.full((2, 3), 0.5), y


@pytest.mark.parametrize("entry", PAIRWISE, ids=lambda e: e.name)
@pytest.mark.parametrize("grad", [False, True])
def test_shape_mismatch_names_both_shapes_and_the_fix(entry, grad):
    fn = entry.grad if grad else entry.loss
    with pytest.raises(
        ValueError,
        match=r"input has shape \(3, 1\) but target has shape "
        r"\(3,\).*does not broadcast.*Reshape",
    ):
        fn(np.full((3, 1), 0.5), np.full(3, 0.5))


@pytest.mark.parametrize("entry", EMBEDDING, ids=lambda e: e.name)
@pytest.mark.parametrize("grad", [False, True])
def test_embeddings_of_different_shapes_name_both(entry, grad):
    fn = entry.grad if grad else entry.loss
    first, second = entry.inputs[:2]
    rest = _valid_arrays(entry)[2:]
    with pytest.raises(
        ValueError,
        match=rf"{first} has shape \(3, 2\) but {second} has shape \(3, 3\).*does not broadcast",
    ):
        fn(np.full((3, 2), 0.5), np.full((3, 3), 0.5), *rest)


@pytest.mark.parametrize("entry", LOSSES, ids=lambda e: e.name)
@pytest.mark.parametrize("grad", [False, True])
def test_unknown_reduction(entry, grad):
    fn = entry.grad if grad else entry.loss
    name = entry.name + ("_grad" if grad else "")
    with pytest.raises(ValueError, match=rf"^{name}: reduction must be one of .*got 'avg'"):
        fn(*_valid_arrays(entry), reduction="avg")


@pytest.mark.parametrize("entry", LOSSES, ids=lambda e: e.name)
def test_non_numeric_input_is_a_type_error(entry):
    rest = _valid_arrays(entry)[2:]  # the third array of a loss on embeddings
    with pytest.raises(
        TypeError,
        match=rf"{entry.name}: {entry.inputs[0]} must be a real numeric array; "
        r"got dtype <U1",
    ):
        entry.loss(np.array([["a", "b"]]), np.array([0]), *rest)


def test_non_numeric_target_and_ragged_input():
    with pytest.raises(TypeError, match="mse_loss: target must be a real numeric array"):
        lossbook.mse_loss([1.0], ["x"])
    with pytest.raises(TypeError, match="mse_loss: input must be a numeric array"):
        lossbook.mse_loss([[1.0], [1.0, 2.0]], [0.0])
    with pytest.raises(TypeError, match="softmax: input must be a real numeric array"):
        lossbook.softmax([1j])


def test_options_out_of_range():
    with pytest.raises(ValueError, match=r"huber_loss: delta must be > 0; got 0.0"):
        lossbook.huber_loss([1.0], [0.0], delta=0)
    with pytest.raises(ValueError, match=r"huber_loss_grad: delta must be > 0; got -1.0"):
        lossbook.huber_loss_grad([1.0], [0.0], delta=-1.0)
    with pytest.raises(ValueError, match=r"smooth_l1_loss: beta must be >= 0; got -0.5"):
        lossbook.smooth_l1_loss([1.0], [0.0], beta=-0.5)
    with pytest.raises(TypeError, match=r"smooth_l1_loss: beta must be a real number; got str"):
        lossbook.smooth_l1_loss([1.0], [0.0], beta="1")
    with pytest.raises(
        ValueError,
        match=r"cross_entropy: label_smoothing must be >= 0 and "
        r"<= 1; got 1.5",
    ):
        lossbook.cross_entropy(X2, [0, 1], label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"label_smoothing must be >= 0 and <= 1; got -0.1"):
        lossbook.smooth_labels([0], 2, label_smoothing=-0.1)
    with pytest.raises(ValueError, match=r"numerical_grad: eps must be > 0"):
        lossbook.numerical_grad(np.sum, [1.0], eps=0.0)


@pytest.mark.parametrize(
    "fn",
    [
        lossbook.cross_entropy,
        lossbook.nll_loss,
        lossbook.cross_entropy_grad,
        lossbook.nll_loss_grad,
    ],
)
def test_class_index_errors(fn):
    name = fn.__name__
    with pytest.raises(
        ValueError,
        match=rf"{name}: target holds class index 3, outside "
        r"\[0, 2\] for input with C = 3 classes",
    ):
        fn(X2, [0, 3])
    with pytest.raises(ValueError, match=r"target holds class index -1, outside"):
        fn(X2, [-1, 0])
    with pytest.raises(ValueError, match=r"class-index target must have shape \(N,\) = \(2,\)"):
        fn(X2, [0, 1, 2])
    with pytest.raises(ValueError, match=r"input must have shape \(N, C\).*got shape \(3,\)"):
        fn(np.zeros(3), [0])
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\); got shape \(2,\)"):
        fn(X2, [0, 1], weight=[1.0, 2.0])
    with pytest.raises(TypeError, match=r"ignore_index must be an int; got float"):
        fn(X2, [0, 1], ignore_index=-100.0)


def test_probability_target_of_the_wrong_shape():
    with pytest.raises(
        ValueError,
        match=r"cross_entropy: a float target is read as class "
        r"probabilities .* \(2, 3\); got shape \(2,\).*integer",
    ):
        lossbook.cross_entropy(X2, np.array([0.0, 1.0]))
    with pytest.raises(TypeError, match=r"nll_loss: target must hold integer class indices"):
        lossbook.nll_loss(X2, np.array([0.0, 1.0]))


def test_binary_cross_entropy_range_and_weight_shape():
    with pytest.raises(
        ValueError,
        match=r"binary_cross_entropy: all elements of input must be "
        r"between 0 and 1.*binary_cross_entropy_with_logits",
    ):
        lossbook.binary_cross_entropy([1.5], [1.0])
    with pytest.raises(ValueError, match=r"all elements of input must be between 0 and 1.*NaN"):
        lossbook.binary_cross_entropy([np.nan], [1.0])  # torch raises here too
    with pytest.raises(ValueError, match=r"all elements of target must be between 0 and 1"):
        lossbook.binary_cross_entropy_grad([0.5], [2.0])
    with pytest.raises(
        ValueError,
        match=r"weight must broadcast to the input's shape \(2, 3\); "
        r"got shape \(2,\)",
    ):
        lossbook.binary_cross_entropy(np.full((2, 3), 0.5), np.full((2, 3), 0.5), weight=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"pos_weight must broadcast to the input's shape"):
        lossbook.binary_cross_entropy_with_logits(X2, X2, pos_weight=np.ones((2, 3, 1)))


def test_kl_div_reductions():
    with pytest.raises(
        ValueError,
        match=r"kl_div: reduction must be one of 'none', "
        r"'batchmean', 'sum', 'mean'; got 'avg'",
    ):
        lossbook.kl_div(X2, X2, reduction="avg")
    with pytest.raises(ValueError, match=r"mse_loss: reduction must be one of .*'batchmean'"):
        lossbook.mse_loss(X2, X2, reduction="batchmean")  # batchmean is KL's only


def test_one_hot_errors():
    with pytest.raises(
        TypeError,
        match=r"one_hot: labels must hold integer class indices; "
        r"got dtype float64",
    ):
        lossbook.one_hot([1.0, 2.0])
    with pytest.raises(TypeError, match=r"labels must hold integer class indices; got dtype bool"):
        lossbook.one_hot([True])
    with pytest.raises(ValueError, match=r"one_hot: labels must be non-negative; got -1"):
        lossbook.one_hot([-1, 2])
    with pytest.raises(ValueError, match=r"labels must be smaller than num_classes = 3; got 3"):
        lossbook.one_hot([0, 3], 3)
    with pytest.raises(ValueError, match=r"cannot infer the number of classes from empty"):
        lossbook.one_hot(np.zeros(0, dtype=np.int64))
    with pytest.raises(ValueError, match=r"num_classes must be a positive int, or -1"):
        lossbook.one_hot([0], 0)
    with pytest.raises(TypeError, match=r"num_classes must be an int; got float"):
        lossbook.one_hot([0], 2.0)
    with pytest.raises(
        ValueError,
        match=r"smooth_labels: probability targets must have a last "
        r"axis of num_classes entries; got shape \(2,\)",
    ):
        lossbook.smooth_labels(np.array([0.5, 0.5]), 3, label_smoothing=0.1)


def test_check_grad_rejects_a_gradient_of_the_wrong_shape():
    with pytest.raises(
        ValueError,
        match=r"check_grad: the gradient has shape \(1,\) but input "
        r"has shape \(2,\)",
    ):
        lossbook.check_grad(lossbook.mse_loss, lambda x, y: np.zeros(1), [1.0, 2.0], [0.0, 0.0])


@pytest.mark.parametrize("probs", [[np.nan], [np.nan, np.nan], [np.nan, 2.0]])
def test_probabilities_with_nan_raise_cleanly_without_a_warning(probs):
    # the message says what came in, and no NumPy warning leaks on the way
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="and NaN"):
            lossbook.binary_cross_entropy(probs, np.ones(len(probs)))


@pytest.mark.parametrize("fn", [lossbook.cross_entropy, lossbook.cross_entropy_grad])
def test_probability_targets_must_be_distributions(fn):
    # torch takes any float target here and returns a number that is not a cross-entropy
    with pytest.raises(
        ValueError,
        match=r"cross_entropy(_grad)?: target holds class "
        r"probabilities, so each row must sum to 1 .*row 1 "
        r"sums to 0\.6.*target / target\.sum",
    ):
        fn(X2, np.array([[0.2, 0.3, 0.5], [0.2, 0.2, 0.2]]))
    with pytest.raises(ValueError, match=r"must be between 0 and 1; got 1\.5"):
        fn(X2, np.array([[1.5, -0.5, 0.0], [0.2, 0.3, 0.5]]))
    # rows that sum to 1 up to rounding pass, in float32 too; NaN rows propagate as in torch
    fn(X2, np.array([[0.1, 0.2, 0.7], [1 / 3, 1 / 3, 1 / 3]]))
    fn(X2.astype(np.float32), np.full((2, 3), 1 / 3, np.float32))
    assert np.isnan(lossbook.cross_entropy(X2, np.array([[np.nan, 0.5, 0.5], [0.2, 0.3, 0.5]])))


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.int16])
def test_one_hot_takes_int64_only_like_torch(dtype):
    with pytest.raises(RuntimeError):  # the oracle refuses them too
        F.one_hot(torch.tensor([0, 1], dtype=getattr(torch, np.dtype(dtype).name)), 2)
    with pytest.raises(
        TypeError,
        match=rf"one_hot: labels must be int64, as torch's "
        rf"F.one_hot requires; got {np.dtype(dtype).name}\. "
        r".*labels\.astype\(np\.int64\)",
    ):
        lossbook.one_hot(np.array([0, 1], dtype=dtype), 2)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_element_weight_must_have_the_input_shape_like_torch(name):
    x, w = np.ones((2, 3)), np.ones(3)
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        getattr(F, name)(torch.from_numpy(x), torch.from_numpy(x), weight=torch.from_numpy(w))
    for fn in (getattr(lossbook, name), getattr(lossbook, name + "_grad")):
        with pytest.raises(
            ValueError,
            match=rf"{fn.__name__}: weight must have shape "
            r"\(2, 3\); got shape \(3,\)",
        ):
            fn(x, x, weight=w)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("off, raises", [(0.5, False), (2.0, True)])
def test_probability_row_tolerance_is_float32s(dtype, off, raises):
    # a row off by half the tolerance passes, one off by twice it raises, in either dtype
    from lossbook._validation import PROBABILITY_ROW_TOL as tol

    row = np.array([[0.25, 0.25, 0.5 + off * tol]], dtype=np.float64).astype(dtype)
    logits = np.zeros((1, 3), dtype=dtype)
    if raises:
        with pytest.raises(ValueError, match="each row must sum to 1"):
            lossbook.cross_entropy(logits, row)
    else:
        assert np.isfinite(lossbook.cross_entropy(logits, row))
    # float32 softmax output cast to float64 passes: its rounding is far inside the tolerance
    probs = torch.softmax(torch.randn(50, 7, generator=torch.Generator().manual_seed(0)), 1)
    lossbook.cross_entropy(np.zeros((50, 7)), probs.double().numpy())
