"""Every player's picture is complete after Run All, in every notebook, English and Chinese.

For each notebook under notebooks/ (lessons, exercises, the playground; notebooks/zh/ too), opened
in JupyterLab 4 with the file browser open (outputs 840 px wide, as the lessons are written for):
Run All, then, before any click, every cell is brought into view one by one and every player in
it is checked with ``tests.support.picture.PICTURE_CHECK``: the nodes and edges painted on the
screen are exactly the ones the player's scene says exist at the step it shows, no picture text
is under 9 px on the screen (except the pictures listed in ``SMALL_TEXT``), nothing reaches past
the output's right edge. Then every Predict is answered rightly and its revealing picture is
checked the same way; the playground (no player before Run) runs each example of its menu, and
each picture is checked at its first step and its last.

The English notebooks run in JupyterLab's "full" windowing mode (cells out of the viewport are
taken out of the page: a player below the first screen may be drawn while its cell is detached),
the Chinese ones in the default mode ("contentVisibility"). A Predict's player is drawn inside a
VBox built before it is displayed, off the page: the test asserts it was (``MOUNT_WATCH`` records,
for each player, whether the page held it when it was drawn). ``test_pictures_drawn_off_the_page_
are_complete`` does the same for players in a tab not selected, a closed accordion and VBoxes, in
JupyterLab and in Voila.

A picture of each player goes to test-artifacts/paint-<notebook>-<n>.png, to be looked at.
"""
from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot, serve_jupyterlab, settle, wait_still, wait_until, write_notebook
from tests.browser.test_lessons import EDITOR_WIDTH, OUTPUT_WIDTH, _answer, _calls, _open_at_840, _predicts, _right_choice
from tests.browser.test_player_lab import EXAMPLE
from tests.support.picture import MOUNT_WATCH, PICTURE_CHECK, problems

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
FOLDER = "paint"  # the copies inside the server's root
SHOWS_A_PLAYER = ("Player", "Predict", "same_in_pytorch")  # a cell calling one of these shows a player

# Pictures with text under 9 px on the screen, known and left so for now: the picture's name in
# test-artifacts without "paint-" and the language ("08_practice-2", "lab-hidden-4") -> why. The tests
# fail when one of these no longer has small text, so that the list stays honest.
SMALL_TEXT: dict[str, str] = {
    # (empty since the camera shows a graph too big to fit readably at a readable scale: camera.js, framing.js)
}


def _lang(path: Path) -> str:
    return "zh" if "zh" in path.relative_to(ROOT / "notebooks").parts[:1] else "en"


def _key(path: Path) -> str:
    """The notebook's path under notebooks/, zh/ dropped."""
    rel = path.relative_to(ROOT / "notebooks")
    return str(rel.relative_to("zh") if _lang(path) == "zh" else rel)


def _stem(path: Path) -> str:
    return _lang(path) + "-" + _key(path).removesuffix(".ipynb").replace("/", "-")


def _with_notebooks(server):
    target = server.root_dir / FOLDER
    if not target.exists():
        shutil.copytree(ROOT / "notebooks", target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return server


@pytest.fixture(scope="module")
def lab_full(tmp_path_factory):
    """JupyterLab in "full" windowing mode (cells out of view are taken out of the page), notebooks/ copied in."""
    home = tmp_path_factory.mktemp("lab-full")
    settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "full"}))
    with serve_jupyterlab(home) as server:
        yield _with_notebooks(server)


@pytest.fixture(scope="module")
def lab_default(jupyterlab_server):
    """The session's JupyterLab (default windowing mode, "contentVisibility"), notebooks/ copied in."""
    return _with_notebooks(jupyterlab_server)


# Bring cell i into view (in "full" windowing it is put back into the page); true once the page holds it.
_SHOW_CELL = """async (i) => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  const cell = nb.widgets[i];
  await nb.scrollToItem(i, 'start');
  for (let t = 0; t < 300 && !cell.node.isConnected; t++) await new Promise((r) => setTimeout(r, 50));  // (15 s)
  return cell.node.isConnected;
}"""
_CELL = "(i) => window.jupyterapp.shell.currentWidget.content.widgets[i].node"
_PLAYERS_IN = """(i) => [...window.jupyterapp.shell.currentWidget.content.widgets[i].node
                       .querySelectorAll('.alab-player')].filter((r) => r.alab)"""


def _settle(root) -> None:
    """Scroll the player's frame to the middle of the window and wait until its picture stops changing
    (JupyterLab draws the cells brought into view, the player fits its new width)."""
    root.evaluate("(r) => r.querySelector('.alab-frame').scrollIntoView({block: 'center'})")
    wait_still(root)


def _open(server, page, name: str) -> None:
    """Open as tests/browser/test_lessons.py does: file browser shown, code cells 840 px wide."""
    _open_at_840(server, page, name)
    width = page.evaluate(EDITOR_WIDTH)
    assert abs(width - OUTPUT_WIDTH) <= 2, width


