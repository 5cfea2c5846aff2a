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
        page.evaluate("() => { const p = window.alabPlayer; p.mode = 'fit'; p.show(0); p.fit(); }")
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
    from autograd_lab.core.messages import FREED_MESSAGE

    page = browser_page
    errors = _open(page, Player(_two_saved_values()).save_html(tmp_path / "freed.html"))
    page.evaluate("() => window.alabPlayer.show(window.alabPlayer.n - 1)")
    k = page.evaluate("() => window.alabPlayer.scene.nodes.find((n) => n.label === 'MulBackward0').k")
    page.locator(f'g.alab-node[data-k="{k}"]').click()
    inspect = page.locator(".alab-inspect")
    text = inspect.inner_text()
    assert "_saved_self" in text and "_saved_other" in text, text
    assert text.count(FREED_MESSAGE[:40]) == 1, text
    rows = inspect.locator(".alab-irow").all_inner_texts()
    assert [r.split()[-1] for r in rows if r.startswith("_saved_")] == ["freed", "freed"], rows
    screenshot(page.locator(".alab-player"), "controls-inspect-freed")
    assert not errors, errors
