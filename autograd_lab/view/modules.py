"""The graph grouped by the ``nn.Module`` calls the code ran (called by groups.py's ``find_groups``
when the trace has module data: record/modules.py, the op events' ``module`` field).

One box per module call, named as the code names the module (``net[0]``, ``conv``, ``head``,
``block.attn``), nested as the calls were: a box holds the nodes its forward's ops made (their
grad_fn nodes too, so the backward steps through the same boxes) and its submodules' boxes; the
ops between modules (``x + self.attn(...)``, ``F.cross_entropy``) stay outside as nodes. A leaf
goes inside the module it belongs to: the one whose path names it (``net[0].weight``), or the call
that made it (a mask built inside ``forward``), when only that call's ops use it. A lone outermost
call (``net``, ``block``: the whole model) is opened in place, so the first picture shows its
parts (``net[0]``, ``net[1]``, ``net[2]``), not one box. A module called again (a training loop) has a
box per call, numbered as a value bound again is: ``net``, ``net #2``::

    found = module_groups(b, shown, lang)   # [(label, members, parent index or None, lines), ...]

Each item is one box: its label, its member node keys (nested boxes' included, in creation
order), the index of its parent box in the list (parents come first), the source lines its
events ran. groups.py makes ``Group`` objects of them.
"""
from __future__ import annotations

from ..narration import say

__all__ = ["module_groups", "localized_names"]

_OUTPUT = " output"  # how record/modules.py names a module call's output (``net[0] output``)


def localized_names(names: dict, table: dict, lang=None) -> dict:
    """``names`` (tensor id -> name) with the outputs of module calls said in ``lang``
    (``net[0] output``, zh ``net[0] 的输出``; a number ``#2`` kept)."""
    modules = {row[1] for row in table.values()}
    out = names
    for tid, name in names.items():
        head, sep, rest = name.partition(_OUTPUT)
        if sep and head in modules and (not rest or rest.startswith(" #")):
            if out is names:
                out = dict(names)
            out[tid] = say("name.module_output", lang, module=head) + rest
    return out


def module_groups(b, shown, lang=None) -> list:
    """The boxes of the module calls (see the module docstring); [] when no shown op ran in one."""
    table = getattr(b, "modules", None) or {}
    if not table:
        return []
    nodes = b.nodes
    where: dict = {}   # node key -> the call that made it (None: outside every module)
    first_op: dict = {}  # call -> index of the first shown op in it (or in a call inside it)
    uses: dict = {}    # leaf key -> the calls whose ops use it (None: an op outside every module)
    lines: dict = {}   # call -> its ops' source lines
    born: dict = {}    # leaf key -> index of the event that made it

    def chain(c):
        while c is not None:
            yield c
            c = table[c][0] if c in table else None

    any_module = False
    for e in shown:
        c = e.module if e.kind == "op" else None
        if c is not None and c not in table:
            c = None
        keys = b.touched.get(e.index, ())
        if e.kind == "tensor":
            for k in keys:
                born.setdefault(k, e.index)
        if e.kind not in ("op", "tensor"):
            continue
        if c is not None:
            any_module = True
            for a in chain(c):
                first_op.setdefault(a, e.index)
            if e.source is not None:
                lines.setdefault(c, set()).add(e.source.line)
        if e.kind == "op":
            for t in e.inputs:
                k = b.key_at.get((e.index, t)) if t is not None else None
                if k is not None and k in nodes and nodes[k].is_leaf:
                    uses.setdefault(k, set()).add(c)
                    born.setdefault(k, e.index)
        for k in keys:
            if k in nodes and k not in where and not (nodes[k].kind == "tensor" and nodes[k].is_leaf) \
                    and nodes[k].kind != "acc":
                where[k] = c
    if not any_module:
        return []
    # Leaves (and their AccumulateGrad): into the module whose path names them, or the call that made them.
    names = {c: row[1] for c, row in table.items()}
    for k, users in uses.items():
        home = _common_call(users, table)
        if home is None:
            continue
        label = nodes[k].label or ""
        named = next((c for c in chain(home) if label.startswith(names[c] + ".")
                      or label.startswith(names[c] + "[")), None)
        if named is None and born.get(k, -1) >= first_op.get(home, 1 << 62):
            named = home
        if named is not None:
            where[k] = named
    for n in nodes.values():
        if n.kind == "acc" and n.grad_fn in where:
            where[n.key] = where[n.grad_fn]
    # The calls that made something, and those around them; a lone outermost call is opened in place.
    made: dict = {}
    for k in sorted((k for k, c in where.items() if c is not None), key=lambda k: nodes[k].order):
        for a in chain(where[k]):
            made.setdefault(a, []).append(k)
    shown_calls = [c for c in sorted(made) if c in table]
    opened = set()
    while True:
        roots = [c for c in shown_calls if c not in opened and _parent(c, table, opened) is None]
        if len(roots) != 1 or not any(table[c][0] == roots[0] for c in shown_calls):
            break
        opened.add(roots[0])
    out, index, calls_of = [], {}, {}
    for c in shown_calls:
        if c in opened:
            continue
        p = _parent(c, table, opened)
        index[c] = len(out)
        label = names[c] or table[c][2]
        n = calls_of[label] = calls_of.get(label, 0) + 1
        if n > 1:  # a module called again (a training loop): 'net #2', as a value bound again is 'y #2'
            label = f"{label} #{n}"
        out.append((label, tuple(made[c]), index.get(p), tuple(sorted(lines.get(c, ())))))
    return out if out else []


def _parent(c, table, opened):
    """The nearest enclosing call not opened in place (None: at the top)."""
    p = table[c][0]
    while p is not None and p in opened:
        p = table[p][0]
    return p


def _common_call(users: set, table):
    """The innermost call around every call in ``users``; None when one of them is outside all."""
    if None in users or not users:
        return None
    paths = []
    for c in users:
        p = []
        while c is not None:
            p.append(c)
            c = table[c][0] if c in table else None
        paths.append(p[::-1])
    common = None
    for level in zip(*paths):
        if len(set(level)) != 1:
            break
        common = level[0]
    return common
