"""Cells run out of order: a NameError in a lesson gets a short note on what to run first.

``start_lesson()`` (the first cell of every lesson calls it) installs an IPython handler for
NameError: instead of a traceback, plain text says which cell to run. The note is plain text in
a terminal-style error output, so it uses quotes, not Markdown backticks.

The commonest slip is the first cell skipped: then ``start_lesson()`` never ran, and only code
that runs when the kernel starts can help. ``install_startup()`` (``python -m
autograd_lab.lessons.order install``; Binder's postBuild runs it) writes a small IPython startup
file: a NameError for ``torch`` or ``lab`` keeps IPython's usual traceback and gets a note saying
to run the first cell; every other NameError shows as usual. autograd_lab is imported only then.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..narration import say

__all__ = ["start_lesson", "install_startup"]

_FIRST_CELL_NAMES = {"torch": "import autograd_lab as torch", "lab": "import autograd_lab as lab"}


def name_error_note(name: str) -> str:
    """What to do about ``NameError: name 'name' is not defined`` in a lesson notebook."""
    if name in _FIRST_CELL_NAMES:
        return say("lessons.order.first_cell", name=name, line=_FIRST_CELL_NAMES[name])
    return say("lessons.order.earlier_cell", name=name)


def _name_error_handler(shell, etype, value, tb, tb_offset=None):
    """IPython's custom-exception hook: a two-line error output instead of a traceback."""
    name = getattr(value, "name", None) or str(value)
    short = [f"NameError: name '{name}' is not defined", name_error_note(name)]
    shell._showtraceback(etype, value, short)  # an ordinary error output: Run All still stops here
    return None


def _first_cell_handler(shell, etype, value, tb, tb_offset=None):
    """The startup file's handler (before any lesson cell ran): IPython's usual traceback, plus a note
    when the missing name is one the lessons' first cell makes."""
    stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    name = getattr(value, "name", None)
    if name in _FIRST_CELL_NAMES:
        stb = list(stb) + [name_error_note(name)]
    shell._showtraceback(etype, value, stb)
    return None


STARTUP_FILE = "50-autograd_lab-first-cell.py"
_STARTUP = """\
# Written by autograd_lab (python -m autograd_lab.lessons.order install); delete this file to undo.
# When a lesson's first cell was skipped, "NameError: name 'torch' is not defined" gets a note
# saying to run it. Every other NameError shows as usual. Nothing is imported until then.
def _autograd_lab_name_error(shell, etype, value, tb, tb_offset=None):
    try:
        from autograd_lab.lessons.order import _first_cell_handler
    except Exception:
        return shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    return _first_cell_handler(shell, etype, value, tb, tb_offset)


get_ipython().set_custom_exc((NameError,), _autograd_lab_name_error)
del _autograd_lab_name_error
"""


def install_startup(ipython_dir: str | Path | None = None, profile: str = "default") -> Path:
    """Write the IPython startup file that catches a skipped first cell (see the module docstring);
    returns its path. ``ipython_dir``: default IPython's own (``~/.ipython`` or $IPYTHONDIR)."""
    if ipython_dir is None:
        from IPython.paths import get_ipython_dir
        ipython_dir = get_ipython_dir()
    path = Path(ipython_dir) / f"profile_{profile}" / "startup" / STARTUP_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_STARTUP)
    return path


def start_lesson() -> None:
    """In a notebook: a NameError (a cell run before the one that makes its variables) gets a
    short explanation of what to run first instead of a traceback. Outside IPython: nothing."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((NameError,), _name_error_handler)


if __name__ == "__main__":  # python -m autograd_lab.lessons.order install [IPYTHON_DIR]
    if sys.argv[1:2] != ["install"]:
        sys.exit("usage: python -m autograd_lab.lessons.order install [IPYTHON_DIR]")
    print(install_startup(sys.argv[2] if len(sys.argv) > 2 else None))
