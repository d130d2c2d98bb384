"""Finite differences: the helpers themselves, then every *_grad against them."""

import functools

import numpy as np
import pytest
from hypothesis import given

import lossbook
from losses_registry import LOSSES, PROPERTY


def test_numerical_grad_of_a_known_function():
    # d/dv sum(v^3) = 3 v^2: 3 and 12 at v = [1, 2]; central differences are exact to O(h^2)
    g = lossbook.numerical_grad(lambda v: np.sum(v**3), np.array([1.0, 2.0]))
    np.testing.assert_allclose(g, [3.0, 12.0], rtol=1e-8)
    assert g.dtype == np.float64


def test_check_grad_is_small_for_a_right_gradient_and_large_for_a_wrong_one():
    x, y = np.array([0.5, -1.0, 2.0]), np.zeros(3)
    assert lossbook.check_grad(lossbook.mse_loss, lossbook.mse_loss_grad, x, y) < 1e-8
    # the MSE gradient without its factor 2 is off by half its size: relative error 0.5
    wrong = lambda x, y, **kw: lossbook.mse_loss_grad(x, y, **kw) / 2  # noqa: E731
    assert lossbook.check_grad(lossbook.mse_loss, wrong, x, y) == pytest.approx(0.5, rel=1e-6)


def test_check_grad_sums_unreduced_losses():
    x, y = np.array([0.5, -1.0]), np.zeros(2)
    assert (
        lossbook.check_grad(lossbook.mse_loss, lossbook.mse_loss_grad, x, y, reduction="none")
        < 1e-8
    )


def _away_from_kinks(entry, x, y, kwargs):
    """Nudge inputs off the points where the loss is not differentiable (ties, |d| = delta)."""
    if entry.name in ("l1_loss", "huber_loss", "smooth_l1_loss", "quantile_loss"):
        d = x - y
        knots = [0.0, kwargs.get("delta", kwargs.get("beta", 0.0))]
        for k in knots:
            near = np.abs(np.abs(d) - k) < 1e-3
            x = np.where(near, x + 0.01 + 0.1 * k, x)
    if entry.name == "binary_cross_entropy":
        x = np.clip(x, 0.05, 0.95)  # inside (0, 1), away from the -100 clamp
    if entry.fuzz == "boxes":
        # an edge level with one of the target's (identical or touching boxes) is a kink of
        # min/max: such a box is shifted off it by a fraction of the grid step (1/4)
        ties = [
            np.abs(x[..., i, None] - y[..., None, i]) < 1e-3
            for i in (np.array([0, 2]), np.array([1, 3]))
        ]
        tied = ties[0].any(axis=(-2, -1)) | ties[1].any(axis=(-2, -1))
        x = np.where(tied[..., None], x + np.array([0.0137, 0.0291, 0.0137, 0.0291]), x)
    if entry.fuzz == "masks":
        x = np.clip(x, 1e-3, 1 - 1e-3)  # probabilities: the steps stay inside [0, 1]
    return x


def _rows_norm(v):
    return np.sqrt(np.sum(v * v, axis=-1))


def _near_a_kink(entry, args, kwargs, h):
    """Losses on embeddings: whether a point of the case is within reach of a step ``h`` of
    a kink (a hinge at 0, the swap's tie, a distance or norm near 0, a component of a p-norm
    difference near 0 for p < 2), where a finite difference is no derivative."""
    near = 1e3 * h
    if entry.name == "margin_ranking_loss":
        x1, x2, y = args
        return np.any(np.abs(-y * (x1 - x2) + kwargs["margin"]) < near)
    if entry.name == "cosine_embedding_loss":
        x1, x2, y = args
        n1, n2 = _rows_norm(x1), _rows_norm(x2)
        cos = np.sum(x1 * x2, -1) / np.maximum(n1 * n2, 1e-300)
        hinge = (y == -1) & (np.abs(cos - kwargs["margin"]) < 1e-2)
        return np.any(hinge) or np.any(np.minimum(n1, n2) < 1e-2)
    if entry.name == "contrastive_loss":
        x1, x2, y = args
        d = _rows_norm(x1 - x2 + kwargs["eps"])
        return np.any((y == -1) & (d < 1e-2))
    if entry.name == "triplet_margin_loss":
        a, p, n = args
        diffs = [u - v + kwargs["eps"] for u, v in ((a, p), (a, n), (p, n))]
        dist = [np.sum(np.abs(d) ** kwargs["p"], -1) ** (1 / kwargs["p"]) for d in diffs]
        hinge = (
            kwargs["margin"]
            + dist[0]
            - (np.minimum(dist[1], dist[2]) if kwargs["swap"] else dist[1])
        )
        return (
            np.any(np.abs(hinge) < near)
            or (kwargs["swap"] and np.any(np.abs(dist[1] - dist[2]) < near))
            or np.any(np.concatenate([np.ravel(d) for d in dist]) < 1e-2)
            or (kwargs["p"] < 2 and any(np.any(np.abs(d) < 1e-2) for d in diffs))
        )
    # info_nce_loss, nt_xent_loss: smooth, but the normalisation x / |x| curves on the scale
    # of |x|: the central difference's truncation error, about h^2 / (6 tau |x|^3), must
    # stay well below the tolerance (a key of length 0.02 with h = 7e-6 fails it)
    norms = np.concatenate([_rows_norm(a) for a in args])
    return h**2 / (kwargs["temperature"] * np.min(norms) ** 3) > 1e-7


