"""lossbook: loss functions from scratch, checked against PyTorch.

The companion package of the book *lossbook*. Every loss is a small NumPy function with
an analytic gradient right below it, mirroring :mod:`torch.nn.functional` name for name,
so that PyTorch can serve as the oracle for every value and every gradient.

"""

from ._setup import setup

# Public API, one name per line, grouped by module.
# -- losses (special, regression, classification, encoding, gradcheck) --
# -- end losses --
from .data import make_linear_regression
from .data import make_blobs
from .data import make_spirals
from .linear import least_squares_line
from .linear import gradient_descent_line
from .training import fit
from .notebook import glue
from .notebook import show_source

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "setup",
    "make_linear_regression",
    "make_blobs",
    "make_spirals",
    "least_squares_line",
    "gradient_descent_line",
    "fit",
    "glue",
    "show_source",
]
