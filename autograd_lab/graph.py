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
"""
from __future__ import annotations

import functools
import math
from collections import namedtuple
from dataclasses import dataclass, field

import numpy as np

from ._format import format_value

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

# Sizes in CSS pixels (render.py draws with the same numbers).
FONT = {"value": 12.5, "grad": 11.0, "label": 12.0, "info": 10.5, "tag": 10.5, "edge": 11.0}
TENSOR_H, OP_H, LAYER_GAP, MARGIN = 44.0, 28.0, 54.0, 14.0
TEXT_ABOVE, TEXT_BELOW = 15.0, 15.0


@dataclass
class Node:
    key: str
    kind: str                 # 'tensor', 'op' (a grad_fn), 'acc' (AccumulateGrad), 'const' (no graph recorded)
    label: str                # tensor: the user's variable name; box: PyTorch's name or the op's name
    order: int                # creation order (ties in the layout)
    ref: int | None = None    # tensor id or node id in the trace
    is_leaf: bool = True      # tensors: no grad_fn
    grad_fn: str | None = None  # tensors: key of the grad_fn box; acc: key of its leaf tensor
    saved: tuple = ()         # op: ((attribute, what it holds), ...), e.g. (('_saved_other', 'x'),)
    layer: int = 0
    x: float = 0.0            # centre
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0


@dataclass
class Edge:
    key: str
    src: str                  # arrow tail
    dst: str                  # arrow head
    kind: str                 # 'grad' (solid: gradients flow src -> dst) or 'data' (dashed, forward, no gradient)
    order: int
    points: list = field(default_factory=list)   # polyline from tail to head, set by the layout
    label_at: tuple = (0.0, 0.0)


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


def fmt(v) -> str:
    """A snapshot as PyTorch prints its value (``3.``, ``0.5000``, ``[1., 2.]``); None stays 'None'."""
    if v is None:
        return "None"
    if isinstance(v, float):
        return _fmt_float(v)
    if isinstance(v, dict):
        return f"<{'x'.join(map(str, v.get('shape', [])))} values, mean {v.get('mean', 0.0):.4g}>"
    try:
        return format_value(np.asarray(v))
    except (TypeError, ValueError):  # pragma: no cover - a label must never break the player
        return str(v)


@functools.lru_cache(maxsize=4096)
def _fmt_float(v: float) -> str:
    return format_value(np.asarray(v))


_NARROW = set("il.,:;|!'`()[]{}fjrt ")
_WIDE = set("mwMW@%")


def text_width(s: str, size: float) -> float:
    """Approximate width in px of ``s`` in a DejaVu-Sans-like font (wide fonts, so boxes fit most)."""
    w = 0.0
    for c in s:
        if c in _NARROW:
            w += 0.36
        elif c in _WIDE:
            w += 0.92
        elif c.isupper() or c.isdigit() or c in "_+-=<>~":
            w += 0.70
        elif ord(c) > 0x2000:
            w += 0.85
        else:
            w += 0.61
    return w * size


# ---------------------------------------------------------------------------- structure
_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**", "matmul": "@"}
_SAVED_INPUT = {"_saved_self": 0, "_saved_other": 1, "_saved_tensor": 1, "_saved_vec": 1, "_saved_mat2": 1,
                "_saved_exponent": 1}


class _Builder:
    """Pass 1: which events are shown, and every node and edge they create."""

    def __init__(self, trace):
        self.events = list(getattr(trace, "events", trace))
        self.names = dict(getattr(trace, "names", {}) or {})
        self.leaf_of = dict(getattr(trace, "leaf_of", {}) or {})
        self.g = TraceGraph()
        self.nodes = self.g.nodes                # every node, before a huge trace is cut down
        self.cur_key: dict[int, str] = {}        # tensor id -> key of its current version
        self.versions: dict[int, int] = {}       # tensor id -> how many versions (in-place ops make more)
        self.key_at: dict[tuple, str] = {}       # (event index, tensor id) -> key right after the event
        self.tensor_of_fn: dict[str, str] = {}   # grad_fn key -> key of the tensor it made
        self.edge_of: dict[tuple, str] = {}      # (tail, head, slot or kind) -> edge key
        self.slot_edge: dict[tuple, str] = {}    # (node key, slot j of next_functions) -> edge key
        self.fn_edge: dict[str, str] = {}        # tensor -> its grad_fn; AccumulateGrad -> its leaf
        self.touched: dict[int, list] = {}       # event index -> keys the event involves
        self.ops_in_run: dict[int, int] = {}     # event index -> ops recorded for the same line in a row
        self.op_inputs: dict[str, tuple] = {}    # grad_fn key -> the tensor ids its op was applied to

    def name(self, tid) -> str:
        if tid is None:
            return "a number"
        return self.names.get(tid) or f"t{tid}"

    # -- nodes and edges ----------------------------------------------------------------
    def add_node(self, key, kind, label, ref=None) -> Node:
        n = self.nodes.get(key)
        if n is None:
            n = self.nodes[key] = Node(key, kind, label, len(self.nodes), ref)
        return n

    def add_tensor(self, tid, new_version=False) -> str:
        key = self.cur_key.get(tid)
        if key is None or new_version:
            version = self.versions[tid] = self.versions.get(tid, 0) + 1
            key = f"t{tid}" if version == 1 else f"t{tid}v{version}"
            self.add_node(key, "tensor", self.name(tid), tid)
            self.cur_key[tid] = key
        return key

    def add_edge(self, src, dst, kind, slot=None) -> str:
        ident = (src, dst, kind if slot is None else slot)
        key = self.edge_of.get(ident)
        if key is None:
            key = self.edge_of[ident] = f"e{len(self.g.edges)}"
            self.g.edges[key] = Edge(key, src, dst, kind, len(self.g.edges))
        return key

    def acc_node(self, nid, leaf_tid=None) -> str:
        key = f"n{nid}"
        leaf_tid = self.leaf_of.get(nid, leaf_tid)
        n = self.add_node(key, "acc", "AccumulateGrad", nid)
        n.kind, n.label = "acc", "AccumulateGrad"
        if leaf_tid is not None and key not in self.fn_edge:
            leaf = self.add_tensor(leaf_tid)
            n.grad_fn = leaf
            self.fn_edge[key] = self.add_edge(key, leaf, "grad")
        return key

    def fn_node(self, nid, name=None) -> str:
        if nid in self.leaf_of or name == "AccumulateGrad":
            return self.acc_node(nid)
        n = self.add_node(f"n{nid}", "op", name or "grad_fn", nid)
        if name and n.label == "grad_fn":
            n.label = name
        return n.key

    # -- which events are shown -----------------------------------------------------------
    def hidden_events(self) -> set:
        """Bookkeeping the student did not write: no-graph ops whose unnamed result nothing uses
        (the arithmetic inside a hook or inside ``optimizer.step()``) and the tensors only they touch."""
        hidden, refs = set(), set()
        for e in reversed(self.events):
            k = e.kind
            if k == "op" and e.node is None and e.output not in self.names and e.output not in refs:
                hidden.add(e.index)
            elif k == "tensor" and e.how == "existing" and e.tensor not in self.names and e.tensor not in refs:
                hidden.add(e.index)
            elif k == "op":
                refs.update(t for t in e.inputs if t is not None)
            elif k in ("backward", "done"):
                refs.update(e.roots)
                refs.update(getattr(e, "inputs", ()) or ())
            elif k in ("accumulate", "hook", "zero", "update") and e.tensor is not None:
                refs.add(e.tensor)
        return hidden

    def count_ops_per_line(self, shown) -> None:
        run, line = [], None
        for e in shown + [None]:
            src = None if e is None or e.source is None else (e.source.file, e.source.line)
            if e is None or src != line:
                n = sum(1 for x in run if x.kind == "op")
                for x in run:
                    self.ops_in_run[x.index] = n
                run, line = [], src
            if e is not None:
                run.append(e)

    # -- structure ------------------------------------------------------------------------
    def structure(self, e) -> list:
        """Add what event ``e`` creates to the graph; return the keys it involves."""
        keys = self._structure(e)
        for tid in _tensor_ids(e):
            if tid in self.cur_key:
                self.key_at[(e.index, tid)] = self.cur_key[tid]
        return [k for k in dict.fromkeys(keys) if k]

    def _structure(self, e) -> list:
        k = e.kind
        if k == "tensor":
            return [self.add_tensor(e.tensor, new_version=e.how == "detach")]
        if k == "op":
            return self._op(e)
        if k == "node":
            box = self.fn_node(e.node, e.name)
            keys = [box]
            for j, nid in enumerate(e.next):
                if nid is not None and (box, j) not in self.slot_edge:
                    self.slot_edge[(box, j)] = self.add_edge(box, self.fn_node(nid), "grad", slot=j)
                if (box, j) in self.slot_edge:
                    ek = self.slot_edge[(box, j)]
                    keys += [ek, self.g.edges[ek].dst]
            t = self.tensor_of_fn.get(box)
            return keys + ([t, self.fn_edge[t]] if t else [])
        if k == "accumulate":
            acc = self.acc_node(e.node, e.tensor)
            return [acc, self.add_tensor(e.tensor), self.fn_edge.get(acc)]
        if k == "backward":
            keys = []
            for r in e.roots:
                t = self.add_tensor(r)
                keys += [t, self.fn_edge.get(t), self.nodes[t].grad_fn]
            return keys + [self.add_tensor(i) for i in (e.inputs or ())]
        if k in ("hook", "zero", "update"):
            keys = [self.add_tensor(e.tensor)] if e.tensor is not None else []
            if k == "hook" and e.node is not None:
                keys.append(self.fn_node(e.node))
            return keys
        if k in ("release", "error") and e.node is not None:
            return [self.fn_node(e.node, e.name)]
        if k == "done":
            return [self.add_tensor(r) for r in e.roots]
        return []

    def _op(self, e) -> list:
        ins = [self.add_tensor(t) if t is not None else None for t in e.inputs]
        if e.node is None:  # nothing requires grad: a grey box, data arrows only
            box = self.add_node(f"o{e.index}", "const", e.op).key
            out = self.add_tensor(e.output, new_version=True)
            keys = [box, out] + [self.add_edge(t, box, "data") for t in dict.fromkeys(t for t in ins if t)]
            return keys + [self.add_edge(box, out, "data")]
        box = self.fn_node(e.node, e.node_name)
        out = self.add_tensor(e.output, new_version=True)
        tensor = self.nodes[out]
        tensor.is_leaf, tensor.grad_fn = False, box
        self.tensor_of_fn[box] = out
        self.fn_edge[out] = self.add_edge(out, box, "grad")
        keys = [box, out, self.fn_edge[out]]
        matched = set()
        for j, nid in enumerate(e.next):
            if nid is None:
                continue
            var = e.next_vars[j] if j < len(e.next_vars) else None
            if nid in self.leaf_of or var is not None:  # a leaf: through its AccumulateGrad
                target = self.acc_node(nid, var)
                leaf = self.nodes[target].grad_fn
                keys += [target, leaf, self.fn_edge.get(target)]
                matched.update(i for i, t in enumerate(ins) if t is not None and t == leaf)
            else:  # a non-leaf: through the input tensor, on to its grad_fn
                want = f"n{nid}"
                cands = [i for i, t in enumerate(ins) if t is not None and self.nodes[t].grad_fn == want]
                if cands:
                    matched.update(cands)
                    target = ins[j] if j in cands else ins[cands[0]]
                else:
                    target = self.fn_node(nid)
                keys.append(target)
            self.slot_edge[(box, j)] = self.add_edge(box, target, "grad", slot=j)
            keys.append(self.slot_edge[(box, j)])
        for i, t in enumerate(ins):
            if t is not None and i not in matched:
                keys += [t, self.add_edge(t, box, "data")]
        self.nodes[box].saved = tuple((s, self.saved_holder(s, e)) for s in e.saved)
        self.op_inputs[box] = tuple(e.inputs)
        return keys

    def saved_holder(self, attr, e) -> str:
        if attr == "_saved_result":
            return self.name(e.output)
        i = _SAVED_INPUT.get(attr)
        if i is not None and i < len(e.inputs):
            return self.name(e.inputs[i])  # 'a number' for a Python scalar
        return attr.replace("_saved_", "")


def _tensor_ids(e) -> list:
    k = e.kind
    if k == "op":
        return [t for t in e.inputs if t is not None] + [e.output]
    if k in ("backward", "done"):
        return list(e.roots) + list(getattr(e, "inputs", ()) or ())
    t = getattr(e, "tensor", None)
    return [t] if t is not None else []


def build(trace, max_nodes: int = 300, max_frames: int = 2000) -> TraceGraph:
    """The ``TraceGraph`` of ``trace``: structure, layout, steps (see module docstring).

    A trace with more than ``max_nodes`` graph nodes or ``max_frames`` steps is shown from
    the step where its last ``max_nodes`` nodes start, with a notice saying so.
    """
    b = _Builder(trace)
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


# ---------------------------------------------------------------------------- states and narration
def _hidden_state(node: Node | None):
    if node is None:
        return EdgeState(False, "idle", "")
    if node.kind == "tensor":
        return TensorState(False, "idle", "", "None", False, "")
    return OpState(False, "idle", False, "no grad_fn" if node.kind == "const" else "", "")


class _States:
    """Pass 2: replays the shown events, recording what each step changes and its narration."""

    def __init__(self, b: _Builder, all_nodes: dict, all_edges: dict):
        self.b, self.g, self.nodes, self.edges = b, b.g, all_nodes, all_edges
        self.cur: dict = {}
        self.changes: dict = {}
        self.transient: set = set()   # highlighted for one step only
        self.residue: set = set()     # what a backward pass leaves on screen until the next forward step
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
        self.transient = set()

    def clear_residue(self) -> None:
        for key in self.residue:
            st = self.cur[key]
            if isinstance(st, EdgeState):
                self.set(key, False, status="idle", grad="")
            else:
                node = self.nodes.get(key)
                info = "" if node is not None and node.kind == "acc" else st.info
                self.set(key, False, status="error" if st.status == "error" else "idle", info=info)
        self.residue = set()
        self.ran = set()

    def tkey(self, tid, e) -> str | None:
        return self.b.key_at.get((e.index, tid)) or self.b.cur_key.get(tid)

    def name(self, tid) -> str:
        return self.b.name(tid)

    def label(self, key) -> str:
        n = self.nodes.get(key)
        return n.label if n is not None else "grad_fn"

    def describe(self, key) -> str:
        """How narration names the head of an arrow: 'y (on to MulBackward0)', 'AccumulateGrad (for w)'."""
        n = self.nodes.get(key)
        if n is None:
            return key
        other = self.nodes.get(n.grad_fn) if n.grad_fn else None
        if n.kind == "tensor":
            return n.label + (f" (on to {other.label})" if other is not None else "")
        if n.kind == "acc" and other is not None:
            return f"AccumulateGrad (for {other.label})"
        return n.label

    # -- run ---------------------------------------------------------------------------
    def run(self, shown, start) -> None:
        g = self.g
        visible = set(g.nodes) | set(g.edges)
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

    # -- one step per event kind ----------------------------------------------------------
    def on_tensor(self, e):
        key, name, value = self.tkey(e.tensor, e), self.name(e.tensor), fmt(e.value)
        if e.how == "requires_grad_":
            self.set(key, shown=True, status="active", rg=bool(e.requires_grad), grad="None", tag="requires_grad_()")
            return (f"{name}.requires_grad_() switches autograd on for the leaf {name}: operations on {name} "
                    f"now record a graph, and backward() will fill {name}.grad."), (key,)
        self.set(key, shown=True, status="new", value=value, rg=bool(e.requires_grad),
                 grad="None", tag="")
        if e.how == "detach":
            return (f"{name} is a detached copy (value {value}): a new leaf that shares the value but is cut "
                    f"off from the graph (requires_grad=False, no grad_fn)."), (key,)
        if e.how == "existing":
            return f"{name} (value {value}), a tensor made before the trace started, is used here.", (key,)
        if e.requires_grad:
            return (f"{name} is a leaf tensor (value {value}) with requires_grad=True: backward() will compute "
                    f"the gradient with respect to {name} and store it in {name}.grad."), (key,)
        return (f"{name} is a leaf tensor (value {value}) that does not require grad: autograd will not "
                f"compute a gradient for it."), (key,)

    def on_op(self, e):
        out, oname, value = self.tkey(e.output, e), self.name(e.output), fmt(e.value)
        for k in self.b.touched[e.index]:
            if not self.get(k).shown:
                self.set(k, shown=True, status="new")
        if e.node is None:
            box = f"o{e.index}"
            self.set(box, shown=True, status="new", info="no grad_fn")
            self.set(out, shown=True, status="new", value=value, rg=False, grad="None", tag="")
            return (f"{self.expr(e)} computes {oname} = {value} without recording a graph: none of its "
                    f"inputs requires grad, so {oname} has no grad_fn."), (box, out)
        box = f"n{e.node}"
        node = self.nodes.get(box)
        saved = node.saved if node is not None else ()
        self.set(box, shown=True, status="new", freed=False,
                 info=("saved: " + ", ".join(h for _, h in saved)) if saved else "")
        self.set(out, shown=True, status="new", value=value, rg=True, grad="None", tag="")
        nexts = []
        for j, nid in enumerate(e.next):
            what = self.name(e.inputs[j]) if j < len(e.inputs) else "an input"
            nexts.append(f"None (for {what})" if nid is None else f"{self.label(f'n{nid}')} (for {what})")
        if e.inplace:
            text = f"{self.expr(e)} changes {oname} in place; its new grad_fn is {e.node_name}"
        else:
            text = f"{self.expr(e)} creates {e.node_name} ({oname}.grad_fn)"
        if nexts:
            text += "; its next_functions lead to " + _and(nexts)
        text += "."
        if saved:
            text += " It saves " + _and([f"{h} ({a})" for a, h in saved]) + " for the backward pass."
        return text, (box, out)

    def expr(self, e) -> str:
        """``y = w * x``: the source line when it is just this operation, else rebuilt from the event."""
        oname, src = self.name(e.output), e.source
        text = _without_comment(src.text) if src is not None and src.text else ""
        if (text and e.output in self.b.names and self.b.ops_in_run.get(e.index) == 1
                and text.replace(" ", "").startswith(oname + "=")):
            return text
        ins = [self.name(t) for t in e.inputs]
        sym = _SYMBOL.get(e.op)
        if sym and len(ins) in (1, 2):
            rhs = f"{ins[0]} {sym} {ins[1] if len(ins) == 2 else 'a number'}"
        elif ins:
            rhs = f"{ins[0]}.{e.op}(" + ", ".join(ins[1:]) + ")"
        else:
            rhs = f"{e.op}()"
        return f"{oname} = {rhs}"

    def on_backward(self, e):
        self.clear_residue()
        self.call += 1
        self.in_call = True
        self.call_inputs, self.call_leaves = tuple(e.inputs or ()), []
        roots = []
        for r, seed in zip(e.roots, e.seeds):
            key = self.tkey(r, e)
            self.set(key, shown=True, status="active", tag=f"start: grad {fmt(seed)}")
            ek = self.b.fn_edge.get(key)
            if ek is not None:
                self.set(ek, shown=True, status="active", grad=fmt(seed))
                self.residue.add(ek)
            roots.append(key)
        rnames, seeds = _and([self.name(r) for r in e.roots]), _and([fmt(s) for s in e.seeds])
        if e.call == "autograd.grad":
            text = (f"autograd.grad starts at {rnames} with gradient {seeds}; it will return the gradient with "
                    f"respect to {_and([self.name(i) for i in e.inputs])} instead of adding it into .grad.")
        else:
            text = f"backward() starts at {rnames} with gradient {seeds}"
        text = _end(text) + (" retain_graph=True: the saved values are kept for another backward." if e.retain_graph else
                 " Without retain_graph=True, each node frees its saved values once it has run.")
        return text, tuple(roots)

    def on_node(self, e):
        box = f"n{e.node}"
        self.ran.add(box)
        self.residue.add(box)
        self.set(box, shown=True, status="running")
        active = [box]
        t = self.b.tensor_of_fn.get(box)
        if t is not None:
            self.set(self.b.fn_edge[t], shown=True, status="active", grad=fmt(e.grad_output))
            self.residue.add(self.b.fn_edge[t])
        sends = []
        inputs = self.b.op_inputs.get(box, ())
        for j, grad in enumerate(e.grad_inputs):
            ek = self.b.slot_edge.get((box, j))
            if ek is None:
                if j < len(inputs) and inputs[j] is not None:
                    sends.append(f"nothing to {self.name(inputs[j])} (it does not require grad)")
                continue
            target = self.describe(self.edges[ek].dst)
            if grad is None:
                sends.append(f"nothing to {target}")
                continue
            self.set(ek, shown=True, status="active", grad=fmt(grad))
            self.residue.add(ek)
            active.append(ek)
            sends.append(f"{fmt(grad)} to {target}")
        text = f"{e.name} runs: it receives {fmt(e.grad_output)}"
        text += (" and sends " + _and(sends)) if sends else " and has nothing to send further"
        return _end(text), tuple(active)

    def on_accumulate(self, e):
        acc, leaf, name = f"n{e.node}", self.tkey(e.tensor, e), self.name(e.tensor)
        eq = f"{fmt(e.before)} + {fmt(e.added)} = {fmt(e.after)}"
        self.ran.add(acc)
        self.residue.add(acc)
        self.set(acc, shown=True, status="running", info=eq)
        ek = self.b.fn_edge.get(acc)
        if ek is not None:
            self.set(ek, shown=True, status="active", grad=fmt(e.added))
            self.residue.add(ek)
        self.set(leaf, shown=True, status="active", grad=fmt(e.after))
        self.call_leaves.append(e.tensor)
        text = f"AccumulateGrad adds into {name}.grad: {eq}"
        if e.before is not None and _nonzero(e.before):
            text += f" (gradients accumulate: {name}.grad was not zeroed since the last backward)"
        return _end(text), (acc, leaf)

    def on_hook(self, e):
        key = self.tkey(e.tensor, e) if e.tensor is not None else None
        tname = self.name(e.tensor) if e.tensor is not None else ""
        gin = _and([fmt(x) for x in (e.grad_in or ())]) or "nothing"
        if e.which == "retain_grad":
            value = fmt(e.grad_out[0]) if e.grad_out else "None"
            self.set(key, shown=True, status="active", grad=value, tag="retain_grad()")
            return _end(f"{tname}.retain_grad() keeps the gradient of the non-leaf tensor {tname}: "
                        f"{tname}.grad = {value}"), (key,)
        fn = e.fn if e.fn not in (None, "None") else "a hook"
        if e.grad_out is None or list(e.grad_out) == list(e.grad_in or ()):
            effect, tag = "leaves the gradient unchanged", f"hook {fn}"
        else:
            gout = _and([fmt(x) for x in e.grad_out])
            effect, tag = f"returns {gout}, which replaces the gradient", f"hook: {gin} → {gout}"
        if e.which == "tensor":
            self.set(key, shown=True, status="active", tag=tag)
            return f"The hook {fn} registered on {tname} runs: it receives {gin} and {effect}.", (key,)
        if e.which == "post_accumulate":
            self.set(key, shown=True, status="active", tag=f"post-accumulate hook {fn}")
            return f"The post-accumulate-grad hook {fn} of {tname} runs after {tname}.grad was updated.", (key,)
        box = f"n{e.node}" if e.node is not None else None
        what = "pre-hook" if e.which == "prehook" else "hook"
        self.set(box, shown=True, tag=f"{what} {fn}")
        owner = self.label(box) if box else "a node"
        return f"The {what} {fn} of {owner} runs: it receives {gin} and {effect}.", ((box,) if box else ())

    def on_release(self, e):
        box = f"n{e.node}"
        node = self.nodes.get(box)
        holders = dict(node.saved) if node is not None else {}
        names = [holders.get(s, s.replace("_saved_", "")) for s in e.saved]
        self.set(box, shown=True, status="active", freed=True, info="freed: " + ", ".join(names))
        saved = _and([f"{s} = {holders[s]}" if s in holders else s for s in e.saved]) or "its saved values"
        return (f"{e.name} frees its saved values ({saved}): retain_graph was False, so a second backward "
                f"through {e.name} would fail."), (box,)

    def on_done(self, e):
        self.in_call = False
        if e.call == "autograd.grad":
            parts, active = [], []
            for tid, r in zip(self.call_inputs, e.results):
                key = self.tkey(tid, e)
                self.set(key, shown=True, status="active", tag=f"autograd.grad → {fmt(r)}")
                active.append(key)
                parts.append(f"{fmt(r)} for {self.name(tid)}")
            return (f"autograd.grad finished: it returns {_and(parts) or 'nothing'}; "
                    f"nothing was added into .grad."), tuple(active)
        parts, active = [], []
        for t in dict.fromkeys(self.call_leaves):
            key = self.tkey(t, e)
            self.set(key, shown=True, status="active")
            parts.append(f"{self.name(t)}.grad = {self.get(key).grad}")
            active.append(key)
        return _end("backward() finished" + (": " + _and(parts) if parts else "")), tuple(active)

    def on_error(self, e):
        self.in_call = False
        if e.node is None:
            return f"{e.error}: {e.message}", ()
        box = f"n{e.node}"
        self.set(box, False, shown=True, status="error", tag=f"✖ {e.error}")
        return f"{e.error} at {e.name}: {e.message}", (box,)

    def on_zero(self, e):
        key, name = self.tkey(e.tensor, e), self.name(e.tensor)
        if e.how == "set_to_none":
            self.set(key, shown=True, status="active", grad="None", tag="grad = None")
            return (f"zero_grad() sets {name}.grad to None (it was {fmt(e.before)}): the next backward "
                    f"starts {name}.grad afresh."), (key,)
        zero = fmt(np.zeros_like(np.asarray(e.before, dtype=float))) if e.before is not None else "0."
        if e.how == "data.zero_":
            self.set(key, shown=True, status="active", value=zero, tag="zero_()")
            return f"{name}.zero_() sets the values of {name} to zero in place.", (key,)
        self.set(key, shown=True, status="active", grad=zero, tag="grad.zero_()")
        return (f"{name}.grad.zero_() sets {name}.grad to zero in place ({fmt(e.before)} → {zero}), so the "
                f"next backward does not add onto an old gradient."), (key,)

    def on_update(self, e):
        key, name = self.tkey(e.tensor, e), self.name(e.tensor)
        before, after = fmt(e.before), fmt(e.after)
        self.set(key, shown=True, status="active", value=after, tag=f"{before} → {after}")
        if e.source is not None and "step(" in (e.source.text or ""):
            return (f"The optimizer's step() updates {name} in place: {name} -= lr * {name}.grad, "
                    f"{before} → {after} (no graph is recorded for the update)."), (key,)
        return _end(f"{name}.{e.op}(…) changes {name} in place: {before} → {after}"), (key,)

    def on_other(self, e):  # pragma: no cover - an event kind added to the core later
        return f"{e.kind} event.", ()


@functools.lru_cache(maxsize=1024)
def _without_comment(line: str) -> str:
    """``y = w * x  # comment`` -> ``y = w * x`` (a '#' inside a string stays)."""
    import io
    import tokenize
    try:
        for tok in tokenize.generate_tokens(io.StringIO(line).readline):
            if tok.type == tokenize.COMMENT:
                return line[:tok.start[1]].rstrip()
    except (tokenize.TokenError, SyntaxError):
        pass
    return line


