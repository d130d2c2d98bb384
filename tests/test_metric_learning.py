"""The metric-learning chapter's toolkit: data, pair batches, training, retrieval."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from lossbook import book  # noqa: E402


def test_make_clusters_shapes_and_where_the_classes_differ():
    X, y, Xt, yt = book.make_clusters(num_classes=5, per_class=30, seed=3)
    assert X.shape == Xt.shape == (150, 10) and X.dtype == np.float64
    assert y.dtype == np.int64 and np.array_equal(np.bincount(y), [30] * 5)
    # class means differ in the informative coordinates (spread 2.5) and not in the
    # nuisance ones (their sample means are within a few sigma / sqrt(30) of 0)
    means = np.array([X[y == c].mean(0) for c in range(5)])
    assert np.sqrt(np.sum(means[:, :4].var(0))) > 2.0  # expected about 2.5 * sqrt(4 * 4 / 5)
    assert np.abs(means[:, 4:]).max() < 5 * 3.0 / np.sqrt(30)
    # the class-free coordinates hold most of the variance (6 x 9, against 4 x 5.4 expected)
    variance = X.var(0)
    assert variance[4:].sum() > 0.5 * variance.sum()
    # same seed, same data; another seed, other data
    np.testing.assert_array_equal(book.make_clusters(seed=3)[0], book.make_clusters(seed=3)[0])
    assert not np.array_equal(book.make_clusters(seed=4)[0], book.make_clusters(seed=3)[0])
    with pytest.raises(ValueError, match="make_clusters: need num_classes >= 2"):
        book.make_clusters(num_classes=1)


def test_sample_pairs_gives_two_different_points_of_each_class():
    X = torch.arange(40.0)[:, None]
    labels = torch.arange(4).repeat_interleave(10)
    xa, xp = book.sample_pairs(X, labels, torch.Generator().manual_seed(0))
    assert xa.shape == xp.shape == (4, 1)
    np.testing.assert_array_equal((xa[:, 0] // 10).numpy(), np.arange(4))
    np.testing.assert_array_equal((xp[:, 0] // 10).numpy(), np.arange(4))
    assert torch.all(xa != xp)


def test_recall_at_1_leaves_the_query_out_and_reads_the_metric():
    # two tight pairs: each point's nearest other point is its partner
    e = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.0, 5.1]])
    assert book.recall_at_1(e, np.array([0, 0, 1, 1])) == 1.0
    assert book.recall_at_1(e, np.array([0, 1, 0, 1])) == 0.0
    # classes of directions 0 and 6 degrees, and 23 and 37 degrees: near in angle, far
    # apart in length, so cosine finds every partner and Euclidean distance none
    e = np.array([[1.0, 0.0], [8.0, 0.8], [1.2, 0.5], [8.0, 6.0]])
    labels = np.array([0, 0, 1, 1])
    assert book.recall_at_1(e, labels, metric="cosine") == 1.0
    assert book.recall_at_1(e, labels) == 0.0
    with pytest.raises(ValueError, match="metric must be 'euclidean' or 'cosine'"):
        book.recall_at_1(e, labels, metric="manhattan")


def test_train_embedding_lowers_the_loss_and_separates_the_classes():
    X, y, Xt, yt = book.make_clusters(num_classes=4, per_class=20, seed=1)
    net = book.make_mlp(10, 2, hidden=(16,), seed=0).double()

    def info_nce(za, zp):
        s = F.normalize(za, dim=1) @ F.normalize(zp, dim=1).T / 0.2
        return F.cross_entropy(s, torch.arange(len(s)))

    with torch.no_grad():
        before = book.recall_at_1(net(torch.tensor(Xt)).numpy(), yt, metric="cosine")
    history = book.train_embedding(
        net, info_nce, X, y, steps=150, lr=0.02, generator=torch.Generator().manual_seed(0)
    )
    assert history.shape == (150,) and history.dtype == np.float64
    assert history[-20:].mean() < 0.5 * history[:20].mean()
    with torch.no_grad():
        after = book.recall_at_1(net(torch.tensor(Xt)).numpy(), yt, metric="cosine")
    assert after > before + 0.2


def test_plot_embedding_draws_one_colour_per_class():
    fig, ax = plt.subplots()
    out = book.plot_embedding(ax, np.zeros((6, 2)), np.array([0, 0, 1, 1, 2, 2]), "t")
    assert out is ax and len(ax.collections) == 3 and ax.get_title() == "t"
    plt.close(fig)
