"""The differential harness behind ``test_torch_differential.py``: run one snippet twice inside
``lab.trace()``, once with autograd_lab's core and once with real torch (recorded from torch
itself by ``record/torch/``), and reduce each trace to what a student is shown.

    core, real = both(src, "lab")      # two lists of comparable steps
    diff(core, real)                   # None when they agree, else the first difference

Compared: the kind of each event and, per kind, torch's node names, the values (within float32
round-off), saved-value names, backward arguments, hooks (kind and function name), errors (type
and message), zeroing and updates. Not compared: ids, sources, and no-graph ops (the arithmetic
inside ``optimizer.step()`` or a hook, which the two libraries do in different steps).
"""
from __future__ import annotations

import ast
import contextlib
import io
import json
import pathlib
import warnings

import numpy as np

import autograd_lab

ROOT = pathlib.Path(__file__).resolve().parents[2]  # the repository (this file is tests/support/)


def lesson_snippets() -> dict:
    """``{"01_requires_grad#1": source}``: the code of every ``same_in_pytorch(...)`` cell."""
    out = {}
    for nb in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        k = 0
        for c in cells:
            src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            if c["cell_type"] != "code" or "same_in_pytorch" not in src:
                continue
            for node in ast.walk(ast.parse(src)):
                if (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) ==
                        "same_in_pytorch" and node.args and isinstance(node.args[0], ast.Constant)):
                    k += 1
                    out[f"{nb.stem}#{k}"] = node.args[0].value
    return out


def run(src: str, module, var: str):
    ns = {var: module, "__name__": "__snippet__"}
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        with autograd_lab.trace(catch_errors=True, namespace=ns) as t:
            exec(compile(src, "<snippet>", "exec"), ns)
    return t


def _v(x):
    """A value as a comparable thing: numbers within float32 round-off, texts as they are."""
    if x is None or isinstance(x, (str, bool)):
        return x
    if isinstance(x, dict):
        return ("summary", tuple(x.get("shape", ())))
    if isinstance(x, tuple):
        return tuple(_v(y) for y in x)
    try:
        return _Num(np.asarray(x, dtype=np.float64))
    except (TypeError, ValueError):
        return repr(x)


class _Num:
    def __init__(self, a):
        self.a = a

    def __eq__(self, other):
        return (isinstance(other, _Num) and self.a.shape == other.a.shape
                and bool(np.allclose(self.a, other.a, rtol=1e-4, atol=1e-5, equal_nan=True)))

    def __repr__(self):
        return repr(self.a.tolist())


def steps(t) -> list:
    out = []
    for e in t.events:
        k = e.kind
        if k == "tensor":
            if e.how != "existing":
                out.append((k, e.how, _v(e.value), e.requires_grad))
        elif k == "op":
            if e.node is not None:
                out.append((k, e.node_name, _v(e.value), tuple(sorted(e.saved)), e.inplace))
        elif k == "backward":
            out.append((k, e.call, _v(tuple(e.seeds)), e.retain_graph, e.create_graph))
        elif k == "node":
            out.append((k, e.name, _v(e.grad_output), _v(tuple(e.grad_inputs))))
        elif k == "accumulate":
            out.append((k, _v(e.before), _v(e.added), _v(e.after)))
        elif k == "hook":
            out.append((k, e.which, e.fn))
        elif k == "release":
            out.append((k, e.name, tuple(sorted(e.saved))))
        elif k == "done":
            out.append((k, e.call, _v(tuple(e.results))))
        elif k == "error":
            out.append((k, e.error, e.message, e.name))
        elif k == "zero":
            out.append((k, e.how, _v(e.before)))
        elif k == "set_grad":
            out.append((k, _v(e.before), _v(e.after)))
        elif k == "update":
            out.append((k, e.op, _v(e.before), _v(e.after)))
        else:  # (a kind added to record/kinds.py: say here what of it a student sees)
            raise AssertionError(f"steps(): no rule for the event kind {k!r}")
    return out


def both(src: str, var: str):
    import torch
    return steps(run(src, autograd_lab, var)), steps(run(src, torch, var))


def diff(a: list, b: list):
    """None, or (position, core's step, torch's step) of the first difference."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i, x, y
    if len(a) != len(b):
        i = min(len(a), len(b))
        return i, a[i] if i < len(a) else None, b[i] if i < len(b) else None
    return None
