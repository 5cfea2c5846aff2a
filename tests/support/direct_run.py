"""A playground program run the trusted way, to compare with the playground's own run: ``run_direct``
compiles it from a file and runs it inside ``lab.trace(catch_errors=True)`` with the names a program
may use (``TOOLBOX``); ``comparable`` turns a trace into rows two runs must share."""
from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import autograd_lab as lab

TOOLBOX = {  # what a playground program can name, bound for the direct run
    "tensor": lab.tensor, "zeros": lab.zeros, "ones": lab.ones, "zeros_like": lab.zeros_like,
    "ones_like": lab.ones_like, "no_grad": lab.no_grad, "enable_grad": lab.enable_grad,
    "is_grad_enabled": lab.is_grad_enabled, "autograd": lab.autograd, "optim": lab.optim,
    "float32": lab.float32, "float64": lab.float64, "lab": lab, "torch": lab,
}


def run_direct(source: str, tmp_path: Path):
    """The code as a lesson runs it: compiled from a file, inside trace(catch_errors=True)."""
    path = tmp_path / "snippet.py"
    path.write_text(source)
    code = compile(source, str(path), "exec")
    namespace = dict(TOOLBOX)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with lab.trace(catch_errors=True, namespace=namespace) as t:
            exec(code, namespace)
    t.warnings = [f"{w.category.__name__}: {w.message}" for w in caught]
    return t, out.getvalue().splitlines()


ID_FIELDS = {"tensor", "inputs", "output", "node", "next", "next_vars", "roots", "nodes"}


def comparable(trace) -> list:
    """Events without their file name (``<playground>`` versus the snippet's file), tensor and
    node ids renumbered by first appearance (ids are unique across traces), then the names
    and leaves found, with the same numbers."""
    ids: dict[int, int] = {}

    def renumber(value):
        if isinstance(value, (tuple, list)):
            return tuple(renumber(v) for v in value)
        if value is None:
            return None
        return ids.setdefault(value, len(ids) + 1)

    rows = []
    for e in trace.events:
        fields = e._asdict()
        source = fields.pop("source")
        fields["line"] = None if source is None else (source.line, source.text)
        for name in ID_FIELDS & set(fields):
            fields[name] = renumber(fields[name])
        fields = {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
        rows.append((e.kind, fields))
    names = sorted((renumber(tid), name) for tid, name in trace.names.items() if tid in ids)
    leaves = sorted((renumber(n), renumber(t)) for n, t in trace.leaf_of.items())
    return rows + [("names", names), ("leaf_of", leaves)]
