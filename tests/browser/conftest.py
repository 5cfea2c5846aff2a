"""Fixtures for tests that drive a real Chromium against local JupyterLab and Voila servers.

- ``jupyterlab_server`` / ``voila_server`` (session-scoped): a server on 127.0.0.1 serving a
  temporary ``root_dir``; put notebooks there (names unique across the session).
- ``browser_page``: a fresh headless Chromium page (a new profile for every test).
- ``write_notebook(path, *sources)``: a notebook of code cells; ``screenshot(page_or_locator,
  name)``: ``test-artifacts/<name>.png``. A failing browser test leaves ``FAILED-<test>.png``.
- Waiting: never for a fixed time before a measurement (CI runs on a loaded 2-core machine). ``settle(x)``:
  two animation frames (what the front end does on its next frame: labels of boxes after a new scale, the
  table's scroll); ``wait_still(root)``: until the player's picture stops changing (a fit, JupyterLab's
  relayout); ``wait_until(fn, expected)``: poll a value that arrives later (through the kernel's comm, as
  ``wp.index`` after a click) for up to 15 s, then assert on what it returns; Playwright's ``expect``.

A new browser test, for example for a notebook that shows a player widget::

    from tests.browser.conftest import screenshot, write_notebook

    @pytest.mark.browser
    def test_player_steps(jupyterlab_server, browser_page):
        write_notebook(jupyterlab_server.root_dir / "player.ipynb", "...make the player...")
        jupyterlab_server.open_notebook(browser_page, "player.ipynb")
        jupyterlab_server.run_all(browser_page)
        player = browser_page.locator(".alab-player")
        player.wait_for()
        ...
        screenshot(player, "player-after-steps")

Playwright is started per test, never per session: while its sync API is alive, asyncio
(and so nbclient) cannot run in the same thread.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.support.requirements import ARTIFACTS, CHROMIUM, REQUIRE_BROWSER, require, require_browser

HOST = "127.0.0.1"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SERVER_START_TIMEOUT = 90  # seconds; about 2 s when warm
OPEN_TIMEOUT = 90_000  # milliseconds, Playwright's unit; open to kernel idle is about 5 s
RUN_TIMEOUT = 120_000
ACTION_TIMEOUT = 30_000  # Playwright's default for every other page call


def write_notebook(path: Path, *sources: str) -> Path:
    """Write a notebook with one code cell per source string; returns ``path``."""
    nbformat = require("nbformat", REQUIRE_BROWSER)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def screenshot(target, name: str) -> Path:
    """Save ``test-artifacts/<name>.png`` and return its path. ``target`` is a page (what
    the window shows) or a locator (just that element, e.g. a player, scrolled into view)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    target.screenshot(path=str(path))
    return path


# ---------------------------------------------------------------------------------- waiting for a condition
# A test waits for what it is about to measure, never for a fixed time (a loaded CI machine is slower
# than any guess): the front end's next frames (``settle``), the picture to stop changing
# (``wait_still``), a value the kernel holds or the page computes (``wait_until``).
WAIT_TIMEOUT = 15.0  # seconds

# The front end does some of its work on the next animation frame (camera.js places the labels of boxes and
# frames again after the scale changes; table.js scrolls the current row into view): two frames and it is done.
SETTLE_JS = "async () => { for (let k = 0; k < 2; k++) await new Promise((r) => requestAnimationFrame(() => r())); }"

# Resolves once the player's picture has not changed for ``frames`` frames in a row: the frame's place and
# size, the SVG's size and classes, the camera's transform (a ResizeObserver's fit, a relayout of JupyterLab
# after a scroll or a resize, the relabel on the frame after a new scale all change one of them first).
STILL_JS = """async (root, [frames, timeoutMs]) => {
  const look = () => {
    const fr = root.querySelector('.alab-frame'), svg = root.querySelector('.alab-svg');
    const cam = root.querySelector('.alab-cam'), r = fr ? fr.getBoundingClientRect() : null;
    return JSON.stringify([root.isConnected, r && [r.x, r.y, r.width, r.height],
                           svg && [svg.getAttribute('width'), svg.getAttribute('height'), svg.getAttribute('class')],
                           cam && cam.getAttribute('transform')]);
  };
  const t0 = performance.now();
  let last = look(), same = 0;
  const still = (async () => {
    while (same < frames) {
      await new Promise((r) => requestAnimationFrame(() => r()));
      const now = look();
      same = now === last ? same + 1 : 0;
      last = now;
      if (performance.now() - t0 > timeoutMs) return last;
    }
    return null;
  })();
  const late = new Promise((r) => setTimeout(() => r('no animation frame: ' + last), timeoutMs + 1000));
  return Promise.race([still, late]);
}"""


