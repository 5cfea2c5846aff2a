"""Smoke test of the browser fixtures: an ipywidgets button clicked in a Voila app."""

import pytest

from tests.browser.conftest import screenshot, write_notebook
from tests.browser.test_smoke_lab import SMOKE_CELLS, click_and_check


@pytest.mark.browser
def test_button_click_updates_label_in_voila(voila_server, browser_page):
    write_notebook(voila_server.root_dir / "smoke_voila.ipynb", *SMOKE_CELLS)
    voila_server.open_notebook(browser_page, "smoke_voila.ipynb")
    click_and_check(browser_page)
    screenshot(browser_page, "smoke-voila")
