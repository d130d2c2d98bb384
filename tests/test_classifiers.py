"""lossbook.classifiers: the small MLP, its training loop, predictions and decision regions."""

from __future__ import annotations

import copy
import inspect

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402

from lossbook.book import (  # noqa: E402
    accuracy,
    decision_grid,
    make_blobs,
    make_mlp,
    plot_decision_regions,
    predict,
    train_classifier,
)


def _fixed_linear(weight, bias):
    """A 2 -> C linear model with the given weight (C, 2) and bias (C,)."""
    model = make_mlp(2, len(bias), hidden=(), seed=0, dtype=torch.float64)
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(weight, dtype=torch.float64))
        model[0].bias.copy_(torch.tensor(bias, dtype=torch.float64))
    return model


# -- make_mlp ---------------------------------------------------------------------------------


def test_mlp_layers_shapes_and_activation():
    model = make_mlp(2, 4, hidden=(5, 6), activation="relu")
    kinds = [type(layer).__name__ for layer in model]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert [tuple(layer.weight.shape) for layer in model if hasattr(layer, "weight")] == [
        (5, 2),
        (6, 5),
        (4, 6),
    ]
    assert model(torch.zeros(7, 2)).shape == (7, 4)


def test_mlp_without_hidden_layers_is_linear():
    model = make_mlp(3, 2, hidden=(), dtype=torch.float64)
    x = torch.randn(4, 3, dtype=torch.float64)
    expected = x @ model[0].weight.T + model[0].bias  # the affine map, by hand
    torch.testing.assert_close(model(x), expected)


def test_mlp_seed_fixes_weights_and_leaves_global_generator_alone():
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    a = make_mlp(2, 3, seed=4)
    after = torch.rand(3)  # the global stream continues as if make_mlp had not run
    torch.testing.assert_close(before, after)
    b = make_mlp(2, 3, seed=4)
    c = make_mlp(2, 3, seed=5)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a[0].weight, c[0].weight)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"num_classes": 0}, "at least 1"),
        ({"hidden": (4, 0)}, "at least 1"),
        ({"activation": "gelu"}, "activation must be one of"),
    ],
)
def test_mlp_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_mlp(**kwargs)


# -- predict and accuracy ---------------------------------------------------------------------


def test_predict_is_argmax_of_logits():
    model = _fixed_linear([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]], [0.0, 0.0, 0.0])
    X = np.array([[2.0, 1.0], [0.0, 3.0], [-1.0, -1.0], [0.5, -4.0]])
    # logits: [2, 1, -3], [0, 3, -3], [-1, -1, 2], [0.5, -4, 3.5]
    np.testing.assert_array_equal(predict(model, X), [0, 1, 2, 2])
    assert predict(model, X).dtype == np.int64


def test_predict_single_logit_thresholds_at_zero():
    model = _fixed_linear([[1.0, -1.0]], [0.0])  # logit x1 - x2: class 1 where x1 > x2
    X = np.array([[1.0, 0.0], [0.0, 1.0], [3.0, 2.9]])
    np.testing.assert_array_equal(predict(model, X), [1, 0, 1])


def test_accuracy_counts_matches():
    model = _fixed_linear([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0])  # class = larger coordinate
    X = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [1.0, 2.0]])
    assert accuracy(model, X, [0, 1, 1, 1]) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="labels must have shape"):
        accuracy(model, X, [0, 1])


# -- train_classifier -------------------------------------------------------------------------


def adam(model, lr=0.05):
    """The optimiser most of these tests train with."""
    return torch.optim.Adam(model.parameters(), lr=lr)


def test_first_recorded_loss_is_the_untrained_models():
    X, labels = make_blobs(10, seed=2)
    model = make_mlp(2, 3, hidden=(4,), seed=1)
    untrained = copy.deepcopy(model)
    history = train_classifier(model, adam(model), X, labels, steps=3)
    with torch.no_grad():
        expected = F.cross_entropy(
            untrained(torch.as_tensor(X, dtype=torch.float32)), torch.as_tensor(labels)
        ).item()
        first_acc = accuracy(untrained, X, labels)
    assert history["loss"][0] == pytest.approx(expected, rel=1e-6)
    assert history["accuracy"][0] == pytest.approx(first_acc)
    assert len(history["loss"]) == len(history["accuracy"]) == 3


