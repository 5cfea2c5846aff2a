"""Events -> the computation graph at step i: pure data, no drawing, no widgets.

``build(trace)`` turns a recorded ``Trace`` into a ``TraceGraph``: every node that ever
appears (tensors, grad_fn nodes, AccumulateGrad, ops that recorded no graph), the edges
between them, a layered layout computed once (inputs on the left, outputs
on the right; nodes never move between steps, they appear), and one ``Step`` per event
the student should see, with its narration and what it changes::

    g = build(t)
    g.steps[7].text           # 'AccumulateGrad sets w.grad to 3 (w.grad was None, ...).'
    g.steps[7].message        # Msg('step.accumulate.set', {'name': 'w', 'value': Num(3.0)})
    g.state_at(7)["t1"]       # TensorState(shown=True, status='active', value='2.', grad='3.', ...)

Drawing conventions (the front end, static/app.js, follows them), as PyTorch's graph is: tensors are ellipses
keyed ``t<id>``; grad_fn and AccumulateGrad nodes are boxes keyed ``n<id>``; ops that recorded no
graph are grey boxes keyed ``o<event>``. Edges (``Edge.kind``):

- ``'grad'``, solid: one per non-None ``next_functions`` entry, from a grad_fn to the grad_fn or
  AccumulateGrad it leads to (``src`` -> ``dst`` is the way gradients flow; ``y * y`` has two
  arrows to ``y.grad_fn``). A gradient arrow never touches a tensor.
- ``'attach'``, a thin link without a head: a tensor hangs off its grad_fn (``y.grad_fn``) or, a
  leaf, off its AccumulateGrad (``.variable``); ``src`` is the box, ``dst`` the tensor. No gradient
  flows along it; it lights when the gradient passes the tensor (its grad_fn runs, a hook on it or
  ``retain_grad`` runs: these are shown at the tensor).
- ``'data'``, dashed: data carried forward into an operation that sends no gradient back
  (``(None, 0)`` in ``next_functions``), or into and out of an op that recorded no graph.

Big graphs (nothing is cut up to ``max_nodes=5000``): repeated structure is grouped (groups.py).
``g.groups`` maps a group key (``'g1'``) to a ``Group``: ``label`` ('lines 12–13 ×16' for a loop,
'lines 12–13 (3 of 16)' for one iteration of it), ``members`` (every node key inside, child
groups' included), ``parent`` (None at the top), ``children``, ``collapsed`` (drawn as one box in
the first picture: more than ``groups.COLLAPSE_ABOVE`` members, in a graph of more than
``groups.COLLAPSE_GRAPH`` nodes; a smaller graph is shown open, its groups framed) and ``box`` (x0, y0, x1, y1: the
rectangle its members fill in the full layout; siblings' boxes never overlap, so opening a box in
place moves nothing). ``g.group_of[key]`` is a node's innermost group. A graph under
``groups.GROUP_MIN`` nodes has no groups (``g.groups == {}``, ``g.overview == {}``).
``g.overview`` is the first picture of a grouped graph, laid out on its own: ``{'width',
'height', 'nodes': {key: (x, y, w, h)}, 'frames': {key: (x0, y0, x1, y1)}, 'edges': [{'key', 'src',
'dst', 'kind', 'points', 'members'}]}``, where a key is a node's or a collapsed top-level group's (its box),
an open top-level group (a loop's first and last iteration) is laid out as one block and framed, and an edge's
``members`` are the keys of the graph's edges it stands for (light it when one of them is).

Steps: ``Step.group`` is the innermost group of the node a step is about (None for backward's
start and end). ``g.step_after(i, by="group", opened=())`` is where "next" goes from step ``i``
when a click runs a whole box (``g.unit(i, opened)``: the outermost collapsed group not opened,
so opening a layer steps through its neurons); ``g.step_before`` goes back the same way;
``g.summary(i + 1, j)`` says in a few words (at most ~500 characters) what steps ``i + 1`` to
``j`` did: "lines 12–13 ×16: 528 nodes ran and 272 gradients arrived; the largest, -3.86, at w".

This module holds what scene.py and player.py use: ``Step`` and ``TraceGraph`` (defined in
tracegraph.py, the data every pass fills, below all of them) and ``build``, which runs pass 1
(structure.py: nodes and edges), pass 2 (states.py: what each step changes, and its narration
as a message that the catalogue of ``lang`` says, narration/), the groups (groups.py) and the
layout (layout.py). All of it is pure; nothing draws.
"""
from __future__ import annotations

