"""An error explained on the picture, in the static page (Player.save_html in Chromium, 840 px): after a
saved tensor is changed in place, the inspector of each of its values shows its ``_version`` as torch
counts it (0 for the value saved, 1 after the in-place op), beside the explanation of the last step."""
from __future__ import annotations

import pytest

import autograd_lab as lab
from autograd_lab.view.player import Player

WIDTH = 840


def _inplace_error():
    with lab.trace(catch_errors=True) as t:
        a = lab.tensor([1.0, 2.0], requires_grad=True)
        b = a * 2
        c = b.exp()
        c.mul_(3)
        c.sum().backward()
    return t


@pytest.mark.browser
def test_the_inspector_shows_the_versions_of_a_saved_tensor_changed_in_place(browser_page, tmp_path):
    import torch

    from playwright.sync_api import expect

    a = torch.tensor([1.0, 2.0], requires_grad=True)
    c = (a * 2).exp()
    saved = c._version
    c.mul_(3)
    assert (saved, c._version) == (0, 1)   # what torch counts, and what the inspector must say

    page = browser_page
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": WIDTH + 32, "height": 1000})
    page.goto(Player(_inplace_error()).save_html(tmp_path / "inplace.html").as_uri())
    page.locator(".alab-player .alab-svg").wait_for()
    last = page.evaluate("window.alabPlayer.n") - 1
    page.evaluate("(i) => window.alabPlayer.show(i)", last)
    versions = page.evaluate("""() => [...window.alabPlayer.nodes.values()]
        .filter((n) => n.kind === "tensor" && n.version != null).map((n) => [n.k, n.version])""")
    assert sorted(v for _, v in versions) == [saved, c._version], versions
    inspect = page.locator(".alab-inspect")
    for key, version in versions:
        page.evaluate("(k) => window.alabPlayer.inspectNode(k)", key)
        expect(inspect).to_contain_text("_version")
        row = inspect.locator(".alab-irow", has_text="_version")
        expect(row).to_contain_text(str(version))
    assert "c.mul_(3)" in page.locator(".alab-player").inner_text()   # the narration names the in-place line
    assert not errors, errors
