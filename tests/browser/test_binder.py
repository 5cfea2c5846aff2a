"""What Binder does, without Docker: a fresh virtual environment from binder/requirements.txt,
JupyterLab started from it, the tour opened and run in Chromium, the player visible.

Also checked, without a browser: the binder/ files are the ones repo2docker reads, and the
README's Binder badge is derived from the one repository URL in pyproject.toml.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot, serve_jupyterlab
from tests.support.requirements import REQUIRE_BROWSER

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"
TOUR = "notebooks/00_tour.ipynb"
INSTALL_TIMEOUT = 900  # seconds; about 30 s with a warm pip cache


def repository_url() -> str:
    """The repository's URL, written once: ``[project.urls] Homepage`` in pyproject.toml."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["urls"]["Homepage"].rstrip("/")


def binder_link(notebook: str = TOUR) -> str:
    """mybinder.org's link that opens ``notebook`` in JupyterLab, for the repository's default branch."""
    owner, repo = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?", repository_url()).groups()
    return f"https://mybinder.org/v2/gh/{owner}/{repo}/HEAD?urlpath=lab/tree/{notebook}"


def test_binder_files_are_what_repo2docker_reads():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    requirements = [line.split("#")[0].strip() for line in (BINDER / "requirements.txt").read_text().splitlines()]
    requirements = [r for r in requirements if r]
    assert any(r == "." or r.startswith(".[") for r in requirements), \
        "with a binder/ folder repo2docker does not install the package by itself: list '.'"
    # binder/ wins over root-level files; .binder/ beside binder/ is an error; environment.yml
    # would win over requirements.txt (and ignore runtime.txt).
    assert not (ROOT / ".binder").exists()
    assert not (BINDER / "environment.yml").exists()


def test_readme_badge_opens_the_tour_from_the_repository_url():
    readme = (ROOT / "README.md").read_text()
    badge = f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_link()})"
    assert badge in readme, f"README.md should have the Binder badge\n  {badge}"
    assert (ROOT / TOUR).exists()


def _python_of_runtime() -> str:
    version = (BINDER / "runtime.txt").read_text().strip().removeprefix("python-")
    found = shutil.which(f"python{version}")
    if found is None:
        message = f"no python{version} on PATH (binder/runtime.txt asks for it)"
        if os.environ.get(REQUIRE_BROWSER) == "1":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def binder_venv(tmp_path_factory):
    """A fresh virtual environment with binder/requirements.txt installed from the repository root."""
    venv = tmp_path_factory.mktemp("binder") / "venv"
    started = time.monotonic()
    subprocess.run([_python_of_runtime(), "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    install = subprocess.run([python, "-m", "pip", "install", "--no-input", "-r", "binder/requirements.txt"],
                             cwd=ROOT, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
    assert install.returncode == 0, f"pip install -r binder/requirements.txt failed:\n{install.stdout[-3000:]}" \
                                    f"\n{install.stderr[-3000:]}"
    # then binder/postBuild, as repo2docker does, with the environment's python first on PATH
    env = dict(os.environ, PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}")
    post = subprocess.run(["bash", "binder/postBuild"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=INSTALL_TIMEOUT)
    assert post.returncode == 0, f"binder/postBuild failed:\n{post.stdout[-3000:]}\n{post.stderr[-3000:]}"
    print(f"\nbinder venv installed in {time.monotonic() - started:.0f} s")
    return python


@pytest.mark.slow
@pytest.mark.browser
def test_tour_runs_in_jupyterlab_from_a_binder_environment(binder_venv, browser_page, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run([binder_venv, "-c", "import autograd_lab, jupyterlab, ipywidgets; "
                            "print(autograd_lab.__file__)"], capture_output=True, text=True, check=True,
                           cwd=tmp_path, env=env)
    assert where.stdout.startswith(str(Path(binder_venv).parents[1])), \
        f"the environment should use its own installed autograd_lab, not the checkout: {where.stdout}"

    with serve_jupyterlab(tmp_path / "lab", python=binder_venv) as server:
        # Binder serves the repository; temporary copies, since the server writes checkpoints.
        shutil.copytree(ROOT / "notebooks", server.root_dir / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        started = time.monotonic()
        server.open_notebook(browser_page, TOUR)
        server.run_all(browser_page)
        player = browser_page.locator(".alab-player").first
        player.wait_for(state="visible")
        print(f"tour opened and run in {time.monotonic() - started:.1f} s")
        player.scroll_into_view_if_needed()
        screenshot(browser_page, "binder-tour")
