"""Shared test helpers for optional heavy dependencies: PyTorch and the browser.

``require_torch()`` and ``require_browser()`` work like ``pytest.importorskip``: they
return what was asked for, or skip the test (or the whole module, when called at module
level). ``scripts/test`` sets ``AUTOGRAD_LAB_REQUIRE_TORCH=1`` and
``AUTOGRAD_LAB_REQUIRE_BROWSER=1``, and then a missing dependency fails instead::

    from tests.support.requirements import require_torch

    torch = require_torch()
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"  # Debian's package; scripts/test installs it with apt-get
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # gitignored
REQUIRE_TORCH = "AUTOGRAD_LAB_REQUIRE_TORCH"
REQUIRE_BROWSER = "AUTOGRAD_LAB_REQUIRE_BROWSER"


def _skip_or_fail(env_var: str, reason: str) -> None:
    if os.environ.get(env_var) == "1":
        pytest.fail(f"{reason}, and {env_var}=1 says it must be there", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def require(module: str, env_var: str):
    """Import and return ``module``; skip without it, or fail if ``env_var`` is ``1``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        _skip_or_fail(env_var, f"{module} is not installed ({exc})")


def require_torch():
    """Return the ``torch`` module (skip, or fail under AUTOGRAD_LAB_REQUIRE_TORCH=1)."""
    return require("torch", REQUIRE_TORCH)


def require_browser():
    """Return Playwright's ``sync_playwright`` once Playwright and Chromium are both there
    (skip, or fail under AUTOGRAD_LAB_REQUIRE_BROWSER=1)."""
    sync_api = require("playwright.sync_api", REQUIRE_BROWSER)
    if not os.access(CHROMIUM, os.X_OK):
        _skip_or_fail(REQUIRE_BROWSER, f"no Chromium at {CHROMIUM}")
    return sync_api.sync_playwright
