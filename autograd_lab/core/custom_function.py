"""``autograd.Function``: an operation written by the student, with its own forward and backward,
recorded, drawn and narrated as any other node under PyTorch's name for it (``<ClassName>Backward``)::

    class MyExp(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            return grad_output * y

    y = MyExp.apply(x)        # y.grad_fn: <MyExpBackward>

What PyTorch allows is allowed: several outputs (tensors or not), ``setup_context`` (a forward
without ``ctx``), ``mark_non_differentiable``, ``mark_dirty``, ``set_materialize_grads``,
``needs_input_grad``, ``vjp`` instead of ``backward``, ``@once_differentiable``, with PyTorch's
errors for a backward that returns the wrong number or shape of gradients.

A node here has one output (the engine keeps one gradient per node). A Function with several
outputs therefore gets one small node per output (each named as the Function's node, the
``grad_fn`` of its output) in front of the Function's own node: each hands its gradient on,
tagged with its output's index (``_Grads``), and the Function's node receives them all, summed
into one ``_Grads``, as the gradients of its outputs. ``next_functions`` hides these nodes: an
output's grad_fn shows the Function's node's edges, and an edge to an output shows (the
Function's node, the output's index), as PyTorch's do.
"""
from __future__ import annotations

import functools
import inspect
import warnings

import numpy as np

from . import function as F
from . import node as _node
from . import recording as _rec
from .grad_mode import _state as _grad_state
from .node import _new, _seq, _wrap
from .tensor import Tensor

DIRTY_NOT_RETURNED = ("Some elements marked as dirty during the forward method were not returned as output. "
                      "The inputs that are modified inplace must all be outputs of the Function.")
DIRTY_LEAF_MESSAGE = "a leaf Variable that requires grad has been used in an in-place operation."
ONCE_DIFFERENTIABLE_MESSAGE = "trying to differentiate twice a function that was marked with @once_differentiable"


class _Grads:
    """The gradients of some outputs of a Function with several outputs: ``{output index: gradient}``.
    Sums merge (``a + b``), so the engine's buffers add them as they add any gradient."""
    __slots__ = ("parts",)
    __array_ufunc__ = None  # (numpy defers to __radd__)

    def __init__(self, parts: dict):
        self.parts = parts

    def __add__(self, other):
        if other is None:
            return self
        parts = dict(self.parts)
        for k, g in other.parts.items():
            parts[k] = g if parts.get(k) is None else parts[k] + g
        return _Grads(parts)

    __radd__ = __add__

    @property
    def _data(self):  # what a recorder shows of it: the gradients, in output order
        return [getattr(g, "_data", g) for _, g in sorted(self.parts.items())]


class _ShownAsTorch:
    """A custom Function's nodes show themselves as PyTorch's (``<torch.autograd.function.MyExpBackward
    object at ...>``) and, as PyTorch's, cannot be called."""

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<torch.autograd.function.{type(self).__name__} object at {hex(id(self))}>"

    def __call__(self, *grads):
        raise TypeError(f"'{type(self).__name__}' object is not callable")


