"""The one registry of lossbook's losses and their torch twins.

Read by the parity, property and gradient tests, by the fuzz test (``fuzz``: the family of
valid calls it breaks; the options it breaks are the loss's keyword-only parameters), by the
benchmark (``bench``: arrays of a given size), and checked complete by ``tests/test_registry.py``
(every public lossbook function that has a ``_grad`` twin and a ``torch.nn.functional``
namesake is here).

Each entry pairs a lossbook loss and its ``*_grad`` twin with the torch function it mirrors and
a Hypothesis strategy that draws ``(input, target, options)`` in float64, covering every option
and the corners the issue lists (ties, ignored samples, all-ignored batches, probabilities of
exactly 0 and 1, ``beta = 0``, ...). The oracle is always torch: no expected value here is
computed by lossbook.

Losses on embeddings take more than two arrays (``input1, input2, target``; ``anchor,
positive, negative``). Their entries name the positional arrays in ``inputs`` and the ones
the ``*_grad`` twin differentiates in ``grads`` (it returns a tuple of gradients, in that
order, when there is more than one); their strategies draw ``(*arrays, options)``, one array
per name in ``inputs``. A case is therefore always ``(*arrays, options)``: the tests unpack it
with ``*args, kwargs = case``.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import assume, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import lossbook

# Parity runs this many examples per function; the whole suite stays well under a minute on
# two shared cores.
PARITY = settings(max_examples=100, deadline=None, derandomize=True)
PROPERTY = settings(max_examples=30, deadline=None, derandomize=True)

RTOL = 1e-9
# Entries that come from a cancellation (p - 1 near p = 1, x - (x - tiny), t log t - t x near 0)
# can only be as accurate as the rounding of the terms that cancel, so they are compared with an
# absolute tolerance of 1e-12 times the magnitude of those terms. Everything else meets RTOL.
ATOL_FACTOR = 1e-12

# Below this, results are subnormal: their last bit is all the precision left, and two
# correct orders of the same operations may differ by it.
SUBNORMAL = 1e-300

REDUCTIONS = ["mean", "sum", "none"]
OBSERVED = {}  # function name -> largest relative difference from torch seen (for the report)


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def arrays(shape, lo, hi):
    return hnp.arrays(np.float64, shape, elements=floats(lo, hi))


shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5)


def to_torch(value):
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value)
    return value


def torch_value_and_grad(fn, x, y, kwargs):
    """The torch oracle: the loss and the gradient of its sum with respect to ``x``."""
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    with warnings.catch_warnings():  # kl_div's "mean" warning
        warnings.simplefilter("ignore", UserWarning)
        out = fn(xt, to_torch(y), **{k: to_torch(v) for k, v in kwargs.items()})
    out.sum().backward()
    return out.detach().numpy(), xt.grad.numpy()


def torch_value_and_grads(fn, args, kwargs, wrt):
    """The torch oracle for any number of arrays: the loss, and the gradients of its sum
    with respect to the arrays at the positions ``wrt`` (float64 tensors)."""
    tensors = [
        torch.tensor(a, dtype=torch.float64, requires_grad=True) if i in wrt else to_torch(a)
        for i, a in enumerate(args)
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        out = fn(*tensors, **{k: to_torch(v) for k, v in kwargs.items()})
    out.sum().backward()
    return out.detach().numpy(), [tensors[i].grad.numpy() for i in wrt]


def assert_close(name, ours, theirs, scale=0.0):
    """Compare one lossbook result with torch's: same kind, same shape, rtol 1e-9."""
    theirs = np.asarray(theirs)
    if theirs.ndim == 0 and not isinstance(ours, np.ndarray):
        assert type(ours) is float, f"{name}: reduced loss should be a Python float"
    else:
        assert isinstance(ours, np.ndarray), f"{name}: expected an array, got {type(ours)}"
        assert ours.shape == theirs.shape, f"{name}: shape {ours.shape} != torch {theirs.shape}"
        assert ours.dtype == theirs.dtype, f"{name}: dtype {ours.dtype} != torch {theirs.dtype}"
    ours = np.asarray(ours, dtype=np.float64)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs), err_msg=f"{name}: NaNs")
    atol = ATOL_FACTOR * (np.max(np.abs(np.nan_to_num(theirs)), initial=0) + scale)
    atol = max(atol, SUBNORMAL)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=atol, equal_nan=True, err_msg=name)
    ok = np.isfinite(theirs) & (np.abs(theirs) > 1000 * atol)
    if ok.any():
        rel = np.max(np.abs(ours[ok] - theirs[ok]) / np.abs(theirs[ok]))
        OBSERVED[name] = max(OBSERVED.get(name, 0.0), float(rel))


@dataclass
class Loss:
    name: str
    loss: object
    grad: object
    torch_fn: object
    cases: object  # a strategy of (input, target, kwargs)
    reductions: list = field(default_factory=lambda: list(REDUCTIONS))
    fuzz: str = "pair"  # the family of valid calls in tests/test_fuzz.py (FAMILIES)
    bench: object = None  # (rng, n, dtype) -> (input, target) of n elements, for the benchmark
    bench_kwargs: dict = field(default_factory=dict)
    scale: object = lambda x, y, kw: 0.0  # magnitude of terms that may cancel (see ATOL_FACTOR)
    nonnegative: bool = True  # elementwise ("none") losses are >= 0
    inputs: tuple = ("input", "target")  # the positional arrays, in order
    grads: tuple = ("input",)  # those *_grad differentiates (a tuple of gradients if > 1)

    def gradients(self, *args, **kwargs):
        """``grad(*args, **kwargs)`` as a tuple, one gradient per name in ``grads``."""
        out = self.grad(*args, **kwargs)
        return tuple(out) if len(self.grads) > 1 else (out,)


