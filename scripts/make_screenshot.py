"""Regenerate docs/player.png, the README's picture of the player, from the real widget.

    python scripts/make_screenshot.py [--frame N] [--out docs/player.png]

Runs the tour's example (the first player cell of notebooks/00_tour.ipynb) in JupyterLab in
headless Chromium, moves the player to a frame in the middle of the backward pass, and
screenshots the player element. Needs what the browser tests need (JupyterLab, Playwright and
/usr/bin/chromium; `bash scripts/test` installs them) and reuses their server code.
"""
from __future__ import annotations

import argparse
import ast
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM_ARGS, serve_jupyterlab, write_notebook  # noqa: E402
from tests.support.requirements import CHROMIUM  # noqa: E402


def tour_example() -> str:
    """The source of the tour's first cell that shows a player."""
    cells = json.loads((ROOT / "notebooks" / "00_tour.ipynb").read_text())["cells"]
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and any(
                isinstance(n, ast.Call) and ast.unparse(n.func) == "lab.Player" for n in ast.walk(ast.parse(source))):
            return source
    raise SystemExit("notebooks/00_tour.ipynb has no lab.Player(...) cell")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frame", type=int, default=None,
                        help="player frame to show (default: the middle of the backward pass)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "player.png")
    args = parser.parse_args()

    example = tour_example()
    # The example ends with `lab.Player(t)`: keep the player in a name to move it before showing it.
    body, last = example.rsplit("\n", 1)
    assert last.startswith("lab.Player("), last
    if args.frame is None:
        seek = "kinds = [e.kind for e in t.events]\nplayer.seek(kinds.index('node') + 2)"
    else:
        seek = f"player.seek({args.frame})"
    cells = ["import autograd_lab as torch\nimport autograd_lab as lab",
             f"{body}\nplayer = {last}\n{seek}\nplayer"]

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        with serve_jupyterlab(home) as server, sync_playwright() as playwright:
            write_notebook(server.root_dir / "player.ipynb", *cells)
            context = playwright.chromium.launch_persistent_context(
                str(home / "chromium-profile"), executable_path=CHROMIUM, headless=True,
                args=CHROMIUM_ARGS, viewport={"width": 1120, "height": 1000}, timeout=60_000)
            try:
                page = context.pages[0] if context.pages else context.new_page()
                server.open_notebook(page, "player.ipynb")
                page.evaluate("() => { const app = window.jupyterapp;"  # the whole width for the player
                              " if (!app.shell.leftCollapsed) app.commands.execute('application:toggle-left-area'); }")
                server.run_all(page)
                player = page.locator(".alab-player").first
                player.wait_for(state="visible")
                page.wait_for_timeout(500)  # let the frame's picture finish drawing
                args.out.parent.mkdir(parents=True, exist_ok=True)
                player.screenshot(path=str(args.out))
            finally:
                context.close()
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
