"""The Player rendered by Voila (a notebook served as an app) and in Notebook 7."""
from __future__ import annotations

import pytest

from tests.support.requirements import REQUIRE_BROWSER, require

from tests.browser.conftest import JupyterLabServer, _serve, screenshot, wait_still, write_notebook
from tests.browser.test_player_lab import EXAMPLE


def click_through(page, name: str) -> None:
    from playwright.sync_api import expect

    player = page.locator(".alab-player")
    expect(player.locator(".alab-frame svg")).to_be_visible()
    narration, frame = player.locator(".alab-narration"), player.locator(".alab-frame")
    expect(narration).to_contain_text("Step 1 of 22")
    wait_still(player)  # (drawn and fitted: what changes from now on is the steps')
    before = frame.inner_html()
    for i in range(1, 10):
        player.locator(".alab-next").click()
        expect(narration).to_contain_text(f"Step {i + 1} of 22")
    expect(narration).to_contain_text("AccumulateGrad sets w.grad to 3 (w.grad was None")
    assert frame.inner_html() != before and "▶ AccumulateGrad" in frame.inner_html()
    wait_still(player)
    screenshot(page, name)


@pytest.mark.browser
def test_player_steps_in_voila(voila_server, browser_page):
    write_notebook(voila_server.root_dir / "player_voila.ipynb", EXAMPLE)
    voila_server.open_notebook(browser_page, "player_voila.ipynb")
    click_through(browser_page, "player-voila")


class NotebookServer(JupyterLabServer):
    """Notebook 7: the same front-end pieces as JupyterLab, a different page per notebook."""

    def open_notebook(self, page, name: str, timeout: int = 90_000) -> None:
        from tests.browser.conftest import _LAB_KERNEL_IDLE

        page.goto(f"{self.url}/notebooks/{name}?token={self.token}", wait_until="domcontentloaded",
                  timeout=timeout)
        self._wait_for(page, _LAB_KERNEL_IDLE, name, timeout, f"Notebook 7 opening {name} with an idle kernel")


@pytest.fixture(scope="module")
def notebook7_server(tmp_path_factory):
    notebook = require("notebook", REQUIRE_BROWSER)  # part of the browser test set-up: fails, not skips, in CI
    assert int(notebook.__version__.split(".")[0]) >= 7, f"Notebook 7 is needed, found {notebook.__version__}"
    home = tmp_path_factory.mktemp("notebook7")
    args = ["--allow-root", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={home / 'root'}",
            "--JupyterNotebookApp.expose_app_in_browser=True"]
    with _serve(NotebookServer, home, "notebook", args, "--IdentityProvider.token", "/api/status") as server:
        yield server


@pytest.mark.browser
def test_player_steps_in_notebook7(notebook7_server, browser_page):
    write_notebook(notebook7_server.root_dir / "player_nb7.ipynb", EXAMPLE)
    notebook7_server.open_notebook(browser_page, "player_nb7.ipynb")
    notebook7_server.run_all(browser_page)
    click_through(browser_page, "player-notebook7")
