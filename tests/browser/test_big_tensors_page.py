"""Real-torch models at 840 px, static page: tensors shown by shape and range, their values a click away.

issue 20's ``nn.Sequential`` on a batch of 5 and its small CNN: at the last step the page and the table do
not scroll sideways (long names and grad_fns cut short, long values wrapped), the narration is at most 300
characters, and clicking a big tensor's row shows its values as ``repr(tensor)`` prints them.
Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import pytest

from autograd_lab.view import graph, scene, webplayer
from tests.browser.conftest import screenshot
from tests.browser.test_front import OUTPUT_WIDTH, open_static, seek, settle
from tests.support.examples import nn_sequential_batch, nn_small_cnn
from tests.support.requirements import require_torch

WIDTHS_JS = """(root) => {
  const box = root.querySelector('.alab-table'), table = box.querySelector('table');
  return {page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          root: root.scrollWidth - root.clientWidth, table_box: box.scrollWidth - box.clientWidth,
          table: table.getBoundingClientRect().width, player: root.getBoundingClientRect().width};
}"""


@pytest.mark.parametrize("name, lang", [("sequential", "en"), ("cnn", "en"), ("cnn", "zh")])
def test_a_real_model_s_table_fits_and_a_click_shows_a_tensor_s_values(browser_page, tmp_path, name, lang):
    from playwright.sync_api import expect

    torch = require_torch()
    t, objs = (nn_sequential_batch if name == "sequential" else nn_small_cnn)()
    x = objs[1] if name == "sequential" else objs[2]
    s = scene.scene(graph.build(t, lang=lang), trace=t)
    page = browser_page
    requests, errors = open_static(page, webplayer.write_page(tmp_path / f"{name}.html", s))
    root = page.locator(".alab-player")
    n = len(s["steps"])
    seek(page, n - 1)
    settle(root)
    narration = root.locator(".alab-text")
    expect(narration).to_have_text(s["steps"][-1]["text"])
    assert len(narration.inner_text()) <= 300
    w = root.evaluate(WIDTHS_JS)
    assert w["page"] <= 0 and w["root"] <= 0 and w["table_box"] <= 0, w
    assert w["table"] <= w["player"] <= OUTPUT_WIDTH + 1, w
    # the row of x: its shape and range; a click on it shows its values as torch prints them
    key = next(nd["k"] for nd in s["nodes"] if nd["kind"] == "tensor" and nd["label"] == "x")
    row = root.locator(f'.alab-table tr[data-k="{key}"]')
    shape = "×".join(map(str, x.shape))
    expect(row.locator("td").nth(1)).to_contain_text(f"{shape} ∈ [")
    row.locator("td").first.click()
    inspect = root.locator(".alab-inspect")
    expect(inspect).to_be_visible()
    full = inspect.locator("pre.alab-full").first.inner_text()
    if x.numel() <= 64:  # kept whole by the recorder: repr(tensor), line for line
        assert full.split("\n")[:len(repr(x).split("\n"))] == repr(x).split("\n"), full
    else:  # kept as a summary: its size and torch's own min, max and mean
        assert full.startswith(f"torch.Size({list(x.shape)})"), full
        assert f".min() {repr(x.min())[7:-1]}" in full and f".mean() {repr(x.mean())[7:-1]}" in full, full
    # the tooltip of x's ellipse has the values too
    title = page.locator(f'g.alab-node[data-k="{key}"] > title').text_content()
    assert full.split("\n")[0] in title, title
    assert root.evaluate(WIDTHS_JS)["page"] <= 0
    screenshot(page, f"big-tensors-{name}-{lang}-inspected")
    assert not errors and all(r.startswith(("file:", "data:")) for r in requests), (errors, requests)
