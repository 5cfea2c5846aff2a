"""The adapter between the view layer and the browser front end: ``TraceGraph`` -> one JSON-ready dict.

``scene(graph)`` is everything the front end (``view/static/src/``, joined by ``webplayer.app_js()``)
needs to draw and step through a trace with no kernel round trip. It is sent once (the widget,
``webplayer.WebPlayer``) or inlined (the static page, ``webplayer.page_html``)::

    from autograd_lab.view import graph, scene
    s = scene.scene(graph.build(t), trace=t)
    s["nodes"][0]               # {'k': 't1', 'kind': 'tensor', 'label': 'w', 'x': 55.1, ...}
    s["steps"][9]["changes"]    # {"n9": [True, "running", False, "grad = 3.", ""], ...}
    s["fields"]["box"]          # ['shown', 'status', 'freed', 'info', 'tag']: the names of those places

Each key means one thing wherever it appears:

- ``k``: a key (a node's ``t1``/``n9``/``o3``, an edge's, a group's ``g1``); ``kind``: a node's or an
  edge's kind; ``x``, ``y``, ``w``, ``h``: a centre and a size; ``pts``: an edge's points, flattened.
- ``fields``: the names of a state's places, sent once: ``tensor`` ``[shown, status, value, grad, rg,
  tag]``, ``box`` (a grad_fn, AccumulateGrad or an op with no graph) ``[shown, status, freed, info,
  tag]``, ``edge`` ``[shown, status, grad, rule]`` (states.py's namedtuples, in their order). A state is a
  list in that order; the front end reads it by name (``static/src/timeline.js``).
- ``initial``: key -> state before the first step; a step's ``changes``: key -> its new state, for
  what the step changes (only that).
- a step's ``text`` (the narration), ``source`` (its line of code), ``active`` (the keys it is
  about), ``error`` (1: it failed), ``group`` (in a grouped graph: the innermost group it happens
  in, an index into ``groups``); a node's ``group`` likewise.
- a node's ``made`` (the step it first shows, -1: before the first), ``leaf``, ``fn`` (a tensor's
  grad_fn), ``version`` (a tensor changed in place by an op: its ``_version``, 0 for the value before), ``name`` (``name()``), ``var`` (AccumulateGrad's ``variable``), ``next``
  (``next_functions``), ``saved`` (the ``_saved_*`` attributes), ``hooks`` (the steps its hooks ran).
- ``groups``: each group's ``k``, ``label``, ``parent`` (an index or None), ``collapsed`` (1: drawn
  as one closed box), ``box`` and, collapsed, its ``runs`` of steps with what each run did;
  ``overview``: the first picture (the collapsed top-level groups as boxes; an edge's ``members``
  are the keys of the graph's edges it stands for).
- an edge's ``slot``: a gradient edge's place in its grad_fn's ``next_functions``; ``formulas``: node name ->
  its chain rule as declared (``_formulas``); an edge state's ``rule``: how the gradient on it was made at
  the last run of the node it leaves ("to w: grad · x = 1 · 3 = 3", view/chain.py), "" before.
- ``jumps``, ``notice``, ``start``, ``speed``, ``words`` (the player's words in the graph's language),
  ``lang``, ``freed_error``, ``version``; ``full`` (the values a click shows of a tensor or an arrow that shows a
  big value by its shape and range: ``_full``); ``preview`` (optional, False: do not draw the nodes not built
  yet faintly; a Predict's player sets it until its question is answered, lessons/predict.py).

This is the only module that reads the view layer's structures for the front end.
"""
from __future__ import annotations

from typing import Any

from ..core.messages import FREED_MESSAGE
from ..narration import catalogue
from . import chain
from .states import EdgeState, OpState, TensorState

__all__ = ["scene", "WORD_IDS", "words", "FIELDS"]

# The names of a state's places, sent once in the scene: a state is a list in this order (states.py's namedtuples).
# A box is a grad_fn, an AccumulateGrad or an op that recorded no graph.
FIELDS = {"tensor": list(TensorState._fields), "box": list(OpState._fields), "edge": list(EdgeState._fields)}