def test_one_sgd_step_is_a_gradient_step():
    X, labels = make_blobs(5, seed=3)
    model = make_mlp(2, 3, hidden=(), seed=0, dtype=torch.float64)
    reference = copy.deepcopy(model)
    loss = F.cross_entropy(reference(torch.as_tensor(X)), torch.as_tensor(labels))
    loss.backward()  # autograd's gradient is the oracle for the update
    train_classifier(model, torch.optim.SGD(model.parameters(), lr=0.3), X, labels, steps=1)
    for trained, ref in zip(model.parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(trained.detach(), (ref - 0.3 * ref.grad).detach())


def test_custom_loss_receives_the_given_targets():
    X, labels = make_blobs(6, seed=0)
    one_hot = np.eye(3)[labels].astype(np.float32)
    seen = []

    def mse_on_softmax(logits, targets):
        seen.append(targets)
        return F.mse_loss(torch.softmax(logits, dim=1), targets)

    model = make_mlp(2, 3, hidden=(), seed=0)
    start = copy.deepcopy(model)
    history = train_classifier(
        model, adam(model), X, labels, loss_fn=mse_on_softmax, targets=one_hot, steps=2
    )
    np.testing.assert_array_equal(seen[0].numpy(), one_hot)
    with torch.no_grad():
        first = F.mse_loss(
            torch.softmax(start(torch.as_tensor(X, dtype=torch.float32)), 1),
            torch.as_tensor(one_hot),
        ).item()
    assert history["loss"][0] == pytest.approx(first, rel=1e-6)


def test_training_separates_separable_blobs():
    X, labels = make_blobs(30, std=0.4, seed=1)
    model = make_mlp(2, 3, hidden=(8,), seed=0)
    history = train_classifier(model, adam(model), X, labels, steps=150)
    assert history["loss"][-1] < 0.2 * history["loss"][0]
    assert accuracy(model, X, labels) == 1.0


def test_binary_model_with_logits_loss():
    X, labels = make_blobs(20, centers=np.array([[-2.0, 0.0], [2.0, 0.0]]), std=0.5, seed=0)
    model = make_mlp(2, 1, hidden=(), seed=0)
    targets = labels[:, None].astype(np.float32)
    history = train_classifier(
        model,
        adam(model),
        X,
        labels,
        targets=targets,
        steps=100,
        loss_fn=F.binary_cross_entropy_with_logits,
    )
    assert history["accuracy"][-1] == 1.0
    assert accuracy(model, X, labels) == 1.0


def test_train_rejects_bad_arguments():
    X, labels = make_blobs(3, seed=0)
    model = make_mlp(seed=0)
    with pytest.raises(ValueError, match="steps must be at least 1"):
        train_classifier(model, adam(model), X, labels, steps=0)


def test_train_rejects_labels_of_the_wrong_length():
    X, labels = make_blobs(3, seed=0)
    with pytest.raises(ValueError, match=r"labels must have shape \(N,\) = \(9,\)"):
        model = make_mlp(seed=0)
        train_classifier(model, adam(model), X, labels[:-1])


# -- decision regions -------------------------------------------------------------------------


def test_decision_grid_extent_and_classes():
    model = _fixed_linear([[1.0, -1.0], [-1.0, 1.0]], [0.0, 0.0])  # class 1 where x2 > x1
    X = np.array([[-1.0, 0.0], [1.0, 2.0]])
    xx, yy, classes = decision_grid(model, X, resolution=11, padding=1.0)
    assert xx.shape == yy.shape == classes.shape == (11, 11)
    assert (xx.min(), xx.max(), yy.min(), yy.max()) == (-2.0, 2.0, -1.0, 3.0)
    off_diagonal = xx != yy
    np.testing.assert_array_equal(classes[off_diagonal], (yy > xx)[off_diagonal])


def test_decision_grid_rejects_bad_input():
    model = make_mlp(seed=0)
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        decision_grid(model, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="resolution"):
        decision_grid(model, np.zeros((4, 2)), resolution=1)


def test_plot_decision_regions_draws_one_scatter_per_class():
    X, labels = make_blobs(5, seed=0)
    fig, ax = plt.subplots()
    plot_decision_regions(ax, make_mlp(2, 3, seed=0), X, labels, resolution=10)
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1", "class 2"]
    assert sum(len(c.get_offsets()) for c in ax.collections[-3:]) == len(X)
    plt.close(fig)


def test_plot_decision_regions_legend_loc_is_keyword_only_and_upper_right_by_default():
    parameter = inspect.signature(plot_decision_regions).parameters["legend_loc"]
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
    assert parameter.default == "upper right"
    X, labels = make_blobs(5, seed=0)
    fig, ax = plt.subplots()
    plot_decision_regions(ax, make_mlp(2, 3, seed=0), X, labels, resolution=10)
    assert ax.get_legend()._loc == Legend.codes["upper right"]
    plt.close(fig)


@pytest.mark.parametrize("loc", ["lower left", "center right", "best"])
def test_plot_decision_regions_puts_the_legend_at_legend_loc(loc):
    X, labels = make_blobs(5, seed=0)
    fig, ax = plt.subplots()
    plot_decision_regions(ax, make_mlp(2, 3, seed=0), X, labels, resolution=10, legend_loc=loc)
    assert ax.get_legend()._loc == Legend.codes[loc]
    assert len(ax.get_legend().get_texts()) == 3
    plt.close(fig)
