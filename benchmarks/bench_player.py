"""Speed of the Player; prints each measured value and its ratio to the issue's target.

    python benchmarks/bench_player.py             # add --no-browser to skip the Chromium measurements

Targets (issue 11, on this 2-core machine, viewer loaded):
- first picture <= 150 ms for the 104-node trace and for the micrograd MLP 3->4->4->1,
  <= 1,000 ms for the MLP 3->16->16->1;
- seek <= 16 ms at every size;
- static page of the MLP 3->16->16->1 <= 5 MB;
- click -> painted <= 150 ms in JupyterLab/Chromium for the MLP 3->16->16->1;
- the classic example's first picture in a fresh kernel <= 400 ms.

"Kernel side" is what a kernel does: ``Player(t)`` (or ``seek``) with every widget message
serialised to JSON by a comm that stands in for ipykernel's (only the socket write is left out);
the classic example's first picture is measured in a real fresh kernel.
"In the page" is what the browser does with it, measured in Chromium on the static page (which
runs the same app.js): for the first picture, the front end mounted from the scene until its first
frame is painted (the first picture is kernel side + in the page); for a seek, the front end's work
and the browser's style and layout, with the time until the next frame is painted beside it.
Runs against any version of the package that has ``lab.Player`` (the page measurements need
``autograd_lab.view.webplayer``).
"""
from __future__ import annotations

import json
import os
import statistics
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
from tests.support.examples import mlp, regression  # noqa: E402  (regression(k): about 11 graph nodes and 14 steps a point)

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


CASES = {  # name -> (trace builder, first-picture target in ms)
    "104-node trace": (lambda: regression(9), 150),
    "MLP 3->4->4->1": (lambda: mlp((3, 4, 4, 1)), 150),
    "MLP 3->16->16->1": (lambda: mlp((3, 16, 16, 1)), 1000),
}


def report(name: str, value: float, target: float | None, unit: str, note: str = "") -> None:
    if target is None:
        print(f"{name:<62} {value:9.2f} {unit:<3}" + (f"  ({note})" if note else ""))
        return
    ratio = value / target
    verdict = "ok" if ratio <= 1 else "MISSED"
    print(f"{name:<62} {value:9.2f} {unit:<3} target {target:g} {unit:<3} ratio {ratio:5.2f}  {verdict}"
          + (f"  ({note})" if note else ""))


def n_nodes(p) -> int:
    return len(p.graph.nodes)


def kernel_first_picture(trace, repeat: int = 3) -> tuple[float, object]:
    """Median seconds for Player(trace), widget messages serialised; and the last player."""
    comm.create_comm = JsonComm
    times, p = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        p = lab.Player(trace)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), p


def kernel_seek(p) -> tuple[float, float]:
    comm.create_comm = JsonComm
    n = p.n_frames
    order = [(i * 37) % n for i in range(200)]  # jumps as well as neighbours
    times = []
    JsonComm.sent = 0
    for i in order:
        t0 = time.perf_counter()
        p.seek(i if i != p.index else (i + 1) % n)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), JsonComm.sent / len(order)


def browser():
    """A headless Chromium page, or None (with the reason printed) when it cannot run."""
    if "--no-browser" in sys.argv:
        return None
    try:
        from playwright.sync_api import sync_playwright

        from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
    except ImportError as e:
        print(f"in the page: not measured ({e})")
        return None
    if not os.access(CHROMIUM, os.X_OK):
        print(f"in the page: not measured (no Chromium at {CHROMIUM})")
        return None
    return sync_playwright, CHROMIUM, CHROMIUM_ARGS


# Mount the front end again from the page's scene into a new element, until the frame is painted.
MOUNT_JS = """async () => {
  const text = document.getElementById('alab-scene').textContent, times = [];
  for (let r = 0; r < 5; r++) {
    const host = document.createElement('div');
    host.style.width = '840px';
    document.body.append(host);
    const t0 = performance.now();
    const p = window.alabMount(host, JSON.parse(text));
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    times.push(performance.now() - t0);
    p.destroy(); host.remove();
  }
  times.sort((a, b) => a - b);
  return times[2];
}"""

# Seek to steps all over the trace: the front end's work plus the browser's style and layout (forced
# right after), and the time until the next frame has been painted.
SEEK_JS = """async () => {
  const P = window.alabPlayer, n = P.n, work = [], painted = [];
  for (let k = 0; k < 60; k++) {
    const i = (k * 37) % n, t0 = performance.now();
    P.show(i);
    document.querySelector('.alab-svg').getBoundingClientRect();
    work.push(performance.now() - t0);
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    painted.push(performance.now() - t0);
  }
  const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
  return [med(work), med(painted)];
}"""


