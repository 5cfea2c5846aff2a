"""Build time of the Player of a long training loop; prints each value and its ratio to the target.

    python benchmarks/bench_loop_player.py            # 2,000 steps (the tutorial's own); --steps N for another

PyTorch's polynomial-fit tutorial ("Learning PyTorch with Examples": 2,000 steps on a 2,000-point
tensor, manual SGD under ``no_grad()``), recorded with real torch. Target (issue 20): ``lab.Player(t)``
built in at most 1 s on this 2-core machine. Before view/loops.py folded long loops it took 8.5 s
(6.5 s on the issue's machine) for 92,006 events. The recording itself is measured by the benchmarks
of the recorder, not here; the first build and the median of three more are printed, with the graph's size.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import autograd_lab as lab  # noqa: E402
from bench_player import report  # noqa: E402  (one line per value: its ratio to the target)
from tests.support.examples import polynomial_tutorial  # noqa: E402

TARGET_S = 1.0


def main() -> None:
    steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 2000
    t0 = time.perf_counter()
    t = polynomial_tutorial(steps)
    report(f"polynomial tutorial, {steps} steps: recording", time.perf_counter() - t0, None, "s",
           f"{len(t.events):,} events")
    import autograd_lab.view.player  # noqa: F401  (ipywidgets and IPython: loaded in a kernel already, ~1 s here)
    times = []
    for _ in range(4):  # (the first also resolves the trace's names, once per trace: record/names.py)
        t0 = time.perf_counter()
        p = lab.Player(t)
        times.append(time.perf_counter() - t0)
    g = p._graph if hasattr(p, "_graph") else None
    note = f"{len(g.steps):,} steps, {len(g.nodes):,} nodes, {len(g.groups)} boxes" if g is not None else ""
    report("lab.Player(t) build, the first in this process", times[0], TARGET_S, "s", note)
    report("lab.Player(t) build, median of the next 3", statistics.median(times[1:]), TARGET_S, "s")


if __name__ == "__main__":
    main()
