"""The picture's geometry: sizes, text widths and a deterministic layered layout, in plain Python.

``layout(g)`` places every node of a ``TraceGraph`` once for the whole trace: layers follow the
forward data flow (inputs on the left, outputs on the right; each node as far right as the nodes
that use it allow, so a weight sits by the product that uses it; a tensor hangs right of its
grad_fn, in the column of the grad_fn nodes its users made, as PyTorch's graph links them directly),
edges that span several layers get dummy points, each layer is ordered by barycentres to cut
crossings, and rows are placed by isotonic regression so that edges run as straight as the order
allows. Node sizes come from the longest text a node ever shows (``g.values``), measured with
``text_width``; the front end (static/app.js) draws with the same ``FONT`` sizes. No Graphviz, no
randomness::

    layout(g)
    g.nodes["t1"].x, g.nodes["t1"].y, g.width   # centres and canvas size, in CSS pixels
"""
from __future__ import annotations

import functools
import math
import unicodedata
from dataclasses import replace

from ..narration import get_language, say
from .tracegraph import Edge, Node, TraceGraph

__all__ = ["layout", "node_size", "text_width", "FONT", "TENSOR_H", "OP_H", "LAYER_GAP", "MARGIN",
           "TEXT_ABOVE", "TEXT_BELOW"]

# Sizes in CSS pixels (static/app.js draws with the same numbers).
FONT = {"value": 12.5, "grad": 11.0, "label": 12.0, "info": 10.5, "tag": 10.5, "edge": 11.0}
TENSOR_H, OP_H, LAYER_GAP, MARGIN = 44.0, 28.0, 54.0, 14.0
MAX_TENSOR_W = 230.0  # a wider value text (a matrix) is shortened in its ellipse; the tooltip and the table have it whole
TEXT_ABOVE, TEXT_BELOW = 15.0, 15.0
MAX_SPAN = 8  # an edge across more layers than this gets no bend points (a weight used by 400 steps of a loop)

_NARROW = set("il.,:;|!'`()[]{}fjrt ")
_WIDE = set("mwMW@%")


def _char_em(c: str) -> float:
    """Width of one character in em (see ``text_width``)."""
    if c in _NARROW:
        return 0.36
    if c in _WIDE:
        return 0.92
    if c.isupper() or c.isdigit() or c in "_+-=<>~":
        return 0.70
    if unicodedata.east_asian_width(c) in "WF":  # 汉字 and full-width punctuation: 1 em
        return 1.0
    if ord(c) > 0x2000:
        return 0.85
    return 0.61


_EM: dict = {}  # character -> _char_em(character), filled as characters are met


def text_width(s: str, size: float) -> float:
    """Approximate width in px of ``s`` in a DejaVu-Sans-like font (wide fonts, so boxes fit most)."""
    em, w = _EM, 0.0
    for c in s:
        x = em.get(c)
        if x is None:
            x = em[c] = _char_em(c)
        w += x
    return w * size


def _grad_template(lang) -> str:
    """The grad line of a tensor with ``{}`` for the value, as app.js labels it."""
    return _grad_template_in(get_language() if lang is None else lang)


@functools.lru_cache(maxsize=16)
def _grad_template_in(lang: str) -> str:
    return say("player.picture.grad", lang, grad="{}")


def node_size(g: TraceGraph, n: Node) -> tuple[float, float]:
    """Width and height of ``n``'s shape: wide enough for the longest text it shows at any step."""
    vals = g.values
    if n.kind == "tensor":
        w1 = max((text_width(f"{n.label} = {v}", FONT["value"]) for v in vals.get(f"{n.key}:value", {""})),
                 default=0.0)
        grad = _grad_template(getattr(g, "lang", None))
        w2 = max((text_width(grad.replace("{}", v), FONT["grad"]) for v in vals.get(f"{n.key}:grad", {""})),
                 default=0.0)
        return max(64.0, min(MAX_TENSOR_W, 1.22 * max(w1, w2) + 14.0)), TENSOR_H
    w = text_width("▶ " + n.label, FONT["label"]) + 18.0
    return max(70.0, w), OP_H


def layout(g: TraceGraph) -> None:
    """Place every node of ``g`` (see the module docstring); a grouped graph is laid out group by
    group (``_compound``), and gets its first picture (``g.overview``)."""
    for n in g.nodes.values():
        n.w, n.h = node_size(g, n)
    if not g.nodes:
        g.width, g.height = 360.0, 80.0
        return
    if getattr(g, "groups", None):
        _compound(g)
    else:
        _flat(g)


