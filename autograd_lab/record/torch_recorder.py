"""Record real PyTorch's autograd into a ``Trace``: the same events the core records, taken
from torch itself (nothing is re-run in autograd_lab's core).

    import torch, autograd_lab as lab
    with lab.trace() as t:              # torch is imported: its tensors are recorded too
        w = torch.tensor(2.0, requires_grad=True)
        (w * 3).backward()
    lab.Player(t)

autograd_lab never imports torch: ``Trace.__enter__`` starts a ``TorchRecorder`` only when
``sys.modules`` already holds torch. How it sees torch:
- a ``torch.overrides.TorchFunctionMode`` receives every torch call of the block: factories and
  ops (inputs, output, ``grad_fn``, ``next_functions``, ``_saved_*`` names), ``backward`` and
  ``autograd.grad``, ``register_hook``/``retain_grad``, reads and writes of ``.grad``;
- around each backward call, a hook on every node reachable from the roots reports each node
  as torch's engine runs it, with its gradients in and out (AccumulateGrad: ``.grad`` before and
  after); pre-hooks only where needed (torch_backward.py); all are removed after the call;
- after a node ran in a non-retaining backward, reading one of its ``_saved_*`` attributes
  must raise: only then is a ``release`` event recorded;
- the user's tensor hooks are wrapped (same ``__name__``) so that their firing is recorded.

Recording only queues (``raw``, flat; ``_records`` tells its layout): the events are built when
``t.events`` is first read, or before a torch call that changes a tensor in place, so that each
value shown is the one of its step; a tensor changed in place after the block is shown as
``CHANGED_LATER`` (its version is noted when the block ends). docs/real-torch.md, "Overhead".

Tensors of another device, sparse or complex tensors get a text value (``"<sparse_coo
tensor>"``); an op whose result cannot be described is recorded as an opaque op with torch's
name: recording never raises into the user's code. Walks of the graph are iterative.
"""
from __future__ import annotations

import functools
import inspect
import linecache
import os
import sys

from .events import NodeEvent, OpEvent, Source, TensorEvent, UpdateEvent, ZeroEvent, snapshot
from .torch_backward import _ACC, _EVENT, _LINK, _NODE, _SEE, BackwardRecorder, _kind, _Later, _Ref