class _CustomNode(_ShownAsTorch, F.Function):
    """Base of the node classes made for each ``autograd.Function`` subclass (``MyExpBackward``).

    The node is also the ``ctx`` of forward and backward: it takes any attribute (``ctx.k = 2``)."""

    _forward_cls = None

    # ---- ctx API
    def save_for_backward(self, *tensors) -> None:
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is of type "
                                f"{type(t).__name__}")
        self._saved_ts = tensors
        self._saved = tuple(None if t is None else t._data for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved.__class__ is _node._Freed:
            raise RuntimeError(_node.FREED_MESSAGE)
        if saved.__class__ is _node._Packed:
            prev = _node.unpack_tensors
            _node.unpack_tensors = True
            try:
                return saved.unpacked(self)
            finally:
                _node.unpack_tensors = prev
        return self.__dict__.get("_saved_ts", ())

    @property
    def saved_variables(self) -> tuple:
        warnings.warn("'saved_variables' is deprecated; use 'saved_tensors'", DeprecationWarning, stacklevel=2)
        return self.saved_tensors

    def mark_non_differentiable(self, *tensors) -> None:
        for t in tensors:
            if not isinstance(t, Tensor):
                raise RuntimeError("mark_non_differentiable only accepts variable arguments, but got ")  # (sic)
        self._non_diff = tensors

    def mark_dirty(self, *tensors) -> None:
        for t in tensors:
            if not isinstance(t, Tensor):
                raise RuntimeError("mark_dirty can only accept variables, but argument ")  # (sic)
        self._dirty = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize = value

    # ---- what the engine calls
    @staticmethod
    def backward(ctx, g):
        cls = ctx._forward_cls
        if cls.backward is not Function.backward and cls.vjp is not Function.vjp:
            raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function is not allowed. You "
                               "should only implement one of them.")
        user_backward = cls.vjp if cls.backward is Function.backward else cls.backward
        gs = [g.parts.get(k) for k in range(len(ctx._out_meta))] if g.__class__ is _Grads else [g]
        materialize = ctx.__dict__.get("_materialize", True)
        grads = []
        for gk, meta in zip(gs, ctx._out_meta):
            if gk is None:
                if materialize and meta is not None:  # an unused tensor output's gradient: zeros, as in PyTorch
                    grads.append(_wrap(np.zeros(meta[0], dtype=meta[1]), False, None))
                else:
                    grads.append(None)
            else:
                grads.append(gk if isinstance(gk, Tensor) else _wrap(gk, False, None))
        result = user_backward(ctx, *grads)
        return _checked_gradients(ctx, result)


def _checked_gradients(ctx, result) -> tuple:
    """The user's backward's result, checked as PyTorch checks it: one gradient per forward input (extra
    Nones allowed), None for a non-tensor input, a shape the input's shape broadcasts to (summed down)."""
    name = type(ctx).__name__
    if not isinstance(result, tuple):
        result = (result,)
    n = len(ctx._in_meta)
    if len(result) != n:
        if len(result) > n and all(r is None for r in result[n:]):
            result = result[:n]
        else:
            raise RuntimeError(f"function {name} returned an incorrect number of gradients (expected "
                               f"{n}, got {len(result)})")
    out = []
    for i, (r, meta) in enumerate(zip(result, ctx._in_meta)):
        if meta is None:
            if r is not None:
                raise RuntimeError(f"function {name} returned a gradient different than None at position "
                                   f"{i + 1}, but the corresponding forward input was not a Variable")
            continue
        if r is not None and not isinstance(r, Tensor):
            raise RuntimeError(f"expected Variable or None (got {type(r).__name__})")
        if r is not None:
            r = _fitted(r, meta, name, len(out))
        out.append(None if r is None else r if _node.unpack_tensors else
                   (np.asarray(r._data) if np.ndim(r._data) else r._data))
    return tuple(out)


def _fitted(r, meta, name: str, index: int):
    """Gradient ``r`` for an input of shape and dtype ``meta``: summed down where the input broadcasts to
    it, cast to the input's dtype; any other shape is PyTorch's error."""
    shape, dtype = meta
    rshape = tuple(r.shape)
    if rshape != shape:
        if not _expandable(shape, rshape):
            raise RuntimeError(f"Function {name} returned an invalid gradient at index {index} - got "
                               f"{list(rshape)} but expected shape compatible with {list(shape)}")
        r = F.unbroadcast(r if _node.unpack_tensors else r._data, shape)
        r = r if isinstance(r, Tensor) else _wrap(np.asarray(r), False, None)
    if r._data.dtype != dtype:
        if _node.unpack_tensors:  # (a recorded cast, as PyTorch's)
            r = r.double() if dtype == np.float64 else r.float()
        else:
            r = _wrap(np.asarray(r._data, dtype=dtype), False, None)
    return r


