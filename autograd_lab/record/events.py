"""Event types and ``trace()``: what the core did, step by step, for the viewer to replay.

    with trace() as t:
        w = tensor(2.0, requires_grad=True)
        z = w * 3
        z.backward()
    [e.kind for e in t.events]   # ['tensor', 'op', 'backward', 'node', 'accumulate', 'release'?, 'done']

``Trace`` implements the core's recording interface (``core.recording.Recorder``): while a
``with trace():`` block runs it is ``core.recording.active``, which the core calls from exactly
two places: ``function.apply`` (every forward operation, leaf creation, zeroing, in-place
update) and the engine loop (every backward step). Outside ``trace()`` ``active`` is None and
the core pays one check.

Events refer to tensors and nodes by small integer ids (``tid``), carry small snapshots
of values (a float, a nested list up to 64 numbers, or a summary dict for larger arrays)
and the line of user code that caused them (``source``). Names live beside the events (see
record/names.py): ``Trace.names`` maps tensor ids to what the user's code calls them (``w``,
``y #2`` for the second value bound to ``y``, ``xs[2]``, ``n.w[0]``), ``Trace.expr_names`` names
the other intermediates by their expression (``w * x``), ``Trace.full_names`` holds the whole
text of a shortened one; ``display_name(tid)`` gives the one to show (``t<id>`` as a last resort).

``t.events`` reads like a list of event namedtuples; it stores them in columns (ids and
values in typed arrays: about 100 bytes per event for a long scalar chain, 8 bytes per
number of a tensor's snapshot) and makes each event object when it is read.
"""
from __future__ import annotations

import itertools
import os
import sys
import weakref
from array import array

import numpy as np

from ..core import recording as _rec
from ..core.function import op_label
from ..core.recording import (EVENT_RECORD, EVENT_RECORD_LEN, MODULE_RECORD, NODE_RECORD, OP_RECORD, OP_TAIL,
                              NodeRecord, OpRecord)
from .columns import EventList, freeze, snapshot  # noqa: F401  (part of this module's interface)
from .layout import (EVENT_TYPES, SNAPSHOT_LIMIT, AccumulateEvent, BackwardEvent, DoneEvent,  # noqa: F401
                     ErrorEvent, HookEvent, NodeEvent, OpEvent, ReleaseEvent, SetGradEvent, Source, TensorEvent,
                     UpdateEvent, ZeroEvent)
from .modules import ModuleCalls
from .names import Namer

_getframe = sys._getframe
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # autograd_lab/


_CORE_CLASSES: tuple = ()
_TENSOR_AT = TensorEvent._fields.index("tensor") - 2  # (in a tensor event's fields)


def _core_classes() -> tuple:
    """(Tensor, AccumulateGrad) of the core (imported on first use: the core imports this module)."""
    global _CORE_CLASSES
    if not _CORE_CLASSES:
        from ..core.node import AccumulateGrad
        from ..core.tensor import Tensor
        _CORE_CLASSES = (Tensor, AccumulateGrad)
    return _CORE_CLASSES


