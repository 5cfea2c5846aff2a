"""The player's controls and inspector as a reader meets them, in the static page (file://, Chromium).

- the zoom buttons (+, -, fit, whole graph) sit in a row of their own above the picture: at an 840 px
  wide player (a JupyterLab output with the file browser open), no node painted at any step of the
  shared examples is ever under one of them, fitted or showing the whole graph;
- the arrow keys step whenever the focus is inside the player (its buttons included), except in the
  table's filter (the caret moves) and the slider and menus (they move themselves, one step);
- the inspector of a grad_fn whose saved values were freed lists the fields as freed and says
  PyTorch's error once, not once per field.
"""
from __future__ import annotations

import autograd_lab as lab
from autograd_lab.view.player import Player
from tests.browser.conftest import screenshot
from tests.support.examples import EXAMPLES, classic

PLAYER_WIDTH = 840   # px: the output of a JupyterLab notebook with the file browser open
BODY_MARGIN = 16     # the static page's body margin (webplayer.page_html)


def _open(page, path, width=PLAYER_WIDTH):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": width + 2 * BODY_MARGIN, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_function("() => window.alabPlayer && document.querySelector('.alab-node')")
    return errors


# For every step (and at each, the fitted picture and the whole graph): the painted nodes whose box meets a
# view button's box, and the picture's width.
_UNDER_BUTTONS = """() => {
  const p = window.alabPlayer, hits = [];
  const buttons = [...document.querySelectorAll('.alab-view-controls button')].map((b) => b.getBoundingClientRect());
  const meets = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  for (let i = 0; i < p.n; i++) {
    for (const mode of ['fit', 'whole']) {
      p.mode = mode;
      p.show(i);
      for (const g of document.querySelectorAll('g.alab-node')) {
        if (!g.isConnected || getComputedStyle(g).display === 'none') continue;
        const r = g.querySelector('.shape').getBoundingClientRect();
        if (r.width === 0) continue;
        if (buttons.some((b) => meets(r, b))) hits.push([i + 1, mode, g.dataset.k, g.textContent.slice(0, 30)]);
      }
    }
  }
  return { hits, width: document.querySelector('.alab-svg').getBoundingClientRect().width, n: p.n,
           buttons: buttons.length };
}"""


def test_zoom_buttons_never_cover_a_node_at_840_px(browser_page, tmp_path):
    page = browser_page
    for name, make in EXAMPLES.items():
        path = Player(make()).save_html(tmp_path / f"{name}.html")
        errors = _open(page, path)
        report = page.evaluate(_UNDER_BUTTONS)
        assert report["buttons"] == 4
        assert abs(report["width"] - (PLAYER_WIDTH - 2)) <= 1, report["width"]   # the frame's 1 px border
        assert not report["hits"], f"{name}: nodes under the zoom buttons (step, mode, node): {report['hits'][:8]}"
        assert not errors, errors
        page.evaluate("() => { const p = window.alabPlayer; p.mode = 'fit'; p.show(p.n - 1); p.fit(); }")
        screenshot(page.locator(".alab-player"), f"controls-{name}-840")


def _step(page) -> int:
    return page.evaluate("() => window.alabPlayer.idx")


def test_arrow_keys_step_wherever_the_focus_is_in_the_player(browser_page, tmp_path):
    page = browser_page
    errors = _open(page, Player(classic()).save_html(tmp_path / "classic.html"))
    player = page.locator(".alab-player")
    player.locator(".alab-next").click()
    assert _step(page) == 1
    # "next" has the focus: the arrows keep stepping, both ways
    assert page.evaluate("() => document.activeElement.classList.contains('alab-next')")
    for want in (2, 3, 4):
        page.keyboard.press("ArrowRight")
        assert _step(page) == want
    page.keyboard.press("ArrowLeft")
    assert _step(page) == 3
    # any button of the player, the zoom buttons too
    player.locator(".alab-prev").focus()
    page.keyboard.press("ArrowRight")
    assert _step(page) == 4
    player.locator(".alab-fit").focus()
    page.keyboard.press("ArrowRight")
    assert _step(page) == 5
    # the picture itself
    player.locator(".alab-frame svg").click(position={"x": 3, "y": 3})
    page.keyboard.press("ArrowRight")
    assert _step(page) == 6
    # the slider moves itself: one step, not two
    player.locator(".alab-slider").focus()
    page.keyboard.press("ArrowRight")
    assert _step(page) == 7
    # in the table's filter the arrows move the caret, never the step
    player.locator(".alab-filter").fill("wz")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowRight")
    assert _step(page) == 7
    # a modifier leaves the key to the browser (Alt+Left is "back")
    player.locator(".alab-next").focus()
    page.keyboard.press("Shift+ArrowRight")
    assert _step(page) == 7
    assert not errors, errors


def _two_saved_values():
    with lab.trace() as t:
        a = lab.tensor(2.0, requires_grad=True)
        b = lab.tensor(3.0, requires_grad=True)
        c = a * b
        c.backward()
    return t


def test_inspector_says_the_freed_error_once_per_node(browser_page, tmp_path):
    from playwright.sync_api import expect

    from autograd_lab.core.messages import FREED_MESSAGE

    page = browser_page
    errors = _open(page, Player(_two_saved_values()).save_html(tmp_path / "freed.html"))
    page.evaluate("() => window.alabPlayer.show(window.alabPlayer.n - 1)")
    k = page.evaluate("() => window.alabPlayer.scene.nodes.find((n) => n.label === 'MulBackward0').k")
    page.locator(f'g.alab-node[data-k="{k}"]').click()
    inspect = page.locator(".alab-inspect")
    expect(inspect).to_contain_text("_saved_other")
    text = inspect.inner_text()
    assert "_saved_self" in text and "_saved_other" in text, text
    assert text.count(FREED_MESSAGE[:40]) == 1, text
    rows = inspect.locator(".alab-irow").all_inner_texts()
    assert [r.split()[-1] for r in rows if r.startswith("_saved_")] == ["freed", "freed"], rows
    screenshot(page.locator(".alab-player"), "controls-inspect-freed")
    assert not errors, errors


