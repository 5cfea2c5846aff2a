"""Speed of the autograd core, measured side by side in one run; prints ratios to targets.

    python benchmarks/bench_core.py            # needs torch==2.13.0 and micrograd==0.1.0 for the ratios

Targets (issue "Autograd core"):
- scalar chains of 1e3 and 1e4 ops, forward + backward: <= 1.0x torch 2.13 (CPU, float32), <= 2.0x micrograd 0.1.0
- a tensor MLP (matmul form, batch 64, 3-16-16-1), forward + backward: <= 1.0x torch
- recording: a traced run <= 1.3x the untraced run; <= 200 bytes per event
- import autograd_lab <= 1.2x import numpy

Each timing is the best of several repeats (min is the least noisy estimate on a shared machine).
"""
from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
import tracemalloc

sys.setrecursionlimit(1_000_000)  # micrograd's topological sort is recursive
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import numpy as np  # noqa: E402

import autograd_lab as lab  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))


def best(fn, repeats=REPEATS) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def chain(mod, n: int):
    """n scalar ops alternating v = v * w and v = v + b, then backward."""
    def run():
        w = mod.tensor(0.999, requires_grad=True)
        b = mod.tensor(0.001, requires_grad=True)
        v = mod.tensor(1.0)
        for _ in range(n // 2):
            v = v * w
            v = v + b
        v.backward()
        return w
    return run


def chain_micrograd(n: int):
    from micrograd.engine import Value

    def run():
        w, b, v = Value(0.999), Value(0.001), Value(1.0)
        for _ in range(n // 2):
            v = v * w
            v = v + b
        v.backward()
        return w
    return run


def mlp(mod):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3)).astype(np.float32)
    Y = rng.normal(size=(64, 1)).astype(np.float32)
    shapes = [(3, 16), (16,), (16, 16), (16,), (16, 1), (1,)]
    init = [rng.normal(size=s).astype(np.float32) * 0.5 for s in shapes]
    x, y = mod.tensor(X), mod.tensor(Y)
    params = [mod.tensor(p, requires_grad=True) for p in init]

    def run():
        W1, b1, W2, b2, W3, b3 = params
        h = (x @ W1 + b1).tanh()
        h = (h @ W2 + b2).tanh()
        out = h @ W3 + b3
        loss = ((out - y) ** 2).mean()
        loss.backward()
        for p in params:
            p.grad = None
        return loss
    return run


def row(name: str, value: float, unit: str, ratio: float | None = None, target: float | None = None) -> None:
    extra = ""
    if ratio is not None:
        ok = "OK " if target is None or ratio <= target else "MISS"
        extra = f"  ratio {ratio:5.2f}" + (f"  (target <= {target}) {ok}" if target is not None else "")
    print(f"{name:<46} {value:10.3f} {unit}{extra}")


def bench_recording() -> None:
    """Traced vs untraced run. Measured before torch is imported: torch's large heap makes every
    full garbage collection slower, which would bill torch's import to our recording."""
    n = 10_000
    untraced = chain(lab, n)

    def traced():
        with lab.trace():
            chain(lab, n)()
    # Interleaved (untraced, traced, untraced, ...) so that drifts of the machine hit both alike.
    times: dict = {untraced: [], traced: []}
    for _ in range(2 * REPEATS):
        for fn, out in times.items():
            gc.collect()
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    plain, tr = min(times[untraced]), min(times[traced])

    def traced_and_read():
        with lab.trace() as t:
            chain(lab, n)()
        return t.events
    row(f"scalar chain {n} ops, untraced", plain * 1e3, "ms")
    row(f"scalar chain {n} ops, traced (recording)", tr * 1e3, "ms", tr / plain, 1.3)
    tr2 = best(traced_and_read)
    row("  ... and reading t.events (builds events)", tr2 * 1e3, "ms", tr2 / plain)

    tn = []
    for _ in range(3):
        with lab.trace() as t:
            chain(lab, n)()
        t.events
        t0 = time.perf_counter()
        t.names  # record/names.py: 10,001 values of v, numbered
        tn.append(time.perf_counter() - t0)
    row("  ... and then reading t.names (resolves names)", min(tn) * 1e3, "ms", min(tn) / plain)

    run = chain(lab, n)
    gc.collect()
    tracemalloc.start()
    with lab.trace() as t:
        w = run()
    t.events  # built: the memory of the events themselves counts
    traced_peak = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del w
    gc.collect()
    tracemalloc.start()
    w = run()
    plain_mem = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    per_event = (traced_peak - plain_mem) / len(t.events)
    row(f"memory per event ({len(t.events)} events)", per_event, "bytes", per_event / 200, 1.0)
    row("JSON size per event", len(t.to_json()) / len(t.events), "bytes")

    # For comparison (no target): events of tensor ops carry snapshots of up to 64 numbers
    # (kept at 8 bytes a number), or a summary of larger arrays, and those dominate.
    step = mlp(lab)
    step()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    with lab.trace() as t:
        for _ in range(20):
            step()
    t.events
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    row(f"  MLP, 20 training steps ({len(t.events)} events), per event", used / len(t.events), "bytes")


