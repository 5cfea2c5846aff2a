"""Backward nodes and the one choke point every forward operation goes through.

Each operation is one small class named exactly as PyTorch names its backward node
(``MulBackward0``, ``SumBackward1`` ...), with ``forward`` and ``backward`` side by side.
An instance of the class *is* the grad_fn node (and the ``ctx`` of forward/backward)::

    class MulBackward0(Function):
        "f(a, b) = a * b"
        def forward(ctx, a, b): ...           # numpy values in, numpy value out
        def backward(ctx, g): ...             # one gradient per input (None where not needed)

``apply(fn, *inputs, **params)`` runs an op: it decides whether a graph is recorded,
builds the node and its ``next_functions``, wraps the output, and is the only place
forward events are emitted from (``events.active``). Backward formulas work on numpy
values, or on Tensors when ``create_graph=True`` (the same code, by duck typing), so
higher-order gradients come for free.
"""
from __future__ import annotations

import itertools
import re
import sys
import warnings
import weakref

import numpy as np

from ..record import events as _ev
from .grad_mode import _state as _grad_state
from .tensor import Tensor, _dtype_of, _register, _wrap

# numpy's floating point warnings (log(0), 1/0, overflow) raised from inside the core:
# PyTorch prints nothing for them, results just become inf / nan.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"autograd_lab\.")

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")

_F32 = np.dtype(np.float32)
_F32_SCALAR = np.float32
_new = object.__new__
_getframe = sys._getframe
_seq = itertools.count()
# Backward formulas see Tensors (create_graph=True) or numpy values; the engine sets this.
unpack_tensors = False


# ---------------------------------------------------------------------------- version counters
# PyTorch counts in-place changes of every tensor's memory and refuses to backward through a
# value that changed after it was saved. Here, an array changed in place is listed in
# `_changed` with its version count and the sequence numbers (the clock of `_seq`) of its
# last changes; a node created before a change of a value it saved refuses to use it. Only
# the in-place paths write here, and nodes look only once something has been changed.
_changed: dict = {}  # id(array) -> [version, [sequence numbers of the last changes], tensor that held it]
_KEEP = 64           # changes remembered per array (enough to tell the version at save time)
_SCALARS: dict = {}  # keys of numpy scalars in _changed (no weakref to drop them): the newest 4096 kept
_last_change = -1    # sequence number of the latest change: nodes made after it need not look

VERSION_MESSAGE = (
    "one of the variables needed for gradient computation has been modified by an inplace operation: "
    "[{type} {shape}]{output} is at version {version}; expected version {expected} instead. Hint: enable anomaly "
    "detection to find the operation that failed to compute its gradient, with "
    "torch.autograd.set_detect_anomaly(True, check_nan=False).")


def _bump(owner, old, new=None, stamp=None) -> None:
    """Record an in-place change of tensor ``owner``'s array ``old`` (and of the arrays it is a view of).

    ``new``: the array that now holds the tensor's values (it continues the version count).
    """
    global _last_change
    stamp = next(_seq) if stamp is None else stamp
    _last_change = max(_last_change, stamp)
    entry = None
    v = old
    while v is not None:
        key = id(v)
        e = _changed.get(key)
        if e is None:
            e = _changed[key] = [0, [], None]
            _forget_with(v, key)
        e[0] += 1
        e[1] = (e[1] + [stamp])[-_KEEP:]
        if entry is None:
            entry = e
            e[2] = weakref.ref(owner)
        v = getattr(v, "base", None)
    if new is not None and new is not old and entry is not None and _changed.get(id(new)) is not entry:
        _changed[id(new)] = [entry[0], list(entry[1]), entry[2]]
        _forget_with(new, id(new))


def _forget_with(v, key) -> None:
    """Drop ``_changed[key]`` when array ``v`` dies (numpy scalars cannot say: keep the newest few)."""
    if isinstance(v, np.ndarray):
        weakref.finalize(v, _changed.pop, key, None)
    else:
        _SCALARS[key] = None
        if len(_SCALARS) > 4096:
            old = next(iter(_SCALARS))
            del _SCALARS[old]
            _changed.pop(old, None)


_moved: dict = {}  # id(numpy scalar) -> (that scalar, the 0-d array that now holds its tensor's values)


def _link_storage(old, arr) -> None:
    """A tensor's numpy scalar became the 0-d array ``arr`` (for an in-place change or shared memory).

    Values saved for backward before that still refer to ``old``: from now on they read ``arr``, and
    its version is theirs, as if they had shared memory from the start (as PyTorch's storage does).
    """
    global _last_change
    _moved[id(old)] = (old, arr)  # holding ``old`` keeps its id from being reused meanwhile
    if len(_moved) > 4096:
        del _moved[next(iter(_moved))]
    e = _changed.get(id(old))
    if e is None:
        e = _changed[id(old)] = [0, [], None]
        _forget_with(old, id(old))
    _changed[id(arr)] = e
    _forget_with(arr, id(arr))
    _last_change = max(_last_change, next(_seq))  # nodes made before now must look at their saved values


def _current(saved: tuple) -> tuple:
    """Saved values with numpy scalars replaced by the arrays that took them over (see _link_storage)."""
    out = []
    for v in saved:
        m = _moved.get(id(v)) if v is not None and v.__class__ is not np.ndarray else None
        out.append(m[1] if m is not None and m[0] is v else v)
    return tuple(out)


def _check_versions(node, saved) -> None:
    """Raise PyTorch's error if a value ``node`` saved was changed in place after ``node`` was made."""
    seq = node._seq
    for name, v in zip(type(node)._saved_names, saved):
        w = v
        while w is not None:
            e = _changed.get(id(w))
            if e is not None and e[1] and e[1][-1] > seq:
                version, stamps, owner = e
                expected = version - sum(1 for s in stamps if s > seq)
                _raise_version_error(node, name, v, version, expected, owner and owner())
            w = getattr(w, "base", None)


def _raise_version_error(node, name, v, version, expected, owner):
    type_name = {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor", "int64": "torch.LongTensor",
                 "bool": "torch.BoolTensor"}.get(np.result_type(v).name, "torch.Tensor")
    # PyTorch names the node that made the value: the saving node for its own result, else the
    # tensor's grad_fn now (an in-place op on a non-leaf has replaced it)
    fn = node if name == "_saved_result" else (owner.grad_fn if owner is not None else None)
    output = "" if fn is None else ", which is output 0 of " + re.sub(r"Backward\d*$", "", fn.name()) + ","
    raise RuntimeError(VERSION_MESSAGE.format(type=type_name, shape=list(np.shape(v)), output=output,
                                              version=version, expected=expected))


