"""Events -> the computation graph at step i: pure data, no drawing, no widgets.

``build(trace)`` turns a recorded ``Trace`` into a ``TraceGraph``: every node that ever
appears (tensors, grad_fn nodes, AccumulateGrad, ops that recorded no graph), the edges
between them, a layered layout computed once with networkx (inputs on the left, outputs
on the right; nodes never move between steps, they appear), and one ``Step`` per event
the student should see, with its narration and what it changes::

    g = build(t)
    g.steps[7].text           # 'AccumulateGrad sets w.grad to 3 (w.grad was None, ...).'
    g.steps[7].message        # Msg('step.accumulate.set', {'name': 'w', 'value': Num(3.0)})
    g.state_at(7)["t1"]       # TensorState(shown=True, status='active', value='2.', grad='3.', ...)

Drawing conventions (the front end, static/app.js, follows them): tensors are ellipses keyed
``t<id>``; grad_fn and AccumulateGrad nodes are boxes keyed ``n<id>``; ops that recorded no graph are grey
boxes keyed ``o<event>``. Solid arrows point the way gradients flow, from an operation to
each of its ``next_functions`` (through the input tensor when the input has a grad_fn, so
hooks and ``retain_grad`` happen where the arrow passes the tensor); AccumulateGrad points
to its leaf; a tensor points to its own ``grad_fn``. Dashed arrows carry data forward into
an operation that will send no gradient back (``(None, 0)`` in ``next_functions``).

This module holds what scene.py and player.py use: ``Step``, ``TraceGraph`` and ``build``,
which runs pass 1 (structure.py: nodes and edges), pass 2 (states.py: what each step changes,
and its narration as a message that the catalogue of ``lang`` says, narration/) and the
layout (layout.py, networkx). All of it is pure; nothing draws.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import narration
from ..narration import Msg, say
# FONT, the sizes, node_size and fmt are re-exported: they were defined here before the split.
from .layout import (FONT, LAYER_GAP, MARGIN, OP_H, TENSOR_H, TEXT_ABOVE, TEXT_BELOW,  # noqa: F401
                     layout, node_size, text_width)
from .states import EdgeState, OpState, States, TensorState, fmt  # noqa: F401
from .structure import Builder, Edge, Node

__all__ = ["TraceGraph", "Node", "Edge", "Step", "TensorState", "OpState", "EdgeState", "build",
           "text_width"]


@dataclass
class Step:
    index: int                # frame number
    event: int                # index of the event in trace.events
    kind: str                 # the event's kind
    text: str                 # narration, plain words, in the graph's language
    source: str               # 'line 9: z.backward()' or ''
    call: int                 # number of backward()/autograd.grad calls started so far
    changes: dict             # key -> new state, for what this step changes
    active: tuple = ()        # keys this step is about (highlighted)
    error: bool = False
    message: Msg | None = None  # the narration as a message (id, parameters), before the catalogue says it


class TraceGraph:
    """The whole graph of a trace, its layout, and its states step by step (see module docstring)."""

    KEYFRAME = 32

    def __init__(self, lang: str | None = None):
        self.lang: str = narration._checked(lang)  # the language of every text in it
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


def build(trace, max_nodes: int = 300, max_frames: int = 2000, lang: str | None = None) -> TraceGraph:
    """The ``TraceGraph`` of ``trace``: structure, layout, steps (see module docstring).

    A trace with more than ``max_nodes`` graph nodes or ``max_frames`` steps is shown from
    the step where its last ``max_nodes`` nodes start, with a notice saying so. Its texts are
    in ``lang`` (None: ``narration.get_language()``).
    """
    b = Builder(trace, TraceGraph(lang))
    lang = b.g.lang
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
        g.notice = say("player.notice.large", lang, steps=len(shown), nodes=n_all, shown_steps=len(shown) - start,
                       shown_nodes=len(keep))
    states = States(b, all_nodes, all_edges, lang)
    states.run(shown, start, Step)
    if not shown:
        g.notice = say("player.notice.empty", lang)
    elif not any(n.kind in ("op", "acc") for n in all_nodes.values()) and not any(
            s.kind in ("backward", "error") for s in g.steps):
        wanting = [b.name(t) for t, rg in states.rg.items() if rg]
        g.notice = g.notice or (say("player.notice.grad_mode_off", lang, names=wanting, n=len(wanting)) if wanting
                                else say("player.notice.no_graph", lang))
    layout(g)
    return g
