"""Events -> the computation graph at step i: pure data, no drawing, no widgets.

``build(trace)`` turns a recorded ``Trace`` into a ``TraceGraph``: every node that ever
appears (tensors, grad_fn nodes, AccumulateGrad, ops that recorded no graph), the edges
between them, a layered layout computed once with networkx (inputs on the left, outputs
on the right; nodes never move between steps, they appear), and one ``Step`` per event
the student should see, with its narration and what it changes::

    g = build(t)
    g.steps[7].text           # 'AccumulateGrad adds into w.grad: None + 3. = 3.'
    g.state_at(7)["t1"]       # TensorState(shown=True, status='active', value='2.', grad='3.', ...)

Drawing conventions (render.py follows them): tensors are ellipses keyed ``t<id>``; grad_fn
and AccumulateGrad nodes are boxes keyed ``n<id>``; ops that recorded no graph are grey
boxes keyed ``o<event>``. Solid arrows point the way gradients flow, from an operation to
each of its ``next_functions`` (through the input tensor when the input has a grad_fn, so
hooks and ``retain_grad`` happen where the arrow passes the tensor); AccumulateGrad points
to its leaf; a tensor points to its own ``grad_fn``. Dashed arrows carry data forward into
an operation that will send no gradient back (``(None, 0)`` in ``next_functions``).

This module holds what render.py and player.py use: the per-step states, ``Step``,
``TraceGraph`` and ``build``, which runs pass 1 (structure.py: nodes and edges), pass 2
(``_States`` here, replaying the steps, with narrate.py's handlers: what each step changes
and says) and the layout (layout.py, networkx). All of it is pure; nothing draws.
"""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

# FONT, the sizes, node_size and fmt are re-exported: they were defined here before the split.
from .layout import (FONT, LAYER_GAP, MARGIN, OP_H, TENSOR_H, TEXT_ABOVE, TEXT_BELOW,  # noqa: F401
                     layout, node_size, text_width)
from .narrate import Narration, fmt  # noqa: F401
from .structure import Builder, Edge, Node

__all__ = ["TraceGraph", "Node", "Edge", "Step", "TensorState", "OpState", "EdgeState", "build",
           "text_width", "EMPTY_MESSAGE"]

EMPTY_MESSAGE = "Nothing was recorded: put your code inside `with lab.trace() as t:`, then `lab.Player(t)`."
NO_GRAD_MESSAGE = ("No tensor here requires grad, so autograd recorded no graph (no grad_fn). "
                   "Create a leaf with requires_grad=True to see one.")

# What a node or edge looks like at one step. Texts are ready to print; status is one of
# tensors: idle, new, active; ops: idle, new, running, done, active, error; edges: idle, new, active, passed.
TensorState = namedtuple("TensorState", "shown status value grad rg tag")
OpState = namedtuple("OpState", "shown status freed info tag")
EdgeState = namedtuple("EdgeState", "shown status grad")


@dataclass
class Step:
    index: int                # frame number
    event: int                # index of the event in trace.events
    kind: str                 # the event's kind
    text: str                 # narration, plain words
    source: str               # 'line 9: z.backward()' or ''
    call: int                 # number of backward()/autograd.grad calls started so far
    changes: dict             # key -> new state, for what this step changes
    active: tuple = ()        # keys this step is about (highlighted)
    error: bool = False


