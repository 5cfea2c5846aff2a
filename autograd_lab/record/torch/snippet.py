"""``trace_torch_snippet``: run a code string with real torch and return its Trace (the lessons'
"same in real PyTorch" cells). Apart from the recorder: it starts a trace (``record.events``),
which starts the recorder (recorder.py) only when torch is imported.
"""
from __future__ import annotations

import linecache
import sys

from ..events import trace

__all__ = ["trace_torch_snippet"]


def trace_torch_snippet(src: str, namespace: dict | None = None, catch_errors: bool = True):
    """Run ``src`` (code written against ``torch``) with real torch and return its Trace.

    For the lessons' "same in real PyTorch" cells: ``lab.Player(trace_torch_snippet(src))``.
    ``torch`` must already be importable; the code sees ``torch`` (the real one) in its
    namespace. Raises ImportError, in the student's terms, when torch is not installed.
    """
    torch = sys.modules.get("torch")
    if torch is None:
        try:
            import importlib
            torch = importlib.import_module("torch")  # only here, asked for by the user's lesson cell
        except ImportError:
            raise ImportError("PyTorch is not installed here, so the real-torch player cannot run: "
                              "pip install torch (CPU is enough)") from None
    ns = {"torch": torch, "__name__": "__torch_snippet__"} if namespace is None else namespace
    ns.setdefault("torch", torch)
    code = compile(src, "<torch snippet>", "exec")
    linecache.cache["<torch snippet>"] = (len(src), None, src.splitlines(True), "<torch snippet>")
    with trace(catch_errors=catch_errors, namespace=ns) as t:
        exec(code, ns)
    return t
