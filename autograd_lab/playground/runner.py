"""`run(source)`: check a student's program whole, then interpret it inside a trace.

The package re-exports `run`; the widget (`widget`) imports it from here, so neither imports the other.
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from .binding import core_api
from .check import _Checker, _parse
from .interpret import _Interpreter
from .limits import Limits, RejectedCode

if TYPE_CHECKING:  # pragma: no cover
    from ..record.events import Trace


def run(source: str, *, limits: Limits | None = None) -> Trace:
    """Run a student's program in the safe subset and return its trace.

    Raises `RejectedCode` (a `ValueError`) for code the playground will not run, before
    anything runs when the text itself is the problem, or as soon as a limit is reached.
    Autograd errors become ``error`` events of the trace, as with ``trace(catch_errors=True)``.
    What the program printed is ``trace.printed`` (a list of lines), its warnings
    ``trace.warnings`` (once per line and message), and both in order ``trace.output``.

        >>> run("x = tensor(3.0)\\nprint(x * 2)").printed
        ['tensor(6.)']
    """
    limits = limits or Limits()
    tree, lines = _parse(source, limits)
    _Checker(lines, limits).check(tree)

    import autograd_lab as core

    namespace: dict[str, Any] = {}
    interp = _Interpreter(core_api(), limits, lines, namespace)
    with warnings.catch_warnings():  # restores the filters and showwarning afterwards
        warnings.simplefilter("always")
        warnings.showwarning = interp.warn
        with core.trace(catch_errors=True, namespace=namespace) as t:
            interp.start(t)
            try:
                interp.exec_module(tree)
            except RejectedCode:
                pass  # not an autograd error: raised below, once the trace is closed
    t.set_source(None)
    if interp.rejected is not None:
        raise interp.rejected
    t.printed = interp.printed().splitlines()
    t.warnings = interp.warnings
    t.output = interp.output()
    return t
