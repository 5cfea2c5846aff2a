"""The ``nn.Module`` calls of a trace, and what the student's code calls each module.

Both recorders tell a ``ModuleCalls`` of every module call while the block runs (the core's
``nn.Module.__call__`` through ``Trace.enter_module`` / ``exit_module``; real torch through its
global module hooks, record/torch/recorder.py). Each call gets an id (1, 2, ...); an op event's
``module`` field is the id of the innermost call it ran in (None: outside every module). At the
end of the block the modules are named as the code names them (``resolve``): the variable that
holds a called module, or the path to it from one (``net[0]``, ``block.attn``, ``block.mlp[1]``),
the class name when no variable reaches it::

    calls.enter(module)        # -> call id (its parent: the call running now)
    calls.exit(module, out)    # -> the call running after it (None at the top)
    calls.note_roots(namespaces)  # at the block's end (named when first read: ``resolve``)
    calls.table()              # {call id: (parent id, name, class name, output tensor id)}

``Trace.to_json`` keeps ``table()`` (``"modules"``); ``Trace.modules`` reads it.
"""
from __future__ import annotations

__all__ = ["ModuleCalls", "module_path"]

_TRANSPOSES = frozenset({"t", "T", "transpose", "permute", "mT"})


def module_path(root: str, dotted: str) -> str:
    """``named_modules()``'s dotted path written as Python reaches it from variable ``root``:
    ``('net', '0')`` -> ``'net[0]'``, ``('block', 'attn.qkv')`` -> ``'block.attn.qkv'``,
    ``('m', 'layers.1.fc')`` -> ``'m.layers[1].fc'`` (a number indexes a Sequential or ModuleList)."""
    out = root
    for part in dotted.split(".") if dotted else ():
        out += f"[{part}]" if part.isdigit() else f".{part}"
    return out


