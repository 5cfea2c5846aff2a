"""The Chinese lessons and player in a real Chromium (issue 14): the zh tour in JupyterLab and a
zh static page. Screenshots go to test-artifacts/zh-*.png, to be looked at: no tofu boxes, no
text clipped by its node box. What a script can check is checked here too: a CJK font is
installed, Chinese text is drawn with it (not a fallback box), and every label fits its box."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot
from tests.support.requirements import REQUIRE_BROWSER, require

ROOT = Path(__file__).resolve().parents[2]

# For every node: the widest text drawn inside its shape (value, grad, op label) against the
# shape's own width, in screen pixels. A label wider than its box is clipped text.
_OVERFLOWS = """(root) => {
  const out = [];
  for (const shape of root.querySelectorAll('svg.alab-svg g.shape')) {
    if (shape.classList.contains('hid')) continue;
    const box = shape.getBoundingClientRect();
    if (!box.width) continue;
    const id = shape.getAttribute('data-c');
    for (const role of ['val', 'grad', 'lbl']) {
      for (const text of root.querySelectorAll(`svg.alab-svg g[data-c="${id}"][data-r="${role}"] text`)) {
        const t = text.getBoundingClientRect();
        if (!text.textContent.trim() || !t.width) continue;
        if (t.left < box.left - 1 || t.right > box.right + 1)
          out.push(`${text.textContent}: text ${t.width.toFixed(1)} px, box ${box.width.toFixed(1)} px`);
      }
    }
  }
  return out;
}"""

_FONT_STACKS = """() => [getComputedStyle(document.querySelector('.alab-player')).fontFamily,
                           getComputedStyle(document.querySelector('svg.alab-svg text')).fontFamily]"""


def _cjk_fonts() -> str:
    if not shutil.which("fc-list"):
        return ""
    return subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True).stdout


@pytest.fixture
def cjk_font():
    require("playwright", REQUIRE_BROWSER)
    fonts = _cjk_fonts()
    assert "Noto Sans CJK SC" in fonts, ("no CJK font: Chinese would show as tofu boxes; "
                                         "apt-get install fonts-noto-cjk (scripts/test does)")
    return fonts


@pytest.mark.browser
def test_zh_static_page_speaks_chinese_and_every_label_fits(browser_page, tmp_path, cjk_font):
    from playwright.sync_api import expect

    import autograd_lab as lab

    with lab.trace(catch_errors=True) as t:
        梯度 = lab.tensor(2.0, requires_grad=True)  # a Chinese name: the widest labels a student can make
        x = lab.tensor(3.0)
        y = 梯度 * x
        y.register_hook(lambda g: g * 2)
        z = y + 1
        z.backward()
        z.backward()
    path = lab.Player(t, lang="zh").save_html(tmp_path / "zh.html")
    page = browser_page
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
    player = page.locator(".alab-player")
    narration = player.locator(".alab-narration")
    expect(narration).to_contain_text("第 1 步，共")
    expect(player.locator(".alab-next")).to_have_text("下一步 ▶")
    stacks = page.evaluate(_FONT_STACKS)
    assert all("Noto Sans CJK SC" in stack for stack in stacks), stacks
    n = int(page.evaluate("() => document.querySelector('.alab-slider').max")) + 1
    for i in range(n):
        player.locator(".alab-slider").evaluate(
            f"(s) => {{ s.value = {i}; s.dispatchEvent(new Event('input')); }}")
        expect(narration).to_contain_text(f"第 {i + 1} 步，共 {n} 步")
        overflows = page.evaluate(_OVERFLOWS, page.locator("body").element_handle())
        assert not overflows, f"step {i + 1}: text wider than its node box: {overflows}"
        if i == 10:
            screenshot(page, "zh-static-step-11")
    expect(narration).to_contain_text("改法：在那次调用时保留计算图")  # the last step: why, then PyTorch's error
    expect(narration).to_contain_text("（RuntimeError: Trying to backward through the graph a second time")
    screenshot(page, "zh-static-error")
    assert not errors, errors


@pytest.mark.browser
def test_zh_tour_runs_in_jupyterlab(jupyterlab_server, browser_page, cjk_font):
    from playwright.sync_api import expect

    target = jupyterlab_server.root_dir / "zh-lessons"
    shutil.copytree(ROOT / "notebooks" / "zh", target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 1000})
    jupyterlab_server.open_notebook(page, "zh-lessons/00_tour.ipynb")
    jupyterlab_server.run_all(page)
    player = page.locator(".alab-player").first
    player.wait_for()
    narration = player.locator(".alab-narration")
    expect(narration).to_contain_text("第 1 步，共 12 步")
    expect(narration).to_contain_text("w 是一个叶子张量")
    for _ in range(10):
        player.locator(".alab-next").click()
    expect(narration).to_contain_text("第 11 步，共 12 步")
    expect(narration).to_contain_text("AccumulateGrad 把 w.grad 设为 3")
    player.scroll_into_view_if_needed()
    stacks = page.evaluate(_FONT_STACKS)
    assert all("Noto Sans CJK SC" in stack for stack in stacks), stacks
    overflows = page.evaluate(_OVERFLOWS, player.element_handle())
    assert not overflows, overflows
    screenshot(player, "zh-tour-player")
    page.locator("h1", has_text="autograd_lab 导览").scroll_into_view_if_needed()
    screenshot(page, "zh-tour-top")
