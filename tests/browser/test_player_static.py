"""The static page of Player.save_html opened over file:// in Chromium: no kernel, no network."""
from __future__ import annotations

from pathlib import Path

import pytest

from autograd_lab.view import webplayer
from autograd_lab.view.player import Player
from tests.browser.conftest import screenshot
from tests.support.examples import classic as issue_example, regression


def open_page(page, path):
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri())
    return requests, errors


@pytest.mark.browser
def test_static_page_steps_plays_and_seeks_offline(browser_page, tmp_path):
    from playwright.sync_api import expect

    page = browser_page
    path = Player(issue_example()).save_html(tmp_path / "player.html")
    requests, errors = open_page(page, path)
    player = page.locator(".alab-player")
    narration, frame = player.locator(".alab-narration"), player.locator(".alab-frame")
    expect(narration).to_contain_text("Step 1 of 22")
    before = frame.inner_html()
    for i in range(1, 10):
        player.locator(".alab-next").click()
        expect(narration).to_contain_text(f"Step {i + 1} of 22")
        now = frame.inner_html()
        assert now != before, f"the picture did not change at step {i + 1}"
        before = now
    expect(narration).to_contain_text("AccumulateGrad sets w.grad to 3 (w.grad was None")
    expect(player.locator(".alab-table")).to_contain_text("▶ w")
    assert "▶ AccumulateGrad" in frame.inner_html()
    screenshot(page, "player-static-accumulate")

    player.locator(".alab-prev").click()
    expect(narration).to_contain_text("Step 9 of 22")
    page.press(".alab-player", "ArrowRight")
    expect(narration).to_contain_text("Step 10 of 22")
    slider = player.locator(".alab-slider")
    slider.evaluate("(s) => { s.value = 15; s.dispatchEvent(new Event('input')); }")
    expect(narration).to_contain_text("MulBackward0 frees its saved values (_saved_other = x)")
    assert "freed: x" in frame.inner_html()
    jump = player.locator(".alab-jump")
    jump.select_option(label=next(o for o in jump.locator("option").all_inner_texts() if o.startswith("backward #2")))
    expect(narration).to_contain_text("Step 12 of 22")

    player.locator(".alab-speed").select_option(label="4×")
    player.locator(".alab-play").click()
    expect(player.locator(".alab-play")).to_have_text("❚❚ pause")
    expect(narration).to_contain_text("Step 22 of 22", timeout=15_000)
    expect(narration).to_contain_text("(RuntimeError: Trying to backward through the graph")
    expect(player.locator(".alab-play")).to_have_text("▶ play")
    assert player.locator(".alab-next").is_disabled()
    screenshot(page, "player-static-error")
    assert all(url.startswith("file://") for url in requests), requests
    assert not errors, errors


CAM_STATE = """() => { const p = window.alabPlayer;
  return {mode: p.root.dataset.mode, s: p.cam.s, h: +document.querySelector('.alab-svg').getAttribute('height')}; }"""


def assert_active_in_view(page, view, i):
    active = page.locator(".alab-frame g.alab-node.s-running .shape, .alab-frame g.alab-node.s-active .shape, "
                          ".alab-frame g.alab-node.s-new .shape").first
    box = active.bounding_box()
    assert box["x"] >= view["x"] and box["x"] + box["width"] <= view["x"] + view["width"], (i, box, view)
    assert box["y"] >= view["y"] and box["y"] + box["height"] <= view["y"] + view["height"], (i, box, view)


