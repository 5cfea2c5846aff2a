"""Speed of the Player; prints each measured value and its ratio to the issue's target.

    python benchmarks/bench_player.py             # add --no-browser to skip the JupyterLab measurement

Targets (issue "Player", on this 2-core machine):
- one step (seek to frame i, view updated, kernel side) on a 100-node trace: median <= 16 ms
- first picture after Player(t) for the issue's example: <= 300 ms
- click on next -> updated picture in JupyterLab in Chromium: median <= 150 ms
- static HTML of a 100-step, 100-node trace: <= 3 MB

"Kernel side" includes what a kernel does to send the new state: the widgets' state is
serialised to JSON by a comm that stands in for ipykernel's (only the socket write is left out).
"First picture" is measured twice: in a fresh interpreter (the one-off imports of ipywidgets,
matplotlib and networkx included, as for the first player of a session) and once those
modules are loaded (every later player).
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import comm  # noqa: E402

import autograd_lab as lab  # noqa: E402

EXAMPLE = """\
import autograd_lab as lab
with lab.trace(catch_errors=True) as t:
    w = lab.tensor(2.0, requires_grad=True)
    x = lab.tensor(3.0)
    b = lab.tensor(1.0, requires_grad=True)
    y = w * x
    z = y + b
    z.backward(retain_graph=True)
    z.backward()
    z.backward()
"""


class JsonComm(comm.DummyComm):
    """A comm that serialises every message to JSON, as ipykernel's session does; counts the bytes."""

    sent = 0

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        JsonComm.sent += len(json.dumps({"data": data, "metadata": metadata or {}, **keys}, default=str))


def regression(k: int):
    """A loss summed over k data points (about 11 graph nodes and 14 steps per point)."""
    with lab.trace() as t:
        w = lab.tensor(0.5, requires_grad=True)
        b = lab.tensor(0.1, requires_grad=True)
        loss = lab.tensor(0.0)
        for i in range(k):
            x = lab.tensor(float(i))
            err = w * x + b - 2.0 * i
            loss = loss + err**2
        loss.backward()
    return t


def mlp(nouts, seed: int = 1):
    """The micrograd exercise: an MLP 3 -> nouts of scalar neurons (weights in lists, tanh on hidden
    layers), made and run on one sample inside the trace, a squared error, backward."""
    import random
    rnd = random.Random(seed)

    def neuron(nin, nonlin):
        return [lab.tensor(rnd.uniform(-1, 1), requires_grad=True) for _ in range(nin)], \
            lab.tensor(rnd.uniform(-1, 1), requires_grad=True), nonlin

    with lab.trace() as t:
        sizes = [3] + list(nouts)
        layers = [[neuron(sizes[i], i != len(nouts) - 1) for _ in range(sizes[i + 1])] for i in range(len(nouts))]
        x = [lab.tensor(2.0), lab.tensor(3.0), lab.tensor(-1.0)]
        for layer in layers:
            outs = []
            for w, b, nonlin in layer:
                act = sum((wi * xi for wi, xi in zip(w, x)), b)
                outs.append(act.tanh() if nonlin else act)
            x = outs
        loss = (x[0] - 1.0) ** 2
        loss.backward()
    return t


def report(name: str, value: float, target: float, unit: str, note: str = "") -> None:
    ratio = value / target
    verdict = "ok" if ratio <= 1 else "MISSED"
    print(f"{name:<58} {value:9.2f} {unit:<3} target {target:g} {unit:<3} ratio {ratio:5.2f}  {verdict}"
          + (f"  ({note})" if note else ""))


def bench_step() -> None:
    comm.create_comm = JsonComm
    t = regression(9)
    p = lab.Player(t)
    n = p.n_frames
    order = [(i * 37) % n for i in range(400)]  # jumps as well as neighbours
    times = []
    JsonComm.sent = 0
    for i in order:
        t0 = time.perf_counter()
        p.seek(i if i != p.index else (i + 1) % n)
        times.append(time.perf_counter() - t0)
    steps = []
    p.seek(0)
    for _ in range(n - 1):
        t0 = time.perf_counter()
        p.step()
        steps.append(time.perf_counter() - t0)
    nodes = len(p.graph.nodes)
    report(f"step: seek(i), views updated, state as JSON ({nodes} nodes)", statistics.median(times) * 1e3, 16, "ms",
           f"p95 {sorted(times)[int(0.95 * len(times))] * 1e3:.2f} ms; next(): median "
           f"{statistics.median(steps) * 1e3:.2f} ms; {JsonComm.sent / len(order) / 1e3:.0f} kB sent per step")
    pic = p.picture
    t0 = time.perf_counter()
    for i in range(n):
        pic.svg(i)
    print(f"    of which the SVG frame alone: {(time.perf_counter() - t0) / n * 1e3:.3f} ms per frame")


