"""The chapters' outputs do not depend on the machine: re-run the heaviest under another one.

Strict nbval already proves that a fresh run in the usual environment reproduces the stored
outputs. This test re-runs the chapters with the largest training runs in an environment that
differs in everything a reader's machine may differ in, and compares every text output with
the stored one:

* the thread count the process starts with: ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` and
  ``OPENBLAS_NUM_THREADS`` = 3 (not 1, and not the 2 or 4 a laptop or CI runner gives by
  default). This sets torch's thread pool before ``book.setup()`` pins torch to one thread,
  and it changes NumPy's BLAS threads (matrix products, least squares), which setup() does not
  pin, so a chapter whose printed numbers depend on a BLAS summation order shows up here;
* ``PYTHONHASHSEED`` fixed to another value (set and dict iteration order of strings);
* the working directory: each chapter runs from a temporary copy, not from ``book/``;
* the order: the chapters run in reverse, each in a fresh kernel.

torch itself cannot be given two threads without editing a chapter: ``book.setup()``
sets ``torch.set_num_threads(1)`` on purpose (design section 4), and that is what every
reader's run does too.

Text is compared after the same sanitising as strict nbval (``tests/nbval_sanitize.cfg``);
PNG figures are not compared, as in nbval. A chapter that differs is fixed at the source, not
sanitised away.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import BOOK, ROOT

# The chapters with the largest training runs (torch networks trained for hundreds of steps).
HEAVIEST = ["cross_entropy", "one_hot", "regularisation"]
THREADS = "3"
HASH_SEED = "4242"

RUNNER = textwrap.dedent("""
    import sys
    from pathlib import Path
    import nbformat
    from nbclient import NotebookClient
    for name in sys.argv[1:]:
        path = Path(name)
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        nbformat.write(nb, path)
""")


def _sanitizers():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "tests" / "nbval_sanitize.cfg", encoding="utf-8")
    return [(re.compile(cfg[s]["regex"]), cfg[s]["replace"]) for s in cfg.sections()]


def _text_outputs(nb: dict) -> dict[int, list[str]]:
    """Code cell number -> its sanitised text outputs (streams of one name merged, as nbval)."""
    subs = _sanitizers()
    found = {}
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for number, cell in enumerate(cells, start=1):
        texts, streams = [], {}
        for out in cell.get("outputs", []):
            kind = out["output_type"]
            if kind == "stream":
                streams[out["name"]] = streams.get(out["name"], "") + "".join(out["text"])
                continue
            if kind in ("execute_result", "display_data"):
                data = out.get("data", {})
                if "image/png" in data or "text/plain" not in data:
                    continue  # a figure: PNGs are not compared, as in nbval
                texts.append("".join(data["text/plain"]))
            elif kind == "error":
                texts.append(f"{out['ename']}: {out['evalue']}")
        texts += [f"{name}: {text}" for name, text in sorted(streams.items())]
        for regex, replace in subs:
            texts = [regex.sub(replace, t) for t in texts]
        if texts:
            found[number] = texts
    return found


@pytest.fixture(scope="module")
def rerun(tmp_path_factory) -> dict[str, tuple[str, Path]]:
    """The heaviest chapters re-executed in the other environment.

    Returns name -> (the stored notebook's text as copied, the executed copy), so that the
    comparison is with exactly the file that was re-run even if book/ changes meanwhile.
    """
    present = [name for name in HEAVIEST if (BOOK / f"{name}.ipynb").exists()]
    if not present:
        pytest.skip("none of the heaviest chapters exists yet")
    work = tmp_path_factory.mktemp("determinism")
    copies, stored = {}, {}
    for name in present:
        folder = work / name  # its own working directory, away from book/
        folder.mkdir()
        stored[name] = (BOOK / f"{name}.ipynb").read_text(encoding="utf-8")
        copies[name] = folder / f"{name}.ipynb"
        copies[name].write_text(stored[name], encoding="utf-8")
    env = {
        **os.environ,
        "OMP_NUM_THREADS": THREADS,
        "MKL_NUM_THREADS": THREADS,
        "OPENBLAS_NUM_THREADS": THREADS,
        "PYTHONHASHSEED": HASH_SEED,
    }
    order = [str(copies[name]) for name in reversed(present)]
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, *order],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, f"re-execution failed:\n{proc.stderr[-3000:]}"
    return {name: (stored[name], copies[name]) for name in present}


@pytest.mark.slow
@pytest.mark.parametrize("name", HEAVIEST)
def test_outputs_do_not_depend_on_threads_hash_seed_directory_or_order(rerun, name):
    if name not in rerun:
        pytest.skip(f"book/{name}.ipynb does not exist yet")
    stored_text, executed = rerun[name]
    stored = _text_outputs(json.loads(stored_text))
    fresh = _text_outputs(json.loads(executed.read_text(encoding="utf-8")))
    assert stored, f"{name}: no stored text outputs to compare"
    for number in sorted(set(stored) | set(fresh)):
        before, after = stored.get(number, []), fresh.get(number, [])
        assert after == before, (
            f"{name}, code cell {number} differs with {THREADS} threads, "
            f"PYTHONHASHSEED={HASH_SEED}, another directory and order:\n"
            f"stored:\n{before}\nnow:\n{after}"
        )
