"""Every loss of the registry equals its torch twin in value and gradient (Hypothesis, float64).

One parametrised test over ``tests/losses_registry.py``: a loss added there is checked here
with every option its strategy draws, at rtol 1e-9 (see ``assert_close`` for the only
absolute tolerance, on terms that cancel).
"""

import pytest
from hypothesis import given

from losses_registry import LOSSES, PARITY, check_parity


@pytest.mark.parametrize("entry", LOSSES, ids=lambda e: e.name)
def test_value_and_gradient_match_torch(entry):
    @PARITY
    @given(entry.cases)
    def check(case):
        check_parity(entry, case)

    check()
