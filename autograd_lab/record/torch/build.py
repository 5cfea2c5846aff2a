"""The building half of the real-torch recorder (recorder.py): the raw records it queued,
built into events in order (``flush``): ops with their inputs, ``grad_fn``, ``next_functions``
and saved-value names, the nodes inside one call (``linear``'s ``TBackward0``), in-place ops.
Its backward half (hooks, node runs, releases, errors) is backward.py.
"""
from __future__ import annotations

import re

from ..layout import NodeEvent, OpEvent, TensorEvent, UpdateEvent, ZeroEvent
from .vocab import EVENT, LINK, MODULE, NODE, NOT_KEPT, SEE, Light, Ref

# Factories: their result is a new leaf ("tensor" events), even when they take a tensor (``ones_like``).
FACTORIES = frozenset({"tensor", "ones", "zeros", "ones_like", "zeros_like", "full", "full_like", "empty",
                        "empty_like", "rand", "randn", "randint", "rand_like", "randn_like", "arange",
                        "linspace", "logspace", "eye", "as_tensor", "from_numpy", "scalar_tensor"})
HIDDEN = "<not visible>"  # the value of a tensor made inside one torch call, which never reaches Python
_DUNDER_OPS = {"getitem": "index", "rsub": "rsub", "rmul": "mul", "radd": "add", "rtruediv": "div",
               "truediv": "div", "rdiv": "div", "rpow": "pow", "rmatmul": "matmul", "floordiv": "floor_divide"}


