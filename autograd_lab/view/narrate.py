"""Pass 2 of ``graph.build``, event by event: what each step changes on screen, and its narration.

``Narration`` has one handler per event kind, ``on_<kind>(e)``: it sets the new states of the
nodes and edges the event is about (through ``set``), and returns the step's narration in plain
words with the keys to highlight. It is mixed into graph.py's ``_States``, which owns the state
being replayed and the ``Builder`` of pass 1; the handlers use its ``b``, ``nodes``, ``edges``,
``get``/``set``, ``clear_residue``, ``residue``, ``ran`` and the backward-call counters. ``fmt``
writes values as PyTorch prints them::

    text, active = states.on_accumulate(e)
    text    # 'AccumulateGrad adds into w.grad: None + 3. = 3.'
"""
from __future__ import annotations

import functools

import numpy as np

from ..core._format import format_value

__all__ = ["Narration", "fmt"]


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


_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**", "matmul": "@"}


class Narration:
    """The handlers of ``graph._States``: per event kind, what changes and the narration (see module docstring)."""

    # -- how keys and names are found ----------------------------------------------------------
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

