"""book.setup(): seeds, determinism, style."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap

import matplotlib as mpl
import numpy as np
import torch

import lossbook
from lossbook import book


def test_setup_makes_every_generator_repeat():
    first = book.setup(seed=3)
    draws = (random.random(), np.random.rand(), torch.rand(1).item(), first.random())
    second = book.setup(seed=3)
    again = (random.random(), np.random.rand(), torch.rand(1).item(), second.random())
    assert draws == again


def test_different_seeds_give_different_numbers():
    assert book.setup(seed=0).random() != book.setup(seed=1).random()


def test_setup_makes_torch_deterministic_and_single_threaded():
    book.setup()
    assert torch.are_deterministic_algorithms_enabled()
    assert torch.get_num_threads() == 1


def test_setup_gives_figures_an_opaque_background():
    mpl.rcParams["savefig.transparent"] = True
    book.setup()
    assert mpl.rcParams["figure.facecolor"] == "white"
    assert mpl.rcParams["savefig.facecolor"] == "white"
    assert mpl.rcParams["savefig.transparent"] is False


def test_setup_freezes_the_heap_now_and_at_exit():
    # An exit handler registered before setup() runs after setup's own
    # (handlers run last-in first-out), so it sees whether the objects made
    # after setup() were frozen too, which is what spares the last pass.
    script = textwrap.dedent(
        """
        import atexit, gc
        atexit.register(
            lambda: print("at exit", gc.get_freeze_count() >= after + 10_000)
        )
        from lossbook import book
        before = gc.get_freeze_count()
        book.setup()
        book.setup()
        after = gc.get_freeze_count()
        print("after setup", before == 0 and after > 100_000)
        kept = [[] for _ in range(20_000)]  # made later: not frozen yet
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert out[:2] == ["after setup True", "at exit True"]


def test_the_loss_library_imports_neither_torch_nor_matplotlib():
    # lossbook is NumPy only; the chapters' toolkit, lossbook.book, is where torch comes in
    code = (
        "import sys, lossbook\n"
        "heavy = [m for m in ('torch', 'matplotlib') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "from lossbook import book\n"
        "assert 'torch' in sys.modules\n"
        "print(len(lossbook.__all__), len(book.__all__))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    n_losses, n_toolkit = map(int, done.stdout.split())
    assert n_losses == len(set(lossbook.__all__)) and n_toolkit > 0


def test_the_package_version_is_the_one_pyproject_declares():
    import tomllib

    from conftest import ROOT

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert lossbook.__version__ == declared