# The front end's words: word -> message id of the catalogue (ids written out, so that the
# catalogue tests find them). Texts with {placeholders} are sent as they are; the front end fills them.
WORD_IDS = {
    "title": "player.title", "jump": "player.jump_to", "jump_aria": "player.jump.aria",
    "back": "player.back", "back_tip": "player.back.tip_key", "next": "player.next", "next_tip": "player.next.tip_key",
    "play": "player.play", "pause": "player.pause", "play_tip": "player.play.tip",
    "speed_label": "player.speed", "speed": "player.speed.aria", "step": "player.slider.aria",
    "step_of": "player.where", "picture": "player.picture.aria",
    "zoom_in": "player.zoom_in", "zoom_in_tip": "player.zoom_in.tip", "zoom_out": "player.zoom_out",
    "zoom_out_tip": "player.zoom_out.tip", "fit": "player.fit", "fit_tip": "player.fit.tip",
    "whole": "player.whole", "whole_tip": "player.whole.tip",
    "tensor": "player.legend.tensor", "grad_fn": "player.legend.grad_fn", "acc": "player.legend.acc",
    "legend_grad": "player.legend.next_functions", "legend_data": "player.legend.data",
    "legend_attach": "player.legend.attach", "by_group": "player.by_group", "by_group_tip": "player.by_group.tip",
    "group_open": "player.group.open", "group_close": "player.group.close",
    "legend_now": "player.legend.moving", "legend_marks": "player.legend.marks",
    "col_name": "player.table.name", "col_value": "player.table.value", "col_grad": "player.table.grad",
    "col_rg": "player.table.requires_grad", "col_leaf": "player.table.is_leaf", "col_grad_fn": "player.table.grad_fn",
    "no_tensors": "player.table.empty", "filter": "player.table.filter", "rows_hidden": "player.table.more",
    "rebound": "player.table.rebound",
    "grad_of": "player.picture.grad", "no_grad": "player.picture.no_grad",
    "inspect_close": "player.inspect.close", "made_at": "player.inspect.made_at", "not_yet": "player.inspect.not_yet",
    "saved_holds": "player.inspect.holds", "saved_freed": "player.inspect.freed",
    "saved_freed_error": "player.inspect.freed_error",
    "hooks": "player.inspect.hooks", "no_hooks": "player.inspect.no_hooks",
    "grad_before": "player.inspect.grad_before", "grad_after": "player.inspect.grad_after",
    "variable": "player.inspect.variable",
    "chain": "player.inspect.chain", "chain_run": "player.inspect.chain_run", "chain_none": "player.inspect.chain_none",
    "edge_rule": "player.edge.rule",
}
_DEFAULT_NAME = {"acc": "torch::autograd::AccumulateGrad"}  # AccumulateGrad's name() in PyTorch


def _html_lang(lang: str | None) -> str:
    """The page's ``<html lang>`` for ``lang``: the catalogue's HTML_LANG ('zh-CN'), else its code."""
    cat = catalogue(lang)
    return getattr(cat, "HTML_LANG", cat.__name__.rsplit(".", 1)[-1])


def words(lang: str | None = None) -> dict:
    """The front end's words in ``lang`` (None: the language in force), as the catalogue has them."""
    cat = catalogue(lang).MESSAGES
    return {word: cat[msg_id] for word, msg_id in WORD_IDS.items()}


_state = list  # a state namedtuple -> a JSON array (booleans stay true/false)


def _r(v: float) -> float:
    return round(v if type(v) is float else float(v), 1)


