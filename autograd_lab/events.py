"""Event types and ``trace()``: what the core did, step by step, for the viewer to replay.

    with trace() as t:
        w = tensor(2.0, requires_grad=True)
        z = w * 3
        z.backward()
    [e.kind for e in t.events]   # ['tensor', 'op', 'backward', 'node', 'accumulate', 'release'?, 'done']

The core calls the active ``Trace`` from exactly two places: ``functions.apply`` (every
forward operation, leaf creation, zeroing, in-place update) and the engine loop (every
backward step). Outside ``trace()`` ``active`` is None and the core pays one check.

Events refer to tensors and nodes by small integer ids (``tid``), carry small snapshots
of values (a float, a nested list up to 64 numbers, or a summary dict for larger arrays)
and the line of user code that caused them (``source``). ``Trace.names`` maps tensor ids
to the user's variable names found in the traced block.
"""
from __future__ import annotations

import itertools
import json
import linecache
import os
import sys
from collections import namedtuple
from typing import Any

import numpy as np

active = None  # the Trace currently recording, if any (read by the core on every op)
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
SNAPSHOT_LIMIT = 64

Source = namedtuple("Source", "file line text")


def _event(kind: str, fields: str, doc: str):
    base = namedtuple(kind.capitalize() + "Event", "index source " + fields)
    cls = type(base.__name__, (base,), {"__slots__": (), "kind": kind, "__doc__": doc})
    return cls


TensorEvent = _event("tensor", "tensor value shape dtype requires_grad how",
                     "A leaf tensor appears (created, detached, or first used) or its requires_grad changes.")
OpEvent = _event("op", "op inputs output value shape requires_grad node node_name next next_vars saved inplace",
                 "A forward operation: input tensor ids (None for Python numbers), output id, the grad_fn node "
                 "(None when no graph was recorded), its next_functions as node ids, and what it saved.")
BackwardEvent = _event("backward", "call roots nodes seeds retain_graph create_graph inputs",
                       "A backward() or autograd.grad() call begins.")
NodeEvent = _event("node", "node name grad_output grad_inputs next",
                   "A grad_fn node runs: the gradient it received and the gradients it sends along next_functions.")
AccumulateEvent = _event("accumulate", "node tensor before added after",
                         "AccumulateGrad adds a gradient into a leaf's .grad: before + added = after.")
HookEvent = _event("hook", "which node tensor fn grad_in grad_out",
                   "A hook fires: which is 'tensor', 'retain_grad', 'prehook', 'hook' or 'post_accumulate'.")
ReleaseEvent = _event("release", "node name saved", "A node's saved values are freed after it ran.")
DoneEvent = _event("done", "call roots results", "A backward() or autograd.grad() call finished.")
ErrorEvent = _event("error", "error message node name",
                    "Autograd raised an error (type name and PyTorch's message), at a node if known.")
ZeroEvent = _event("zero", "tensor how before", "A gradient is zeroed in place (zero_) or set to None.")
UpdateEvent = _event("update", "tensor op before after", "A tensor's data is changed in place (an optimizer step).")

EVENT_TYPES = {c.kind: c for c in (TensorEvent, OpEvent, BackwardEvent, NodeEvent, AccumulateEvent, HookEvent,
                                   ReleaseEvent, DoneEvent, ErrorEvent, ZeroEvent, UpdateEvent)}
KINDS = tuple(EVENT_TYPES)


def snapshot(v) -> Any:
    """A small, JSON-friendly copy of a value: float, nested list, or a summary for big arrays."""
    if v is None:
        return None
    d = getattr(v, "_data", v)
    if isinstance(d, (bool, int, float)):
        return d
    if isinstance(d, np.generic) or (isinstance(d, np.ndarray) and d.ndim == 0):
        return d.item()
    d = np.asarray(d)
    if d.size <= SNAPSHOT_LIMIT:
        return d.tolist()
    f = d.astype(np.float64)
    return {"shape": list(d.shape), "min": float(np.min(f)), "max": float(np.max(f)),
            "mean": float(np.mean(f))}