class BuildRecorder:
    """Mixed into TorchRecorder, whose ids, values, events and raw queue it uses."""

    # ------------------------------------------------------------------ the queue, built
    def safe_record(self, name, args, kwargs, targets, result, before, src) -> None:
        try:
            self.record_op(name, args, kwargs, targets, result, before, src)
        except Exception as e:  # an op we cannot describe: an opaque box with torch's name
            self.emit(OpEvent, src, op=name, inputs=(), output=None, value=f"<{type(e).__name__}>", shape=None,
                      requires_grad=False, node=None, node_name=None, next=(), next_vars=(), saved=(), inplace=False,
                      module=self.module_now)

    def flush(self) -> None:
        """Build the raw records into events, in order (before anything they show can change in
        place: an in-place op; at the latest when the trace's events are read)."""
        raw = self.raw
        if not raw or self.building:
            return
        self.raw, self.held, self.compacted = [], [], 0
        Tensor = (self.Tensor, Light)  # (Light: a tensor of a long loop's later iteration, thin.py)
        self.building = True
        try:
            for k, rec in _records(raw):
                if k is NODE:
                    _, node, src, mode, call, n = rec[:6]
                    r = self.ref(node)
                    try:
                        self.build_node(r, rec[6:6 + n], rec[7 + n:], src, mode, call)
                    except Exception:  # a node we cannot describe: shown by name, with no gradients
                        self.put(NodeEvent, src, NodeEvent.pack(node=self.tid(r), name=r.label, grad_output=None,
                                                                grad_inputs=(), next=r.next))
                    continue
                try:
                    if k is EVENT:
                        self.put(rec[1], rec[2], rec[3])
                        continue
                    if k is SEE:
                        self.see(rec[1], rec[2])
                        continue
                    if k is MODULE:
                        self.module_now = rec[1]
                        continue
                    if k is LINK:
                        r = rec[1]
                        if not r.next and r.var is None and r.node is not None:
                            self.at = rec[3]  # (the backward call's line names inner nodes found)
                            self.link(r, rec[2], r.node.next_functions)
                        continue
                except Exception:
                    continue
                name, code, line, lasti, result, kwargs = rec[:6]
                args = rec[7:]
                targets = [a for a in args if isinstance(a, Tensor)]
                if kwargs:
                    targets += [v for v in kwargs.values() if isinstance(v, Tensor)]
                if code is None:
                    self.at, src = None, line
                else:
                    if line is None:
                        line = self.trace._line_at(code, lasti)
                    self.at, src = ((code, lasti) if lasti >= 0 else None), self.source_at(code, line)
                self.safe_record(name, args, kwargs, targets, result, None, src)
        finally:
            self.building = False

    def record_op(self, name, args, kwargs, targets, result, before, src) -> None:
        Tensor = (self.Tensor, Light)
        self.op_args = args  # (an inner node's value is read from the call's own arguments: link_walk)
        if isinstance(result, Tensor):
            outs = [result]
        elif isinstance(result, (tuple, list)) and result and all(isinstance(r, Tensor) for r in result):
            outs = list(result)
        else:
            return
        opname = _op_name(name)
        for out in outs:
            if before is not None and id(out) in before and name != "requires_grad_":  # in place
                self.record_inplace(opname, out, before[id(out)], targets, src)
                continue
            if name == "requires_grad_" and id(out) in self.grad_owner:  # (zero_grad(set_to_none=False))
                continue
            if name == "detach" or name == "requires_grad_" or (out.grad_fn is None and (
                    name in FACTORIES or not targets)):
                how = {"detach": "detach", "requires_grad_": "requires_grad_"}.get(name, "tensor")
                tid = self.tid(out)
                self.seen.add(tid)
                if self.at is not None and how != "requires_grad_":  # (a creation: named by its line)
                    self.namer.site(tid, self.at[0], self.at[1])
                self.emit(TensorEvent, src, tensor=tid, **self.tensor_fields(out, how))
                continue
            ins, given = [], []
            for a in list(args) + list(kwargs.values()):
                if isinstance(a, Tensor):
                    ins.append(self.see(a, src))
                    given.append(a)
                elif isinstance(a, (int, float, bool)):
                    ins.append(None)
                    given.append(None)
                elif isinstance(a, (tuple, list)):
                    for x in a:
                        if isinstance(x, Tensor):
                            ins.append(self.see(x, src))
                            given.append(x)
            tid = self.tid(out)
            self.seen.add(tid)
            if self.at is not None:
                self.namer.site(tid, self.at[0], self.at[1], opname, tuple(ins))
            self.record_result(opname, tuple(ins), out, tid, src, False, given)

    def record_result(self, opname, ins, out, tid, src, inplace, given=None) -> None:
        node = out.grad_fn
        val, shape = self.now(out), tuple(out.shape)
        if node is None:
            self.emit(OpEvent, src, op=opname, inputs=ins, output=tid, value=val, shape=shape, requires_grad=False,
                      node=None, node_name=None, next=(), next_vars=(), saved=(), inplace=inplace,
                      module=self.module_now)
            return
        r = self.ref(node)
        if r.out is None:
            r.out = out
            self.out_tid[self.tid(r)] = tid
        nf = node.next_functions
        nxt, nvars = self.link(r, src, nf)
        if given is not None and not self.in_order(nf, given):
            ins = self.aligned(ins, nxt, nvars)
        self.emit(OpEvent, src, op=opname, inputs=ins, output=tid, value=val, shape=shape, requires_grad=True,
                  node=self.tid(r), node_name=r.label, next=nxt, next_vars=nvars, saved=r.saved, inplace=inplace,
                  module=self.module_now)

    @staticmethod
    def in_order(nf, given) -> bool:
        """Whether the call's inputs pair with next_functions slot by slot (as for most ops)."""
        if len(nf) != len(given):
            return False
        for (n, _), t in zip(nf, given):
            if t is None or n is None and not t.requires_grad:
                continue
            if n is None or not (t.grad_fn is n or (t.grad_fn is None and _same(getattr(n, "variable", None), t))):
                return False
        return True

    def aligned(self, ins, nxt, nvars) -> tuple:
        """The inputs in the order of next_functions (the view and narration pair them by position):
        as given for most ops; for one call that made several nodes (``linear``), the tensor that
        feeds each slot, then the inputs no slot took."""
        out_tid = self.out_tid
        slots = [v if v is not None else (out_tid.get(n) if n is not None else None) for n, v in zip(nxt, nvars)]
        if len(slots) == len(ins) and all(s is None or s == i for s, i in zip(slots, ins)):
            return ins
        rest = [i for i in ins if i is not None and i not in slots]
        for j, s in enumerate(slots):
            if s is None and nxt[j] is None and rest:
                slots[j] = rest.pop(0)
        return tuple(slots) + tuple(rest)

    def record_inplace(self, opname, out, before, targets, src) -> None:
        _, old, version = before
        tid = self.see(out, src)
        if out.grad_fn is not None and self.torch.is_grad_enabled() and out.requires_grad:
            ins = (tid,) + tuple(self.see(a, src) for a in targets if a is not out)
            self.record_result(opname, ins, out, tid, src, True)
            return
        if opname == "zero_":
            owner = self.grad_owner.get(id(out))
            if owner is not None and owner[0] is out:
                self.emit(ZeroEvent, src, tensor=self.see(owner[1], src), how="zero_", before=old)
            else:
                self.emit(ZeroEvent, src, tensor=tid, how="data.zero_", before=old)
            return
        for a in targets:
            if a is not out:
                self.see(a, src)
        self.emit(UpdateEvent, src, tensor=tid, op=opname, before=old, after=self.now(out))

    def saved_of(self, node, r, nxt=None) -> tuple:
        """The ``_saved_*`` attributes holding a tensor (None: nothing saved; numbers and sizes such as
        ``_saved_alpha`` are not freed by backward, and the core does not list them either)."""
        if nxt is None:
            nxt = node.next_functions
        key = (type(node), tuple([n is None for n, _ in nxt]))
        names = self.saved_cache.get(key)
        if names is None:
            names = []
            for a in type(node).__dict__:  # (torch's own order: the order of the formula's arguments)
                if a.startswith("_saved_"):
                    try:
                        v = getattr(node, a)
                    except RuntimeError:  # saved, but changed in place since: it holds a tensor
                        names.append(a)
                        continue
                    except Exception:
                        continue
                    if isinstance(v, self.Tensor) or (isinstance(v, (tuple, list)) and v
                                                      and all(isinstance(x, self.Tensor) for x in v)):
                        names.append(a)
            names = self.saved_cache[key] = tuple(names)
        return names

    def link(self, r, src, nf):
        """``next`` and ``next_vars`` of a node (``nf``: its next_functions); unseen inner nodes
        (inside a composite op such as ``linear``, or made before the trace) are recorded first
        as ops of their own."""
        refs, tid = self.refs, self.tid
        ids, nvars = [], []
        for n, _ in nf:  # the common case: every next node is known (a leaf's or an earlier op's)
            if n is None:
                ids.append(None)
                nvars.append(None)
                continue
            c = refs.get(id(n))
            if c is None or (c.out is None and c.var is None):  # (not shown yet: hooked by a backward only)
                return self.link_walk(r, src)
            ids.append(tid(c))
            if c.var is not None:
                if c.vt is None:
                    c.vt = self.see(c.var, src)
                    self.trace.leaf_of[tid(c)] = c.vt
                    self.acc_of[c.vt] = c
                nvars.append(c.vt)
            else:
                nvars.append(None)
        r.next = tuple(ids)
        r.saved = self.saved_of(r.node, r, nf)
        return r.next, tuple(nvars)

    def transposed(self, var, vt):
        """(value, shape) of ``linear``'s hidden ``weight.T`` as the call saw the weight: read from the
        call's own argument when it is at hand (in a long loop's later iteration a Light, thin.py, whose
        value may not be kept); else from the weight itself, built before it could change (not thin)."""
        args = getattr(self, "op_args", ())
        arg = next((a for a in args if getattr(a, "_tid", None) == vt), None)
        if arg is not None:
            v = self.value(arg)
            if v == NOT_KEPT:  # (its shape is still known: the Light keeps it)
                return v, (tuple(arg.shape)[::-1] if len(arg.shape) == 2 else None)
            return _transposed(v)
        if any(a.__class__ is Light for a in args):  # (built late, from thinned records: the weight has moved on)
            return NOT_KEPT, None
        return _transposed(self.value(var))

    def link_walk(self, r, src):
        pending = [(r, False)]
        result = None
        refs, visited = self.refs, {id(r.node)}
        while pending:
            cur, expanded = pending.pop()
            node = cur.node
            nxt = [n for n, _ in node.next_functions]
            if not expanded:
                pending.append((cur, True))
                for n in nxt:
                    if n is None or id(n) in visited:
                        continue
                    visited.add(id(n))
                    child = refs.get(id(n))
                    if child is None or (child.out is None and child.var is None):  # (not shown yet)
                        child = self.ref(n)
                        if child.var is None:
                            pending.append((child, False))
                continue
            ids, nvars = [], []
            for n in nxt:
                if n is None:
                    ids.append(None)
                    nvars.append(None)
                    continue
                c = self.ref(n)
                ids.append(self.tid(c))
                if c.var is not None:
                    vt = c.vt = self.see(c.var, src)
                    self.trace.leaf_of[self.tid(c)] = vt
                    self.acc_of[vt] = c
                    nvars.append(vt)
                else:
                    nvars.append(None)
            cur.next = tuple(ids)
            cur.saved = self.saved_of(node, cur)
            if cur is r:
                result = (tuple(ids), tuple(nvars))
            elif cur.out is None:  # an inner node: an op with a tensor the user never had
                cur.out = Ref(None, "")
                self.out_tid[self.tid(cur)] = self.tid(cur.out)
                ins = tuple(nv if nv is not None else self.out_tid.get(i) for i, nv in zip(ids, nvars))
                if self.at is not None:  # (named by the user's line, as an op inside its call)
                    self.namer.site(self.tid(cur.out), self.at[0], self.at[1], _op_of_node(cur.label),
                                    tuple(i for i in ins if i is not None), inner=True)
                value, shape = HIDDEN, None
                if cur.label == "TBackward0" and len(nxt) == 1 and nvars[0] is not None:  # a parameter transposed
                    value, shape = self.transposed(self.ref(nxt[0]).var, nvars[0])
                self.emit(OpEvent, src, op=_op_of_node(cur.label), inputs=ins, output=self.tid(cur.out), value=value,
                          shape=shape, requires_grad=True, node=self.tid(cur), node_name=cur.label, next=tuple(ids),
                          next_vars=tuple(nvars), saved=cur.saved, inplace=False, module=self.module_now)
        return result


