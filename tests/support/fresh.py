"""Code run in a fresh interpreter: Python's default warning filters (pytest changes them in its
own process), nothing imported yet, and only the repository on the path."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository


def python(code: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``code`` (dedented) with ``args`` in a fresh interpreter, the repository as its directory
    and its only path entry; its output is captured as text."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
