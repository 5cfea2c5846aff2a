"""The chain rule in the static page (Player.save_html in Chromium, 840 px): the inspector of a grad_fn
shows its formulas as declared and at its last run with the student's names and numbers; an arrow's
tooltip (its <title>) holds the rule for that arrow. Screenshots: test-artifacts/chain-*.png."""
from __future__ import annotations

import pytest

from autograd_lab.view.player import Player
from tests.browser.conftest import screenshot, wait_still
from tests.support.examples import classic, mlp

WIDTH = 840


def _open(page, path):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": WIDTH + 32, "height": 1000})
    page.goto(path.as_uri())
    page.locator(".alab-player .alab-svg").wait_for()
    return errors


def _node_step(page, name):
    """The first step where node ``name`` runs, and its key."""
    return page.evaluate("""(name) => {
      const p = window.alabPlayer;
      for (let i = 0; i < p.n; i++) {
        const s = p.scene.steps[i];
        if (s.text.startsWith(name + " ") && (s.active || []).length) return [i, s.active[0]];
      }
      return [-1, null];
    }""", name)


@pytest.mark.browser
def test_the_inspector_and_an_arrow_show_the_chain_rule_of_the_classic_example(browser_page, tmp_path):
    from playwright.sync_api import expect

    page = browser_page
    errors = _open(page, Player(classic()).save_html(tmp_path / "classic.html"))
    i, key = _node_step(page, "MulBackward0")
    assert i > 0
    to_w = page.evaluate("(k) => [...window.alabPlayer.edges.values()].find((e) => e.src === k && e.slot === 0).k", key)
    title = page.locator(f'.alab-edge[data-k="{to_w}"] title')
    page.evaluate("(i) => window.alabPlayer.show(i)", i - 1)   # before it runs: the formula declared for the slot
    assert title.text_content() == "chain rule for self: grad · other"
    page.evaluate("(i) => window.alabPlayer.show(i)", i)
    page.evaluate("(k) => window.alabPlayer.inspectNode(k)", key)
    inspect = page.locator(".alab-inspect")
    expect(inspect).to_contain_text("self: grad · other")
    expect(inspect).to_contain_text("grad · x")
    expect(inspect).to_contain_text("to w: grad · x = 1 · 3 = 3")
    assert title.text_content() == "3.\nto w: grad · x = 1 · 3 = 3"
    player = page.locator(".alab-player")
    box = player.bounding_box()
    assert box["width"] <= WIDTH + 32
    for row in inspect.locator(".alab-irow").all():   # the formulas fit in the inspector
        assert row.evaluate("(r) => r.scrollWidth <= r.clientWidth + 1"), row.inner_text()
    screenshot(player, "chain-classic")
    assert not errors, errors


@pytest.mark.browser
def test_the_chain_rule_in_the_chinese_player(browser_page, tmp_path):
    from playwright.sync_api import expect

    page = browser_page
    errors = _open(page, Player(classic(), lang="zh").save_html(tmp_path / "classic-zh.html"))
    i, key = _node_step(page, "MulBackward0")
    to_w = page.evaluate("(k) => [...window.alabPlayer.edges.values()].find((e) => e.src === k && e.slot === 0).k", key)
    title = page.locator(f'.alab-edge[data-k="{to_w}"] title')
    page.evaluate("(i) => window.alabPlayer.show(i)", i - 1)
    assert title.text_content() == "self 的链式法则：grad · other"
    page.evaluate("(i) => window.alabPlayer.show(i)", i)
    page.evaluate("(k) => window.alabPlayer.inspectNode(k)", key)
    inspect = page.locator(".alab-inspect")
    expect(inspect).to_contain_text("链式法则")
    expect(inspect).to_contain_text("最近一次运行")
    expect(inspect).to_contain_text("给 w：grad · x = 1 · 3 = 3")
    assert title.text_content() == "3.\n给 w：grad · x = 1 · 3 = 3"
    screenshot(page.locator(".alab-player"), "chain-classic-zh")
    assert not errors, errors


@pytest.mark.browser
def test_a_neurons_node_shows_its_chain_rule_in_the_mlp(browser_page, tmp_path):
    from playwright.sync_api import expect

    page = browser_page
    errors = _open(page, Player(mlp((3, 4, 4, 1))).save_html(tmp_path / "mlp.html"))
    i, key = _node_step(page, "TanhBackward0")
    assert i > 0
    page.evaluate("(i) => window.alabPlayer.show(i)", i)
    page.evaluate("(k) => window.alabPlayer.inspectNode(k)", key)
    inspect = page.locator(".alab-inspect")
    expect(inspect).to_contain_text("self: grad · (1 − result²)")
    said = page.evaluate("(i) => window.alabPlayer.scene.steps[i].text", i)
    rule = said.split("By the chain rule: ", 1)[1].rstrip(".")
    expect(inspect).to_contain_text(rule)
    edge = page.evaluate("(k) => [...window.alabPlayer.edges.values()].find((e) => e.src === k && e.slot === 0).k", key)
    assert page.locator(f'.alab-edge[data-k="{edge}"] title').text_content().endswith(rule)
    wait_still(page.locator(".alab-player"))
    screenshot(page.locator(".alab-player"), "chain-mlp")
    assert not errors, errors
