"""Cells run out of order: a NameError in a lesson gets a short note on what to run first.

``start_lesson()`` (the first cell of every lesson calls it) installs an IPython handler for
NameError: instead of a traceback, plain text says which cell to run. The commonest
slip, the first cell skipped (``name 'torch' is not defined``), gets its own note. The note is
plain text in a terminal-style error output, so it uses quotes, not Markdown backticks.
"""
from __future__ import annotations

from ..narration import say

__all__ = ["start_lesson"]

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