class _Freed(tuple):
    """What ``_saved`` becomes once released (one shared, empty, falsy instance)."""
    __slots__ = ()


_FREED = _Freed()


class _NodeHooks:
    __slots__ = ("pre", "post", "tensor_hooks", "retain", "metadata")

    def __init__(self):
        self.pre = self.post = self.tensor_hooks = self.retain = None
        self.metadata = {}


class Node:
    """A backward function in the graph (what ``tensor.grad_fn`` holds)."""

    __slots__ = ("_next", "needs_input_grad", "_saved", "_inputs", "_info", "_hooks", "_seq",
                 "_tid", "__weakref__")
    _saved_names: tuple = ()      # names under which save_for_backward's values are exposed
    _saved_if: tuple = ()         # per saved name: index of the input whose need for grad makes it saved (None: always)
    _special = False              # True for ops that are not differentiable operations (events differ)

    def name(self) -> str:
        """PyTorch's name of the node, e.g. ``'MulBackward0'``."""
        return type(self).__name__

    @property
    def next_functions(self) -> tuple:
        """One ``(node, 0)`` pair per input: the node its gradient goes to (``None`` for an input
        that needs none). Kept as a tuple of nodes (``_next``); the pairs are made when read."""
        return tuple([(n, 0) for n in self._next])

    @property
    def metadata(self) -> dict:
        return self._hooks_obj().metadata

    @property
    def requires_grad(self) -> bool:
        return True

    def register_hook(self, fn) -> "object":
        """``fn(grad_inputs, grad_outputs)`` runs after this node; it may return new grad_inputs."""
        h = self._hooks_obj()
        h.post, handle = _register(h.post, fn)
        return handle

    def register_prehook(self, fn) -> "object":
        """``fn(grad_outputs)`` runs before this node; it may return new grad_outputs."""
        h = self._hooks_obj()
        h.pre, handle = _register(h.pre, fn)
        return handle

    def _hooks_obj(self) -> _NodeHooks:
        h = self._hooks
        if h is None:
            h = self._hooks = _NodeHooks()
        return h

    # ---- saving values for backward (PyTorch's ctx.save_for_backward / ctx.saved_tensors)
    def save_for_backward(self, *values) -> None:
        self._saved = values

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved.__class__ is _Freed:
            raise RuntimeError(FREED_MESSAGE)
        if _last_change > self._seq:
            _check_versions(self, saved)
            saved = _current(saved)
        if unpack_tensors:
            return tuple(self._as_tensor(v, n) for v, n in zip(saved, type(self)._saved_names))
        return saved

    def _release(self) -> bool:
        """Free the saved values; True if there were any."""
        saved = self._saved
        if saved:  # _FREED is empty, so released twice is a no-op
            self._saved = _FREED
            self._inputs = None
            return True
        return False

    def _had_saved(self) -> tuple:
        """Which of ``_saved_names`` held a value (for ops that save an input only when needed)."""
        cond = type(self)._saved_if
        needs = self.needs_input_grad
        return tuple(True if c is None else bool(needs[c]) for c in cond) if cond else (True,) * len(type(self)._saved_names)

    def _as_tensor(self, v, name: str = ""):
        """A saved value as a Tensor: the input it came from, or this node's own result."""
        if v is None or isinstance(v, Tensor):
            return v
        if name == "_saved_result":
            return _wrap(v, True, self)
        for a in self._inputs or ():
            if isinstance(a, Tensor) and a._data is v:
                return a
        if isinstance(v, (bool, int, float)):
            return _wrap(np.array(v, dtype=np.int64 if isinstance(v, int) else np.float64), False, None)
        return _wrap(v, False, None)

    def __getattr__(self, name: str):
        cls = type(self)
        if name.startswith("_saved_"):
            names = cls._saved_names
            if name in names:
                saved = self._saved
                i = names.index(name)
                if saved.__class__ is _Freed:
                    if self._had_saved()[i]:
                        raise RuntimeError(FREED_MESSAGE)
                    return None
                if _last_change > self._seq:
                    _check_versions(self, saved)
                    saved = _current(saved)
                return self._as_tensor(saved[i], name)
            params = getattr(cls, "_params", {})
            if name in params:
                return params[name](self)
        raise AttributeError(f"'{cls.__name__}' object has no attribute '{name}'")

    def __dir__(self):
        # as in PyTorch, [a for a in dir(node) if a.startswith("_saved")] lists what the node saved
        params = [n for n in getattr(type(self), "_params", {}) if n.startswith("_saved_")]
        names = set(object.__dir__(self)) - {"_saved", "_saved_if", "_saved_names"}
        return sorted(names | set(type(self)._saved_names) | set(params))

    def __repr__(self) -> str:
        return f"<{type(self).__name__.replace('Inplace', 'Backward0')} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The node that ADDS the incoming gradient into a leaf tensor's ``.grad``."""

    __slots__ = ("variable",)

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"


def _accumulate_node(t: Tensor) -> AccumulateGrad:
    acc = t._acc
    if acc is None:
        acc = _new(AccumulateGrad)
        acc._next = ()
        acc.needs_input_grad = (True,)
        acc._saved = ()
        acc._inputs = None
        acc._hooks = None
        acc._seq = next(_seq)
        acc.variable = t
        t._acc = acc
    return acc


class _NoGradCtx:
    """The ctx given to forward when no graph is recorded: saving is a no-op."""

    needs_input_grad = (False,) * 8

    def save_for_backward(self, *values):
        pass

    def __setattr__(self, name, value):
        pass


_NOCTX = _NoGradCtx()


class Function(Node):
    """Base of the differentiable operations (one subclass per PyTorch backward node)."""

    __slots__ = ()
    _keeps_dtype = False  # True where the result has the input's dtype whatever numpy says

    @staticmethod
    def forward(ctx, *inputs, **params):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):  # pragma: no cover - abstract
        raise NotImplementedError