def _flat(g) -> None:
    """Layered left-to-right layout of ``g.nodes`` (sized) and ``g.edges``: layers follow
    the forward data flow, long edges get dummy points, layers are ordered by barycentres and
    placed by isotonic regression so that edges run as straight as order allows."""
    nodes = sorted(g.nodes.values(), key=lambda n: n.order)
    succ: dict = {n.key: {} for n in nodes}  # the forward graph: node -> its users, in edge order, once each
    fwd = {}
    for ed in sorted(g.edges.values(), key=lambda e: e.order):
        u, v = _forward(g, ed)
        fwd[ed.key] = (u, v)
        if u != v:
            succ[u][v] = None
    gens = _generations(succ)
    if gens is None:  # a cycle cannot come from autograd; lay out in creation order
        gens = [[n.key] for n in nodes]
    for li, gen in enumerate(gens):
        for k in gen:
            g.nodes[k].layer = li
    # Then each node as far right as its users allow (as late as possible): a weight, its AccumulateGrad
    # and the product w * x sit by the sum that uses them, not at the far left with long edges.
    # A tensor hanging off its grad_fn does not hold the node back: it follows the node instead.
    hanging = {ed.dst: ed.src for ed in g.edges.values()
               if ed.kind == "attach" and not g.nodes[ed.dst].is_leaf and not succ[ed.dst]}
    for gen in reversed(gens):
        for k in gen:
            users = [s for s in succ[k] if hanging.get(s) != k]
            if users:
                g.nodes[k].layer = min(g.nodes[s].layer for s in users) - 1
    for t, box in hanging.items():
        g.nodes[t].layer = g.nodes[box].layer + 1
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
        for li in range(lu + 1, lv if lv - lu <= MAX_SPAN else lu + 1):  # a longer edge is drawn straight
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
            if (u, v) != (ed.src, ed.dst):
                pts.reverse()
            ed.points = pts
            # The gradient's value sits by the arrow's head, or by its tail when many arrows meet at the head.
            seg = (pts[0], pts[1]) if fan_in.get(ed.dst, 0) > fan_out.get(ed.src, 0) else (pts[-2], pts[-1])
            (x0, y0), (x1, y1) = seg
            ed.label_at = ((x0 + x1) / 2, (y0 + y1) / 2 + (-5.0 if off <= 0 else 13.0))


def _generations(succ: dict) -> list | None:
    """The topological generations of the graph ``succ`` (node -> its successors): the nodes no edge
    enters, then those all of whose predecessors are in earlier generations, and so on (Kahn's
    algorithm, one generation at a time, in the order of ``succ``); None if there is a cycle."""
    indegree: dict = {}
    for users in succ.values():
        for v in users:
            indegree[v] = indegree.get(v, 0) + 1
    gen = [k for k in succ if k not in indegree]
    gens = []
    while gen:
        gens.append(gen)
        nxt = []
        for k in gen:
            for v in succ[k]:
                d = indegree[v] - 1
                if d:
                    indegree[v] = d
                else:
                    del indegree[v]
                    nxt.append(v)
        gen = nxt
    return None if indegree else gens


def _forward(g, ed) -> tuple[str, str]:
    """An edge's ends in the forward direction (left to right): gradients flow right to left, and a
    leaf sits left of its AccumulateGrad while a non-leaf sits right of its grad_fn."""
    if ed.kind == "grad":
        return ed.dst, ed.src
    if ed.kind == "attach" and g.nodes[ed.dst].is_leaf:
        return ed.dst, ed.src
    return ed.src, ed.dst


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
    if n.kind == "group":
        return n.h / 2, n.h / 2
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
    nbs = {k: tuple(adj_up.get(k, ())) + tuple(adj_down.get(k, ())) for layer in layers for k in layer}
    offsets = []  # per layer: the cumulative separations (what _isotonic keeps between neighbours)
    for sep in seps:
        offs, acc = [], 0.0
        for s in sep:
            acc += s
            offs.append(acc)
        offsets.append(offs)
    get = ys.__getitem__
    for r in range(rounds):
        order = range(len(layers)) if r % 2 == 0 else range(len(layers) - 1, -1, -1)
        moved = 0.0
        for li in order:
            layer = layers[li]
            want = []
            for k in layer:
                nb = nbs[k]
                want.append(sum(map(get, nb)) / len(nb) if nb else ys[k])
            new = want if len(layer) == 1 else _isotonic(want, offsets[li])
            for k, y in zip(layer, new):
                d = abs(ys[k] - y)
                if d > moved:
                    moved = d
                ys[k] = y
        if moved < 0.5:  # settled
            break
    return ys


