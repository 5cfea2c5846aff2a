"""The static page of Player.save_html opened over file:// in Chromium: no kernel, no network."""
from __future__ import annotations

import pytest

from autograd_lab.view.player import Player
from tests.browser.conftest import screenshot
from tests.test_graph import issue_example, regression


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
    expect(narration).to_contain_text("RuntimeError at MulBackward0: Trying to backward through the graph")
    expect(player.locator(".alab-play")).to_have_text("▶ play")
    assert player.locator(".alab-next").is_disabled()
    screenshot(page, "player-static-error")
    assert all(url.startswith("file://") for url in requests), requests
    assert not errors, errors


@pytest.mark.browser
def test_static_page_of_a_big_graph_follows_the_action(browser_page, tmp_path):
    from playwright.sync_api import expect

    page = browser_page
    path = Player(regression(9)).save_html(tmp_path / "big.html")
    requests, errors = open_page(page, path)
    frame = page.locator(".alab-frame")
    expect(page.locator(".alab-narration")).to_contain_text("Step 1 of 124")
    page.locator(".alab-slider").evaluate("(s) => { s.value = 110; s.dispatchEvent(new Event('input')); }")
    expect(page.locator(".alab-narration")).to_contain_text("Step 111 of 124")
    page.wait_for_timeout(800)  # the smooth scroll to where the step happens
    left = frame.evaluate("(f) => f.scrollLeft")
    running = page.locator(".alab-frame g.shape.s-running, .alab-frame g.shape.s-active").first
    box, view = running.bounding_box(), frame.bounding_box()
    assert box["x"] >= view["x"] and box["x"] + box["width"] <= view["x"] + view["width"], (box, view, left)
    screenshot(page, "player-static-big")
    assert all(url.startswith("file://") for url in requests) and not errors, (requests, errors)