from ..narration import say
# FONT, the sizes, node_size and fmt are re-exported: they were defined here before the split.
from .layout import (FONT, LAYER_GAP, MARGIN, OP_H, TENSOR_H, TEXT_ABOVE, TEXT_BELOW,  # noqa: F401
                     layout, node_size, text_width)
from .states import EdgeState, OpState, States, TensorState, fmt  # noqa: F401
from .explain import explain as explain_error, versions
from . import loops
from .groups import Group, find_groups
from .structure import Builder
from .tracegraph import Edge, Node, Step, TraceGraph

__all__ = ["TraceGraph", "Node", "Edge", "Step", "Group", "TensorState", "OpState", "EdgeState", "build",
           "text_width"]


def build(trace, max_nodes: int = 5000, max_frames: int = 20000, lang: str | None = None) -> TraceGraph:
    """The ``TraceGraph`` of ``trace``: structure, layout, steps (see module docstring).

    A trace with more than ``max_nodes`` graph nodes or ``max_frames`` steps is shown from
    the step where its last ``max_nodes`` nodes start, with a notice saying so (under the
    defaults nothing is cut: a micrograd MLP 3->16->16->1 has about 2,000 nodes and 2,400 steps). Its texts are
    in ``lang`` (None: ``narration.get_language()``).
    """
    source, loop = loops.prepare(trace)  # a training loop: its iterations (a long one folded: view/loops.py)
    b = Builder(source, TraceGraph(lang))
    b.loop = loop
    lang = b.g.lang
    g = b.g
    hidden = b.hidden_events()
    if loop is not None:
        loops.summarise(getattr(trace, "events", trace), loop, b.events)
        hidden |= loops.step_internals(b.events)  # an optimizer's buffers, a manual step's read of w.grad
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
    states = States(b, all_nodes, all_edges, lang, explain_error)  # (an error step says why: explain.py)
    states.run(shown, start, Step)
    g.edge_slot = {ek: j for (_, j), ek in b.slot_edge.items() if ek in g.edges}
    g.versions = versions(b)  # (the inspector's `_version` of a tensor changed in place: explain.py)
    _group(g, b, shown)
    if loop is not None:  # (view/loops.py) every step of an iteration is in its box; jumps numbered by iteration
        loops.assign_steps(g, loop, loop.group_of_iteration)
        loops.loop_jumps(g, loop)
        g.notice = " ".join(x for x in (g.notice, loops.notice(loop, lang, getattr(trace, "events", trace))) if x)
    if not shown:
        g.notice = say("player.notice.empty", lang)
    elif not any(n.kind in ("op", "acc") for n in all_nodes.values()) and not any(
            s.kind in ("backward", "error") for s in g.steps):
        wanting = [b.name(t) for t, rg in states.rg.items() if rg]
        g.notice = g.notice or (say("player.notice.grad_mode_off", lang, names=wanting, n=len(wanting)) if wanting
                                else say("player.notice.no_graph", lang))
    layout(g)
    return g


def _group(g: TraceGraph, b: Builder, shown) -> None:
    """Find the groups of a big graph (groups.py), and the group each node and step is about."""
    groups = find_groups(b, shown, g.lang)
    for grp in groups.values():
        grp.members = tuple(k for k in grp.members if k in g.nodes)
    g.groups = {k: grp for k, grp in groups.items() if grp.members}
    for grp in g.groups.values():
        grp.children = tuple(c for c in grp.children if c in g.groups)
    for key, grp in g.groups.items():  # parents come before their children
        for k in grp.members:
            g.group_of[k] = key
    if not g.group_of:
        return
    for st in g.steps:
        if st.kind in ("backward", "done"):  # about the whole graph, not one group
            continue
        for k in st.active:
            if k in g.group_of:
                st.group = g.group_of[k]
                break
