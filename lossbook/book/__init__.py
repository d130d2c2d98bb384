"""lossbook.book: the chapters' toolkit, apart from the loss library.

Everything a chapter needs beyond the losses: the set-up call, glue and source
display, synthetic data, one training loop, line fits, plots, and the helpers
of single chapters. It needs torch and matplotlib; :mod:`lossbook` itself does
not. A chapter starts with::

    import lossbook
    from lossbook import book

    rng = book.setup()

Where things go (CONTRIBUTING.md): a loss, a penalty or an encoding goes in
:mod:`lossbook`; a helper that two or more chapters use goes in a module of
this subpackage named after what it does (``data``, ``training``,
``plotting``, ...); a helper that serves one chapter goes in the module named
after that chapter (``lr_schedules``, ``initialisation``, ...). Every public
name is also importable flat from here.
"""

# isort: off
# -- shared by several chapters --
from ._setup import setup
from .notebook import glue
from .notebook import shown
from .notebook import show_source
from .data import make_linear_regression
from .data import make_blobs
from .data import make_spirals
from .data import make_sine_regression
from .training import fit
from .linear import least_squares_line
from .linear import gradient_descent_line
from .linear import fit_line
from .linear import line_design
from .linear import line_model
from .linear import mse_hessian
from .linear import step_limit
from .robust import best_constant
from .robust import gradient_descent_constant
from .plotting import loss_and_grad_curves
from .plotting import plot_loss_and_grad
from .classifiers import make_mlp
from .classifiers import train_classifier
from .classifiers import predict
from .classifiers import accuracy
from .classifiers import decision_grid
from .classifiers import plot_decision_regions

# -- one chapter each, in the module named after it --
from .mse import compare_reductions
from .l1_huber import robust_line
from .l1_huber import quantile_line
from .lr_schedules import record_lr
from .lr_schedules import lr_curve
from .lr_schedules import steps_per_epoch
from .lr_schedules import lr_range_test
from .lr_schedules import suggest_lr
from .initialisation import weight_variance
from .initialisation import init_linear_
from .initialisation import layer_stats
from .initialisation import theory_std
from .one_hot import softmax_mse_loss
from .one_hot import sigmoid_mse_loss
from .one_hot import one_vs_rest_bce_loss
from .one_hot import classification_losses
from .one_hot import LossRun
from .one_hot import compare_losses
from .one_hot import logit_gradient
from .one_hot import confidence_stats
from .regularisation import ridge
from .regularisation import lasso
from .regularisation import lasso_alpha_max
from .regularisation import coefficient_path
from .regularisation import EarlyStopping
from .regularisation import early_stopping_epoch
from .regularisation import decay_parameter_groups
from .metric_learning import make_clusters
from .metric_learning import sample_pairs
from .metric_learning import train_embedding
from .metric_learning import recall_at_1
from .metric_learning import plot_embedding
from .overlap_losses import make_disc_masks
from .overlap_losses import mask_scores
# isort: on

_MODULES = {
    "classifiers",
    "data",
    "initialisation",
    "l1_huber",
    "linear",
    "lr_schedules",
    "mse",
    "notebook",
    "one_hot",
    "overlap_losses",
    "plotting",
    "regularisation",
    "metric_learning",
    "robust",
    "training",
}
__all__ = sorted(n for n in dir() if n[0] != "_" and n not in _MODULES)