# The widget's front end in a page of its own, with a model as anywidget gives one (get, set, on, off,
# save_changes) and its element as ipywidgets makes it (with the widget's classes): what the notebook
# shows under a lesson's parity table.
_HOST = """async ([esm, state]) => {
  const handlers = {};
  const model = {
    get: (k) => state[k],
    set: (k, v) => { state[k] = v; for (const f of handlers['change:' + k] || []) f(); },
    save_changes: () => { window.saved = (window.saved || 0) + 1; },
    on: (e, f) => { (handlers[e] = handlers[e] || []).push(f); },
    off: (e, f) => { handlers[e] = (handlers[e] || []).filter((g) => g !== f); },
  };
  window.model = model;
  const m = await import(URL.createObjectURL(new Blob([esm], { type: 'text/javascript' })));
  m.default.render({ model, el: document.getElementById('host') });
}"""
_SHOWN = "() => document.querySelector('.alab-player').checkVisibility()"   # (a closed <details> hides it)
SNIPPET = "w = torch.tensor(2.0, requires_grad=True)\nz = w * 3\nz.backward()\nprint(w.grad)\n"


def test_watch_it_in_real_pytorch_opens_and_closes_from_the_keyboard(browser_page):
    from autograd_lab import narration
    from autograd_lab.lessons.parity import same_in_pytorch
    from autograd_lab.view.webplayer import APP_CSS
    from tests.support.requirements import require_torch

    require_torch()
    page = browser_page
    for lang, start in (("en", "Watch it in real PyTorch"), ("zh", "在真正的 PyTorch")):
        with narration.speaking(lang):
            p = same_in_pytorch(SNIPPET).player()
        state = {"scene": p.scene, "index": p.index, "opened": [], "note": [], "summary": p.summary,
                 "expanded": p.expanded}
        page.set_content(f"<html lang='{lang}'><body><div id='host' class='{' '.join(p._dom_classes)}' style='width: {PLAYER_WIDTH}px'></div></body></html>")
        page.add_style_tag(content=APP_CSS.read_text(encoding="utf-8"))
        page.evaluate(_HOST, [p._esm, state])
        summary = page.locator("details.alab-watch > summary")
        assert summary.inner_text().startswith(start)
        assert not page.evaluate("() => document.querySelector('details.alab-watch').open")
        assert page.locator(".alab-player").count() == 0   # closed: nothing drawn yet
        # the keyboard reaches it and opens it: the player is drawn, every node of its step painted
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelectorAll('.alab-player g.alab-node:not(.hid)').length > 0")
        page.wait_for_function("() => window.model.get('expanded') === true")   # (told on the toggle event, a task later)
        assert page.evaluate(_SHOWN)
        screenshot(page.locator("#host"), f"controls-watch-open-{lang}")
        # Space closes it (the same element keeps the focus), Enter opens it again: the same player
        page.keyboard.press(" ")
        page.wait_for_function("() => !document.querySelector('details.alab-watch').open")
        assert not page.evaluate(_SHOWN)
        page.wait_for_function("() => window.model.get('expanded') === false")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelector('details.alab-watch').open")
        assert page.locator(".alab-player").count() == 1
        # and Python's p.expanded = False closes it
        page.evaluate("() => window.model.set('expanded', false)")
        assert not page.evaluate(_SHOWN)


ZH_PREDICTS = '''import autograd_lab as lab
lab.set_language("zh")
with lab.trace() as t:
    w = lab.tensor(2.0, requires_grad=True)
    y = w * 3
    y.backward()
name = lab.exercises.Predict("哪个节点创建了 y？", answer="MulBackward0", trace=t)
number = lab.exercises.Predict("05.twice", trace=t, reveal=("done",))
import ipywidgets
ipywidgets.VBox([name.widget, number.widget])'''


def test_an_empty_zh_text_predict_says_what_to_type(jupyterlab_server, browser_page):
    """A text Predict in Chinese (a name, a number): Check, and Enter, with the box empty say what to type."""
    from playwright.sync_api import expect

    from autograd_lab.narration import say
    from tests.browser.conftest import write_notebook

    page = browser_page
    write_notebook(jupyterlab_server.root_dir / "zh_empty_predict.ipynb", ZH_PREDICTS)
    jupyterlab_server.open_notebook(page, "zh_empty_predict.ipynb")
    jupyterlab_server.run_all(page)
    boxes = page.locator(".alab-predict")
    expect(boxes).to_have_count(2)
    for k, what in ((0, "lessons.predict.type_name"), (1, "lessons.predict.type_number")):
        box = boxes.nth(k)
        box.scroll_into_view_if_needed()
        feedback = box.locator(".alab-predict-feedback")
        expect(feedback).to_have_text("")
        box.locator(".alab-predict-check").click()
        want = say("lessons.predict.empty", "zh", what=say(what, "zh"))
        assert want.startswith("请先输入你的预测")
        expect(feedback).to_contain_text("请先输入你的预测", timeout=10_000)
        assert " ".join(feedback.inner_text().split()) == " ".join(want.split())
        box.locator(".alab-predict-hint").click()   # another message, then Enter in the empty box
        expect(feedback).not_to_contain_text("请先输入你的预测", timeout=10_000)
        box.locator(".alab-predict-input input").press("Enter")
        expect(feedback).to_contain_text("请先输入你的预测", timeout=10_000)
        screenshot(box, f"controls-zh-empty-predict-{k + 1}")
