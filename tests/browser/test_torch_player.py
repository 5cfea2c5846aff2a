"""A player of real PyTorch's own autograd (record/torch/) in JupyterLab, in Chromium."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot, wait_still, write_notebook

EXAMPLE = """\
import torch
import autograd_lab as lab
torch.manual_seed(0)
with lab.trace(catch_errors=True) as t:
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))
    x = torch.tensor([[1.0, 2.0]])
    loss = model(x).sum()
    loss.backward()
    loss.backward()
lab.Player(t)"""


@pytest.mark.browser
def test_real_torch_player_in_jupyterlab(jupyterlab_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    write_notebook(jupyterlab_server.root_dir / "torch_player.ipynb", EXAMPLE)
    jupyterlab_server.open_notebook(page, "torch_player.ipynb")
    jupyterlab_server.run_all(page)
    player = page.locator(".alab-player")
    expect(player).to_be_visible()
    frame, narration = player.locator(".alab-frame"), player.locator(".alab-narration")
    expect(frame.locator("svg")).to_be_visible()
    # to the end: the second backward fails with torch's own message
    seen = []
    for _ in range(60):
        seen.append(narration.inner_text())
        if "second time" in seen[-1]:
            break
        step = int(re.search(r"Step (\d+) of", seen[-1]).group(1))
        player.locator(".alab-next").click()
        expect(narration).to_contain_text(f"Step {step + 1} of ")
    assert any("AddmmBackward0 runs" in s for s in seen), seen[-5:]
    assert "Trying to backward through the graph a second time" in seen[-1], seen[-1]
    player.scroll_into_view_if_needed()
    wait_still(player)
    screenshot(player, "torch-player-lab")
    # the whole graph of the model, as torch built it
    player.locator(".alab-whole").click()
    expect(player).to_have_attribute("data-mode", "whole")
    # one closed box per layer, named as the code reaches it (view/modules.py); opened, torch's own
    # node names and the parameters named as the user knows them (a node is drawn from the step that
    # makes it: at the last step, all of them)
    for name in ("model[0]", "model[1]", "model[2]"):
        box = frame.locator("g.k-group", has=page.locator("text.glabel", has_text=name))
        expect(box).to_have_count(1)
        box.click()
        expect(player).to_have_attribute("data-mode", "user")  # opened: the camera frames the box
        player.locator(".alab-whole").click()  # (opened, the graph is bigger: all of it in view again)
        expect(player).to_have_attribute("data-mode", "whole")
    for text in ("AddmmBackward0", "TBackward0", "TanhBackward0", "model[0].weight", "model[2].weight"):
        expect(frame).to_contain_text(text)
    wait_still(player)
    screenshot(player, "torch-player-lab-whole")
