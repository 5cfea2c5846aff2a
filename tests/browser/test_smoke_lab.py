"""Smoke test of the browser fixtures: an ipywidgets button clicked in JupyterLab."""

import pytest

from tests.browser.conftest import screenshot, write_notebook

# Shared with test_smoke_voila.py: a button whose clicks a label counts.
SMOKE_CELLS = (
    "import ipywidgets as widgets",
    "button = widgets.Button(description='Hello')\n"
    "button.add_class('alab-smoke')\n"
    "label = widgets.Label('not clicked yet')\n"
    "label.add_class('alab-smoke-label')\n"
    "clicks = 0\n"
    "def on_click(_):\n"
    "    global clicks\n"
    "    clicks += 1\n"
    "    label.value = f'Hello was clicked {clicks} time(s)'\n"
    "button.on_click(on_click)\n"
    "widgets.VBox([button, label])",
)


def click_and_check(page):
    from playwright.sync_api import expect

    button, label = page.locator(".alab-smoke"), page.locator(".alab-smoke-label")
    expect(button).to_be_visible()
    expect(label).to_have_text("not clicked yet")
    button.click()
    expect(label).to_have_text("Hello was clicked 1 time(s)")
    button.click()
    expect(label).to_have_text("Hello was clicked 2 time(s)")


@pytest.mark.browser
def test_button_click_updates_label_in_jupyterlab(jupyterlab_server, browser_page):
    write_notebook(jupyterlab_server.root_dir / "smoke_lab.ipynb", *SMOKE_CELLS)
    jupyterlab_server.open_notebook(browser_page, "smoke_lab.ipynb")
    jupyterlab_server.run_all(browser_page)
    click_and_check(browser_page)
    screenshot(browser_page, "smoke-lab")
    screenshot(browser_page.locator(".alab-smoke").locator(".."), "smoke-lab-widget")


@pytest.mark.browser
def test_run_all_reports_cell_errors(jupyterlab_server, browser_page):
    write_notebook(jupyterlab_server.root_dir / "smoke_error.ipynb", "1 / 0")
    jupyterlab_server.open_notebook(browser_page, "smoke_error.ipynb")
    with pytest.raises(AssertionError, match="ZeroDivisionError: division by zero"):
        jupyterlab_server.run_all(browser_page)
