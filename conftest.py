"""Root pytest set-up, shared by the tests under tests/ and the package's doctests."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _restore_print_options():
    """book.setup() changes NumPy's and torch's print options; undo it after each test.

    Without this, the doctest of setup() would change how every later doctest prints.
    """
    numpy_options = np.get_printoptions()
    yield
    np.set_printoptions(**numpy_options)
    try:
        import torch
    except ImportError:
        return
    torch.set_printoptions(profile="default")