def _player_cells(path: Path) -> set[int]:
    """The indices of the cells whose code calls Player, Predict or same_in_pytorch (each shows a player)."""
    out = set()
    for i, cell in enumerate(json.loads(path.read_text())["cells"]):
        if cell["cell_type"] == "code" and any(
                isinstance(n, ast.Call) and ast.unparse(n.func).split(".")[-1] in SHOWS_A_PLAYER
                for n in ast.walk(ast.parse("".join(cell["source"])))):
            out.add(i)
    return out


def _check(page, root, name: str) -> dict:
    _settle(root)
    report = page.evaluate(PICTURE_CHECK, root)
    report["shot"] = name
    screenshot(root, name)
    return report


def _walk(page, path: Path, stem: str) -> list[tuple[int, object, dict]]:
    """Every player of the open notebook, cell by cell, checked before any click: (cell, root, report)."""
    cells = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.widgets.length")
    want = _player_cells(path)
    found = []
    for i in range(cells):
        assert page.evaluate(_SHOW_CELL, i), f"cell {i} never came into the page"
        if i in want:
            # the real torch run under a parity table is folded ("Watch it in real PyTorch"): opened as a student would
            page.wait_for_function(f"() => ({_PLAYERS_IN})({i}).length > 0 || !!({_CELL})({i})"
                                   ".querySelector('details.alab-watch')", timeout=30_000)
            page.evaluate(f"(i) => {{ for (const s of ({_CELL})(i).querySelectorAll('details.alab-watch:not([open]) > summary')) s.click(); }}", i)
            page.wait_for_function(f"() => ({_PLAYERS_IN})({i}).length > 0", timeout=30_000)
        else:
            settle(page)  # (the page drawn after the scroll)
        roots = page.evaluate_handle(_PLAYERS_IN, i)
        for k in range(page.evaluate("(rs) => rs.length", roots)):
            root = page.evaluate_handle("([rs, k]) => rs[k]", [roots, k]).as_element()
            found.append((i, root, _check(page, root, f"paint-{stem}-{len(found) + 1}")))
    return found


def _answer_rightly(page, root, k: int, predict: dict) -> None:
    """Answer the Predict around ``root`` rightly, as tests/browser/test_lessons.py does."""
    root.evaluate(f"(r) => r.closest('.alab-predict').setAttribute('data-paint-predict', '{k}')")
    _answer(page.locator(f"[data-paint-predict='{k}']"), predict, _right_choice(predict))


def _run_playground_examples(page, stem: str) -> list[dict]:
    """Each example of the playground's menu, loaded and Run: its picture, checked, at its first step and
    its last."""
    from playwright.sync_api import expect

    menu = page.locator(".alab-playground .widget-dropdown select")
    names = menu.locator("option").all_text_contents()[1:]  # the first is the menu's title
    assert names, "the playground's example menu is empty"
    reports = []
    for k, name in enumerate(names):
        menu.select_option(label=name)
        mounts = page.evaluate("() => window.__alabMounts || 0")
        page.locator(".alab-playground .alab-run").click()
        page.wait_for_function(f"() => (window.__alabMounts || 0) > {mounts}", timeout=30_000)
        player = page.locator(".alab-playground .alab-player")
        expect(player).to_have_count(1)  # the new one (the last run's player is gone)
        root = player.element_handle()
        reports.append(_check(page, root, f"paint-{stem}-{k + 1}"))
        # and its last step, where the whole graph is (a loop's nodes that never change again too)
        root.query_selector(".alab-slider").press("End")
        page.wait_for_function("(r) => r.alab.step() === r.alab.scene.steps.length - 1", arg=root)
        reports.append(_check(page, root, f"paint-{stem}-{k + 1}-last"))
    return reports


