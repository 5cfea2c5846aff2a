"""Backward nodes: ``Node`` (what ``grad_fn`` holds), ``AccumulateGrad``, hook handles, saved values.

Saved values are checked against in-place changes here (PyTorch's version counters): an array
changed in place is listed in ``_changed``; a node created before a change of a value it saved
refuses to use it, with PyTorch's error. This module is the bottom of the core: it knows the
tensor class only as ``TensorBase`` and as the class ``tensor.py`` gives it (``bind_tensor``),
so nothing here imports tensor.py.
"""
from __future__ import annotations

import itertools
import re
import weakref
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from .messages import FREED_MESSAGE, PACK_INPLACE_MESSAGE, VERSION_MESSAGE


class TensorBase:
    """The base of ``Tensor``: lets the layers below tensor.py recognise a tensor (isinstance)."""
    __slots__ = ()


Tensor = TensorBase  # the real class, given by tensor.py (bind_tensor) when it is defined
_new = object.__new__


def bind_tensor(cls) -> None:
    """Called once by tensor.py: the class that ``_wrap`` makes (no import of tensor.py here)."""
    global Tensor
    Tensor = cls


def _wrap(data, requires_grad: bool, grad_fn):
    """Fast internal constructor of a Tensor (no checks)."""
    t = _new(Tensor)
    t._data = data
    t._requires_grad = requires_grad
    t.grad_fn = grad_fn
    t._grad = None
    t._acc = None
    t._x = None
    return t


_seq = itertools.count()
# saved_tensors_hooks in effect (a stack of (pack, unpack) pairs; the innermost is used)
pack_hooks: list = []


class _Packed(tuple):
    """A node's saved values as ``saved_tensors_hooks``' pack hook returned them, with the unpack hook."""
    __slots__ = ()

    def unpacked(self, node) -> tuple:
        unpack = self[0]
        items = self[1:]
        out = [None] * len(items)
        for i in getattr(type(node), "_pack_order", None) or range(len(items)):
            packed, p, link = items[i]
            if not packed:  # not a tensor (a number): kept as it was
                out[i] = p
                continue
            t = unpack(p)
            if unpack_tensors and link is not None and isinstance(t, Tensor) and not t._requires_grad:
                # another tensor than the one saved (the pack hook made it): PyTorch gives it the saved
                # tensor's place in the graph, so a gradient made from it under create_graph=True has a history
                t = _linked(t, link)
            out[i] = t if unpack_tensors or not isinstance(t, Tensor) else t._data
        return tuple(out)


def pack_saved(node, inputs) -> None:
    """Run the innermost pack hook on each value ``node`` saved (as the Tensor it is: input or result)."""
    pack, unpack = pack_hooks[-1]
    node._inputs = inputs
    names = type(node)._saved_names or ("",) * len(node._saved)
    from .grad_mode import _state
    saved = node._saved
    packed = [(False, v, None) for v in saved]
    prev, _state.enabled = _state.enabled, False  # the hooks run without recording, as in PyTorch
    try:
        for i in getattr(type(node), "_pack_order", None) or range(len(saved)):  # PyTorch's order, where it differs
            v = saved[i]
            if isinstance(v, (np.ndarray, np.generic)) and not isinstance(v, (np.integer, np.bool_)) or (
                    isinstance(v, np.ndarray)):
                t = node._as_tensor(v, names[i])
                arr = t._data
                version = _version_of(arr)
                link = (t.grad_fn, t._acc or (_accumulate_node(t) if t.grad_fn is None else None)) if (
                    t._requires_grad) else None
                packed[i] = (True, pack(t), link)
                if t._data is not arr or _version_of(arr) != version:
                    raise RuntimeError(PACK_INPLACE_MESSAGE)
    finally:
        _state.enabled = prev
    node._saved = _Packed((unpack,) + tuple(packed))


def _linked(t, link):
    """A tensor of ``t``'s values in the graph where the saved tensor was (``link``: its grad_fn, or the
    AccumulateGrad node of the leaf it was)."""
    grad_fn, acc = link
    out = _wrap(t._data, True, grad_fn)
    if grad_fn is None:
        out._acc = acc
    return out


def _version_of(arr) -> int:
    """How many in-place changes array ``arr`` has had (0 if none is listed)."""
    e = _changed.get(id(arr))
    return e[0] if e is not None else 0


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
_SCALARS: dict = {}  # id -> numpy scalar with an entry in _changed (no weakref to drop them): the newest 4096 kept
_last_change = -1    # sequence number of the latest change: nodes made after it need not look


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
        # the new array continues the old one's count (one storage in PyTorch: one version counter),
        # so a later change of the tensor is also a change of the values saved before
        _changed[id(new)] = entry
        _forget_with(new, id(new))
    if on_bump is not None:
        on_bump(owner)


on_bump = None  # views.bump (set by views.py): the tensor's version counter, and its views' new grad_fns