class TraceGraph:
    """The whole graph of a trace, its layout, and its states step by step (see module docstring)."""

    KEYFRAME = 32

    def __init__(self):
        self.nodes: dict[str, Node] = {}
        self.edges: dict[str, Edge] = {}
        self.steps: list[Step] = []
        self.initial: dict = {}        # key -> state before the first step
        self.notice: str = ""          # shown above the narration: empty trace, truncated, no graph
        self.jumps: list[tuple[str, int]] = []   # (label, step) for the forward pass and each backward call
        self.width = self.height = 0.0
        self.values: dict[str, set] = {}          # text key -> every text it takes (for sizing)
        self._keyframes: dict[int, dict] = {}

    def __len__(self) -> int:
        return len(self.steps)

    def state_at(self, i: int) -> dict:
        """Every node's and edge's state after step ``i`` (a new dict; keyframes make it cheap)."""
        if not self.steps:
            return dict(self.initial)
        i = max(0, min(i, len(self.steps) - 1))
        k = i - i % self.KEYFRAME
        base = self._keyframes.get(k)
        if base is None:
            start = max((j for j in self._keyframes if j < k), default=None)
            state = dict(self.initial) if start is None else dict(self._keyframes[start])
            for j in range(0 if start is None else start + 1, k + 1):
                state.update(self.steps[j].changes)
            base = self._keyframes[k] = state
        state = dict(base)
        for j in range(k + 1, i + 1):
            state.update(self.steps[j].changes)
        return state


def build(trace, max_nodes: int = 300, max_frames: int = 2000) -> TraceGraph:
    """The ``TraceGraph`` of ``trace``: structure, layout, steps (see module docstring).

    A trace with more than ``max_nodes`` graph nodes or ``max_frames`` steps is shown from
    the step where its last ``max_nodes`` nodes start, with a notice saying so.
    """
    b = Builder(trace, TraceGraph())
    g = b.g
    hidden = b.hidden_events()
    shown = [e for e in b.events if e.index not in hidden]
    b.count_ops_per_line(shown)
    for e in shown:
        b.touched[e.index] = b.structure(e)
    n_all = len(b.nodes)
    start = max(0, len(shown) - max(1, max_frames))
    if n_all > max_nodes:
        seen: set = set()
        for i in range(len(shown) - 1, start - 1, -1):
            keys = {k for k in b.touched[shown[i].index] if k in b.nodes}
            if seen and len(seen | keys) > max_nodes:
                start = i + 1
                break
            seen |= keys
    keep = {k for e in shown[start:] for k in b.touched[e.index] if k in b.nodes}
    if len(keep) > max_nodes:  # a single step touching too many nodes: keep the newest
        keep = set(sorted(keep, key=lambda k: b.nodes[k].order)[-max_nodes:])
    all_nodes, all_edges = dict(b.nodes), dict(g.edges)
    g.nodes = {k: n for k, n in all_nodes.items() if k in keep}
    g.edges = {k: ed for k, ed in g.edges.items() if ed.src in keep and ed.dst in keep}
    if start > 0 or len(keep) < n_all:
        g.notice = (f"This trace is large ({len(shown)} steps, {n_all} graph nodes): showing its last "
                    f"{len(shown) - start} steps and the {len(keep)} nodes they involve. "
                    f"Player(t, max_nodes=..., max_frames=...) shows more, more slowly.")
    _States(b, all_nodes, all_edges).run(shown, start)
    if not shown:
        g.notice = EMPTY_MESSAGE
    elif not any(n.kind in ("op", "acc") for n in all_nodes.values()) and not any(
            s.kind in ("backward", "error") for s in g.steps):
        g.notice = g.notice or NO_GRAD_MESSAGE
    layout(g)
    return g


# ---------------------------------------------------------------------------- pass 2: states step by step
def _hidden_state(node: Node | None):
    if node is None:
        return EdgeState(False, "idle", "")
    if node.kind == "tensor":
        return TensorState(False, "idle", "", "None", False, "")
    return OpState(False, "idle", False, "no grad_fn" if node.kind == "const" else "", "")


