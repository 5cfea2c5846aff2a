"""The events' types: one namedtuple per kind (what every reader of a trace sees), made from the
kinds' table (``kinds.KINDS``).

Every event has ``index`` (its position in the trace) and ``source`` (the user's line that
caused it, a ``Source``), then the fields of its kind. ``EVENT_TYPES`` maps a kind to its type.
An event's fields are given by name: ``OpEvent.pack(op="mul", inputs=(1, 2), ...)`` is the tuple of
its fields in order (what the event store takes); a field missing or unknown is a TypeError.
"""
from __future__ import annotations

from collections import namedtuple

from .kinds import KINDS

SNAPSHOT_LIMIT = 64  # a value of up to this many numbers is kept whole; bigger ones as a summary


Source = namedtuple("Source", "file line text")


def _packer(fields: tuple):
    """A function taking the fields by keyword only and giving them as a tuple, in order (a plain
    function: four times cheaper than building the tuple from a dict of keywords)."""
    names = ", ".join(fields)
    ns: dict = {}
    exec(f"def pack(*, {names}):\n    return ({names},)\n", ns)
    return staticmethod(ns["pack"])


def _event(k):
    name = "".join(p.capitalize() for p in k.kind.split("_")) + "Event"
    base = namedtuple(name, ("index", "source") + k.fields)
    return type(name, (base,), {"__slots__": (), "kind": k.kind, "__doc__": k.doc, "pack": _packer(k.fields)})


EVENT_TYPES = {k: _event(row) for k, row in KINDS.items()}
KINDS_IN_ORDER = tuple(EVENT_TYPES)

TensorEvent = EVENT_TYPES["tensor"]
OpEvent = EVENT_TYPES["op"]
BackwardEvent = EVENT_TYPES["backward"]
NodeEvent = EVENT_TYPES["node"]
AccumulateEvent = EVENT_TYPES["accumulate"]
HookEvent = EVENT_TYPES["hook"]
ReleaseEvent = EVENT_TYPES["release"]
DoneEvent = EVENT_TYPES["done"]
ErrorEvent = EVENT_TYPES["error"]
ZeroEvent = EVENT_TYPES["zero"]
UpdateEvent = EVENT_TYPES["update"]
SetGradEvent = EVENT_TYPES["set_grad"]