__all__ = ["TorchRecorder", "trace_torch_snippet", "torch_available"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # autograd_lab/
_SKIP_PREFIXES = [_PACKAGE_DIR, os.path.dirname(functools.__file__) + os.sep + "contextlib.py"]

# Factories: their result is a new leaf ("tensor" events), even when they take a tensor (``ones_like``).
_FACTORIES = frozenset({"tensor", "ones", "zeros", "ones_like", "zeros_like", "full", "full_like", "empty",
                        "empty_like", "rand", "randn", "randint", "rand_like", "randn_like", "arange",
                        "linspace", "logspace", "eye", "as_tensor", "from_numpy", "scalar_tensor"})
# Calls that make no event of their own.
_QUIET = frozenset({"dim", "size", "numel", "item", "tolist", "numpy", "__len__", "__repr__", "__format__",
                    "__bool__", "__float__", "__int__", "__index__", "__iter__", "__hash__", "__contains__",
                    "is_floating_point", "is_complex", "stride", "storage_offset", "data_ptr",
                    "untyped_storage", "register_hook", "retain_grad", "is_nonzero", "equal", "allclose",
                    "register_post_accumulate_grad_hook", "__reduce_ex__", "__deepcopy__", "element_size",
                    "nelement", "type", "get_device", "__array__", "__dlpack__", "__setstate__",
                    "__get__", "__set__", "__delete__"})
_INPLACE_DUNDERS = frozenset({"__iadd__", "__isub__", "__imul__", "__itruediv__", "__idiv__", "__ifloordiv__",
                              "__imod__", "__ipow__", "__imatmul__", "__iand__", "__ior__", "__ixor__",
                              "__ilshift__", "__irshift__", "__setitem__"})
_SHARES_MEMORY = frozenset({"numpy", "__array__", "__dlpack__", "data_ptr", "untyped_storage", "storage",
                            "__array_interface__"})
_NOT_HOT = frozenset({"detach", "requires_grad_", "T", "mT", "H", "mH"})
HIDDEN = "<not visible>"  # the value of a tensor made inside one torch call, which never reaches Python
_DUNDER_OPS = {"getitem": "index", "rsub": "rsub", "rmul": "mul", "radd": "add", "rtruediv": "div",
               "truediv": "div", "rdiv": "div", "rpow": "pow", "rmatmul": "matmul", "floordiv": "floor_divide"}


CHANGED_LATER = "<changed in place after the with block>"


_BACKWARD_CALLS: dict = {}


_CODE_FLAGS: dict = {}  # id(code) -> (is it torch's or autograd_lab's code, the code: keeps the id valid)
def _backward_calls(torch):
    """torch's backward calls -> their name, their signatures, the folders of code that is not the
    user's, torch.nn's folder (made once per torch: about 50 us)."""
    calls = _BACKWARD_CALLS.get(id(torch))
    if calls is None or calls[0] is not torch:
        names = {torch.autograd.grad: "autograd.grad", torch.Tensor.backward: "backward",
                 torch.autograd.backward: "backward"}
        torch_dir = os.path.dirname(os.path.abspath(torch.__file__)) + os.sep
        calls = _BACKWARD_CALLS[id(torch)] = (torch, names, {f: inspect.signature(f) for f in names},
                                              tuple(_SKIP_PREFIXES + [torch_dir]), torch_dir + "nn" + os.sep)
    return calls[1:]


def torch_available():
    """The torch module when the user has imported it (never imported here), else None."""
    return sys.modules.get("torch")


_MODE_CLASS = None
_NO_KWARGS: dict = {}  # (shared by the calls without keywords: never changed)
_getframe = sys._getframe
_HOT: set = set()  # torch functions seen to be plain ops (no factory, not in place): the fast path, in any trace


def _mode_class(torch):
    """A TorchFunctionMode subclass that hands every call to its recorder (made once torch is there)."""
    global _MODE_CLASS
    if _MODE_CLASS is None:
        class _RecordingMode(torch.overrides.TorchFunctionMode):
            def __init__(self, rec):
                super().__init__()
                self.rec = rec

            def __torch_function__(self, func, types, args=(), kwargs=None):
                rec = self.rec
                if kwargs or func not in _HOT:
                    return rec.call(func, args, kwargs or _NO_KWARGS)
                # a plain op without keywords (the common case): a raw record, built later (``flush``)
                # (the same as TorchRecorder.call's first lines, here to save a call per op)
                result = func(*args)
                f = _getframe(1)
                flag = _CODE_FLAGS.get(id(f.f_code))
                if flag is None or flag[0]:
                    f = rec.user_frame()
                if rec.trace._override is not None:  # (a source forced by set_source: kept as it is now)
                    rec.raw += (func.__name__, None, rec.trace._override, -1, result, _NO_KWARGS, len(args), *args)
                elif f is not None:  # (its line: from the instruction, when built)
                    rec.raw += (func.__name__, f.f_code, None, f.f_lasti, result, _NO_KWARGS, len(args), *args)
                else:
                    rec.raw += (func.__name__, None, None, -1, result, _NO_KWARGS, len(args), *args)
                held = rec.held
                held.append(result)
                held += args
                return result
        _MODE_CLASS = _RecordingMode
    return _MODE_CLASS


class TorchRecorder(BackwardRecorder):
    """Records the torch calls of one ``with trace():`` block into that trace (see module docstring);
    backward calls and the user's hooks: BackwardRecorder (torch_backward.py)."""

    def __init__(self, trace, torch, frame=None, namespace=None):
        self.trace, self.torch = trace, torch
        self.frame, self.namespace = frame, namespace
        self.Tensor = torch.Tensor
        self.refs: dict[int, _Ref] = {}      # id(grad_fn) -> its _Ref (which keeps the node alive)
        self.seen: set[int] = set()          # tensor ids this recorder has shown
        self.acc_of: dict[int, _Ref] = {}    # leaf tensor id -> its AccumulateGrad's _Ref
        self.grad_owner: dict[int, tuple] = {}  # id(a .grad tensor) -> (that tensor, its leaf)
        self.out_tid: dict[int, int] = {}     # node id -> id of the tensor it made
        self.code_flags = _CODE_FLAGS        # id(code) -> (is it torch's or ours, code): shared by all traces
        self.sources: dict[tuple, Source] = {}  # (per trace: "<torch snippet>" is the file of every snippet)
        self.saved_cache: dict[tuple, tuple] = {}
        self.call_src = None
        self.namer = trace._namer            # the trace's names (record/names.py), shared with the core's
        self.at = None                       # (code, instruction offset) of the op being recorded, for them
        self.retain = True
        self.begin = None    # the backward event of the call being run, until the engine starts
        self.mode = None
        self.hot = _HOT                      # torch functions known to be plain ops (shared by all traces)
        self.raw: list = []                  # raw records of everything recorded, in order, built by flush():
        #                                      flat (no tuple per record, see _records)
        self.held: list = []                 # the tensors (or tuples of them) the raw records show values of
        self.building = False                # flush() is building the raw records into events
        self.checks = 0                      # release checks made for the backward call ``checked_call``
        self.calls, self.checked_call = 0, None  # backward calls so far; the one whose nodes are being built
        self.risky = False                   # an in-place op, a user hook or a grad_fn read seen: every node
        #                                      of a later backward gets a pre-hook (torch_backward.py)
        self.grads_shared = False            # the user may hold a gradient a node sent (note_versions)
        self.freed: set = set()              # ids of nodes run by a non-retaining backward (kept alive by
        #                                      the queue, then by refs)
        self.node_hooks = None               # the hooks put on every node (torch_backward._node_hooks)
        self.seq0 = None                     # torch's next node sequence number when the block began
        self.late = False                    # building the queue after the block (``finish``)
        self.versions = None                 # per queued record: (tensor, its version at the block's end)
        self.stale: set = set()              # ids of queued tensors changed in place after the block
        self.nn_quiet = set()
        self.grad_fn_of, self.signatures, self.skip, self.nn_dir = _backward_calls(torch)

    # ------------------------------------------------------------------ start / stop
    def start(self) -> None:
        try:  # (nodes numbered below it were made before the block)
            self.seq0 = self.torch._C._autograd._get_sequence_nr()
        except Exception:
            self.seq0 = None
        self.mode = _mode_class(self.torch)(self)
        self.mode.__enter__()

    def stop(self) -> None:
        """End of the ``with`` block. The queued raw records are built when the trace's events are
        first read (``Trace.events`` calls ``finish``), as the core's are: recording stays cheap.
        Each queued tensor's version is noted now; one changed in place after the block (when no
        flush can run first) is shown as a text, never with a later value."""
        late = False
        try:
            if self.mode is not None:
                self.mode.__exit__(None, None, None)
            if self.raw:
                self.trace.flush()  # the core's records made before this point come first
                self.versions = self.note_versions()
                self.trace._late = self.finish
                late = True
        finally:
            self.mode = None
            try:
                self.scan_names()
            finally:
                self.frame = None
                if not late:
                    self.finish()

    def note_versions(self) -> tuple:
        """The tensors the raw records show values of (``held``: results and arguments of ops, tensors
        shown, values of events read when built, and the gradients of nodes where the user may hold
        them), each once, and their versions now. A node's gradients are torch's engine's own: the
        user gets hold of them only through a hook, retain_grad, autograd.grad or create_graph=True
        (``grads_shared``)."""
        Tensor, held = self.Tensor, self.held
        ts = []
        for t in dict(zip(map(id, held), held)).values():
            if isinstance(t, Tensor):
                ts.append(t)
            elif isinstance(t, (tuple, list)):  # (the results of one op, or a list argument)
                ts += [x for x in t if isinstance(x, Tensor)]
        return ts, [t._version for t in ts]

    def finish(self) -> None:
        """Build what is still queued, then let torch's graph go."""
        try:
            if self.raw:
                ts, vs = self.versions or ((), ())
                stale = {id(t) for t, v in zip(ts, vs) if t._version != v}
                self.stale, self.late, self.versions = stale, True, None
                self.flush()
        finally:
            self.late = False
            # drop the references to torch's nodes one by one (a deep graph is freed node by node)
            refs = self.refs
            while refs:
                refs.popitem()[1].node = None
            self.grad_owner.clear()

    # ------------------------------------------------------------------ events, ids, sources
    def emit(self, etype, src, *fields) -> None:
        """An event: queued (built in order with the raw records), or added now while they are built."""
        if self.building:
            self.put(etype, src, fields)
        else:
            self.raw += (_EVENT, etype, src, fields)
            if _Later in map(type, fields):
                self.held += [f.t for f in fields if f.__class__ is _Later]

    def put(self, etype, src, fields) -> None:
        if _Later in [f.__class__ for f in fields]:
            fields = tuple([self.value(f.t) if f.__class__ is _Later else f for f in fields])
        events = self.trace._events if self.late else self.trace.events  # (late: the core's later records wait)
        if etype is TensorEvent:  # (the trace's names are numbered in the order tensors are shown)
            self.seen.add(fields[0])
            self.trace._mark_seen(fields[0])
        elif etype is OpEvent and fields[2] is not None:
            self.trace._mark_seen(fields[2])
        try:
            events.append_event(etype(0, src, *fields))
        except Exception:  # a value the event store cannot keep: kept as its text, never an error in user code
            events.append_event(etype(0, src, *[_as_text(f) for f in fields]))

    def tid(self, obj) -> int:
        return self.trace.tid(obj)

    def user_frame(self):
        f = sys._getframe(1)
        flags, skip = self.code_flags, self.skip
        while f is not None:
            code = f.f_code
            flag = flags.get(id(code))
            if flag is None:
                flag = flags[id(code)] = (code.co_filename.startswith(skip), code)
            if not flag[0]:
                return f
            f = f.f_back
        return None

    def source(self):
        """The user's line now; also notes the instruction it is at (``at``) for the names."""
        self.at = None
        if self.trace._override is not None:  # a source forced by set_source (the playground)
            return self.trace._override
        f = self.user_frame()
        if f is None:
            return None
        self.at = (f.f_code, f.f_lasti)
        return self.source_at(f.f_code, f.f_lineno)

    def source_at(self, code, line):
        key = (code.co_filename, line)
        src = self.sources.get(key)
        if src is None:
            src = self.sources[key] = Source(key[0], key[1], linecache.getline(key[0], key[1]).strip())
        return src

    def value(self, t):
        """A snapshot of a torch tensor's value, or a text for one we cannot show as numbers."""
        if self.stale and id(t) in self.stale:
            return CHANGED_LATER
        try:
            if t.layout is not self.torch.strided:
                return f"<{str(t.layout).replace('torch.', '')} tensor>"
            if not t.is_cpu:
                return f"<tensor on {t.device}>"
            if t.is_complex():
                return "<complex tensor>"
            if t.dim() == 0:
                return t.item()
            return snapshot(t.detach().numpy())
        except Exception:  # meta tensors, tensor subclasses ...: never a crash
            return f"<{type(t).__name__}>"

    def snap(self, t):
        """A value torch may change in place later, unseen (``.grad``, which backward adds into): a
        number now, or a copy whose value is read when the event is built."""
        try:
            if t.dim() == 0 or not t.is_cpu or t.layout is not self.torch.strided:
                return self.value(t)
            return _Later(t.detach().clone())
        except Exception:
            return self.value(t)

    def tensor_fields(self, t, how):
        return (self.value(t), tuple(t.shape), str(t.dtype).replace("torch.", ""), bool(t.requires_grad), how)

    def see(self, t, src) -> int:
        """Tensor ``t`` is used: shown (a tensor event with its value) the first time (when built)."""
        tid = self.tid(t)
        if not self.building:
            self.raw += (_SEE, t, src)
            self.held.append(t)
        elif tid not in self.seen:
            self.put(TensorEvent, src, (tid, *self.tensor_fields(t, "existing")))
        return tid

    # ------------------------------------------------------------------ graph nodes
    def ref(self, node) -> _Ref:
        r = self.refs.get(id(node))
        if r is None:
            r = self.refs[id(node)] = _Ref(node, None, self)
            if _kind(type(node)) == _ACC:
                r.var = node.variable
                self.acc_of[self.tid(r.var)] = r
        return r

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
                cur.out = _Ref(None, "")
                self.out_tid[self.tid(cur)] = self.tid(cur.out)
                ins = tuple(nv if nv is not None else self.out_tid.get(i) for i, nv in zip(ids, nvars))
                if self.at is not None:  # (named by the user's line, as an op inside its call)
                    self.namer.site(self.tid(cur.out), self.at[0], self.at[1], _op_of_node(cur.label),
                                    tuple(i for i in ins if i is not None))
                self.emit(OpEvent, src, _op_of_node(cur.label), ins, self.tid(cur.out), HIDDEN, None, True,
                          self.tid(cur), cur.label, tuple(ids), tuple(nvars), cur.saved, False)
        return result

    # ------------------------------------------------------------------ the mode's entry point
    def call(self, func, args, kwargs):
        if func in self.hot and (not kwargs or kwargs.get("out") is None):
            # a plain op (the common case): a raw record, built later (``flush``)
            result = func(*args, **kwargs)
            f = sys._getframe(2)
            flag = self.code_flags.get(id(f.f_code))
            if flag is None or flag[0]:
                f = self.user_frame()
            if self.trace._override is not None:  # (a source forced by set_source: kept as it is now)
                self.raw += (func.__name__, None, self.trace._override, -1, result, kwargs, len(args), *args)
            elif f is not None:
                self.raw += (func.__name__, f.f_code, f.f_lineno, f.f_lasti, result, kwargs, len(args), *args)
            else:
                self.raw += (func.__name__, None, None, -1, result, kwargs, len(args), *args)
            self.held.append(result)
            self.held += args
            self.held += kwargs.values()
            return result
        name = getattr(func, "__name__", "")
        inplace = (name[-1:] == "_" and name[:2] != "__") or name in _INPLACE_DUNDERS
        if inplace or (name == "__set__" and not (len(args) == 2 and args[1] is None)):
            self.risky = True
            self.flush()  # what is queued is built before a tensor it shows can change
        elif name in _SHARES_MEMORY:
            self.flush()  # (a write through numpy changes a tensor unseen)
        call = self.grad_fn_of.get(func)
        if call is None and self.nn_dir is not None and (name[-1:] == "_" or name in _FACTORIES
                                                         or func in self.nn_quiet):
            f = sys._getframe(2)
            while f is not None and f.f_code.co_filename.endswith(("overrides.py", "_contextlib.py")):
                f = f.f_back  # (torch's dispatch to the mode, and its decorators)
            caller = f.f_code.co_filename if f is not None else ""
            if caller.startswith(self.nn_dir):
                return func(*args, **kwargs)  # a module's set-up (empty, kaiming_uniform_): not the lesson
        if call is not None:
            return self.backward(call, func, args, kwargs)
        if name == "__set__":
            return self.set_attr(func, args, kwargs)
        if name in _QUIET or (name[:1] == "_" and name[:2] != "__"):
            if name == "__get__":
                return self.get_attr(func, args)
            if name in ("register_hook", "register_post_accumulate_grad_hook") and len(args) >= 2:
                args = (args[0], self.wrap_hook(name, args[0], args[1])) + tuple(args[2:])
            elif name == "retain_grad" and args and getattr(args[0], "grad_fn", None) is not None:
                self.ref(args[0].grad_fn).retained = args[0]
                self.grads_shared = True
            return func(*args, **kwargs)
        if not inplace:
            result = func(*args, **kwargs)
            if name not in _FACTORIES and name not in _NOT_HOT and kwargs.get("out") is None:
                self.hot.add(func)  # (seen once here: from now on it takes the fast path)
            self.queue_op(name, args, kwargs, result)
            return result
        # in place (after the queue was built): recorded at once, with the values before
        Tensor = self.Tensor
        targets = [a for a in args if isinstance(a, Tensor)] + [v for v in kwargs.values() if isinstance(v, Tensor)]
        before = {id(a): (a, self.value(a), a._version) for a in targets}
        result = func(*args, **kwargs)
        src = self.source()
        self.building = True
        try:
            self.safe_record(name, args, kwargs, targets, result, before, src)
        finally:
            self.building = False
        return result

    def queue_op(self, name, args, kwargs, result) -> None:
        """A raw record of an op (built by ``flush``): its call, result and the user's line now."""
        self.held.append(result)
        self.held += args
        self.held += kwargs.values()
        if self.trace._override is not None:
            self.raw += (name, None, self.trace._override, -1, result, kwargs, len(args), *args)
            return
        f = self.user_frame()
        if f is not None:
            self.raw += (name, f.f_code, f.f_lineno, f.f_lasti, result, kwargs, len(args), *args)
        else:
            self.raw += (name, None, None, -1, result, kwargs, len(args), *args)

    def safe_record(self, name, args, kwargs, targets, result, before, src) -> None:
        try:
            self.record_op(name, args, kwargs, targets, result, before, src)
        except Exception as e:  # an op we cannot describe: an opaque box with torch's name
            self.emit(OpEvent, src, name, (), None, f"<{type(e).__name__}>", None, False, None, None,
                      (), (), (), False)

    def flush(self) -> None:
        """Build the raw records into events, in order (before anything they show can change in
        place: an in-place op; at the latest when the trace's events are read)."""
        raw = self.raw
        if not raw or self.building:
            return
        self.raw, self.held = [], []
        Tensor = self.Tensor
        self.building = True
        try:
            for k, rec in _records(raw):
                if k is _NODE:
                    _, node, src, mode, call, n = rec[:6]
                    r = self.ref(node)
                    try:
                        self.build_node(r, rec[6:6 + n], rec[7 + n:], src, mode, call)
                    except Exception:  # a node we cannot describe: shown by name, with no gradients
                        self.put(NodeEvent, src, (self.tid(r), r.label, None, (), r.next))
                    continue
                try:
                    if k is _EVENT:
                        self.put(rec[1], rec[2], rec[3])
                        continue
                    if k is _SEE:
                        self.see(rec[1], rec[2])
                        continue
                    if k is _LINK:
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
        Tensor = self.Tensor
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
                    name in _FACTORIES or not targets)):
                how = {"detach": "detach", "requires_grad_": "requires_grad_"}.get(name, "tensor")
                tid = self.tid(out)
                self.seen.add(tid)
                if self.at is not None and how != "requires_grad_":  # (a creation: named by its line)
                    self.namer.site(tid, self.at[0], self.at[1])
                self.emit(TensorEvent, src, tid, *self.tensor_fields(out, how))
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
        val, shape = self.value(out), tuple(out.shape)
        if node is None:
            self.emit(OpEvent, src, opname, ins, tid, val, shape, False, None, None, (), (), (), inplace)
            return
        r = self.ref(node)
        if r.out is None:
            r.out = out
            self.out_tid[self.tid(r)] = tid
        nf = node.next_functions
        nxt, nvars = self.link(r, src, nf)
        if given is not None and not self.in_order(nf, given):
            ins = self.aligned(ins, nxt, nvars)
        self.emit(OpEvent, src, opname, ins, tid, val, shape, True, self.tid(r), r.label, nxt, nvars, r.saved,
                  inplace)

    @staticmethod
    def in_order(nf, given) -> bool:
        """Whether the call's inputs pair with next_functions slot by slot (as for most ops)."""
        if len(nf) != len(given):
            return False
        for (n, _), t in zip(nf, given):
            if t is None or n is None and not t.requires_grad:
                continue
            if n is None or not (t.grad_fn is n or (t.grad_fn is None and getattr(n, "variable", None) is t)):
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
                self.emit(ZeroEvent, src, self.see(owner[1], src), "zero_", old)
            else:
                self.emit(ZeroEvent, src, tid, "data.zero_", old)
            return
        for a in targets:
            if a is not out:
                self.see(a, src)
        self.emit(UpdateEvent, src, tid, opname, old, self.value(out))

    # ------------------------------------------------------------------ attributes
    def get_attr(self, func, args):
        result = func(*args)
        attr = getattr(func.__self__, "__name__", "")
        if attr == "grad" and result is not None and args:
            self.grad_owner[id(result)] = (result, args[0])
        elif attr == "grad_fn":  # (a node hook may follow: every node of a later backward gets a pre-hook)
            self.risky = True
        elif attr in ("T", "mT", "H", "mH") and isinstance(result, self.Tensor):  # properties that are ops
            self.queue_op(attr, args, {}, result)
        return result

    def set_attr(self, func, args, kwargs):
        if getattr(func.__self__, "__name__", "") == "requires_grad" and len(args) == 2:
            result = func(*args, **kwargs)
            src, t = self.source(), args[0]
            self.emit(TensorEvent, src, self.tid(t), *self.tensor_fields(t, "requires_grad_"))
            return result
        if getattr(func.__self__, "__name__", "") == "grad" and len(args) == 2 and args[1] is None:
            t = args[0]
            old = t.grad
            result = func(*args, **kwargs)
            if old is not None:  # (the old .grad is the user's no more: its value is read when built)
                src = self.source()
                self.emit(ZeroEvent, src, self.see(t, src), "set_to_none", _Later(old))
            return result
        return func(*args, **kwargs)

    # ------------------------------------------------------------------ names
    def scan_names(self) -> None:
        """At the end of the block: offer the variables of the user's frame now to the trace's
        Namer (record/names.py). The paths through the traced block's containers
        (``model[0].weight``) are searched next by the trace, for its tensors and torch's at once
        (``Trace._scan_containers``)."""
        namer, tid, Tensor = self.namer, self.tid, self.Tensor

        def is_tensor(v):
            return isinstance(v, Tensor)

        if self.namespace is None:
            f = self.user_frame()
            if f is not None and f is not self.frame:
                namer.variables(f.f_locals, tid, is_tensor, 2)


    def scan_variables(self) -> None:
        """At a backward call, as the core's trace does (the core's also at its end: no variable is
        bound while the engine runs, but in a hook): offer the variables of the block and of the
        user's frame now (flat: a variable rebound later keeps its name for this value); the paths
        through containers are searched once, at the block's end (``scan_names``)."""
        namer, tid, Tensor = self.namer, self.tid, self.Tensor

        def is_tensor(v):
            return isinstance(v, Tensor)

        if self.namespace is not None:
            namer.variables(self.namespace, tid, is_tensor, 0)
            return
        if self.frame is not None:
            namer.variables(self.frame.f_locals, tid, is_tensor, 0)
        f = self.user_frame()
        if f is not None and f is not self.frame:
            namer.variables(f.f_locals, tid, is_tensor, 2)