# ---------------------------------------------------------------------------- the choke point
def apply(fn, *inputs, inplace: bool = False, **params):
    """Run operation ``fn`` on ``inputs`` (Tensors or Python numbers); record the graph if needed."""
    if fn._special:
        return _apply_special(fn, inputs, params)
    grad_on = _grad_state.enabled
    if len(inputs) == 2 and not params and not inplace:
        # The common case (a binary operator), kept lean: ~1 microsecond of Python per op.
        a, b = inputs
        if a.__class__ is Tensor:
            ra = a._data
            na = grad_on and a._requires_grad
        else:
            ra, na = a, False
        if b.__class__ is Tensor:
            rb = b._data
            nb = grad_on and b._requires_grad
        else:
            rb, nb = b, False
        if na or nb:
            node = _new(fn)
            node.needs_input_grad = _NEEDS2[na][nb]
            node._saved = ()
            node._hooks = None
            node._seq = next(_seq)
            out = fn.forward(node, ra, rb)
            node._inputs = inputs if node._saved else None  # held only to unpack saved values
            node._next = ((a.grad_fn or a._acc or _accumulate_node(a)) if na else None,
                          (b.grad_fn or b._acc or _accumulate_node(b)) if nb else None)
            record = True
        else:
            node = None
            record = False
            out = fn.forward(_NOCTX, ra, rb)
    else:
        raw = tuple(a._data if a.__class__ is Tensor else a for a in inputs)
        needs = tuple(grad_on and a.__class__ is Tensor and a._requires_grad for a in inputs)
        record = True in needs
        if inplace:
            return _apply_inplace(fn, inputs, raw, needs, record, params)
        if record:
            node, out = _record(fn, inputs, raw, needs, params)
        else:
            node = None
            out = fn.forward(_NOCTX, *raw, **params)
    if out.__class__ is not _F32_SCALAR and out.dtype is not _F32:  # (the class test is the cheaper)
        out = _fix_dtype(fn, inputs, out)
    t = _new(Tensor)
    t._data = out
    t._requires_grad = record
    t.grad_fn = node
    t._grad = t._acc = t._x = None
    tr = _ev.active
    if tr is not None:
        # Record the op. Trace.op finds the user's line; when apply's caller's caller is the user
        # code the last op came from (nearly always), the record is appended here: a method
        # call would cost a fifth of the recording time. (The two-input record is spelled out:
        # building it from *inputs costs 60 ns more.)
        f = _getframe(2)
        code = f.f_code
        if code is not tr._user_code:
            tr.op(fn, inputs, t, node, params)
        elif len(inputs) == 2:
            tr._extend((0, fn, 2, inputs[0], inputs[1], out, t, node, code, f.f_lasti))
        else:
            tr._extend((0, fn, len(inputs), *inputs, out, t, node, code, f.f_lasti))
    return t


_NEEDS2 = ((( False, False), (False, True)), ((True, False), (True, True)))


def _next_node(t: Tensor):
    """The node that takes a consumer's gradient for tensor ``t`` (its grad_fn or AccumulateGrad)."""
    return t.grad_fn or t._acc or _accumulate_node(t)


def _record(fn, inputs, raw, needs, params):
    """Make op ``fn``'s node, run its forward with the node as ctx, and link it to its inputs.

    (apply's two-input fast path does the same inline.)"""
    node = _new(fn)
    node.needs_input_grad = needs
    node._saved = ()
    node._hooks = None
    node._seq = next(_seq)
    out = fn.forward(node, *raw, **params)
    node._inputs = inputs if node._saved else None  # held only to unpack saved values
    node._next = tuple([_next_node(x) if n else None for x, n in zip(inputs, needs)])
    return node, out


def _apply_inplace(fn, inputs, raw, needs, record, params):
    target = inputs[0]
    if _grad_state.enabled and target._requires_grad and target.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    if target._data.dtype.kind != "f":
        _check_inplace_dtype(fn, inputs, raw)
    tr = _ev.active
    if record:
        # Recorded in-place op on a non-leaf: the tensor gets a new grad_fn (PyTorch "rebases" it).
        # The change is dated before the new node, which saves the old value as PyTorch saves a copy
        # of self; unless the tensor is also another operand (a *= a): that one PyTorch saves as is.
        stamp = None if any(x is target for x in inputs[1:]) else next(_seq)
        node, out = _record(fn, inputs, raw, needs, params)
        if np.shape(out) != np.shape(raw[0]):
            raise RuntimeError(f"output with shape {list(np.shape(raw[0]))} doesn't match the broadcast shape {list(np.shape(out))}")
        old = target._data
        target._data = out if out.dtype == target._data.dtype else out.astype(target._data.dtype)
        _bump(target, old, target._data, stamp)
        target.grad_fn = node
        target._requires_grad = True
        if tr is not None:
            tr.op(fn, inputs, target, node, params)
        return target
    before = None
    if tr is not None:
        tr.flush()  # pending events may still refer to the array changed below
        before = np.array(target._data, copy=True)
    out = fn.forward(_NOCTX, *raw, **params)
    if np.shape(out) != np.shape(raw[0]):
        raise RuntimeError(f"output with shape {list(np.shape(raw[0]))} doesn't match the broadcast shape {list(np.shape(out))}")
    old = target._data
    arr = target._array()
    np.copyto(arr, out, casting="unsafe")
    if target._x is None or target._x.base is None:  # a `.data` alias has a version of its own
        _bump(target, old, arr)
    if tr is not None:
        tr.update(fn, inputs, target, before)
    return target


def _check_inplace_dtype(fn, inputs, raw):
    """An integer or bool tensor cannot take a float (or integer) result in place, as in PyTorch."""
    names = {"b": "Bool", "i": "Long", "f": "Float"}
    other = inputs[1] if len(inputs) > 1 else None
    if isinstance(other, Tensor):
        kind = other._data.dtype.kind
        name = "Double" if other._data.dtype == np.float64 else names[kind]
    else:
        kind = "b" if isinstance(other, (bool, np.bool_)) else "i" if isinstance(other, (int, np.integer)) else "f"
        name = names[kind]
    if fn is DivInplace and kind != "f":  # true division gives floats
        kind, name = "f", "Float"
    target = raw[0].dtype.kind
    if "bif".index(kind) > "bif".index(target):
        raise RuntimeError(f"result type {name} can't be cast to the desired output type {names[target]}")


def _apply_special(fn, inputs, params):
    """Operations that are not differentiable: leaf creation, requires_grad_, zeroing, detach."""
    tr = _ev.active
    if tr is None or fn.kind is None:
        return fn.run(*inputs, **params)
    before = tr.before_special(fn, inputs)
    t = fn.run(*inputs, **params)
    tr.special(fn, inputs, t, params, before)
    return t


