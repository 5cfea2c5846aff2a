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
import os
import sys
from collections import namedtuple

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


_SCALARS = (np.float32, np.float64, np.int64, np.bool_)


def snapshot(v) -> object:
    """A small, JSON-friendly copy of a value: float, nested list, or a summary for big arrays."""
    if v.__class__ in _SCALARS:
        return v.item()
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
             "UnsafeViewBackward0": "reshape", "ReshapeAliasBackward0": "reshape", "CloneBackward0": "clone", "ExpandBackward0": "expand",
             "TBackward0": "t", "PermuteBackward0": "T", "DotBackward0": "matmul", "MvBackward0": "matmul",
             "MmBackward0": "matmul", "SelectBackward0": "index", "SliceBackward0": "index", "AliasBackward0": "index", "ToCopyBackward0": "to",
             "AddInplace": "add_", "SubInplace": "sub_", "MulInplace": "mul_", "DivInplace": "div_"}


class Trace:
    """The recorded events of a ``with trace():`` block (see module docstring)."""

    _ids = itertools.count(1)  # tensor and node ids, unique across traces (objects keep theirs)

    def __init__(self, catch_errors: bool = False, namespace: dict | None = None):
        self._events: list = []
        self._pending: list = []   # hot events (op, node, release) recorded raw, built on first read
        self._seen: set = set()
        self.names: dict[int, str] = {}
        self.leaf_of: dict[int, int] = {}   # AccumulateGrad node id -> leaf tensor id
        self.catch_errors = catch_errors
        self.error: BaseException | None = None
        self._namespace = namespace
        self._frame = None
        self._override: Source | None = None
        self._sources: dict = {}
        self._internal: dict = {}
        self._prev = None
        self._recorded_errors: set[int] = set()
        self._call_source = None  # the source line of the backward call being run
        self._saved_cache: dict = {}
        self._intern: dict = {}    # small tuples that recur (next_vars), shared between events
        self._next_of: dict = {}   # node id -> its next tuple
        from .functions import AccumulateGrad
        from .tensor import Tensor
        self._Tensor, self._Acc = Tensor, AccumulateGrad

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

    @property
    def events(self) -> list:
        """The events so far, in order (built from the raw records on first read)."""
        if self._pending:
            self.flush()
        return self._events

    def flush(self) -> None:
        """Build the pending raw records into events (before any value they refer to can change)."""
        pending, self._pending = self._pending, []
        build = (self._build_op, self._build_node, self._build_ready)
        for rec in pending:
            build[rec[0]](*rec[1:])

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
        import json
        return json.dumps({
            "version": 1,
            "names": {str(k): v for k, v in self.names.items()},
            "leaf_of": {str(k): v for k, v in self.leaf_of.items()},
            "events": [dict(e._asdict(), kind=e.kind) for e in self.events],
        }, default=_json_default)

    @classmethod
    def from_json(cls, s: str) -> "Trace":
        import json
        data = json.loads(s)
        t = cls()
        t.names = {int(k): v for k, v in data["names"].items()}
        t.leaf_of = {int(k): v for k, v in data.get("leaf_of", {}).items()}
        for d in data["events"]:
            etype = EVENT_TYPES[d.pop("kind")]
            src = d.get("source")
            d["source"] = Source(*src) if src is not None else None
            t._events.append(etype(**{k: _untuple(k, v) for k, v in d.items()}))
        return t

    # ------------------------------------------------------------------ ids, names, sources
    def tid(self, obj) -> int:
        try:
            return obj._tid
        except AttributeError:
            i = obj._tid = next(self._ids)
            return i

    def _is_internal(self, code) -> bool:
        """Code of the core (not the user's): its frames are skipped when looking for the source line."""
        fname = code.co_filename
        flag = self._internal[code] = fname.startswith(_PACKAGE_DIR)
        return flag

    def _user_frame(self):
        f = sys._getframe(2)
        internal = self._internal
        while f is not None:
            code = f.f_code
            flag = internal.get(code)
            if flag is None:
                flag = self._is_internal(code)
            if not flag:
                return f
            f = f.f_back
        return None

    def _source_at(self, code, line) -> Source:
        key = (code, line)
        src = self._sources.get(key)
        if src is None:
            fname = code.co_filename
            import linecache
            src = self._sources[key] = Source(fname, line, linecache.getline(fname, line).strip())
        return src

    def _source(self, frame=None):
        if self._override is not None:
            return self._override
        f = frame if frame is not None else self._user_frame()
        if f is None:
            return None
        return self._source_at(f.f_code, f.f_lineno)

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
                    tid = self.tid(v)
                    if tid not in names:
                        names[tid] = k

    # Recording is a queue of raw records (cheap: references and a source line); events are
    # built from them when ``events`` is first read, or before a value they refer to changes in
    # place (``flush``). Records: (0, op...), (1, node and its release...), (2, ready event).
    def _add(self, etype, *fields, frame=None, see=()):
        self._queue(self._source(frame), etype, fields, see)

    def _add_call(self, etype, *fields, see=()):
        """An engine event: its source is the line of the backward()/autograd.grad() call."""
        self._queue(self._call_source, etype, fields, see)

    def _queue(self, src, etype, fields, see) -> None:
        sees = tuple((t, self._tensor_fields(t)) for t in see if t is not None)
        self._pending.append((2, src, etype, fields, sees))

    def _build_ready(self, src, etype, fields, sees) -> None:
        for t, tf in sees:
            self._see(t, src, tf)
        if etype is TensorEvent:
            self._seen.add(fields[0])
        events = self._events
        events.append(etype(len(events), src, *fields))

    @staticmethod
    def _tensor_fields(t) -> tuple:
        d = t._data
        return (snapshot(d), np.shape(d), str(d.dtype), t._requires_grad or t.grad_fn is not None, "existing")

    def _see(self, t, src=None, fields=None) -> int:
        """(While building) the id of a tensor; one this trace has not shown yet gets a TensorEvent first."""
        tid = self.tid(t)
        if tid not in self._seen:
            self._seen.add(tid)
            events = self._events
            events.append(TensorEvent(len(events), src, tid, *(fields or self._tensor_fields(t))))
        return tid

    # ------------------------------------------------------------------ called by functions.apply
    def op(self, fn, inputs, out, node, params) -> None:
        # The hottest recorder: find the user's line (code object + line number; the text is
        # looked up when the event is built) without function calls.
        src = self._override
        line = 0
        if src is None:
            f = sys._getframe(3)  # apply's caller: a Tensor method (then the user) or the user
            internal = self._internal
            while f is not None:
                src = f.f_code
                flag = internal.get(src)
                if flag is None:
                    flag = self._is_internal(src)
                if not flag:
                    line = f.f_lineno
                    break
                f = f.f_back
            else:
                src = None
        self._pending.append((0, fn, inputs, out._data, out, node, src, line))

    def _build_op(self, fn, inputs, data, out, node, src, line) -> None:
        if line:  # src is the code object of the user's frame
            src = self._source_at(src, line)
        Tensor = self._Tensor
        ins = tuple([self._see(a, src) if a.__class__ is Tensor else None for a in inputs])
        tid = self.tid
        otid = tid(out)
        self._seen.add(otid)
        opname = _OP_NAMES.get(fn.__name__, fn.__name__)
        events = self._events
        if node is None:
            events.append(OpEvent(len(events), src, opname, ins, otid, snapshot(data), data.shape, False, None, None,
                                  (), (), (), False))
            return
        nxt = []
        nvars = []
        for n, _ in node.next_functions:
            if n is None:
                nxt.append(None)
                nvars.append(None)
            else:
                nt = tid(n)
                nxt.append(nt)
                if n.__class__ is self._Acc:
                    vt = self._see(n.variable, src)
                    self.leaf_of[nt] = vt
                    nvars.append(vt)
                else:
                    nvars.append(None)
        key = (node.__class__, node.needs_input_grad)
        saved = self._saved_cache.get(key)
        if saved is None:
            names = node.__class__._saved_names
            saved = self._saved_cache[key] = tuple(nm for nm, had in zip(names, node._had_saved()) if had)
        intern = self._intern
        nxt = tuple(nxt)
        nvars = tuple(nvars)
        nxt = intern.setdefault(nxt, nxt)
        nvars = intern.setdefault(nvars, nvars)
        ntid = tid(node)
        self._next_of[ntid] = nxt
        events.append(OpEvent(len(events), src, opname, ins, otid, snapshot(data), data.shape, True, ntid,
                              node.name(), nxt, nvars, saved,
                              out is inputs[0] and fn.__name__.endswith("Inplace")))

    def update(self, fn, inputs, target, before) -> None:
        t = target
        x = t._x
        if x is not None and x.base is not None:
            t = x.base
        self._add(UpdateEvent, self.tid(t), _OP_NAMES.get(fn.__name__, fn.__name__), snapshot(before),
                  snapshot(target._data), see=[t] + [a for a in inputs if isinstance(a, self._Tensor)])
        self._scan_names(self._user_frame())

    def before_special(self, fn, inputs):
        if self._pending:
            self.flush()  # zero_ changes values that pending events still refer to
        if fn.kind == "zero":
            t = inputs[0]
            return snapshot(t._grad if fn.__name__ == "ClearGrad" else t._data)
        return None

    def special(self, fn, inputs, t, params, before) -> None:
        kind = fn.kind
        if kind == "tensor":
            how = {"MakeLeaf": "tensor", "RequiresGrad": "requires_grad_", "Detach": "detach"}[fn.__name__]
            self._add(TensorEvent, self.tid(t), snapshot(t._data), np.shape(t._data), str(t._data.dtype),
                      t._requires_grad, how)
        elif kind == "zero":
            if fn.__name__ == "ClearGrad":
                self._add(ZeroEvent, self.tid(t), "set_to_none", before, see=(t,))
            else:
                x = t._x
                owner = x.grad_owner if x is not None else None
                who = owner if owner is not None else t
                self._add(ZeroEvent, self.tid(who), "zero_" if owner is not None else "data.zero_", before, see=(who,))
        self._scan_names(self._user_frame())

    # ------------------------------------------------------------------ called by the engine loop
    def backward_begin(self, call, roots, nodes, seeds, retain_graph, create_graph, inputs) -> None:
        self._call_source = self._source()
        tid = self.tid
        self._add_call(BackwardEvent, call, tuple(tid(r) for r in roots), tuple(tid(n) for n in nodes),
                       tuple(snapshot(s) for s in seeds), bool(retain_graph), bool(create_graph),
                       tuple(tid(i) for i in inputs), see=tuple(roots) + tuple(inputs))
        self._scan_names(self._user_frame())

    def node(self, node, grad_output, grad_inputs, released: bool = False) -> None:
        """A node ran (and, if ``released``, its saved values were then freed): one record for both."""
        self._pending.append((1, node, grad_output, grad_inputs, self._call_source, released))

    def _build_node(self, node, grad_output, grad_inputs, src, released) -> None:
        tid = self.tid
        ntid = tid(node)
        nxt = self._next_of.get(ntid)  # the same tuple as in the node's op event
        if nxt is None:
            nxt = tuple([tid(n) if n is not None else None for n, _ in node.next_functions])
        events = self._events
        events.append(NodeEvent(len(events), src, ntid, node.name(), snapshot(grad_output),
                                tuple([snapshot(g) for g in grad_inputs]), nxt))
        if released:
            self._build_release(node, src)

    def accumulate(self, node, var, before, added, after) -> None:
        vt = self.tid(var)
        self.leaf_of[self.tid(node)] = vt
        self._add_call(AccumulateEvent, self.tid(node), vt, before, snapshot(added), snapshot(after), see=(var,))

    def hook(self, which, node, tensor, fn, grad_in, grad_out) -> None:
        self._add_call(HookEvent, which, self.tid(node) if node is not None else None,
                       self.tid(tensor) if tensor is not None else None, getattr(fn, "__name__", repr(fn)),
                       _snap_many(grad_in), _snap_many(grad_out), see=(tensor,))

    def _build_release(self, node, src) -> None:
        names = type(node)._saved_names
        events = self._events
        events.append(ReleaseEvent(len(events), src, self.tid(node), node.name(),
                                   tuple(nm for nm, had in zip(names, node._had_saved()) if had)))

    def done(self, call, roots, results) -> None:
        self._add_call(DoneEvent, call, tuple(self.tid(r) for r in roots), tuple(snapshot(r) for r in results),
                       see=roots)
        self._call_source = None
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
_TUPLE_FIELDS = {"shape", "inputs", "next", "next_vars", "saved", "roots", "nodes", "seeds", "grad_inputs", "results",
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