def _verdicts(reports: list[dict]) -> list[str]:
    """The failures among the reports, with SMALL_TEXT applied (and checked for being still true)."""
    bad = []
    for r in reports:
        known = SMALL_TEXT.get(re.sub(r"^paint-(en-|zh-)?", "", r["shot"]))
        p = problems(r, min_text=known is None)
        if known and not r["smallTexts"]:
            p.append(f"listed in SMALL_TEXT ({known}) but its smallest text is {r['minTextPx']} px: "
                     "take it off the list")
        if p:
            bad.append(f"{r['shot']} (step {r['step'] + 1} of {r['steps']}): " + "; ".join(p))
    return bad


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: _stem(p))
def test_every_picture_is_complete_after_run_all(request, browser_page, path):
    lab = request.getfixturevalue("lab_full" if _lang(path) == "en" else "lab_default")
    page, stem = browser_page, _stem(path)
    page.add_init_script(MOUNT_WATCH)
    _open(lab, page, f"{FOLDER}/{path.relative_to(ROOT / 'notebooks')}")
    lab.run_all(page)

    found = _walk(page, path, stem)
    reports = [r for _, _, r in found]
    if path.stem == "playground":
        assert not found, "a playground shows no player before Run"
        reports = _run_playground_examples(page, stem)
    else:
        assert len(found) >= len(_calls(path, SHOWS_A_PLAYER)), len(found)
    print(stem, json.dumps([(r["shot"].split("-")[-1], r["step"], r["steps"], r["expected"], r["painted"],
                             r["minTextPx"], r["drawnAttached"]) for r in reports]))
    bad = _verdicts(reports)
    assert not bad, "pictures not as their scene says, after Run All:\n" + "\n".join(bad)
    predicts = [root for _, root, _ in found if root.evaluate("(r) => !!r.closest('.alab-predict')")]
    if predicts:  # drawn inside a VBox built before it is displayed: off the page
        assert not any(r.evaluate("(r) => r.__alabDrawnAttached") for r in predicts)

    # Each Predict answered rightly: the revealing picture is complete too.
    answers = _predicts(path)
    assert len(answers) == len(predicts), (len(answers), len(predicts))
    revealed = []
    for k, (root, predict) in enumerate(zip(predicts, answers)):
        _settle(root)
        before = root.evaluate("(r) => r.alab.step()")
        _answer_rightly(page, root, k, predict)
        page.wait_for_function("([r, b]) => r.alab.step() !== b", arg=[root, before], timeout=15_000)
        revealed.append(_check(page, root, f"paint-{stem}-predict-{k + 1}-revealed"))
    bad = _verdicts(revealed)
    assert not bad, "pictures not as their scene says after a right answer:\n" + "\n".join(bad)


# Players drawn where the page does not show them yet: in a tab not selected, a closed accordion, a VBox
# built before it is displayed (after seek() to the middle), a real-torch nn.Sequential's in a VBox.
HIDDEN_PLACES = [
    EXAMPLE.removesuffix("lab.Player(t)") + """\
import ipywidgets as widgets
def player(i):
    p = lab.Player(t)
    p.seek(i)
    return p""",
    """\
tab = widgets.Tab([widgets.HTML("the first tab"), player(9)])
tab.titles = ("first", "player")
tab""",
    "widgets.Accordion([player(12)], titles=('player',))",
    "widgets.VBox([player(15)])",
    """\
import torch
torch.manual_seed(0)
with lab.trace() as tt:
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    loss = model(torch.tensor([[1.0, 2.0]])).sum()
    loss.backward()
p = lab.Player(tt)
p.seek(p.n_frames - 1)
widgets.VBox([p])""",
]


def _check_hidden_places(page, stem: str) -> list[dict]:
    """The pictures of HIDDEN_PLACES, each checked once the page shows it (the tab and the accordion opened)."""
    page.locator(".widget-tab .lm-TabBar-tab").nth(1).click()
    page.locator(".jupyter-widget-Collapse-header").first.click()
    # every player drawn (each is checked once its picture stops changing: _check)
    mounted = "() => [...document.querySelectorAll('.alab-player')].filter((r) => r.alab)"
    wait_until(lambda: page.evaluate(f"() => ({mounted})().length"), lambda k: k >= 4)
    roots = page.evaluate_handle(mounted)
    n = page.evaluate("(rs) => rs.length", roots)
    assert n == 4, n
    reports = []
    for k in range(n):
        root = page.evaluate_handle("([rs, k]) => rs[k]", [roots, k]).as_element()
        reports.append(_check(page, root, f"paint-{stem}-{k + 1}"))
    return reports


@pytest.mark.browser
def test_pictures_drawn_off_the_page_are_complete(lab_default, voila_server, browser_page):
    """In JupyterLab and in Voila (which draws every output before it shows the page)."""
    page = browser_page
    page.add_init_script(MOUNT_WATCH)
    write_notebook(lab_default.root_dir / "paint_hidden.ipynb", *HIDDEN_PLACES)
    _open(lab_default, page, "paint_hidden.ipynb")
    lab_default.run_all(page)
    page.locator(".alab-player").last.wait_for(state="attached")
    lab_reports = _check_hidden_places(page, "lab-hidden")
    write_notebook(voila_server.root_dir / "paint_hidden.ipynb", *HIDDEN_PLACES)
    voila_server.open_notebook(page, "paint_hidden.ipynb")
    voila_reports = _check_hidden_places(page, "voila-hidden")
    reports = lab_reports + voila_reports
    print(json.dumps([(r["shot"], r["step"], r["expected"], r["painted"], r["minTextPx"], r["drawnAttached"])
                      for r in reports]))
    assert [r["step"] for r in reports] == [9, 12, 15, reports[3]["steps"] - 1] * 2
    assert sum(not r["drawnAttached"] for r in reports) >= 4, "no player was drawn off the page"
    bad = _verdicts(reports)
    assert not bad, "pictures drawn off the page, not as their scene says:\n" + "\n".join(bad)