@pytest.mark.browser
def test_static_page_of_a_big_graph_reads_and_follows_the_action_fits_on_demand(browser_page, tmp_path):
    from playwright.sync_api import expect

    page = browser_page
    path = Player(regression(9)).save_html(tmp_path / "big.html")
    requests, errors = open_page(page, path)
    frame = page.locator(".alab-frame")
    expect(page.locator(".alab-narration")).to_contain_text("Step 1 of 124")
    slider = page.locator(".alab-slider")
    slider.evaluate("(s) => { s.value = 110; s.dispatchEvent(new Event('input')); }")
    expect(page.locator(".alab-narration")).to_contain_text("Step 111 of 124")
    view = frame.bounding_box()
    # too big to fit at 840 px with its texts at 9 px or more: the default view shows the active step at a
    # readable scale (its smallest text at 9.5 px), in a frame as tall as the graph at that scale (at most 62 %
    # of the window), not the strip fitting would make
    cam = page.evaluate(CAM_STATE)
    H = page.evaluate("() => window.alabPlayer.scene.height")
    assert cam["mode"] == "follow" and cam["s"] * 10.5 == pytest.approx(9.5, abs=0.01), cam
    assert cam["h"] == round(min(H * cam["s"], 900 * 0.62, 620)), (cam, H)
    h_follow = cam["h"]
    assert_active_in_view(page, view, 110)
    page.locator(".alab-fit").click()  # "fit" does what it says: the built graph, however small
    cam = page.evaluate(CAM_STATE)
    assert cam["mode"] == "fit" and cam["s"] * 10.5 < 9 and cam["h"] == h_follow, cam
    for shape in page.locator(".alab-frame g.alab-node:not(.hid) .shape").all():  # fitted: all of it in sight
        box = shape.bounding_box()
        assert view["x"] - 1 <= box["x"] and box["x"] + box["width"] <= view["x"] + view["width"] + 1, (box, view)
    for _ in range(4):  # zoom in (x2.4): most of the graph is now out of sight ...
        page.locator(".alab-zoom-in").click()
    for i in (40, 75, 111):  # ... but whatever a step is about is brought into view
        slider.evaluate(f"(s) => {{ s.value = {i}; s.dispatchEvent(new Event('input')); }}")
        expect(page.locator(".alab-narration")).to_contain_text(f"Step {i + 1} of 124")
        assert_active_in_view(page, view, i)
    screenshot(page, "player-static-big")
    assert all(url.startswith("file://") for url in requests) and not errors, (requests, errors)


# The texts of the visible elements of the picture (not the tooltips), and each node's shape and class.
PICTURE_JS = """(i) => {
  window.alabPlayer.show(i);
  const own = (t) => [...t.childNodes].filter((c) => c.nodeType === 3).map((c) => c.data).join('');
  const texts = [...document.querySelectorAll('.alab-svg text')].filter((t) => !t.closest('.hid')).map(own);
  const nodes = {};
  for (const g of document.querySelectorAll('.alab-svg g.alab-node')) {
    const s = g.querySelector('.shape');
    nodes[g.dataset.k] = [g.getAttribute('class'), [...s.attributes].filter((a) => a.name !== 'class')
                          .map((a) => a.name + '=' + a.value).join(' ')];
  }
  return {texts, nodes, narration: document.querySelector('.alab-narration').innerText};
}"""


@pytest.mark.browser
def test_the_picture_at_given_steps(browser_page, tmp_path):
    from tests.support.examples import everything

    page = browser_page
    open_page(page, Player(issue_example()).save_html(tmp_path / "issue.html"))
    at = {i: page.evaluate(PICTURE_JS, i) for i in (0, 4, 9, 15, 16, 21)}
    p = Player(issue_example())
    for i, a in at.items():  # Player.frame_texts (what tests of the lessons read) says what the page shows
        assert sorted(a["texts"]) == sorted(p.frame_texts(i)), i
    assert "w = 2." in at[0]["texts"] and "grad None" in at[0]["texts"] and "x = 3." not in at[0]["texts"]
    for label in ("w = 2.", "x = 3.", "no grad", "y = 6.", "z = 7.", "MulBackward0", "AddBackward0",
                  "AccumulateGrad", "saved: x"):
        assert label in at[4]["texts"], label
    acc = at[9]["texts"]
    assert "▶ AccumulateGrad" in acc and "grad = 3." in acc and "grad 3." in acc
    assert "✓ AddBackward0" in acc and "✓ MulBackward0" in acc
    assert "3. + 3. = 6." in at[16]["texts"] and "grad 6." in at[16]["texts"]
    assert "freed: x" in at[15]["texts"] and "saved: x" not in at[15]["texts"]
    assert "✖ MulBackward0" in at[21]["texts"] and "✖ RuntimeError" in at[21]["texts"]
    # a state is never shown by colour alone: running '▶' + thick outline, freed 'freed:' + dashed, error '✖' + hatch
    classes = [c for c, _ in at[15]["nodes"].values()]
    assert "alab-node k-op s-active freed" in classes
    assert any("s-error" in c for c, _ in at[21]["nodes"].values())
    css = (Path(webplayer.__file__).parent / "static" / "app.css").read_text()
    assert ".freed .shape { stroke-dasharray" in css and "url(#alab-hatch)" in css and "stroke-width: 2.8px" in css
    # nodes never move between steps
    shapes = [{k: shape for k, (_, shape) in a["nodes"].items()} for a in at.values()]
    assert all(s == shapes[0] for s in shapes)
    # text is text: a hook's <lambda> is shown as written
    page.goto("about:blank")
    open_page(page, Player(everything()).save_html(tmp_path / "everything.html"))
    hooked = next(i for i in range(40) if "<lambda>" in page.evaluate(PICTURE_JS, i)["narration"])
    assert "hook: 1. → 2." in page.evaluate(PICTURE_JS, hooked)["texts"]


