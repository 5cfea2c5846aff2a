"""A 20-iteration training loop on the static page at 840 px: its iterations are boxes (the first and
the last open), each named with its loss and largest gradient, the picture fits with no two texts
overlapping at the first and the last step, and "by group" runs one iteration per click.
Screenshots: test-artifacts/front-static-loop20-first.png, -last.png."""
from __future__ import annotations

import pytest

import autograd_lab as lab
from autograd_lab.view import webplayer
from tests.browser.conftest import screenshot
from tests.browser.test_front import MEASURE_JS, assert_fits_without_overlaps, open_static, scene_of, seek, settle


def loop20():
    with lab.trace() as t:
        w = lab.tensor([0.5, -0.3], requires_grad=True)
        x = lab.tensor([1.0, 2.0])
        opt = lab.optim.SGD([w], lr=0.05)
        for _ in range(20):
            loss = ((w * x).sum() - 3.0) ** 2
            loss.backward()
            opt.step()
            opt.zero_grad()
    return t


@pytest.mark.browser
def test_a_20_iteration_loop_is_20_boxes_that_fit_at_840px(browser_page, tmp_path):
    from playwright.sync_api import expect

    s = scene_of(loop20())
    page = browser_page
    _, errors = open_static(page, webplayer.write_page(tmp_path / "loop20.html", s))
    root = page.locator(".alab-player")
    labels = [g["label"] for g in s["groups"]]
    assert len(labels) == 20 and labels[0].startswith("iteration 1 of 20 · loss ")
    assert_fits_without_overlaps(root, "loop20 first step")
    texts = root.evaluate("(r) => [...r.querySelectorAll('.alab-svg text.glabel')].map((t) => t.textContent)")
    assert any(t.startswith("iteration 2 of 20") for t in texts), texts
    screenshot(page, "front-static-loop20-first")
    # the open first and last iterations are frames with their labels in the first picture too
    frames = root.evaluate("(r) => [...r.querySelectorAll('.alab-svg .alab-gframe rect.gshape')].map((e) => "
                           "e.parentNode.querySelector('title').textContent)")
    assert [f.split(" · ")[0] for f in frames] == ["iteration 1 of 20", "iteration 20 of 20"], frames
    root.locator(".alab-whole").click()
    settle(root)
    texts = root.evaluate("(r) => [...r.querySelectorAll('.alab-svg text.glabel')].map((t) => t.textContent)")
    assert any(t.startswith("iteration 1 of 20 · loss") for t in texts), texts
    assert any(t.startswith("iteration 20 of 20 · loss") for t in texts), texts
    screenshot(page, "front-static-loop20-first-whole")
    n = len(s["steps"])
    seek(page, n - 1)
    expect(root.locator(".alab-narration")).to_contain_text(f"Step {n} of {n}")
    settle(root)
    last = root.evaluate(MEASURE_JS)  # (the camera may follow the last step at a readable scale: camera.js)
    assert last["n_overlaps"] == 0 and last["root_overflow"] <= 0 and last["texts"] > 0, last
    screenshot(page, "front-static-loop20-last")
    root.locator(".alab-fit").click()
    m = assert_fits_without_overlaps(root, "loop20 last step, fitted")
    screenshot(page, "front-static-loop20-last-fit")
    assert m["boxes"] == 18 and not errors, (m, errors)  # iterations 2 to 19 closed; 1 and 20 open (frames)
