"""Losses on embeddings: closed forms, properties, torch's quirks, and their options' errors.

Value and gradients against torch (or the torch-written formula) for every option are in
test_parity.py (the registry's oracle); finite differences in test_gradcheck.py, and here for
the triplet loss at generic points (the registry's cases often sit on a kink).
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import lossbook
from lossbook.metric import COSINE_EPS

T = torch.tensor


def test_cosine_loss_closed_forms():
    # orthogonal: cos 0 -> 1 - 0 for a similar pair, max(0, 0 - m) for a dissimilar one;
    # parallel: cos 1 (up to eps / |x|^2) -> ~0 for a similar pair, 1 - m for a dissimilar one
    x1 = np.array([[1.0, 0.0], [1.0, 0.0], [3.0, 4.0], [3.0, 4.0]])
    x2 = np.array([[0.0, 5.0], [0.0, 5.0], [6.0, 8.0], [6.0, 8.0]])
    y = np.array([1, -1, 1, -1])
    out = lossbook.cosine_embedding_loss(x1, x2, y, margin=0.25, reduction="none")
    np.testing.assert_allclose(out, [1.0, 0.0, 0.0, 0.75], atol=1e-12)


def test_cosine_eps_is_float32s_1e_12_as_in_aten():
    # a zero input1: the gradient is x2 / sqrt(eps * (|x2|^2 + eps)), 1 / sqrt(eps) for
    # |x2| = 1; torch's value tells its eps apart from float64's 1e-12 (2e-9 relative)
    x1 = T([[0.0, 0.0]], dtype=torch.float64, requires_grad=True)
    F.cosine_embedding_loss(x1, T([[1.0, 0.0]], dtype=torch.float64), T([1.0])).backward()
    g1, _ = lossbook.cosine_embedding_loss_grad([[0.0, 0.0]], [[1.0, 0.0]], [1])
    np.testing.assert_allclose(g1, x1.grad.numpy(), rtol=1e-14)
    assert COSINE_EPS != 1e-12
    assert abs(-1 / np.sqrt(1e-12 * (1 + 1e-12)) - x1.grad[0, 0].item()) > 1e-3


@pytest.mark.parametrize(
    "fn", [lossbook.cosine_embedding_loss, lossbook.contrastive_loss, lossbook.margin_ranking_loss]
)
def test_labels_must_be_plus_or_minus_one_where_torch_scores_others_zero(fn):
    x1, x2 = np.array([[1.0, 2.0]]), np.array([[2.0, 1.0]])
    y = np.array([0.0])
    if fn is lossbook.margin_ranking_loss:
        x1, x2 = x1[:, 0], x2[:, 0]
    else:  # torch 2.13: a label 0 is neither 1 nor -1, and costs nothing
        assert F.cosine_embedding_loss(T(x1), T(x2), T(y)).item() == 0.0
    with pytest.raises(ValueError, match=rf"^{fn.__name__}: target must hold 1 .*got 0\.0.*2 \*"):
        fn(x1, x2, y)


def test_margin_ranking_with_a_zero_label_is_just_the_margin_in_torch():
    # the formula max(0, -y (x1 - x2) + margin) at y = 0 is the margin, whatever the scores
    assert F.margin_ranking_loss(T([5.0]), T([-5.0]), T([0.0]), margin=0.5).item() == 0.5
    out = lossbook.margin_ranking_loss([2.0, 1.0, 0.0], [1.0, 2.0, 0.0], [1, 1, -1], margin=0.5)
    assert out == pytest.approx((0.0 + 1.5 + 0.5) / 3, rel=1e-15)


def test_contrastive_loss_closed_forms_and_gradient_symmetry():
    # d = 5: a similar pair costs d^2 / 2; a dissimilar one nothing beyond the margin and
    # (m - d)^2 / 2 inside it
    x1, x2 = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]), np.array([[3.0, 4.0]] * 3)
    y = np.array([1, -1, -1])
    out = lossbook.contrastive_loss(x1, x2, y, margin=6.0, eps=0.0, reduction="none")
    np.testing.assert_allclose(out, [12.5, 0.5, 0.5], rtol=1e-15)
    assert lossbook.contrastive_loss(x1[1:], x2[1:], y[1:], margin=4.0, eps=0.0) == 0.0
    g1, g2 = lossbook.contrastive_loss_grad(x1, x2, y, margin=6.0, reduction="sum")
    np.testing.assert_array_equal(g1, -g2)


def test_triplet_eps_is_added_inside_the_distance():
    # pairwise_distance(u, u) = |eps * 1|_p = eps D^(1/p), not 0; and d(u, v) != d(v, u)
    u, v = np.zeros((1, 4)), np.array([[1.0, 0.0, 0.0, 0.0]])
    for p in (1.0, 2.0, 3.0):
        d = F.pairwise_distance(T(u), T(u), p=p, eps=1e-6).item()
        assert d == pytest.approx(1e-6 * 4 ** (1 / p), rel=1e-12)
    forward = F.pairwise_distance(T(u), T(v)).item()
    backward = F.pairwise_distance(T(v), T(u)).item()
    assert forward != backward
    # so a triplet whose positive equals its anchor costs margin + eps D^(1/p) - d(a, n)
    out = lossbook.triplet_margin_loss(u, u, v, margin=2.0, reduction="none")
    np.testing.assert_allclose(out, 2.0 + 2e-6 - forward, rtol=1e-15)


def test_swap_uses_the_positive_when_it_is_closer_to_the_negative():
    # a at 0, p at 2, n at 3 on a line: d(a, n) = 3, d(p, n) = 1 -> 1 + 2 - 1 = 2 with swap
    a, p, n = [[0.0, 0.0]], [[2.0, 0.0]], [[3.0, 0.0]]
    assert lossbook.triplet_margin_loss(a, p, n, eps=0.0, swap=True) == pytest.approx(2.0)
    assert lossbook.triplet_margin_loss(a, p, n, eps=0.0) == 0.0
    assert F.triplet_margin_loss(T(a), T(p), T(n), swap=True).item() == pytest.approx(2.0, 1e-5)


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 3.0])
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_gradients_match_finite_differences_at_generic_points(p, swap):
    rng = np.random.default_rng(int(10 * p) + swap)
    a, pos, neg = (rng.normal(size=(5, 3)) for _ in range(3))
    neg[:2] += 10.0  # two negatives far beyond the margin: their hinge is inactive
    kw = dict(margin=1.5, p=p, swap=swap, reduction="sum")
    grads = lossbook.triplet_margin_loss_grad(a, pos, neg, **kw)
    args = [a, pos, neg]
    hinge_active = lossbook.triplet_margin_loss(*args, **{**kw, "reduction": "none"}) > 0
    assert 0 < hinge_active.sum() < 5  # both kinds of rows are checked
    for i, g in enumerate(grads):

        def f(v, i=i):
            return lossbook.triplet_margin_loss(*args[:i], v, *args[i + 1 :], **kw)

        np.testing.assert_allclose(g, lossbook.numerical_grad(f, args[i]), atol=1e-7)


def test_triplet_options_follow_torch_or_fail_loudly():
    x = np.zeros((1, 2))
    with pytest.raises(ValueError, match="margin must be greater than 0"):  # torch 2.13
        F.triplet_margin_loss(T(x), T(x), T(x), margin=0.0)
    with pytest.raises(ValueError, match=r"^triplet_margin_loss: margin must be > 0"):
        lossbook.triplet_margin_loss(x, x, x, margin=0.0)
    with pytest.raises(ValueError, match=r"^triplet_margin_loss_grad: p must be >= 1"):
        lossbook.triplet_margin_loss_grad(x, x, x, p=0.5)
    with pytest.raises(ValueError, match=r"p must be finite"):
        lossbook.triplet_margin_loss(x, x, x, p=np.inf)
    with pytest.raises(TypeError, match=r"swap must be True or False \(a bool\); got int"):
        lossbook.triplet_margin_loss(x, x, x, swap=1)
    with pytest.raises(ValueError, match=r"anchor must have shape \(N, D\).*got shape \(1, 1, 2\)"):
        lossbook.triplet_margin_loss(x[None], x[None], x[None])


def test_info_nce_is_cross_entropy_over_the_similarity_matrix():
    rng = np.random.default_rng(0)
    q, k = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    u = q / np.linalg.norm(q, axis=1, keepdims=True)
    v = k / np.linalg.norm(k, axis=1, keepdims=True)
    logits = u @ v.T / 0.2
    expected = lossbook.cross_entropy(logits, np.arange(6), reduction="none")
    out = lossbook.info_nce_loss(q, k, temperature=0.2, reduction="none")
    np.testing.assert_allclose(out, expected, rtol=1e-13)
    # only directions count: rescaling rows changes nothing
    np.testing.assert_allclose(
        lossbook.info_nce_loss(3 * q, 0.5 * k, temperature=0.2, reduction="none"), out, rtol=1e-12
    )


def test_info_nce_tends_to_log_n_at_high_temperature_and_its_gradient_is_tangent():
    rng = np.random.default_rng(1)
    q, k = rng.normal(size=(8, 3)), rng.normal(size=(8, 3))
    # |s| <= 1 / tau: the loss lies within 2 / tau of log N
    assert abs(lossbook.info_nce_loss(q, k, temperature=1e4) - np.log(8)) < 2e-4
    gq, gk = lossbook.info_nce_loss_grad(q, k, temperature=0.1)
    np.testing.assert_allclose(np.sum(gq * q, axis=1), 0, atol=1e-14)
    np.testing.assert_allclose(np.sum(gk * k, axis=1), 0, atol=1e-14)


def test_nt_xent_properties():
    rng = np.random.default_rng(2)
    x1, x2 = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    loss = lossbook.nt_xent_loss(x1, x2)
    # one pair: no negative, nothing to push; views swapped or rows permuted: the same mean
    assert lossbook.nt_xent_loss(x1[:1], x2[:1], reduction="sum") == 0.0
    assert lossbook.nt_xent_loss(x2, x1) == pytest.approx(loss, rel=1e-13)
    perm = rng.permutation(5)
    assert lossbook.nt_xent_loss(x1[perm], x2[perm]) == pytest.approx(loss, rel=1e-13)
    assert lossbook.nt_xent_loss(x1, x2, reduction="none").shape == (10,)


@pytest.mark.parametrize(
    "name, arrays",
    [
        ("cosine_embedding_loss", lambda x: (x, x, np.ones(3, np.float32))),
        ("contrastive_loss", lambda x: (x, x, np.ones(3, np.float32))),
        ("triplet_margin_loss", lambda x: (x, x, x)),
        ("margin_ranking_loss", lambda x: (x, x, np.ones(x.shape, np.float32))),
        ("info_nce_loss", lambda x: (x, x)),
        ("nt_xent_loss", lambda x: (x, x)),
    ],
)
def test_float32_stays_float32(name, arrays):
    x = np.arange(6, dtype=np.float32).reshape(3, 2) + 1
    args = arrays(x)
    assert getattr(lossbook, name)(*args, reduction="none").dtype == np.float32
    for g in getattr(lossbook, name + "_grad")(*args):
        assert g.dtype == np.float32
