"""Repeated structure -> groups that a big picture shows as boxes (pass 1b of ``graph.build``).

The trace knows each event's source line, not the call stack, so loops are found in the order of
the lines: the forward events are cut into *iterations* (a new iteration starts when a line that
the current one already ran comes round again), and consecutive iterations that ran the same lines
the same number of times form a *series*, unless an iteration uses what two or more iterations of
the series made (so a layer of a micrograd-style MLP is a series of neurons, and the next layer,
which uses them all, starts a new one; a running sum ``loss = loss + ...`` or an unrolled RNN, each
iteration using the one before, stays one series). A series may be one iteration long (the code
after a loop). A series of two or more iterations becomes a group with one
child group per iteration; a lone iteration becomes a group when it is big enough. Every node
belongs to the iteration of the event that made it; a leaf (and its AccumulateGrad) that only one
iteration uses moves into that iteration (a neuron's weights are part of the neuron)::

    groups = find_groups(builder, shown, lang)
    groups["g1"]       # Group(key='g1', label='lines 12–13 ×16', members=(...), parent=None, ...)

A group whose leaves the user reached through one container path is labelled by that path, as the
student wrote it: 'model.layers[1].neurons ×4' for a layer (a series of four neurons),
'model.layers[1].neurons[3]' for one neuron of it (an iteration).

A trace whose ops ran inside ``nn.Module`` calls is grouped by those calls instead (view/modules.py):
one box per call, named as the code names the module ('net[0]', 'block.attn'), all drawn closed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..narration import say
from .loops import iteration_groups
from .modules import module_groups

__all__ = ["Group", "find_groups", "COLLAPSE_ABOVE", "GROUP_MIN"]

COLLAPSE_ABOVE = 12   # a group with more member nodes than this is drawn collapsed in the first picture ...
COLLAPSE_GRAPH = 120  # ... of a graph with more nodes than this (a smaller one is shown open, grouped)
GROUP_MIN = 40        # a graph with fewer nodes than this is not grouped at all
_LONE_MIN = 8         # a lone iteration with fewer nodes than this stays ungrouped


@dataclass
class Group:
    """A box of the big picture: nodes made by one iteration of a loop, or by a series of them."""

    key: str                       # 'g1', 'g2', ...
    label: str                     # 'lines 12–13 ×16' (a series), 'lines 12–13 (3 of 16)' (an iteration);
    #                                with the leaves' common path: 'layers[1] ×16', 'layers[1][3]'
    members: tuple = ()            # every node key inside, child groups' included, in creation order
    parent: str | None = None      # the enclosing group's key, None at the top
    children: tuple = ()           # keys of the groups directly inside
    collapsed: bool = False        # drawn as one box in the first picture (more than COLLAPSE_ABOVE members)
    lines: tuple = ()              # the source lines its events ran
    box: tuple = (0.0, 0.0, 0.0, 0.0)  # x0, y0, x1, y1: its members' extent in the full layout (layout.py)


@dataclass
class _Iteration:
    runs: list = field(default_factory=list)     # [line, count]
    events: list = field(default_factory=list)
    made: set = field(default_factory=set)       # tensor ids its ops made
    used: set = field(default_factory=set)       # tensor ids its ops used

    def signature(self) -> tuple:
        return tuple((line, n) for line, n in self.runs)


def _line(e):
    s = e.source
    return None if s is None else (s.file, s.line)


def _iterations(shown) -> list[list[_Iteration]]:
    """Forward events -> series of iterations (see the module docstring)."""
    blocks, cur = [], []          # blocks of forward events between backward calls
    for e in shown:
        if e.kind in ("op", "tensor"):
            cur.append(e)
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    series_all = []
    for block in blocks:
        its: list[_Iteration] = [_Iteration()]
        for e in block:
            line, it = _line(e), its[-1]
            if it.runs and it.runs[-1][0] == line:
                it.runs[-1][1] += 1
            elif any(r[0] == line for r in it.runs):  # a line comes round again: a new iteration
                first = next(i for i, r in enumerate(it.runs) if r[0] == line)
                if first > 0:  # what ran before the loop's first line is not part of the loop
                    n = sum(c for _, c in it.runs[:first])
                    before = _Iteration(it.runs[:first], it.events[:n])
                    it.runs, it.events = it.runs[first:], it.events[n:]
                    its.insert(len(its) - 1, before)
                its.append(_Iteration([[line, 1]]))
            else:
                it.runs.append([line, 1])
            its[-1].events.append(e)
        for it in its:
            for e in it.events:
                if e.kind == "op":
                    it.made.add(e.output)
                    it.used.update(t for t in e.inputs if t is not None)
        series: list[list[_Iteration]] = []
        for it in its:
            s = series[-1] if series else None
            if (s is not None and s[0].signature() == it.signature()
                    and sum(1 for other in s if it.used & other.made) <= 1):
                s.append(it)
            else:
                series.append([it])
        series_all += series
    return series_all


def find_groups(b, shown, lang=None) -> dict[str, Group]:
    """The groups of the graph pass 1 built (``b``: structure.Builder; ``shown``: the events kept)."""
    nodes = b.nodes
    # -- training loops (view/loops.py): one box per iteration ------------------------------------
    loop = getattr(b, "loop", None)
    if loop is not None:
        found = {}
        for it, label, keys, collapsed in iteration_groups(b, shown, loop, lang):
            key = loop.group_of_iteration[(it.loop, it.n)] = f"g{len(found) + 1}"
            found[key] = Group(key, label, tuple(keys), None, (), collapsed)
        return found
    # ---------------------------------------------------------------------------------------------
    found = module_groups(b, shown, lang)  # nn.Module calls (view/modules.py): one box per module call
    if found:
        groups: dict[str, Group] = {}
        for label, keys, parent, lines in found:
            key = f"g{len(groups) + 1}"
            groups[key] = Group(key, label, keys, None if parent is None else f"g{parent + 1}", (), True, lines)
        for grp in groups.values():
            if grp.parent is not None:
                groups[grp.parent].children += (grp.key,)
        tops = [grp for grp in groups.values() if grp.parent is None]
        if len(tops) == 1:  # one module alone (nn.Linear(2, 1)): drawn open, framed, not hidden in a box
            tops[0].collapsed = False
        return groups
    if len(nodes) < GROUP_MIN:
        return {}
    where: dict[str, int] = {}          # node key -> index of the iteration that made it
    its: list[tuple[int, _Iteration]] = []   # (series index, iteration)
    series = _iterations(shown)
    it_of_event = {}
    for si, s in enumerate(series):
        for it in s:
            for e in it.events:
                it_of_event[e.index] = len(its)
            its.append((si, it))
    for e in shown:
        i = it_of_event.get(e.index)
        if i is None:
            continue
        for k in b.touched.get(e.index, ()):
            if k in nodes and k not in where:
                where[k] = i
    # A leaf and its AccumulateGrad that one iteration alone uses belong to it.
    users: dict[str, set] = {}
    for i, (_, it) in enumerate(its):
        for e in it.events:
            if e.kind == "op" and e.node is not None:
                for t in e.inputs:
                    key = b.key_at.get((e.index, t)) if t is not None else None
                    if key is not None and nodes[key].is_leaf:
                        users.setdefault(key, set()).add(i)
    acc_of = {n.grad_fn: n.key for n in nodes.values() if n.kind == "acc" and n.grad_fn}
    for key, used_by in users.items():
        if len(used_by) == 1:
            (i,) = used_by
            where[key] = i
            if key in acc_of:
                where[acc_of[key]] = i
    members: dict[int, list] = {}
    for key in sorted(where, key=lambda k: nodes[k].order):
        members.setdefault(where[key], []).append(key)
    groups: dict[str, Group] = {}

    big = len(nodes) > COLLAPSE_GRAPH

    def add(label, keys, parent, lines) -> Group:
        key = f"g{len(groups) + 1}"
        grp = groups[key] = Group(key, label, tuple(keys), parent, (), big and len(keys) > COLLAPSE_ABOVE, lines)
        return grp

    def lines_of(it) -> tuple:
        return tuple(sorted({line[1] for line, _ in it.runs if line is not None}))

    i = 0
    for s in series:
        idx = list(range(i, i + len(s)))
        i += len(s)
        lines = lines_of(s[0])
        where_text = _lines_label(lines, lang)
        keys = sorted((k for j in idx for k in members.get(j, ())), key=lambda k: nodes[k].order)
        if len(s) >= 2 and keys:
            label = say("step.group.series", lang, lines=where_text, n=len(s))
            name = _common_path(nodes, keys)
            if name is not None:
                label = say("step.group.named", lang, name=name, n=len(s))
            top = add(label, keys, None, lines)
            kids = []
            for n_it, j in enumerate(idx, 1):
                if members.get(j):
                    name = _common_path(nodes, members[j])
                    label = (say("step.group.iteration", lang, lines=where_text, i=n_it, n=len(s)) if name is None
                             else name)
                    kids.append(add(label, members[j], top.key, lines).key)
            top.children = tuple(kids)
        elif _LONE_MIN <= len(keys) <= len(nodes) / 2:  # code without a loop that is not most of the graph
            add(_lone_label(nodes, keys) or say("step.group.lines", lang, lines=where_text), keys, None, lines)
    return groups


_STEP = re.compile(r"\.[A-Za-z_]\w*|\[[^\[\]]*\]")
_ROOT = re.compile(r"[A-Za-z_]\w*")


def _path(name: str):
    """``'model.layers[1].w[0]'`` -> ``['model', '.layers', '[1]', '.w', '[0]']``; None for a name that
    is not a plain path (an expression, or a rebound name such as ``'y #2'``)."""
    m = _ROOT.match(name)
    if m is None:
        return None
    steps, i = [m.group()], m.end()
    while i < len(name):
        m = _STEP.match(name, i)
        if m is None:
            return None
        steps.append(m.group())
        i = m.end()
    return steps


def _common_path(nodes, keys):
    """The container path that every leaf tensor among ``keys`` is reached through, when it is more
    than a bare variable (``'model.layers[1]'``); else None."""
    common = None
    for k in keys:
        n = nodes[k]
        if n.kind != "tensor" or not n.is_leaf:
            continue
        steps = _path(n.label)
        if steps is None:
            continue
        if common is None:
            common = steps[:-1]  # (the container the leaf is in: a neuron's weight w[0] names its neuron)
        else:
            i = 0
            while i < len(common) and i < len(steps) - 1 and common[i] == steps[i]:
                i += 1
            common = common[:i]
        if len(common) < 2:
            return None
    return "".join(common) if common is not None and len(common) >= 2 else None


def _lone_label(nodes, keys):
    """A box of code run once, named by what a student reads in the code: the container its leaves are
    reached through and the last variable it computes (``'layers[2][0] → loss'``, or ``'loss'``); None
    when it has neither (it keeps its lines)."""
    made = None
    for k in keys:  # (keys are in the order the nodes were made)
        n = nodes[k]
        if n.kind == "tensor" and not n.is_leaf and _ROOT.fullmatch(n.label or ""):
            made = n.label
    path = _common_path(nodes, keys)
    return " → ".join(p for p in (path, made) if p) or None


def _lines_label(lines: tuple, lang) -> str:
    if not lines:
        return say("step.group.no_line", lang)
    if len(lines) == 1:
        return say("step.group.line", lang, line=lines[0])
    return say("step.group.line_range", lang, first=lines[0], last=lines[-1])