def _expandable(shape: tuple, target: tuple) -> bool:
    """True if a tensor of ``shape`` broadcasts to ``target`` (PyTorch's is_expandable_to)."""
    if len(shape) > len(target):
        return False
    return all(s == t or s == 1 for s, t in zip(reversed(shape), reversed(target)))


class _OutputNode(_ShownAsTorch, F.Function):
    """The grad_fn of one output of a Function with several outputs: hands its gradient on to the
    Function's node, tagged with the output's index. Shows itself as the Function's node does."""

    _k = 0

    @staticmethod
    def backward(ctx, g):
        return (_Grads({ctx._k: g}),)

    @property
    def next_functions(self) -> tuple:  # (the Function's node's: what PyTorch's output's grad_fn shows)
        return self._main.next_functions

    def __getattr__(self, name):  # the ctx's attributes (ctx.k = 2 in forward) read through any output's grad_fn
        if name.startswith("_"):  # (the node's own slots, e.g. a recorder's _tid, are never the ctx's)
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        return getattr(self.__dict__["_main"], name)


class _FunctionMeta(type):
    """Makes the node class ``<Name>Backward`` of every ``autograd.Function`` subclass."""

    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        ns = {"_forward_cls": cls, "__module__": "torch.autograd.function"}
        cls._backward_cls = type(f"{name}Backward", (_CustomNode,), ns)
        cls._output_cls = type(f"{name}Backward", (_OutputNode,), ns)


class Function(metaclass=_FunctionMeta):
    """Base class of a custom differentiable operation: write ``forward(ctx, ...)`` and
    ``backward(ctx, grad_output)`` as static methods and call ``YourFunction.apply(...)``."""

    def __init__(self, *args, **kwargs):
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions are all static, so "
                      "you should invoke them on the class itself. Instantiating an autograd function will raise an "
                      "error in a future version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please use "
                           "new-style autograd function with static forward method. (Example: "
                           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @staticmethod
    def vjp(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        return _apply(cls, args, kwargs)


Function.__module__ = "torch.autograd.function"  # (prints as PyTorch's: <class 'torch.autograd.function.Function'>)


def _apply(cls, args: tuple, kwargs: dict):
    """Run ``cls.forward`` without recording, then give its tensor outputs ``cls``'s node as grad_fn."""
    setup_style = cls.setup_context is not Function.setup_context
    if kwargs:
        args = _by_position(cls.forward, args, kwargs, setup_style)
    grad_on = _grad_state.enabled
    needs = tuple(grad_on and isinstance(a, Tensor) and a._requires_grad for a in args)
    record = True in needs
    ctx = _new_node(cls._backward_cls, needs, tuple(
        [F._next_node(a) if n else None for a, n in zip(args, needs) if isinstance(a, Tensor)]))
    ctx._in_meta = tuple((tuple(a.shape), a._data.dtype) if isinstance(a, Tensor) else None for a in args)
    prev = _grad_state.enabled
    _grad_state.enabled = False
    try:
        out = cls.forward(*args) if setup_style else cls.forward(ctx, *args)
        if setup_style:
            cls.setup_context(ctx, args, out)
    finally:
        _grad_state.enabled = prev
    outs = out if isinstance(out, tuple) else (out,)
    dirty = ctx.__dict__.get("_dirty", ())
    for d in dirty:
        if not any(o is d for o in outs):
            raise RuntimeError(DIRTY_NOT_RETURNED)
    ctx._out_meta = tuple((tuple(o.shape), o._data.dtype) if isinstance(o, Tensor) else None for o in outs)
    tensors = tuple(a for a in args if isinstance(a, Tensor))
    if record:
        ctx._inputs = tensors
        if _node.pack_hooks and ctx._saved:
            _node.pack_saved(ctx, tensors)
    non_diff = ctx.__dict__.get("_non_diff", ())
    several = len(outs) > 1
    results = []
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor):
            results.append(o)
            continue
        is_input = any(o is a for a in tensors)
        is_dirty = any(o is d for d in dirty)
        if not record or any(o is d for d in non_diff) or o._data.dtype.kind != "f":  # (integer outputs: no grad)
            results.append(_wrap(o._data, False, None) if is_input and not is_dirty else o)
            continue
        node = ctx
        if several:
            node = _new_node(cls._output_cls, (True,), (ctx,))
            node._k = k
            node._output_of = (ctx, k)
            node._main = ctx
        if is_dirty:  # changed in place by forward: the input itself now comes from this node
            if o.grad_fn is None and o._requires_grad:
                raise RuntimeError(DIRTY_LEAF_MESSAGE)
            if _rec.unsettled:
                _rec.settle()
            t = o
        elif is_input:  # an input returned as it is: a new tensor of the same values (PyTorch's view)
            t = _wrap(o._data, True, None)
        else:
            t = o
        t.grad_fn = node
        t._requires_grad = True
        F.apply(_Recorded, *tensors, out=t)  # (what a recorder sees: an op of the Function's node)
        results.append(t)
    return tuple(results) if isinstance(out, tuple) else results[0]