def _records(raw):
    """(kind, record) of each record in a flat raw queue (``TorchRecorder.raw``), a tuple each:
    op:    name, code, line, lasti, result, kwargs, n, *args   (code None: line is the Source; line None: from lasti)
    node:  _NODE, torch's node, source, release check, backward call, n, *grad_inputs, m, *grad_outputs
    event: _EVENT, event type, source, fields
    see:   _SEE, tensor, source
    link:  _LINK, _Ref, source, (code, lasti) of the backward call"""
    i, n = 0, len(raw)
    while i < n:
        k = raw[i]
        if k is _NODE:
            j = i + 6 + raw[i + 5]
            j += 1 + raw[j]
        elif k is _EVENT or k is _LINK:
            j = i + 4
        elif k is _SEE:
            j = i + 3
        else:
            j = i + 7 + raw[i + 6]
        yield k, tuple(raw[i:j])
        i = j


def _grad_of(t):
    try:  # (only where torch keeps one: .grad of a non-leaf warns)
        return t.grad if t.is_leaf or t.retains_grad else None
    except Exception:
        return None


def _as_text(v):
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
    """``TBackward0`` -> ``t``: the op an inner node stands for."""
    base = label.split("::")[-1]
    i = base.find("Backward")
    return (base[:i] if i > 0 else base).lower()


def trace_torch_snippet(src: str, namespace: dict | None = None, catch_errors: bool = True):
    """Run ``src`` (code written against ``torch``) with real torch and return its Trace.

    For the lessons' "same in real PyTorch" cells: ``lab.Player(trace_torch_snippet(src))``.
    ``torch`` must already be importable; the code sees ``torch`` (the real one) in its
    namespace. Raises ImportError, in the student's terms, when torch is not installed.
    """
    torch = sys.modules.get("torch")
    if torch is None:
        try:
            import importlib
            torch = importlib.import_module("torch")  # only here, asked for by the user's lesson cell
        except ImportError:
            raise ImportError("PyTorch is not installed here, so the real-torch player cannot run: "
                              "pip install torch (CPU is enough)") from None
    from .events import trace
    ns = {"torch": torch, "__name__": "__torch_snippet__"} if namespace is None else namespace
    ns.setdefault("torch", torch)
    code = compile(src, "<torch snippet>", "exec")
    linecache.cache["<torch snippet>"] = (len(src), None, src.splitlines(True), "<torch snippet>")
    with trace(catch_errors=catch_errors, namespace=ns) as t:
        exec(code, ns)
    return t