_OP_NAMES = {"AddBackward0": "add", "SubBackward0": "sub", "RsubBackward1": "rsub", "MulBackward0": "mul",
             "DivBackward0": "div", "NegBackward0": "neg", "ReciprocalBackward0": "reciprocal",
             "PowBackward0": "pow", "PowBackward1": "pow", "PowBackward2": "pow", "ExpBackward0": "exp",
             "LogBackward0": "log", "TanhBackward0": "tanh", "SigmoidBackward0": "sigmoid",
             "ReluBackward0": "relu", "SqrtBackward0": "sqrt", "SumBackward0": "sum", "SumBackward1": "sum",
             "MeanBackward0": "mean", "MeanBackward1": "mean", "ViewBackward0": "reshape",
             "UnsafeViewBackward0": "reshape", "CloneBackward0": "clone", "ExpandBackward0": "expand",
             "TBackward0": "t", "PermuteBackward0": "T", "DotBackward0": "matmul", "MvBackward0": "matmul",
             "MmBackward0": "matmul", "SelectBackward0": "index", "ToCopyBackward0": "to",
             "AddInplace": "add_", "SubInplace": "sub_", "MulInplace": "mul_", "DivInplace": "div_"}


class Trace:
    """The recorded events of a ``with trace():`` block (see module docstring)."""

    def __init__(self, catch_errors: bool = False, namespace: dict | None = None):
        self.events: list = []
        self.names: dict[int, str] = {}
        self.leaf_of: dict[int, int] = {}   # AccumulateGrad node id -> leaf tensor id
        self.catch_errors = catch_errors
        self.error: BaseException | None = None
        self._namespace = namespace
        self._ids = itertools.count(1)
        self._frame = None
        self._override: Source | None = None
        self._sources: dict = {}
        self._internal: dict = {}
        self._prev = None
        self._recorded_errors: set[int] = set()

    # ------------------------------------------------------------------ context manager
    def __enter__(self) -> "Trace":
        global active
        self._prev = active
        self._frame = sys._getframe(1)
        active = self
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        global active
        try:
            if exc is not None and isinstance(exc, Exception):
                if id(exc) not in self._recorded_errors:
                    self._add(ErrorEvent, type(exc).__name__, str(exc), None, None, frame=tb_frame(tb))
                self.error = exc
            self._scan_names()
        finally:
            active = self._prev
            self._frame = None
        return bool(exc is not None and self.catch_errors and isinstance(exc, Exception))

    # ------------------------------------------------------------------ public helpers
    def set_source(self, file: str | None, line: int | None = None, text: str = "") -> None:
        """Force the source of the next events (used by interpreters such as the playground)."""
        self._override = None if file is None else Source(file, line, text)

    def name_of(self, tid: int) -> str | None:
        return self.names.get(tid)

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self):
        return iter(self.events)

    def __repr__(self) -> str:
        return f"<Trace: {len(self.events)} events>"

    def play(self, **kwargs):
        """Show this trace in a Player widget (``lab.Player(t)``)."""
        from .player import Player
        return Player(self, **kwargs)

    def to_json(self) -> str:
        return json.dumps({
            "version": 1,
            "names": {str(k): v for k, v in self.names.items()},
            "leaf_of": {str(k): v for k, v in self.leaf_of.items()},
            "events": [dict(e._asdict(), kind=e.kind) for e in self.events],
        }, default=_json_default)

    @classmethod
    def from_json(cls, s: str) -> "Trace":
        data = json.loads(s)
        t = cls()
        t.names = {int(k): v for k, v in data["names"].items()}
        t.leaf_of = {int(k): v for k, v in data.get("leaf_of", {}).items()}
        for d in data["events"]:
            etype = EVENT_TYPES[d.pop("kind")]
            src = d.get("source")
            d["source"] = Source(*src) if src is not None else None
            t.events.append(etype(**{k: _untuple(k, v) for k, v in d.items()}))
        return t

    # ------------------------------------------------------------------ ids, names, sources
    def tid(self, obj) -> int:
        try:
            return obj._tid
        except AttributeError:
            i = obj._tid = next(self._ids)
            return i

    def _user_frame(self):
        f = sys._getframe(2)
        internal = self._internal
        while f is not None:
            code = f.f_code
            flag = internal.get(code)
            if flag is None:
                flag = internal[code] = code.co_filename.startswith(_PACKAGE_DIR) and not code.co_filename.endswith("playground.py")
            if not flag:
                return f
            f = f.f_back
        return None

    def _source(self, frame=None):
        if self._override is not None:
            return self._override
        f = frame if frame is not None else self._user_frame()
        if f is None:
            return None
        key = (f.f_code, f.f_lineno)
        src = self._sources.get(key)
        if src is None:
            fname = f.f_code.co_filename
            src = self._sources[key] = Source(fname, f.f_lineno, linecache.getline(fname, f.f_lineno).strip())
        return src

    def _scan_names(self, frame=None) -> None:
        from .tensor import Tensor
        spaces = []
        if self._namespace is not None:
            spaces.append(self._namespace)
        else:
            if frame is not None:
                spaces.append(frame.f_locals)
            if self._frame is not None and self._frame is not frame:
                spaces.append(self._frame.f_locals)
        names = self.names
        for ns in spaces:
            for k, v in list(ns.items()):
                if type(v) is Tensor and not k.startswith("_"):
                    tid = getattr(v, "_tid", None)
                    if tid is not None and tid not in names:
                        names[tid] = k

    def _add(self, etype, *fields, frame=None):
        self.events.append(etype(len(self.events), self._source(frame), *fields))

    def _see(self, t) -> int:
        """The id of a tensor; a tensor this trace has not seen yet gets a TensorEvent first."""
        try:
            return t._tid
        except AttributeError:
            tid = self.tid(t)
            self._add(TensorEvent, tid, snapshot(t._data), list(np.shape(t._data)), str(t._data.dtype),
                      t._requires_grad or t.grad_fn is not None, "existing")
            return tid

    # ------------------------------------------------------------------ called by functions.apply
    def op(self, fn, inputs, out, node, params) -> None:
        see = self._see
        ins = tuple(see(a) if hasattr(a, "_data") else None for a in inputs)
        tid = self.tid
        if node is not None:
            nxt = []
            nvars = []
            for n, _ in node.next_functions:
                if n is None:
                    nxt.append(None)
                    nvars.append(None)
                else:
                    nt = tid(n)
                    nxt.append(nt)
                    var = getattr(n, "variable", None)
                    if var is not None:
                        vt = see(var)
                        self.leaf_of[nt] = vt
                        nvars.append(vt)
                    else:
                        nvars.append(None)
            names = type(node)._saved_names
            saved_names = tuple(nm for nm, v in zip(names, node._saved) if v is not None) if names else ()
            self._add(OpEvent, _OP_NAMES.get(fn.__name__, fn.__name__), ins, tid(out), snapshot(out._data), list(np.shape(out._data)),
                      True, tid(node), node.name(), tuple(nxt), tuple(nvars), saved_names, out is inputs[0] and fn.__name__.endswith("Inplace"))
        else:
            name = _OP_NAMES.get(fn.__name__, fn.__name__)
            self._add(OpEvent, name, ins, tid(out), snapshot(out._data), list(np.shape(out._data)),
                      False, None, None, (), (), (), False)

    def update(self, fn, inputs, target, before) -> None:
        t = target
        x = t._x
        if x is not None and x.base is not None:
            t = x.base
        for a in inputs:
            if hasattr(a, "_data"):
                self._see(a)
        self._add(UpdateEvent, self._see(t), _OP_NAMES.get(fn.__name__, fn.__name__), snapshot(before),
                  snapshot(target._data))
        self._scan_names(self._user_frame())

    def before_special(self, fn, inputs):
        if fn.kind == "zero":
            t = inputs[0]
            return snapshot(t._grad if fn.__name__ == "ClearGrad" else t._data)
        return None

    def special(self, fn, inputs, t, params, before) -> None:
        kind = fn.kind
        if kind == "tensor":
            tid = self.tid(t)
            how = {"MakeLeaf": "tensor", "RequiresGrad": "requires_grad_", "Detach": "detach"}[fn.__name__]
            self._add(TensorEvent, tid, snapshot(t._data), list(np.shape(t._data)), str(t._data.dtype),
                      t._requires_grad, how)
        elif kind == "zero":
            if fn.__name__ == "ClearGrad":
                self._add(ZeroEvent, self._see(t), "set_to_none", before)
            else:
                x = t._x
                owner = x.grad_owner if x is not None else None
                self._add(ZeroEvent, self._see(owner if owner is not None else t),
                          "zero_" if owner is not None else "data.zero_", before)
        self._scan_names(self._user_frame())

    # ------------------------------------------------------------------ called by the engine loop
    def backward_begin(self, call, roots, nodes, seeds, retain_graph, create_graph, inputs) -> None:
        self._add(BackwardEvent, call, tuple(self._see(r) for r in roots), tuple(self.tid(n) for n in nodes),
                  tuple(snapshot(s) for s in seeds), bool(retain_graph), bool(create_graph),
                  tuple(self._see(i) for i in inputs))
        self._scan_names(self._user_frame())

    def node(self, node, grad_output, grad_inputs) -> None:
        tid = self.tid
        self._add(NodeEvent, tid(node), node.name(), snapshot(grad_output),
                  tuple(snapshot(g) for g in grad_inputs),
                  tuple(tid(n) if n is not None else None for n, _ in node.next_functions))

    def accumulate(self, node, var, before, added, after) -> None:
        vt = self._see(var)
        self.leaf_of[self.tid(node)] = vt
        self._add(AccumulateEvent, self.tid(node), vt, before, snapshot(added), snapshot(after))

    def hook(self, which, node, tensor, fn, grad_in, grad_out) -> None:
        self._add(HookEvent, which, self.tid(node) if node is not None else None,
                  self._see(tensor) if tensor is not None else None, getattr(fn, "__name__", repr(fn)),
                  _snap_many(grad_in), _snap_many(grad_out))

    def release(self, node) -> None:
        names = type(node)._saved_names
        self._add(ReleaseEvent, self.tid(node), node.name(),
                  tuple(nm for nm, had in zip(names, node._saved.had) if had))

    def done(self, call, roots, results) -> None:
        self._add(DoneEvent, call, tuple(self._see(r) for r in roots), tuple(snapshot(r) for r in results))
        self._scan_names(self._user_frame())

    def record_error(self, exc, node) -> None:
        self._recorded_errors.add(id(exc))
        self._add(ErrorEvent, type(exc).__name__, str(exc), self.tid(node) if node is not None else None,
                  node.name() if node is not None else None)


