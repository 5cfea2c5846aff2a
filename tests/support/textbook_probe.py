"""Run a snippet notebook-style with ``torch`` bound to real torch and again to ``autograd_lab``.

A snippet is one notebook cell as a student pastes it from a textbook: every top-level expression
statement's value is shown by its repr (as Jupyter's displayhook does: ``None`` or a trailing ``;``
shows nothing, the last value is ``_``), what it prints is kept, a warning is kept as ``<Category>: message`` where it
happened, and an exception ends the cell as ``<Type>: message``. Object addresses read ``0x...``.

    >>> transcript("x = torch.ones(2, requires_grad=True)\\nx * 2", autograd_lab)
    ['tensor([2., 2.], grad_fn=<MulBackward0>)']
    >>> differences(SNIPPETS)        # {name: (ours, theirs)} for the snippets that differ

Run as a script (``python -m tests.support.textbook_probe [--left-out] [name ...]``) it prints each
differing snippet's two transcripts side by side and a count (``--left-out``: the cells the subset leaves
out, too).
"""
from __future__ import annotations

import ast
import contextlib
import io
import math
import re
import sys
import textwrap
import warnings

import autograd_lab

_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


class _Cell(io.StringIO):
    """stdout of a cell: what is printed, with warnings written in where they happen."""


def transcript(code: str, lib) -> list[str]:
    """The lines a notebook cell running ``code`` with ``torch = lib`` shows."""
    _spend_warn_once()
    ns = {"torch": lib, "math": math, "__name__": "__main__"}
    out = _Cell()
    source = textwrap.dedent(code)
    tree = ast.parse(source)
    lines = source.splitlines()

    def showwarning(message, category, filename, lineno, file=None, line=None):
        out.write(f"<{category.__name__}>: {message}\n")

    with warnings.catch_warnings(), contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.showwarning = showwarning
        try:
            for stmt in tree.body:
                if isinstance(stmt, ast.Expr):
                    value = eval(compile(ast.Expression(stmt.value), "<cell>", "eval"), ns)
                    # (a trailing ';' hides the value, as in Jupyter)
                    hidden = lines[stmt.end_lineno - 1][stmt.end_col_offset:].lstrip().startswith(";")
                    if value is not None and not hidden:
                        ns["_"] = value
                        out.write(repr(value) + "\n")
                else:
                    exec(compile(ast.Module([stmt], type_ignores=[]), "<cell>", "exec"), ns)
        except Exception as e:  # noqa: BLE001 - the exception is what the cell shows
            out.write(f"<{type(e).__name__}>: {e}\n")
    return _ADDRESS.sub("0x...", out.getvalue()).splitlines()


_SPENT = []


def _spend_warn_once() -> None:
    """PyTorch says some warnings once a process (TORCH_WARN_ONCE: ``float()`` of a tensor that requires
    grad, ``backward(create_graph=True)``, ``.T`` of a tensor not 2-D) and cannot forget that it did, so
    whether a cell shows one would depend on what ran before it in the process (the whole suite: other
    tests). Both libraries say them once here, silenced: no cell shows them, whatever the order.
    (Fresh processes check them: tests/test_core_parity.py, tests/test_fidelity_api.py.)"""
    if _SPENT:
        return
    try:
        import torch
    except ImportError:  # (autograd_lab alone)
        torch = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lib in (autograd_lab, torch) if torch is not None else (autograd_lab,):
            x = lib.tensor(2., requires_grad=True)
            float(x)
            (x * x).backward(create_graph=True)
            lib.tensor(1.).T, lib.tensor([1., 2.]).T
    _SPENT.append(True)


def compare(code: str):
    """(ours, theirs): the transcripts of ``code`` in autograd_lab and in torch."""
    import torch
    return transcript(code, autograd_lab), transcript(code, torch)


def differences(snippets: dict[str, str]) -> dict[str, tuple[list[str], list[str]]]:
    out = {}
    for name, code in snippets.items():
        ours, theirs = compare(code)
        if ours != theirs:
            out[name] = (ours, theirs)
    return out


def _main(argv):
    from tests.support.textbook_snippets import LEFT_OUT, SNIPPETS
    every = {**SNIPPETS, **LEFT_OUT} if "--left-out" in argv else SNIPPETS
    argv = [a for a in argv if a != "--left-out"]
    chosen = {k: v for k, v in every.items() if not argv or k in argv}
    diff = differences(chosen)
    for name, (ours, theirs) in diff.items():
        print(f"=== {name}")
        n = max(len(ours), len(theirs))
        for a, b in zip(ours + [""] * (n - len(ours)), theirs + [""] * (n - len(theirs))):
            print(("   " if a == b else "!! ") + f"lab:   {a}")
            if a != b:
                print(f"   torch: {b}")
    print(f"{len(chosen) - len(diff)} of {len(chosen)} snippets match")


if __name__ == "__main__":
    _main(sys.argv[1:])
