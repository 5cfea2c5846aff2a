"""The lessons in a real JupyterLab: every lesson runs without errors and shows its players, and
a Predict question gives feedback on a prediction, then the player reveals the step."""
from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FOLDER = "lessons"  # the copy inside the session's server root


@pytest.fixture(scope="module")
def lessons(jupyterlab_server):
    """Temporary copies of notebooks/ under the server's root (the server writes checkpoints)."""
    target = jupyterlab_server.root_dir / FOLDER
    if not target.exists():
        shutil.copytree(ROOT / "notebooks", target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return jupyterlab_server


def _player_cells(path: Path) -> int:
    count = 0
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "code":
            tree = ast.parse("".join(cell["source"]))
            count += any(isinstance(n, ast.Call) and ast.unparse(n.func).split(".")[-1] in ("Player", "Predict")
                         for n in ast.walk(tree))
    return count


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_and_shows_its_players(lessons, browser_page, path):
    from playwright.sync_api import expect

    lessons.open_notebook(browser_page, f"{FOLDER}/{path.name}")
    lessons.run_all(browser_page)
    players = browser_page.locator(".jp-OutputArea-output .alab-player")
    expect(players).to_have_count(_player_cells(path))
    expect(players.first.locator(".alab-frame svg")).to_be_visible()


def test_predict_then_reveal(lessons, browser_page):
    from playwright.sync_api import expect

    lessons.open_notebook(browser_page, f"{FOLDER}/05_next_functions_and_accumulation.ipynb")
    lessons.run_all(browser_page)
    page = browser_page

    # "Which node runs next?": a drop-down; a wrong choice is explained, "Show me" reveals.
    which = page.locator(".alab-predict").nth(0)
    which.scroll_into_view_if_needed()
    narration = which.locator(".alab-narration")
    expect(narration).to_contain_text("AddBackward0 runs")
    which.locator(".alab-predict-input select").select_option(label="AccumulateGrad of w")
    which.locator(".alab-predict-check").click()
    feedback = which.locator(".alab-predict-feedback")
    expect(feedback).to_contain_text("Not quite")
    expect(feedback).to_contain_text("MulBackward0, which has not run yet")
    expect(narration).to_contain_text("AddBackward0 runs")  # nothing revealed yet
    which.locator(".alab-predict-reveal").click()
    expect(feedback).to_contain_text("The answer: AccumulateGrad of b")
    expect(narration).to_contain_text("AccumulateGrad adds into b.grad")

    # "w.grad after the second backward?": typed; Enter checks; the right number reveals the step.
    value = page.locator(".alab-predict").nth(1)
    value.scroll_into_view_if_needed()
    narration = value.locator(".alab-narration")
    feedback = value.locator(".alab-predict-feedback")
    box = value.locator(".alab-predict-input input")
    box.fill("3")
    box.press("Enter")
    expect(feedback).to_contain_text("3 is what ONE backward gives")
    expect(narration).not_to_contain_text("3. + 3. = 6.")
    value.locator(".alab-predict-hint").click()
    expect(feedback).to_contain_text("Hint:")
    box.fill("6")
    value.locator(".alab-predict-check").click()
    expect(feedback).to_contain_text("Right!")
    expect(narration).to_contain_text("3. + 3. = 6.")
    screenshot(value, "lesson-05-predict-revealed")
