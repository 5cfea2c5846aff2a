"""The events' types: one namedtuple per kind, with its fields (what every reader of a trace sees).

Every event has ``index`` (its position in the trace) and ``source`` (the user's line that
caused it, a ``Source``), then the fields of its kind. ``EVENT_TYPES`` maps a kind to its type.
"""
from __future__ import annotations

from collections import namedtuple

SNAPSHOT_LIMIT = 64  # a value of up to this many numbers is kept whole; bigger ones as a summary


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