class ModuleCalls:
    """The module calls of one trace (see the module docstring)."""

    __slots__ = ("calls", "stack", "tid", "_mods", "_parents", "_outs", "codes", "params", "resolved", "done",
                 "roots", "ended")

    def __init__(self, tid=None):
        self.calls: dict = {}     # call id -> [parent id, name, class name, output tensor id] (``resolve``)
        self.stack: list = []     # ids of the calls running now, outermost first
        self.tid = tid            # tensor -> its id (the trace's), for a call's output
        # while the block runs, only what a call costs least to note (one call of a torch hook: ~1 us):
        self._mods: list = []     # call id - 1 -> the module
        self._parents: list = []  # call id - 1 -> the call it ran in (None: at the top)
        self._outs: dict = {}     # call id -> what it returned
        self.codes: dict = {}     # call id -> its forward's code (where its ``self`` is the module)
        self.params: dict = {}    # tensor id of a called module's parameter -> its name (``net[0].weight``)
        self.resolved = False
        self.ended = False        # the block ended (``note_roots``)
        self.roots: list = []     # (variable, module) of the block's variables holding a module
        self.done = 0             # events already named (``offer_names``)

    def __bool__(self) -> bool:
        return bool(self._mods) or bool(self.calls)

    @property
    def current(self):
        return self.stack[-1] if self.stack else None

    def enter(self, module) -> int:
        stack = self.stack
        self._parents.append(stack[-1] if stack else None)
        self._mods.append(module)
        cid = len(self._mods)
        stack.append(cid)
        return cid

    def exit(self, module, output=None):
        """The call of ``module`` ended (normally or by an exception): the call running after it."""
        stack, mods = self.stack, self._mods
        while stack:  # (the innermost call of this module: calls inside it that did not end are ended too)
            cid = stack.pop()
            if cid <= len(mods) and mods[cid - 1] is module:
                if output is not None:
                    self._outs[cid] = output
                break
        return stack[-1] if stack else None

    def _rows(self) -> None:
        """The calls' table from what was noted while the block ran (names: class names until ``resolve``)."""
        for i, (m, parent) in enumerate(zip(self._mods, self._parents), 1):
            if i in self.calls:
                continue
            cls = type(m).__name__
            out = self._outs.get(i)
            oid = None
            if out is not None and self.tid is not None and hasattr(out, "grad_fn"):
                try:
                    oid = self.tid(out)
                except Exception:  # (an output that takes no id: left unnamed)
                    pass
            self.calls[i] = [parent, cls, cls, oid]
            code = getattr(getattr(type(m), "forward", None), "__code__", None)
            if code is not None:
                self.codes[i] = code

    def note_roots(self, namespaces) -> None:
        """At the block's end: the variables holding a module (``namespaces``: dicts of variables, the
        block's first). The names are made from them when first read (``resolve``): the block's end
        costs only this look at its variables."""
        self.roots = [(k, v) for ns in namespaces for k, v in list(ns.items())
                      if not k.startswith("_") and callable(getattr(v, "named_modules", None))]
        self.ended = True

    def resolve(self) -> None:
        """Name every called module as the code reaches it. A call inside a named call is named from
        it (``block`` -> ``block.attn``); a call without one by the variables: one holding the module
        itself, else the shortest path from one holding a module that contains it; else its class name."""
        if self.resolved or not self.ended:
            return
        self.resolved = True
        self._rows()
        objs = dict(enumerate(self._mods, 1))
        if not objs:
            return
        wanted = {id(m) for m in objs.values()}
        direct: dict = {}   # id(module) -> variable holding it
        inside: dict = {}   # id(module) -> shortest path to it from a variable
        for k, v in self.roots:
            if id(v) in wanted:
                direct.setdefault(id(v), k)
            try:
                subs = list(v.named_modules())
            except Exception:
                continue
            for path, m in subs:
                if path and id(m) in wanted:
                    name = module_path(k, path)
                    if id(m) not in inside or len(name) < len(inside[id(m)]):
                        inside[id(m)] = name
        self.roots = []
        paths: dict = {}  # id(a parent module) -> {id(submodule): its dotted path}
        names: dict = {}  # call id -> name
        for cid, m in objs.items():
            parent = self.calls[cid][0]
            name = None
            if parent is not None and parent in names:
                pm = objs[parent]
                subs = paths.get(id(pm))
                if subs is None:
                    try:
                        subs = paths[id(pm)] = {id(sub): path for path, sub in pm.named_modules() if path}
                    except Exception:
                        subs = paths[id(pm)] = {}
                if id(m) in subs:
                    name = module_path(names[parent], subs[id(m)])
            if name is None:
                name = direct.get(id(m)) or inside.get(id(m)) or type(m).__name__
            names[cid] = name
            self.calls[cid][1] = name
            if self.tid is not None:
                try:
                    for pname, p in m.named_parameters(recurse=False):
                        self.params.setdefault(self.tid(p), f"{name}.{pname}")
                except Exception:
                    pass
        self._mods, self._parents, self._outs = [], [], {}

    # ------------------------------------------------------------------ names of what the calls made
    def offer_names(self, namer, events) -> None:
        """Name the tensors the op events since the last call made inside module calls (``namer``:
        record/names.py). An op of a user's forward is named by its line with ``self`` written as the
        module's name (``block.attn.qkv(x)``); the value a call returns at the line that made it keeps
        that line's names (``logits = head(h)``: ``logits``); the others made inside the call are named
        for what they are: the output of an inner call (``net[0] output``), a parameter transposed
        (``net[0].weight.T``), else the op inside its module (``block.attn.qkv › addmm``). The
        parameters of the called modules are named by their path (``block.attn.qkv.weight``)."""
        self.resolve()
        if not self.resolved:
            return
        calls, codes = self.calls, self.codes
        if self.done == 0:
            for tid, name in self.params.items():
                namer.offer(tid, name, 1)
        spans: dict = {}

        def in_forward(cid, src) -> bool:
            code = codes.get(cid)
            if code is None or src is None or src.file != code.co_filename:
                return False
            span = spans.get(cid)
            if span is None:
                lines = [ln for _, _, ln in code.co_lines() if ln is not None] or [code.co_firstlineno]
                span = spans[cid] = (code.co_firstlineno, max(lines))
            return span[0] <= src.line <= span[1]

        outputs: dict = {}  # output tensor id -> the innermost call that returned it
        for cid, row in calls.items():
            if row[3] is not None:
                outputs[row[3]] = cid  # (ids grow inwards: the inner call comes later)
        n = len(events)
        for i in range(self.done, n):
            e = events[i]
            if e.kind != "op" or e.module is None or e.output is None:
                continue
            chain, c = [], e.module
            while c is not None and not in_forward(c, e.source):
                chain.append(c)
                c = calls[c][0]
            if c is not None:  # an op of a user's forward: its ``self`` is that module
                code = codes[c]
                if code.co_varnames:
                    namer.self_of[e.output] = (code.co_varnames[0], calls[c][1])
            if not chain or calls[chain[-1]][3] == e.output:
                continue  # the op itself at its line, or the value of the call made there
            inner = outputs.get(e.output)
            if inner is not None and inner in chain:
                name = f"{calls[inner][1]} output"
            elif e.op in _TRANSPOSES and len(e.inputs) == 1 and e.inputs[0] in self.params:
                name = f"{self.params[e.inputs[0]]}.T"
            else:
                name = f"{calls[chain[0]][1]} › {e.op}"
            namer.fix(e.output, name)
        self.done = n

    def table(self) -> dict:
        """{call id: (parent id, name, class name, output tensor id)}."""
        self.resolve()
        if len(self.calls) < len(self._mods):
            self._rows()
        return {cid: tuple(row) for cid, row in self.calls.items()}