def _fix_dtype(fn, inputs, out):
    """Bring numpy's result type in line with PyTorch's type promotion."""
    od = out.dtype
    if od.kind == "b" or fn._keeps_dtype:
        return out
    tensors = [a for a in inputs if isinstance(a, Tensor)]
    floats_dim = [a._data.dtype for a in tensors if a._data.dtype.kind == "f" and np.ndim(a._data) > 0]
    floats_0d = [a._data.dtype for a in tensors if a._data.dtype.kind == "f" and np.ndim(a._data) == 0]
    if floats_dim:
        want = max(floats_dim, key=lambda d: d.itemsize)
    elif floats_0d:
        want = max(floats_0d, key=lambda d: d.itemsize)
    elif od.kind == "f":
        want = _F32  # integer tensors with a Python float or a float-valued op -> default dtype
    else:
        return out
    if od != want:
        out = out.astype(want) if isinstance(out, np.ndarray) else want.type(out)
    return out


# ---------------------------------------------------------------------------- gradient helpers
def unbroadcast(g, shape):
    """Sum ``g`` down to ``shape`` (undo numpy/PyTorch broadcasting)."""
    gshape = np.shape(g) if not isinstance(g, Tensor) else tuple(g.shape)
    if gshape == tuple(shape):
        return g
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and gshape[i + lead] != 1)
    if isinstance(g, Tensor):  # PyTorch's sum_to: sum() to a 0-d shape, else sum(keepdim) and a view if dims lead
        if not shape:
            return g.sum()
        if axes:
            g = g.sum(dim=axes, keepdim=True)
        return g.reshape(tuple(shape)) if lead else g
    return np.add.reduce(g, axis=axes, keepdims=True).reshape(shape) if axes else np.reshape(g, shape)


def expand(g, shape):
    """Broadcast ``g`` up to ``shape`` (the backward of a sum)."""
    if isinstance(g, Tensor):
        return g.expand(*shape)
    return np.broadcast_to(g, shape)


def _shape(v):
    return np.shape(v) if not isinstance(v, Tensor) else tuple(v.shape)


def broadcast_error(a, b) -> Exception:
    """PyTorch's error for shapes that do not broadcast (numpy would raise a ValueError)."""
    sa, sb = _shape(a), _shape(b)
    for i in range(max(len(sa), len(sb)) - 1, -1, -1):
        off = max(len(sa), len(sb)) - 1 - i
        x = sa[len(sa) - 1 - off] if off < len(sa) else 1
        y = sb[len(sb) - 1 - off] if off < len(sb) else 1
        if x != y and x != 1 and y != 1:
            return RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                                f"at non-singleton dimension {i}")
    return ValueError(f"operands could not be broadcast together with shapes {sa} {sb}")


def _where(cond, x, y):
    """``where(cond, x, y)`` on numpy values, or through ``WhereBackward0`` on Tensors (create_graph).

    ``cond`` is a numpy bool array (conditions are not differentiated: build them with ``_raw``).
    """
    if isinstance(x, Tensor) or isinstance(y, Tensor):
        return apply(WhereBackward0, x, y, cond=cond)
    return np.where(cond, x, y)


def _raw(v):
    """The numpy value of a Tensor (or the value itself), for conditions inside backward formulas."""
    return v._data if isinstance(v, Tensor) else v


def _binary_shapes(a, b, out):
    """Input shapes for unbroadcast, or None when no broadcasting happened (the common case)."""
    if out.__class__ is not np.ndarray:
        return None  # a numpy scalar result: every input was 0-d
    sa, sb = np.shape(a), np.shape(b)
    return None if sa == sb == out.shape else (sa, sb)


# ---------------------------------------------------------------------------- arithmetic
class AddBackward0(Function):
    """f(a, b) = a + b"""
    __slots__ = ()
    _params = {"_saved_alpha": lambda self: 1}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, b):
        try:
            out = a + b
        except ValueError:
            raise broadcast_error(a, b) from None
        ctx._info = None if out.__class__ is not np.ndarray else _binary_shapes(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        shapes = ctx._info
        na, nb = ctx.needs_input_grad
        if shapes is None:
            return (g if na else None, g if nb else None)
        return (unbroadcast(g, shapes[0]) if na else None, unbroadcast(g, shapes[1]) if nb else None)


_BOOL_SUB = ("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
             "`logical_xor()` operator instead.")


class SubBackward0(Function):
    """f(a, b) = a - b"""
    __slots__ = ()
    _params = {"_saved_alpha": lambda self: 1}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, b):
        try:
            out = a - b
        except ValueError:
            raise broadcast_error(a, b) from None
        except TypeError:
            raise RuntimeError(_BOOL_SUB) from None
        ctx._info = None if out.__class__ is not np.ndarray else _binary_shapes(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        shapes = ctx._info or ((), ())
        na, nb = ctx.needs_input_grad
        if ctx._info is None:
            return (g if na else None, -g if nb else None)
        return (unbroadcast(g, shapes[0]) if na else None, unbroadcast(-g, shapes[1]) if nb else None)


class RsubBackward1(Function):
    """f(a) = other - a, for a Python number ``other`` (``2 - a``)"""
    __slots__ = ()
    _params = {"_saved_alpha": lambda self: 1}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, other):
        return other - a

    @staticmethod
    def backward(ctx, g):
        return (-g,)


class MulBackward0(Function):
    """f(a, b) = a * b"""
    __slots__ = ()
    _saved_names = ("_saved_self", "_saved_other")
    _saved_if = (1, 0)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, b):
        na, nb = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        ctx._saved = (a if nb else None, b if na else None)  # ctx.save_for_backward(...), inline (hot)
        try:
            out = a * b
        except ValueError:
            raise broadcast_error(a, b) from None
        ctx._info = None if out.__class__ is not np.ndarray else _binary_shapes(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        saved = ctx._saved  # ctx.saved_tensors, whose checks run only when one could fail (the hottest op)
        if saved.__class__ is not tuple or _last_change > ctx._seq or unpack_tensors:
            saved = ctx.saved_tensors
        a, b = saved
        na, nb = ctx.needs_input_grad
        shapes = ctx._info
        if shapes is None:
            return (g * b if na else None, g * a if nb else None)
        return (unbroadcast(g * b, shapes[0]) if na else None, unbroadcast(g * a, shapes[1]) if nb else None)


class DivBackward0(Function):
    """f(a, b) = a / b"""
    __slots__ = ()
    _saved_names = ("_saved_self", "_saved_other")
    _saved_if = (1, None)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, b):
        nb = ctx.needs_input_grad[1]
        ctx.save_for_backward(a if nb else None, b)
        try:
            out = a / b
        except ValueError:
            raise broadcast_error(a, b) from None
        ctx._info = None if out.__class__ is not np.ndarray else _binary_shapes(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = g / b if na else None
        gb = -g * ((a / b) / b) if nb else None  # PyTorch's div_tensor_other_backward
        shapes = ctx._info
        if shapes is None:
            return ga, gb
        return (unbroadcast(ga, shapes[0]) if na else None, unbroadcast(gb, shapes[1]) if nb else None)


class NegBackward0(Function):
    """f(a) = -a"""
    __slots__ = ()
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return (-g,)


class ReciprocalBackward0(Function):
    """f(a) = 1 / a"""
    __slots__ = ()
    _saved_names = ("_saved_result",)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a):
        r = 1 / a
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved_tensors
        return (-g * (r * r),)


