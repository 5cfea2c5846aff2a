"""The lessons in a real JupyterLab, walked as a first-time student does (issue 10).

For every lesson: open it with the file browser open and the output area 840 px wide, Run All,
then look at what is on the screen: the title renders as a heading (not as a grey code block),
every player and Predict cell shows a player, the player's controls step it, and every Predict
question is answered by clicking its choices or typing into it (a wrong answer, Hint, then
the right one). Screenshots of each screen go to test-artifacts/lesson-NN-*.png, to be looked
at: that part of the check is a person's.
"""
from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from tests.browser.conftest import resize_until, screenshot, settle

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FOLDER = "lessons"  # the copy inside the session's server root
OUTPUT_WIDTH = 840  # px: the width the lessons are written for (a laptop with the file browser open)
EDITOR_WIDTH = ("() => document.querySelector('.jp-Notebook .jp-CodeCell .jp-InputArea-editor')"
                ".getBoundingClientRect().width")


@pytest.fixture(scope="module")
def lessons(jupyterlab_server):
    """Temporary copies of notebooks/ under the server's root (the server writes checkpoints)."""
    target = jupyterlab_server.root_dir / FOLDER
    if not target.exists():
        shutil.copytree(ROOT / "notebooks", target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return jupyterlab_server


def _calls(path: Path, names: tuple[str, ...]) -> list[ast.Call]:
    """The calls of ``names`` (last part of the called name), one list entry per cell that has one."""
    found = []
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "code":
            calls = [n for n in ast.walk(ast.parse("".join(cell["source"])))
                     if isinstance(n, ast.Call) and ast.unparse(n.func).split(".")[-1] in names]
            found += calls[:1]
    return found


def _predicts(path: Path) -> list[dict]:
    """Each Predict's answer, choices and wrong answers: the notebook names the question, the
    question bank (lessons/questions.py) holds them, in the notebook's language (a zh lesson's choices
    are Chinese: lesson 9's)."""
    from autograd_lab.lessons import questions
    lang = "zh" if "zh" in path.parts else "en"
    return [questions.texts(ast.literal_eval(call.args[0]), lang) for call in _calls(path, ("Predict",))]


def _open_at_840(server, page, name: str) -> None:
    """Open the notebook with the file browser shown, the window sized so outputs are 840 px wide."""
    server.open_notebook(page, name)
    page.evaluate("() => window.jupyterapp.shell.activateById('filebrowser')")
    page.locator(".jp-FileBrowser").wait_for()
    resize_until(page, EDITOR_WIDTH, OUTPUT_WIDTH)  # (the callers assert the width)


def _right_choice(predict: dict) -> str:
    answer, choices = predict["answer"], predict.get("choices")
    if choices is None:
        return {True: "yes", False: "no"}.get(answer, str(answer)) if isinstance(answer, bool) else str(answer)
    if isinstance(answer, bool):  # "Yes, it raises" / "是，会报错"
        return next(c for c in choices if c.lower().startswith(("yes", "是") if answer else ("no", "否")))
    return str(answer)


def _wrong_choice(predict: dict) -> str:
    answer = _right_choice(predict)
    if predict.get("choices"):
        return next(c for c in predict["choices"] if c != answer)
    wrong = [w for w in (predict.get("wrong") or {}) if w != answer]
    return wrong[0] if wrong else "0"


def _answer(box, predict: dict, text: str) -> None:
    if predict.get("choices"):
        box.locator(".alab-predict-input select").select_option(label=text)
        box.locator(".alab-predict-check").click()
    else:
        field = box.locator(".alab-predict-input input")
        field.fill(text)
        field.press("Enter")


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_a_student_walks_the_lesson(lessons, browser_page, path):
    from playwright.sync_api import expect

    page, stem = browser_page, f"lesson-{path.name[:2]}"
    _open_at_840(lessons, page, f"{FOLDER}/{path.name}")
    lessons.run_all(page)

    # The title and intro render as a heading and prose, not as a code block.
    first = page.locator(".jp-MarkdownCell").first
    expect(first.locator(".jp-RenderedMarkdown h1")).to_have_count(1)
    expect(first.locator(".jp-RenderedMarkdown pre")).to_have_count(0)
    width = page.evaluate(EDITOR_WIDTH)
    assert abs(width - OUTPUT_WIDTH) <= 2, width
    # The first code cell's lines fit: no horizontal scrollbar in its editor.
    editor = page.locator(".jp-CodeCell .cm-scroller").first
    assert editor.evaluate("(e) => e.scrollWidth <= e.clientWidth"), "the first cell's lines run off the right edge"
    page.evaluate("() => { document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer').scrollTop = 0; }")
    expect(first).to_be_in_viewport()
    settle(page)  # (the cells brought back into view are drawn)
    screenshot(page, f"{stem}-top")

    # each "same in real PyTorch" cell folds the real-torch player under "Watch it in real PyTorch" (torch is
    # installed for the tests): opened, as a student would
    watch = page.locator(".jp-OutputArea-output details.alab-watch > summary")
    expect(watch).to_have_count(len(_calls(path, ("same_in_pytorch",))))
    for k in range(watch.count()):
        watch.nth(k).click()
    players = page.locator(".jp-OutputArea-output .alab-player")
    expect(players).to_have_count(len(_calls(path, ("Player", "Predict", "same_in_pytorch"))))
    expect(players.first.locator(".alab-frame svg")).to_be_visible()

    # The player's controls: next and back move the narration; the slider's end is the last step.
    plain = page.locator(".jp-OutputArea-output .alab-player:not(.alab-predict .alab-player)")
    big_graphs = 0
    for k in range(plain.count()):
        player = plain.nth(k)
        player.scroll_into_view_if_needed()
        narration = player.locator(".alab-narration")
        start = " ".join(narration.text_content().split())
        player.locator(".alab-next").click()
        expect(narration).not_to_have_text(start)
        player.locator(".alab-next").click()
        player.locator(".alab-prev").click()
        expect(narration).not_to_have_text(start)
        player.locator(".alab-prev").click()
        expect(narration).to_have_text(start)
        screenshot(player, f"{stem}-player-{k + 1}")
        handle = player.locator(".alab-slider")
        handle.focus()
        handle.press("End")  # the slider's end: the last step
        expect(narration).not_to_have_text(start)
        screenshot(player, f"{stem}-player-{k + 1}-last")
        # a big graph (lesson 8's micrograd MLP, its weights in model.layers) first shows a few boxes, not
        # hundreds of nodes
        if "model.layers" in player.locator(".alab-table").text_content():
            boxes = player.locator(".alab-svg g.k-group:not(.hid)").count()
            nodes = player.locator(".alab-svg g.alab-node:not(.k-group)").count()
            assert 2 <= boxes <= 12 and nodes <= 12, (stem, k, boxes, nodes)
            big_graphs += 1

    if path.name.startswith("08"):
        assert big_graphs == 2, big_graphs  # the MLP's player, and the second player of its trace that Python steps
    # Every Predict: untouched (nothing revealed), a wrong answer, a hint, then the right answer.
    for k, predict in enumerate(_predicts(path)):
        box = page.locator(".alab-predict").nth(k)
        box.scroll_into_view_if_needed()
        feedback = box.locator(".alab-predict-feedback")
        narration = box.locator(".alab-narration")
        before = " ".join(narration.text_content().split())
        expect(feedback).to_have_text("")
        jumps = box.locator(".alab-jump option").all_inner_texts()  # lesson 6 offered "error (line 8 ...)"
        assert not [j for j in jumps if j.startswith("error")], jumps
        screenshot(box, f"{stem}-predict-{k + 1}-before")
        _answer(box, predict, _wrong_choice(predict))
        expect(feedback).to_contain_text("Not quite")
        expect(narration).to_have_text(before)  # a wrong answer reveals nothing
        box.locator(".alab-predict-hint").click()
        expect(feedback).to_contain_text("int")  # "Hint: ..." or "No hint for this one: ..."
        _answer(box, predict, _right_choice(predict))
        expect(feedback).to_contain_text("Right!")
        expect(narration).not_to_have_text(before)  # the player moved to the revealing step
        screenshot(box, f"{stem}-predict-{k + 1}-answered")

    # Prose with lists and links (the tour's "How every lesson works") and the closing comparison.
    for k, cell in enumerate(page.locator(".jp-MarkdownCell").all()):
        if cell.locator(".jp-RenderedMarkdown ol, .jp-RenderedMarkdown ul").count():
            expect(cell.locator(".jp-RenderedMarkdown pre")).to_have_count(0)
            cell.scroll_into_view_if_needed()
            screenshot(cell, f"{stem}-prose-{k}")
    # Longer printed results and pictures (lesson 08's loss table and curves).
    for k, cell in enumerate(page.locator(".jp-CodeCell").all()):
        texts = cell.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stdout']")
        if cell.locator(".jp-OutputArea-output img").count() or any(
                len(t.splitlines()) >= 4 for t in texts.all_inner_texts()):
            cell.scroll_into_view_if_needed()
            screenshot(cell, f"{stem}-output-{k}")
    last = page.locator(".jp-Notebook .jp-Cell").last
    last.scroll_into_view_if_needed()
    expect(last).to_be_in_viewport()
    settle(page)
    screenshot(page, f"{stem}-end")


def test_check_after_hint_gives_a_verdict(lessons, browser_page):
    """Type 3, Enter (a verdict), Hint, Check: the second Check must give a verdict again."""
    from playwright.sync_api import expect

    page = browser_page
    lessons.open_notebook(page, f"{FOLDER}/05_next_functions_and_accumulation.ipynb")
    lessons.run_all(page)
    box = page.locator(".alab-predict").nth(2)   # w.grad after the second backward
    box.scroll_into_view_if_needed()
    feedback = box.locator(".alab-predict-feedback")
    field = box.locator(".alab-predict-input input")
    field.fill("3")
    field.press("Enter")
    expect(feedback).to_contain_text("3 is what ONE backward gives")
    box.locator(".alab-predict-hint").click()
    expect(feedback).to_contain_text("Hint:")
    box.locator(".alab-predict-check").click()
    expect(feedback).to_contain_text("Not quite", timeout=5_000)


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
    # ... nor reachable: next, the slider and the jump menu stop at the question
    expect(which.locator(".alab-next")).to_be_disabled()
    which.locator(".alab-frame").click()  # (the keys step the player once it has focus)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    expect(narration).to_contain_text("AddBackward0 runs")
    slider = which.locator(".alab-slider")
    assert slider.get_attribute("max") == slider.input_value()
    which.locator(".alab-predict-reveal").click()
    expect(feedback).to_contain_text("The answer: AccumulateGrad of b")
    expect(narration).to_contain_text("AccumulateGrad sets b.grad to 1")
    assert int(which.locator(".alab-slider").get_attribute("max")) > int(which.locator(".alab-slider").input_value())
    expect(which.locator(".alab-next")).to_be_enabled()

    # "What does MulBackward0 send to w?": 1 (what it receives) is explained; 3 reveals its step and formula.
    sends = page.locator(".alab-predict").nth(1)
    sends.scroll_into_view_if_needed()
    narration = sends.locator(".alab-narration")
    feedback = sends.locator(".alab-predict-feedback")
    box = sends.locator(".alab-predict-input input")
    box.fill("1")
    box.press("Enter")
    expect(feedback).to_contain_text("1 is what MulBackward0 receives")
    expect(narration).not_to_contain_text("grad · x")
    box.fill("3")
    box.press("Enter")
    expect(feedback).to_contain_text("Right!")
    expect(narration).to_contain_text("By the chain rule: to w: grad · x = 1 · 3 = 3.")
    screenshot(sends, "lesson-05-chain-rule-revealed")

    # "w.grad after the second backward?": typed; Enter checks; the right number reveals the step.
    value = page.locator(".alab-predict").nth(2)
    value.scroll_into_view_if_needed()
    narration = value.locator(".alab-narration")
    feedback = value.locator(".alab-predict-feedback")
    box = value.locator(".alab-predict-input input")
    box.fill("3")
    box.press("Enter")
    expect(feedback).to_contain_text("3 is what ONE backward gives")
    expect(narration).not_to_contain_text("3 + 3 = 6")
    value.locator(".alab-predict-hint").click()
    expect(feedback).to_contain_text("Hint:")
    box.fill("6")
    value.locator(".alab-predict-check").click()
    expect(feedback).to_contain_text("Right!")
    expect(narration).to_contain_text("3 + 3 = 6")
    screenshot(value, "lesson-05-predict-revealed")
