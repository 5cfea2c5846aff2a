"""Why autograd raised: the error step's explanation, found on the graph from the trace's events.

PyTorch's five most-asked autograd errors point at the line that raised (usually ``backward()``);
the cause is elsewhere. ``explain(states, e)`` reads the events before error event ``e`` and
returns the explanation as a message (``narration.Msg``: id and parameters, said by the catalogue
of each language) and the keys of the culprits to highlight, after tagging them in the picture;
None when the error is not one of these, or the trace does not show the cause::

    msg, keys = explain(states, e)
    msg        # Msg('step.explain.version', {'name': 'c', 'node': 'ExpBackward0', ...})

The five, each named by the user's variable, with the line that caused it and the fix:

- ``version``: a tensor a node saved was changed in place later (the in-place op's line, the
  node's line, the versions from PyTorch's message); fix: out of place, or ``clone()``;
- ``freed``: a second backward through a node whose saved tensors an earlier ``backward()``
  freed (that call's line); fix: ``retain_graph=True`` there. ``freed_loop``: the common real
  case, a tensor carried from an earlier iteration (its graph was freed by the previous
  ``backward()``), used again; fix: ``detach()`` it each iteration;
- ``no_grad_fn``: backward of a tensor without a graph: a line ran with grad mode off, a
  ``detach()``, or no leaf it comes from requires grad (the leaf and its line);
- ``not_scalar``: backward of a non-scalar without ``gradient=`` (its shape);
- ``leaf_inplace``: a leaf that requires grad changed in place (fix: ``torch.no_grad()``).

It works the same for the core's traces and real torch's (``record/torch/``): both record the
ops with their saved attributes, in-place ops, releases, and the tensor an error is about.
"""
from __future__ import annotations

import re

from ..narration import Msg
from ..record import names as _code
from .states import SAVED_INPUT, _without_comment

__all__ = ["explain", "versions"]

_VERSIONS = re.compile(r"is at version (\d+); expected version (\d+) instead")


def explain(st, e):
    """(explanation ``Msg``, keys to highlight) for error event ``e``, or None (see module docstring).
    ``st`` is the ``states.States`` replaying the trace (its builder ``b`` has the events and keys)."""
    message = e.message or ""
    before = [x for x in st.b.events if x.index < e.index]
    try:
        if "modified by an inplace operation" in message and e.node is not None:
            return _version(st, e, before)
        if "backward through the graph a second time" in message and e.node is not None:
            return _freed(st, e, before)
        if e.tensor is None:
            return None
        if "does not require grad and does not have a grad_fn" in message:
            return _no_grad_fn(st, e, before)
        if message.startswith("grad can be implicitly created only for scalar outputs"):
            return _not_scalar(st, e, before)
        if message.startswith("a leaf Variable that requires grad is being used in an in-place operation"):
            return _leaf_inplace(st, e, before)
    except (LookupError, TypeError, ValueError):  # pragma: no cover - an explanation never breaks the player
        return None
    return None


def versions(b) -> dict:
    """Tensor key -> its version (``t._version``: the in-place changes before it) for the tensors changed in
    place by an op (the inspector shows it: the version a node saved, the version after ``c.mul_(3)``).
    A tensor also changed by an optimizer step or ``zero_()`` is left out: its box keeps one key while its
    version grows. ``b`` is the graph's ``structure.Builder`` (its events and the key after each)."""
    count: dict = {}
    out: dict = {}
    other: set = set()
    for x in b.events:
        if x.kind == "op" and x.inplace:
            count[x.output] = count.get(x.output, 0) + 1
        elif x.kind == "update" or (x.kind == "zero" and x.how == "data.zero_"):
            other.add(x.tensor)
        tids = ((*x.inputs, x.output) if x.kind == "op" else (x.tensor,) if x.kind == "tensor" else ())
        for t in tids:
            key = b.key_at.get((x.index, t)) if t is not None else None
            if key is not None and key not in out:
                out[key] = (t, count.get(t, 0))
    return {k: v for k, (t, v) in out.items() if t in count and t not in other}


# -- what the events say ---------------------------------------------------------------------
def _at(src):
    """Where a line is, as a step names it: 'line 9: z.backward()' (or 'before the trace')."""
    if src is None or not src.line:
        return Msg("step.explain.unknown_line")
    if src.text:
        return Msg("step.explain.line", line=src.line, code=_code_of(src))
    return Msg("step.explain.line_only", line=src.line)


def _code_of(src) -> str:
    """The code of a source line, without its comment ('' if none)."""
    return _without_comment(src.text).strip() if src is not None and src.text else ""