def _pow_scalar(a, p):
    """``a ** p`` for a Python number ``p``, with PyTorch's special cases (0.5 is sqrt, -0.5 rsqrt, 3 a cube)."""
    if isinstance(a, Tensor):
        return a ** p
    if p == 2:
        return a * a
    if p == 3:
        return a * a * a
    if p == 0.5:
        return np.sqrt(a)
    if p == -0.5:
        return 1 / np.sqrt(a)
    if p == -1:
        return 1 / a
    if p == -2:
        return 1 / (a * a)
    if isinstance(p, int) and p < 0 and np.result_type(a).kind in "iub":
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return a ** p


class PowBackward0(Function):
    """f(a) = a ** p, for a Python number p"""
    __slots__ = ("exponent",)
    _saved_names = ("_saved_self",)
    _params = {"_saved_exponent": lambda self: self.exponent}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, exponent):
        ctx.save_for_backward(a)
        ctx.exponent = exponent
        return _pow_scalar(a, exponent)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        p = ctx.exponent
        if p == 0:
            return (g * 0 if isinstance(g, Tensor) else np.zeros_like(a),)
        return (g * _scale(_pow_scalar(a, float(p - 1)), p),)


class PowBackward1(Function):
    """f(a, b) = a ** b, both tensors"""
    __slots__ = ()
    _saved_names = ("_saved_self", "_saved_exponent", "_saved_result")
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, b):
        try:
            r = a ** b
        except ValueError:
            raise broadcast_error(a, b) from None
        ctx.save_for_backward(a, b, r)
        return r

    @staticmethod
    def backward(ctx, g):
        a, b, r = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        # PyTorch's pow_backward_self / pow_backward_exponent: 0 where the formula is 0 * inf
        ga = _where(_raw(b) == 0, 0, g * (b * a ** _sub_number(b, 1))) if na else None
        gb = g * _where((_raw(a) == 0) & (_raw(b) >= 0), 0, r * _log(a)) if nb else None
        return (unbroadcast(ga, _shape(a)) if na else None, unbroadcast(gb, _shape(b)) if nb else None)


class PowBackward2(Function):
    """f(b) = base ** b, for a Python number base (``2 ** a``)"""
    __slots__ = ("base",)
    _saved_names = ("_saved_exponent", "_saved_result")
    _params = {"_saved_self": lambda self: self.base}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, b, base):
        r = base ** b
        ctx.save_for_backward(b, r)
        ctx.base = base
        return r

    @staticmethod
    def backward(ctx, g):
        b, r = ctx.saved_tensors
        base = ctx.base
        log_base = float(np.log(np.float64(base)))
        if base == 0:
            return (g * _where(_raw(b) >= 0, 0, _scale(r, log_base)),)
        return (g * _scale(r, log_base),)


def _scale(t, s):
    """``t * s`` for a Python number ``s``; on Tensors (create_graph) PyTorch's scalar product MulBackward1."""
    if isinstance(t, Tensor):
        return apply(MulBackward1, t, other=s)
    return t * s


class MulBackward1(Function):
    """f(a) = a * s for a number s, as PyTorch's backward formulas multiply (``2 * a`` in Python is MulBackward0)"""
    __slots__ = ("other",)
    _params = {"_saved_other": lambda self: self.other}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, other):
        ctx.other = other
        return a * other

    @staticmethod
    def backward(ctx, g):
        return (_scale(g, ctx.other),)


def _sub_number(t, s):
    """``t - s`` for a Python number; on Tensors (create_graph) PyTorch's SubBackward1."""
    if isinstance(t, Tensor):
        return apply(SubBackward1, t, other=s)
    return t - s


class SubBackward1(Function):
    """f(a) = a - s for a number s, as PyTorch's backward formulas subtract (``a - 1`` in Python is SubBackward0)"""
    __slots__ = ()
    _params = {"_saved_alpha": lambda self: 1}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, other):
        return a - other

    @staticmethod
    def backward(ctx, g):
        return (g,)


def _log(v):
    return v.log() if isinstance(v, Tensor) else np.log(v)


# ---------------------------------------------------------------------------- elementwise functions
class ExpBackward0(Function):
    """f(a) = exp(a)"""
    __slots__ = ()
    _saved_names = ("_saved_result",)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a):
        r = np.exp(a)
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved_tensors
        return (g * r,)


class LogBackward0(Function):
    """f(a) = log(a)"""
    __slots__ = ()
    _saved_names = ("_saved_self",)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g / a,)


class TanhBackward0(Function):
    """f(a) = tanh(a)"""
    __slots__ = ()
    _saved_names = ("_saved_result",)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a):
        r = np.tanh(a)
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved_tensors
        if isinstance(g, Tensor):  # create_graph=True: PyTorch's tanh_backward op
            return (apply(TanhBackwardBackward0, g, r),)
        return (g * (1 - r * r),)


class SigmoidBackward0(Function):
    """f(a) = 1 / (1 + exp(-a))"""
    __slots__ = ()
    _saved_names = ("_saved_result",)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a):
        r = 1 / (1 + np.exp(-a))
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved_tensors
        if isinstance(g, Tensor):  # create_graph=True: PyTorch's sigmoid_backward op
            return (apply(SigmoidBackwardBackward0, g, r),)
        return (g * (1 - r) * r,)


class ReluBackward0(Function):
    """f(a) = max(a, 0)"""
    __slots__ = ()
    _saved_names = ("_saved_result",)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a):
        r = np.maximum(a, 0)
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved_tensors
        if isinstance(g, Tensor):  # create_graph=True: PyTorch's threshold_backward op
            return (apply(ThresholdBackwardBackward0, g, r),)
        return (np.where(r <= 0, 0, g),)  # 0 where the result is <= 0; NaN's gradient passes


class SqrtBackward0(Function):
    """f(a) = sqrt(a)"""
    __slots__ = ()
    _saved_names = ("_saved_result",)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a):
        r = np.sqrt(a)
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved_tensors
        return (g / _scale(r, 2),)


