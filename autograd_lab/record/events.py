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

``t.events`` reads like a list of event namedtuples; it stores them in columns (ids and
values in typed arrays: about 100 bytes per event for a long scalar chain, 8 bytes per
number of a tensor's snapshot) and makes each event object when it is read.
"""
from __future__ import annotations

import itertools
import math
import operator
import os
import struct
import sys
from array import array
from collections import namedtuple
from collections.abc import Sequence

import numpy as np

active = None  # the Trace currently recording, if any (read by the core on every op)
_getframe = sys._getframe
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # autograd_lab/
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


# ---------------------------------------------------------------------------- compact storage
# A long trace holds tens of thousands of events, so they are kept in columns (one per field of
# each event type: ids in int64 arrays, scalar snapshots in float64 arrays, recurring objects
# such as names and shapes shared) and an event object is made only when it is read. A value a
# column cannot hold compactly (a list snapshot, a None among floats) goes to that column's
# ``other`` dict, so every value comes back exactly as it was given.
_NO_ID = -(1 << 63)  # None in an id column
_NONE_BYTES = (0x7FF8A10ED0CE0001).to_bytes(8, "little")  # None in a tuple of floats: a NaN no
_NONE_NAN = struct.unpack("<d", _NONE_BYTES)[0]            # arithmetic produces (its payload is ours)
_MISSING = object()


def _is_none_nan(x: float) -> bool:
    return struct.pack("<d", x) == _NONE_BYTES


class _Column:
    """One field of one event type: ``add(value)`` and ``get(row)``."""
    __slots__ = ("data", "other")

    def __init__(self):
        self.data, self.other = self._new(), {}

    def get(self, row):
        other = self.other
        if other:
            v = other.get(row, _MISSING)
            if v is not _MISSING:
                return v
        return self._get(row)


class _Objects(_Column):
    """Any value, as it is."""
    __slots__ = ()

    @staticmethod
    def _new():
        return []

    def add(self, v) -> None:
        self.data.append(v)

    def get(self, row):
        return self.data[row]


class _Labels(_Objects):
    """Strings and tuples of strings or ints that recur (op names, shapes, saved names, dtypes):
    equal values are stored once."""
    __slots__ = ("shared",)

    def __init__(self):
        super().__init__()
        self.shared = {}

    def add(self, v) -> None:
        try:
            v = self.shared.setdefault((v.__class__, v), v)
        except TypeError:  # unhashable (from a hand-made event): kept as it is
            pass
        self.data.append(v)


class _Ids(_Column):
    """Tensor and node ids (or None)."""
    __slots__ = ()

    @staticmethod
    def _new():
        return array("q")

    def add(self, v) -> None:
        if v.__class__ is int:
            try:
                self.data.append(v)
                return
            except OverflowError:
                pass
        elif v is None:
            self.data.append(_NO_ID)
            return
        self.other[len(self.data)] = v
        self.data.append(0)

    def _get(self, row):
        v = self.data[row]
        return None if v == _NO_ID else v


class _Packed(tuple):
    """(start, shape): a float array's snapshot kept in a column's flat float64 array."""
    __slots__ = ()


_PLAIN = frozenset({float, int, bool, str, list, dict, type(None)})  # already snapshots: kept as they are


class _Snapshots(_Column):
    """Snapshots of values. Given a raw value (a numpy scalar or array, a Tensor), it takes the
    snapshot itself: a float is stored as 8 bytes in ``data``, a float array of up to
    SNAPSHOT_LIMIT numbers as 8 bytes a number in ``flat`` (read back as the nested list
    ``snapshot()`` gives); anything else is kept in ``other`` as ``snapshot()`` makes it."""
    __slots__ = ("flat", "shapes")

    def __init__(self):
        super().__init__()
        self.flat = array("d")
        self.shapes = {}

    @staticmethod
    def _new():
        return array("d")

    def pack(self, v):
        """``v`` as a float, a _Packed array, or its ``snapshot()``."""
        cls = v.__class__
        if cls in _PLAIN:
            return v
        if cls in _SCALARS:
            return v.item()
        d = getattr(v, "_data", v)
        cls = d.__class__
        if cls in _SCALARS:
            return d.item()
        if cls is np.ndarray and d.dtype.kind == "f" and d.ndim and d.size <= SNAPSHOT_LIMIT:
            flat = self.flat
            start = len(flat)
            flat.frombytes(d.astype(np.float64).tobytes())
            shape = self.shapes.setdefault(d.shape, d.shape)
            return _Packed((start, shape))
        return snapshot(d)

    def unpack(self, v):
        if v.__class__ is _Packed:
            start, shape = v
            return np.array(self.flat[start:start + math.prod(shape)]).reshape(shape).tolist()
        return v

    def add(self, v) -> None:
        if v.__class__ is not float:
            v = self.pack(v)
            if v.__class__ is not float:
                self.other[len(self.data)] = v
                v = 0.0
        self.data.append(v)

    def get(self, row):
        other = self.other
        if other:
            v = other.get(row, _MISSING)
            if v is not _MISSING:
                return self.unpack(v)
        return self.data[row]


class _Flags(_Column):
    """True, False or None, one byte each."""
    __slots__ = ()

    @staticmethod
    def _new():
        return bytearray()

    def add(self, v) -> None:
        if v is True:
            self.data.append(1)
        elif v is False:
            self.data.append(0)
        elif v is None:
            self.data.append(2)
        else:
            self.other[len(self.data)] = v
            self.data.append(0)

    def _get(self, row):
        return (False, True, None)[self.data[row]]


class _IdTuples(_Column):
    """Tuples of ids (or None): one flat int64 array and where each row ends."""
    __slots__ = ("ends",)

    def __init__(self):
        super().__init__()
        self.ends = array("I")

    @staticmethod
    def _new():
        return array("q")

    def add(self, v) -> None:
        data = self.data
        if v.__class__ is tuple:
            n = len(data)
            try:
                for x in v:
                    data.append(_NO_ID if x is None else x)
                self.ends.append(len(data))
                return
            except (TypeError, OverflowError):
                del data[n:]
        self.other[len(self.ends)] = v
        self.ends.append(len(data))

    def _get(self, row):
        ends = self.ends
        v = tuple(self.data[ends[row - 1] if row else 0:ends[row]])
        if _NO_ID in v:
            v = tuple([None if x == _NO_ID else x for x in v])
        return v


class _SnapshotTuples(_Snapshots):
    """Tuples of snapshots (the gradients a node sends): floats and None in one flat float64
    array (None as a NaN marker); a tuple holding anything else is kept whole in ``other``,
    its float arrays packed as in _Snapshots."""
    __slots__ = ("ends",)

    def __init__(self):
        super().__init__()
        self.ends = array("I")

    def add(self, v) -> None:
        data = self.data
        if v.__class__ is not tuple:
            self.other[len(self.ends)] = self.pack(v)
            self.ends.append(len(data))
            return
        n = len(data)
        items = []
        compact = True
        for x in v:
            if x.__class__ is not float:
                x = self.pack(x)
            items.append(x)
            if compact:
                if x.__class__ is float:
                    if x != x and _is_none_nan(x):  # (a NaN with our marker's bits: kept whole)
                        compact = False
                    else:
                        data.append(x)
                elif x is None:  # a gradient not sent to an input (a Python number's)
                    data.append(_NONE_NAN)
                else:
                    compact = False
        if not compact:
            del data[n:]
            self.other[len(self.ends)] = tuple(items)
        self.ends.append(len(data))

    def get(self, row):
        other = self.other
        if other:
            v = other.get(row, _MISSING)
            if v is not _MISSING:
                return tuple([self.unpack(x) for x in v]) if v.__class__ is tuple else self.unpack(v)
        ends = self.ends
        v = tuple(self.data[ends[row - 1] if row else 0:ends[row]])
        if any(x != x for x in v):
            v = tuple([None if x != x and _is_none_nan(x) else x for x in v])
        return v


_COLUMN_OF = {"tensor": _Ids, "output": _Ids, "node": _Ids,
              "inputs": _IdTuples, "next": _IdTuples, "next_vars": _IdTuples, "roots": _IdTuples,
              "nodes": _IdTuples,
              "value": _Snapshots, "before": _Snapshots, "added": _Snapshots, "after": _Snapshots,
              "grad_output": _Snapshots, "grad_inputs": _SnapshotTuples,
              "requires_grad": _Flags, "inplace": _Flags, "retain_graph": _Flags, "create_graph": _Flags,
              "op": _Labels, "shape": _Labels, "dtype": _Labels, "how": _Labels, "node_name": _Labels,
              "name": _Labels, "saved": _Labels, "call": _Labels, "which": _Labels, "fn": _Labels,
              "error": _Labels}


def _column(field: str) -> _Column:
    return _COLUMN_OF.get(field, _Objects)()


class _KindStore:
    """The columns of one event type."""
    __slots__ = ("etype", "cols", "adders", "rows")

    def __init__(self, etype):
        self.etype = etype
        self.cols = tuple(_column(f) for f in etype._fields[2:])
        self.adders = tuple(c.add for c in self.cols)
        self.rows = 0

    def add(self, fields) -> int:
        if len(fields) != len(self.cols):
            raise TypeError(f"{self.etype.__name__} has {len(self.cols)} fields besides index and source, "
                            f"got {len(fields)}")
        for add, v in zip(self.adders, fields):
            add(v)
        self.rows += 1
        return self.rows - 1


_TYPE_LIST = tuple(EVENT_TYPES.values())
_TYPE_CODE = {et: i for i, et in enumerate(_TYPE_LIST)}


class EventList(Sequence):
    """The events of a trace, in order: a read-only list whose items are made when read.

    ``t.events[i]``, ``len(t.events)``, iteration and slicing behave as on a list of events."""

    __hash__ = None

    def __init__(self):
        self._kind = bytearray()   # per event: its type, as a position in _TYPE_LIST
        self._row = array("I")     # per event: its row in that type's columns
        self._source = []          # per event: the user's line (Source objects are shared by the trace)
        self._stores = [None] * len(_TYPE_LIST)  # made on first use: a trace is often short

    def __len__(self) -> int:
        return len(self._kind)

    def _get(self, i: int):
        store = self._stores[self._kind[i]]
        r = self._row[i]
        return store.etype(i, self._source[i], *[c.get(r) for c in store.cols])

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._get(j) for j in range(*i.indices(len(self._kind)))]
        n = len(self._kind)
        i = operator.index(i)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("list index out of range")
        return self._get(i)

    def __iter__(self):
        i = 0
        while i < len(self._kind):
            yield self._get(i)
            i += 1

    def __eq__(self, other) -> bool:
        if isinstance(other, (EventList, list)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return repr(list(self))

    def _add(self, etype, source, fields) -> None:
        """Append an event given its type, source and fields (without the index)."""
        code = _TYPE_CODE[etype]
        store = self._stores[code]
        if store is None:
            store = self._stores[code] = _KindStore(etype)
        self._row.append(store.add(fields))
        self._kind.append(code)
        self._source.append(source)

    def append_event(self, e) -> None:
        """Append an event object (its index is its new position)."""
        self._add(type(e), e.source, e[2:])


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


def freeze(v) -> object:
    """A value as it is now, for an event built later: a small float array is copied (the event's
    column packs it), anything else becomes its snapshot at once."""
    d = getattr(v, "_data", v)
    if d.__class__ is np.ndarray and d.dtype.kind == "f" and d.ndim and d.size <= SNAPSHOT_LIMIT:
        return d.copy()
    return snapshot(d)


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
        self._events = EventList()
        self._pending: list = []   # hot events (op, node, release) recorded raw, built on first read
        self._extend = self._pending.extend
        self._user_code = None     # the user's code object the last op came from (None while a
                                   # source is forced by set_source)
        self._first_id = None  # tensors this trace has shown: a byte per id from the first one it gives
        self._seen_bits = bytearray()
        self._seen_before: set = set()    # ... and a set for older ids
        self.names: dict[int, str] = {}
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
        from ..core.function import AccumulateGrad
        from ..core.tensor import Tensor
        self._Tensor, self._Acc = Tensor, AccumulateGrad

    # ------------------------------------------------------------------ context manager
    def __enter__(self) -> "Trace":
        global active
        self._prev = active
        self._frame = sys._getframe(1)
        active = self
        self._torch = None
        if getattr(sys.modules.get("torch"), "overrides", None) is not None:  # real torch imported: record it too
            from .torch_recorder import TorchRecorder
            self._torch = TorchRecorder(self, sys.modules["torch"], self._frame, self._namespace)
            self._torch.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        global active
        if self._torch is not None:  # (real torch: stop recording it first)
            self._torch, rec = None, self._torch
            rec.stop()
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
    def events(self) -> EventList:
        """The events so far, in order (built from the raw records on first read)."""
        if self._pending:
            self.flush()
        return self._events

    def flush(self) -> None:
        """Build the pending raw records into events (before any value they refer to can change)."""
        pending = self._pending  # emptied in place: the engine loop holds its extend while it runs
        build_op, build_node, build_ready = self._build_op, self._build_node, self._build_ready
        i, n = 0, len(pending)
        try:
            while i < n:
                kind = pending[i]
                if kind == 0:
                    k = pending[i + 2]  # how many inputs follow
                    j = i + 3 + k
                    build_op(pending[i + 1], tuple(pending[i + 3:j]), *pending[j:j + 5])
                    i = j + 5
                elif kind == 1:
                    k = pending[i + 5]  # how many gradients follow
                    j = i + 6
                    build_node(pending[i + 1], pending[i + 2], tuple(pending[j:j + k]), pending[i + 3],
                               pending[i + 4])
                    i = j + k
                else:
                    build_ready(*pending[i + 1:i + 5])
                    i += 5
        finally:
            pending.clear()

    # ------------------------------------------------------------------ public helpers
    def set_source(self, file: str | None, line: int | None = None, text: str = "") -> None:
        """Force the source of the next events (used by interpreters such as the playground)."""
        self._override = None if file is None else Source(file, line, text)
        self._user_code = None  # (so that no op takes the shortcut past the forced source)

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
        from ..view.player import Player
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
            t._events.append_event(etype(**{k: _untuple(k, v) for k, v in d.items()}))
        return t

    # ------------------------------------------------------------------ ids, names, sources
    def tid(self, obj) -> int:
        try:
            return obj._tid
        except AttributeError:
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

    def _source(self, frame=None):
        if self._override is not None:
            return self._override
        f = frame if frame is not None else self._user_frame()
        if f is None:
            return None
        return self._source_at(f.f_code, f.f_lineno)

    def _scan_names(self, frame=None) -> None:
        from ..core.tensor import Tensor
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
    # place (``flush``). Records, laid end to end in one flat list:
    #   0, fn, n, input 1 .. input n, output value, output, node, code, instruction offset   (an op)
    #   1, node, grad_output, source, released, n, grad_input 1 .. grad_input n             (a node ran)
    #   2, source, event type, fields, tensors to show first                      (any other event)
    # No tuple per record, and no tuple of an op's inputs or a node's gradients is kept: each
    # would be one more object for the garbage collector to count and visit while a long trace
    # is recorded (the inputs tuple alone: 70 ns per op).
    def _add(self, etype, *fields, frame=None, see=()):
        self._queue(self._source(frame), etype, fields, see)

    def _add_call(self, etype, *fields, see=()):
        """An engine event: its source is the line of the backward()/autograd.grad() call."""
        self._queue(self._call_source, etype, fields, see)

    def _queue(self, src, etype, fields, see) -> None:
        sees = tuple((t, self._tensor_fields(t)) for t in see if t is not None)
        self._pending += (2, src, etype, fields, sees)

    def _build_ready(self, src, etype, fields, sees) -> None:
        for t, tf in sees:
            self._see(t, src, tf)
        if etype is TensorEvent:
            self._mark_seen(fields[0])
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
            return True
        bits = self._seen_bits
        if k >= len(bits):
            bits.extend(bytes(k + 1024 - len(bits)))
        elif bits[k]:
            return False
        bits[k] = 1
        return True

    @staticmethod
    def _tensor_fields(t) -> tuple:
        d = t._data
        return (freeze(d), np.shape(d), str(d.dtype), t._requires_grad or t.grad_fn is not None, "existing")

    def _see(self, t, src=None, fields=None) -> int:
        """(While building) the id of a tensor; one this trace has not shown yet gets a TensorEvent first."""
        tid = self.tid(t)
        if self._mark_seen(tid):
            self._events._add(TensorEvent, src, (tid,) + (fields or self._tensor_fields(t)))
        return tid

    # ------------------------------------------------------------------ called by functions.apply
    def op(self, fn, inputs, out, node, params) -> None:
        """Record an op: its raw values, and the user's code object and instruction offset (the
        line and its text are looked up when the event is built). ``apply`` appends the record
        itself when the op comes from the user code the last one came from (``_user_code``)."""
        src, at = self._override, -1
        if src is None:
            f = self._user_frame(_getframe(1))
            if f is not None:
                src, at = f.f_code, f.f_lasti
                self._user_code = src
        self._extend((0, fn, len(inputs), *inputs, out._data, out, node, src, at))

    def _build_op(self, fn, inputs, data, out, node, src, at) -> None:
        if at >= 0:  # src is the code object of the user's frame, at the instruction's offset
            src = self._source_at(src, self._line_at(src, at))
        Tensor = self._Tensor
        ins = tuple([self._see(a, src) if a.__class__ is Tensor else None for a in inputs])
        tid = self.tid
        otid = tid(out)
        self._mark_seen(otid)
        opname = _OP_NAMES.get(fn.__name__, fn.__name__)
        if node is None:
            self._events._add(OpEvent, src, (opname, ins, otid, data, data.shape, False, None, None,
                                             (), (), (), False))
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
        self._events._add(OpEvent, src, (opname, ins, otid, data, data.shape, True, tid(node),
                                         node.name(), tuple(nxt), tuple(nvars), saved,
                                         out is inputs[0] and fn.__name__.endswith("Inplace")))

    def update(self, fn, inputs, target, before) -> None:
        t = target
        x = t._x
        if x is not None and x.base is not None:
            t = x.base
        self._add(UpdateEvent, self.tid(t), _OP_NAMES.get(fn.__name__, fn.__name__), freeze(before),
                  freeze(target._data), see=[t] + [a for a in inputs if isinstance(a, self._Tensor)])
        self._scan_names(self._user_frame())

    def before_special(self, fn, inputs):
        if self._pending:
            self.flush()  # zero_ changes values that pending events still refer to
        if fn.kind == "zero":
            t = inputs[0]
            return freeze(t._grad if fn.__name__ == "ClearGrad" else t._data)
        return None

    def special(self, fn, inputs, t, params, before) -> None:
        kind = fn.kind
        if kind == "tensor":
            how = {"MakeLeaf": "tensor", "RequiresGrad": "requires_grad_", "Detach": "detach"}[fn.__name__]
            self._add(TensorEvent, self.tid(t), freeze(t._data), np.shape(t._data), str(t._data.dtype),
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

    def node_recorder(self):
        """For the engine loop: ``record((1, node, grad_output, source, released, n, *grad_inputs))``
        notes that a node ran (and, if ``released``, that its saved values were then freed), and
        the ``source`` to give it. The loop appends these records itself: a method call per node
        would cost a third of the recording time."""
        return self._pending.extend, self._call_source

    def _build_node(self, node, grad_output, grad_inputs, src, released) -> None:
        tid = self.tid
        nxt = tuple([tid(n) if n is not None else None for n in node._next])
        self._events._add(NodeEvent, src, (tid(node), node.name(), grad_output,
                                           tuple(grad_inputs), nxt))
        if released:
            self._build_release(node, src)

    def accumulate(self, node, var, before, added, after) -> None:
        vt = self.tid(var)
        self.leaf_of[self.tid(node)] = vt
        self._add_call(AccumulateEvent, self.tid(node), vt, before, freeze(added), freeze(after), see=(var,))

    def hook(self, which, node, tensor, fn, grad_in, grad_out) -> None:
        self._add_call(HookEvent, which, self.tid(node) if node is not None else None,
                       self.tid(tensor) if tensor is not None else None, getattr(fn, "__name__", repr(fn)),
                       _snap_many(grad_in), _snap_many(grad_out), see=(tensor,))

    def _build_release(self, node, src) -> None:
        names = type(node)._saved_names
        self._events._add(ReleaseEvent, src, (self.tid(node), node.name(),
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
