"""The playground: students type a few lines of autograd code, run them, and watch the trace.

`run(source)` never gives the student's text to ``eval``, ``exec`` or ``compile``. It parses
the text with `ast`, checks the WHOLE program against an allow-list before anything runs
(`_Checker`, in `check`), then walks the tree itself (`_Interpreter`, in `interpret`) inside
``trace(catch_errors=True)`` (`run` is in `runner`). Everything a program may name, call, read
or set is listed in one table of names and checks (`allowlist`), bound to autograd_lab's values
in `binding`; every call into the core goes through one place (`_Interpreter._invoke`) that
checks sizes *before* the core allocates anything (`limits`).
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

from typing import TYPE_CHECKING, Any

from .examples import EXAMPLES
from .limits import Limits, RejectedCode
from .runner import run

# Named here for the tests as well, which import them from the package: the allow-list's two
# tables (no program may change them), the check and the file name a program's lines have in a trace.
from .allowlist import _FUNCTIONS, _RULES  # noqa: F401
from .check import FILENAME, _Checker, _parse  # noqa: F401

if TYPE_CHECKING:  # pragma: no cover
    from .widget import Playground

__all__ = ["EXAMPLES", "Limits", "Playground", "RejectedCode", "run"]


def __getattr__(name: str) -> Any:
    """`Playground` is imported on first use, so that `run` needs no ipywidgets."""
    if name == "Playground":
        from .widget import Playground

        return Playground
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"Playground"})
