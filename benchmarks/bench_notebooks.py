"""How long the lessons, exercises and solutions take to run top to bottom (nbclient), as a
ratio to the target: all of them together within 120 s on this 2-core machine.

    python benchmarks/bench_notebooks.py

Needs the [test] extra (nbclient, nbformat, ipykernel). Prints one line per notebook and the
total as a ratio (<= 1.0 meets the target).
"""
from __future__ import annotations

import time
from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parent.parent
TARGET = 120.0  # seconds for every notebook together


def main() -> None:
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + \
        sorted((ROOT / "notebooks" / "exercises").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))
    total = 0.0
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        started = time.perf_counter()
        nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}}).execute()
        seconds = time.perf_counter() - started
        total += seconds
        print(f"{path.relative_to(ROOT)!s:55} {seconds:6.1f} s")
    print(f"all {len(paths)} notebooks: {total:.1f} s; ratio to the {TARGET:.0f} s target: {total / TARGET:.2f}")


if __name__ == "__main__":
    main()