def scene(graph, trace=None, *, lang: str | None = None, start: int = 0, speed: float = 1.0) -> dict[str, Any]:
    """The JSON-ready scene of ``graph`` (a ``view.graph.TraceGraph``); see the module docstring.

    ``trace`` (optional, the ``Trace`` the graph was built from) gives ``next_functions`` in
    PyTorch's slot order, with ``(None, 0)`` for inputs that need no gradient. ``start`` is the
    step shown first, ``speed`` the player's speed (0.5, 1, 2 or 4 steps per 0.9 s).
    """
    g = graph
    nodes = sorted(g.nodes.values(), key=lambda n: n.order)
    steps = list(g.steps)
    first_shown: dict[str, int] = {}
    for k, st in g.initial.items():
        if st.shown:
            first_shown[k] = -1
    hooks: dict[str, list] = {}
    for s in steps:
        for k, st in s.changes.items():
            if st.shown and k not in first_shown:
                first_shown[k] = s.index
        if s.kind == "hook":
            for k in s.active:
                hooks.setdefault(k, []).append(s.index)
    next_fns = _next_functions(g, trace)
    near_of: dict[str, set] = {}
    for ed in g.edges.values():
        near_of.setdefault(ed.src, set()).add(ed.dst)
        near_of.setdefault(ed.dst, set()).add(ed.src)
    attached: dict[str, list] = {}  # box -> its 'attach' edges (to the tensor that hangs off it)
    for ed in g.edges.values():
        if ed.kind == "attach":
            attached.setdefault(ed.src, []).append(ed)
    versions = getattr(g, "versions", None) or {}
    out_nodes = []
    for n in nodes:
        d = {"k": n.key, "kind": n.kind, "label": n.label, "x": _r(n.x), "y": _r(n.y), "w": _r(n.w),
             "h": _r(n.h)}
        i = first_shown.get(n.key)
        if i is not None:
            d["made"] = i
        if n.kind == "tensor":
            d["leaf"] = int(n.is_leaf)
            if n.key in versions:
                d["version"] = versions[n.key]
            if n.grad_fn:
                d["fn"] = n.grad_fn
        else:
            d["name"] = _DEFAULT_NAME.get(n.kind, n.label)
            if n.kind == "acc" and n.grad_fn:
                d["var"] = n.grad_fn
            if n.kind == "op":
                d["next"] = next_fns.get(n.key, [])
                d["saved"] = [[attr, holder, _holder_key(g, near_of, attached, n.key, holder)] for attr, holder in n.saved]
        if n.key in hooks:
            d["hooks"] = hooks[n.key]
        out_nodes.append(d)
    out_edges = []
    edge_slot = getattr(g, "edge_slot", {})
    for ed in sorted(g.edges.values(), key=lambda e: e.order):
        pts = [c for p in ed.points for c in (_r(p[0]), _r(p[1]))]
        d = {"k": ed.key, "src": ed.src, "dst": ed.dst, "kind": ed.kind, "pts": pts}
        if ed.key in edge_slot:
            d["slot"] = edge_slot[ed.key]
        out_edges.append(d)
    groups = _groups(g, len(steps))
    gidx = {k: i for i, k in enumerate(getattr(g, "groups", None) or {})}
    if gidx:
        for d in out_nodes:
            if d["k"] in g.group_of:
                d["group"] = gidx[g.group_of[d["k"]]]
    out_steps = []
    for s in steps:
        d = {"changes": {k: _state(v) for k, v in s.changes.items()}, "text": s.text}
        if s.group is not None and s.group in gidx:
            d["group"] = gidx[s.group]
        if s.source:
            d["source"] = s.source
        if s.active:
            d["active"] = list(s.active)
        if s.error:
            d["error"] = 1
        out_steps.append(d)
    n_steps = len(steps)
    return {
        "version": 2,
        "fields": FIELDS,
        "width": _r(g.width), "height": _r(g.height),
        "nodes": out_nodes, "edges": out_edges,
        "initial": {k: _state(v) for k, v in g.initial.items()},
        "steps": out_steps,
        "jumps": [[label, i] for label, i in g.jumps],
        "notice": g.notice,
        "groups": groups,
        "overview": _overview(g) if any(grp.collapsed for grp in (getattr(g, "groups", None) or {}).values()) else {},
        "start": max(0, min(int(start), n_steps - 1)) if n_steps else 0,
        "speed": speed,
        "words": words(getattr(g, "lang", None) if lang is None else lang),
        "lang": _html_lang(getattr(g, "lang", None) if lang is None else lang),
        "freed_error": FREED_MESSAGE,
        "formulas": {name: _formulas(name) for name in sorted({n.label for n in nodes if n.kind == "op"})},
        "full": _full(g.initial, steps),
    }


def _full(initial: dict, steps) -> dict:
    """``full``: for a tensor or an edge that ever shows a big value by its shape and range (values.py's
    ``Shown``), what a click on it shows: key -> ``[[step, value's, grad's], ...]`` (an edge: ``[step,
    grad's]``), one entry at each step its state changes (-1: the initial state; "" where the value is
    printed whole). The front end reads the last entry at or before the step shown."""
    def texts(st):
        if type(st) is TensorState:
            return [getattr(st.value, "full", ""), getattr(st.grad, "full", "")]
        return [getattr(st.grad, "full", "")] if type(st) is EdgeState else None

    seq = [(-1, initial)] + [(s.index, s.changes) for s in steps]
    keys = {k for _, states in seq for k, st in states.items() if any(texts(st) or ())}
    out: dict = {}
    for i, states in seq:
        for k, st in states.items():
            if k in keys:
                out.setdefault(k, []).append([i, *texts(st)])
    return out


def _formulas(name: str):
    """A node name's chain rule as declared (view/chain.py ``by_slot``), in PyTorch's input names:
    ``[["self", "grad · other"], ["other", "grad · self"]]`` per slot (a formula None: that slot gets
    no gradient), the reason a node has none (a string), or None when the table does not have it."""
    got = chain.by_slot(name)
    return [list(slot) for slot in got] if isinstance(got, list) else got