class _States(Narration):
    """Pass 2: replays the shown events, recording what each step changes and its narration
    (the ``on_<kind>`` handlers that decide both are in narrate.py)."""

    def __init__(self, b: Builder, all_nodes: dict, all_edges: dict):
        self.b, self.g, self.nodes, self.edges = b, b.g, all_nodes, all_edges
        self.cur: dict = {}
        self.changes: dict = {}
        self.transient = _OrderedSet()  # highlighted for one step only
        self.residue = _OrderedSet()    # what a backward pass leaves on screen until the next forward step
        self.ran: set = set()
        self.call = 0
        self.in_call = False
        self.call_inputs: tuple = ()
        self.call_leaves: list = []
        self.forward_jump_due = True

    # -- state helpers ---------------------------------------------------------------------
    def get(self, key):
        st = self.cur.get(key)
        if st is None:
            st = self.cur[key] = _hidden_state(None if key.startswith("e") else self.nodes.get(key))
        return st

    def set(self, key, transient=True, **kw) -> None:
        if key is None:
            return
        old = self.get(key)
        new = old._replace(**kw)
        if new != old:
            self.cur[key] = self.changes[key] = new
        if transient:
            self.transient.add(key)

    def revert(self) -> None:
        """End of a step: highlights go, gradients that were travelling stay as 'passed'."""
        for key in self.transient:
            st = self.cur[key]
            if isinstance(st, TensorState):
                self.set(key, False, status="idle", tag="")
            elif isinstance(st, OpState):
                status = "error" if st.status == "error" else ("done" if key in self.ran else "idle")
                self.set(key, False, status=status, tag=st.tag if st.status == "error" else "")
            else:
                self.set(key, False, status="passed" if key in self.residue else "idle")
        self.transient = _OrderedSet()

    def clear_residue(self) -> None:
        for key in self.residue:
            st = self.cur[key]
            if isinstance(st, EdgeState):
                self.set(key, False, status="idle", grad="")
            else:
                node = self.nodes.get(key)
                info = "" if node is not None and node.kind == "acc" else st.info
                self.set(key, False, status="error" if st.status == "error" else "idle", info=info)
        self.residue = _OrderedSet()
        self.ran = set()

    # -- run ---------------------------------------------------------------------------
    def run(self, shown, start) -> None:
        g = self.g
        visible = dict.fromkeys([*g.nodes, *g.edges])  # ordered, so the output is the same every run
        for pos, e in enumerate(shown):
            self.changes = {}
            self.revert()
            if e.kind in ("op", "tensor") and self.residue and not self.in_call:
                self.clear_residue()
            if pos == start:  # what happened before a cut-down trace's window is the first picture
                g.initial = {k: v for k, v in self.cur.items() if k in visible}
                self.changes = {}
            text, active = getattr(self, "on_" + e.kind, self.on_other)(e)
            jump = None
            if e.kind in ("op", "tensor") and self.forward_jump_due:
                jump = "forward pass" if self.call == 0 else "forward again"
                self.forward_jump_due = False
            elif e.kind == "backward":
                jump = f"{'autograd.grad' if e.call == 'autograd.grad' else 'backward'} #{self.call}"
            elif e.kind == "error":
                jump = "error"
            if e.kind in ("done", "error"):
                self.forward_jump_due = True
            if pos < start:
                continue
            src = e.source
            line = f" (line {src.line}: {_short(src.text)})" if src is not None and src.line else ""
            source = f"line {src.line}: {src.text}" if src is not None and src.line else ""
            changes = {k: v for k, v in self.changes.items() if k in visible}
            step = Step(len(g.steps), e.index, e.kind, text, source, self.call, changes,
                        tuple(a for a in active if a in visible), e.kind == "error")
            g.steps.append(step)
            if jump:
                g.jumps.append((jump + line, step.index))
        for k in visible:
            if k not in g.initial:
                g.initial[k] = _hidden_state(None if k.startswith("e") else self.nodes.get(k))
        values = g.values
        for states in [g.initial] + [s.changes for s in g.steps]:
            for k, v in states.items():
                for f in ("value", "grad", "info", "tag"):
                    if hasattr(v, f):
                        values.setdefault(f"{k}:{f}", set()).add(getattr(v, f))


class _OrderedSet(dict):
    """A set that iterates in insertion order (a plain set's order follows PYTHONHASHSEED)."""

    def add(self, key) -> None:
        self[key] = None


def _short(text: str, n: int = 32) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"

