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
  after); pre-hooks only where needed (backward.py); all are removed after the call;
- after a node ran in a non-retaining backward, reading one of its ``_saved_*`` attributes
  must raise: only then is a ``release`` event recorded;
- the user's tensor hooks are wrapped (same ``__name__``) so that their firing is recorded.

Recording only queues (``raw``, flat; ``_records`` tells its layout): the events are built when
``t.events`` is first read, or before a torch call that changes a tensor in place, so that each
value shown is the one of its step; a tensor changed in place after the block is shown as
``CHANGED_LATER`` (its version is noted when the block ends). docs/real-torch.md, "Overhead".
A long loop is recorded thin, and past SUMMARY_AFTER iterations of the same ops only as summaries
(thin.py; docs/real-torch.md, "Long loops").

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

from ..columns import snapshot
from ..layout import OpEvent, SetGradEvent, Source, TensorEvent
from .backward import BackwardRecorder
from .build import FACTORIES, HIDDEN, BuildRecorder, as_text  # noqa: F401  (HIDDEN: part of its interface)
from .thin import ThinRecorder
from .vocab import ACC, EVENT, MODULE, OP_ATTRS, SEE, STALE, Later, Light, Ref, node_kind, version_of

__all__ = ["TorchRecorder", "CHANGED_LATER", "torch_available", "grad_of"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # autograd_lab/
_SKIP_PREFIXES = [_PACKAGE_DIR, os.path.dirname(functools.__file__) + os.sep + "contextlib.py"]

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
_OP_ATTRS = OP_ATTRS  # properties that are ops (vocab.py)


CHANGED_LATER = STALE  # "<changed in place after the with block>"


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
                sites = rec.loop_sites
                if sites is not None or rec.learning is not None:  # (a long loop: thin.py, summaries)
                    f = _getframe(1)
                    flag = _CODE_FLAGS.get(id(f.f_code))
                    if flag is None or flag[0]:
                        f = rec.user_frame()
                    if sites is None:
                        rec.learn(func, f)
                    elif f is not None and (id(f.f_code), f.f_lasti) in sites:
                        if func in rec.grad_fn_of:
                            return rec.summary_backward(func, args, kwargs or _NO_KWARGS)
                        return func(*args, **kwargs) if kwargs else func(*args)
                    else:
                        return rec.summarised(func, args, kwargs or _NO_KWARGS)
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


def _module_hooks(rec) -> tuple:
    """torch's global module hooks that keep the trace's module calls (record/modules.py) while the
    block runs: a raw record at each call's start and end (also when forward raises)."""
    calls = rec.trace._modules
    hooks = rec.torch.nn.modules.module

    def enter(module, args):
        if rec.loop_sites is not None:  # (a summarised iteration: thin.py)
            rec.skipped += 1
            return
        rec.raw += (MODULE, calls.enter(module))

    def leave(module, args, output):
        if rec.skipped:
            rec.skipped -= 1
            return
        rec.raw += (MODULE, calls.exit(module, output))

    try:
        pre = hooks.register_module_forward_pre_hook(enter)
    except Exception:  # (a torch without global module hooks: no module data, recording goes on)
        return ()
    try:
        return (pre, hooks.register_module_forward_hook(leave, always_call=True))
    except Exception:
        pre.remove()
        return ()


def grad_of(t):
    try:  # (only where torch keeps one: .grad of a non-leaf warns)
        return t.grad if t.is_leaf or t.retains_grad else None
    except Exception:
        return None


class TorchRecorder(BuildRecorder, BackwardRecorder, ThinRecorder):
    """Records the torch calls of one ``with trace():`` block into that trace (see module docstring);
    backward calls and the user's hooks: BackwardRecorder (backward.py); the queue built into
    events: BuildRecorder (build.py); long loops: ThinRecorder (thin.py)."""

    quiet = _QUIET
    grad_of = staticmethod(grad_of)  # (the trace's search of containers reads torch tensors' .grad by it)

    def __init__(self, trace, torch, frame=None, namespace=None):
        self.trace, self.torch = trace, torch
        self.frame, self.namespace = frame, namespace
        self.Tensor = torch.Tensor
        self.refs: dict[int, Ref] = {}      # id(grad_fn) -> its Ref (which keeps the node alive)
        self.seen: set[int] = set()          # tensor ids this recorder has shown
        self.acc_of: dict[int, Ref] = {}    # leaf tensor id -> its AccumulateGrad's Ref
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
        #                                      of a later backward gets a pre-hook (backward.py)
        self.grads_shared = False            # the user may hold a gradient a node sent (note_versions)
        self.freed: set = set()              # ids of nodes run by a non-retaining backward (kept alive by
        #                                      the queue, then by refs)
        self.node_hooks = None               # the hooks put on every node (backward._node_hooks)
        self.seq0 = None                     # torch's next node sequence number when the block began
        self.late = False                    # building the queue after the block (``finish``)
        self.versions = None                 # per queued record: (tensor, its version at the block's end)
        self.stale: set = set()              # ids of queued tensors changed in place after the block
        self.nn_quiet = set()
        self.grad_fn_of, self.signatures, self.skip, self.nn_dir = _backward_calls(torch)
        self.module_now = None               # (while building) the nn.Module call the next op ran in
        self.module_hooks = ()               # torch's global module hooks while the block runs

    # ------------------------------------------------------------------ start / stop
    def start(self) -> None:
        try:  # (nodes numbered below it were made before the block)
            self.seq0 = self.torch._C._autograd._get_sequence_nr()
        except Exception:
            self.seq0 = None
        self.mode = _mode_class(self.torch)(self)
        self.mode.__enter__()
        self.module_hooks = _module_hooks(self)

    def stop(self) -> None:
        """End of the ``with`` block. The queued raw records are built when the trace's events are
        first read (``Trace.events`` calls ``finish``), as the core's are: recording stays cheap.
        Each queued tensor's version is noted now; one changed in place after the block (when no
        flush can run first) is shown as a text, never with a later value."""
        late = False
        for h in self.module_hooks:
            h.remove()
        self.module_hooks = ()
        try:
            if self.mode is not None:
                self.mode.__exit__(None, None, None)
            if self.raw:
                self.trace.flush()  # the core's records made before this point come first
                self.versions = self.note_versions()
                if self.versions is not None:
                    self.trace._late = self.finish
                    late = True
            self.trace.kept_whole = self.kept_whole()
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
        ts = []  # (None: a tensor keeps no version counter (inference_mode): the queue is built now)
        for t in dict(zip(map(id, held), held)).values():
            if isinstance(t, Tensor):
                ts.append(t)
            elif isinstance(t, (tuple, list)):  # (the results of one op, or a list argument)
                ts += [x for x in t if isinstance(x, Tensor)]
        vs = [version_of(t) for t in ts]
        return None if None in vs else (ts, vs)

    def finish(self) -> None:
        """Build what is still queued, then let torch's graph go."""
        try:
            if self.raw:
                ts, vs = self.versions or ((), ())
                stale = {id(t) for t, v in zip(ts, vs) if version_of(t) != v}
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
    def emit(self, etype, src, **fields) -> None:
        """An event, its fields by name: queued (built in order with the raw records), or added now
        while they are built."""
        fields = etype.pack(**fields)
        if self.building:
            self.put(etype, src, fields)
        else:
            self.raw += (EVENT, etype, src, fields)
            if Later in map(type, fields):
                self.held += [f.t for f in fields if f.__class__ is Later]

    def put(self, etype, src, fields) -> None:
        if Later in [f.__class__ for f in fields]:
            fields = tuple([self.value(f.t) if f.__class__ is Later else f for f in fields])
        events = self.trace._events if self.late else self.trace.events  # (late: the core's later records wait)
        if etype is TensorEvent:  # (the trace's names are numbered in the order tensors are shown)
            self.seen.add(fields[0])
            self.trace._mark_seen(fields[0])
        elif etype is OpEvent and fields[2] is not None:
            self.trace._mark_seen(fields[2])
        try:
            events.append_event(etype(0, src, *fields))
        except Exception:  # a value the event store cannot keep: kept as its text, never an error in user code
            events.append_event(etype(0, src, *[as_text(f) for f in fields]))

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
        if t.__class__ is Light:  # (a tensor of a long loop's later iteration: thin.py)
            return t.read(self.value)
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
            return Later(t.detach().clone())
        except Exception:
            return self.value(t)

    def now(self, t):
        """A value shown by an event made now: its value, or (thin mode, queued: thin.py) a number or a
        copy read when built."""
        return self.snap(t) if self.thin and not self.building else self.value(t)

    def tensor_fields(self, t, how) -> dict:
        """A tensor event's fields but its id, by name."""
        return {"value": self.value(t), "shape": tuple(t.shape), "dtype": str(t.dtype).replace("torch.", ""),
                "requires_grad": bool(t.requires_grad), "how": how}

    def see(self, t, src) -> int:
        """Tensor ``t`` is used: shown (a tensor event with its value) the first time (when built)."""
        tid = self.tid(t)
        if not self.building:
            if tid in self.seen:  # (shown already: its record would build nothing)
                return tid
            self.raw += (SEE, t, src)
            self.held.append(t)
        elif tid not in self.seen:
            self.put(TensorEvent, src, TensorEvent.pack(tensor=tid, **self.tensor_fields(t, "existing")))
        return tid

    # ------------------------------------------------------------------ graph nodes
    def ref(self, node) -> Ref:
        r = self.refs.get(id(node))
        if r is None:
            r = self.refs[id(node)] = Ref(node, None, self)
            if node_kind(type(node)) == ACC:
                r.var = node.variable
                self.acc_of[self.tid(r.var)] = r
        return r

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
        if name == "__get__" and getattr(func.__self__, "__name__", "") not in _OP_ATTRS:
            return self.get_attr(func, args)  # (w.grad, y.grad_fn: first, past the walk for torch.nn's set-up)
        inplace = (name[-1:] == "_" and name[:2] != "__") or name in _INPLACE_DUNDERS
        if inplace or (name == "__set__" and not (len(args) == 2 and args[1] is None)):
            self.risky = True
            self.settle(args, kwargs)  # what is queued is built (or compacted) before a tensor it shows can change
        elif name in _SHARES_MEMORY:
            self.settle(args, kwargs)  # (a write through numpy changes a tensor unseen)
        call = self.grad_fn_of.get(func)
        if call is None and self.nn_dir is not None and (name[-1:] == "_" or name in FACTORIES
                                                         or func in self.nn_quiet):
            f = sys._getframe(2)
            while f is not None and f.f_code.co_filename.endswith(("overrides.py", "_contextlib.py")):
                f = f.f_back  # (torch's dispatch to the mode, and its decorators)
            caller = f.f_code.co_filename if f is not None else ""
            if caller.startswith(self.nn_dir):
                return func(*args, **kwargs)  # a module's set-up (empty, kaiming_uniform_): not the lesson
        if call is not None:
            return self.backward(call, func, args, kwargs)
        if name == "__set__" or (name == "__delete__" and getattr(func.__self__, "__name__", "") == "grad"):
            return self.set_attr(func, args, kwargs)  # (del w.grad: w.grad = None)
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
            if name not in FACTORIES and name not in _NOT_HOT and kwargs.get("out") is None:
                self.hot.add(func)  # (seen once here: from now on it takes the fast path)
            self.queue_op(name, args, kwargs, result)
            return result
        # in place (after the queue was built): recorded at once, with the values before
        Tensor = self.Tensor
        targets = [a for a in args if isinstance(a, Tensor)] + [v for v in kwargs.values() if isinstance(v, Tensor)]
        now = self.snap if self.thin else self.value  # (thin: a copy, read when built)
        before = {id(a): (a, now(a), version_of(a)) for a in targets}
        try:
            result = func(*args, **kwargs)
        except Exception as e:  # torch refused (a leaf that requires grad, changed in place): the error event the
            if targets:         # trace records if it ends the block names the tensor (as the core's does)
                self.see(targets[0], self.source())
                e._alab_tensor = targets[0]
            raise
        src = self.source()
        if self.thin:  # (queued: what came before it is not built yet)
            self.safe_record(name, args, kwargs, targets, result, before, src)
            return result
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

    # ------------------------------------------------------------------ attributes
    def get_attr(self, func, args):
        result = func(*args)
        attr = getattr(func.__self__, "__name__", "")
        if attr == "grad" and result is not None and args:
            self.grad_owner[id(result)] = (result, args[0])
        elif attr == "grad_fn":  # (a node hook may follow: every node of a later backward gets a pre-hook)
            self.risky = True
        elif attr in _OP_ATTRS and isinstance(result, self.Tensor):  # properties that are ops
            self.queue_op(attr, args, {}, result)
        return result

    def set_attr(self, func, args, kwargs):
        if getattr(func.__self__, "__name__", "") == "requires_grad" and len(args) == 2:
            result = func(*args, **kwargs)
            src, t = self.source(), args[0]
            self.emit(TensorEvent, src, tensor=self.tid(t), **self.tensor_fields(t, "requires_grad_"))
            return result
        if getattr(func.__self__, "__name__", "") == "grad" and len(args) in (1, 2):  # w.grad = g / None, del w.grad
            t, new = args[0], (args[1] if len(args) == 2 else None)
            old = t.grad if t.is_leaf or t.retains_grad else t._grad  # (no warning of a non-leaf's .grad)
            result = func(*args, **kwargs)  # (torch checks the value first: an error leaves no event)
            src = self.source()
            if new is not None:
                self.grad_owner[id(new)] = (new, t)  # (w.grad.zero_() then zeroes w's gradient)
            # (the old .grad is the user's no more, the new one may change in place later: both are
            # read now; the queue before this step was built when this call began)
            self.emit(SetGradEvent, src, tensor=self.see(t, src), before=self.snap(old) if old is not None else None,
                      after=self.snap(new) if new is not None else None)
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