def _groups(g, n_steps: int) -> list:
    """The groups of a grouped graph, in ``g.groups``' order (parents first): ``k`` its key, ``label``,
    ``parent`` (an index, or None), ``collapsed`` (1: drawn collapsed), ``box`` (x0, y0, x1, y1 in the full
    layout), and for a collapsed group ``runs``: ``[first, last, summary]`` for each run of consecutive
    steps inside it. A step "by group" from ``first - 1`` runs to ``last`` whatever is opened around it
    (``g.unit``: the outermost collapsed group not opened), and says ``summary`` (``g.summary``)."""
    groups = getattr(g, "groups", None) or {}
    if not groups:
        return []
    index = {k: i for i, k in enumerate(groups)}
    runs: dict[str, list] = {k: [] for k, grp in groups.items() if grp.collapsed}
    open_at: dict[str, int] = {}
    for i in range(n_steps + 1):
        chain = set()
        q = g.steps[i].group if i < n_steps else None
        while q is not None:
            if q in runs:
                chain.add(q)
            q = groups[q].parent
        for k in [k for k in open_at if k not in chain]:
            first = max(open_at.pop(k), 1)  # the player starts at step 0: a step never runs into it
            last = i - 1
            if last >= first:
                runs[k].append([first, last, g.summary(first, last) if last > first else ""])
        for k in chain:
            open_at.setdefault(k, i)
    out = []
    for k, grp in groups.items():
        d = {"k": k, "label": grp.label, "parent": index.get(grp.parent), "collapsed": int(bool(grp.collapsed)),
             "box": [_r(v) for v in grp.box]}
        if grp.collapsed:
            d["runs"] = runs[k]
        out.append(d)
    return out


def _overview(g) -> dict:
    """``g.overview`` for the front end: ``w``, ``h``, ``nodes`` (key -> [x, y, w, h], a key being a node's
    or a collapsed top-level group's), ``frames`` (key -> [x0, y0, x1, y1]: an open top-level group's frame),
    ``edges`` (``k``, ``src``, ``dst``, ``kind``, ``pts``, and ``members``: the
    keys of the graph's edges it stands for)."""
    ov = getattr(g, "overview", None) or {}
    if not ov:
        return {}
    return {"w": _r(ov["width"]), "h": _r(ov["height"]),
            "nodes": {k: [_r(v) for v in box] for k, box in ov["nodes"].items()},
            "frames": {k: [_r(v) for v in box] for k, box in ov.get("frames", {}).items()},
            "edges": [{"k": e["key"], "src": e["src"], "dst": e["dst"], "kind": e["kind"],
                       "pts": [_r(c) for p in e["points"] for c in p], "members": list(e["members"])}
                      for e in ov["edges"]]}


def _holder_key(g, near_of: dict, attached: dict, box: str, holder: str) -> str | None:
    """The key of the tensor node named ``holder`` next to ``box`` (its input or output), if drawn."""
    near = set(near_of.get(box, ()))
    for k in list(near):  # an input tensor hangs off the box its gradient goes to (an 'attach' edge)
        n = g.nodes.get(k)
        if n is None or n.kind == "tensor":
            continue
        if n.kind == "acc" and n.grad_fn:
            near.add(n.grad_fn)
        near.update(ed.dst for ed in attached.get(k, ()))
    for k in sorted(near, key=lambda k: g.nodes[k].order if k in g.nodes else 0):
        n = g.nodes.get(k)
        if n is not None and n.kind == "tensor" and n.label == holder:
            return k
    return None


def _next_functions(g, trace) -> dict[str, list]:
    """grad_fn key -> [[key or None, label, output_nr], ...] in slot order.

    From the trace's op events when given (exact, with the ``None`` slots); otherwise from the
    graph's gradient edges (the ``None`` slots of inputs that need no gradient then come last)."""
    out: dict[str, list] = {}
    op_next = getattr(g, "op_next", None)
    if trace is not None and op_next:  # what build read from the trace's op events (cheaper than reading them again)
        for key, nexts in op_next.items():
            if key in g.nodes:
                out[key] = [_slot(g, f"n{nid}" if nid is not None else None) for nid in nexts]
        if out:
            return out
    if trace is not None:
        for e in getattr(trace, "events", ()):
            if e.kind != "op" or e.node is None:
                continue
            key = f"n{e.node}"
            if key not in g.nodes or key in out:
                continue
            out[key] = [_slot(g, f"n{nid}" if nid is not None else None) for nid in e.next]
        if out:
            return out
    for ed in sorted(g.edges.values(), key=lambda e: e.order):
        src = g.nodes.get(ed.src)
        if src is None or src.kind != "op":
            continue
        if ed.kind == "grad":
            dst = g.nodes.get(ed.dst)
            target = dst.grad_fn if dst is not None and dst.kind == "tensor" else ed.dst
            out.setdefault(ed.src, []).append(_slot(g, target))
    for ed in sorted(g.edges.values(), key=lambda e: e.order):
        if ed.kind == "data" and ed.dst in g.nodes and g.nodes[ed.dst].kind == "op":
            out.setdefault(ed.dst, []).append(_slot(g, None))
    return out


def _slot(g, key: str | None) -> list:
    if key is None:
        return [None, "None", 0]
    n = g.nodes.get(key)
    label = n.label if n is not None else "grad_fn"
    return [key if n is not None else None, label, 0]