def bench_import() -> None:
    tn, ta = [], []
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for module, out in (("numpy", tn), ("autograd_lab", ta)):
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True, cwd=os.path.dirname(HERE), env=env)
    for _ in range(9):  # interleaved, so that machine load hits both alike
        for module, out in (("numpy", tn), ("autograd_lab", ta)):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", f"import {module}"], check=True, cwd=os.path.dirname(HERE), env=env)
            out.append(time.perf_counter() - t0)
    row("import numpy (python -c, median)", statistics.median(tn) * 1e3, "ms")
    row("import autograd_lab (python -c, median)", statistics.median(ta) * 1e3, "ms",
        statistics.median(ta) / statistics.median(tn), 1.2)


def main() -> None:
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}")
    bench_recording()
    print()
    bench_import()
    print()
    # micrograd before torch is imported (see bench_recording: torch's heap slows every GC pass)
    try:
        import micrograd  # noqa: F401
        print("micrograd 0.1.0")
        for n in (1_000, 10_000):
            ours = best(chain(lab, n))
            m = best(chain_micrograd(n))
            row(f"scalar chain {n:>6} ops: autograd_lab", ours * 1e3, "ms")
            row(f"scalar chain {n:>6} ops: micrograd", m * 1e3, "ms", ours / m, 2.0)
    except ImportError:
        print("micrograd missing: pip install micrograd==0.1.0")
    print()
    try:
        import torch
    except ImportError:
        print("torch missing: pip install torch==2.13.0")
        return
    print(f"torch {torch.__version__} (autograd_lab measured again in the same process)")
    for n in (1_000, 10_000):
        ours = best(chain(lab, n))
        t = best(chain(torch, n))
        row(f"scalar chain {n:>6} ops: autograd_lab", ours * 1e3, "ms")
        row(f"scalar chain {n:>6} ops: torch", t * 1e3, "ms", ours / t, 1.0)
    print()
    ours = best(mlp(lab), repeats=REPEATS * 5)
    row("MLP 3-16-16-1, batch 64: autograd_lab", ours * 1e3, "ms")
    t = best(mlp(torch), repeats=REPEATS * 5)
    row("MLP 3-16-16-1, batch 64: torch", t * 1e3, "ms", ours / t, 1.0)
    print()
    bench_torch_recording(torch)


def bench_torch_recording(torch) -> None:
    """Real torch recorded (issue 12, record/torch/) vs the same torch run unrecorded:
    target <= 2.0x. As for the core, the events are built when ``t.events`` is first read: that
    time is printed too (no target)."""
    def recorded(fn):
        def run():
            with lab.trace():
                fn()
        return run

    def recorded_and_read(fn):
        def run():
            with lab.trace() as t:
                fn()
            len(t.events)
        return run

    for label, fn, reps in ((f"scalar chain {1_000:>6} ops", chain(torch, 1_000), REPEATS),
                            (f"scalar chain {10_000:>6} ops", chain(torch, 10_000), REPEATS),
                            ("MLP 3-16-16-1, batch 64", mlp(torch), REPEATS * 5)):
        times: dict = {fn: [], recorded(fn): [], recorded_and_read(fn): []}
        for _ in range(reps):  # interleaved, so that drifts of the machine hit both alike
            for f, out in times.items():
                gc.collect()
                t0 = time.perf_counter()
                f()
                out.append(time.perf_counter() - t0)
        plain, rec, read = (min(v) for v in times.values())
        row(f"{label}: torch", plain * 1e3, "ms")
        row(f"{label}: torch, recorded by lab.trace()", rec * 1e3, "ms", rec / plain, 2.0)
        row("  ... and reading t.events (builds events)", read * 1e3, "ms", read / plain)


if __name__ == "__main__":
    main()