def _snap_many(v):
    """A tuple of snapshots (hooks see one gradient or a tuple of them); None stays None."""
    if v is None:
        return None
    if isinstance(v, (tuple, list)):
        return tuple(snapshot(x) for x in v)
    return (snapshot(v),)


def tb_frame(tb):
    """The innermost user frame of a traceback (for the source of an error event)."""
    frame = None
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(_PACKAGE_DIR):
            frame = tb.tb_frame
        tb = tb.tb_next
    return frame


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"cannot serialise {type(o).__name__}")


# Fields that hold tuples (of ids or of snapshots); JSON turns them into lists.
_TUPLE_FIELDS = {"inputs", "next", "next_vars", "saved", "roots", "nodes", "seeds", "grad_inputs", "results",
                 "grad_in", "grad_out"}


def _untuple(name, v):
    return tuple(v) if name in _TUPLE_FIELDS and isinstance(v, list) else v


def trace(catch_errors: bool = False, namespace: dict | None = None) -> Trace:
    """Record what the code in the ``with`` block does: ``with trace() as t: ...``; then ``t.events``.

    ``catch_errors=True``: an autograd error ends the block, is recorded as an ``error``
    event (and kept in ``t.error``) and does not propagate.
    ``namespace``: a dict to find variable names in, instead of the caller's local variables.
    """
    return Trace(catch_errors=catch_errors, namespace=namespace)