def _isotonic(want: list, offs: list) -> list:
    """Positions closest (least squares) to ``want`` with y[i] - y[i-1] >= offs[i] - offs[i-1]
    (``offs``: the cumulative separations; pool-adjacent-violators on ``want - offs``)."""
    means, sizes = [], []  # the blocks: their mean and how many items each holds
    for w, o in zip(want, offs):
        m, n = w - o, 1
        while means and means[-1] > m:
            m1, n1 = means.pop(), sizes.pop()
            m, n = (m1 * n1 + m * n) / (n1 + n), n1 + n
        means.append(m)
        sizes.append(n)
    out = []
    for m, n in zip(means, sizes):
        out += [m] * n
    return [z + o for z, o in zip(out, offs)]


# -- groups: each laid out on its own, as one block of its parent ---------------------------------
GROUP_LABEL_H = 18.0   # the strip at the top of an open group's frame that holds its label
BOX_H = 40.0           # height of a collapsed group's box in the first picture


class _Part:
    """The nodes and edges of one container (the top or a group), for ``_flat``."""

    def __init__(self, g, nodes: dict, edges: dict):
        self.nodes, self.edges, self.values, self.lang = nodes, edges, g.values, getattr(g, "lang", None)
        self.width = self.height = 0.0


def _paths(g) -> dict:
    """Node key -> its groups, outermost first."""
    out = {}
    for k in g.nodes:
        p, grp = [], g.group_of.get(k)
        while grp is not None:
            p.append(grp)
            grp = g.groups[grp].parent
        out[k] = p[::-1]
    return out


def _item(k, path, container):
    """What stands for node ``k`` among the items of ``container`` (None: the top)."""
    if container is None:
        return path[0] if path else k
    i = path.index(container)
    return path[i + 1] if i + 1 < len(path) else k


def _container(pu, pv):
    common = None
    for a, b in zip(pu, pv):
        if a != b:
            break
        common = a
    return common


def _compound(g) -> None:
    """Each group is laid out on its own (its nodes and child groups, these as blocks of their size),
    innermost first; then its parent places it as one block. So a group's nodes fill one rectangle
    (``Group.box``) that no other group's overlaps, and opening or closing a group moves nothing."""
    groups, paths = g.groups, _paths(g)
    depth = {k: 0 for k in groups}
    for k, grp in groups.items():
        p = grp.parent
        while p is not None:
            depth[k] += 1
            p = groups[p].parent
    parts_nodes: dict = {None: {}, **{k: {} for k in groups}}
    parts_edges: dict = {None: {}, **{k: {} for k in groups}}
    blocks = {k: Node(k, "group", grp.label, min(g.nodes[m].order for m in grp.members), is_leaf=False)
              for k, grp in groups.items()}
    for k, n in g.nodes.items():
        parts_nodes[g.group_of.get(k)][k] = n
    for k, grp in groups.items():
        parts_nodes[grp.parent][k] = blocks[k]
    cross, seen = [], set()
    for ek, ed in g.edges.items():
        c = _container(paths[ed.src], paths[ed.dst])
        u, v = _item(ed.src, paths[ed.src], c), _item(ed.dst, paths[ed.dst], c)
        if u == ed.src and v == ed.dst:
            parts_edges[c][ek] = ed
            continue
        cross.append(ed)
        if u != v and (c, u, v, ed.kind) not in seen:
            seen.add((c, u, v, ed.kind))
            parts_edges[c][f"x{len(seen)}"] = Edge(f"x{len(seen)}", u, v, ed.kind, ed.order)
    origin = {}
    for k in sorted(groups, key=lambda k: -depth[k]):
        part = _Part(g, parts_nodes[k], parts_edges[k])
        _flat(part)
        blocks[k].w, blocks[k].h = part.width, part.height + GROUP_LABEL_H
    top = _Part(g, parts_nodes[None], parts_edges[None])
    _flat(top)
    g.width, g.height = top.width, top.height
    for k in sorted(groups, key=lambda k: depth[k]):  # outermost first: a block is placed before its content
        b = blocks[k]
        ox, oy = b.x - b.w / 2, b.y - b.h / 2 + GROUP_LABEL_H
        origin[k] = (ox, oy)
        for n in parts_nodes[k].values():
            n.x, n.y = n.x + ox, n.y + oy
        for ed in parts_edges[k].values():
            ed.points = [(x + ox, y + oy) for x, y in ed.points]
            ed.label_at = (ed.label_at[0] + ox, ed.label_at[1] + oy)
        groups[k].box = (b.x - b.w / 2, b.y - b.h / 2, b.x + b.w / 2, b.y + b.h / 2)
    for ed in cross:
        ed.points, ed.label_at = _direct(g.nodes, g.nodes[ed.src], g.nodes[ed.dst], ed)
    g.overview = _overview(g, paths)