# The backward formulas of tanh, sigmoid and relu are operations of their own in PyTorch;
# with create_graph=True they appear in the graph under these names.
class TanhBackwardBackward0(Function):
    """f(g, y) = g * (1 - y * y), the backward of tanh (y its result)"""
    __slots__ = ()
    _saved_names = ("_saved_grad_output", "_saved_output")
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * (1 - y * y)

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        ng, ny = ctx.needs_input_grad
        dg = (apply(TanhBackwardBackward0, gg, y) if isinstance(gg, Tensor) else gg * (1 - y * y)) if ng else None
        return dg, (gg * (-2 * y * g) if ny else None)


class SigmoidBackwardBackward0(Function):
    """f(g, y) = g * (1 - y) * y, the backward of sigmoid (y its result)"""
    __slots__ = ()
    _saved_names = ("_saved_grad_output", "_saved_output")
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * (1 - y) * y

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        ng, ny = ctx.needs_input_grad
        dg = (apply(SigmoidBackwardBackward0, gg, y) if isinstance(gg, Tensor) else gg * (1 - y) * y) if ng else None
        return dg, (gg * g * (-2 * y + 1) if ny else None)


class ThresholdBackwardBackward0(Function):
    """f(g, y) = 0 where y <= 0 else g, the backward of relu (y its result)"""
    __slots__ = ()
    _saved_names = ("_saved_self",)
    _params = {"_saved_threshold": lambda self: 0}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(y)
        return np.where(y <= 0, 0, g)

    @staticmethod
    def backward(ctx, gg):
        (y,) = ctx.saved_tensors
        ng, ny = ctx.needs_input_grad
        dg = (apply(ThresholdBackwardBackward0, gg, y) if isinstance(gg, Tensor) else np.where(y <= 0, 0, gg)) if ng else None
        return dg, (gg * 0 if ny else None)


class CopyBackwards(Function):
    """f(dst, src) = a copy of src (what AccumulateGrad stores as .grad under create_graph=True)"""
    __slots__ = ()
    _keeps_dtype = True

    def name(self) -> str:
        return "torch::autograd::CopyBackwards"

    @staticmethod
    def forward(ctx, dst, src):
        return np.array(src, copy=True)

    @staticmethod
    def backward(ctx, g):
        return None, g


# ---------------------------------------------------------------------------- reductions
def _dims(dim, ndim):
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    out = []
    for d in dims:
        if not isinstance(d, (int, np.integer)) or isinstance(d, bool):
            raise TypeError(f"dim must be an int or a tuple of ints, got {dim!r}")
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"Dimension out of range (expected to be in range of [{-max(ndim, 1)}, {max(ndim, 1) - 1}], but got {d})")
        out.append(d % max(ndim, 1))
    return tuple(out)


class SumBackward0(Function):
    """f(a) = sum of all elements"""
    __slots__ = ()
    _params = {"_saved_self_sym_sizes": lambda self: self._info}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a):
        ctx._info = _shape(a)
        s = np.add.reduce(a, axis=None)
        return s if np.result_type(a).kind != "b" else np.int64(s)

    @staticmethod
    def backward(ctx, g):
        return (expand(g, ctx._info),)


class SumBackward1(Function):
    """f(a) = sum over ``dim`` (keepdim or not)"""
    __slots__ = ("dim", "keepdim")
    _params = {"_saved_dim": lambda self: self.dim, "_saved_keepdim": lambda self: self.keepdim,
               "_saved_self_sym_sizes": lambda self: self._info}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        dims = _dims(dim, np.ndim(a))
        ctx.dim, ctx.keepdim = dims, keepdim
        ctx._info = _shape(a)
        axis = dims if np.ndim(a) else None
        return np.asarray(np.add.reduce(a, axis=axis, keepdims=keepdim))

    @staticmethod
    def backward(ctx, g):
        return (_sum_backward(g, ctx._info, ctx.dim, ctx.keepdim),)


def _sum_backward(g, shape, dims, keepdim):
    """PyTorch's sum_backward: put the reduced dims back (unsqueeze), then expand to ``shape``."""
    if isinstance(g, Tensor):
        if not keepdim and len(shape):
            for d in sorted(dims):
                g = apply(UnsqueezeBackward0, g, dim=d)
        return g.expand(*shape)
    if not keepdim and len(shape):
        g = np.reshape(g, tuple(1 if i in dims else s for i, s in enumerate(shape)))
    return np.broadcast_to(g, shape)


def _div_number(t, n):
    """``t / n`` for a Python number; on Tensors (create_graph) PyTorch's DivBackward1."""
    if isinstance(t, Tensor):
        return apply(DivBackward1, t, other=n)
    return t / n


def _check_mean_dtype(a):
    kind = np.result_type(a).kind
    if kind != "f":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {'Bool' if kind == 'b' else 'Long'}")


class MeanBackward0(Function):
    """f(a) = mean of all elements"""
    __slots__ = ()
    _params = {"_saved_self_sym_sizes": lambda self: self._info,
               "_saved_self_sym_numel": lambda self: int(np.prod(self._info))}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a):
        _check_mean_dtype(a)
        ctx._info = _shape(a)
        return np.add.reduce(a, axis=None) / np.size(a)

    @staticmethod
    def backward(ctx, g):
        shape = ctx._info
        n = max(int(np.prod(shape)), 1)
        if isinstance(g, Tensor):  # PyTorch's order: expand, then divide
            return (_div_number(g.expand(*shape), n),)
        return (np.broadcast_to(g / n, shape),)


class MeanBackward1(Function):
    """f(a) = mean over ``dim``"""
    __slots__ = ("dim", "keepdim")
    _params = {"_saved_dim": lambda self: self.dim, "_saved_keepdim": lambda self: self.keepdim,
               "_saved_self_sym_sizes": lambda self: self._info,
               "_saved_self_sym_numel": lambda self: int(np.prod(self._info))}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        dims = _dims(dim, np.ndim(a))
        ctx.dim, ctx.keepdim = dims, keepdim
        ctx._info = _shape(a)
        _check_mean_dtype(a)
        axis = dims if np.ndim(a) else None
        n = int(np.prod([np.shape(a)[d] for d in dims])) if np.ndim(a) else 1
        return np.asarray(np.add.reduce(a, axis=axis, keepdims=keepdim) / n)

    @staticmethod
    def backward(ctx, g):
        shape = ctx._info
        n = int(np.prod([shape[d] for d in ctx.dim])) if len(shape) else 1
        if isinstance(g, Tensor):  # PyTorch's order: sum_backward, then divide
            return (_div_number(_sum_backward(g, shape, ctx.dim, ctx.keepdim), n),)
        return (_sum_backward(g / n, shape, ctx.dim, ctx.keepdim),)


