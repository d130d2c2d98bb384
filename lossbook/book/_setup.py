"""One call that makes a chapter reproducible and styles its figures."""

from __future__ import annotations

import atexit
import gc
import random

import numpy as np

# The look of every figure in the book: opaque white backgrounds (readable on
# the dark theme too), sizes readable on a laptop screen, light grids, no top
# and right spines.
_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "figure.constrained_layout.use": True,
    "axes.facecolor": "white",
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "grid.alpha": 0.3,
    "font.size": 11,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "lines.linewidth": 2.0,
    "savefig.facecolor": "white",
    "savefig.transparent": False,
}


def setup(seed: int = 0) -> np.random.Generator:
    """Seed everything, make torch deterministic and style the figures.

    Every chapter calls this once, in its first code cell, and nowhere else
    seeds or styles by hand. It

    * seeds Python's :mod:`random`, NumPy's global generator and torch with
      ``seed``;
    * turns on ``torch.use_deterministic_algorithms(True)`` and limits torch to
      one thread, so that sums are taken in the same order on every machine;
    * sets NumPy's and torch's print precision to 4 digits, so that printed
      values do not depend on the last bits of a floating-point result;
    * applies the book's matplotlib style and, inside IPython, asks for PNG
      figures;
    * tells Python's garbage collector, with ``gc.freeze()``, to leave
      alone the objects that exist so far (mostly what importing torch and
      matplotlib created) and to skip its last pass when the process exits:
      chapters run and shut down faster.

    Args:
        seed: the seed for every random number generator.

    Returns:
        A fresh :class:`numpy.random.Generator` seeded with ``seed``, for the
        chapter's own random numbers.

    Example:
        >>> from lossbook import book
        >>> first = book.setup(seed=1).standard_normal(3)
        >>> again = book.setup(seed=1).standard_normal(3)
        >>> bool((first == again).all())
        True
    """
    import matplotlib as mpl
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    _deterministic_torch(torch)
    torch.set_num_threads(1)

    np.set_printoptions(precision=4, suppress=True)
    torch.set_printoptions(precision=4, sci_mode=False)

    mpl.rcParams.update(_STYLE)
    _inline_png()
    _spare_the_collector()
    return np.random.default_rng(seed)


def _deterministic_torch(torch) -> None:
    """Make torch deterministic, skipping the public call's slow import.

    The public call is ``torch.use_deterministic_algorithms(True)``.

    The public function sets two switches: the one eager PyTorch reads, and a
    flag of the torch.compile backend (inductor), whose import costs about two
    seconds of CPU at every chapter start. The book never compiles, so we set
    only the first switch, and fall back to the public function if a future
    torch renames it.
    """
    switch = getattr(torch._C, "_set_deterministic_algorithms", None)
    if switch is None:
        torch.use_deterministic_algorithms(True)
    else:
        switch(True)


def _spare_the_collector() -> None:
    """Keep the cyclic garbage collector off the imported modules' objects.

    Importing torch and matplotlib leaves about 200 000 objects that live as
    long as the kernel: functions, classes, dictionaries. Python's cyclic
    garbage collector walks all of them in each of its full passes (a few per
    chapter, tenths of a second each) and once more when the process exits,
    and never finds garbage among them. :func:`gc.freeze` moves every object
    alive now out of the collector's sight; objects made later (a chapter's
    tensors and figures) are collected as usual. Calling it again at exit,
    from an :mod:`atexit` handler, also spares the last pass: a kernel that
    took one to two seconds to shut down takes a few tenths. Calling
    ``setup`` again replaces the handler rather than adding a second one.
    """
    gc.freeze()
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


def _inline_png() -> None:
    """In IPython, draw inline figures as PNG (SVG text varies per run)."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to configure
        return
    shell = get_ipython()
    if shell is None or "IPKernelApp" not in getattr(shell, "config", {}):
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    # No bbox_inches="tight": constrained layout already fits the margins, and
    # "tight" draws every figure twice.
    set_matplotlib_formats("png", bbox_inches=None)