# -- strategies -------------------------------------------------------------------------------


@st.composite
def regression_cases(draw, option=None, low=0.0, weighted=False):
    """Same-shape pairs with some exact ties; an optional positive option (delta or beta).

    ``weighted``: the loss takes torch 2.13's element ``weight`` (input's shape, zeros
    included), drawn half of the time.
    """
    shape = draw(shapes)
    x = draw(arrays(shape, -1e3, 1e3))
    y = np.where(draw(hnp.arrays(bool, shape)), x, draw(arrays(shape, -1e3, 1e3)))
    kwargs = {"reduction": draw(st.sampled_from(REDUCTIONS))}
    if weighted and draw(st.booleans()):  # zeros, but no subnormal weight
        kwargs["weight"] = draw(
            hnp.arrays(np.float64, shape, elements=st.just(0.0) | floats(1e-3, 5.0))
        )
    if option:
        values = floats(1e-3, 1e3) if low > 0 else st.just(0.0) | floats(1e-3, 1e3)
        kwargs[option] = draw(values)
    return x, y, kwargs


@st.composite
def class_index_targets(draw, n, c):
    """Indices in [0, C), some replaced by ignore_index (which may be in range or not)."""
    ignore_index = draw(st.sampled_from([-100, 0, c - 1, c + 3]))
    y = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    y = np.where(draw(hnp.arrays(bool, (n,))), ignore_index, y)
    return y, ignore_index


@st.composite
def probability_targets(draw, shape, normalise=None):
    """Probabilities in [0, 1] (exact 0 and 1 included), rows normalised or not."""
    p = draw(arrays(shape, 0.0, 1.0))
    if normalise is None:
        normalise = draw(st.booleans())
    if normalise and p.ndim:
        total = p.sum(axis=-1, keepdims=True)
        p = np.where(total > 0, p / np.where(total > 0, total, 1), 1.0 / p.shape[-1])
    return p


@st.composite
def ce_cases(draw, kind=None):
    n, c = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    x = draw(arrays((n, c), -30, 30))
    if draw(st.booleans()):  # masked classes: logits of -inf, never a whole row
        masked = draw(hnp.arrays(bool, (n, c)))
        masked[np.arange(n), draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))] = (
            False
        )
        x = np.where(masked, -np.inf, x)
    kwargs = {"reduction": draw(st.sampled_from(REDUCTIONS))}
    if draw(st.booleans()):  # class weights, zeros included
        kwargs["weight"] = draw(
            hnp.arrays(np.float64, (c,), elements=st.just(0.0) | floats(0.1, 5.0))
        )
    kwargs["label_smoothing"] = draw(st.just(0.0) | st.just(1.0) | floats(0.0, 1.0))
    kind = kind or draw(st.sampled_from(["index", "probability"]))
    if kind == "index":
        y, kwargs["ignore_index"] = draw(class_index_targets(n, c))
        # With label_smoothing = 1 exactly torch still adds 0 * nll, and a target class of
        # logit -inf makes that 0 * inf = NaN; lossbook returns the limit, inf.
        counted = (y != kwargs["ignore_index"]) & (y >= 0) & (y < c)
        assume(kwargs["label_smoothing"] != 1.0 or not np.any(np.isneginf(x[counted, y[counted]])))
    else:  # lossbook rejects rows that do not sum to 1 (torch does not check)
        y = draw(probability_targets((n, c), normalise=True))
    return x, y, kwargs


@st.composite
def nll_cases(draw):
    n, c = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    x = draw(arrays((n, c), -1e3, 1e3))
    y, ignore_index = draw(class_index_targets(n, c))
    kwargs = {"reduction": draw(st.sampled_from(REDUCTIONS)), "ignore_index": ignore_index}
    if draw(st.booleans()):
        kwargs["weight"] = draw(arrays((c,), 0.1, 5.0))
    return x, y, kwargs


@st.composite
def element_weights(draw, shape, name):
    """An element weight of the full shape, of the last axis, or a single number."""
    choice = draw(st.sampled_from(["none", "full", "last", "scalar"]))
    if choice == "none":
        return {}
    wshape = {"full": shape, "last": shape[-1:], "scalar": ()}[choice]
    return {name: draw(arrays(wshape, 0.1, 5.0))}


@st.composite
def bce_cases(draw):
    shape = draw(shapes)
    x = draw(arrays(shape, 0.0, 1.0))
    y = draw(probability_targets(shape, normalise=False))
    kwargs = {"reduction": draw(st.sampled_from(REDUCTIONS))}
    kwargs.update(draw(element_weights(shape, "weight")))
    return x, y, kwargs


@st.composite
def bce_logits_cases(draw):
    shape = draw(shapes)
    x = draw(arrays(shape, -200.0, 200.0))
    y = draw(probability_targets(shape, normalise=False))
    kwargs = {"reduction": draw(st.sampled_from(REDUCTIONS))}
    kwargs.update(draw(element_weights(shape, "weight")))
    kwargs.update(draw(element_weights(shape, "pos_weight")))
    return x, y, kwargs