def _transposed(v):
    """(value, shape) of a 2-d value's transpose from its snapshot (``linear``'s ``weight.T``, which torch
    never hands to Python), without calling torch while the queue is built; (HIDDEN, None) otherwise."""
    if isinstance(v, list) and v and isinstance(v[0], list):
        rows = [list(r) for r in zip(*v)]
        return rows, (len(rows), len(v))
    if isinstance(v, dict) and len(v.get("shape", ())) == 2:
        return dict(v, shape=v["shape"][::-1]), tuple(v["shape"][::-1])
    return HIDDEN, None


def _records(raw):
    """(kind, record) of each record in a flat raw queue (``TorchRecorder.raw``), a tuple each:
    op:    name, code, line, lasti, result, kwargs, n, *args   (code None: line is the Source; line None: from lasti)
    node:  NODE, torch's node, source, release check, backward call, n, *grad_inputs, m, *grad_outputs
    event: EVENT, event type, source, fields
    see:   SEE, tensor, source
    link:  LINK, Ref, source, (code, lasti) of the backward call
    module: MODULE, the module call the next ops run in (record/modules.py)"""
    i, n = 0, len(raw)
    while i < n:
        k = raw[i]
        if k is NODE:
            j = i + 6 + raw[i + 5]
            j += 1 + raw[j]
        elif k is EVENT or k is LINK:
            j = i + 4
        elif k is SEE:
            j = i + 3
        elif k is MODULE:
            j = i + 2
        else:
            j = i + 7 + raw[i + 6]
        yield k, tuple(raw[i:j])
        i = j


