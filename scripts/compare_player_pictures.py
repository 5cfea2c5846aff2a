"""Screenshots of the player's static pages, to show that a front-end change changes no pixel.

    python scripts/compare_player_pictures.py shoot OUT [--root TREE]   # PNGs of every picture into OUT
    python scripts/compare_player_pictures.py compare BEFORE AFTER      # pixel differences, picture by picture

``shoot`` imports autograd_lab (and tests/support/examples.py) from ``--root`` (default: this
checkout), so the pictures of an older version come from a copy of it (``git archive``), and the
script itself stays the same. The pictures: each of ``EXAMPLES`` and lesson 8's MLP 3->4->4->1 and the
MLP 3->16->16->1, in the static page at 840 px, at the first, middle and last step, with a table row
clicked (the inspector), and, for a graph with closed boxes, with the first box opened. With
``--lessons``, also every player the English lessons (notebooks/0*.ipynb of ``--root``) make: their
code cells are run in order (outside Jupyter) and each trace given to a Player is drawn the same way.
``compare`` prints, for each picture, the number of differing pixels; exit status 1 when any differs.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH = 840


def _pictures(root: Path, lessons: bool = False):
    sys.path.insert(0, str(root))
    import autograd_lab as lab
    from tests.support.examples import EXAMPLES, mlp
    traces = {name: make for name, make in EXAMPLES.items()}
    traces["mlp_3_4_4_1"] = lambda: mlp((3, 4, 4, 1))
    traces["mlp_3_16_16_1"] = lambda: mlp((3, 16, 16, 1))
    if lessons:
        for name, t in _lesson_traces(root):
            traces[name] = lambda t=t: t
    return lab, traces


def _lesson_traces(root: Path):
    """(name, trace) of every Player the English lessons make, in order: each lesson's code cells run
    in one namespace, in the notebook's folder, with Player.__init__ noting the trace it is given."""
    import contextlib
    import io
    import json
    import os

    import matplotlib
    matplotlib.use("Agg")
    from autograd_lab.view import player as player_module
    made = []
    init = player_module.Player.__init__

    def noting(self, trace, *args, **kwargs):
        made.append(trace)
        init(self, trace, *args, **kwargs)

    player_module.Player.__init__ = noting
    here = os.getcwd()
    try:
        for nb in sorted((root / "notebooks").glob("0*.ipynb")):
            os.chdir(nb.parent)
            ns = {"display": lambda *a, **k: None, "__name__": "__main__"}
            start = len(made)
            for cell in json.loads(nb.read_text())["cells"]:
                if cell["cell_type"] != "code":
                    continue
                with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(Exception):
                    exec(compile("".join(cell["source"]), str(nb), "exec"), ns)
            for j, t in enumerate(made[start:]):
                yield f"{nb.stem}-{j}", t
    finally:
        os.chdir(here)
        player_module.Player.__init__ = init


def shoot(out: Path, root: Path, lessons: bool = False) -> None:
    # the browser's settings from this checkout, then the pictures from ROOT's (an older tree's tests package
    # may lack these modules, so this one's is put away before that one is imported)
    sys.path.insert(0, str(ROOT))
    from tests.browser.conftest import CHROMIUM_ARGS
    from tests.support.requirements import CHROMIUM
    for name in [m for m in sys.modules if m == "tests" or m.startswith("tests.")]:
        del sys.modules[name]
    sys.path.remove(str(ROOT))
    lab, traces = _pictures(root, lessons)
    from playwright.sync_api import sync_playwright
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(Path(tmp) / "profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": WIDTH + 32, "height": 1000}, timeout=60_000)
        try:
            page = context.pages[0] if context.pages else context.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            for name, make in traces.items():
                path = lab.Player(make()).save_html(Path(tmp) / f"{name}.html")
                page.goto(path.as_uri())
                player = page.locator(".alab-player")
                player.locator(".alab-svg").wait_for()
                n = page.evaluate("window.alabPlayer.n")
                shots = [("first", 0), ("middle", n // 2), ("last", max(0, n - 1))]
                for label, i in shots:
                    page.evaluate("(i) => window.alabPlayer.show(i)", i)
                    page.wait_for_timeout(150)
                    player.screenshot(path=str(out / f"{name}-{label}.png"))
                # the inspector: the first tensor row of the table, clicked
                row = player.locator(".alab-table tr[data-k]:not([hidden])").first
                if row.count():
                    row.click()
                    page.wait_for_timeout(150)
                    player.screenshot(path=str(out / f"{name}-inspect.png"))
                    page.evaluate("window.alabPlayer.inspectNode(null)")
                # a grouped graph: its first closed box opened, at the middle step
                gi = page.evaluate("(window.alabPlayer.groups.find((g) => g.collapsed ?? g.c) || {i: -1}).i")
                if gi >= 0:
                    page.goto(path.as_uri())
                    player.locator(".alab-svg").wait_for()
                    page.evaluate("(i) => window.alabPlayer.show(i)", n // 2)
                    page.evaluate("(gi) => window.alabPlayer.openGroup(gi)", gi)
                    page.wait_for_timeout(300)
                    player.screenshot(path=str(out / f"{name}-opened.png"))
                print(f"{name}: {n} steps", flush=True)
                if errors:
                    raise SystemExit(f"{name}: errors in the page: {errors}")
        finally:
            context.close()


def compare(before: Path, after: Path) -> int:
    import numpy as np
    from PIL import Image
    names = sorted({p.name for p in before.glob("*.png")} | {p.name for p in after.glob("*.png")})
    bad = 0
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            print(f"{name}: only in {'AFTER' if not a.exists() else 'BEFORE'}")
            bad += 1
            continue
        x, y = np.asarray(Image.open(a).convert("RGB")), np.asarray(Image.open(b).convert("RGB"))
        if x.shape != y.shape:
            print(f"{name}: size {x.shape[1]}x{x.shape[0]} -> {y.shape[1]}x{y.shape[0]}")
            bad += 1
            continue
        diff = int((x != y).any(axis=2).sum())
        print(f"{name}: {'identical' if not diff else f'{diff} pixels differ'}")
        bad += bool(diff)
    print(f"{len(names)} pictures, {len(names) - bad} identical, {bad} differ")
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("shoot")
    s.add_argument("out", type=Path)
    s.add_argument("--root", type=Path, default=ROOT, help="the checkout whose autograd_lab draws the pictures")
    s.add_argument("--lessons", action="store_true", help="also every player the English lessons make")
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.cmd == "shoot":
        shoot(args.out, args.root.resolve(), args.lessons)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