def bench_cases() -> None:
    tools = browser()
    page_times = {}
    for name, (make, target) in CASES.items():
        trace = make()
        secs, p = kernel_first_picture(trace)
        nodes, steps = n_nodes(p), p.n_frames
        kernel_ms = secs * 1e3
        with tempfile.TemporaryDirectory() as tmp:
            path = p.save_html(Path(tmp) / "player.html")
            size = path.stat().st_size
            mount = seek_page = None
            if tools is not None and _has_front():
                sync_playwright, chromium, args = tools
                with sync_playwright() as pw:
                    ctx = pw.chromium.launch_persistent_context(
                        str(Path(tmp) / "profile"), executable_path=chromium, headless=True, args=args,
                        viewport={"width": 1280, "height": 900})
                    try:
                        page = ctx.pages[0]
                        page.goto(path.as_uri())
                        page.locator(".alab-player .alab-svg").wait_for()
                        mount = page.evaluate(MOUNT_JS)
                        seek_page = page.evaluate(SEEK_JS)
                    finally:
                        ctx.close()
        label = f"{name} ({nodes} nodes, {steps} steps)"
        if mount is None:
            report(f"first picture, kernel side: {label}", kernel_ms, target, "ms")
        else:
            report(f"first picture: {label}", kernel_ms + mount, target, "ms",
                   f"kernel side {kernel_ms:.0f} ms + in the page {mount:.0f} ms")
        seek, sent = kernel_seek(p)
        report(f"seek, kernel side: {name}", seek * 1e3, 16, "ms", f"{sent / 1e3:.1f} kB sent per seek")
        if seek_page is not None:
            report(f"seek, in the page (front end + style + layout): {name}", seek_page[0], 16, "ms",
                   f"until the next frame is painted: {seek_page[1]:.0f} ms")
        page_times[name] = size
        if name == "MLP 3->16->16->1":
            report(f"static page, {label}", size / 1e6, 5, "MB")


def _has_front() -> bool:
    try:
        import autograd_lab.view.webplayer  # noqa: F401
    except ImportError:
        return False
    return True


def bench_fresh_kernel() -> None:
    """The classic example's first picture in a fresh IPython kernel (started with jupyter_client, as
    JupyterLab starts one): Player(t), its one-off imports and its widget messages included."""
    from jupyter_client.manager import start_new_kernel

    code = EXAMPLE + textwrap.dedent("""
        import time
        t0 = time.perf_counter()
        p = lab.Player(t)
        display(p)
        print(time.perf_counter() - t0)
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    runs = []
    for _ in range(3):
        km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT), env=env)
        try:
            out = []
            kc.execute_interactive(code, timeout=120, output_hook=lambda msg: out.append(
                msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
            runs.append(float("".join(out).split()[-1]))
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    report("classic example, first picture in a fresh kernel", statistics.median(runs) * 1e3, 400, "ms",
           "Player(t) with its one-off imports, kernel side")


# Clicks next and waits until the player changed, then for the next animation frame (paint).
CLICK_LATENCY_JS = """async (n) => {
  const player = document.querySelector('.alab-player');
  const frame = player.querySelector('.alab-frame'), next = player.querySelector('.alab-next');
  const times = [];
  for (let i = 0; i < n; i++) {
    if (next.disabled) break;
    const changed = new Promise((resolve, reject) => {
      const late = setTimeout(() => reject(new Error('no change 5 s after a click on next')), 5000);
      const obs = new MutationObserver(() => { obs.disconnect(); clearTimeout(late); resolve(); });
      // the player, not only the picture: inside a closed box a step may change only the narration and the table
      obs.observe(player, {childList: true, subtree: true, characterData: true, attributes: true});
    });
    const t0 = performance.now();
    next.click();
    await changed;
    await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    times.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  return times;
}"""


def bench_lab_click() -> None:
    tools = browser()
    if tools is None:
        return
    sync_playwright, chromium, args = tools
    from tests.browser.conftest import serve_jupyterlab, write_notebook

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        with serve_jupyterlab(home) as server, sync_playwright() as playwright:
            cases = [("classic example", EXAMPLE + "lab.Player(t)"),
                     ("MLP 3->16->16->1", f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
                                         "from tests.support.examples import mlp\nimport autograd_lab as lab\n"
                                         "p = lab.Player(mlp((3, 16, 16, 1)))\np.seek(p.n_frames // 2)\np")]
            for i, (name, source) in enumerate(cases):
                write_notebook(server.root_dir / f"bench{i}.ipynb", source)
                context = playwright.chromium.launch_persistent_context(
                    str(home / f"chromium-profile{i}"), executable_path=chromium, headless=True,
                    args=args, viewport={"width": 1280, "height": 900}, timeout=60_000)
                try:
                    page = context.pages[0] if context.pages else context.new_page()
                    server.open_notebook(page, f"bench{i}.ipynb")
                    server.run_all(page)
                    page.locator(".alab-player .alab-frame svg").wait_for()
                    page.wait_for_timeout(500)
                    times = page.evaluate(CLICK_LATENCY_JS, 20)
                finally:
                    context.close()
                report(f"click on next -> picture painted, JupyterLab, {name}", statistics.median(times), 150,
                       "ms", f"max {max(times):.0f} ms over {len(times)} clicks")


def bench_build() -> None:
    """graph.build (structure, states, narration, groups, layout) of micrograd-style MLPs, nothing cut."""
    from autograd_lab.view import graph
    graph.build(regression(2))  # the view's modules and the catalogue loaded, as for every later player
    for nouts, target in (((4, 4, 1), 150), ((16, 16, 1), 1000)):
        t = mlp((3, *nouts))
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
    bench_fresh_kernel()
    bench_build()
    bench_cases()
    bench_lab_click()


if __name__ == "__main__":
    main()