def _maker(before, node):
    """The op event that made grad_fn ``node``."""
    return next((x for x in before if x.kind == "op" and x.node == node and not x.inplace), None) or next(
        (x for x in before if x.kind == "op" and x.node == node), None)


def _made(before, tid):
    """The event that made tensor ``tid`` (the last op with it as output, else its tensor event)."""
    for x in reversed(before):
        if x.kind == "op" and x.output == tid and not x.inplace:
            return x
        if x.kind == "tensor" and x.tensor == tid and x.how in ("tensor", "detach", "existing", "seed"):
            return x
    return None


def _changed_in_place(x):
    """The tensor op event ``x`` changed in place (None if none): ``c.mul_(3)``, ``c += 1``, and, in the
    core, an assignment into it, ``y[0] = 5`` (index_put_). (The real-torch recorder shows that
    assignment as a ``copyslices`` op at a later line, when it meets the CopySlices node: not taken as the
    cause, whose line would be wrong; the step then keeps PyTorch's words.)"""
    if not x.inputs or x.inputs[0] is None:
        return None
    return x.inputs[0] if x.inplace or x.op.endswith("_") else None


def _base(name: str) -> str:
    """A variable's name as the code writes it: ``h #2`` -> ``h``."""
    return _code.NUMBERED.sub("", name)


def _key(st, index, tid):
    return st.b.key_at.get((index, tid)) or st.b.cur_key.get(tid)


def _tag(st, key, msg_id, **params):
    if key is not None:
        st.set(key, shown=True, status="active", tag=st.label(msg_id, **params))


def _out_of_place(text: str, name: str) -> str:
    """``c.mul_(3)`` -> ``c = c * 3`` (as ``c = c.mul(3)``); ``c += 1`` -> ``c = c + 1``; else ``c = c.op(...)``."""
    line = text.strip()
    aug = _code.augmented(line)
    if aug is not None:
        target = line.split("=", 1)[0].rstrip(" +-*/@%&|^<>").strip()
        return f"{target} = {aug}"
    m = re.match(r"^(.+?)\.(\w+)_\((.*)\)$", line)
    if m is not None:
        return f"{m.group(1)} = {m.group(1)}.{m.group(2)}({m.group(3)})"
    return f"{_base(name)} = …"


def _with_retain(text: str) -> str:
    """``z.backward()`` -> ``z.backward(retain_graph=True)`` (``backward(g)`` -> ``backward(g, retain_graph=True)``)."""
    line = (text or "").strip()
    if "retain_graph" in line or "backward(" not in line:
        return "backward(retain_graph=True)"
    head, rest = line.split("backward(", 1)
    inside_empty = rest.startswith(")")
    return f"{head}backward({'' if inside_empty else rest.split(')', 1)[0] + ', '}retain_graph=True)"


# -- the five ------------------------------------------------------------------------------
def _version(st, e, before):
    box = f"n{e.node}"
    made = _maker(before, e.node)
    if made is None:
        return None
    saved = []
    for attr in made.saved:
        if attr == "_saved_result":
            saved.append(made.output)
        elif attr in SAVED_INPUT and SAVED_INPUT[attr] < len(made.inputs):
            saved.append(made.inputs[SAVED_INPUT[attr]])
    candidates = [t for t in saved if t is not None] or [t for t in (*made.inputs, made.output) if t is not None]
    change = None
    for x in before:
        if x.index <= made.index:
            continue
        target = (_changed_in_place(x) if x.kind == "op" else
                  x.tensor if x.kind == "update" or (x.kind == "zero" and x.how == "data.zero_") else None)
        if target in candidates:
            change = (x, target)
            break
    if change is None:
        return None
    x, tid = change
    m = _VERSIONS.search(e.message)
    version, expected = (int(m.group(1)), int(m.group(2))) if m else (1, 0)
    name = st.name(tid)
    saved_key = _key(st, made.index, tid)
    changed_key = _key(st, x.index, tid)
    _tag(st, saved_key, "player.tag.saved_version", version=expected)
    _tag(st, changed_key, "player.tag.version", version=version)
    keys = [saved_key, changed_key, box]
    if x.kind == "op" and x.node is not None:
        keys.insert(1, f"n{x.node}")
        st.set(f"n{x.node}", shown=True, status="active")
    code = _code_of(x.source)
    return Msg("step.explain.version", name=name, node=e.name or made.node_name, made=_at(made.source),
               changed=_at(x.source), version=version, expected=expected,
               suggest=_out_of_place(code, name) if code else f"{_base(name)} = …"), _keys(keys)