class Trace:
    """The recorded events of a ``with trace():`` block (see module docstring)."""

    _ids = itertools.count(1)  # tensor and node ids, unique across traces (objects keep theirs)

    def __init__(self, catch_errors: bool = False, namespace: dict | None = None):
        self._events = EventList()
        self._pending: list = []   # hot events (op, node, release) recorded raw, built on first read
        self._late = None          # real torch's queued records: their builder (torch/recorder.py: finish)
        self._torch = None         # the real-torch recorder while the block runs
        self.append_raw = self._pending.extend  # (recording.Recorder: the core appends raw records)
        self.user_code = None      # the user's code object the last op came from (None while a
                                   # source is forced by set_source)
        self._first_id = None  # tensors this trace has shown: a byte per id from the first one it gives
        self._seen_bits = bytearray()
        self._seen_before: set = set()    # ... and a set for older ids
        self._shown = array("q")          # ... and their ids in the order shown (names are numbered so)
        self._namer = Namer(matches=_op_matches)
        self._resolved = None  # (namer version, tensors shown, names, expr_names, full_names)
        self._statement_start = 1 << 62   # an id taken when set_source was last called (name_expression)
        self.leaf_of: dict[int, int] = {}   # AccumulateGrad node id -> leaf tensor id
        self.catch_errors = catch_errors
        self.error: BaseException | None = None
        self._namespace = namespace
        self._frame = None
        self._override: Source | None = None
        self._sources: dict = {}
        self._internal: dict = {}  # id(code) -> True for the core's own code (its frames are skipped)
        self._codes: dict = {}     # id(code) -> (code, line of each instruction): keeps those ids valid
        self._prev = None
        self._recorded_errors: set[int] = set()
        self._call_source = None  # the source line of the backward call being run
        self._saved_cache: dict = {}
        self._Tensor, self._Acc = _core_classes()
        # which iterations of a long real-torch loop keep their values whole (record/torch/thin.py):
        # None when every value is kept; else {"iterations": N (backward calls), "whole": [1-based
        # iteration numbers], "not_kept": the text a value of more than 64 numbers shows elsewhere}
        self.kept_whole: dict | None = None
        self._modules = ModuleCalls(self.tid)  # the nn.Module calls (record/modules.py)
        self._module_now = None    # (while building) the module call the next op event ran in
        self._module_table = None  # (read from JSON) the modules' table

    # ------------------------------------------------------------------ context manager
    def __enter__(self) -> "Trace":
        self._frame = sys._getframe(1)
        if self._namespace is None:  # (a namespace's code is run by exec: its module code is the block)
            self._namer.trace_code = self._frame.f_code
        self._prev = _rec.set_active(self)
        self._torch = None
        if getattr(sys.modules.get("torch"), "overrides", None) is not None:  # real torch imported: record it too
            from .torch.recorder import TorchRecorder  # (record/torch/ never imports this module)
            self._torch = TorchRecorder(self, sys.modules["torch"], self._frame, self._namespace)
            self._torch.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        rec = None
        if self._torch is not None:  # (real torch: stop recording it first)
            self._torch, rec = None, self._torch
            rec.stop()
        try:
            if exc is not None and isinstance(exc, Exception):
                if id(exc) not in self._recorded_errors:
                    # the tensor the error is about, which the core (and the real-torch recorder) note on it
                    about = getattr(exc, "_alab_tensor", None)
                    core = type(about) is self._Tensor
                    self._queue(self._error_source(tb), ErrorEvent,
                                ErrorEvent.pack(error=type(exc).__name__, message=str(exc), node=None, name=None,
                                                tensor=self.tid(about) if about is not None else None),
                                (about,) if core else ())  # (torch's: shown by its recorder)
                self.error = exc
            self._scan_names()
            self._name_modules()
            if rec is not None:  # (one search of the containers for both kinds of tensor)
                self._scan_containers(rec.Tensor, rec.grad_of)
            else:
                self._scan_containers()
        finally:
            _rec.set_active(self._prev)
            self._frame = None
            if self._pending:
                self._unsettle()
        return bool(exc is not None and self.catch_errors and isinstance(exc, Exception))

    def _unsettle(self) -> None:
        """Ask the core to build the pending records before it changes any tensor in place or runs
        a backward pass (``recording.settle``): events are built lazily, and what they show must be
        the values of their own step, not what the code after the block did to them. Copying the
        arrays still pending here instead would cost a pass over every record (3 ms per 10k ops)."""
        refs = _rec.unsettled
        if len(refs) >= 64:  # traces dropped unread, or read since: forget them
            refs[:] = [r for r in refs if r() is not None and r()._pending]
        refs.append(weakref.ref(self))

    @property
    def events(self) -> EventList:
        """The events so far, in order (built from the raw records on first read)."""
        rec = self._torch
        if rec is not None and rec.raw and not rec.building:  # (read inside the block: real torch's so far)
            rec.flush()
        if self._pending or self._late is not None:
            self.flush()
        return self._events

    def flush(self) -> None:
        """Build the pending raw records into events (before any value they refer to can change)."""
        if self._late is not None:  # real torch's, queued before the core's pending ones
            late, self._late = self._late, None
            late()
        pending = self._pending  # emptied in place: the engine loop holds its extend while it runs
        build_op, build_node, build_ready = self._build_op, self._build_node, self._build_ready
        i, n = 0, len(pending)
        OP, NODE = OP_RECORD, NODE_RECORD
        O, N = OpRecord, NodeRecord
        try:
            while i < n:
                kind = pending[i]
                if kind == OP:
                    k = pending[i + O.N]  # how many inputs follow
                    j = i + O.INPUTS + k
                    build_op(pending[i + O.FN], tuple(pending[i + O.INPUTS:j]), *pending[j:j + OP_TAIL])
                    i = j + OP_TAIL
                elif kind == NODE:
                    k = pending[i + N.N]  # how many gradients follow
                    j = i + N.GRADS
                    build_node(pending[i + N.NODE], pending[i + N.GRAD_OUTPUT], tuple(pending[j:j + k]),
                               pending[i + N.SOURCE], pending[i + N.RELEASED])
                    i = j + k
                elif kind == MODULE_RECORD:
                    self._module_now = pending[i + 1]
                    i += 2
                else:
                    build_ready(*pending[i + 1:i + EVENT_RECORD_LEN])
                    i += EVENT_RECORD_LEN
        finally:
            pending.clear()

    # ------------------------------------------------------------------ nn.Module calls (record/modules.py)
    def enter_module(self, module) -> None:
        """A module call begins (the core's Module.__call__; real torch's recorder has its own hooks)."""
        self._pending += (MODULE_RECORD, self._modules.enter(module))

    def exit_module(self, module, output) -> None:
        self._pending += (MODULE_RECORD, self._modules.exit(module, output))

    def _name_modules(self) -> None:
        if self._modules:
            if self._namespace is not None:
                spaces = [self._namespace]
            elif self._frame is not None:
                spaces = [self._frame.f_locals, self._frame.f_globals]
            else:
                spaces = []
            self._modules.note_roots(spaces)

    @property
    def modules(self) -> dict:
        """The nn.Module calls the block ran: call id -> (parent call id, name as the code reaches the
        module (``net[0]``, ``block.attn``), class name, id of the tensor it returned); an op event's
        ``module`` is the id of the innermost call it ran in."""
        if self._module_table is not None:
            return self._module_table
        return self._modules.table()

    # ------------------------------------------------------------------ public helpers
    def set_source(self, file: str | None, line: int | None = None, text: str = "") -> None:
        """Force the source of the next events (used by interpreters such as the playground)."""
        self._override = None if file is None else Source(file, line, text)
        if file is not None:
            self._statement_start = next(self._ids)  # tensors with a later id are this statement's
        self.user_code = None  # (so that no op takes the shortcut past the forced source)

    def name_of(self, tid: int) -> str | None:
        return self.names.get(tid)

    # ------------------------------------------------------------------ names (record/names.py)
    def _names(self):
        r = self._resolved
        if r is not None and r[0] is None:  # set (read from JSON): fixed
            return r
        if self._pending or self._late is not None:  # (real torch's queued records too)
            self.flush()
        if self._modules.ended:  # (the tensors made inside nn.Module calls: record/modules.py)
            self._modules.offer_names(self._namer, self._events)
        n = len(self._shown)
        if r is None or r[0] != self._namer.version or r[1] != n:
            names, exprs, full = self._namer.resolve(self._shown)
            r = self._resolved = (self._namer.version, n, names, exprs, full)
        return r

    @property
    def names(self) -> dict:
        """Tensor id -> what the user's code calls it: a variable (``y``, ``y #2`` for the second
        value bound to ``y``), a path through their containers (``xs[2]``, ``n.w[0]``), an assignment's
        target (``self.out``)."""
        return self._names()[2]

    @names.setter
    def names(self, value: dict) -> None:
        r = self._resolved
        self._resolved = (None, 0, dict(value), r[3] if r else {}, r[4] if r else {})

    @property
    def expr_names(self) -> dict:
        """Tensor id -> the expression that made an intermediate the user did not name (``w * x``,
        ``sum(…)``, shortened to a few dozen characters)."""
        return self._names()[3]

    @property
    def full_names(self) -> dict:
        """Tensor id -> the whole expression of a name that was shortened."""
        return self._names()[4]

    def display_name(self, tid: int) -> str:
        """The name to show for tensor ``tid``: ``names``, else ``expr_names``, else ``t<id>``."""
        r = self._names()
        return r[2].get(tid) or r[3].get(tid) or f"t{tid}"

    def name_expression(self, value, node, target=None) -> None:
        """For interpreters that walk the syntax tree themselves (the playground), whose ops have no
        code positions: tensor ``value`` is what expression ``node`` evaluated to, and was assigned
        to ``target`` (an ``ast`` node) if given."""
        if type(value) is not self._Tensor:
            return
        tid = getattr(value, "_tid", None)  # a tensor with no id yet, or one newer than the statement
        if tid is None or tid > self._statement_start:  # (set_source), was made by this expression
            self._namer.expression(self.tid(value), node, target)

    def _scan_containers(self, torch_tensor=None, torch_grad_of=None) -> None:
        """Search the traced block's variables (and its globals) for tensors in containers (real
        torch's too, given its Tensor class: one search for both)."""
        if self._namespace is not None or self._frame is not None:
            is_tensor, grad_of = self._is_tensor, _grad_of
            if torch_tensor is not None:
                Core = self._Tensor

                def is_tensor(v):
                    return type(v) is Core or isinstance(v, torch_tensor)

                def grad_of(v):
                    return _grad_of(v) if type(v) is Core else torch_grad_of(v)
            self._namer.scan_frame(self._frame, self.tid, is_tensor, self._namespace, grad_of=grad_of)

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self):
        return iter(self.events)

    def __repr__(self) -> str:
        return f"<Trace: {len(self.events)} events>"

    def play(self, **kwargs):
        """Show this trace in a Player widget (``lab.Player(t)``): through the player the package
        registered (``register_player``; the record does not import the view)."""
        if not _PLAYERS:
            raise RuntimeError("no player is registered: import autograd_lab (it registers its Player)")
        return _PLAYERS[-1](self, **kwargs)

    def to_json(self) -> str:
        import json
        data = {
            "version": 1,
            "names": {str(k): v for k, v in self.names.items()},
            "expr_names": {str(k): v for k, v in self.expr_names.items()},
            "full_names": {str(k): v for k, v in self.full_names.items()},
            "leaf_of": {str(k): v for k, v in self.leaf_of.items()},
            "events": [dict(e._asdict(), kind=e.kind) for e in self.events],
        }
        if self.kept_whole is not None:  # (only when values were thinned: other traces' JSON is as it was)
            data["kept_whole"] = self.kept_whole
        if self.modules:  # (the nn.Module calls, when the block made any)
            data["modules"] = {str(k): list(v) for k, v in self.modules.items()}
        return json.dumps(data, default=_json_default)

    @classmethod
    def from_json(cls, s: str) -> "Trace":
        import json
        data = json.loads(s)
        t = cls()
        t._resolved = (None, 0, {int(k): v for k, v in data["names"].items()},
                       {int(k): v for k, v in data.get("expr_names", {}).items()},
                       {int(k): v for k, v in data.get("full_names", {}).items()})
        t.leaf_of = {int(k): v for k, v in data.get("leaf_of", {}).items()}
        t.kept_whole = data.get("kept_whole")
        t._module_table = {int(k): tuple(v) for k, v in data.get("modules", {}).items()}
        for d in data["events"]:
            etype = EVENT_TYPES[d.pop("kind")]
            for f in etype._fields:  # (a field added since the trace was saved: None)
                d.setdefault(f, None)
            src = d.get("source")
            d["source"] = Source(*src) if src is not None else None
            t._events.append_event(etype(**{k: _untuple(k, v) for k, v in d.items()}))
        return t

    # ------------------------------------------------------------------ ids, names, sources
    def tid(self, obj) -> int:
        i = getattr(obj, "_tid", None)  # (cheaper than catching the AttributeError of a new object)
        if i is None:
            i = obj._tid = next(self._ids)
        return i

    # Code objects are looked up by id (hashing a code object is slow); ``_codes`` holds each one
    # it has seen, so no other object can take its id while this trace lives.
    def _is_internal(self, code) -> bool:
        """Code of the core (not the user's): its frames are skipped when looking for the source line."""
        self._codes.setdefault(id(code), (code, None))
        flag = self._internal[id(code)] = code.co_filename.startswith(_PACKAGE_DIR)
        return flag

    def _line_at(self, code, lasti: int) -> int:
        """The line of the instruction at byte offset ``lasti`` (what ``frame.f_lineno`` would say
        there; reading f_lasti when recording is much cheaper than f_lineno)."""
        entry = self._codes.get(id(code))
        lines = entry[1] if entry is not None else None
        if lines is None:
            lines = {}
            for start, end, line in code.co_lines():
                for off in range(start, end, 2):
                    lines[off] = line
            self._codes[id(code)] = (code, lines)
        line = lines.get(lasti)
        return line if line is not None else code.co_firstlineno

    def _user_frame(self, f=None):
        """The innermost frame of user code, from ``f`` outwards (default: the caller's caller)."""
        if f is None:
            f = sys._getframe(2)
        internal = self._internal
        while f is not None:
            code = f.f_code
            flag = internal.get(id(code))
            if flag is None:
                flag = self._is_internal(code)
            if not flag:
                return f
            f = f.f_back
        return None

    def _source_at(self, code, line) -> Source:
        key = (id(code), line)
        self._codes.setdefault(id(code), (code, None))
        src = self._sources.get(key)
        if src is None:
            fname = code.co_filename
            import linecache
            src = self._sources[key] = Source(fname, line, linecache.getline(fname, line).strip())
        return src

    def _error_source(self, tb):
        """The source of an error that ended the block: the user's line it was raised at."""
        if self._override is not None:
            return self._override
        f, line = tb_frame(tb)
        return None if f is None else self._source_at(f.f_code, line)

    def _source(self, frame=None):
        if self._override is not None:
            return self._override
        f = frame if frame is not None else self._user_frame()
        if f is None:
            return None
        return self._source_at(f.f_code, f.f_lineno)

    def _is_tensor(self, v) -> bool:
        return type(v) is self._Tensor

    def _scan_names(self, frame=None) -> None:
        """Offer the variables of the traced block (and of ``frame``, the user's frame now) as names."""
        namer, tid, is_tensor = self._namer, self.tid, self._is_tensor
        if self._namespace is not None:
            namer.variables(self._namespace, tid, is_tensor, 0)
            return
        if self._frame is not None:
            namer.variables(self._frame.f_locals, tid, is_tensor, 0)
        if frame is not None and frame is not self._frame:
            namer.variables(frame.f_locals, tid, is_tensor, 2)

    # Recording is a queue of raw records (cheap: references and a source line); events are
    # built from them when ``events`` is first read, or before a value they refer to changes in
    # place (``flush``). Their layout is defined once, in core/recording.py (OP_RECORD, NODE_RECORD, EVENT_RECORD, OpRecord,
    # NodeRecord), which the core writes by and flush reads by.
    # No tuple per record, and no tuple of an op's inputs or a node's gradients is kept: each
    # would be one more object for the garbage collector to count and visit while a long trace
    # is recorded (the inputs tuple alone: 70 ns per op).
    def _add(self, etype, frame=None, see=(), **fields):
        """Queue an event of type ``etype`` with its fields by name, at the user's line now; the
        tensors in ``see`` are shown first if the trace has not shown them yet."""
        self._queue(self._source(frame), etype, etype.pack(**fields), see)

    def _add_call(self, etype, see=(), **fields):
        """An engine event: its source is the line of the backward()/autograd.grad() call."""
        self._queue(self._call_source, etype, etype.pack(**fields), see)

    def _queue(self, src, etype, fields, see) -> None:
        sees = tuple((t, self._tensor_fields(t)) for t in see if t is not None)
        self._pending += (EVENT_RECORD, src, etype, fields, sees)

    def _build_ready(self, src, etype, fields, sees) -> None:
        for t, tf in sees:
            self._see(t, src, tf)
        if etype is TensorEvent:
            self._mark_seen(fields[_TENSOR_AT])
        self._events._add(etype, src, fields)

    def _mark_seen(self, tid: int) -> bool:
        """Note that this trace has shown tensor ``tid``; False if it had already."""
        first = self._first_id
        if first is None:  # ids are given as events are built: start the byte map there
            first = self._first_id = next(self._ids)
        k = tid - first
        if k < 0:
            if tid in self._seen_before:
                return False
            self._seen_before.add(tid)
            self._shown.append(tid)
            return True
        bits = self._seen_bits
        if k >= len(bits):
            bits.extend(bytes(k + 1024 - len(bits)))
        elif bits[k]:
            return False
        bits[k] = 1
        self._shown.append(tid)
        return True

    @staticmethod
    def _tensor_fields(t) -> dict:
        d = t._data
        return {"value": freeze(d), "shape": np.shape(d), "dtype": str(d.dtype),
                "requires_grad": t._requires_grad or t.grad_fn is not None, "how": "existing"}

    def _see(self, t, src=None, fields=None) -> int:
        """(While building) the id of a tensor; one this trace has not shown yet gets a TensorEvent first."""
        tid = self.tid(t)
        if self._mark_seen(tid):
            self._events._add(TensorEvent, src, TensorEvent.pack(tensor=tid, **(fields or self._tensor_fields(t))))
        return tid

    # ------------------------------------------------------------------ called by functions.apply
    def op(self, fn, inputs, out, node, params) -> None:
        """Record an op: its raw values, and the user's code object and instruction offset (the
        line and its text are looked up when the event is built). ``apply`` appends the record
        itself when the op comes from the user code the last one came from (``user_code``)."""
        src, at = self._override, -1
        if src is None:
            f = self._user_frame(_getframe(1))
            if f is not None:
                src, at = f.f_code, f.f_lasti
                self.user_code = src
        self.append_raw((OP_RECORD, fn, len(inputs), *inputs, out._data, out, node, src, at))

    def _build_op(self, fn, inputs, data, out, node, src, at) -> None:
        if at >= 0:  # src is the code object of the user's frame, at the instruction's offset
            code = src
            src = self._source_at(src, self._line_at(src, at))
        Tensor = self._Tensor
        ins = tuple([self._see(a, src) if a.__class__ is Tensor else None for a in inputs])
        tid = self.tid
        otid = tid(out)
        self._mark_seen(otid)
        opname = op_label(fn)
        if at >= 0:
            self._namer.site(otid, code, at, opname, ins)
        if node is None:
            self._events._add(OpEvent, src, OpEvent.pack(
                op=opname, inputs=ins, output=otid, value=data, shape=data.shape, requires_grad=False, node=None,
                node_name=None, next=(), next_vars=(), saved=(), inplace=False, module=self._module_now))
            return
        nxt = []
        nvars = []
        for n in node._next:
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
        self._events._add(OpEvent, src, OpEvent.pack(
            op=opname, inputs=ins, output=otid, value=data, shape=data.shape, requires_grad=True, node=tid(node),
            node_name=node.name(), next=tuple(nxt), next_vars=tuple(nvars), saved=saved,
            inplace=out is inputs[0] and fn.__name__.endswith("Inplace"), module=self._module_now))

    def update(self, fn, inputs, target, before) -> None:
        t = target
        x = t._x
        if x is not None and x.base is not None:
            t = x.base
        self._add(UpdateEvent, tensor=self.tid(t), op=op_label(fn), before=freeze(before),
                  after=freeze(target._data), see=[t] + [a for a in inputs if isinstance(a, self._Tensor)])
        self._scan_names(self._user_frame())

    def before_special(self, fn, inputs):
        if self._pending:
            self.flush()  # zero_ changes values that pending events still refer to
        kind = fn.kind
        if kind == "zero":
            return freeze(inputs[0]._data)
        if kind == "set_grad":
            return freeze(inputs[0]._grad)
        return None

    def special(self, fn, inputs, t, params, before) -> None:
        kind = fn.kind
        if kind == "tensor":
            how = {"MakeLeaf": "tensor", "RequiresGrad": "requires_grad_", "Detach": "detach"}[fn.__name__]
            f = self._user_frame() if self._override is None else None
            if f is not None and how != "requires_grad_":
                self._namer.site(self.tid(t), f.f_code, f.f_lasti)
            self._add(TensorEvent, tensor=self.tid(t), value=freeze(t._data), shape=np.shape(t._data),
                      dtype=str(t._data.dtype), requires_grad=t._requires_grad, how=how)
        elif kind == "zero":
            x = t._x
            owner = x.grad_owner if x is not None else None
            who = owner if owner is not None else t
            self._add(ZeroEvent, tensor=self.tid(who), how="zero_" if owner is not None else "data.zero_",
                      before=before, see=(who,))
        elif kind == "set_grad":  # w.grad = g / w.grad = None
            self._add(SetGradEvent, tensor=self.tid(t), before=before, after=freeze(t._grad), see=(t,))
        self._scan_names(self._user_frame())

    freeze = staticmethod(lambda v: freeze(v))  # (recording.Recorder: a value as it is now)

    # ------------------------------------------------------------------ called by the engine loop
    def backward_begin(self, call, roots, nodes, seeds, retain_graph, create_graph, inputs) -> None:
        self._call_source = self._source()
        tid = self.tid
        self._add_call(BackwardEvent, call=call, roots=tuple(tid(r) for r in roots), nodes=tuple(tid(n) for n in nodes),
                       seeds=tuple(snapshot(s) for s in seeds), retain_graph=bool(retain_graph),
                       create_graph=bool(create_graph), inputs=tuple(tid(i) for i in inputs),
                       see=tuple(roots) + tuple(inputs))
        self._scan_names(self._user_frame())

    def seed(self, t) -> None:
        """The gradient a backward call with create_graph=True starts from (a tensor it made)."""
        self._mark_seen(self.tid(t))
        self._add_call(TensorEvent, tensor=self.tid(t), value=freeze(t._data), shape=np.shape(t._data),
                       dtype=str(t._data.dtype), requires_grad=False, how="seed")

    def node_recorder(self):
        """For the engine loop: ``record((NODE_RECORD, node, grad_output, source, released, n, *grad_inputs))``
        notes that a node ran (and, if ``released``, that its saved values were then freed), and
        the ``source`` to give it. The loop appends these records itself: a method call per node
        would cost a third of the recording time."""
        return self._pending.extend, self._call_source

    def _build_node(self, node, grad_output, grad_inputs, src, released) -> None:
        tid = self.tid
        nxt = tuple([tid(n) if n is not None else None for n in node._next])
        self._events._add(NodeEvent, src, NodeEvent.pack(node=tid(node), name=node.name(), grad_output=grad_output,
                                                         grad_inputs=tuple(grad_inputs), next=nxt))
        if released:
            self._build_release(node, src)

    def accumulate(self, node, var, before, added, after) -> None:
        vt = self.tid(var)
        self.leaf_of[self.tid(node)] = vt
        self._add_call(AccumulateEvent, node=self.tid(node), tensor=vt, before=before, added=freeze(added),
                       after=freeze(after), see=(var,))

    def hook(self, which, node, tensor, fn, grad_in, grad_out) -> None:
        self._add_call(HookEvent, which=which, node=self.tid(node) if node is not None else None,
                       tensor=self.tid(tensor) if tensor is not None else None, fn=getattr(fn, "__name__", repr(fn)),
                       grad_in=_snap_many(grad_in), grad_out=_snap_many(grad_out), see=(tensor,))

    def release(self, node) -> None:
        """A node's saved values were freed (after its post-hooks: otherwise the node record says it)."""
        names = type(node)._saved_names
        self._add_call(ReleaseEvent, node=self.tid(node), name=node.name(),
                       saved=tuple(nm for nm, had in zip(names, node._had_saved()) if had))

    def _build_release(self, node, src) -> None:
        names = type(node)._saved_names
        self._events._add(ReleaseEvent, src, ReleaseEvent.pack(
            node=self.tid(node), name=node.name(), saved=tuple(nm for nm, had in zip(names, node._had_saved()) if had)))

    def done(self, call, roots, results) -> None:
        self._add_call(DoneEvent, call=call, roots=tuple(self.tid(r) for r in roots),
                       results=tuple(snapshot(r) for r in results), see=roots)
        self._call_source = None
        self._scan_names(self._user_frame())

    def record_error(self, exc, node) -> None:
        if id(exc) in self._recorded_errors:
            return
        self._recorded_errors.add(id(exc))
        self._add(ErrorEvent, error=type(exc).__name__, message=str(exc), node=self.tid(node) if node is not None else None,
                  name=node.name() if node is not None else None, tensor=None)