def _forget_with(v, key) -> None:
    """Drop ``_changed[key]`` when array ``v`` dies (numpy scalars cannot say: keep the newest few)."""
    if isinstance(v, np.ndarray):
        weakref.finalize(v, _changed.pop, key, None)
    else:
        _SCALARS[key] = v  # held: while its entry lives, no other scalar can take its id
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
    names = type(node)._saved_names
    for i in getattr(type(node), "_pack_order", None) or range(min(len(names), len(saved))):  # PyTorch's order
        name, v = names[i], saved[i]
        w = v
        while w is not None:
            e = _changed.get(id(w))
            if e is not None and e[1] and e[1][-1] > seq:
                version, stamps, owner = e
                expected = version - sum(1 for s in stamps if s > seq)
                t = _saved_tensor(node, name, v)
                _raise_version_error(node, name, v, version, expected, t if t is not None else owner and owner())
            w = getattr(w, "base", None)


def _saved_tensor(node, name, v):
    """The input of ``node`` a saved value came from (PyTorch names its grad_fn as it is now), if any."""
    inputs = node._inputs or ()
    i = _INPUT_OF.get(name)
    if i is not None and i < len(inputs) and getattr(inputs[i], "_data", None) is v:
        return inputs[i]
    return next((a for a in inputs if getattr(a, "_data", None) is v), None)


_INPUT_OF = {"_saved_self": 0, "_saved_other": 1}


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


# ---------------------------------------------------------------------------- hooks
class RemovableHandle:
    """Returned by ``register_hook``; ``handle.remove()`` unregisters the hook."""

    _next_id = itertools.count()

    def __init__(self, hooks_dict: "OrderedDict[int, Callable]"):
        self.id = next(RemovableHandle._next_id)
        self._dict = hooks_dict

    def remove(self) -> None:
        self._dict.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()

    def __repr__(self) -> str:
        return f"<torch.utils.hooks.RemovableHandle object at {hex(id(self))}>"


def _register(hooks: "OrderedDict[int, Callable] | None", fn) -> tuple:
    if not callable(fn):
        raise TypeError(f"register_hook expects a function (for example a lambda), got {type(fn).__name__}")
    if hooks is None:
        hooks = OrderedDict()
    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    return hooks, handle



class _NodeHooks:
    __slots__ = ("pre", "post", "tensor_hooks", "retain", "metadata")

    def __init__(self):
        self.pre = self.post = self.tensor_hooks = self.retain = None
        self.metadata = {}


class Node:
    """A backward function in the graph (what ``tensor.grad_fn`` holds)."""

    def __init_subclass__(cls, **kwargs):
        # PyTorch's node classes are C++ types without a module: ``type(y.grad_fn)`` prints
        # ``<class 'MulBackward0'>``, not the path of the file that declares it here
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("autograd_lab.core"):
            cls.__module__ = "builtins"

    __slots__ = ("_next", "needs_input_grad", "_saved", "_inputs", "_info", "_hooks", "_seq",
                 "_tid", "__weakref__")
    _saved_names: tuple = ()      # names under which save_for_backward's values are exposed
    _saved_if: tuple = ()         # per saved name: index of the input whose need for grad makes it saved (None: always)
    _special = False              # True for ops that are not differentiable operations (events differ)
    _output_of = None             # (node, output index) for a custom Function's per-output node

    def name(self) -> str:
        """PyTorch's name of the node, e.g. ``'MulBackward0'``."""
        return type(self).__name__

    @property
    def next_functions(self) -> tuple:
        """One ``(node, 0)`` pair per input: the node its gradient goes to (``None`` for an input
        that needs none). Kept as a tuple of nodes (``_next``); the pairs are made when read.
        (An edge to the node of one output of a several-output custom Function shows, as PyTorch's,
        the Function's node and the output's index: ``_output_of``.)"""
        return tuple([(n, 0) if n is None or n._output_of is None else n._output_of for n in self._next])

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
        if saved.__class__ is _Packed:
            return saved.unpacked(self)
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

    def _input_of_slot(self, name: str, first):
        """The input a saved value came from when two inputs hold the same array (``a`` and ``b`` both
        ``x.detach()``): saved slots follow the inputs' order (``self``, ``other``; ``mat1``, ``mat2`` after
        addmm's bias), so slot ``i`` of ``n`` is input ``i + inputs - n``."""
        names = [n for n in type(self)._saved_names if n != "_saved_result"]
        tensors = [a for a in self._inputs if isinstance(a, Tensor)]
        if name in names and len(tensors) >= len(names):
            return tensors[names.index(name) + len(tensors) - len(names)]
        return first

    def _as_tensor(self, v, name: str = ""):
        """A saved value as a Tensor: the input it came from, or this node's own result."""
        if v is None or isinstance(v, Tensor):
            return v
        if name == "_saved_result":
            return _wrap(v, True, self)
        found = None
        for a in self._inputs or ():
            if isinstance(a, Tensor) and a._data is v:
                if found is not None and a is not found:
                    return self._input_of_slot(name, found)
                found = a
        if found is not None:
            return found
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
                if saved.__class__ is _Packed:
                    return self._as_tensor(saved.unpacked(self)[i], name)
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
