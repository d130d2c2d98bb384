"""The registry of lossbook/torch pairs is complete: the tests, the fuzz test and the
benchmark all read it, so a loss missing from it would go untested and unmeasured."""

import torch.nn.functional as F

import lossbook
from losses_registry import LOSSES, ORACLES


def test_every_loss_with_a_torch_oracle_is_registered():
    public = set(lossbook.__all__)
    losses = {
        name
        for name in public
        # a loss, its gradient, and an oracle: torch's namesake or a torch expression
        if name + "_grad" in public and (hasattr(F, name) or name in ORACLES)
    }
    registered = {entry.name for entry in LOSSES}
    assert losses - registered == set(), "add these to tests/losses_registry.py"
    assert registered - public == set(), "registered but not public"
    for entry in LOSSES:
        assert entry.loss is getattr(lossbook, entry.name)
        assert entry.grad is getattr(lossbook, entry.name + "_grad")
        assert entry.torch_fn is getattr(F, entry.name, ORACLES.get(entry.name))
        assert entry.bench is not None, f"{entry.name}: no benchmark inputs"
