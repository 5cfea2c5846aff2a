"""Regenerate docs/mlp-first.png and docs/mlp-last.png: the micrograd-style MLP 3->4->4->1 in the player.

    python scripts/make_mlp_screenshots.py [--width 840] [--out docs]

Builds the MLP's trace (tests/support/examples.py), writes the player's static page (the same front end
as the notebook widget), opens it in headless Chromium at a JupyterLab-like output width and
screenshots the player at its first and its last step. Needs Playwright and /usr/bin/chromium.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import autograd_lab as lab  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS  # noqa: E402
from tests.support.requirements import CHROMIUM  # noqa: E402
from tests.support.examples import mlp  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=840, help="the player's width in CSS pixels")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        page_path = lab.Player(mlp((3, 4, 4, 1))).save_html(Path(tmp) / "mlp.html", title="micrograd MLP 3-4-4-1")
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(Path(tmp) / "profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                viewport={"width": args.width + 32, "height": 1000}, timeout=60_000)
            try:
                page = context.pages[0] if context.pages else context.new_page()
                page.goto(page_path.as_uri())
                player = page.locator(".alab-player")
                player.locator(".alab-svg").wait_for()
                args.out.mkdir(parents=True, exist_ok=True)
                for name, step in (("mlp-first.png", 0), ("mlp-last.png", -1)):
                    page.evaluate("(i) => window.alabPlayer.show(i < 0 ? window.alabPlayer.n + i : i)", step)
                    page.wait_for_timeout(200)
                    player.screenshot(path=str(args.out / name))
                    print(f"wrote {args.out / name}")
            finally:
                context.close()


if __name__ == "__main__":
    main()
