"""Pass 2 of ``graph.build``: replay the shown events, step by step: what each changes, and what it says.

``States.run`` walks the events pass 1 (structure.py) kept and, per event, calls its handler
``on_<kind>(e)``. A handler sets the new states of the nodes and edges the event is about
(through ``set``) and returns the step's narration as a *message*, not as text: a
``narration.Msg`` (message id and parameters, values as ``narration.Num``), plus the keys to
highlight. The catalogue of a language turns a message into a sentence, so a translation
never copies this logic::

    msg, active = states.on_accumulate(e)
    msg                      # Msg('step.accumulate.set', {'name': 'w', 'value': Num(3.0)})
    narration.text(msg)      # 'AccumulateGrad sets w.grad to 3 (w.grad was None, ...).'

The short labels drawn in the picture (tags, the info under a box) are state, shown as
PyTorch prints values (``fmt``); their words too come from the catalogue (``self.label``).
"""
from __future__ import annotations

import functools
from collections import namedtuple

import numpy as np

from ..narration import Msg, Num, held, say, text
from ..record import names as _code
from . import chain
from . import brief
from .values import fmt

# A saved attribute -> the input of the op it holds, for "It saves x (_saved_other)".
SAVED_INPUT = {"_saved_self": 0, "_saved_other": 1, "_saved_tensor": 1, "_saved_vec": 1, "_saved_mat2": 1,
                "_saved_exponent": 1}

__all__ = ["SAVED_INPUT", "States", "fmt", "TensorState", "OpState", "EdgeState", "hidden_state", "summarise", "MANY"]

MANY = 6  # a sentence lists at most this many items; more are summarised (count, largest, "the table has the rest")

# What a node or edge looks like at one step. Texts are ready to print; status is one of
# tensors: idle, new, active; ops: idle, new, running, done, active, error; edges: idle, new, active, passed.
# An edge's rule: how the gradient on it was made at the last run of the node it leaves (view/chain.py).
TensorState = namedtuple("TensorState", "shown status value grad rg tag")
OpState = namedtuple("OpState", "shown status freed info tag")
EdgeState = namedtuple("EdgeState", "shown status grad rule", defaults=("",))


# Field name -> its place in the tuple (``States.set`` builds the new state without namedtuple._replace,
# whose generic path costs a fifth of a big trace's replay).
_FIELD_AT = {t: {f: i for i, f in enumerate(t._fields)} for t in (TensorState, OpState, EdgeState)}
_VALUE_AT, _GRAD_AT = TensorState._fields.index("value"), TensorState._fields.index("grad")


_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**", "matmul": "@"}


def hidden_state(node, no_grad_fn: str = ""):
    """The state of a node (or, for None, an edge) before it appears; ``no_grad_fn`` is the info
    under a no-graph op's box."""
    if node is None:
        return EdgeState(False, "idle", "", "")
    if node.kind == "tensor":
        return TensorState(False, "idle", "", "None", False, "")
    return OpState(False, "idle", False, no_grad_fn if node.kind == "const" else "", "")


class _OrderedSet(dict):
    """A set that iterates in insertion order (a plain set's order follows PYTHONHASHSEED)."""

    def add(self, key) -> None:
        self[key] = None


