"""The chapters' outputs do not depend on the machine: re-run the heaviest under another one.

Strict nbval already proves that a fresh run in the usual environment reproduces the stored
outputs, and the CPU-path matrix (``tools/portable.py``) that other CPUs' kernels do too. This
test re-runs the chapters with the largest training runs in an environment that differs in
what else a reader's machine may differ in, and lets strict nbval compare every output with
the stored one:

* the thread count the process starts with: ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` and
  ``OPENBLAS_NUM_THREADS`` = 3 (not 1, and not the 2 or 4 a laptop or CI runner gives by
  default). This sets torch's thread pool before ``book.setup()`` pins torch to one thread,
  and it changes NumPy's BLAS threads (matrix products, least squares), which setup() does not
  pin, so a chapter whose printed numbers depend on a BLAS summation order shows up here;
* ``PYTHONHASHSEED`` fixed to another value (set and dict iteration order of strings);
* the working directory: each chapter runs from a temporary copy, not from ``book/``.

torch itself cannot be given two threads without editing a chapter: ``book.setup()``
sets ``torch.set_num_threads(1)`` on purpose (design section 4), and that is what every
reader's run does too. The comparison is nbval's own, with the book's sanitising
(``tests/nbval_sanitize.cfg``), through the same helper as the CPU-path matrix.
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from conftest import BOOK, ROOT

sys.path.insert(0, str(ROOT / "tools"))
from portable import strict_nbval  # noqa: E402

# The chapters with the largest training runs (torch networks trained for hundreds of steps).
HEAVIEST = ["cross_entropy", "one_hot", "regularisation"]
THREADS = "3"
HASH_SEED = "4242"


@pytest.mark.slow
@pytest.mark.parametrize("name", HEAVIEST)
def test_outputs_do_not_depend_on_threads_hash_seed_or_directory(name, tmp_path):
    chapter = BOOK / f"{name}.ipynb"
    if not chapter.exists():
        pytest.skip(f"book/{name}.ipynb does not exist yet")
    copy = tmp_path / chapter.name  # its own working directory, away from book/
    shutil.copyfile(chapter, copy)
    env = {
        **os.environ,
        "OMP_NUM_THREADS": THREADS,
        "MKL_NUM_THREADS": THREADS,
        "OPENBLAS_NUM_THREADS": THREADS,
        "PYTHONHASHSEED": HASH_SEED,
    }
    passed, failures, _ = strict_nbval(copy, env, cwd=tmp_path)
    assert passed, f"{name} differs in another environment:\n" + "\n".join(failures)