def bench_first_picture() -> None:
    code = EXAMPLE + textwrap.dedent("""
        import time
        t0 = time.perf_counter()
        p = lab.Player(t)
        assert "<svg" in p._frame.value
        cold = time.perf_counter() - t0
        warm = []
        for _ in range(5):
            t0 = time.perf_counter()
            p = lab.Player(t)
            warm.append(time.perf_counter() - t0)
        print(cold, sorted(warm)[2])
    """)
    runs = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
        runs.append(tuple(map(float, out.stdout.split())))
    cold = statistics.median(r[0] for r in runs)
    warm = statistics.median(r[1] for r in runs)
    report("first picture after Player(t), modules already loaded", warm * 1e3, 300, "ms")
    report("first picture after Player(t), fresh interpreter", cold * 1e3, 300, "ms",
           "includes importing ipywidgets, matplotlib, networkx once per session")


def bench_html_size() -> None:
    p = lab.Player(regression(9), max_frames=100)
    with tempfile.TemporaryDirectory() as tmp:
        path = p.save_html(Path(tmp) / "player.html")
        size = path.stat().st_size
    report(f"static HTML, {p.n_frames} steps, {len(p.graph.nodes)} nodes", size / 1e6, 3, "MB")


def bench_lab_click() -> None:
    try:
        from playwright.sync_api import sync_playwright

        from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_jupyterlab, write_notebook
        from tests.browser.test_player_lab import CLICK_LATENCY_JS
    except ImportError as e:
        print(f"click -> picture in JupyterLab: not measured ({e})")
        return
    if not os.access(CHROMIUM, os.X_OK):
        print(f"click -> picture in JupyterLab: not measured (no Chromium at {CHROMIUM})")
        return
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        with serve_jupyterlab(home) as server, sync_playwright() as playwright:
            cases = [("issue's example", EXAMPLE + "lab.Player(t)"),
                     ("104-node trace", "import sys\nsys.path.insert(0, %r)\nfrom bench_player import regression\n"
                                        "import autograd_lab as lab\nlab.Player(regression(9))" % str(HERE))]
            for i, (name, source) in enumerate(cases):
                write_notebook(server.root_dir / f"bench{i}.ipynb", source)
                context = playwright.chromium.launch_persistent_context(
                    str(home / f"chromium-profile{i}"), executable_path=CHROMIUM, headless=True,
                    args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900}, timeout=60_000)
                try:
                    page = context.pages[0] if context.pages else context.new_page()
                    server.open_notebook(page, f"bench{i}.ipynb")
                    server.run_all(page)
                    page.locator(".alab-player .alab-frame svg").wait_for()
                    times = page.evaluate(CLICK_LATENCY_JS, 20)
                finally:
                    context.close()
                report(f"click on next -> picture painted, JupyterLab, {name}", statistics.median(times), 150,
                       "ms", f"max {max(times):.0f} ms over {len(times)} clicks")


def bench_build() -> None:
    """graph.build (structure, states, narration, groups, layout) of micrograd-style MLPs, nothing cut."""
    from autograd_lab.view import graph
    graph.build(regression(2))  # networkx and the catalogue loaded, as for every later player
    for nouts, target in (((4, 4, 1), 150), ((16, 16, 1), 1000)):
        t = mlp(nouts)
        t.events  # noqa: B018 - the events are built once, before the player reads them
        wall, cpu = [], []
        for _ in range(5):
            t0, c0 = time.perf_counter(), time.process_time()
            g = graph.build(t)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        top = len(g.overview.get("nodes", ())) if g.groups else len(g.nodes)
        report(f"graph.build, MLP 3->{'->'.join(map(str, nouts))} ({len(g.nodes)} nodes, {len(g)} steps)",
               statistics.median(wall) * 1e3, target, "ms",
               f"cpu {statistics.median(cpu) * 1e3:.0f} ms; {len(g.groups)} groups, first picture {top} items; "
               f"the issue's first-picture target")


def main() -> None:
    print(f"Player benchmark, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    bench_build()
    bench_first_picture()
    bench_step()
    bench_html_size()
    if "--no-browser" not in sys.argv:
        bench_lab_click()


if __name__ == "__main__":
    main()