def _freed(st, e, before):
    box = f"n{e.node}"
    release = next((x for x in reversed(before) if x.kind == "release" and x.node == e.node), None)
    if release is None:
        return None
    made = _maker(before, e.node)
    first = next((x for x in reversed(before) if x.kind == "backward" and x.index < release.index), None)
    now = next((x for x in reversed(before) if x.kind == "backward"), None)
    first_src = first.source if first is not None else release.source
    node_at = _at(made.source) if made is not None else Msg("step.explain.unknown_line")
    # the common real case: the graph was built again after that backward, on a tensor carried over from before it
    carried = None
    if now is not None and first is not None and now is not first:
        root = now.roots[0] if now.roots else None
        rmade = _made(before, root) if root is not None else None
        if rmade is not None and rmade.index > first.index:
            old = {x.output for x in before if x.kind == "op" and x.node is not None and x.index < first.index}
            for x in before:
                if x.kind == "op" and x.index > first.index:
                    hit = next((t for t in x.inputs if t is not None and t in old), None)
                    if hit is not None:
                        carried = (x, hit)
                        break
    keys = [box]
    if carried is not None:
        x, tid = carried
        name = st.name(tid)
        k = _key(st, x.index, tid)
        _tag(st, k, "player.tag.carried")
        keys.insert(0, k)
        return Msg("step.explain.freed_loop", carried=name, base=_base(name), node=e.name, first=_at(first_src),
                   use=_at(x.source)), _keys(keys)
    return Msg("step.explain.freed", node=st.describe(box), made=node_at, first=_at(first_src),
               fixed=_with_retain(_code_of(first_src))), _keys(keys)


def _no_grad_fn(st, e, before):
    root = e.tensor
    name = st.name(root)
    rg: dict = {}  # tensor id -> requires grad, as the events go
    makers: dict = {}
    for x in before:
        if x.kind == "tensor":
            rg[x.tensor] = bool(x.requires_grad)
            if x.how != "requires_grad_":
                makers[x.tensor] = x
        elif x.kind == "op":
            rg[x.output] = x.node is not None
            if not x.inplace:
                makers[x.output] = x
    root_key = st.tkey(root, e)
    _tag(st, root_key, "player.tag.error", error=e.error)
    keys = [root_key]
    leaves, seen, todo = [], set(), [root]
    while todo:  # back from the root through the ops that recorded no graph
        t = todo.pop(0)
        if t in seen:
            continue
        seen.add(t)
        x = makers.get(t)
        if x is None:
            leaves.append((t, None))
        elif x.kind == "op":
            wanting = [i for i in dict.fromkeys(x.inputs) if i is not None and rg.get(i)]
            if wanting:  # an input requires grad, yet no graph: grad mode was off there
                box = f"o{x.index}"
                _tag(st, box, "player.tag.grad_mode_off")
                return Msg("step.explain.no_grad_fn.grad_mode_off", name=name, at=_at(x.source),
                           input=st.name(wanting[0])), _keys(keys + [box])
            todo += [i for i in x.inputs if i is not None]
        elif x.how == "detach":
            k = _key(st, x.index, t)
            _tag(st, k, "player.tag.detached")
            return Msg("step.explain.no_grad_fn.detached", name=name, at=_at(x.source)), _keys(keys + [k])
        else:
            leaves.append((t, x))
    if not leaves:
        return None
    leaf, x = leaves[0]
    for t, _ in leaves:
        k = st.tkey(t, e)
        _tag(st, k, "player.tag.no_requires_grad")
        keys.append(k)
    return Msg("step.explain.no_grad_fn.leaves", name=name, leaves=[st.name(t) for t, _ in leaves],
               leaf=_base(st.name(leaf)), made=_at(x.source if x is not None else None)), _keys(keys)


def _not_scalar(st, e, before):
    tid = e.tensor
    x = _made(before, tid)
    shape = tuple(getattr(x, "shape", ()) or ()) if x is not None else ()
    name = st.name(tid)
    k = st.tkey(tid, e)
    size = f"torch.Size([{', '.join(str(int(d)) for d in shape)}])"
    _tag(st, k, "player.tag.shape", shape=size)
    return Msg("step.explain.not_scalar", name=name, base=_code.receiver(_base(name)), shape=size,
               made=_at(x.source if x is not None else None)), _keys([k])


def _leaf_inplace(st, e, before):
    tid = e.tensor
    x = _made(before, tid)
    name = st.name(tid)
    k = st.tkey(tid, e)
    _tag(st, k, "player.tag.error", error=e.error)
    code = _code_of(e.source) or f"{_base(name)}.…_()"
    return Msg("step.explain.leaf_inplace", name=name, made=_at(x.source if x is not None else None),
               at=_at(e.source), code=code), _keys([k])


def _keys(keys) -> tuple:
    return tuple(dict.fromkeys(k for k in keys if k))