# Which way each legend arrow and each drawn arrow points: +1 right, -1 left (the head's side of the line),
# 0 for a link without a head ('attach': a tensor hanging off its box); and the dash of each kind's line.
ARROWS_JS = """() => {
  const heading = (line, head) => {
    if (!head) return 0;
    const xs = head.getAttribute('d').match(/[ML]([\\d.]+)/g).map((p) => parseFloat(p.slice(1)));
    const l = line.getBBox();
    return Math.min(...xs) >= l.x + l.width / 2 - 0.01 ? 1 : -1;
  };
  const kindOf = (g) => ['data', 'attach', 'grad'].find((k) => g.classList.contains('e-' + k));
  const style = (line) => { const c = getComputedStyle(line); return [c.strokeDasharray, c.stroke]; };
  const legend = {}, legendStyle = {};
  for (const span of document.querySelectorAll('.alab-legend span')) {
    const g = span.querySelector('g.lg-edge');
    if (!g) continue;
    legend[span.textContent.trim()] = heading(g.querySelector('line'), g.querySelector('path'));
    if (kindOf(g) && !g.classList.contains('s-active')) legendStyle[kindOf(g)] = style(g.querySelector('line'));
  }
  const drawn = {grad: new Set(), data: new Set(), attach: new Set()}, drawnStyle = {};
  for (const g of document.querySelectorAll('.alab-svg g.alab-edge:not(.hid)')) {
    const kind = kindOf(g), h = g.querySelector('path.head');
    if (!g.classList.contains('s-active') && !g.classList.contains('s-passed') && !g.classList.contains('s-new'))
      drawnStyle[kind] = style(g.querySelector('path.line'));
    if (!h) { drawn[kind].add(0); continue; }
    const d = h.getAttribute('d'), tip = parseFloat(d.slice(1)), base = parseFloat(d.split('L')[1]);
    drawn[kind].add(tip < base ? -1 : 1);
  }
  return {legend, grad: [...drawn.grad], data: [...drawn.data], attach: [...drawn.attach], legendStyle, drawnStyle};
}"""


@pytest.mark.browser
def test_the_legend_arrows_point_the_way_the_drawn_ones_do(browser_page, tmp_path):
    """Item 9 of issue 10: the legend's dashed 'data, no gradient' arrow points forward, as drawn."""
    page = browser_page
    open_page(page, Player(issue_example()).save_html(tmp_path / "issue.html", start=4))
    a = page.evaluate(ARROWS_JS)
    assert a["grad"] == [-1] and a["data"] == [1] and a["attach"] == [0], a
    assert a["legend"]["data, no gradient"] == 1
    assert a["legend"]["next_functions: grad_fn → grad_fn (gradient path)"] == -1
    assert a["legend"]["gradient moving now"] == -1
    assert a["legend"]["tensor and its grad_fn / AccumulateGrad"] == 0  # no head, as drawn
    # each kind of line is dashed (or dotted) and coloured in the legend as in the picture
    for kind in ("grad", "data", "attach"):
        (ldash, lcolour), (ddash, dcolour) = a["legendStyle"][kind], a["drawnStyle"][kind]
        assert lcolour == dcolour and (ldash == "none") == (ddash == "none") == (kind == "grad"), (kind, a)
    assert a["legendStyle"]["attach"] == a["drawnStyle"]["attach"], a  # the same dots
    assert a["drawnStyle"]["attach"][0] != a["drawnStyle"]["data"][0], a  # dotted, not dashed