def _short(text: str, n: int = 32) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def _nonzero(v) -> bool:
    if isinstance(v, dict):
        return v.get("min", 0) != 0 or v.get("max", 0) != 0
    return bool(np.any(np.asarray(v, dtype=float) != 0))


def _end(text: str) -> str:
    """A full stop, unless the sentence already ends with one (``... = 3.``, as PyTorch prints 3)."""
    return text if text.endswith(".") else text + "."


def _and(parts) -> str:
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# ---------------------------------------------------------------------------- layout
def node_size(g: TraceGraph, n: Node) -> tuple[float, float]:
    vals = g.values
    if n.kind == "tensor":
        w1 = max((text_width(f"{n.label} = {v}", FONT["value"]) for v in vals.get(f"{n.key}:value", {""})),
                 default=0.0)
        w2 = max((text_width(f"grad {v}", FONT["grad"]) for v in vals.get(f"{n.key}:grad", {""})), default=0.0)
        return max(64.0, 1.22 * max(w1, w2) + 14.0), TENSOR_H
    w = text_width("▶ " + n.label, FONT["label"]) + 18.0
    return max(70.0, w), OP_H


def layout(g: TraceGraph) -> None:
    """Layered left-to-right layout with networkx: layers are topological generations of the
    forward data flow, long edges get dummy points, layers are ordered by barycentres and
    placed by isotonic regression so that edges run as straight as order allows."""
    import networkx as nx

    nodes = sorted(g.nodes.values(), key=lambda n: n.order)
    for n in nodes:
        n.w, n.h = node_size(g, n)
    if not nodes:
        g.width, g.height = 360.0, 80.0
        return
    F = nx.DiGraph()
    F.add_nodes_from(n.key for n in nodes)
    fwd = {}
    for ed in sorted(g.edges.values(), key=lambda e: e.order):
        u, v = (ed.dst, ed.src) if ed.kind == "grad" else (ed.src, ed.dst)
        fwd[ed.key] = (u, v)
        if u != v:
            F.add_edge(u, v)
    try:
        gens = list(nx.topological_generations(F))
    except nx.NetworkXUnfeasible:  # a cycle cannot come from autograd; lay out in creation order
        gens = [[n.key] for n in nodes]
    for li, gen in enumerate(gens):
        for k in gen:
            g.nodes[k].layer = li
    # Dummy points for edges spanning several layers.
    layers: list[list] = [[] for _ in gens]
    order_key = {}
    for n in nodes:
        layers[n.layer].append(n.key)
        order_key[n.key] = n.order
    chains, adj_up, adj_down = {}, {}, {}

    def link(a, b):
        adj_down.setdefault(a, []).append(b)
        adj_up.setdefault(b, []).append(a)

    for ek, (u, v) in fwd.items():
        lu, lv = g.nodes[u].layer, g.nodes[v].layer
        chain = [u]
        for li in range(lu + 1, lv):
            d = ("d", ek, li)
            layers[li].append(d)
            order_key[d] = g.nodes[u].order + 0.5
            chain.append(d)
        chain.append(v)
        for a, b_ in zip(chain, chain[1:]):
            link(a, b_)
        chains[ek] = chain
    for layer in layers:
        layer.sort(key=lambda k: order_key[k])
    _order_layers(layers, adj_up, adj_down)
    # x: each layer as wide as its widest node.
    xs, x = [], MARGIN
    for layer in layers:
        width = max((g.nodes[k].w for k in layer if not isinstance(k, tuple)), default=20.0)
        xs.append(x + width / 2)
        x += width + LAYER_GAP
    width = x - LAYER_GAP + MARGIN
    ys = _place_rows(g, layers, adj_up, adj_down)
    top = min(ys[k] - _extent(g, k)[0] for layer in layers for k in layer)
    bottom = max(ys[k] + _extent(g, k)[1] for layer in layers for k in layer)
    shift = MARGIN - top
    pos = {}
    for li, layer in enumerate(layers):
        for k in layer:
            pos[k] = (xs[li], ys[k] + shift)
            if not isinstance(k, tuple):
                g.nodes[k].x, g.nodes[k].y = pos[k]
    g.width, g.height = width, bottom - top + 2 * MARGIN
    # Edge polylines, tail to head; parallel edges (a + a) get offset ports.
    groups: dict = {}
    fan_in: dict = {}
    fan_out: dict = {}
    for ed in g.edges.values():
        if ed.kind == "grad":
            fan_in[ed.dst] = fan_in.get(ed.dst, 0) + 1
            fan_out[ed.src] = fan_out.get(ed.src, 0) + 1
    for ek, (u, v) in fwd.items():
        groups.setdefault((u, v), []).append(ek)
    for (u, v), eks in groups.items():
        for i, ek in enumerate(sorted(eks, key=lambda e: g.edges[e].order)):
            off = (i - (len(eks) - 1) / 2) * 9.0
            chain = chains[ek]
            nu, nv = g.nodes[u], g.nodes[v]
            pts = [(nu.x + nu.w / 2 * _port(nu, off), nu.y + off)]
            pts += [pos[d] for d in chain[1:-1]]
            pts.append((nv.x - nv.w / 2 * _port(nv, off), nv.y + off))
            ed = g.edges[ek]
            if ed.kind == "grad":
                pts.reverse()
            ed.points = pts
            # The gradient's value sits by the arrow's head, or by its tail when many arrows meet at the head.
            seg = (pts[0], pts[1]) if fan_in.get(ed.dst, 0) > fan_out.get(ed.src, 0) else (pts[-2], pts[-1])
            (x0, y0), (x1, y1) = seg
            ed.label_at = ((x0 + x1) / 2, (y0 + y1) / 2 + (-5.0 if off <= 0 else 13.0))