class DivBackward1(Function):
    """f(a) = a / s for a number s, as PyTorch's backward formulas divide (``a / 2`` in Python is DivBackward0)"""
    __slots__ = ("other",)
    _params = {"_saved_other": lambda self: self.other}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, other):
        ctx.other = other
        return a / other

    @staticmethod
    def backward(ctx, g):
        return (_div_number(g, ctx.other),)


class UnsqueezeBackward0(Function):
    """f(a) = a with a new dimension of size 1 at ``dim`` (inside sum's backward under create_graph)"""
    __slots__ = ("dim",)
    _params = {"_saved_dim": lambda self: self.dim}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        return np.expand_dims(a, dim)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):
            return (apply(SqueezeBackward1, g, dim=ctx.dim),)
        return (np.squeeze(g, axis=ctx.dim),)


class SqueezeBackward1(Function):
    """f(a) = a without its dimension ``dim`` of size 1 (the backward of unsqueeze)"""
    __slots__ = ("dim",)
    _params = {"_saved_dim": lambda self: self.dim}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        return np.squeeze(a, axis=dim)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):
            return (apply(UnsqueezeBackward0, g, dim=ctx.dim),)
        return (np.expand_dims(g, ctx.dim),)


# ---------------------------------------------------------------------------- shapes
class ViewBackward0(Function):
    """f(a) = a.reshape(shape), a view of the same memory"""
    __slots__ = ()
    _params = {"_saved_self_sym_sizes": lambda self: self._info}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx._info = _shape(a)
        return np.reshape(a, shape)

    @staticmethod
    def backward(ctx, g):
        return (g.reshape(ctx._info),)


class CloneBackward0(Function):
    """f(a) = a copy of a"""
    __slots__ = ()
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a):
        return np.array(a, copy=True)

    @staticmethod
    def backward(ctx, g):
        return (g,)


class UnsafeViewBackward0(ViewBackward0):
    """f(a) = a.reshape(shape) of a copied (contiguous) tensor"""
    __slots__ = ()


class ReshapeAliasBackward0(ViewBackward0):
    """f(a) = a.reshape(shape) of a non-contiguous tensor whose strides allow a view"""
    __slots__ = ()


class ExpandBackward0(Function):
    """f(a) = a broadcast to ``shape``"""
    __slots__ = ()
    _params = {"_saved_self_sym_sizes": lambda self: self._info}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx._info = _shape(a)
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, g):
        return (unbroadcast(g, ctx._info),)


class TBackward0(Function):
    """f(a) = a.t(), the transpose of a matrix"""
    __slots__ = ()
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a):
        return np.transpose(a)

    @staticmethod
    def backward(ctx, g):
        return (g.t() if isinstance(g, Tensor) else np.transpose(g),)


class PermuteBackward0(Function):
    """f(a) = a.T, the dimensions in reverse order"""
    __slots__ = ()
    _params = {"_saved_dims": lambda self: self._info}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a):
        ctx._info = tuple(reversed(range(np.ndim(a))))
        return np.transpose(a)

    @staticmethod
    def backward(ctx, g):
        return (g.T if isinstance(g, Tensor) else np.transpose(g),)


def _unsigned(i: int) -> int:
    """PyTorch shows negative saved indices as unsigned 64-bit numbers (-1 -> 2**64 - 1)."""
    return i + 2 ** 64 if i < 0 else i


class _Indexing(Function):
    """Base of t[i] (select) and t[a:b:c] (slice) along one dimension; the index is ``ctx._info[1]``."""
    __slots__ = ("dim",)
    _keeps_dtype = True

    @staticmethod
    def backward(ctx, g):
        shape, index, dt = ctx._info
        if isinstance(g, Tensor):
            raise NotImplementedError(f"create_graph=True through indexing ({ctx.name()}) is not supported in "
                                      "autograd_lab; index before the part of the formula you differentiate twice")
        out = np.zeros(shape, dtype=dt)
        out[index] = g
        return (out,)


class SelectBackward0(_Indexing):
    """f(a) = a[..., index, ...] (``index`` an integer, at dimension ``dim``)"""
    __slots__ = ("index",)
    _params = {"_saved_dim": lambda self: self.dim, "_saved_index": lambda self: _unsigned(self.index),
               "_saved_self_sym_sizes": lambda self: self._info[0]}

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.dim, ctx.index = dim, index
        where = (slice(None),) * dim + (index,)
        ctx._info = (_shape(a), where, np.result_type(a))
        return np.asarray(a)[where]


class SliceBackward0(_Indexing):
    """f(a) = a[..., start:end:step, ...] (at dimension ``dim``)"""
    __slots__ = ("start", "end", "step")
    _params = {"_saved_dim": lambda self: self.dim, "_saved_start": lambda self: _unsigned(self.start),
               "_saved_end": lambda self: _unsigned(self.end), "_saved_step": lambda self: self.step,
               "_saved_self_sym_sizes": lambda self: self._info[0]}

    @staticmethod
    def forward(ctx, a, dim, start, end, step):
        ctx.dim, ctx.step = dim, step
        ctx.start = 0 if start is None else start
        ctx.end = 2 ** 63 - 1 if end is None else end
        where = (slice(None),) * dim + (slice(start, end, step),)
        ctx._info = (_shape(a), where, np.result_type(a))
        return np.asarray(a)[where]


class AliasBackward0(Function):
    """f(a) = a, the same values (``t[:]``, ``t[:, :]``)"""
    __slots__ = ()
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a):
        return np.asarray(a)[...]

    @staticmethod
    def backward(ctx, g):
        return (g,)


class ToCopyBackward0(Function):
    """f(a) = a converted to another dtype"""
    __slots__ = ()
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, dtype):
        ctx._info = np.result_type(a)
        return np.asarray(a).astype(dtype.np) if np.ndim(a) else dtype.np.type(a)

    @staticmethod
    def backward(ctx, g):
        dt = ctx._info
        if isinstance(g, Tensor):
            return (g.to(_dtype_of(dt)),)
        return (np.asarray(g).astype(dt) if np.ndim(g) else dt.type(g),)