def settle(target) -> None:
    """Wait two animation frames in ``target``'s page (a page, a locator or an element handle)."""
    target.evaluate(SETTLE_JS)


def wait_still(root, timeout: float = WAIT_TIMEOUT, frames: int = 2) -> None:
    """Wait until the picture of the player ``root`` (a locator or an element handle) stops changing:
    the same for ``frames`` animation frames in a row. A picture still moving after ``timeout`` s fails."""
    moving = root.evaluate(STILL_JS, [frames, timeout * 1000])
    assert moving is None, f"the picture kept changing for {timeout} s; last seen: {moving}"


def wait_until(fn, expected, timeout: float = WAIT_TIMEOUT, interval: float = 0.1):
    """Call ``fn()`` until it returns ``expected`` (or, when ``expected`` is callable, a value it accepts)
    or ``timeout`` s passed; return the last value, for the test's own assert (its message shows it)."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if (expected(value) if callable(expected) else value == expected) or time.monotonic() > deadline:
            return value
        time.sleep(interval)  # (a poll's pace, not a wait for something to happen)


def steady(page, js: str, arg=None, timeout: float = WAIT_TIMEOUT):
    """``page.evaluate(js, arg)`` once it gives the same value two frames apart (a layout done)."""
    values = [page.evaluate(js, arg)]

    def two_frames_apart():
        settle(page)
        values.append(page.evaluate(js, arg))
        return values[-2:]
    return wait_until(two_frames_apart, lambda v: v[0] == v[1], timeout=timeout)[1]


def resize_until(page, width_js: str, width: float, tries: int = 3) -> float:
    """Resize the window until ``page.evaluate(width_js)`` (an element's width in px) is ``width`` (within
    2 px): each time, wait until JupyterLab laid its panels out again (the width changed, then held for two
    frames). Returns the width measured last, for the caller's assert."""
    now = steady(page, width_js)
    for _ in range(tries):
        if abs(now - width) <= 2:
            break
        vp, old = page.viewport_size, now
        page.set_viewport_size({"width": int(round(vp["width"] - (now - width))), "height": vp["height"]})
        wait_until(lambda: page.evaluate(width_js), lambda w: w != old)
        now = steady(page, width_js)
    return now


@dataclass
class LocalServer:
    """A server started by a fixture: ``url`` has no trailing slash."""

    url: str
    token: str
    root_dir: Path
    log: Path

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def _wait_for(self, page, js: str, arg, timeout: int, what: str) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            page.wait_for_function(js, arg=arg, timeout=timeout, polling=100)
        except PlaywrightTimeout:
            raise AssertionError(
                f"{what} did not happen within {timeout} ms.\nServer log ({self.log}):\n{self.log_tail()}"
            ) from None


_LAB_KERNEL_IDLE = """(path) => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const session = widget && widget.sessionContext;
  const kernel = session && session.isReady && session.session && session.session.kernel;
  return !!(kernel && widget.context.path === path
            && kernel.connectionStatus === 'connected' && kernel.status === 'idle');
}"""

_LAB_RUN_ALL = """async (timeoutMs) => {
  const app = window.jupyterapp;
  const widget = app.shell.currentWidget;
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`run-all took over ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([app.commands.execute('notebook:run-all-cells'), late]);
  } finally {
    clearTimeout(timer);
  }
  return widget.content.model.toJSON().cells.flatMap((cell) => (cell.outputs || [])
    .filter((out) => out.output_type === 'error')
    .map((out) => [`${out.ename}: ${out.evalue}`, ...out.traceback].join('\\n')));
}"""


class JupyterLabServer(LocalServer):
    def open_notebook(self, page, name: str, timeout: int = OPEN_TIMEOUT) -> None:
        """Open ``root_dir/name`` in a fresh workspace; return once its kernel is idle."""
        url = f"{self.url}/lab/workspaces/{uuid.uuid4().hex}/tree/{quote(name)}?reset&token={self.token}"
        page.goto(url, wait_until="domcontentloaded", timeout=timeout)
        self._wait_for(page, _LAB_KERNEL_IDLE, name, timeout, f"{name} opening with an idle kernel")

    def run_all(self, page, timeout: int = RUN_TIMEOUT, check: bool = True) -> list[str]:
        """Run all cells of the open notebook and wait for its kernel to be idle again.

        Returns the error outputs (name, message, traceback); with ``check`` they fail the test.
        """
        errors = page.evaluate(_LAB_RUN_ALL, timeout)
        path = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")
        self._wait_for(page, _LAB_KERNEL_IDLE, path, timeout, "The kernel going idle after run-all")
        errors = [re.sub(r"\x1b\[[0-9;]*m", "", error) for error in errors]
        if check and errors:
            raise AssertionError(f"{path} raised while running all cells:\n" + "\n\n".join(errors))
        return errors