def _port(n: Node, off: float) -> float:
    """Where a horizontal line at height ``off`` from the centre meets the node's outline (fraction of w/2)."""
    if n.kind != "tensor" or off == 0:
        return 1.0
    r = min(1.0, abs(off) / (n.h / 2))
    return math.sqrt(max(0.0, 1 - r * r))


def _extent(g, k) -> tuple[float, float]:
    """Space a layer item needs above and below its centre (tags above, saved values below boxes)."""
    if isinstance(k, tuple):
        return 5.0, 5.0
    n = g.nodes[k]
    below = TEXT_BELOW if n.kind != "tensor" else 2.0
    return n.h / 2 + TEXT_ABOVE, n.h / 2 + below


def _order_layers(layers, adj_up, adj_down, sweeps: int = 6) -> None:
    """Barycentre heuristic: reorder each layer by the mean position of its neighbours, down then up;
    keep the order with the fewest crossings."""
    def crossings():
        total = 0
        for li in range(len(layers) - 1):
            pos_next = {k: i for i, k in enumerate(layers[li + 1])}
            pairs = [(i, pos_next[b]) for i, a in enumerate(layers[li]) for b in adj_down.get(a, ()) if b in pos_next]
            pairs.sort()
            seq = [p[1] for p in pairs]
            for i in range(len(seq)):  # O(E^2) per layer pair: fine under max_nodes
                si = seq[i]
                total += sum(1 for sj in seq[i + 1:] if sj < si)
        return total

    best = [list(layer) for layer in layers]
    best_c = crossings() if sum(len(layer) for layer in layers) < 1500 else None
    if best_c == 0 or best_c is None:
        return
    for s in range(sweeps):
        rng = range(1, len(layers)) if s % 2 == 0 else range(len(layers) - 2, -1, -1)
        adj = adj_up if s % 2 == 0 else adj_down
        for li in rng:
            ref = layers[li - 1] if s % 2 == 0 else layers[li + 1]
            p = {k: i for i, k in enumerate(ref)}
            cur = {k: i for i, k in enumerate(layers[li])}
            stretch = len(ref) / max(1, len(layers[li]))
            keys = {}
            for k in layers[li]:
                nb = [p[x] for x in adj.get(k, ()) if x in p]
                keys[k] = (sum(nb) / len(nb) if nb else cur[k] * stretch, cur[k])
            layers[li].sort(key=keys.__getitem__)
        c = crossings()
        if c < best_c:
            best, best_c = [list(layer) for layer in layers], c
            if c == 0:
                break
    layers[:] = best