class States:
    """Pass 2 (see the module docstring): the state replay and one handler per event kind."""

    def __init__(self, b, all_nodes: dict, all_edges: dict, lang: str, explain=None):
        # explain: (states, error event) -> (why, keys to highlight) or None (graph.build gives view/explain.py's)
        self.b, self.g, self.nodes, self.edges, self.lang, self.explain = b, b.g, all_nodes, all_edges, lang, explain
        self.cur: dict = {}
        self.changes: dict = {}
        self.transient = _OrderedSet()  # highlighted for one step only
        self.residue = _OrderedSet()    # what a backward pass leaves on screen until the next forward step
        self.ran: set = set()
        self.call = 0
        self.in_call = False
        self.call_inputs: tuple = ()
        self.call_leaves: dict = {}     # leaf tensor id -> its .grad after this call's accumulation
        self.rg: dict = {}              # tensor id -> requires grad (to tell 'grad mode is off' apart)
        self.forward_jump_due = True
        self.no_grad_fn = self.label("player.info.no_grad_fn")

    def label(self, msg_id: str, **params) -> str:
        """A short label drawn in the picture, in the graph's language."""
        return say(msg_id, self.lang, **params)

    # -- state helpers ---------------------------------------------------------------------
    def get(self, key):
        st = self.cur.get(key)
        if st is None:
            st = self.cur[key] = hidden_state(None if key.startswith("e") else self.nodes.get(key), self.no_grad_fn)
        return st

    def set(self, key, transient=True, **kw) -> None:
        if key is None:
            return
        old = self.get(key)
        at, new = _FIELD_AT[type(old)], list(old)
        for f, v in kw.items():
            new[at[f]] = v
        new = tuple.__new__(type(old), new)
        if new != old:
            self.cur[key] = self.changes[key] = new
        if transient:
            self.transient.add(key)

    def revert(self) -> None:
        """End of a step: highlights go, gradients that were travelling stay as 'passed'.
        (What ``set(key, False, status=..., tag=...)`` would do, spelled out: it runs for every
        highlighted key of every step.)"""
        cur, changes = self.cur, self.changes
        for key in self.transient:
            st = cur[key]
            t = type(st)
            if t is TensorState:  # shown status value grad rg tag
                new = tuple.__new__(t, (st[0], "idle", st[2], st[3], st[4], ""))
            elif t is OpState:    # shown status freed info tag
                error = st[1] == "error"
                status = "error" if error else ("done" if key in self.ran else "idle")
                new = tuple.__new__(t, (st[0], status, st[2], st[3], st[4] if error else ""))
            else:                 # shown status grad rule
                new = tuple.__new__(t, (st[0], "passed" if key in self.residue else "idle", st[2], st[3]))
            if new != st:
                cur[key] = changes[key] = new
        self.transient = _OrderedSet()

    def clear_residue(self) -> None:
        for key in self.residue:
            st = self.cur[key]
            if isinstance(st, EdgeState):
                self.set(key, False, status="idle", grad="")
            else:
                node = self.nodes.get(key)
                info = "" if node is not None and node.kind == "acc" else st.info
                self.set(key, False, status="error" if st.status == "error" else "idle", info=info)
        self.residue = _OrderedSet()
        self.ran = set()

    # -- run ---------------------------------------------------------------------------
    def run(self, shown, start, step_type) -> None:
        """Replay ``shown`` (events), appending a ``step_type`` per event from ``start`` on to the graph."""
        g, lang = self.g, self.lang
        visible = dict.fromkeys([*g.nodes, *g.edges])  # ordered, so the output is the same every run
        prev = None
        sources: dict = {}  # a source line -> how a step and a jump name it (a loop runs the same lines often)
        for pos, e in enumerate(shown):
            self.changes = {}
            self.revert()
            if e.kind in ("op", "tensor") and self.residue and not self.in_call:
                self.clear_residue()
            if pos == start:  # what happened before a cut-down trace's window is the first picture
                g.initial = {k: v for k, v in self.cur.items() if k in visible}
                self.changes = {}
            msg, active = getattr(self, "on_" + e.kind, self.on_other)(e)
            jump = self.jump(e, prev)
            prev = e
            if pos < start:
                continue
            src = e.source
            said = sources.get(src)
            if said is None:
                said = sources[src] = self.where(src)
            source, where = said
            changes = {k: v for k, v in self.changes.items() if k in visible}
            step = step_type(len(g.steps), e.index, e.kind, brief.said(msg, lang), source, self.call, changes,
                             tuple(a for a in active if a in visible), e.kind == "error", msg)
            g.steps.append(step)
            if jump is not None:
                g.jumps.append((say(jump.id, lang, **jump.params) + where, step.index))
        for k in visible:
            if k not in g.initial:
                g.initial[k] = hidden_state(None if k.startswith("e") else self.nodes.get(k), self.no_grad_fn)
        # The texts a node's size depends on (layout.node_size): every value and grad a tensor shows.
        shown_values: dict = {}
        shown_grads: dict = {}
        for states in [g.initial] + [s.changes for s in g.steps]:
            for k, v in states.items():
                if type(v) is TensorState:
                    x = shown_values.get(k)
                    if x is None:
                        shown_values[k], shown_grads[k] = {v[_VALUE_AT]}, {v[_GRAD_AT]}
                    else:
                        x.add(v[_VALUE_AT])
                        shown_grads[k].add(v[_GRAD_AT])
        for k, x in shown_values.items():
            g.values[f"{k}:value"], g.values[f"{k}:grad"] = x, shown_grads[k]

    def where(self, src) -> tuple[str, str]:
        """How a step names its source line ('line 9: z.backward()'), and how a jump-menu entry does."""
        lang = self.lang
        if src is None or not src.line:
            return "", ""
        code = src.text.strip() if src.text else ""
        if code:  # a trace from `python -` has line numbers but no source text
            return (say("player.source", lang, line=src.line, code=src.text),
                    say("player.jump.where", lang, line=src.line, code=_short(code)))
        return say("player.source_line", lang, line=src.line), say("player.jump.where_line", lang, line=src.line)

    def jump(self, e, prev):
        """The jump-menu entry that starts at event ``e`` (a ``Msg``), or None."""
        k = e.kind
        if k in ("done", "error"):
            self.forward_jump_due = True
        if _optimizer_event(e):  # optimizer.step() reads each p.grad and updates each p: one entry, not a forward pass
            same_step = prev is not None and _optimizer_event(prev) and prev.source == e.source
            return None if same_step else Msg("player.jump.optimizer_step")
        if k in ("op", "tensor") and self.forward_jump_due:
            self.forward_jump_due = False
            return Msg("player.jump.forward" if self.call == 0 else "player.jump.forward_again")
        if k == "backward":
            return Msg("player.jump.grad" if e.call == "autograd.grad" else "player.jump.backward", n=self.call)
        if k == "error":
            return Msg("player.jump.error")
        if k == "set_grad" and not (prev is not None and prev.kind == "set_grad" and prev.source == e.source):
            if e.source is not None and "zero_grad(" in (e.source.text or ""):
                return Msg("player.jump.zero_grad")
            return Msg("player.jump.set_grad", name=self.name(e.tensor))
        if k == "zero" and not (prev is not None and prev.kind == "zero" and prev.how == e.how):
            if e.how == "set_to_none" or (e.source is not None and "zero_grad(" in (e.source.text or "")):
                return Msg("player.jump.zero_grad")
            return Msg("player.jump.data_zero_" if e.how == "data.zero_" else "player.jump.grad_zero_",
                       name=self.name(e.tensor))
        return None

    # -- how keys and names are found ----------------------------------------------------------
    def tkey(self, tid, e) -> str | None:
        return self.b.key_at.get((e.index, tid)) or self.b.cur_key.get(tid)

    def name(self, tid) -> str:
        return self.b.name(tid)

    def node_label(self, key) -> str:
        n = self.nodes.get(key)
        return n.label if n is not None else "grad_fn"

    def describe(self, key):
        """How narration names the head of an arrow: 'MulBackward0 (y.grad_fn)', 'AccumulateGrad (for w)'."""
        n = self.nodes.get(key)
        if n is None:
            return key
        if n.kind == "acc":
            leaf = self.nodes.get(n.grad_fn) if n.grad_fn else None
            return Msg("step.acc_for", leaf=leaf.label) if leaf is not None else n.label
        t = self.nodes.get(self.b.tensor_of_fn.get(key, ""))
        if n.kind == "op" and t is not None:
            return Msg("step.fn_of", fn=n.label, tensor=_code.receiver(t.label))
        return n.label

    # -- one step per event kind ----------------------------------------------------------
    def on_tensor(self, e):
        key, name, value = self.tkey(e.tensor, e), self.name(e.tensor), held(e.value)
        self.rg[e.tensor] = bool(e.requires_grad)
        if e.how == "requires_grad_":
            on = bool(e.requires_grad)
            node = self.nodes.get(key)
            if on and node is not None and node.kind == "tensor" and not node.is_leaf:
                # PyTorch: a no-op on a tensor with a grad_fn (it requires grad already); .grad stays None
                self.set(key, shown=True, status="active")
                return Msg("step.tensor.requires_grad_non_leaf", name=_code.receiver(name), plain=name), (key,)
            self.set(key, shown=True, status="active", rg=on, grad="None",
                     tag=self.label("player.tag.requires_grad_on" if on else "player.tag.requires_grad_off"))
            return Msg("step.tensor.requires_grad_on" if on else "step.tensor.requires_grad_off", name=name), (key,)
        self.set(key, shown=True, status="new", value=fmt(e.value, e.dtype), rg=bool(e.requires_grad), grad="None", tag="")
        if e.how == "detach":
            return Msg("step.tensor.detach", name=name, value=value), (key,)
        if e.how == "existing":
            if is_optimizer_step(e):  # optimizer.step() reads p.grad: made by backward, not before the trace
                return Msg("step.tensor.optimizer_reads", name=name, value=value), (key,)
            return Msg("step.tensor.existing", name=name, value=value), (key,)
        if e.requires_grad:
            return Msg("step.tensor.leaf_requires_grad", name=name, value=value), (key,)
        return Msg("step.tensor.leaf", name=name, value=value), (key,)

    def on_op(self, e):
        out, oname, value = self.tkey(e.output, e), self.name(e.output), fmt(e.value)
        self.rg[e.output] = e.node is not None
        for k in self.b.touched[e.index]:
            if not self.get(k).shown:
                self.set(k, shown=True, status="new")
        if e.node is None:
            box = f"o{e.index}"
            self.set(box, shown=True, status="new", info=self.no_grad_fn)
            self.set(out, shown=True, status="new", value=value, rg=False, grad="None", tag="")
            wanting = [self.name(t) for t in dict.fromkeys(e.inputs) if t is not None and self.rg.get(t)]
            if wanting:  # an input requires grad, yet no graph: grad mode was off (no_grad, inference_mode)
                return Msg("step.op.grad_mode_off", expr=self.expr(e), name=oname, value=Num(e.value),
                           inputs=wanting, n=len(wanting)), (box, out)
            return Msg("step.op.no_graph", expr=self.expr(e), name=oname, value=Num(e.value)), (box, out)
        box = f"n{e.node}"
        node = self.nodes.get(box)
        saved = node.saved if node is not None else ()
        if node is not None and any(h == self.b.a_number for _, h in saved):  # "saves 2", not "saves a number"
            saved = node.saved = tuple((a, self.constant(e, a) or h) if h == self.b.a_number else (a, h)
                                       for a, h in saved)
        self.set(box, shown=True, status="new", freed=False,
                 info=self.label("player.info.saved", names=", ".join(h for _, h in saved)) if saved else "")
        self.set(out, shown=True, status="new", value=value, rg=True, grad="None", tag="")
        nexts = []
        for j, nid in enumerate(e.next):
            what = (Msg("step.an_input") if j >= len(e.inputs) else self.name(e.inputs[j]) if e.inputs[j] is not None
                    else self.operand(e, j) or self.b.a_number)
            nexts.append(Msg("step.op.next_none", input=what) if nid is None else
                         Msg("step.op.next_fn", fn=self.node_label(f"n{nid}"), input=what))
        if len(nexts) > MANY:  # torch.stack of 100 tensors: say how many, not which
            nexts = [Msg("step.op.next_many", n=len(nexts))]
        on_view = e.inplace and e.op != "index_put_" and (e.node_name or "").endswith("CopySlices")  # x[1:3].add_(1)
        return Msg("step.op.inplace_view" if on_view else "step.op.inplace" if e.inplace else "step.op.creates",
                   expr=self.expr(e),
                   name=oname if e.inplace else _code.receiver(oname),
                   node=e.node_name, nexts=nexts,
                   saved=[Msg("step.op.saved_item", holder=h, attr=a) for a, h in saved]), (box, out)

    def expr(self, e) -> str:
        """``y = w * x``: the code that made the op's output: the source line when its value is this op,
        the output's own name when the output is named by its expression (``(a * 2).sum()``'s inner
        ``a * 2``), else rebuilt from the event with the brackets Python needs (``record.names``)."""
        oname, src = self.name(e.output), e.source
        text = _without_comment(src.text) if src is not None and src.text else ""
        if text and e.inplace and (self.b.ops_in_run.get(e.index) == 1 or e.node_name.endswith("CopySlices")) and (
                _code.is_call_of(text, e.op) or _code.augmented(text)):
            return text  # e.mul_(3), e += 2
        code = self.code_of(e)
        if code is not None:
            return f"{oname} = {code}" if e.output in self.b.names else code
        ins = [self.name(t) if t is not None else self.b.a_number for t in e.inputs]
        sym = _SYMBOL.get(e.op)
        if sym and len(ins) in (1, 2):
            rhs = _code.binop(ins[0], sym, ins[1] if len(ins) == 2 else self.label("step.a_number"))
        elif ins:
            rhs = _code.method_call(ins[0], e.op, ins[1:])
        else:
            rhs = f"{e.op}()"
        return f"{oname} = {rhs}"

    def code_of(self, e) -> str | None:
        """The source of the expression op ``e`` evaluated, if the code shows it: the value assigned
        to the variable that names its output (``s = (a * 2).sum()``), or the output's name when it is
        named by its expression (``a * 2``); None otherwise (a loop's ``x #3``, code with no source)."""
        oname, src = self.name(e.output), e.source
        if e.inplace:  # the statement itself: e.mul_(3), or e += 2 read as e + 2
            text = _without_comment(src.text) if src is not None and src.text else ""
            if not text or self.b.ops_in_run.get(e.index) != 1:
                return None
            return text.strip() if _code.is_call_of(text, e.op) else _code.augmented(text)
        if e.output in self.b.names:
            if src is None or not src.text:
                return None
            target, value = _code.assignment(_without_comment(src.text))
            return value if target is not None and target in (oname, _code.NUMBERED.sub("", oname)) else None
        if e.output in self.b.expr_names and "›" not in oname:
            return self.b.full_name(e.output)
        return None

    def operand(self, e, j: int) -> str | None:
        """The source of the op's input ``j`` where it is a Python number (``3`` in ``a ** 3``)."""
        code = self.code_of(e)
        return _code.operand(code, j) if code else None

    def constant(self, e, attr: str) -> str | None:
        """The Python number an op saved (``_saved_other`` of ``a * 2`` is 2), if the code shows it."""
        j = SAVED_INPUT.get(attr)
        return self.operand(e, j) if j is not None and j < len(e.inputs) and e.inputs[j] is None else None

    def on_backward(self, e):
        self.clear_residue()
        self.call += 1
        self.in_call = True
        self.call_inputs, self.call_leaves = tuple(e.inputs or ()), {}
        roots = []
        for r, seed in zip(e.roots, e.seeds):
            key = self.tkey(r, e)
            self.set(key, shown=True, status="active", tag=self.label("player.tag.start", grad=fmt(seed)))
            ek = self.b.fn_edge.get(key)  # the link to its grad_fn: where the seed gradient enters the graph
            if ek is not None:
                self.set(ek, shown=True, status="active")
            roots.append(key)
        params = dict(roots=[self.name(r) for r in e.roots], seeds=[Num(s) for s in e.seeds],
                      retain=Msg("step.retain" if e.retain_graph else "step.no_retain"))
        if e.call == "autograd.grad":
            return Msg("step.grad.start", inputs=[self.name(i) for i in e.inputs], **params), tuple(roots)
        return Msg("step.backward.start", **params), tuple(roots)

    def on_node(self, e):
        box = f"n{e.node}"
        self.ran.add(box)
        self.residue.add(box)
        self.set(box, shown=True, status="running")
        active = [box]
        t = self.b.tensor_of_fn.get(box)
        if t is not None:  # the gradient arriving here is the gradient of the tensor this node made
            self.set(t, shown=True, status="active")
            self.set(self.b.fn_edge[t], shown=True, status="active")
            active.append(t)
        sends = []
        inputs = self.b.op_inputs.get(box, ())
        for j, grad in enumerate(e.grad_inputs):
            ek = self.b.slot_edge.get((box, j))
            if ek is None:
                if j < len(inputs) and inputs[j] is not None:
                    sends.append(Msg("step.node.send_no_grad", name=self.name(inputs[j])))
                continue
            target = self.describe(self.edges[ek].dst)
            if grad is None:
                sends.append(Msg("step.node.send_nothing", to=target))
                continue
            self.set(ek, shown=True, status="active", grad=fmt(grad))
            self.residue.add(ek)
            active.append(ek)
            sends.append(Msg("step.node.send", grad=Num(grad), to=target))
        if len(sends) > MANY:
            msg = Msg("step.node.runs_many", name=e.name, grad=Num(e.grad_output), n=len(sends))
        else:
            msg = Msg("step.node.runs", name=e.name, grad=Num(e.grad_output), sends=sends)
        return chain.explain(self, e, msg), tuple(active)  # how each gradient sent is made (view/chain.py)

    def on_accumulate(self, e):
        acc, leaf, name = f"n{e.node}", self.tkey(e.tensor, e), self.name(e.tensor)
        if e.before is None:  # PyTorch sets .grad (to the incoming gradient); there is nothing to add to
            info = self.label("player.info.grad_set", value=fmt(e.after))
            msg = Msg("step.accumulate.set", name=name, value=Num(e.after))
        else:
            info = self.label("player.info.grad_add", before=fmt(e.before), added=fmt(e.added), after=fmt(e.after))
            which = "step.accumulate.again" if _nonzero(e.before) else "step.accumulate.add"
            msg = Msg(which, name=name, before=Num(e.before), added=Num(e.added), after=Num(e.after))
        self.ran.add(acc)
        self.residue.add(acc)
        self.set(acc, shown=True, status="running", info=info)
        ek = self.b.fn_edge.get(acc)
        if ek is not None:
            self.set(ek, shown=True, status="active")
        self.set(leaf, shown=True, status="active", grad=fmt(e.after))
        self.call_leaves[e.tensor] = e.after
        return msg, (acc, leaf)

    def on_hook(self, e):
        box = f"n{e.node}" if e.node is not None else None
        tid = e.tensor
        key = self.tkey(tid, e) if tid is not None else None
        if key is None and box is not None and e.which in ("tensor", "retain_grad"):
            # a hook on a non-leaf tensor runs with its grad_fn: the tensor is the one that node made
            key = self.b.tensor_of_fn.get(box)
        tname = self.name(tid) if tid is not None else (self.nodes[key].label if key in self.nodes else "")
        gin = [Num(x) for x in (e.grad_in or ())] or Msg("step.nothing")
        if e.which == "retain_grad":
            value = e.grad_out[0] if e.grad_out else None
            self.set(key, shown=True, status="active", grad=fmt(value), tag=self.label("player.tag.retain_grad"))
            return Msg("step.hook.retain_grad", name=tname, value=Num(value)), (key,)
        fn = e.fn if e.fn not in (None, "None") else self.label("step.a_hook")
        same = e.grad_out is None or list(e.grad_out) == list(e.grad_in or ())
        if same:
            tag = self.label("player.tag.hook", fn=fn)
        else:
            tag = self.label("player.tag.hook_replaces", grad_in=", ".join(fmt(x) for x in (e.grad_in or ())),
                             grad_out=", ".join(fmt(x) for x in e.grad_out))
        effect = Msg("step.hook.same") if same else Msg("step.hook.replaces", grad=[Num(x) for x in e.grad_out])
        if e.which == "tensor" and key is not None:
            self.set(key, shown=True, status="active", tag=tag)
            active = [key]
            ek = self.b.fn_edge.get(key)  # the link to the grad_fn that will receive what the hook returns
            if ek is not None:
                self.set(ek, shown=True, status="active")
                active.append(ek)
            if not same and box is not None and len(e.grad_out) == 1:
                # PyTorch runs a tensor's hooks before its grad_fn and hands the node what they return: the
                # arrow that brought the gradient says so ("1. → 2."), as the node's step says "receives 2"
                into = [k for k, ed in self.edges.items() if ed.kind == "grad" and ed.dst == box
                        and k in self.residue and self.get(k).grad]
                if len(into) == 1:
                    self.set(into[0], shown=True, status="active",
                             grad=self.label("player.edge.hook_replaced", before=self.get(into[0]).grad,
                                             after=fmt(e.grad_out[0])))
                    active.append(into[0])
            return Msg("step.hook.tensor", fn=fn, name=tname, grad=gin, effect=effect), tuple(active)
        if e.which == "post_accumulate":
            self.set(key, shown=True, status="active", tag=self.label("player.tag.post_accumulate", fn=fn))
            return Msg("step.hook.post_accumulate", fn=fn, name=tname), (key,)
        pre = e.which == "prehook"
        self.set(box, shown=True, status="active",
                 tag=self.label("player.tag.prehook" if pre else "player.tag.hook", fn=fn) if same else tag)
        owner = self.node_label(box) if box else Msg("step.a_node")
        return Msg("step.hook.prehook" if pre else "step.hook.node", fn=fn, owner=owner, grad=gin,
                   effect=effect), ((box,) if box else ())

    def on_release(self, e):
        box = f"n{e.node}"
        node = self.nodes.get(box)
        holders = dict(node.saved) if node is not None else {}
        names = [holders.get(s, s.replace("_saved_", "")) for s in e.saved]
        self.set(box, shown=True, status="active", freed=True,
                 info=self.label("player.info.freed", names=", ".join(names)))
        saved = [Msg("step.release.item", attr=s, holder=holders[s]) if s in holders else s for s in e.saved]
        return Msg("step.release", name=e.name, saved=saved or Msg("step.release.its_values")), (box,)

    def on_done(self, e):
        self.in_call = False
        parts, active = [], []
        if e.call == "autograd.grad":
            for tid, r in zip(self.call_inputs, e.results):
                key = self.tkey(tid, e)
                self.set(key, shown=True, status="active", tag=self.label("player.tag.grad_result", value=fmt(r)))
                active.append(key)
                parts.append(Msg("step.grad.done_item", value=Num(r), name=self.name(tid)))
            if len(parts) > MANY:
                name, value = _largest_of([(self.name(t), r) for t, r in zip(self.call_inputs, e.results)])
                return Msg("step.grad.done_many", n=len(parts), value=Num(value), name=name), tuple(active)
            return Msg("step.grad.done", results=parts or Msg("step.nothing")), tuple(active)
        for t, after in self.call_leaves.items():
            key = self.tkey(t, e)
            self.set(key, shown=True, status="active")
            parts.append(Msg("step.backward.done_item", name=self.name(t), value=Num(after)))
            active.append(key)
        if len(parts) > MANY:  # "64 gradients arrived; the largest, 1.61, at w" (the table has the rest)
            name, value = _largest_of([(self.name(t), v) for t, v in self.call_leaves.items()])
            return Msg("step.backward.done_many", n=len(parts), value=Num(value), name=name), tuple(active)
        return Msg("step.backward.done" if parts else "step.backward.done_nothing", grads=parts), tuple(active)

    def on_error(self, e):
        self.in_call = False
        box = f"n{e.node}" if e.node is not None else None
        if box is not None:
            self.set(box, False, shown=True, status="error", tag=self.label("player.tag.error", error=e.error))
        why = self.explain and self.explain(self, e)  # the cause, on the graph (view/explain.py), if it is known
        if why:
            return Msg("step.error.explained", error=e.error, why=why[0], message=e.message), why[1]
        return (Msg("step.error", error=e.error, message=e.message), ()) if box is None else (
            Msg("step.error.at", error=e.error, node=e.name, message=e.message), (box,))

    def on_zero(self, e):
        key, name = self.tkey(e.tensor, e), self.name(e.tensor)
        if e.how == "set_to_none":
            self.set(key, shown=True, status="active", grad="None", tag=self.label("player.tag.grad_none"))
            return Msg("step.zero.set_to_none", name=name, before=Num(e.before)), (key,)
        zeros = np.zeros_like(np.asarray(e.before, dtype=float)) if e.before is not None else np.zeros(())
        zero = fmt(zeros)
        if e.how == "data.zero_":
            self.set(key, shown=True, status="active", value=zero, tag=self.label("player.tag.zero_"))
            return Msg("step.zero.data", name=name), (key,)
        self.set(key, shown=True, status="active", grad=zero, tag=self.label("player.tag.grad_zero_"))
        return Msg("step.zero.grad", name=name, before=Num(e.before), after=Num(zeros.tolist())), (key,)

    def on_set_grad(self, e):
        """``w.grad = g`` or ``w.grad = None`` (``zero_grad()`` does the latter): the box's grad changes."""
        key, name = self.tkey(e.tensor, e), self.name(e.tensor)
        if e.after is None:
            self.set(key, shown=True, status="active", grad="None", tag=self.label("player.tag.grad_none"))
            by_zero_grad = e.source is not None and "zero_grad(" in (e.source.text or "")
            return Msg("step.set_grad.zero_grad" if by_zero_grad else "step.set_grad.none", name=name,
                       before=Num(e.before)), (key,)
        self.set(key, shown=True, status="active", grad=fmt(e.after), tag=self.label("player.tag.grad_set", value=fmt(e.after)))
        return Msg("step.set_grad.tensor", name=name, before=Num(e.before), after=Num(e.after)), (key,)

    def on_update(self, e):
        key, name = self.tkey(e.tensor, e), self.name(e.tensor)
        self.set(key, shown=True, status="active", value=fmt(e.after),
                 tag=self.label("player.tag.update", before=fmt(e.before), after=fmt(e.after)))
        if is_optimizer_step(e):
            return Msg("step.update.optimizer", name=name, before=Num(e.before), after=Num(e.after)), (key,)
        text = _without_comment(e.source.text) if e.source is not None and e.source.text else ""
        call = (text.strip() if text and (_code.is_call_of(text, e.op) or _code.augmented(text))  # w -= lr * w.grad
                else _code.method_call(name, e.op, ["…"]))
        return Msg("step.update.inplace", call=call, name=name, before=Num(e.before), after=Num(e.after)), (key,)

    def on_other(self, e):  # pragma: no cover - an event kind added to the core later
        return Msg("step.other", kind=e.kind), ()