_VOILA_SHOWN = """() => {
  const cells = document.getElementById('rendered_cells');  // shown once all cells ran
  return !!cells && cells.style.display !== 'none';
}"""


class VoilaServer(LocalServer):
    def open_notebook(self, page, name: str, timeout: int = OPEN_TIMEOUT) -> None:
        """Render ``root_dir/name`` (Voila runs all its cells) and wait until it is shown."""
        page.goto(f"{self.url}/voila/render/{quote(name)}?token={self.token}",
                  wait_until="domcontentloaded", timeout=timeout)
        self._wait_for(page, _VOILA_SHOWN, None, timeout, f"Voila rendering {name}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _get_ok(url: str, token: str) -> bool:
    no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with no_proxy.open(request, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def _serve(cls, home: Path, module: str, args: list[str], token_option: str, ready_path: str,
           python: str = sys.executable):
    """Run ``python -m module args`` in its own process group until the with-block ends;
    the server is ready once ``ready_path`` answers 200 to the token. ``python``: another
    interpreter (a fresh virtual environment's) that has ``module`` installed."""
    if python == sys.executable:
        require(module, REQUIRE_BROWSER)
    port, token = _free_port(), secrets.token_hex(16)
    server = cls(f"http://{HOST}:{port}", token, home / "root", home / "server.log")
    server.root_dir.mkdir()
    env = dict(os.environ)
    for var, sub in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython")]:
        env[var] = str(home / sub)
    cmd = [python, "-m", module, *args, f"--ip={HOST}", f"--port={port}", "--no-browser",
           f"{token_option}={token}"]
    with server.log.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=server.root_dir, env=env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        started, deadline = time.monotonic(), time.monotonic() + SERVER_START_TIMEOUT
        while not _get_ok(server.url + ready_path, token):
            if proc.poll() is not None or time.monotonic() > deadline:
                state = f"exited with {proc.returncode}" if proc.returncode is not None else "not ready"
                raise RuntimeError(f"{module} {state} after {time.monotonic() - started:.0f} s: "
                                   f"{' '.join(cmd)}\nServer log:\n{server.log_tail()}")
            time.sleep(0.1)
        yield server
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
                proc.wait(timeout=15)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue


@contextmanager
def serve_jupyterlab(home: Path, python: str = sys.executable):
    """JupyterLab 4 run by ``python`` on 127.0.0.1, serving ``home/root``, token auth,
    ``window.jupyterapp`` exposed for the tests (the ``jupyterlab_server`` fixture's server)."""
    # No "Would you like to get notified about official Jupyter news?" toast over the page.
    notification = home / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    args = ["--allow-root", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={home / 'root'}",
            "--LabApp.expose_app_in_browser=True"]
    with _serve(JupyterLabServer, home, "jupyterlab", args, "--IdentityProvider.token",
                "/api/status", python=python) as server:
        yield server


@pytest.fixture(scope="session")
def jupyterlab_server(tmp_path_factory):
    """JupyterLab 4 on 127.0.0.1, token auth, ``window.jupyterapp`` exposed for the tests."""
    with serve_jupyterlab(tmp_path_factory.mktemp("jupyterlab")) as server:
        yield server


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory):
    """Voila serving its ``root_dir`` (``/voila/render/NB.ipynb``), tracebacks shown."""
    home = tmp_path_factory.mktemp("voila")
    args = [str(home / "root"), "--Voila.port_retries=0", "--show_tracebacks=True"]
    with _serve(VoilaServer, home, "voila", args, "--Voila.token",
                "/voila/api/contents/") as server:  # 403 without the token
        yield server


@pytest.fixture
def browser_page(request, tmp_path):
    """A page of a fresh headless Chromium (1280x900); a failing test leaves a screenshot."""
    sync_playwright = require_browser()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900}, timeout=60_000)
        try:
            context.set_default_timeout(ACTION_TIMEOUT)
            page = context.pages[0] if context.pages else context.new_page()
            yield page
            report = getattr(request.node, "_alab_call_report", None)
            if report is not None and report.failed:
                with suppress(Exception):  # a crashed page must not hide the real failure
                    screenshot(page, "FAILED-" + re.sub(r"[^\w.-]+", "_", request.node.name))
        finally:
            context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item._alab_call_report = report
    return report


def pytest_collection_modifyitems(items):
    for item in items:  # called for the whole session: mark by fixture, not by folder
        if "browser_page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
