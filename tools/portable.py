"""Run every chapter under strict nbval on each CPU path of the matrix; print a table.

Usage: python tools/portable.py [--jobs N] [--config NAME ...] [book/chapter.ipynb ...]

torch's CPU wheels choose their MKL and ATen kernels for the CPU they run on, and kernels
for different instruction sets round differently. Two environment variables make this CPU
take the paths another CPU would:

* ``MKL_CBWR`` (MKL's conditional bitwise reproducibility) fixes the code path of MKL,
  which torch uses for matrix products;
* ``ATEN_CPU_CAPABILITY`` caps the instruction set of ATen's own vectorised kernels
  (element-wise functions, reductions, softmax).

A chapter is portable when strict nbval passes in every configuration: each stored output
equals the fresh one and every assert holds. This is what ``make portable`` runs, and what
``make test`` runs after the rest of the suite. It exits 1 if any run fails.

Each run is one plain ``pytest --nbval`` process (nbval does the comparing); the runs go
two at a time, one per core, each chapter single-threaded as ``book.setup()`` makes it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"

# name -> environment. "native" is the CPU's own choice; the others simulate other CPUs.
CONFIGS: dict[str, dict[str, str]] = {
    "native": {},
    "avx2": {"MKL_CBWR": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"},
    "compatible": {"MKL_CBWR": "COMPATIBLE", "ATEN_CPU_CAPABILITY": "default"},
    "avx512": {"MKL_CBWR": "AVX512", "ATEN_CPU_CAPABILITY": "avx512"},
}
# What a configuration needs from the CPU (a flag of /proc/cpuinfo); without it the run
# would silently fall back to another path, so it is skipped and said so.
NEEDS = {"avx2": "avx2", "avx512": "avx512f"}
# The variables the matrix sets: cleared first, so that a value in the caller's
# environment cannot turn "native" into something else.
MATRIX_VARIABLES = ("MKL_CBWR", "ATEN_CPU_CAPABILITY")


def cpu_flags() -> set[str]:
    """The CPU's feature flags, from /proc/cpuinfo (empty where there is none)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            return set(line.split(":", 1)[1].split())
    return set()


def available(name: str, flags: set[str]) -> bool:
    """Whether this CPU can take configuration ``name``'s path."""
    need = NEEDS.get(name)
    return need is None or need in flags


def environment(name: str) -> dict[str, str]:
    """The process environment of one configuration."""
    env = {k: v for k, v in os.environ.items() if k not in MATRIX_VARIABLES}
    env.update(CONFIGS[name])
    return env


def nbval(chapter: Path, name: str) -> tuple[bool, list[str], float]:
    """Strict nbval on one chapter under one configuration of the matrix."""
    return strict_nbval(chapter, environment(name))


def strict_nbval(
    chapter: Path, env: dict[str, str], cwd: Path = ROOT
) -> tuple[bool, list[str], float]:
    """Strict nbval on one chapter, in its own pytest process with environment ``env``.

    nbval does the comparing: each stored output must equal the fresh one, after the
    book's sanitising. This is the book's one way of re-running a chapter to compare it
    (the CPU-path matrix here, the environment test in tests/test_determinism.py).

    Returns (passed, each failing cell with what differed, seconds). Cells are
    numbered as nbval numbers them: code cells only, from 0.
    """
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        command = [
            sys.executable,
            "-m",
            "pytest",
            str(chapter),
            "-o",
            "addopts=",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-q",
            "--nbval",
            "--nbval-current-env",
            f"--nbval-sanitize-with={SANITIZE}",
            "--nbval-cell-timeout=300",
            f"--junitxml={report}",
        ]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if done.returncode == 0:
            return True, [], seconds
        return False, failures(report, done.stdout + done.stderr), seconds


def failures(report: Path, output: str) -> list[str]:
    """The failing cells of a JUnit report, each with the first lines that differ."""
    try:
        cases = ET.parse(report).getroot().iter("testcase")
    except (OSError, ET.ParseError):
        return ["no report: " + " ".join(output.strip().splitlines()[-3:])]
    found = []
    for case in cases:
        for kind in ("failure", "error"):
            failed = case.find(kind)
            if failed is not None:
                cell = case.get("name", "?").split("::")[-1]
                found.append(f"{cell}: {summary(failed.text or failed.get('message', ''))}")
                break
    return found or ["failed outside a cell: " + " ".join(output.strip().splitlines()[-3:])]


def summary(text: str, width: int = 160) -> str:
    """The lines of an nbval failure that say what differed, on one line."""
    keep = [
        line.strip()
        for line in text.splitlines()
        if line.strip().startswith(("+", "-", "E ", "AssertionError", "Error"))
        and line.strip() not in ("+", "-")
    ]
    line = " | ".join(keep[:4]) or " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "chapters", nargs="*", type=Path, help="notebooks to check (default: every book/*.ipynb)"
    )
    parser.add_argument(
        "--config",
        action="append",
        choices=list(CONFIGS),
        help="configurations to run (default: all the CPU can take)",
    )
    parser.add_argument(
        "--all-cells",
        action="store_true",
        help="list every failing cell of a failed run, not only the first",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="runs at a time (default: one per core)",
    )
    args = parser.parse_args(argv)

    chapters = args.chapters or sorted((ROOT / "book").glob("*.ipynb"))
    flags = cpu_flags()
    wanted = args.config or list(CONFIGS)
    configs = [c for c in wanted if available(c, flags)]
    skipped = [c for c in wanted if c not in configs]
    for name in skipped:
        print(f"skipped {name}: this CPU has no {NEEDS[name]}")

    jobs = [(chapter, name) for chapter in chapters for name in configs]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = dict(zip(jobs, pool.map(lambda job: nbval(*job), jobs), strict=True))
    wall = time.perf_counter() - start

    print()
    print("| chapter | " + " | ".join(configs) + " |")
    print("| --- |" + " :---: |" * len(configs))
    failed = []
    for chapter in chapters:
        cells = []
        for name in configs:
            passed, why, seconds = results[chapter, name]
            cells.append(f"pass ({seconds:.0f} s)" if passed else "**FAIL**")
            if not passed:
                shown = why if args.all_cells else why[:1]
                failed.extend(f"- {chapter.stem} under {name}: {w}" for w in shown)
        print(f"| {chapter.stem} | " + " | ".join(cells) + " |")
    print()
    for name in configs:
        settings = " ".join(f"{k}={v}" for k, v in CONFIGS[name].items()) or "(none)"
        print(f"{name}: {settings}")
    if failed:
        which = "Every failing cell" if args.all_cells else "First differing output"
        print(f"\n{which} of each failed run (cells numbered as nbval does, code cells from 0):")
        print("\n".join(failed))
    print(f"\n{len(jobs)} runs in {wall:.0f} s, {args.jobs} at a time")
    passed = sum(results[job][0] for job in jobs)
    skipped_runs = len(chapters) * len(skipped)
    print(f"portable: {passed} passed, {len(jobs) - passed} failed, {skipped_runs} skipped")
    return 0 if passed == len(jobs) else 1


if __name__ == "__main__":
    sys.exit(main())