def _short(text: str, n: int = 32) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def _optimizer_event(e) -> bool:
    """An event of ``optimizer.step()``: the update of a parameter, or the read of its ``.grad``."""
    return (e.kind == "update" or e.kind == "tensor" and e.how == "existing") and is_optimizer_step(e)


def is_optimizer_step(e) -> bool:
    """An update event made by ``optimizer.step()`` (rather than by an in-place op the student wrote)."""
    return e.source is not None and "step(" in (e.source.text or "")


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


def _magnitude(v) -> tuple[float, float]:
    """(|x|, x) of the largest-magnitude element of a gradient (a float, nested lists, or a summary dict)."""
    if type(v) is float:
        return abs(v), v
    if v is None:
        return -1.0, 0.0
    if isinstance(v, dict):
        lo, hi = float(v.get("min", 0.0)), float(v.get("max", 0.0))
        return (abs(lo), lo) if abs(lo) > abs(hi) else (abs(hi), hi)
    a = np.asarray(v, dtype=float).ravel()
    if a.size == 0:
        return -1.0, 0.0
    i = int(np.nanargmax(np.abs(a))) if not np.all(np.isnan(a)) else 0
    return abs(float(a[i])), float(a[i])


def _largest_of(pairs) -> tuple:
    """(name, value) of the largest gradient among ``(name, gradient)`` pairs; the first one on ties."""
    best, out = -2.0, ("", 0.0)
    for name, v in pairs:
        m, x = _magnitude(v)
        if m > best:
            best, out = m, (name, x)
    return out