def _same(var, t) -> bool:
    """Is ``t`` (a tensor, or its Light) the leaf ``var``?"""
    return var is t or (t.__class__ is Light and var is not None and getattr(var, "_tid", None) == t._tid)


def as_text(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, tuple) and all(x is None or isinstance(x, int) for x in v):
        return v
    return repr(v)[:200]


def _op_name(name: str) -> str:
    if name.startswith("__") and name.endswith("__"):
        core = name[2:-2]
        if core in _DUNDER_OPS:
            return _DUNDER_OPS[core]
        if core.startswith("i") and core[1:] in ("add", "sub", "mul", "truediv", "div", "pow", "matmul"):
            return _DUNDER_OPS.get(core[1:], core[1:]) + "_"
        return core
    return name


def _op_of_node(label: str) -> str:
    """``TBackward0`` -> ``t``: the op an inner node stands for, as ATen spells it
    (``ReshapeAliasBackward0`` -> ``reshape_alias``, ``MaxPool2DWithIndicesBackward0`` ->
    ``max_pool2d_with_indices``, ``LogSoftmaxBackward0`` -> ``log_softmax``)."""
    base = label.split("::")[-1]
    i = base.find("Backward")
    base = base[:i] if i > 0 else base
    return _WORD_START.sub(r"\1_\2", _WORD.sub(r"\1_\2", base)).lower()


_WORD = re.compile(r"(.)([A-Z][a-z]+)")         # a capitalised word after anything: Reshape|Alias
_WORD_START = re.compile(r"([a-z])([A-Z])")      # a capital after a small letter (not after a digit: 2D)
