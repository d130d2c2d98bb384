"""lossbook: loss functions from scratch, checked against PyTorch.

The loss library of the book *lossbook*. Every loss is a small NumPy function
with its analytic gradient right below it, mirroring
:mod:`torch.nn.functional` name for name, so that PyTorch can serve as the
oracle for every value and every gradient. Importing it imports NumPy only.

The chapters' toolkit (set-up, data, training loops, plots) is the separate
subpackage :mod:`lossbook.book`, which needs torch and matplotlib.
"""

# The public API, one name per line, grouped by module (isort is off for the
# block, which is ordered by topic).
# isort: off
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
from .regression import quantile_loss
from .regression import quantile_loss_grad
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
from .focal import sigmoid_focal_loss
from .focal import sigmoid_focal_loss_grad
from .focal import focal_loss
from .focal import focal_loss_grad
from .focal import ghm_weights
from .focal import ghmc_loss
from .focal import ghmc_loss_grad
from .distillation import distillation_loss
from .distillation import distillation_loss_grad
from .overlap import dice_loss
from .overlap import dice_loss_grad
from .overlap import jaccard_loss
from .overlap import jaccard_loss_grad
from .overlap import box_iou_loss
from .overlap import box_iou_loss_grad
from .overlap import generalized_box_iou_loss
from .overlap import generalized_box_iou_loss_grad
from .overlap import distance_box_iou_loss
from .overlap import distance_box_iou_loss_grad
from .overlap import complete_box_iou_loss
from .overlap import complete_box_iou_loss_grad
from .metric import cosine_embedding_loss
from .metric import cosine_embedding_loss_grad
from .metric import contrastive_loss
from .metric import contrastive_loss_grad
from .metric import triplet_margin_loss
from .metric import triplet_margin_loss_grad
from .metric import margin_ranking_loss
from .metric import margin_ranking_loss_grad
from .metric import info_nce_loss
from .metric import info_nce_loss_grad
from .metric import nt_xent_loss
from .metric import nt_xent_loss_grad
from .encoding import one_hot
from .encoding import smooth_labels
from .penalties import l2_penalty
from .penalties import l2_penalty_grad
from .penalties import l1_penalty
from .penalties import l1_penalty_grad
from .penalties import soft_threshold
from .gradcheck import numerical_grad
from .gradcheck import check_grad
# isort: on

__version__ = "0.3.0"  # the same as pyproject.toml's

# Every name imported above, and nothing else: written once.
_MODULES = {
    "special",
    "regression",
    "classification",
    "encoding",
    "focal",
    "distillation",
    "overlap",
    "metric",
    "penalties",
    "gradcheck",
}
__all__ = sorted(n for n in dir() if n[0] != "_" and n not in _MODULES)