def _place_rows(g, layers, adj_up, adj_down, rounds: int = 8) -> dict:
    """y of every layer item: start packed, then move each item toward the mean of its neighbours,
    keeping the layer's order and spacing (pool-adjacent-violators, i.e. isotonic regression)."""
    ys = {}
    seps = []
    for layer in layers:
        sep = [0.0]
        for a, b_ in zip(layer, layer[1:]):
            gap = 8.0 if isinstance(a, tuple) or isinstance(b_, tuple) else 14.0
            sep.append(_extent(g, a)[1] + _extent(g, b_)[0] + gap)
        seps.append(sep)
        y = 0.0
        for k, s in zip(layer, sep):
            y += s
            ys[k] = y
    tallest = max((ys[layer[-1]] for layer in layers if layer), default=0.0)
    for layer in layers:
        if layer:
            off = (tallest - ys[layer[-1]]) / 2
            for k in layer:
                ys[k] += off
    for r in range(rounds):
        order = range(len(layers)) if r % 2 == 0 else range(len(layers) - 1, -1, -1)
        for li in order:
            layer = layers[li]
            want = []
            for k in layer:
                nb = [ys[x] for x in adj_up.get(k, ())] + [ys[x] for x in adj_down.get(k, ())]
                want.append(sum(nb) / len(nb) if nb else ys[k])
            for k, y in zip(layer, _isotonic(want, seps[li])):
                ys[k] = y
    return ys


def _isotonic(want: list, sep: list) -> list:
    """Positions closest (least squares) to ``want`` with y[i] - y[i-1] >= sep[i]."""
    offs, acc = [], 0.0
    for s in sep:
        acc += s
        offs.append(acc)
    blocks = []  # [mean, weight]
    for w, o in zip(want, offs):
        blocks.append([w - o, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, n2 = blocks.pop()
            m1, n1 = blocks.pop()
            blocks.append([(m1 * n1 + m2 * n2) / (n1 + n2), n1 + n2])
    out = []
    for m, n in blocks:
        out += [m] * n
    return [z + o for z, o in zip(out, offs)]
