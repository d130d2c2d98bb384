"""lossbook: loss functions from scratch, checked against PyTorch.

The companion package of the book *lossbook*. Every loss is a small NumPy
function with an analytic gradient right below it, mirroring
:mod:`torch.nn.functional` name for name, so that PyTorch can serve as the
oracle for every value and every gradient.

"""

from ._setup import setup

# Public API, one name per line, grouped by module (not sorted, so isort is
# off for the block).
# isort: off
# -- losses (special, regression, classification, encoding, gradcheck) --
from .special import logsumexp
from .special import softmax
from .special import log_softmax
from .special import sigmoid
from .special import log_sigmoid
from .regression import mse_loss
from .regression import mse_loss_grad
from .regression import l1_loss
from .regression import l1_loss_grad
from .regression import huber_loss
from .regression import huber_loss_grad
from .regression import smooth_l1_loss
from .regression import smooth_l1_loss_grad
from .classification import cross_entropy
from .classification import cross_entropy_grad
from .classification import nll_loss
from .classification import nll_loss_grad
from .classification import binary_cross_entropy
from .classification import binary_cross_entropy_grad
from .classification import binary_cross_entropy_with_logits
from .classification import binary_cross_entropy_with_logits_grad
from .classification import kl_div
from .classification import kl_div_grad
from .encoding import one_hot
from .encoding import smooth_labels
from .gradcheck import numerical_grad
from .gradcheck import check_grad

# -- end losses --
from .data import make_linear_regression
from .data import make_blobs
from .data import make_spirals
from .linear import least_squares_line
from .linear import gradient_descent_line
from .fitting import fit_line
from .fitting import compare_reductions
from .fitting import loss_and_grad_curves
from .fitting import plot_loss_and_grad
from .robust import best_constant
from .robust import robust_line
from .robust import gradient_descent_constant
from .training import fit
from .notebook import glue
from .notebook import show_source
from .schedules import record_lr
from .schedules import lr_curve
from .schedules import steps_per_epoch
from .schedules import lr_range_test
from .schedules import suggest_lr
from .initialisation import weight_variance
from .initialisation import init_linear_
from .initialisation import layer_stats
from .initialisation import theory_std
from .classifiers import make_mlp
from .classifiers import train_classifier
from .classifiers import predict
from .classifiers import accuracy
from .classifiers import decision_grid
from .classifiers import plot_decision_regions
from .comparison import softmax_mse_loss
from .comparison import sigmoid_mse_loss
from .comparison import one_vs_rest_bce_loss
from .comparison import classification_losses
from .comparison import LossRun
from .comparison import compare_losses
from .comparison import logit_gradient
from .comparison import confidence_stats
from .regularisation import make_sine_regression
from .regularisation import ridge
from .regularisation import soft_threshold
from .regularisation import lasso
from .regularisation import lasso_alpha_max
from .regularisation import coefficient_path
from .regularisation import EarlyStopping
from .regularisation import early_stopping_epoch
from .regularisation import decay_parameter_groups
# isort: on

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "setup",
    "logsumexp",
    "softmax",
    "log_softmax",
    "sigmoid",
    "log_sigmoid",
    "mse_loss",
    "mse_loss_grad",
    "l1_loss",
    "l1_loss_grad",
    "huber_loss",
    "huber_loss_grad",
    "smooth_l1_loss",
    "smooth_l1_loss_grad",
    "cross_entropy",
    "cross_entropy_grad",
    "nll_loss",
    "nll_loss_grad",
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_grad",
    "kl_div",
    "kl_div_grad",
    "one_hot",
    "smooth_labels",
    "numerical_grad",
    "check_grad",
    "make_linear_regression",
    "make_blobs",
    "make_spirals",
    "least_squares_line",
    "gradient_descent_line",
    "fit_line",
    "compare_reductions",
    "loss_and_grad_curves",
    "plot_loss_and_grad",
    "best_constant",
    "robust_line",
    "gradient_descent_constant",
    "fit",
    "glue",
    "show_source",
    "record_lr",
    "lr_curve",
    "steps_per_epoch",
    "lr_range_test",
    "suggest_lr",
    "weight_variance",
    "init_linear_",
    "layer_stats",
    "theory_std",
    "make_mlp",
    "train_classifier",
    "predict",
    "accuracy",
    "decision_grid",
    "plot_decision_regions",
    "softmax_mse_loss",
    "sigmoid_mse_loss",
    "one_vs_rest_bce_loss",
    "classification_losses",
    "LossRun",
    "compare_losses",
    "logit_gradient",
    "confidence_stats",
    "make_sine_regression",
    "ridge",
    "soft_threshold",
    "lasso",
    "lasso_alpha_max",
    "coefficient_path",
    "EarlyStopping",
    "early_stopping_epoch",
    "decay_parameter_groups",
]
