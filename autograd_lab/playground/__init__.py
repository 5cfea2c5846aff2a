"""The playground: students type a few lines of autograd code, run them, and watch the trace.

`run(source)` never gives the student's text to ``eval``, ``exec`` or ``compile``. It parses
the text with `ast`, checks the WHOLE program against an allow-list before anything runs
(`_Checker`, in `check`), then walks the tree itself (`_Interpreter`, in `interpret`) inside
``trace(catch_errors=True)``. Everything a program may name, call, read or set is listed in
one table (`allowlist`); every call into the core goes through one place
(`_Interpreter._invoke`) that checks sizes *before* the core allocates anything (`limits`).
Code the playground will not run raises `RejectedCode` (a `ValueError`) saying what is not
allowed and what is; autograd errors (a second backward, say) become part of the trace, as
they do with ``trace(catch_errors=True)``. `Playground()` is the ipywidgets app around `run`
(`widget`, imported only when first asked for, so `run` works without ipywidgets), with the
programs of `EXAMPLES`.

    >>> t = run("w = tensor(2.0, requires_grad=True)\\nz = w * 3\\nz.backward()\\nprint(w.grad)")
    >>> t.printed
    ['tensor(3.)']
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from .allowlist import _core_api
from .check import _Checker, _parse
from .examples import EXAMPLES
from .interpret import _Interpreter
from .limits import Limits, RejectedCode

# Named here for the tests as well, which import them from the package: the allow-list's two
# tables (no program may change them) and the file name a program's lines have in a trace.
from .allowlist import _FUNCTIONS, _RULES  # noqa: F401
from .check import FILENAME  # noqa: F401

if TYPE_CHECKING:  # pragma: no cover
    from ..record.events import Trace
    from .widget import Playground

__all__ = ["EXAMPLES", "Limits", "Playground", "RejectedCode", "run"]


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
    interp = _Interpreter(_core_api(), limits, lines, namespace)
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


def __getattr__(name: str) -> Any:
    """`Playground` is imported on first use, so that `run` needs no ipywidgets."""
    if name == "Playground":
        from .widget import Playground

        return Playground
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"Playground"})
