"""The playground served as a web app by Voila: a student types, runs, and sees the result."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, write_notebook

APP = ("from autograd_lab import Playground\nPlayground()",)

PROGRAM = """\
w = tensor(5.0, requires_grad=True)
z = w * w
z.backward()
print("w.grad is", w.grad)
"""


def _open(voila_server, page, name: str):
    from playwright.sync_api import expect

    write_notebook(voila_server.root_dir / name, *APP)
    voila_server.open_notebook(page, name)
    code = page.locator(".alab-playground .alab-code textarea")
    expect(code).to_be_visible()
    return code, page.locator(".alab-playground .alab-run")


@pytest.mark.browser
def test_typed_program_runs_and_errors_show_inline_in_voila(voila_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    code, run = _open(voila_server, page, "playground_type.ipynb")
    code.fill(PROGRAM)
    run.click()
    expect(page.locator(".alab-playground .alab-printed")).to_contain_text("w.grad is tensor(10.)")
    expect(page.locator(".alab-playground .alab-error")).to_have_count(0)
    screenshot(page, "playground-voila-run")

    code.fill("w = tensor(2.0)\nimport os\n")
    run.click()
    error = page.locator(".alab-playground .alab-error")
    expect(error).to_contain_text("line 2")
    expect(error).to_contain_text("import os is not available in the playground")  # `import os` shown as code
    expect(error.locator("code").first).to_have_text("import os")
    expect(error).to_contain_text("2 | import os")
    expect(page.locator(".alab-playground .alab-printed")).to_have_text("")
    screenshot(page, "playground-voila-rejected")


@pytest.mark.browser
def test_typed_program_shows_the_player_in_voila(voila_server, browser_page):
    from playwright.sync_api import expect

    pytest.importorskip("autograd_lab.view.player", reason="the Player widget has not landed yet")
    page = browser_page
    code, run = _open(voila_server, page, "playground_player.ipynb")
    code.fill(PROGRAM)
    run.click()
    player = page.locator(".alab-playground .alab-player")
    expect(player).to_be_visible()
    expect(player).to_contain_text("line 1: w = tensor(5.0, requires_grad=True)")  # the playground's lines
    screenshot(page, "playground-voila-player")


@pytest.mark.browser
def test_output_shows_above_the_error_and_refusals_suggest_in_voila(voila_server, browser_page):
    """Issue 10 item 10, as a student sees it: what the program printed, then the error under it
    (PyTorch's message and a hint); a misspelt name gets "Did you mean"; torch.erfinv lists torch's functions."""
    from playwright.sync_api import expect

    page = browser_page
    code, run = _open(voila_server, page, "playground_errors.ipynb")
    code.fill('w = tensor([1.0, 2.0], requires_grad=True)\nprint("before the error")\ny = w * 2\ny.backward()\n')
    run.click()
    printed = page.locator(".alab-playground .alab-printed")
    error = page.locator(".alab-playground .alab-error")
    expect(error).to_contain_text("grad can be implicitly created only for scalar outputs")
    expect(error).to_contain_text("y.sum().backward()")
    expect(printed).to_contain_text("before the error")
    assert printed.bounding_box()["y"] < error.bounding_box()["y"], "the printed text shows above the error"
    screenshot(page, "playground-voila-error-under-output")

    code.fill("w = tensor(1.0, requires_grad=True)\nprint(w.grd)\n")
    run.click()
    expect(error).to_contain_text("Did you mean .grad?")
    expect(error).to_contain_text("The examples menu shows what the playground runs.")
    expect(error).not_to_contain_text("register_hook()")  # a suggestion, not the list of every name
    code.fill("x = torch.erfinv(tensor(0.5))\n")  # (torch.sin is allowed: it is a declared op)
    run.click()
    expect(error).to_contain_text("torch.erfinv is not available in the playground.")
    expect(error).to_contain_text("torch (or lab) offers tensor(), zeros()")
    screenshot(page, "playground-voila-did-you-mean")
