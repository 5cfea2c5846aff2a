"""The vocabulary both halves of the real-torch recorder share (recorder.py, backward.py, build.py):
the markers of the raw queue's records, a value read later, a node as the trace knows it, and
what kind of node a torch node type is. Nothing here imports another module of the recorder.
"""
from __future__ import annotations

import sys

NODE = object()   # marks a raw record of a node run (the others: the kinds below, or an op's name)
EVENT = object()  # an event whose fields are known (values taken, or Later)
SEE = object()    # a tensor used: shown (a tensor event) if not yet, when built
LINK = object()   # a backward's root node made before the trace: linked when built
MODULE = object()  # an nn.Module call began or ended: the call the next ops run in (record/modules.py)


def version_of(t):
    """``t._version``, or None for a tensor that keeps no version counter (made under
    ``torch.inference_mode()``: reading it raises)."""
    try:
        return t._version
    except Exception:
        return None


# ---- long loops (recorder.py, "thin" mode): a tensor of a later iteration as a light stand-in
NOT_KEPT = "<not kept>"   # the value of a tensor of more than 64 numbers in an iteration not kept whole
STALE = "<changed in place after the with block>"


UNSET = object()


OP_ATTRS = frozenset({"T", "mT", "H", "mH"})  # tensor properties that are ops (recorded as ops)

class Light:
    """A tensor of an iteration recorded in thin mode (past the first few iterations of a loop): what
    the events need of it (id, shape, dtype, requires_grad, grad_fn) without holding its memory. A small
    tensor's value is taken at once (``value``); a bigger one is held (``t``, at ``version``) while its
    iteration may be one of the last few, then let go (its value is then ``NOT_KEPT``)."""
    __slots__ = ("_tid", "shape", "dtype", "requires_grad", "grad_fn", "value", "t", "version", "it")

    def __init__(self):
        self.value = self.t = self.version = None
        self.grad_fn = UNSET  # (set with the id: thin.py)

    def read(self, snapshot):
        v = self.value
        if v is not None:
            return v
        t = self.t
        if t is None:
            return NOT_KEPT
        if version_of(t) != self.version:
            return STALE
        return snapshot(t)


def fn_name(fn) -> str:
    return getattr(fn, "__name__", repr(fn))


class Later:
    """A tensor in a queued event's fields whose value is read when the event is built."""
    __slots__ = ("t",)

    def __init__(self, t):
        self.t = t


NODE_KINDS: dict = {}       # node type -> ACC, CUSTOM or PLAIN
PLAIN, CUSTOM, ACC = 0, 1, 2


def node_kind(t) -> int:
    """What a node of type ``t`` is: AccumulateGrad, a custom Function's (a Python class), torch's own."""
    k = NODE_KINDS.get(t)
    if k is None:
        torch = sys.modules.get("torch")
        if t.__name__ == "AccumulateGrad" and t.__module__ in ("builtins", "torch._C._functions"):
            k = ACC
        elif torch is not None and issubclass(t, torch._C._FunctionBase):
            k = CUSTOM
        else:
            k = PLAIN
        NODE_KINDS[t] = k
    return k



class Ref:
    """A grad_fn node (or a tensor torch does not show) as the trace knows it: ``Trace.tid``
    gives it an id, as it gives a core node one."""
    __slots__ = ("_tid", "node", "_label", "rec", "var", "retained", "next", "__dict__", "__weakref__")
    # (set for some nodes only, most when the events are built: defaults here, kept in __dict__ when set)
    saved, vt, out, before, acc_done = (), None, None, None, False

    def __init__(self, node=None, label=None, rec=None):
        self.node, self._label, self.rec = node, label, rec
        self.var = self.retained = None
        self.next = ()

    @property
    def label(self) -> str:
        """torch's name of the node (``MulBackward0``): asked when needed (a node hooked by a backward
        call is made a Ref before it is shown)."""
        label = self._label
        if label is None:
            node = self.node
            label = self._label = node.name() if node is not None else ""
        return label

    def name(self) -> str:
        return self.label

    def __call__(self, grad_inputs, grad_outputs):
        """The hook on this node while a backward call runs (backward.py): the node ran, with
        these gradients (out, in): a raw record, built later with its release check. (The Ref
        itself is the hook: no object more per node.)"""
        rec = self.rec
        if self.var is not None:  # AccumulateGrad
            rec.running = None
            rec.post_acc(self, grad_outputs)
        else:
            node_ran(rec, self.node, grad_inputs, grad_outputs)


def same_memory(a, b):
    try:
        return a.data_ptr() == b.data_ptr()
    except Exception:  # (a tensor without memory of its own: not known)
        return None


def node_ran(rec, node, grad_inputs, grad_outputs) -> None:
    """A node ran, with these gradients (out, in): a raw record, built later with its release check
    (mode 1: a non-retaining backward freed what it saved)."""
    rec.running = None
    if rec.retain:
        mode = 0
    else:
        mode = 1
        rec.freed.add(id(node))
    rec.raw += (NODE, node, rec.call_src, mode, rec.calls, len(grad_inputs), *grad_inputs,
                len(grad_outputs), *grad_outputs)
    if rec.grads_shared:
        rec.held += grad_inputs
        rec.held += grad_outputs


