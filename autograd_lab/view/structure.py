"""Pass 1 of ``graph.build``: the graph's nodes and edges, made from the trace's events.

``Builder`` walks the events once: it decides which ones the student sees (``hidden_events``
drops the bookkeeping they did not write), and adds a ``Node`` for every tensor version,
grad_fn, AccumulateGrad and no-graph op, and an ``Edge`` for every arrow between them, following
the drawing conventions in graph.py's docstring. It also records, per event, the keys that event
involves (``touched``) and the lookups pass 2 (states.py) needs::

    b = Builder(trace, TraceGraph())
    shown = [e for e in b.events if e.index not in b.hidden_events()]
    b.structure(shown[0])      # ['t1']: the keys the first event involves
"""
from __future__ import annotations

from ..narration import say
from ..record.kinds import ABOUT_A_TENSOR
from .modules import localized_names
from .states import SAVED_INPUT
from .tracegraph import Edge, Node, TraceGraph

__all__ = ["Node", "Edge", "Builder"]


class Builder:
    """Pass 1: which events are shown, and every node and edge they create."""

    def __init__(self, trace, g: TraceGraph):
        self.events = list(getattr(trace, "events", trace))
        self.names = dict(getattr(trace, "names", {}) or {})       # what the user's code calls a tensor
        self.expr_names = dict(getattr(trace, "expr_names", {}) or {})  # an intermediate's expression
        self.full_names = dict(getattr(trace, "full_names", {}) or {})  # the whole of a shortened name
        self.leaf_of = dict(getattr(trace, "leaf_of", {}) or {})
        self.modules = dict(getattr(trace, "modules", {}) or {})  # nn.Module calls (record/modules.py)
        if self.modules:  # (``net[0] output`` said in the player's language: view/modules.py)
            lang = getattr(g, "lang", None)
            self.names = localized_names(self.names, self.modules, lang)
            self.expr_names = localized_names(self.expr_names, self.modules, lang)
        self.g = g
        self.nodes = self.g.nodes                # every node, before a huge trace is cut down
        self.cur_key: dict[int, str] = {}        # tensor id -> key of its current version
        self.versions: dict[int, int] = {}       # tensor id -> how many versions (in-place ops make more)
        self.key_at: dict[tuple, str] = {}       # (event index, tensor id) -> key right after the event
        self.tensor_of_fn: dict[str, str] = {}   # grad_fn key -> key of the tensor it made
        self.edge_of: dict[tuple, str] = {}      # (tail, head, slot or kind) -> edge key
        self.slot_edge: dict[tuple, str] = {}    # (node key, slot j of next_functions) -> edge key
        self.fn_edge: dict[str, str] = {}        # tensor or AccumulateGrad key -> the 'attach' edge between them
        self.touched: dict[int, list] = {}       # event index -> keys the event involves
        self.ops_in_run: dict[int, int] = {}     # event index -> ops recorded for the same line in a row
        self.op_inputs: dict[str, tuple] = {}    # grad_fn key -> the tensor ids its op was applied to
        self.op_next: dict[str, tuple] = g.op_next if hasattr(g, "op_next") else {}  # grad_fn key -> its
        #                                          op's next_functions as node ids (None: no gradient), in slot order
        self.a_number = say("step.a_number", getattr(g, "lang", None))  # how a Python scalar input is named

    def name(self, tid) -> str:
        if tid is None:
            return self.a_number
        return self.names.get(tid) or self.expr_names.get(tid) or f"t{tid}"

    def full_name(self, tid) -> str:
        """``name``, unshortened (for the table and tooltips)."""
        return self.full_names.get(tid) or self.name(tid)

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
            self.fn_edge[key] = self.fn_edge[leaf] = self.add_edge(key, leaf, "attach")
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
            elif k in ABOUT_A_TENSOR and e.tensor is not None:  # (accumulate, hook, zero, update, set_grad ...)
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
        if k == "error":  # at a node, about a tensor (each if known)
            return (([self.fn_node(e.node, e.name)] if e.node is not None else [])
                    + ([self.add_tensor(e.tensor)] if e.tensor is not None else []))
        if k in ABOUT_A_TENSOR:  # (hook, zero, update, set_grad ...: accumulate is above)
            keys = [self.add_tensor(e.tensor)] if e.tensor is not None else []
            if k == "hook" and e.node is not None:
                keys.append(self.fn_node(e.node))
            return keys
        if k == "release" and e.node is not None:
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
        self.fn_edge[out] = self.add_edge(box, out, "attach")
        keys = [box, out, self.fn_edge[out]]
        matched = set()
        for j, nid in enumerate(e.next):
            if nid is None:
                continue
            var = e.next_vars[j] if j < len(e.next_vars) else None
            if nid in self.leaf_of or var is not None:  # a leaf: its AccumulateGrad
                target = self.acc_node(nid, var)
                leaf = self.nodes[target].grad_fn
                keys += [target, leaf, self.fn_edge.get(target)]
                matched.update(i for i, t in enumerate(ins) if t is not None and t == leaf)
            else:  # a non-leaf: its grad_fn (the tensor hangs off that node)
                target = self.fn_node(nid)
                matched.update(i for i, t in enumerate(ins) if t is not None and self.nodes[t].grad_fn == target)
                keys.append(target)
            self.slot_edge[(box, j)] = self.add_edge(box, target, "grad", slot=j)
            keys.append(self.slot_edge[(box, j)])
        for i, t in enumerate(ins):
            if t is not None and i not in matched:
                keys += [t, self.add_edge(t, box, "data")]
        self.nodes[box].saved = tuple((s, self.saved_holder(s, e)) for s in e.saved)
        self.op_inputs[box] = tuple(e.inputs)
        self.op_next.setdefault(box, tuple(e.next))
        return keys

    def saved_holder(self, attr, e) -> str:
        if attr == "_saved_result":
            return self.name(e.output)
        i = SAVED_INPUT.get(attr)
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