def _check_embedding_loss(entry, args, kwargs):
    """Each gradient of a loss on embeddings against central differences in its array."""
    if sum(np.size(a) for a in args) > 60:
        return
    h = 1e-6 * max(1.0, max(float(np.max(np.abs(a), initial=0.0)) for a in args))
    if _near_a_kink(entry, args, kwargs, h):
        return
    grads = entry.gradients(*args, **kwargs)
    for name, g in zip(entry.grads, grads, strict=True):
        i = entry.inputs.index(name)

        def f(v, i=i):
            return np.sum(entry.loss(*args[:i], v, *args[i + 1 :], **kwargs))

        numeric = lossbook.numerical_grad(f, args[i], h)
        assert g.shape == numeric.shape, f"{name}: shape {g.shape} != {numeric.shape}"
        scale = max(np.max(np.abs(g), initial=0.0), np.max(np.abs(numeric), initial=0.0))
        if scale < 1e-6:
            continue  # below what a finite difference of step 1e-6 can resolve
        assert np.max(np.abs(g - numeric)) / scale < 1e-5, name


@pytest.mark.parametrize("entry", LOSSES, ids=lambda e: e.name)
def test_every_grad_matches_finite_differences(entry):
    @PROPERTY
    @given(entry.cases)
    def check(case):
        if entry.inputs != ("input", "target"):
            *args, kwargs = case
            return _check_embedding_loss(entry, args, kwargs)
        x, y, kwargs = case
        x = _away_from_kinks(entry, x, y, kwargs)
        if entry.name == "binary_cross_entropy_with_logits":
            x = np.clip(x, -30, 30)  # where the loss is not flat to 1e-6 steps
        if not np.isfinite(x).all():
            return  # a masked logit (-inf): no finite difference to take there
        if np.isnan(np.sum(entry.loss(x, y, **kwargs))) or x.size > 40:
            return  # an all-ignored batch has a NaN loss and nothing to differentiate
        if np.max(np.abs(entry.grad(x, y, **kwargs)), initial=0.0) < 1e-6:
            return  # below what a finite difference of step 1e-6 can resolve
        # a step relative to the inputs' size keeps the rounding error of f(x +- h) small
        eps = 1e-6 * max(1.0, float(np.max(np.abs(x), initial=0.0)))
        if entry.fuzz == "masks" and np.max(np.abs(entry.grad(x, y, **kwargs))) < 1e-4:
            return  # a loss near 1 with a slope near 0: a difference of step 1e-6 has no digits
        if entry.name == "complete_box_iou_loss":
            return  # alpha is a constant in its gradient: test_overlap.py freezes it for this
        loss, grad = entry.loss, entry.grad
        if "eps" in kwargs:  # the loss's own eps (torchvision's box losses), not the step
            loss = functools.partial(entry.loss, eps=kwargs["eps"])
            grad = functools.partial(entry.grad, eps=kwargs["eps"])
            kwargs = {k: v for k, v in kwargs.items() if k != "eps"}
        assert lossbook.check_grad(loss, grad, x, y, eps=eps, **kwargs) < 1e-5

    check()