_PLAYERS: list = []  # what Trace.play shows a trace with: the last one registered


def register_player(factory) -> None:
    """``factory(trace, **kwargs)`` makes the widget ``Trace.play`` returns. ``autograd_lab/__init__.py``
    registers one that loads ``view.player.Player`` on first use, so the record never imports the view."""
    _PLAYERS.append(factory)


def _grad_of(t):
    return t._grad  # (not .grad: that warns for a non-leaf)


_CALLS: dict = {}  # op label -> the methods and functions that run it


def _op_matches(op: str, calls) -> bool:
    """Does evaluating an expression node that calls ``calls`` run op ``op`` itself (``w * x``:
    ``__mul__`` runs mul), rather than inside a function it calls (``sum(...)`` runs add)?"""
    if not _CALLS:
        from ..core.function import FACES, op_labels
        labels = op_labels()
        for face in FACES:
            for cls in face.nodes:
                _CALLS.setdefault(labels.get(cls.__name__, face.name), set()).update(face.methods, face.functions)
    return not _CALLS.get(op, frozenset()).isdisjoint(calls)  # (an op the core lacks: real torch's linear)


def _snap_many(v):
    """A tuple of snapshots (hooks see one gradient or a tuple of them); None stays None."""
    if v is None:
        return None
    if isinstance(v, (tuple, list)):
        return tuple(snapshot(x) for x in v)
    return (snapshot(v),)


def tb_frame(tb):
    """The innermost user frame of a traceback and the line it was at when the error passed
    through it (``tb_lineno``: by the time ``__exit__`` runs, the ``with`` block's frame is at
    the ``with`` line), for the source of an error event."""
    frame = line = None
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(_PACKAGE_DIR):
            frame, line = tb.tb_frame, tb.tb_lineno
        tb = tb.tb_next
    return frame, line


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
