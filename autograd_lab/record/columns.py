"""The column store of a trace's events (``EventList``) and value snapshots.

A long trace holds tens of thousands of events, so they are kept in columns (see below) and
an event object is made only when it is read.
"""
from __future__ import annotations

import math
import operator
import struct
from array import array
from collections.abc import Sequence

import numpy as np

from .layout import EVENT_TYPES, KINDS_IN_ORDER, SNAPSHOT_LIMIT


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


_COLUMN_OF = {"tensor": _Ids, "output": _Ids, "node": _Ids, "module": _Ids,
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

    def kinds_and_sources(self) -> tuple[list, list]:
        """Every event's kind and source, without making the events (view/loops.py reads a long
        trace's shape this way: a pass over 90k events costs milliseconds, making them a second)."""
        kinds = KINDS_IN_ORDER
        return [kinds[c] for c in self._kind], list(self._source)


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

