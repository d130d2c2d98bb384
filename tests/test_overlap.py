"""Overlap losses: closed forms from set sizes and box geometry, properties, edge cases.

Value and gradient against the torch formulas (torchvision's, for the box losses) are in
test_parity.py through the registry; finite differences in test_gradcheck.py, except CIoU's,
whose alpha is a constant in its gradient and is frozen here.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import lossbook
from losses_registry import (
    PROPERTY,
    box_cases,
    torch_box_iou_loss,
    torch_complete_box_iou_loss,
    torch_generalized_box_iou_loss,
    torch_value_and_grad,
)

BOX_LOSSES = [
    lossbook.box_iou_loss,
    lossbook.generalized_box_iou_loss,
    lossbook.distance_box_iou_loss,
    lossbook.complete_box_iou_loss,
]
MASK_LOSSES = [lossbook.dice_loss, lossbook.jaccard_loss]
EXACT = {"smooth_nr": 0.0, "smooth_dr": 0.0}


def random_masks(seed, shape=(6, 5, 7)):
    rng = np.random.default_rng(seed)
    a = (rng.uniform(size=shape) < rng.uniform(0.1, 0.9, (shape[0], 1, 1))).astype(float)
    b = (rng.uniform(size=shape) < 0.4).astype(float)
    a[:, 0, 0] = b[:, 0, 0] = 1.0  # no empty pair: the sets' ratios are defined
    return a, b


# -- masks ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_on_hard_masks_dice_and_jaccard_are_the_set_ratios(seed):
    a, b = random_masks(seed)
    inter = np.logical_and(a, b).sum(axis=(1, 2))  # |A n B|, |A u B|, |A|, |B| counted
    union = np.logical_or(a, b).sum(axis=(1, 2))
    size_a, size_b = a.sum(axis=(1, 2)), b.sum(axis=(1, 2))
    dice = 1 - lossbook.dice_loss(a, b, reduction="none", **EXACT)
    jaccard = 1 - lossbook.jaccard_loss(a, b, reduction="none", **EXACT)
    np.testing.assert_allclose(dice, 2 * inter / (size_a + size_b), rtol=1e-14)
    np.testing.assert_allclose(jaccard, inter / union, rtol=1e-14)
    np.testing.assert_allclose(jaccard, dice / (2 - dice), rtol=1e-14)  # J = D / (2 - D)
    # squaring changes nothing on 0/1 masks
    for fn in MASK_LOSSES:
        np.testing.assert_allclose(fn(a, b, squared=True, **EXACT), fn(a, b, **EXACT), rtol=1e-14)


def test_on_soft_masks_jaccard_is_below_dice_and_squared_differs():
    rng = np.random.default_rng(3)
    p, y = rng.uniform(size=(4, 30)), (rng.uniform(size=(4, 30)) < 0.3).astype(float)
    dice = lossbook.dice_loss(p, y, reduction="none", **EXACT)
    jaccard = lossbook.jaccard_loss(p, y, reduction="none", **EXACT)
    assert np.all(jaccard > dice)  # J = D / (2 - D) < D for 0 < D < 1 on hard masks; here too
    assert np.all(lossbook.dice_loss(p, y, squared=True, reduction="none", **EXACT) != dice)


def test_smoothing_decides_the_loss_of_an_empty_mask():
    empty = np.zeros((1, 16))
    for fn in MASK_LOSSES:
        # an empty prediction of an empty mask: 0 with both constants equal, 1 without s_nr
        assert fn(empty, empty, smooth_nr=1.0, smooth_dr=1.0) == 0.0
        assert fn(empty, empty, smooth_nr=0.0, smooth_dr=1e-5) == 1.0
        with np.errstate(invalid="ignore"):
            assert np.isnan(fn(empty, empty, **EXACT))  # 0 / 0, as torch
        # the gradient there pushes every probability down by s_nr / s_dr^2 (Dice: no 2 y term)
        g = lossbook.dice_loss_grad(empty, empty, smooth_nr=1.0, smooth_dr=1.0)
        np.testing.assert_allclose(g, np.full((1, 16), 1.0), rtol=1e-15)


def test_per_batch_dice_is_the_dice_of_the_pooled_sets():
    a, b = random_masks(4)
    pooled = lossbook.dice_loss(a.reshape(1, -1), b.reshape(1, -1), **EXACT)
    expected = 1 - 2 * np.sum(a * b) / (a.sum() + b.sum())
    assert pooled == pytest.approx(expected, rel=1e-14)
    per_image = lossbook.dice_loss(a, b, **EXACT)
    assert per_image != pytest.approx(pooled, rel=1e-3)  # two different numbers


def test_dice_gradient_closed_form_at_a_small_case():
    # p = (1/2, 1/2), y = (1, 0): n = 1, d = 2, dl/dp = -2 y / d + n / d^2 = (-3/4, 1/4)
    g = lossbook.dice_loss_grad([[0.5, 0.5]], [[1.0, 0.0]], **EXACT)
    np.testing.assert_allclose(g, [[-0.75, 0.25]], rtol=1e-15)
    # Jaccard: n = 1/2, u = 3/2: -y/u + n (1 - y) / u^2 = (-2/3, 2/9)
    g = lossbook.jaccard_loss_grad([[0.5, 0.5]], [[1.0, 0.0]], **EXACT)
    np.testing.assert_allclose(g, [[-2 / 3, 2 / 9]], rtol=1e-15)


@pytest.mark.parametrize("fn", MASK_LOSSES)
def test_mask_losses_keep_float32(fn):
    p = np.full((2, 3), 0.5, np.float32)
    assert fn(p, p, reduction="none").dtype == np.float32
    grad = getattr(lossbook, fn.__name__ + "_grad")
    assert grad(p, p).dtype == np.float32


@pytest.mark.parametrize("fn", MASK_LOSSES)
def test_mask_errors(fn):
    name = fn.__name__
    with pytest.raises(
        ValueError, match=rf"^{name}: input must have shape \(N, \*\).*input\[None\]"
    ):
        fn(np.full(4, 0.5), np.ones(4))
    with pytest.raises(
        ValueError,
        match=rf"^{name}: input must hold probabilities in \[0, 1\]; got values in "
        r"\[-2.0, 3.0\]\. For logits, apply a sigmoid",
    ):
        fn(np.array([[-2.0, 3.0]]), np.ones((1, 2)))  # logits instead of probabilities
    with pytest.raises(ValueError, match=rf"^{name}: input must .* in \[0.5, 0.5\] and NaN"):
        fn(np.array([[0.5, np.nan]]), np.ones((1, 2)))
    with pytest.raises(ValueError, match=rf"^{name}: smooth_dr must be >= 0"):
        fn(np.full((1, 2), 0.5), np.ones((1, 2)), smooth_dr=-1.0)
    with pytest.raises(
        TypeError, match=rf"^{name}: squared must be True or False \(a bool\); got int"
    ):
        fn(np.full((1, 2), 0.5), np.ones((1, 2)), squared=1)


# -- boxes ------------------------------------------------------------------------------------


def random_boxes(seed, n=50):
    rng = np.random.default_rng(seed)
    corner = rng.uniform(-5, 5, (2, n, 2))
    side = rng.uniform(0.1, 4, (2, n, 2))
    b = np.concatenate([corner, corner + side], axis=-1)
    return b[0], b[1]


@pytest.mark.parametrize("fn", BOX_LOSSES)
def test_identical_boxes_give_zero_up_to_eps(fn):
    b, _ = random_boxes(0)
    loss = fn(b, b)
    area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    assert np.all(loss >= 0) and np.all(loss <= 1e-7 / area * 1.001)  # 1 - A / (A + eps)
    if fn is not lossbook.complete_box_iou_loss:  # CIoU keeps eps = 1e-7 in its IoU
        assert np.all(fn(b, b, eps=0.0) == 0.0)


@pytest.mark.parametrize("seed", [1, 2])
def test_giou_lies_in_0_2_and_equals_iou_loss_when_one_box_holds_the_other(seed):
    b, g = random_boxes(seed, 500)
    giou = lossbook.generalized_box_iou_loss(b, g)
    iou = lossbook.box_iou_loss(b, g)
    assert np.all((giou >= 0) & (giou < 2)) and np.all(giou >= iou - 1e-15)
    assert np.any(giou > 1.5)  # far-apart boxes were drawn
    inner = np.concatenate([b[:, :2] + 0.01, b[:, 2:] - 0.01], axis=1)  # inside b: C = U
    np.testing.assert_allclose(
        lossbook.generalized_box_iou_loss(inner, b), lossbook.box_iou_loss(inner, b), rtol=1e-12
    )


@pytest.mark.parametrize("fn", BOX_LOSSES[:3])  # CIoU: eps = 1e-7 stays in its IoU
@pytest.mark.parametrize("k", [0.01, 3.0, 1000.0])
def test_box_losses_are_scale_and_translation_invariant(fn, k):
    b, g = random_boxes(3)
    ref = fn(b, g, eps=0.0)
    np.testing.assert_allclose(fn(k * b, k * g, eps=0.0), ref, rtol=1e-12, atol=1e-14)
    shift = np.array([7.0, -3.0, 7.0, -3.0])
    np.testing.assert_allclose(fn(b + shift, g + shift, eps=0.0), ref, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("fn", BOX_LOSSES)
def test_box_losses_are_symmetric(fn):
    b, g = random_boxes(4)
    np.testing.assert_allclose(fn(b, g), fn(g, b), rtol=1e-13)


def test_disjoint_boxes_closed_forms_and_the_flat_iou_loss():
    # unit boxes side by side with a gap d: IoU = 0, enclosing box (2 + d) x 1, union 2,
    # centres 1 + d apart
    d = np.array([0.5, 1.0, 4.0])
    b = np.stack([np.zeros(3), np.zeros(3), np.ones(3), np.ones(3)], axis=1)
    g = b + np.stack([1 + d, 0 * d, 1 + d, 0 * d], axis=1)
    args = dict(eps=0.0)
    np.testing.assert_array_equal(lossbook.box_iou_loss(b, g, **args), 1.0)
    np.testing.assert_array_equal(lossbook.box_iou_loss_grad(b, g, **args), 0.0)
    np.testing.assert_allclose(
        lossbook.generalized_box_iou_loss(b, g, **args), 1 + d / (2 + d), rtol=1e-15
    )
    np.testing.assert_allclose(
        lossbook.distance_box_iou_loss(b, g, **args),
        1 + (1 + d) ** 2 / ((2 + d) ** 2 + 1),
        rtol=1e-15,
    )
    # GIoU: moving the right edge towards the target lowers the loss by 1/C^2 (C - U) / ...
    # d/dx2 [(C - U)/C] with C = 2 + d fixed and U = 1 + x2: -1 / C
    g_giou = lossbook.generalized_box_iou_loss_grad(b, g, **args)
    np.testing.assert_allclose(g_giou[:, 2], -1 / (2 + d), rtol=1e-15)


def test_touching_boxes_have_no_intersection_and_match_torchvision():
    b = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]])
    g = np.array([[1.0, 0.0, 2.0, 1.0], [0.0, 1.0, 1.0, 3.0]])  # share an edge
    for fn, oracle in (
        (lossbook.box_iou_loss, torch_box_iou_loss),
        (lossbook.generalized_box_iou_loss, torch_generalized_box_iou_loss),
        (lossbook.complete_box_iou_loss, torch_complete_box_iou_loss),
    ):
        value, grad = torch_value_and_grad(oracle, b, g, {"reduction": "sum"})
        assert fn(b, g, reduction="sum") == pytest.approx(float(value), rel=1e-14)
        grad_fn = getattr(lossbook, fn.__name__ + "_grad")
        np.testing.assert_allclose(grad_fn(b, g, reduction="sum"), grad, rtol=1e-14)
    np.testing.assert_array_equal(lossbook.box_iou_loss_grad(b, g), 0.0)


def test_ciou_eps_enters_alpha_only_as_in_torchvision():
    b, g = random_boxes(5)
    eps = 0.3
    diou = lossbook.distance_box_iou_loss(b, g)  # eps 1e-7
    iou = 1 - lossbook.box_iou_loss(b, g)
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    wg, hg = g[:, 2] - g[:, 0], g[:, 3] - g[:, 1]
    v = 4 / np.pi**2 * (np.arctan(wg / hg) - np.arctan(w / h)) ** 2
    expected = diou + v / (1 - iou + v + eps) * v
    np.testing.assert_allclose(lossbook.complete_box_iou_loss(b, g, eps=eps), expected, rtol=1e-12)


def _ciou_alpha_frozen(b0, g, eps):
    """CIoU as a function of the boxes with alpha fixed at its value at b0."""
    t0 = torch.tensor(b0)
    iou0 = 1 - torch_box_iou_loss(t0, torch.tensor(g))
    w, h = t0[..., 2] - t0[..., 0], t0[..., 3] - t0[..., 1]
    wg, hg = g[..., 2] - g[..., 0], g[..., 3] - g[..., 1]
    v0 = 4 / np.pi**2 * (np.arctan(wg / hg) - np.arctan((w / h).numpy())) ** 2
    alpha = v0 / (1 - iou0.numpy() + v0 + eps)

    def loss(b, g, **kw):
        w, h = b[..., 2] - b[..., 0], b[..., 3] - b[..., 1]
        v = 4 / np.pi**2 * (np.arctan(wg / hg) - np.arctan(w / h)) ** 2
        return lossbook.distance_box_iou_loss(b, g, reduction="none") + alpha * v

    return loss


@PROPERTY
@given(box_cases())
def test_ciou_gradient_matches_finite_differences_with_alpha_frozen(case):
    x, y, kwargs = case
    eps = kwargs["eps"]
    tied = [np.abs(x[..., i, None] - y[..., None, i]) < 1e-3 for i in ([0, 2], [1, 3])]
    tied = tied[0].any(axis=(-2, -1)) | tied[1].any(axis=(-2, -1))
    x = np.where(tied[..., None], x + np.array([0.0137, 0.0291, 0.0137, 0.0291]), x)
    grad = lossbook.complete_box_iou_loss_grad(x, y, eps=eps)  # reduction "none": of the sum
    if np.max(np.abs(grad), initial=0.0) < 1e-6:
        return
    h = 1e-6 * max(1.0, float(np.max(np.abs(x))))
    loss = _ciou_alpha_frozen(x, y, eps)
    assert lossbook.check_grad(loss, lambda b, g: grad, x, y, eps=h) < 1e-5


@pytest.mark.parametrize("fn", BOX_LOSSES)
def test_box_reductions_and_dtypes(fn):
    b, g = random_boxes(6, 5)
    none = fn(b, g)
    assert none.shape == (5,)
    assert fn(b, g, reduction="mean") == pytest.approx(none.mean(), rel=1e-14)
    assert fn(b[0], g[0]).shape == ()  # one box (4,): a 0-d array, as torchvision
    assert fn(b.reshape(5, 1, 4), g.reshape(5, 1, 4)).shape == (5, 1)
    assert fn(np.zeros((0, 4)), np.zeros((0, 4)), reduction="mean") == 0.0  # torchvision
    assert fn(b.astype(np.float32), g.astype(np.float32)).dtype == np.float32
    grad = getattr(lossbook, fn.__name__ + "_grad")
    assert grad(b.astype(np.float32), g.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("fn", BOX_LOSSES)
def test_box_errors(fn):
    name = fn.__name__
    with pytest.raises(ValueError, match=rf"^{name}: input must have shape \(\.\.\., 4\)"):
        fn(np.zeros((2, 5)), np.zeros((2, 5)))
    with pytest.raises(ValueError, match=rf"^{name}: target must hold boxes .*x1 <= x2.*cx, cy"):
        fn([0.0, 0.0, 1.0, 1.0], [2.0, 0.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=rf"^{name}: target must hold boxes .*; box has x1"):
        fn([0.0, 0.0, 1.0, 1.0], [2.0, 0.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=rf"^{name}: input must hold boxes .*y1 <= y2; box 1 has"):
        fn([[0.0, 0.0, 1.0, 1.0], [0.0, 2.0, 1.0, 1.0]], np.ones((2, 4)))
    with pytest.raises(ValueError, match=rf"^{name}: eps must be >= 0"):
        fn([0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0], eps=-1.0)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.floats(0.05, 0.95), st.integers(0, 3))
def test_a_wrong_gradient_is_caught(p, k):
    # the registry's finite differences would catch a dice gradient missing its factor 2
    x = np.full((1, 4), p)
    y = np.array([[1.0, 1.0, 0.0, 0.0]])

    def wrong(x, y, **kw):
        g = lossbook.dice_loss_grad(x, y, **kw)
        g[0, k] *= 2
        return g

    assert lossbook.check_grad(lossbook.dice_loss, wrong, x, y) > 1e-3
