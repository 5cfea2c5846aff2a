"""The picture's geometry: sizes, text widths and a deterministic layered layout, in pure networkx.

``layout(g)`` places every node of a ``TraceGraph`` once for the whole trace: layers are the
topological generations of the forward data flow (inputs on the left, outputs on the right),
edges that span several layers get dummy points, each layer is ordered by barycentres to cut
crossings, and rows are placed by isotonic regression so that edges run as straight as the order
allows. Node sizes come from the longest text a node ever shows (``g.values``), measured with
``text_width``; the front end (static/app.js) draws with the same ``FONT`` sizes. No Graphviz, no
randomness::

    layout(g)
    g.nodes["t1"].x, g.nodes["t1"].y, g.width   # centres and canvas size, in CSS pixels
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..narration import say

if TYPE_CHECKING:
    from .graph import TraceGraph
    from .structure import Node

__all__ = ["layout", "node_size", "text_width", "FONT", "TENSOR_H", "OP_H", "LAYER_GAP", "MARGIN",
           "TEXT_ABOVE", "TEXT_BELOW"]

# Sizes in CSS pixels (static/app.js draws with the same numbers).
FONT = {"value": 12.5, "grad": 11.0, "label": 12.0, "info": 10.5, "tag": 10.5, "edge": 11.0}
TENSOR_H, OP_H, LAYER_GAP, MARGIN = 44.0, 28.0, 54.0, 14.0
TEXT_ABOVE, TEXT_BELOW = 15.0, 15.0

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


def node_size(g: TraceGraph, n: Node) -> tuple[float, float]:
    """Width and height of ``n``'s shape: wide enough for the longest text it shows at any step."""
    vals = g.values
    if n.kind == "tensor":
        w1 = max((text_width(f"{n.label} = {v}", FONT["value"]) for v in vals.get(f"{n.key}:value", {""})),
                 default=0.0)
        grad = say("player.picture.grad", getattr(g, "lang", None), grad="{}")  # as app.js labels it
        w2 = max((text_width(grad.replace("{}", v), FONT["grad"]) for v in vals.get(f"{n.key}:grad", {""})),
                 default=0.0)
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