def _new_node(node_cls, needs: tuple, next_nodes: tuple):
    """A node of ``node_cls`` made outside apply (nothing saved yet, no hooks)."""
    node = _new(node_cls)
    node.needs_input_grad = needs
    node._saved = ()
    node._hooks = None
    node._inputs = None
    node._seq = next(_seq)
    node._next = next_nodes
    return node


def _by_position(forward, args: tuple, kwargs: dict, setup_style: bool) -> tuple:
    """Keyword arguments put in their forward parameters' places, as PyTorch's apply does (every place
    up to the last one given must be filled; the defaults after it are the forward's own)."""
    names = list(inspect.signature(forward).parameters)[0 if setup_style else 1:]
    filled = dict(enumerate(args))
    for k, v in kwargs.items():
        if k not in names:
            raise TypeError(f"forward() got an unexpected keyword argument '{k}'")
        i = names.index(k)
        if i in filled:
            raise TypeError(f"forward() got multiple values for argument '{k}'")
        filled[i] = v
    for i in range(max(filled) + 1):
        if i not in filled:
            raise TypeError(f"forward() missing required argument: '{names[i]}' (position {i})")
    return tuple(filled[i] for i in range(len(filled)))


class _Recorded(_node.Node):
    """Not an operation: hands a custom Function's output, made above, to ``apply``, which records it
    as an op of its node (apply is where every forward event comes from)."""
    __slots__ = ()
    _special = True
    kind = "op"

    @staticmethod
    def run(*inputs, out):
        return out


class _ErrorNode(F.Function):
    """PyTorch's ``Error`` node: what ``@once_differentiable`` puts behind a gradient computed with
    ``create_graph=True``; differentiating through it raises."""

    def name(self) -> str:
        return "torch::autograd::Error"

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError(ONCE_DIFFERENTIABLE_MESSAGE)


_ErrorNode.__name__ = _ErrorNode.__qualname__ = "Error"


def once_differentiable(fn):
    """A backward that is not itself differentiable: it runs without recording, and a gradient it
    makes under ``create_graph=True`` (from gradients that require grad) refuses a second backward."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        prev = _grad_state.enabled
        _grad_state.enabled = False
        try:
            outputs = fn(ctx, *args)
        finally:
            _grad_state.enabled = prev
        if not prev or not any(isinstance(a, Tensor) and a._requires_grad for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        marked = tuple(_delayed_error(o) for o in ((outputs,) if single else outputs))
        return marked[0] if single else marked
    return wrapper


def _delayed_error(o):
    if not isinstance(o, Tensor):
        return o
    return _wrap(o._data, True, _new_node(_ErrorNode, (False,), (None,)))
