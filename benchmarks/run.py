"""Print lossbook's benchmark tables (``make bench``).

1. every chapter's execution time in a fresh kernel, the total and the budget;
2. lossbook against PyTorch, forward plus gradient, for every loss;
3. the time of ``make book`` with a warm environment.

Every number is a median over repeated runs. Timings on a busy or shared machine are noisy:
take the numbers that go into a note on a quiet machine. Options select tables and sizes:

    python benchmarks/run.py                      # all three tables
    python benchmarks/run.py --only losses --sizes 1e6 --repeats 11
    python benchmarks/run.py --only chapters --chapters book/mse.ipynb
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import _common  # noqa: E402  (pins BLAS/OpenMP threads before NumPy is imported)


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        default="chapters,losses,book",
        help="comma-separated tables: chapters, losses, book (default: all)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="repeats per measurement (default: chapters 3, losses 7, book 1)",
    )
    parser.add_argument("--sizes", default="1e3,1e5,1e6", help="loss sizes (elements)")
    parser.add_argument("--losses", default="", help="comma-separated loss names (default all)")
    parser.add_argument("--chapters", nargs="*", help="chapter notebooks (default book/*.ipynb)")
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = only - {"chapters", "losses", "book"}
    if unknown:
        parser.error(f"--only: unknown table(s) {sorted(unknown)}")

    import numpy as np
    import torch

    import lossbook

    print("# lossbook benchmarks\n")
    print(
        f"- machine: {_common.cores()} cores available to this process "
        f"({os.cpu_count()} in the machine), {platform.machine()}, "
        f"load average {_common.load()} at start"
    )
    print(
        f"- Python {platform.python_version()}, NumPy {np.__version__}, "
        f"torch {torch.__version__}, lossbook {lossbook.__version__} "
        f"({Path(lossbook.__file__).parent})"
    )
    print(
        f"- threads: NumPy's elementwise work runs on 1 thread (BLAS/OpenMP pinned with "
        f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}); torch.set_num_threads"
        f"({_common.THREADS}) for the loss table"
    )
    print(
        "- every time is the median of repeated runs; on a shared or busy machine the "
        "numbers are noisy, so quote the ones taken on a quiet machine\n"
    )
    sys.stdout.flush()

    if "chapters" in only:
        import bench_chapters

        chapters = (
            [Path(p).resolve() for p in args.chapters]
            if args.chapters
            else sorted((ROOT / "book").glob("*.ipynb"))
        )
        log("chapters: executing each in a fresh kernel ...")
        print(
            f"## 1. Chapter execution in a fresh kernel (budget "
            f"{bench_chapters.BUDGET:.0f} s each)\n"
        )
        print(bench_chapters.run(chapters, repeats=args.repeats or 3, log=log), "\n")
        sys.stdout.flush()

    if "losses" in only:
        import bench_losses

        sizes = tuple(int(float(s)) for s in args.sizes.split(","))
        names = [s for s in args.losses.split(",") if s] or None
        log("losses: lossbook against torch ...")
        print("## 2. lossbook against PyTorch: forward + gradient, 1 thread each\n")
        print(
            f"Classification losses use N x C = n elements with C = "
            f"{bench_losses.NUM_CLASSES}. Ratio > 1: lossbook is slower.\n"
        )
        print(bench_losses.run(repeats=args.repeats or 7, sizes=sizes, names=names, log=log), "\n")
        sys.stdout.flush()

    if "book" in only:
        import bench_book

        log("book: building into a temporary folder ...")
        print("## 3. `make book` with a warm environment\n")
        print(
            f"`jupyter-book build . {' '.join(bench_book.jb_flags(ROOT))}` into a temporary "
            f"`--path-output` (the repository's `_build` is not touched).\n"
        )
        start = time.perf_counter()
        print(bench_book.run(ROOT, repeats=args.repeats or 1, log=log), "\n")
        log(f"book: done in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
