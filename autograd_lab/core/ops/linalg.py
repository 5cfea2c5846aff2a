"""Matrix products: a @ b as dot (1-D @ 1-D), mv (2-D @ 1-D) and mm (2-D @ 2-D)."""
from __future__ import annotations

import numpy as np

from ..dtypes import _C_NAMES, _SCALAR_NAMES
from ..function import Function, apply, declare
from ..node import TensorBase as Tensor

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



def _matmul(self, other):
    """``a @ b``: ``DotBackward0`` (1-D @ 1-D), ``MvBackward0`` (2-D @ 1-D), ``MmBackward0`` (2-D @ 2-D)."""
    if not isinstance(other, Tensor):
        raise TypeError(f"matmul(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
    da, db = self.ndim, other.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    sa, sb = self.shape, other.shape
    ta, tb = self.dtype, other.dtype
    if da == 1 and db == 1:
        if ta is not tb:
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {_SCALAR_NAMES[ta]} and "
                               f"{_SCALAR_NAMES[tb]}")
        if sa[0] != sb[0]:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have the same number of elements, but got {sa[0]} and {sb[0]} elements respectively")
        return apply(DotBackward0, self, other)
    if da == 2 and db == 1:
        if sa[1] != sb[0]:
            raise RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({sa[0]}x{sa[1]}), vec ({sb[0]})")
        if ta is not tb:
            raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_SCALAR_NAMES[tb]}, "
                               f"{_SCALAR_NAMES[ta]}, and {_SCALAR_NAMES[tb]}")
        return apply(MvBackward0, self, other)
    if da == 2 and db == 2:
        if sa[1] != sb[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})")
        if ta is not tb:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_C_NAMES[ta]} != {_C_NAMES[tb]}")
        return apply(MmBackward0, self, other)
    raise NotImplementedError(
        f"matmul of a {da}-D tensor with a {db}-D tensor is not supported in autograd_lab; "
        "supported: 1-D @ 1-D (dot), 2-D @ 1-D (mv) and 2-D @ 2-D (mm). Reshape a vector to (1, n) first.")



def _rmatmul(self, other):
    return _matmul(other, self) if isinstance(other, Tensor) else NotImplemented


declare("matmul", DotBackward0, MvBackward0, MmBackward0, playground=("matmul",),
        methods={"matmul": _matmul, "mm": _matmul, "mv": _matmul, "dot": _matmul,
                 "__matmul__": lambda self, other: _matmul(self, other) if isinstance(other, Tensor) else NotImplemented,
                 "__rmatmul__": _rmatmul})