@st.composite
def kl_cases(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    log_target = draw(st.booleans())
    x = np.log(draw(probability_targets(shape, normalise=True)) + 1e-300)
    t = draw(probability_targets(shape))
    if log_target:
        t = draw(arrays(shape, -30.0, 0.0))
    kwargs = {
        "reduction": draw(st.sampled_from(REDUCTIONS + ["batchmean"])),
        "log_target": log_target,
    }
    return x, t, kwargs


# -- benchmark inputs: n elements in all, of a dtype ----------------------------------------

NUM_CLASSES = 10  # the classification losses use N x C = n elements with C = 10


def bench_pair(rng, n, dtype):
    return rng.standard_normal(n).astype(dtype), rng.standard_normal(n).astype(dtype)


def bench_logits_indices(rng, n, dtype):
    x = rng.standard_normal((n // NUM_CLASSES, NUM_CLASSES)).astype(dtype)
    return x, rng.integers(0, NUM_CLASSES, n // NUM_CLASSES)


def bench_logprobs_indices(rng, n, dtype):
    x, y = bench_logits_indices(rng, n, dtype)
    return lossbook.log_softmax(x).astype(dtype), y


def bench_probabilities(rng, n, dtype):
    return rng.uniform(0.01, 0.99, n).astype(dtype), rng.uniform(0, 1, n).astype(dtype)


def bench_logits_labels(rng, n, dtype):
    return rng.standard_normal(n).astype(dtype), rng.integers(0, 2, n).astype(dtype)


def bench_logprobs_probs(rng, n, dtype):
    shape = (n // NUM_CLASSES, NUM_CLASSES)
    x = lossbook.log_softmax(rng.standard_normal(shape)).astype(dtype)
    return x, lossbook.softmax(rng.standard_normal(shape)).astype(dtype)


def bench_logits_logits(rng, n, dtype):
    shape = (n // NUM_CLASSES, NUM_CLASSES)
    return rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)


@st.composite
def logits_and_labels(draw):
    """Logits in [-30, 30] and same-shape targets, all 0/1 or all soft in [0, 1]."""
    shape = draw(shapes)
    x = draw(arrays(shape, -30.0, 30.0))
    if draw(st.booleans()):
        y = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    else:
        y = draw(probability_targets(shape, normalise=False))
    return x, y


@st.composite
def focal_cases(draw):
    """Logits and 0/1 or soft targets, alpha in [0, 1] or -1, gamma >= 0."""
    x, y = draw(logits_and_labels())
    kwargs = {
        "reduction": draw(st.sampled_from(REDUCTIONS)),
        "alpha": draw(st.sampled_from([0.25, -1.0]) | floats(0.0, 1.0)),
        "gamma": draw(st.sampled_from([0.0, 1.0, 2.0]) | floats(0.0, 5.0)),
    }
    return x, y, kwargs


def torch_sigmoid_focal_loss(input, target, alpha=0.25, gamma=2.0, reduction="none"):
    """The oracle: torchvision.ops.sigmoid_focal_loss's formula, in torch (torchvision itself
    cannot be installed beside this CPU build of torch)."""
    p = torch.sigmoid(input)
    ce = F.binary_cross_entropy_with_logits(input, target, reduction="none")
    p_t = p * target + (1 - p) * (1 - target)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * target + (1 - alpha) * (1 - target)) * loss
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


@st.composite
def quantile_cases(draw):
    """Regression pairs (exact ties included) and a quantile level in [0, 1], ends included."""
    x, y, kwargs = draw(regression_cases())
    kwargs["tau"] = draw(st.sampled_from([0.0, 0.5, 1.0]) | floats(0.0, 1.0))
    return x, y, kwargs


def torch_quantile_loss(input, target, reduction="mean", tau=0.5):
    """The oracle: the pinball loss of Koenker and Bassett written in torch (torch has none)."""
    u = target - input
    loss = torch.maximum(tau * u, (tau - 1) * u)
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


@st.composite
def softmax_focal_cases(draw):
    """Logits (N, C) in [-30, 30], class indices, optional per-class alpha, gamma >= 0.

    C >= 2: with one class, 1 - q_y is exactly 0 and, for gamma < 1, torch's autograd of the
    formula gives 0 * inf = NaN where lossbook returns the limit 0 (tests/test_focal.py).
    """
    n, c = draw(st.integers(1, 6)), draw(st.integers(2, 5))
    x = draw(arrays((n, c), -30.0, 30.0))
    y = np.asarray(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), np.int64)
    kwargs = {
        "reduction": draw(st.sampled_from(REDUCTIONS)),
        "gamma": draw(st.sampled_from([0.0, 0.5, 1.0, 2.0]) | floats(0.0, 5.0)),
    }
    if draw(st.booleans()):
        kwargs["alpha"] = draw(arrays((c,), 0.0, 1.0))
    # Likewise near q_y = 1 (a margin above about 28), where torch may round it to exactly 1.
    log_q_y = x[np.arange(n), y] - np.log(np.sum(np.exp(x - x.max(1, keepdims=True)), 1))
    log_q_y -= x.max(1)
    assume(kwargs["gamma"] >= 1 or np.all(log_q_y < -1e-12))
    return x, y, kwargs


def torch_focal_loss(input, target, alpha=None, gamma=2.0, reduction="mean"):
    """The oracle: the softmax focal loss written in torch (torch has none)."""
    log_q_y = F.log_softmax(input, dim=1).gather(1, target[:, None])[:, 0]
    loss = -((-torch.expm1(log_q_y)) ** gamma) * log_q_y
    if alpha is not None:
        loss = alpha[target] * loss
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


@st.composite
def ghmc_cases(draw):
    """Logits and 0/1 or soft targets, a number of bins."""
    x, y = draw(logits_and_labels())
    kwargs = {
        "reduction": draw(st.sampled_from(REDUCTIONS)),
        "bins": draw(st.sampled_from([1, 2, 10, 30])),
    }
    # Away from the bin edges, where a weight jumps and the loss has no derivative
    g = np.abs(1 / (1 + np.exp(-x)) - y) * kwargs["bins"]
    interior = (np.round(g) >= 1) & (np.round(g) <= kwargs["bins"] - 1)
    assume(not np.any(interior & (np.abs(g - np.round(g)) < 1e-6)))
    return x, y, kwargs


def torch_ghmc_loss(input, target, bins=10, reduction="mean"):
    """The oracle: GHM-C as the paper's code computes it (weights detached), in torch."""
    g = (torch.sigmoid(input).detach() - target).abs()
    edges = torch.arange(bins + 1, dtype=torch.float64) / bins
    edges[-1] += 1e-6
    weights = torch.zeros_like(input)
    occupied = 0
    for i in range(bins):
        in_bin = (g >= edges[i]) & (g < edges[i + 1])
        count = int(in_bin.sum())
        if count > 0:
            weights[in_bin] = input.numel() / count
            occupied += 1
    weights = weights / max(occupied, 1)
    loss = weights * F.binary_cross_entropy_with_logits(input, target, reduction="none")
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


@st.composite
def distillation_cases(draw):
    """Student and teacher logits (N, C), a temperature in [0.5, 20]."""
    n, c = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    kwargs = {
        "reduction": draw(st.sampled_from(["batchmean", "sum", "none"])),
        "temperature": draw(st.sampled_from([1.0, 2.0, 4.0]) | floats(0.5, 20.0)),
    }
    return draw(arrays((n, c), -50.0, 50.0)), draw(arrays((n, c), -50.0, 50.0)), kwargs


def torch_distillation_loss(input, target, temperature=1.0, reduction="batchmean"):
    """The oracle: Hinton et al.'s loss as it is written with F.kl_div."""
    log_q = F.log_softmax(input / temperature, dim=1)
    log_p = F.log_softmax(target / temperature, dim=1)
    if reduction == "none":
        kl = F.kl_div(log_q, log_p, reduction="none", log_target=True).sum(dim=1)
    else:
        kl = F.kl_div(log_q, log_p, reduction=reduction, log_target=True)
    return kl * temperature**2


# -- losses on embeddings (lossbook/metric.py): two or three arrays --------------------------

# Embedding entries away from 0 by at least 1e-2, or exactly 0: an element of 1e-300 would make
# a gradient of 1 / |x| that no relative tolerance can compare after a cancellation.
embedding_values = st.just(0.0) | floats(-10.0, -1e-2) | floats(1e-2, 10.0)


@st.composite
def embedding_batch(draw, count, single=True, zeros=True):
    """``count`` arrays of one shape, (N, D) or (with ``single``) (D,); some rows equal to the
    first array's, its negative or a multiple of it (parallel pairs, ties), or (with
    ``zeros``) 0."""
    shape = draw(st.sampled_from(["batch", "single"]) if single else st.just("batch"))
    n, d = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    shape = (n, d) if shape == "batch" else (d,)
    first = draw(hnp.arrays(np.float64, shape, elements=embedding_values))
    out = [first]
    for _ in range(count - 1):
        x = draw(hnp.arrays(np.float64, shape, elements=embedding_values))
        how = draw(st.sampled_from(["free", "free", "equal", "scaled"] + ["zero"] * zeros))
        rows = draw(hnp.arrays(bool, shape[:-1])) if len(shape) == 2 else True
        if how == "equal":
            x = np.where(np.asarray(rows)[..., None], first, x) if len(shape) == 2 else first
        elif how == "scaled":
            c = draw(st.sampled_from([-1.0, 0.5, 3.0]))
            x = (
                np.where(np.asarray(rows)[..., None], c * first, x)
                if len(shape) == 2
                else c * first
            )
        elif how == "zero":
            x = np.where(np.asarray(rows)[..., None], 0.0, x) if len(shape) == 2 else 0.0 * first
        out.append(np.array(x, dtype=np.float64))
    if not zeros:  # a row of zeros drawn by chance becomes a row of ones
        out = [np.where(np.all(x == 0, axis=-1, keepdims=True), 1.0, x) for x in out]
    return out


@st.composite
def sign_labels(draw, shape):
    """Labels 1 and -1 (float64) of ``shape``."""
    return np.where(draw(hnp.arrays(bool, shape)), 1.0, -1.0)


@st.composite
def cosine_cases(draw):
    x1, x2 = draw(embedding_batch(2))
    y = draw(sign_labels(x1.shape[:-1]))
    kwargs = {
        "reduction": draw(st.sampled_from(REDUCTIONS)),
        "margin": draw(st.sampled_from([0.0, 0.5, -0.5]) | floats(-1.0, 1.0)),
    }
    return x1, x2, y, kwargs


def _cosine_scale(x1, x2, y, kw):
    # 1 - cos cancels near cos = 1; the gradient's two terms, of size 1 / |x|, cancel for
    # parallel pairs (zero rows excepted: no cancellation there)
    r = np.sqrt(np.sum(x1 * x1, -1) * np.sum(x2 * x2, -1))
    n1, n2 = np.sqrt(np.sum(x1 * x1, -1)), np.sqrt(np.sum(x2 * x2, -1))
    ok = r > 0
    return 1.0 + float(np.max(np.where(ok, 1 / np.where(ok, n1, 1) + 1 / np.where(ok, n2, 1), 0)))


@st.composite
def contrastive_cases(draw):
    x1, x2 = draw(embedding_batch(2))
    y = draw(sign_labels(x1.shape[:-1]))
    kwargs = {
        "reduction": draw(st.sampled_from(REDUCTIONS)),
        "margin": draw(st.sampled_from([0.0, 1.0, 2.0]) | floats(0.0, 20.0)),
        "eps": draw(st.sampled_from([0.0, 1e-6]) | floats(1e-12, 1e-3)),  # no underflow of eps^2
    }
    return x1, x2, y, kwargs


def torch_contrastive_loss(input1, input2, target, margin=1.0, eps=1e-6, reduction="mean"):
    """The oracle: Hadsell, Chopra and LeCun's loss written with F.pairwise_distance."""
    d = F.pairwise_distance(input1, input2, eps=eps)
    loss = torch.where(target == 1, d**2, torch.clamp(margin - d, min=0) ** 2) / 2
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


@st.composite
def triplet_cases(draw):
    a, p, n = draw(embedding_batch(3))
    if draw(st.booleans()):  # a negative equal to the positive: the swap's tie
        n = p.copy()
    kwargs = {
        "reduction": draw(st.sampled_from(REDUCTIONS)),
        "margin": draw(st.sampled_from([1.0, 0.2]) | floats(1e-3, 20.0)),
        "p": draw(st.sampled_from([1.0, 2.0, 3.0, 1.5]) | floats(1.0, 6.0)),
        "eps": draw(st.sampled_from([0.0, 1e-6]) | floats(1e-12, 1e-3)),  # no underflow of eps^2
        "swap": draw(st.booleans()),
    }
    return a, p, n, kwargs


@st.composite
def ranking_cases(draw):
    x1, x2, _ = draw(regression_cases())  # any shape, exact ties
    y = draw(sign_labels(x1.shape))
    kwargs = {
        "reduction": draw(st.sampled_from(REDUCTIONS)),
        "margin": draw(st.sampled_from([0.0, 0.5, -0.5]) | floats(-10.0, 10.0)),
    }
    return x1, x2, y, kwargs


@st.composite
def info_nce_cases(draw, default=0.1):
    # no zero rows: a unit vector's gradient at 0 is roundoff divided by F.normalize's 1e-12
    q, k = draw(embedding_batch(2, single=False, zeros=False))
    kwargs = {
        "reduction": draw(st.sampled_from(REDUCTIONS)),
        "temperature": draw(st.sampled_from([default, 1.0]) | floats(0.05, 10.0)),
    }
    return q, k, kwargs


def _similarity_scale(q, k, kw):
    # logsumexp(s) - s_ii cancels at the size of s, up to 1 / tau; the gradient's
    # normalisation step removes a radial part of size (1 / tau) / |x| (zero rows excepted)
    norms = np.sqrt(np.concatenate([np.sum(q * q, 1), np.sum(k * k, 1)]))
    inv = np.max(1 / norms[norms > 0], initial=0.0)
    return (1.0 + inv) / kw["temperature"]


def torch_info_nce_loss(query, key, temperature=0.1, reduction="mean"):
    """The oracle: cross-entropy over the batch's cosine-similarity matrix."""
    s = F.normalize(query, dim=1) @ F.normalize(key, dim=1).T / temperature
    return F.cross_entropy(s, torch.arange(len(s)), reduction=reduction)


def torch_nt_xent_loss(input1, input2, temperature=0.5, reduction="mean"):
    """The oracle: SimCLR's NT-Xent as cross-entropy over the 2N x 2N similarity matrix
    with its diagonal masked."""
    z = F.normalize(torch.cat([input1, input2]), dim=1)
    s = (z @ z.T / temperature).masked_fill(torch.eye(len(z), dtype=torch.bool), -torch.inf)
    n = len(input1)
    partner = torch.cat([torch.arange(n, 2 * n), torch.arange(n)])
    return F.cross_entropy(s, partner, reduction=reduction)


EMBED_DIM = 10  # the embedding losses' benchmark: (n / D) x D embeddings
MAX_BATCH = 512  # ... and at most this many rows for the quadratic ones (an N x N matrix)


def bench_embedding_pairs(rng, n, dtype):
    shape = (n // EMBED_DIM, EMBED_DIM)
    y = np.where(rng.integers(0, 2, shape[0]) == 1, 1.0, -1.0).astype(dtype)
    return rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype), y


def bench_triplets(rng, n, dtype):
    shape = (n // EMBED_DIM, EMBED_DIM)
    return tuple(rng.standard_normal(shape).astype(dtype) for _ in range(3))


def bench_ranking(rng, n, dtype):
    x1, x2 = bench_pair(rng, n, dtype)
    return x1, x2, np.where(rng.integers(0, 2, n) == 1, 1.0, -1.0).astype(dtype)


def bench_similarity(rng, n, dtype):
    shape = (min(n // EMBED_DIM, MAX_BATCH), EMBED_DIM)
    return tuple(rng.standard_normal(shape).astype(dtype) for _ in range(2))


# Losses torch.nn.functional does not have, and the torch expression that is their oracle.
ORACLES = {
    "sigmoid_focal_loss": torch_sigmoid_focal_loss,
    "focal_loss": torch_focal_loss,
    "ghmc_loss": torch_ghmc_loss,
    "distillation_loss": torch_distillation_loss,
    "quantile_loss": torch_quantile_loss,
    "contrastive_loss": torch_contrastive_loss,
    "info_nce_loss": torch_info_nce_loss,
    "nt_xent_loss": torch_nt_xent_loss,
}


def _max_abs(a):
    return float(np.max(np.abs(a), initial=0.0))


LOSSES = [
    Loss(
        "mse_loss",
        lossbook.mse_loss,
        lossbook.mse_loss_grad,
        F.mse_loss,
        regression_cases(weighted=True),
        bench=bench_pair,
    ),
    Loss(
        "l1_loss",
        lossbook.l1_loss,
        lossbook.l1_loss_grad,
        F.l1_loss,
        regression_cases(weighted=True),
        bench=bench_pair,
    ),
    Loss(
        "huber_loss",
        lossbook.huber_loss,
        lossbook.huber_loss_grad,
        F.huber_loss,
        regression_cases("delta", low=1e-3, weighted=True),
        bench=bench_pair,
    ),
    Loss(
        "smooth_l1_loss",
        lossbook.smooth_l1_loss,
        lossbook.smooth_l1_loss_grad,
        F.smooth_l1_loss,
        regression_cases("beta"),
        bench=bench_pair,
    ),
    Loss(
        "cross_entropy",
        lossbook.cross_entropy,
        lossbook.cross_entropy_grad,
        F.cross_entropy,
        ce_cases(),
        fuzz="logits_indices",
        bench=bench_logits_indices,
        # the gradient (sum_k q_k) p - q cancels to ~0 where q is close to p
        scale=lambda x, y, kw: (
            x.shape[1]
            * (_max_abs(y) + 1.0 if y.dtype.kind == "f" else 1.0)
            * _max_abs(kw.get("weight", 1.0))
        ),
    ),
    Loss(
        "nll_loss",
        lossbook.nll_loss,
        lossbook.nll_loss_grad,
        F.nll_loss,
        nll_cases(),
        fuzz="logprobs_indices",
        bench=bench_logprobs_indices,
        nonnegative=False,
    ),
    Loss(
        "binary_cross_entropy",
        lossbook.binary_cross_entropy,
        lossbook.binary_cross_entropy_grad,
        F.binary_cross_entropy,
        bce_cases(),
        fuzz="probabilities",
        bench=bench_probabilities,
    ),
    Loss(
        "binary_cross_entropy_with_logits",
        lossbook.binary_cross_entropy_with_logits,
        lossbook.binary_cross_entropy_with_logits_grad,
        F.binary_cross_entropy_with_logits,
        bce_logits_cases(),
        fuzz="logits_pair",
        bench=bench_logits_labels,
        # (1 - y) x - log sigma(x) cancels for x << 0, y = 0 (torch computes it the same way)
        scale=lambda x, y, kw: (
            5
            * _max_abs(x)
            * (_max_abs(kw.get("pos_weight", 1.0)) + 1)
            * _max_abs(kw.get("weight", 1.0))
        ),
    ),
    Loss(
        "kl_div",
        lossbook.kl_div,
        lossbook.kl_div_grad,
        F.kl_div,
        kl_cases(),
        fuzz="kl",
        bench=bench_logprobs_probs,
        bench_kwargs={"reduction": "batchmean"},
        reductions=REDUCTIONS + ["batchmean"],
        # t log t - t x cancels when x is close to log t; single terms may be negative
        scale=lambda x, y, kw: (
            np.sum(np.abs(x)) + 1.0 if not kw["log_target"] else np.sum(np.abs(x) + np.abs(y))
        ),
        nonnegative=False,
    ),
]
LOSSES.append(
    Loss(
        "sigmoid_focal_loss",
        lossbook.sigmoid_focal_loss,
        lossbook.sigmoid_focal_loss_grad,
        torch_sigmoid_focal_loss,
        focal_cases(),
        bench=bench_logits_labels,
        bench_kwargs={"reduction": "mean"},
    )
)
LOSSES.append(
    Loss(
        "quantile_loss",
        lossbook.quantile_loss,
        lossbook.quantile_loss_grad,
        torch_quantile_loss,
        quantile_cases(),
        bench=bench_pair,
    )
)
LOSSES.append(
    Loss(
        "focal_loss",
        lossbook.focal_loss,
        lossbook.focal_loss_grad,
        torch_focal_loss,
        softmax_focal_cases(),
        fuzz="focal_indices",
        bench=bench_logits_indices,
        scale=lambda x, y, kw: _max_abs(x),  # log_softmax: z - logsumexp(z) cancels
    )
)
LOSSES.append(
    Loss(
        "ghmc_loss",
        lossbook.ghmc_loss,
        lossbook.ghmc_loss_grad,
        torch_ghmc_loss,
        ghmc_cases(),
        fuzz="binary_targets",
        bench=bench_logits_labels,
    )
)
LOSSES.append(
    Loss(
        "distillation_loss",
        lossbook.distillation_loss,
        lossbook.distillation_loss_grad,
        torch_distillation_loss,
        distillation_cases(),
        reductions=["batchmean", "sum", "none"],
        fuzz="logits_logits",
        bench=bench_logits_logits,
        scale=lambda x, y, kw: kw.get("temperature", 1.0),  # T (q - p): q and p cancel
        nonnegative=False,  # a KL of equal rows may round to -1e-17
    )
)
# -- overlap losses (lossbook/overlap.py): soft Dice and Jaccard, IoU-based box losses -------


@st.composite
def mask_cases(draw):
    """Probabilities (N, *) in [0, 1], 0/1 or soft masks (an empty one half of the time),
    both smoothing constants (numerator <= denominator, 0 included), squared or not."""
    shape = (draw(st.integers(1, 3)),) + draw(
        hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=4)
    )
    x = draw(arrays(shape, 0.0, 1.0))
    if draw(st.booleans()):
        y = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    else:
        y = draw(probability_targets(shape, normalise=False))
    if draw(st.booleans()):
        y[0] = 0.0  # an empty mask
    squared = draw(st.booleans())
    smooth_dr = draw(st.sampled_from([0.0, 1e-5, 1.0]) | floats(1e-3, 10.0))
    axes = tuple(range(1, len(shape)))
    total = np.sum(x * x + y * y if squared else x + y, axis=axes)
    if smooth_dr == 0 and total.min() < 1e-2:
        smooth_dr = 1e-5  # keep 0/0 (NaN in both, no gradient to compare) out
    kwargs = {
        "reduction": draw(st.sampled_from(REDUCTIONS)),
        "smooth_nr": draw(st.sampled_from([0.0, smooth_dr]) | floats(0.0, smooth_dr)),
        "smooth_dr": smooth_dr,
        "squared": squared,
    }
    return x, y, kwargs


def _torch_mask_sums(input, target, squared):
    dims = tuple(range(1, input.dim()))
    inter = (input * target).sum(dims)
    if squared:
        return inter, (input * input).sum(dims) + (target * target).sum(dims)
    return inter, input.sum(dims) + target.sum(dims)


def torch_dice_loss(input, target, smooth_nr=1e-5, smooth_dr=1e-5, squared=False, reduction="mean"):
    """The oracle: the soft Dice loss per sample, written in torch (torch has none)."""
    inter, total = _torch_mask_sums(input, target, squared)
    loss = 1 - (2 * inter + smooth_nr) / (total + smooth_dr)
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


def torch_jaccard_loss(
    input, target, smooth_nr=1e-5, smooth_dr=1e-5, squared=False, reduction="mean"
):
    """The oracle: the soft Jaccard loss per sample, written in torch."""
    inter, total = _torch_mask_sums(input, target, squared)
    loss = 1 - (inter + smooth_nr) / (total - inter + smooth_dr)
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


def _mask_scale(x, y, kw):
    """Terms of the gradient of size 2 / (sum + smooth_dr) may cancel."""
    axes = tuple(range(1, x.ndim))
    total = np.sum(x * x + y * y if kw["squared"] else x + y, axis=axes)
    return 1.0 + 2.0 / float(np.min(total + kw["smooth_dr"]))


@st.composite
def box_cases(draw):
    """Boxes (..., 4) as (x1, y1, x2, y2): on a grid of quarters (exact ties of edges, identical
    boxes, boxes that touch) or anywhere (sides 0.01 to 100), disjoint or overlapping; eps of
    1e-7, 0 or other."""
    batch = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4))
    grid = draw(st.booleans())

    def boxes():
        if grid:
            corner = draw(hnp.arrays(np.int64, batch + (2,), elements=st.integers(-8, 8))) / 4
            side = draw(hnp.arrays(np.int64, batch + (2,), elements=st.integers(1, 12))) / 4
        else:
            corner = draw(arrays(batch + (2,), -100.0, 100.0))
            side = draw(arrays(batch + (2,), 1e-2, 100.0))
        return np.concatenate([corner, corner + side], axis=-1)

    x, y = boxes(), boxes()
    same = draw(hnp.arrays(bool, batch))
    y = np.where(same[..., None], x, y)
    kwargs = {
        "reduction": draw(st.sampled_from(REDUCTIONS)),
        "eps": draw(st.sampled_from([1e-7, 0.0]) | floats(0.0, 1e-3)),
    }
    return x, y, kwargs


def _box_scale(x, y, kw):
    """Terms of size 1 / (a box's side) may cancel (identical boxes, tied edges)."""
    sides = np.concatenate([x[..., 2:] - x[..., :2], y[..., 2:] - y[..., :2]], axis=-1)
    return 1.0 + 1.0 / float(np.min(sides))


def _torch_boxes(boxes1, boxes2):
    """Intersection and union as torchvision's ``ops._utils._loss_inter_union``."""
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    left, right = torch.max(x1, x1g), torch.min(x2, x2g)
    bottom, top = torch.max(y1, y1g), torch.min(y2, y2g)
    inter = torch.zeros_like(x1)
    overlap = (top > bottom) & (right > left)
    inter[overlap] = (right[overlap] - left[overlap]) * (top[overlap] - bottom[overlap])
    union = (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - inter
    enclosing = (
        torch.max(x2, x2g) - torch.min(x1, x1g),
        torch.max(y2, y2g) - torch.min(y1, y1g),
    )
    return inter, union, enclosing


def _torchvision_reduce(loss, reduction):
    if reduction == "mean":  # torchvision: the mean of no boxes is 0
        return loss.mean() if loss.numel() > 0 else 0.0 * loss.sum()
    return loss.sum() if reduction == "sum" else loss


def torch_box_iou_loss(input, target, reduction="none", eps=1e-7):
    """The oracle: 1 - IoU as the first term of torchvision's box losses."""
    inter, union, _ = _torch_boxes(input, target)
    return _torchvision_reduce(1 - inter / (union + eps), reduction)


def torch_generalized_box_iou_loss(input, target, reduction="none", eps=1e-7):
    """The oracle: torchvision.ops.generalized_box_iou_loss's formula, in torch."""
    inter, union, (cw, ch) = _torch_boxes(input, target)
    iou = inter / (union + eps)
    area_c = cw * ch
    return _torchvision_reduce(1 - (iou - (area_c - union) / (area_c + eps)), reduction)


def _torch_diou(boxes1, boxes2, eps):
    """torchvision's ``_diou_iou_loss``: the DIoU loss and the IoU."""
    inter, union, (cw, ch) = _torch_boxes(boxes1, boxes2)
    iou = inter / (union + eps)
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    diagonal = cw**2 + ch**2 + eps
    centres = ((x2 + x1) / 2 - (x1g + x2g) / 2) ** 2 + ((y2 + y1) / 2 - (y1g + y2g) / 2) ** 2
    return 1 - iou + centres / diagonal, iou


def torch_distance_box_iou_loss(input, target, reduction="none", eps=1e-7):
    """The oracle: torchvision.ops.distance_box_iou_loss's formula, in torch."""
    return _torchvision_reduce(_torch_diou(input, target, eps)[0], reduction)


def torch_complete_box_iou_loss(input, target, reduction="none", eps=1e-7):
    """The oracle: torchvision.ops.complete_box_iou_loss's formula, in torch (its DIoU part
    with the default eps whatever eps is, alpha under no_grad, as torchvision writes it)."""
    diou, iou = _torch_diou(input, target, 1e-7)
    w, h = input[..., 2] - input[..., 0], input[..., 3] - input[..., 1]
    wg, hg = target[..., 2] - target[..., 0], target[..., 3] - target[..., 1]
    v = (4 / (torch.pi**2)) * torch.pow(torch.atan(wg / hg) - torch.atan(w / h), 2)
    with torch.no_grad():
        alpha = v / (1 - iou + v + eps)
    return _torchvision_reduce(diou + alpha * v, reduction)


ORACLES.update(
    {
        "dice_loss": torch_dice_loss,
        "jaccard_loss": torch_jaccard_loss,
        "box_iou_loss": torch_box_iou_loss,
        "generalized_box_iou_loss": torch_generalized_box_iou_loss,
        "distance_box_iou_loss": torch_distance_box_iou_loss,
        "complete_box_iou_loss": torch_complete_box_iou_loss,
    }
)


def bench_masks(rng, n, dtype):
    shape = (max(n // 64, 1), 64)
    return rng.uniform(0, 1, shape).astype(dtype), rng.integers(0, 2, shape).astype(dtype)


def bench_boxes(rng, n, dtype):
    def boxes():
        corner = rng.uniform(0, 10, (max(n // 4, 1), 2))
        return np.concatenate([corner, corner + rng.uniform(1, 5, corner.shape)], axis=1)

    return boxes().astype(dtype), boxes().astype(dtype)


# The overlap losses: two mask losses and four box losses, each family with one strategy.
OVERLAP_FAMILIES = [
    (("dice_loss", "jaccard_loss"), mask_cases, "masks", bench_masks, {}, _mask_scale),
    (
        (
            "box_iou_loss",
            "generalized_box_iou_loss",
            "distance_box_iou_loss",
            "complete_box_iou_loss",
        ),
        box_cases,
        "boxes",
        bench_boxes,
        {"reduction": "mean"},
        _box_scale,
    ),
]
for _names, _cases, _fuzz, _bench, _bench_kwargs, _scale in OVERLAP_FAMILIES:
    for _name in _names:
        LOSSES.append(
            Loss(
                _name,
                getattr(lossbook, _name),
                getattr(lossbook, _name + "_grad"),
                ORACLES[_name],
                _cases(),
                fuzz=_fuzz,
                bench=_bench,
                bench_kwargs=_bench_kwargs,
                scale=_scale,
            )
        )

PAIR_INPUTS = dict(inputs=("input1", "input2", "target"), grads=("input1", "input2"))
LOSSES += [
    Loss(
        "cosine_embedding_loss",
        lossbook.cosine_embedding_loss,
        lossbook.cosine_embedding_loss_grad,
        F.cosine_embedding_loss,
        cosine_cases(),
        fuzz="embedding_pairs",
        bench=bench_embedding_pairs,
        scale=_cosine_scale,
        nonnegative=False,  # 1 - cos of a parallel pair may round to -1e-16
        **PAIR_INPUTS,
    ),
    Loss(
        "contrastive_loss",
        lossbook.contrastive_loss,
        lossbook.contrastive_loss_grad,
        torch_contrastive_loss,
        contrastive_cases(),
        fuzz="embedding_pairs",
        bench=bench_embedding_pairs,
        scale=lambda x1, x2, y, kw: kw["margin"] ** 2 + kw["margin"],  # margin - d cancels
        **PAIR_INPUTS,
    ),
    Loss(
        "triplet_margin_loss",
        lossbook.triplet_margin_loss,
        lossbook.triplet_margin_loss_grad,
        F.triplet_margin_loss,
        triplet_cases(),
        fuzz="triplets",
        bench=bench_triplets,
        # margin + d(a, p) - d(a, n) cancels at the size of the distances
        scale=lambda a, p, n, kw: (
            kw["margin"] + 3 * a.shape[-1] * (_max_abs(a) + _max_abs(p) + _max_abs(n) + kw["eps"])
        ),
        inputs=("anchor", "positive", "negative"),
        grads=("anchor", "positive", "negative"),
    ),
    Loss(
        "margin_ranking_loss",
        lossbook.margin_ranking_loss,
        lossbook.margin_ranking_loss_grad,
        F.margin_ranking_loss,
        ranking_cases(),
        fuzz="ranking",
        bench=bench_ranking,
        scale=lambda x1, x2, y, kw: _max_abs(x1) + _max_abs(x2) + abs(kw["margin"]),
        **PAIR_INPUTS,
    ),
    Loss(
        "info_nce_loss",
        lossbook.info_nce_loss,
        lossbook.info_nce_loss_grad,
        torch_info_nce_loss,
        info_nce_cases(),
        fuzz="query_key",
        bench=bench_similarity,
        scale=_similarity_scale,
        inputs=("query", "key"),
        grads=("query", "key"),
    ),
    Loss(
        "nt_xent_loss",
        lossbook.nt_xent_loss,
        lossbook.nt_xent_loss_grad,
        torch_nt_xent_loss,
        info_nce_cases(default=0.5),
        fuzz="two_views",
        bench=bench_similarity,
        scale=_similarity_scale,
        inputs=("input1", "input2"),
        grads=("input1", "input2"),
    ),
]
BY_NAME = {entry.name: entry for entry in LOSSES}


def check_parity(entry, case):
    """Value and gradient(s) of one lossbook loss against torch, for one drawn case."""
    *args, kwargs = case
    wrt = [entry.inputs.index(name) for name in entry.grads]
    value, grads = torch_value_and_grads(entry.torch_fn, args, kwargs, wrt)
    scale = entry.scale(*args, kwargs)
    assert_close(entry.name, entry.loss(*args, **kwargs), value, scale)
    ours = entry.grad(*args, **kwargs)
    if len(entry.grads) == 1:
        assert_close(entry.name + "_grad", ours, grads[0], scale)
        return
    assert isinstance(ours, tuple) and len(ours) == len(grads), (
        f"{entry.name}_grad: expected a tuple of {len(grads)} gradients, got {type(ours)}"
    )
    for name, g, theirs in zip(entry.grads, ours, grads, strict=True):
        assert_close(f"{entry.name}_grad[{name}]", g, theirs, scale)
