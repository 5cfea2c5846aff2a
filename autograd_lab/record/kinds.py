"""The event kinds: one table, one row per kind (``KINDS``). Adding a kind starts here.

A row says, for one kind of event:
- ``fields``: its named fields (after ``index`` and ``source``, which every event has), in order;
  events are built by name (``layout.<Kind>Event.pack(field=..., ...)``), never by position;
- ``tensors``: which of those fields hold tensor ids (one id, or a tuple of ids): the view keys the
  graph's tensor boxes by them;
- ``settles``: whether the event changes a value in place (data, ``.grad``, ``requires_grad``), so
  that every recorder must build what it still has pending before it happens (the core:
  ``core.recording.settle`` / ``Trace.flush``; real torch: ``TorchRecorder.flush``);
- ``jump``: the jump-menu entries (message ids) a step of this kind can start (none: it is not a step
  a reader jumps to);
- ``narration``: the message ids of the sentences its step can say (``view/states.py``: ``on_<kind>``),
  each of which every catalogue (``narration/en.py``, ``zh.py``) must have;
- ``torch``: where the real-torch recorder (``record/torch/``) emits it; or, when real torch cannot,
  ``difference``: why not (``DIFFERENCES`` lists them).

``tests/test_event_kinds.py`` checks every row against the code: a handler in ``view/states.py``, the
sentences in every catalogue, a visible step in the scene, the same kind from real torch on the same
lines (or a written difference). docs/architecture.md, "Adding an event kind", walks through one.
This module imports nothing of the package: everything else reads it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventKind:
    kind: str
    fields: tuple
    tensors: tuple
    settles: bool
    jump: tuple
    narration: tuple
    torch: str = ""       # where real torch emits it (record/torch/<module>: <method>)
    difference: str = ""  # why real torch does not emit it (only when ``torch`` is empty)
    doc: str = ""


def _k(kind, fields, tensors="", *, settles=False, jump=(), narration=(), torch="", difference="", doc=""):
    return EventKind(kind, tuple(fields.split()), tuple(tensors.split()), settles, tuple(jump), tuple(narration),
                     torch, difference, doc)


KINDS: dict[str, EventKind] = {k.kind: k for k in (
    _k("tensor", "tensor value shape dtype requires_grad how", "tensor", settles=True,
       jump=("player.jump.forward", "player.jump.forward_again"),
       narration=("step.tensor.leaf", "step.tensor.leaf_requires_grad", "step.tensor.existing", "step.tensor.detach",
                  "step.tensor.requires_grad_on", "step.tensor.requires_grad_off"),
       torch="recorder.py: call (factories), set_attr (requires_grad), see",
       doc="A leaf tensor appears (created, detached, or first used) or its requires_grad changes."),
    _k("op", "op inputs output value shape requires_grad node node_name next next_vars saved inplace module",
       "inputs output next_vars",
       jump=("player.jump.forward", "player.jump.forward_again"),
       narration=("step.op.creates", "step.op.inplace", "step.op.inplace_view", "step.op.no_graph",
                  "step.op.grad_mode_off"),
       torch="build.py: record_result, record_inplace",
       doc="A forward operation: input tensor ids (None for Python numbers), output id, the grad_fn node "
           "(None when no graph was recorded), its next_functions as node ids, and what it saved; the nn.Module "
           "call it ran in (``module``: an id of ``Trace.modules``, None outside every module)."),
    _k("backward", "call roots nodes seeds retain_graph create_graph inputs", "roots inputs",
       jump=("player.jump.backward", "player.jump.grad"),
       narration=("step.backward.start", "step.grad.start"),
       torch="backward.py: backward",
       doc="A backward() or autograd.grad() call begins."),
    _k("node", "node name grad_output grad_inputs next",
       narration=("step.node.runs", "step.node.runs_many", "step.chain.step"),
       torch="backward.py: build_node",
       doc="A grad_fn node runs: the gradient it received and the gradients it sends along next_functions."),
    _k("accumulate", "node tensor before added after", "tensor",
       narration=("step.accumulate.set", "step.accumulate.add", "step.accumulate.again"),
       torch="backward.py: accumulated",
       doc="AccumulateGrad adds a gradient into a leaf's .grad: before + added = after."),
    _k("hook", "which node tensor fn grad_in grad_out", "tensor",
       narration=("step.hook.tensor", "step.hook.retain_grad", "step.hook.prehook", "step.hook.node",
                  "step.hook.post_accumulate"),
       torch="backward.py: wrap_hook",
       doc="A hook fires: which is 'tensor', 'retain_grad', 'prehook', 'hook' or 'post_accumulate'."),
    _k("release", "node name saved",
       narration=("step.release",),
       torch="build.py: flush (the release check of a node run)",
       doc="A node's saved values are freed after it ran."),
    _k("done", "call roots results", "roots",
       narration=("step.backward.done", "step.backward.done_many", "step.backward.done_nothing",
                  "step.grad.done", "step.grad.done_many"),
       torch="backward.py: backward",
       doc="A backward() or autograd.grad() call finished."),
    _k("error", "error message node name tensor", "tensor",
       jump=("player.jump.error",),
       narration=("step.error", "step.error.at", "step.error.explained", "step.explain.version",
                  "step.explain.freed", "step.explain.freed_loop", "step.explain.no_grad_fn.leaves",
                  "step.explain.no_grad_fn.grad_mode_off", "step.explain.no_grad_fn.detached",
                  "step.explain.not_scalar", "step.explain.leaf_inplace"),
       torch="backward.py: backward (and the trace's __exit__)",
       doc="Autograd raised an error (type name and PyTorch's message), at a node if known, about a tensor if "
           "known (the root of a backward() that could not start, the leaf changed in place)."),
    _k("zero", "tensor how before", "tensor", settles=True,
       jump=("player.jump.zero_grad", "player.jump.grad_zero_", "player.jump.data_zero_"),
       narration=("step.zero.grad", "step.zero.data"),
       torch="build.py: record_inplace (zero_ on a .grad or on data)",
       doc="A tensor is zeroed in place: its .grad (how 'zero_') or its data (how 'data.zero_')."),
    _k("update", "tensor op before after", "tensor", settles=True,
       jump=("player.jump.optimizer_step",),
       narration=("step.update.optimizer", "step.update.inplace"),
       torch="build.py: record_inplace",
       doc="A tensor's data is changed in place (an optimizer step)."),
    _k("set_grad", "tensor before after", "tensor", settles=True,
       jump=("player.jump.zero_grad", "player.jump.set_grad"),
       narration=("step.set_grad.tensor", "step.set_grad.none", "step.set_grad.zero_grad"),
       torch="recorder.py: set_attr (Tensor.grad.__set__, which torch's TorchFunctionMode receives)",
       doc="A tensor's .grad is assigned (``w.grad = t``, ``w.grad = None``; ``zero_grad()`` does the "
           "latter): its value before and after (None: no gradient)."),
)}

# Kinds real torch is not recorded emitting, each with why (``KINDS[k].difference``): empty today.
DIFFERENCES: dict[str, str] = {k.kind: k.difference for k in KINDS.values() if not k.torch}

# Kinds whose ``tensor`` field names the one tensor box the step is about.
ABOUT_A_TENSOR = frozenset(k.kind for k in KINDS.values() if "tensor" in k.tensors and k.kind != "tensor")