def summarise(g, first: int, last: int) -> Msg:
    """What steps ``first`` to ``last`` of ``g`` did, as one message (``TraceGraph.summary`` says it)."""
    steps = g.steps[first:last + 1]
    u = g.unit(last) or steps[-1].group
    where = g.groups[u].label if u is not None else Msg("step.summary.these_steps", first=first + 1, last=last + 1)
    ran = sum(1 for s in steps if s.kind == "node")
    arrived = []
    for s in steps:
        if s.kind == "accumulate" and s.message is not None:
            p = s.message.params
            v = p.get("after", p.get("value"))
            arrived.append((p.get("name", ""), v.value if isinstance(v, Num) else v))
    if arrived:
        name, value = _largest_of(arrived)
        return Msg("step.summary.backward", where=where, nodes=ran, grads=len(arrived), value=Num(value), name=name)
    if ran:
        return Msg("step.summary.ran", where=where, nodes=ran)
    made: dict = {}
    for s in steps:
        if s.kind == "op" and s.message is not None and s.message.params.get("node"):
            made[s.message.params["node"]] = made.get(s.message.params["node"], 0) + 1
    if made:
        fns = [Msg("step.summary.count", name=k, n=n) for k, n in list(made.items())[:MANY]]
        return Msg("step.summary.forward", where=where, ops=sum(made.values()), fns=fns)
    if all(s.kind == "tensor" for s in steps):
        return Msg("step.summary.tensors", where=where, n=len(steps))
    return Msg("step.summary.steps", where=where, n=len(steps))
