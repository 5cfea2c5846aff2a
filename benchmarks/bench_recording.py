"""What recording real torch costs, measured side by side in one run; prints ratios to targets.

    python benchmarks/bench_recording.py            # needs torch 2.13

Targets (issue "Real PyTorch at real size", recording cost):
- one transformer block (d=32, T=8, batch 2), forward + backward: recorded <= 2.0x unrecorded (aim 1.5x)
- PyTorch's polynomial-fit tutorial (2,000 points, manual SGD under no_grad), 1,000 and 2,000 steps:
  recorded <= 3x unrecorded, and <= 300 MB more peak memory

Recorded means the ``with lab.trace()`` block alone; reading ``t.events`` (which builds the events)
is printed beside it, with no target. Recorded and unrecorded runs alternate; each figure is the
median of its runs, in CPU time of the process (``time.process_time``: seven processes share this
machine's two cores, and wall-clock time counts the waits for a core; ``BENCH_CLOCK=wall`` uses
``time.perf_counter``). torch runs on one thread (``torch.set_num_threads(1)``): on a shared machine
its thread pool makes the run time of the same forward vary several times over, which hides
what recording adds. Peak memory: the process's resident set (its peak, VmHWM, reset before the run: it covers
torch's own allocations, which tracemalloc does not see), in a fresh process per row; the extra is
the recorded run's rise minus the unrecorded run's.
"""
from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import torch  # noqa: E402

torch.set_num_threads(1)

from tests.support.examples import polynomial_fit, run_transformer_block, transformer_block_module  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "9"))


CLOCK = time.process_time if os.environ.get("BENCH_CLOCK", "cpu") == "cpu" else time.perf_counter


def side_by_side(plain, recorded, repeats):
    """Median seconds of ``plain()`` and ``recorded()``, run alternately, and of reading the events."""
    p, r, read = [], [], []
    for _ in range(repeats):
        gc.collect()
        t0 = CLOCK()
        plain()
        p.append(CLOCK() - t0)
        gc.collect()
        t0 = CLOCK()
        t = recorded()
        r.append(CLOCK() - t0)
        t0 = CLOCK()
        n = len(t.events)
        read.append(CLOCK() - t0)
    return statistics.median(p), statistics.median(r), statistics.median(read), n


def block_row(repeats):
    block = transformer_block_module()
    x = torch.randn(2, 8, 32)
    for _ in range(3):  # (warm: torch's first calls, the recorder's caches)
        run_transformer_block(block, x, traced=False)
        run_transformer_block(block, x, traced=True)

    def plain():
        block.zero_grad()
        run_transformer_block(block, x, traced=False)

    def recorded():
        block.zero_grad()
        return run_transformer_block(block, x, traced=True)[0]

    return side_by_side(plain, recorded, repeats)


def _rss_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        return int(next(line for line in f if line.startswith(field)).split()[1])


def memory_child(steps: int, traced: bool) -> None:
    """(run in a fresh process) how much one run raises the peak resident memory, in MB: the peak
    (VmHWM) is reset first (``/proc/self/clear_refs``: import torch peaks above what a run needs)."""
    polynomial_fit(5, traced=traced)  # (warm: what any run loads)
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = _rss_kb("VmRSS")
    t = polynomial_fit(steps, traced=traced)[0]
    after = _rss_kb("VmHWM")
    print((after - before) / 1024, len(t.events) if t is not None else 0)


def memory(steps: int, traced: bool) -> float:
    out = subprocess.run([sys.executable, __file__, "--memory", str(steps), str(int(traced))], check=True,
                         capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=ROOT)).stdout
    return float(out.split()[0])


def main() -> None:
    clock = "CPU time" if CLOCK is time.process_time else "wall-clock time"
    print(f"torch {torch.__version__}, one thread; {clock}, medians of alternating runs")
    plain, rec, read, n = block_row(REPEATS * 3)
    print(f"transformer block (d=32, T=8, batch 2), forward + backward: unrecorded {plain * 1e3:.2f} ms, "
          f"recorded {rec * 1e3:.2f} ms: {rec / plain:.2f}x (target <= 2.0x, aim 1.5x); "
          f"reading t.events ({n} events) {read * 1e3:.2f} ms")
    for steps in (1000, 2000):
        polynomial_fit(5, traced=True)
        plain, rec, read, n = side_by_side(lambda: polynomial_fit(steps, traced=False),
                                           lambda: polynomial_fit(steps, traced=True)[0], max(3, REPEATS // 3))
        extra = memory(steps, True) - memory(steps, False)
        print(f"polynomial tutorial, {steps} steps: unrecorded {plain:.3f} s, recorded {rec:.3f} s: "
              f"{rec / plain:.2f}x (target <= 3x); extra peak memory {extra:.0f} MB (resident set; target <= 300 MB); "
              f"reading t.events ({n} events) {read:.2f} s")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--memory":
        memory_child(int(sys.argv[2]), bool(int(sys.argv[3])))
    else:
        main()
