"""What is not a differentiable operation: leaf creation, requires_grad_, detach, zeroing,
comparisons; and the two nodes that appear only inside backward formulas (``WhereBackward0``)
or gradient accumulation (``CopyBackwards``) under create_graph=True.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..dtypes import _to_array
from ..function import Function, _shape, apply, declare, unbroadcast
from ..formulas import derivatives, no_formula
from .. import inference as _inference
from ..grad_mode import _state as _grad_state
from ..messages import LEAF_INPLACE_MESSAGE, NON_LEAF_REQUIRES_GRAD_MESSAGE, ONLY_FLOAT_LEAF, ONLY_FLOAT_REQUIRES_GRAD
from ..node import Node, TensorBase, _bump, _wrap
from ..views import bump as _views_bump
from ..views import counter as _counter

Tensor = TensorBase  # (isinstance tests only)


# ---------------------------------------------------------------------------- non-differentiable "ops"
class _Special(Node):
    """Operations that change tensor state without a backward formula; ``kind`` is the event kind."""
    __slots__ = ()
    _special = True
    kind = "tensor"
    settles = False  # True: it changes a tensor in place (a finished trace builds its pending events first)
    makes_tensor = False  # True: it makes a new tensor (inside inference_mode(), an inference tensor)


class MakeLeaf(_Special):
    """A new leaf tensor from data (``tensor``, ``zeros``, ``ones`` ...)."""
    kind = "tensor"
    makes_tensor = True

    @staticmethod
    def run(arr, requires_grad):
        if requires_grad and arr.dtype.kind != "f":
            raise RuntimeError(ONLY_FLOAT_LEAF)
        # A 0-d value is kept as a numpy scalar: arithmetic on it is ~6x cheaper than on a 0-d array.
        # In-place changes and memory sharing (.data, numpy(), detach) turn it into an array first.
        return _wrap(arr[()] if arr.ndim == 0 else arr, requires_grad, None)


class RequiresGrad(_Special):
    """``t.requires_grad_(flag)`` on a leaf."""
    kind = "tensor"
    settles = True

    @staticmethod
    def run(t, flag):
        if t.grad_fn is not None:
            if flag:
                return t
            raise RuntimeError(NON_LEAF_REQUIRES_GRAD_MESSAGE)
        if flag and t._data.dtype.kind != "f":
            raise RuntimeError(ONLY_FLOAT_REQUIRES_GRAD)
        if flag and _inference.made:
            _inference.check_requires_grad(t)
        t._requires_grad = flag
        views = t._x.views if t._x is not None else None
        for v in views or ():  # a view requires grad when its base does (PyTorch asks the base)
            if v.grad_fn is None:
                v._requires_grad = flag
        return t


class Detach(_Special):
    """``t.detach()``: same values, no history."""
    kind = "tensor"
    makes_tensor = True  # (a view: an inference tensor only if ``t`` is one)

    @staticmethod
    def run(t):
        d = _wrap(t._array(), False, None)
        d._extra().vc = _counter(t)  # (detach shares the version counter, not the view's history)
        return d


class ClearGrad(_Special):
    """``t.grad = None`` (what ``optimizer.zero_grad()`` does by default)."""
    kind = "set_grad"
    settles = True

    @staticmethod
    def run(t):
        t._grad = None
        return t


class SetGrad(_Special):
    """``t.grad = g`` (``g`` a tensor: ``Tensor.grad``'s setter has checked it as PyTorch does)."""
    kind = "set_grad"
    settles = True

    @staticmethod
    def run(t, g):
        g._extra().grad_owner = t
        t._grad = g
        return t


class ZeroInplace(_Special):
    """``t.zero_()``: fill with zeros in place (``w.grad.zero_()``)."""
    kind = "zero"
    settles = True

    @staticmethod
    def run(t):
        if _grad_state.enabled and t._requires_grad and t.grad_fn is None:
            e = RuntimeError(LEAF_INPLACE_MESSAGE)
            e._alab_tensor = t  # (the leaf, for a recorder's error event)
            raise e
        old = t._data
        t._array()[...] = 0
        if t._x is None or t._x.base is None:
            _bump(t, old, t._data)
        else:
            _views_bump(t)  # (a `.data` alias: its own version count only)
        if _inference.made:
            _inference.check_inplace(t)
        return t



# ---------------------------------------------------------------------------- comparisons (no grad)
class _Compare(Node):
    """Comparisons give bool tensors and are not part of the autograd graph."""
    __slots__ = ()
    _special = True
    kind = None
    makes_tensor = True
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


@derivatives(self="where(condition, grad, 0)", other="where(condition, 0, grad)")
class WhereBackward0(Function):
    """f(c, x, y) = x where c else y (used inside other ops' backward formulas under create_graph)"""
    __slots__ = ()
    _params = {"_saved_condition": lambda self: _wrap(np.asarray(self._info[0]), False, None)}  # as PyTorch shows it
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


def _where(cond, x, y):
    """``where(cond, x, y)`` on numpy values, or through ``WhereBackward0`` on Tensors (create_graph).

    ``cond`` is a numpy bool array (conditions are not differentiated: build them with ``_raw``).
    """
    if isinstance(x, Tensor) or isinstance(y, Tensor):
        return apply(WhereBackward0, x, y, cond=cond)
    return np.where(cond, x, y)


@no_formula("it passes grad to the source of the copy unchanged and nothing to the tensor copied into")
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



def as_operand(other):
    """An operator's other operand: a Tensor or a Python/numpy number as it is, a numpy array as a new
    tensor of its dtype, anything else NotImplemented (Python then raises PyTorch's TypeError)."""
    if isinstance(other, TensorBase) or isinstance(other, numbers.Real):
        return other
    if isinstance(other, np.ndarray):
        return apply(MakeLeaf, _to_array(other, None), False)
    return NotImplemented


def _compare(fn):
    def method(self, other):
        if isinstance(other, (list, tuple, np.ndarray)):
            other = apply(MakeLeaf, _to_array(other, None), False)
        return apply(fn, self, other)
    method.__name__ = f"__{fn.__name__.lower()}__"
    return method


declare("compare", Lt, Le, Gt, Ge, Eq, Ne, shown_as=None,
        methods={f"__{c.__name__.lower()}__": _compare(c) for c in (Lt, Le, Gt, Ge, Eq, Ne)})
declare("zero_", ZeroInplace, shown_as=None)  # (the method: ops/view_ops.py, which records it in a graph)
declare("detach", Detach, methods={"detach": lambda self: apply(Detach, self)}, shown_as=None)
