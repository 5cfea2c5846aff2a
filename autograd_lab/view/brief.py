"""A step's narration kept short: at most about ``LIMIT`` characters (``said``).

A step of a real model can list many things: a node that sends gradients to five inputs, an op that
saves six tensors, the chain rule of each input. ``said(msg, lang)`` is the step's text as the
catalogue says it when that is short enough; else the same message with its longest lists cut to their
first items and "N more" (the picture, its tooltips, the inspector and the table have them all): the
chain rules first (down to one: each arrow's tooltip has its rule), then the list whose items say the
most, one item at a time, until the text fits or every list has one item left; then, if still too long, its long names and
lines of code are cut with "…" (at 48, then 36, then 28 characters). A value is never cut here: a tensor of more than a few numbers is already said by its shape and
range (the catalogue's ``number``, ``narration.SMALL``).
"""
from __future__ import annotations

from ..narration import Msg, text

__all__ = ["said", "LIMIT"]

LIMIT = 300  # characters of one step's narration, at most (a few lines at the player's 840 px)


def said(msg: Msg, lang: str) -> str:
    """The text of ``msg`` in ``lang``, at most about ``LIMIT`` characters (see the module docstring)."""
    out = text(msg, lang)
    if len(out) <= LIMIT:
        return out
    lists = {}  # path in the message -> (its items' lengths, items kept)
    for path, items in _lists(msg):
        lengths = [len(text(x, lang)) if isinstance(x, Msg) else len(str(x)) for x in items]
        lists[path] = [lengths, len(items)]
    while len(out) > LIMIT:
        # the chain rules first (each arrow's tooltip has its own), then the list whose kept items say the
        # most, gives up its last item ("N more")
        path = max((p for p, (_, k) in lists.items() if k > 1),
                   key=lambda p: (p[-1] == "rules", sum(lists[p][0][:lists[p][1]])), default=None)
        if path is None:
            break
        lists[path][1] -= 1
        out = text(_cut(msg, {p: k for p, (_, k) in lists.items()}), lang)
    if len(out) > LIMIT and not msg.id.startswith("step.error"):  # still long: a real model's long names
        # (`conv[1] output`, a call's whole code); an error step is left whole: PyTorch's words and the
        # culprit's line, which the student must be able to find
        msg = _cut(msg, {p: k for p, (_, k) in lists.items()})
        for width in (48, 36, 28):
            out = text(_clip(msg, width), lang)
            if len(out) <= LIMIT:
                break
    return out


def _clip(v, width: int):
    """``v`` with every text parameter longer than ``width`` characters cut to it, with "…" (a name
    or a line of code; the inspector and the table show it whole). Numbers are never cut."""
    if isinstance(v, Msg):
        return Msg(v.id, **{k: _clip(x, width) for k, x in v.params.items()})
    if isinstance(v, list):
        return [_clip(x, width) for x in v]
    if type(v) is str and len(v) > width:
        return v[:width - 1] + "…"
    return v


def _lists(v, path=()):
    """(path, items) of every list in message ``v`` with more than one item (an "N more" at its end aside)."""
    if isinstance(v, Msg):
        for k, x in v.params.items():
            yield from _lists(x, path + (k,))
    elif isinstance(v, list):
        items = v[:-1] if v and _is_more(v[-1]) else v
        if len(items) > 1:
            yield path, items
        for i, x in enumerate(items):
            yield from _lists(x, path + (i,))


def _cut(v, keep: dict, path=()):
    """``v`` with the list at each path of ``keep`` cut to that many items and "N more"."""
    if isinstance(v, Msg):
        return Msg(v.id, **{k: _cut(x, keep, path + (k,)) for k, x in v.params.items()})
    if not isinstance(v, list):
        return v
    more = v[-1].params.get("n", 0) if v and _is_more(v[-1]) else 0
    items = [_cut(x, keep, path + (i,)) for i, x in enumerate(v[:-1] if more else v)]
    k = keep.get(path, len(items))
    if k < len(items):
        more += len(items) - k
        items = items[:k]
    return items + [Msg("step.more_items", n=more)] if more else items


def _is_more(x) -> bool:
    return isinstance(x, Msg) and x.id in ("step.chain.more", "step.more_items")
