"""Shapes: reshape/view, expand, t(), .T, indexing, clone, dtype conversion (to)."""
from __future__ import annotations

import warnings

import numpy as np

from ..dtypes import _dtype_of, dtype
from ..function import Function, _shape, apply, declare, unbroadcast
from ..messages import T_WARNINGS
from ..node import TensorBase as Tensor

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




def _getitem(self, index):
    """``t[0]``, ``t[1:3]``, ``t[:, 0]``, ``t[..., -1]``: one SelectBackward0 (integer) or
    SliceBackward0 (slice) per indexed dimension, as PyTorch records them."""
    parts = index if isinstance(index, tuple) else (index,)
    for p in parts:
        if isinstance(p, bool) or not (p is Ellipsis or isinstance(p, (int, np.integer, slice))):
            raise NotImplementedError(
                f"indexing with {type(p).__name__} is not supported in autograd_lab; supported: integers, "
                "slices and ..., as in t[0], t[1:3], t[:, 0], t[..., -1]")
    ndim = self.ndim
    if Ellipsis in parts:
        i = parts.index(Ellipsis)
        parts = parts[:i] + (slice(None),) * (ndim - len(parts) + 1) + parts[i + 1:]
    if ndim == 0 and parts:
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
                         "in C++ to convert a 0-dim tensor to a number")
    if len(parts) > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    t, dim = self, 0
    for p in parts:
        size = np.shape(t._data)[dim]
        if isinstance(p, slice):
            if p.step is not None and p.step <= 0:
                raise ValueError("step must be greater than zero")
            # PyTorch skips a full slice inside a tuple index (t[:, 0]), not a lone one (t[:])
            if not isinstance(index, tuple) or not (p.start is None and p.stop is None and p.step in (None, 1)):
                t = apply(SliceBackward0, t, dim=dim, start=p.start, end=p.stop, step=p.step or 1)
            dim += 1
        else:
            if not -size <= p < size:
                raise IndexError(f"index {p} is out of bounds for dimension {dim} with size {size}")
            t = apply(SelectBackward0, t, dim=dim, index=int(p))
    return apply(AliasBackward0, self) if t is self else t

def _clone(self) -> "Tensor":
    return apply(CloneBackward0, self)

def _float(self) -> "Tensor":
    return _to(self, float32)

def _double(self) -> "Tensor":
    return _to(self, float64)

def _to(self, dtype_: dtype) -> "Tensor":
    if not isinstance(dtype_, dtype):
        raise TypeError(f"to() takes a dtype such as autograd_lab.float64, got {dtype_!r}")
    if dtype_ is self.dtype:
        return self
    return apply(ToCopyBackward0, self, dtype_)

def _reshape(self, *shape):
    """``reshape(2, 3)`` or ``reshape((2, 3))``: a view when memory allows (``ViewBackward0``)."""
    shape = _shape_arg_reshape(shape)
    d = self._data
    target = _infer_size(shape, int(np.size(d)))
    if type(d) is not np.ndarray or d.flags.c_contiguous:
        return apply(ViewBackward0, self, shape=target)
    if _can_view(d.shape, [st // d.itemsize for st in d.strides], target):
        return apply(ReshapeAliasBackward0, self, shape=target)
    return apply(UnsafeViewBackward0, apply(CloneBackward0, self), shape=target)


def _infer_size(shape: tuple, numel: int) -> tuple:
    """PyTorch's ``infer_size``: the one ``-1`` is whatever makes the element counts match."""
    infer, known = None, 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s >= 0:
            known *= s
        else:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
    if numel == known or (infer is not None and known > 0 and numel % known == 0):
        if infer is None:
            return tuple(shape)
        if known == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                               "unspecified dimension size -1 can be any value and is ambiguous")
        return tuple(numel // known if i == infer else s for i, s in enumerate(shape))
    raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")


def _can_view(sizes, strides, shape) -> bool:
    """PyTorch's ``computeStride``: can a tensor with these sizes and (element) strides be viewed as ``shape``?"""
    if not sizes or 0 in sizes:
        return True
    view_d = len(shape) - 1
    chunk_base_stride = strides[-1]
    tensor_numel = view_numel = 1
    for tensor_d in range(len(sizes) - 1, -1, -1):
        tensor_numel *= sizes[tensor_d]
        if tensor_d == 0 or (sizes[tensor_d - 1] != 1 and strides[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or shape[view_d] == 1):
                view_numel *= shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return False
            if tensor_d > 0:
                chunk_base_stride = strides[tensor_d - 1]
                tensor_numel = view_numel = 1
    return view_d == -1


def _shape_arg_reshape(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for s in shape:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"reshape(): sizes must be whole numbers, got {shape!r}")
    return tuple(int(s) for s in shape)


def _view(self, *shape):
    return apply(ViewBackward0, self, shape=_shape_arg_reshape(shape))


def _expand(self, *shape):
    shape = _shape_arg_reshape(shape)
    cur = np.shape(self._data)
    full = tuple(c if s == -1 else s for s, c in zip(shape, (None,) * (len(shape) - len(cur)) + cur))
    return apply(ExpandBackward0, self, shape=full)


def _t(self):
    """Transpose of a matrix (``TBackward0``); 0-D and 1-D tensors are returned as they are viewed."""
    if self.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
    return apply(TBackward0, self)


def _T(self):
    """All dimensions reversed (``PermuteBackward0``)."""
    ndim = self.ndim
    if ndim != 2:
        # PyTorch's TORCH_WARN_ONCE: each of these two warnings appears once per process
        key = "T_0d" if ndim == 0 else "T_nd"
        if key not in _WARNED:
            _WARNED.add(key)
            warnings.warn(T_WARNINGS[key], UserWarning, stacklevel=2)
    return apply(PermuteBackward0, self)


_WARNED: set = set()



declare("reshape", ViewBackward0, UnsafeViewBackward0, ReshapeAliasBackward0,
        methods={"reshape": _reshape, "view": _view}, playground=("reshape",))
declare("clone", CloneBackward0, methods={"clone": _clone}, shown_as=None)
declare("expand", ExpandBackward0, methods={"expand": _expand}, shown_as=None)
declare("t", TBackward0, methods={"t": _t}, playground=("t",), shown_as="t()")
declare("T", PermuteBackward0, methods={"T": property(_T)}, shown_as=".T")
declare("index", SelectBackward0, SliceBackward0, AliasBackward0, methods={"__getitem__": _getitem}, shown_as=None)
declare("to", ToCopyBackward0, methods={"to": _to, "float": _float, "double": _double}, shown_as=None)
