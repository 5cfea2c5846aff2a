"""The one narrow interface between the core and whatever records it (``record/`` implements it).

The core never imports ``record/``: it reads ``active`` (None unless a recorder is in effect;
``record.events.Trace`` sets it in ``__enter__``/``__exit__`` through ``set_active``) and calls
the methods of ``Recorder`` below, from exactly two places: ``function.apply`` (and its
in-place / special paths) for the forward side, and ``engine.run_backward`` for the backward
side. Outside a trace the core pays one global read per op.

The two hottest events (an op, a node that ran) are not method calls: the core appends a
raw record to ``active.append_raw`` (a ``list.extend``), laid out as defined here, once; the
recorder reads them back with the same constants. Why the layout lives in core/ and not in
record/: the writer is the core, which may import nothing outside core/, and the reader
(record/) may import the core; so the one definition sits on the writer's side.
"""
from __future__ import annotations

from enum import IntEnum
from typing import Protocol

active = None  # the Recorder in effect, or None

# Weak references to recorders that have stopped with raw records still to build (they build
# lazily, and a raw record refers to live tensors and arrays). Before the core changes a tensor
# in place (values, requires_grad, grad_fn) or runs a backward pass, it calls ``settle()`` if
# this list is not empty, so that every event keeps the values of its own step.
unsettled: list = []


def settle() -> None:
    """Build the pending records of every stopped recorder (before a value they refer to changes)."""
    refs = unsettled[:]
    unsettled.clear()
    for ref in refs:
        r = ref()
        if r is not None:
            r.flush()


def before_write() -> None:
    """The core is about to write into a tensor's array outside ``apply`` (``nn.init``,
    ``load_state_dict``): every recorder, active or stopped, builds what it still has pending."""
    if active is not None:
        active.flush()
    if unsettled:
        settle()


def set_active(recorder) -> object:
    """Make ``recorder`` (or None) the active one; returns the one it replaces."""
    global active
    prev, active = active, recorder
    return prev


# ---------------------------------------------------------------------------- raw records
# Records are laid end to end in one flat list (no tuple per record: each would be one more
# object for the garbage collector to visit while a long trace records). Each starts with its
# kind, one of the three below (plain ints: the hot paths write them, the reader compares them);
# a variable number of items (an op's inputs, a node's gradients) is preceded by its count.
OP_RECORD = 0      # a forward operation (written by apply)
NODE_RECORD = 1    # a backward node ran (written by the engine loop)
EVENT_RECORD = 2   # any other event, already assembled by the recorder
MODULE_RECORD = 3  # ``MODULE_RECORD, call``: the nn.Module call the next ops run in (None: none)

# The nn.Module calls running now, outermost first (``nn.Module.__call__`` pushes and pops them,
# traced or not; a recorder is told of each through ``enter_module`` / ``exit_module``).
module_stack: list = []


class OpRecord(IntEnum):
    """``OP_RECORD, fn, n, input_1 .. input_n, output value, output tensor, node, code, instruction offset``.

    Positions up to ``N`` are from the record's start; the tail's are from the end of the inputs."""
    KIND = 0
    FN = 1
    N = 2          # how many inputs follow
    INPUTS = 3     # first input
    # after the n inputs:
    VALUE = 0      # the output's numpy value
    OUTPUT = 1     # the output Tensor
    NODE = 2       # its grad_fn node (None when no graph was recorded)
    CODE = 3       # the user's code object (or a forced Source, with OFFSET -1)
    OFFSET = 4     # the instruction offset in CODE (-1: CODE is a Source or None)


OP_TAIL = 5  # items after an op's inputs


class NodeRecord(IntEnum):
    """``NODE_RECORD, node, grad_output, source, released, n, grad_input_1 .. grad_input_n``."""
    KIND = 0
    NODE = 1
    GRAD_OUTPUT = 2
    SOURCE = 3
    RELEASED = 4   # its saved values were freed after it ran
    N = 5          # how many gradients follow
    GRADS = 6


EVENT_RECORD_LEN = 5  # EVENT_RECORD, source, event type, fields, tensors to show first


class Recorder(Protocol):  # pragma: no cover - a description of what the core calls
    user_code: object   # the user's code object the last op came from (apply's shortcut)
    append_raw: object  # list.extend of the raw records

    # forward side (function.apply)
    def op(self, fn, inputs, out, node, params) -> None: ...
    def update(self, fn, inputs, target, before) -> None: ...
    def before_special(self, fn, inputs): ...
    def special(self, fn, inputs, t, params, before) -> None: ...
    def flush(self) -> None: ...
    def freeze(self, value): ...

    # backward side (engine.run_backward)
    def backward_begin(self, call, roots, nodes, seeds, retain_graph, create_graph, inputs) -> None: ...
    def seed(self, tensor) -> None: ...
    def node_recorder(self) -> tuple: ...
    def release(self, node) -> None: ...
    def accumulate(self, node, var, before, added, after) -> None: ...
    def hook(self, which, node, tensor, fn, grad_in, grad_out) -> None: ...
    def done(self, call, roots, results) -> None: ...
    def record_error(self, exc, node) -> None: ...

    # nn.Module calls (core/nn.py: Module.__call__)
    def enter_module(self, module) -> None: ...
    def exit_module(self, module, output) -> None: ...