# ---------------------------------------------------------------------------- matrix products
class DotBackward0(Function):
    """f(a, b) = a @ b for two vectors"""
    __slots__ = ()
    _saved_names = ("_saved_self", "_saved_tensor")
    _saved_if = (1, 0)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, b):
        na, nb = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        ctx.save_for_backward(a if nb else None, b if na else None)
        return np.dot(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return (g * b if na else None, g * a if nb else None)


class MvBackward0(Function):
    """f(M, v) = M @ v, matrix times vector"""
    __slots__ = ()
    _saved_names = ("_saved_self", "_saved_vec")
    _saved_if = (1, 0)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, m, v):
        nm, nv = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        ctx.save_for_backward(m if nv else None, v if nm else None)
        return m @ v

    @staticmethod
    def backward(ctx, g):
        m, v = ctx.saved_tensors
        nm, nv = ctx.needs_input_grad
        gm = g.reshape((-1, 1)) * v if nm else None  # PyTorch's outer(g, v)
        gv = (m.T @ g if not isinstance(m, Tensor) else m.t() @ g) if nv else None
        return gm, gv


def _strides(x) -> tuple:
    x = np.asarray(x)
    return tuple(s // x.itemsize for s in x.strides)


class MmBackward0(Function):
    """f(A, B) = A @ B, matrix times matrix"""
    __slots__ = ()
    _saved_names = ("_saved_self", "_saved_mat2")
    _saved_if = (1, 0)
    # sizes always, strides of the inputs whose gradient is computed (PyTorch's mm_mat*_backward)
    _params = {"_saved_self_sym_sizes": lambda self: self._info[0], "_saved_self_sym_strides": lambda self: self._info[1],
               "_saved_mat2_sym_sizes": lambda self: self._info[2], "_saved_mat2_sym_strides": lambda self: self._info[3]}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, b):
        na, nb = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        ctx.save_for_backward(a if nb else None, b if na else None)
        if na or nb:
            ctx._info = (np.shape(a), _strides(a) if na else (), np.shape(b), _strides(b) if nb else ())
        return a @ b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        if isinstance(g, Tensor):
            return (g @ b.t() if na else None, a.t() @ g if nb else None)
        return (g @ b.T if na else None, a.T @ g if nb else None)


class WhereBackward0(Function):
    """f(c, x, y) = x where c else y (used inside other ops' backward formulas under create_graph)"""
    __slots__ = ()
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, x, y, cond):
        ctx._info = (cond, _shape(x), _shape(y))
        return np.where(cond, x, y)

    @staticmethod
    def backward(ctx, g):
        cond, sx, sy = ctx._info
        nx, ny = ctx.needs_input_grad
        return (unbroadcast(_where(cond, g, 0), sx) if nx else None,
                unbroadcast(_where(cond, 0, g), sy) if ny else None)


# ---------------------------------------------------------------------------- comparisons (no grad)
class _Compare(Node):
    """Comparisons give bool tensors and are not part of the autograd graph."""
    __slots__ = ()
    _special = True
    kind = None
    _ufunc = None

    @classmethod
    def run(cls, a, b):
        raw_a = a._data if isinstance(a, Tensor) else a
        raw_b = b._data if isinstance(b, Tensor) else b
        return _wrap(np.asarray(cls._ufunc(raw_a, raw_b)), False, None)


def _comparison(name, ufunc):
    return type(name, (_Compare,), {"__slots__": (), "_ufunc": staticmethod(ufunc), "__doc__": f"f(a, b) = a {name} b"})


Lt = _comparison("Lt", np.less)
Le = _comparison("Le", np.less_equal)
Gt = _comparison("Gt", np.greater)
Ge = _comparison("Ge", np.greater_equal)
Eq = _comparison("Eq", np.equal)
Ne = _comparison("Ne", np.not_equal)


# ---------------------------------------------------------------------------- non-differentiable "ops"
class _Special(Node):
    """Operations that change tensor state without a backward formula; ``kind`` is the event kind."""
    __slots__ = ()
    _special = True
    kind = "tensor"


class MakeLeaf(_Special):
    """A new leaf tensor from data (``tensor``, ``zeros``, ``ones`` ...)."""
    kind = "tensor"

    @staticmethod
    def run(arr, requires_grad):
        if requires_grad and arr.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        # A 0-d value is kept as a numpy scalar: arithmetic on it is ~6x cheaper than on a 0-d array.
        # In-place changes and memory sharing (.data, numpy(), detach) turn it into an array first.
        return _wrap(arr[()] if arr.ndim == 0 else arr, requires_grad, None)


class RequiresGrad(_Special):
    """``t.requires_grad_(flag)`` on a leaf."""
    kind = "tensor"

    @staticmethod
    def run(t, flag):
        if t.grad_fn is not None:
            if flag:
                return t
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")
        if flag and t._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        t._requires_grad = flag
        return t


class Detach(_Special):
    """``t.detach()``: same values, no history."""
    kind = "tensor"

    @staticmethod
    def run(t):
        return _wrap(t._array(), False, None)


class ClearGrad(_Special):
    """``t.grad = None`` (what ``optimizer.zero_grad()`` does by default)."""
    kind = "zero"

    @staticmethod
    def run(t):
        t._grad = None
        return t


class ZeroInplace(_Special):
    """``t.zero_()``: fill with zeros in place (``w.grad.zero_()``)."""
    kind = "zero"

    @staticmethod
    def run(t):
        if _grad_state.enabled and t._requires_grad and t.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        old = t._data
        t._array()[...] = 0
        if t._x is None or t._x.base is None:
            _bump(t, old, t._data)
        return t


# ---------------------------------------------------------------------------- in-place arithmetic
class AddInplace(AddBackward0):
    """``a += b`` / ``a.add_(b)`` (the node is an AddBackward0 when a graph is recorded)."""
    __slots__ = ()

    def name(self):
        return "AddBackward0"


class SubInplace(SubBackward0):
    __slots__ = ()

    def name(self):
        return "SubBackward0"


class MulInplace(MulBackward0):
    __slots__ = ()

    def name(self):
        return "MulBackward0"


class DivInplace(DivBackward0):
    __slots__ = ()

    def name(self):
        return "DivBackward0"


OPS = [AddBackward0, SubBackward0, RsubBackward1, MulBackward0, DivBackward0, NegBackward0,
       ReciprocalBackward0, PowBackward0, PowBackward1, PowBackward2, ExpBackward0, LogBackward0,
       TanhBackward0, SigmoidBackward0, ReluBackward0, SqrtBackward0, SumBackward0, SumBackward1,
       MeanBackward0, MeanBackward1, ViewBackward0, UnsafeViewBackward0, ReshapeAliasBackward0, CloneBackward0,
       ExpandBackward0, TBackward0, PermuteBackward0, DotBackward0, MvBackward0, MmBackward0,
       SelectBackward0, SliceBackward0, AliasBackward0, ToCopyBackward0]