def _direct(nodes, a, b, ed):
    """A polyline between two nodes of different groups (no dummy points): out of the left or right
    side of the tail, into the facing side of the head, bending half way; and where its label sits."""
    u, v = _forward(type("G", (), {"nodes": nodes})(), ed)
    nu, nv = nodes[u], nodes[v]
    x0, y0 = nu.x + nu.w / 2, nu.y
    x1, y1 = nv.x - nv.w / 2, nv.y
    mx = (x0 + x1) / 2
    pts = [(x0, y0), (mx, y0), (mx, y1), (x1, y1)]
    if (u, v) != (ed.src, ed.dst):
        pts.reverse()
    (ax, ay), (bx, by) = pts[-2], pts[-1]
    return pts, ((ax + bx) / 2, (ay + by) / 2 - 5.0)


FAN_OUT_MAX = 4  # a node with arrows into this many closed boxes of the first picture draws none of them


STACK_GAP = 12.0  # between the boxes and frames of _timeline's column


def _timeline(part, nodes: dict, frames: list, lone: list, first: dict) -> None:
    """The open top-level boxes (``frames``, placed by ``_flat``) and the closed ones with no arrow
    (``lone``) in one column, in the order their code ran (``first``: key -> its first node's order):
    a loop's iteration 1, then iterations 2 ... 19 in columns read top to bottom (2 3 4 5 6 7 down the
    first: a camera that follows the action at a readable scale shows consecutive iterations), as many
    columns as the frames' width holds, then iteration 20. The column starts where the leftmost frame
    was, or right of every other node if it would cover one. ``nodes`` gets the lone boxes back;
    ``part``'s size grows to hold the column."""
    width = max([f.w for f in frames] + [b.w for b in lone])
    top = min(f.y - f.h / 2 for f in frames)
    x0 = min(f.x - f.w / 2 for f in frames)
    others = [n for n in nodes.values() if n not in frames]
    if any(n.x + n.w / 2 > x0 and n.x - n.w / 2 < x0 + width for n in others):
        x0 = max(n.x + n.w / 2 for n in others) + LAYER_GAP
    y, run = top, []
    for it in sorted(frames + lone, key=lambda n: first[n.key]) + [None]:
        if it is not None and it not in frames:
            run.append(it)
            continue
        if run:  # the boxes since the last frame: a grid filled column by column
            cell_w, cell_h = max(b.w for b in run), max(b.h for b in run)
            cols = max(1, min(len(run), int((width + STACK_GAP) // (cell_w + STACK_GAP))))
            rows = -(-len(run) // cols)
            for i, b in enumerate(run):
                b.x = x0 + (i // rows) * (cell_w + STACK_GAP) + b.w / 2
                b.y = y + (i % rows) * (cell_h + STACK_GAP) + cell_h / 2
                nodes[b.key] = b
            y += rows * (cell_h + STACK_GAP)
            run = []
        if it is not None:
            it.x, it.y = x0 + it.w / 2, y + it.h / 2
            y += it.h + STACK_GAP
    part.width = max(part.width, x0 + width + MARGIN)
    part.height = max(part.height, max(n.y + n.h / 2 for n in frames + lone) + MARGIN)


def _overview(g, paths) -> dict:
    """The first picture of a grouped graph: every collapsed top-level group as one small box, every open
    top-level group laid out on its own and placed as one block (drawn as a frame, ``frames``: key ->
    (x0, y0, x1, y1)), the rest as nodes; its own layout (``{'width', 'height', 'nodes': {key: (x, y, w,
    h)}, 'frames', 'edges': [...]}``, each edge with the keys of the graph's edges it stands for)."""

    def item(k):  # what stands for node k: a collapsed top-level group's box, else the node
        p = paths[k]
        return p[0] if p and g.groups[p[0]].collapsed else k

    def top(k):  # the item of the top layout: the open top-level group a node is in, else its item
        p = paths[k]
        return p[0] if p and not g.groups[p[0]].collapsed else item(k)

    nodes, inner = {}, {}  # inner: open top-level group -> its nodes (whatever groups they are in inside)
    for k, n in g.nodes.items():
        it, t = item(k), top(k)
        if t != it:
            inner.setdefault(t, {})[k] = replace(n)
        elif it == k:
            nodes[k] = replace(n)
        elif it not in nodes:
            grp = g.groups[it]
            w = max(110.0, 1.1 * text_width(grp.label, FONT["label"]) + 28.0)  # (the front end draws it bold)
            nodes[it] = Node(it, "group", grp.label, n.order, is_leaf=False, w=w, h=BOX_H)
    parts = {}
    for b, pn in inner.items():
        pe = {ek: replace(ed) for ek, ed in g.edges.items() if ed.src in pn and ed.dst in pn}
        part = parts[b] = _Part(g, pn, pe)
        _flat(part)
        nodes[b] = Node(b, "group", g.groups[b].label, min(n.order for n in pn.values()), is_leaf=False,
                        w=part.width, h=part.height + GROUP_LABEL_H)
    # A node that feeds many closed boxes (a training loop's parameters and data feed every iteration) is
    # drawn feeding the open ones only: FAN_OUT_MAX arrows or more from one node into closed boxes are a
    # tangle, not information (each box's members still hold those edges: a box opened shows them).
    # (Both ways: the gradients of every iteration go back into the same AccumulateGrad nodes.)
    def closed(k):
        return k in g.groups and g.groups[k].collapsed

    fans: dict = {}
    for ed in g.edges.values():
        u, v = top(ed.src), top(ed.dst)
        if u != v and closed(v) and not closed(u):
            fans.setdefault(u, set()).add(v)
        elif u != v and closed(u) and not closed(v):
            fans.setdefault(v, set()).add(u)
    crowded = {k for k, bs in fans.items() if len(bs) >= FAN_OUT_MAX}
    edges, members = {}, {}
    for ek, ed in g.edges.items():
        u, v = top(ed.src), top(ed.dst)
        if u == v or (u in crowded and closed(v)) or (v in crowded and closed(u)):
            continue
        key = (u, v, ed.kind)
        if key not in members:
            members[key] = []
            edges[f"v{len(edges)}"] = Edge(f"v{len(edges)}", u, v, ed.kind, ed.order)
        members[key].append(ek)
    # Closed boxes left with no arrow (a loop's middle iterations) are not laid out by the data flow,
    # which would put them in its first column among the parameters: they go with the open boxes (_timeline).
    linked = {k for e in edges.values() for k in (e.src, e.dst)}
    lone = {k: nodes.pop(k) for k in [k for k in nodes if closed(k) and k not in linked]} if len(inner) else {}
    part = _Part(g, nodes, edges)
    _flat(part)
    if lone:
        first = {k: min(g.nodes[m].order for m in g.groups[k].members) for k in list(lone) + list(inner)}
        _timeline(part, nodes, [nodes[b] for b in inner], list(lone.values()), first)
    frames, placed = {}, {k: n for k, n in nodes.items() if k not in inner}
    for b, pt in parts.items():
        blk = nodes[b]
        ox, oy = blk.x - blk.w / 2, blk.y - blk.h / 2 + GROUP_LABEL_H
        frames[b] = (blk.x - blk.w / 2, blk.y - blk.h / 2, blk.x + blk.w / 2, blk.y + blk.h / 2)
        for n in pt.nodes.values():
            n.x, n.y = n.x + ox, n.y + oy
            placed[n.key] = n
        for ed in pt.edges.values():
            ed.points = [(x + ox, y + oy) for x, y in ed.points]
    out = []
    for e in edges.values():
        ms = members[(e.src, e.dst, e.kind)]
        if e.src not in inner and e.dst not in inner:
            out.append((e.key, e.src, e.dst, e.kind, e.points, ms))
            continue
        by = {}  # an edge into or out of an open block: drawn between the items it joins
        for m in ms:
            ed = g.edges[m]
            by.setdefault((item(ed.src), item(ed.dst)), []).append(m)
        for (u, v), mm in by.items():
            pts, _ = _direct(placed, placed[u], placed[v], Edge("", u, v, e.kind, 0))
            out.append((f"{e.key}.{len(out)}", u, v, e.kind, pts, mm))
    for pt in parts.values():
        out += [(ek, ed.src, ed.dst, ed.kind, ed.points, [ek]) for ek, ed in pt.edges.items()]
    return {"width": part.width, "height": part.height,
            "nodes": {k: (n.x, n.y, n.w, n.h) for k, n in placed.items()}, "frames": frames,
            "edges": [{"key": k, "src": u, "dst": v, "kind": kind, "points": pts, "members": tuple(ms)}
                      for k, u, v, kind, pts, ms in out]}
