"""The Player (the anywidget front end) in JupyterLab 4 in Chromium: run the issue's example, click through a
backward pass; Python's index follows."""
from __future__ import annotations

import re
import statistics

import pytest

from tests.browser.conftest import screenshot, settle, wait_still, write_notebook

EXAMPLE = """\
import autograd_lab as lab
with lab.trace(catch_errors=True) as t:
    w = lab.tensor(2.0, requires_grad=True)
    x = lab.tensor(3.0)
    b = lab.tensor(1.0, requires_grad=True)
    y = w * x
    z = y + b
    z.backward(retain_graph=True)
    z.backward()
    z.backward()
lab.Player(t)"""

# Clicks next and waits until the picture changed, then for the next animation frame (paint).
CLICK_LATENCY_JS = """async (n) => {
  const player = document.querySelector('.alab-player');
  const frame = player.querySelector('.alab-frame'), next = player.querySelector('.alab-next');
  const times = [];
  for (let i = 0; i < n; i++) {
    const changed = new Promise((resolve) => {
      const obs = new MutationObserver(() => { obs.disconnect(); resolve(); });
      obs.observe(frame, {childList: true, subtree: true, characterData: true, attributes: true});
    });
    const t0 = performance.now();
    next.click();
    await changed;
    await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    times.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  return times;
}"""


def open_player(server, page, name: str, source: str = EXAMPLE):
    from playwright.sync_api import expect

    write_notebook(server.root_dir / name, source)
    server.open_notebook(page, name)
    server.run_all(page)
    player = page.locator(".alab-player")
    expect(player).to_be_visible()
    expect(player.locator(".alab-frame svg")).to_be_visible()
    return player


@pytest.mark.browser
def test_click_through_a_backward_pass_in_jupyterlab(jupyterlab_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    player = open_player(jupyterlab_server, page, "player_lab.ipynb")
    narration, frame = player.locator(".alab-narration"), player.locator(".alab-frame")
    expect(narration).to_contain_text("Step 1 of 22")
    expect(narration).to_contain_text("w is a leaf tensor (value 2) with requires_grad=True")
    wait_still(player)
    screenshot(page, "player-lab-start")

    expected = {5: "backward() starts at z with gradient 1.",
                6: "AddBackward0 runs: it receives 1 and sends 1 to MulBackward0 (y.grad_fn)",
                7: "AccumulateGrad sets b.grad to 1 (b.grad was None",
                8: "MulBackward0 runs: it receives 1 and sends 3 to AccumulateGrad (for w)",
                9: "AccumulateGrad sets w.grad to 3 (w.grad was None",
                10: "backward() finished: b.grad = 1 and w.grad = 3."}
    before = frame.inner_html()
    for i in range(1, 11):
        player.locator(".alab-next").click()
        expect(narration).to_contain_text(f"Step {i + 1} of 22")
        if i in expected:
            expect(narration).to_contain_text(expected[i])
        now = frame.inner_html()
        assert now != before, f"the picture did not change at step {i + 1}"
        before = now
        if i == 9:
            assert "▶ AccumulateGrad" in now and "grad = 3." in now and "grad 3." in now
            screenshot(page, "player-lab-accumulate")

    # the jump menu goes to the error of the third backward()
    jump = player.locator(".alab-jump")
    label = next(o for o in jump.locator("option").all_inner_texts() if o.startswith("error"))
    jump.select_option(label=label)
    expect(narration).to_contain_text("MulBackward0 (y.grad_fn), made at line")  # why (view/explain.py), then
    expect(narration).to_contain_text("(RuntimeError: Trying to backward through the graph a second time")  # PyTorch
    assert "✖ MulBackward0" in frame.inner_html()
    wait_still(player)
    screenshot(page, "player-lab-error")
    player.locator(".alab-prev").click()
    expect(narration).to_contain_text("Step 21 of 22")

    # Play (jslinked to the slider) runs from the second backward to the end at 4x
    options = jump.locator("option").all_inner_texts()
    jump.select_option(index=next(i for i, o in enumerate(options) if o.startswith("backward #2")))
    expect(narration).to_contain_text("Step 12 of 22")
    player.locator(".alab-speed").select_option(label="4×")
    player.locator(".alab-play").click()
    expect(narration).to_contain_text("Step 22 of 22", timeout=20_000)
    expect(narration).to_contain_text("(RuntimeError: Trying to backward through the graph")


@pytest.mark.browser
def test_click_to_picture_latency_in_jupyterlab(jupyterlab_server, browser_page):
    """The issue's target is a median of at most 150 ms; this test only guards against a regression
    far beyond it (benchmarks/bench_player.py reports the measured number)."""
    player = open_player(jupyterlab_server, browser_page, "player_latency.ipynb")
    player.locator(".alab-narration").wait_for()
    times = browser_page.evaluate(CLICK_LATENCY_JS, 15)
    median = statistics.median(times)
    print(f"click on next -> picture updated and painted, JupyterLab: median {median:.0f} ms, "
          f"max {max(times):.0f} ms over {len(times)} clicks")
    assert median < 600, times


REGRESSION = """\
import autograd_lab as lab
with lab.trace() as t:
    w = lab.tensor(0.5, requires_grad=True)
    b = lab.tensor(0.1, requires_grad=True)
    loss = lab.tensor(0.0)
    for i in range(5):
        x = lab.tensor(float(i))
        err = w * x + b - 2.0 * i
        loss = loss + err ** 2
    loss.backward()
lab.Player(t)"""


@pytest.mark.browser
def test_a_60_node_graph_keeps_the_action_in_sight_in_jupyterlab(jupyterlab_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    player = open_player(jupyterlab_server, page, "player_big.ipynb", REGRESSION)
    narration, frame = player.locator(".alab-narration"), player.locator(".alab-frame")
    jump = player.locator(".alab-jump")
    jump.select_option(index=next(i for i, o in enumerate(jump.locator("option").all_inner_texts())
                                  if o.startswith("backward")))
    expect(narration).to_contain_text("backward() starts at loss")
    player.locator(".alab-zoom-in").click()  # closer than fitted: the picture follows the action
    player.locator(".alab-zoom-in").click()
    for _ in range(12):
        step = int(re.search(r"Step (\d+) of", narration.inner_text()).group(1))
        player.locator(".alab-next").click()
        expect(narration).to_contain_text(f"Step {step + 1} of ")
        settle(player)
        active = frame.locator("g.alab-node.s-running .shape, g.alab-node.s-active .shape").first
        box, view = active.bounding_box(), frame.bounding_box()
        assert view["x"] <= box["x"] and box["x"] + box["width"] <= view["x"] + view["width"] + 1
        assert view["y"] <= box["y"] and box["y"] + box["height"] <= view["y"] + view["height"] + 1
    screenshot(page, "player-lab-60-nodes")
    player.locator(".alab-whole").click()  # the whole graph, fitted into the frame
    expect(player).to_have_attribute("data-mode", "whole")
    wait_still(player)
    view = frame.bounding_box()
    shapes = frame.locator("g.alab-node .shape").all()
    assert len(shapes) > 50
    for shape in shapes:
        box = shape.bounding_box()
        assert view["x"] - 1 <= box["x"] and box["x"] + box["width"] <= view["x"] + view["width"] + 1
    screenshot(page, "player-lab-60-nodes-whole")
