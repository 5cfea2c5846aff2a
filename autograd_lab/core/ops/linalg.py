"""Matrix products: a @ b as dot (1-D @ 1-D), mv (2-D @ 1-D) and mm (2-D @ 2-D)."""
from __future__ import annotations

import numpy as np

from ..dtypes import _C_NAMES, _SCALAR_NAMES
from ..function import Function, apply, broadcast_error, declare, quiet, unbroadcast
from ..formulas import derivatives
from ..node import TensorBase as Tensor
from .reductions import UnsqueezeBackward0
from .shapes import CloneBackward0, TransposeBackward0, ExpandBackward0, SqueezeBackward4, UnsafeViewBackward0, ViewBackward0

@derivatives(self="grad * tensor", tensor="grad * self")
class DotBackward0(Function):
    """f(a, b) = a @ b for two vectors"""
    __slots__ = ()
    _saved_names = ("_saved_self", "_saved_tensor")
    _saved_if = (1, 0)
    _keeps_dtype = False

    @staticmethod
    @quiet
    def forward(ctx, a, b):
        na, nb = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        ctx.save_for_backward(a if nb else None, b if na else None)
        return np.dot(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return (g * b if na else None, g * a if nb else None)


@derivatives(self="outer(grad, vec)", vec="self.T @ grad")
class MvBackward0(Function):
    """f(M, v) = M @ v, matrix times vector"""
    __slots__ = ()
    _saved_names = ("_saved_self", "_saved_vec")
    _saved_if = (1, 0)
    _keeps_dtype = False

    @staticmethod
    @quiet
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


@derivatives(self="grad @ mat2.T", mat2="self.T @ grad")
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
    @quiet
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
    return _matmul_nd(self, other)


def _matmul_nd(a, b):
    """The other rank combinations, built as PyTorch's matmul builds them: a vector becomes a matrix
    (unsqueeze, squeezed back at the end), an N-D @ 2-D folds the batch into rows (view, mm, view),
    and the rest broadcasts the batch dimensions (expand, view, bmm, view)."""
    da, db = a.ndim, b.ndim
    if da == 1 and db == 2:
        if a.shape[0] != b.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied (1x{a.shape[0]} and {b.shape[0]}x{b.shape[1]})")
        return apply(SqueezeBackward4, _matmul(apply(UnsqueezeBackward0, a, dim=0), b), dims=(0,))
    if da >= 3 and db <= 2:
        batch, n, k = tuple(a.shape[:-2]), a.shape[-2], a.shape[-1]
        rows = apply(ViewBackward0, a, shape=(-1, k))
        if db == 1:
            if k != b.shape[0]:
                raise RuntimeError(f"size mismatch, got input ({rows.shape[0]}), mat ({rows.shape[0]}x{k}), vec ({b.shape[0]})")
            return apply(UnsafeViewBackward0, _matmul(rows, b), shape=batch + (n,))
        if k != b.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows.shape[0]}x{k} and {b.shape[0]}x{b.shape[1]})")
        return apply(UnsafeViewBackward0, _matmul(rows, b), shape=batch + (n, b.shape[1]))
    if da <= 2 and db >= 3:
        # PyTorch folds the batch of the right operand: (b^T @ a^T)^T
        batch, k, m = tuple(b.shape[:-2]), b.shape[-2], b.shape[-1]
        if a.shape[-1] != k:
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{_prod(batch)}, "
                               f"{a.shape[-1]}] but got: [{_prod(batch)}, {k}].")
        bt = apply(UnsafeViewBackward0, apply(CloneBackward0, apply(TransposeBackward0, b, dim0=b.ndim - 2,
                                                                      dim1=b.ndim - 1)), shape=(-1, k))
        if da == 1:
            return apply(UnsafeViewBackward0, _matmul(bt, a), shape=batch + (m,))
        out = apply(UnsafeViewBackward0, _matmul(bt, a.t()), shape=batch + (m, a.shape[0]))
        return apply(CloneBackward0, apply(TransposeBackward0, out, dim0=out.ndim - 2, dim1=out.ndim - 1))
    va, vb = da == 1, db == 1
    if va:
        a = apply(UnsqueezeBackward0, a, dim=0)
    if vb:
        b = apply(UnsqueezeBackward0, b, dim=1)
    sa, sb = tuple(a.shape), tuple(b.shape)
    if sa[-1] != sb[-2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{_prod(sa[:-2]) or 1}, {sa[-1]}] but got: [{_prod(sb[:-2]) or 1}, {sb[-2]}].")
    try:
        batch = tuple(np.broadcast_shapes(sa[:-2], sb[:-2]))
    except ValueError:
        raise broadcast_error(np.empty(sa[:-2]), np.empty(sb[:-2])) from None
    nb = _prod(batch)
    a3 = apply(ViewBackward0, _expand_to(a, batch + sa[-2:]), shape=(nb,) + sa[-2:])
    b3 = apply(ViewBackward0, _expand_to(b, batch + sb[-2:]), shape=(nb,) + sb[-2:])
    if a3.dtype is not b3.dtype:
        raise RuntimeError(f"expected scalar type {_SCALAR_NAMES[a3.dtype]} but found {_SCALAR_NAMES[b3.dtype]}")
    out = apply(UnsafeViewBackward0, apply(BmmBackward0, a3, b3), shape=batch + (sa[-2], sb[-1]))
    if va or vb:
        out = apply(SqueezeBackward4, out, dims=tuple(d for d, v in ((out.ndim - 2, va), (out.ndim - 1, vb)) if v))
    return out


def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _expand_to(t, shape):
    return t if tuple(t.shape) == shape and False else apply(ExpandBackward0, t, shape=shape)


@derivatives(self="grad @ mat2.T", mat2="self.T @ grad")
class BmmBackward0(Function):
    """f(A, B) = A @ B for batches of matrices (3-D @ 3-D)"""
    __slots__ = ()
    _saved_names = ("_saved_self", "_saved_mat2")
    _saved_if = (1, 0)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, b):
        na, nb = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        ctx.save_for_backward(a if nb else None, b if na else None)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        if isinstance(g, Tensor):
            return (apply(BmmBackward0, g, b.transpose(1, 2)) if na else None,
                    apply(BmmBackward0, a.transpose(1, 2), g) if nb else None)
        return (np.matmul(g, np.swapaxes(b, 1, 2)) if na else None, np.matmul(np.swapaxes(a, 1, 2), g) if nb else None)


@derivatives(self="grad * beta", mat1="alpha * grad @ mat2.T", mat2="alpha * mat1.T @ grad")
class AddmmBackward0(Function):
    """f(bias, X, W) = bias + X @ W (what nn.Linear computes for a batch: W is the weight's transpose)"""
    __slots__ = ()
    _saved_names = ("_saved_mat1", "_saved_mat2")
    _saved_if = (2, 1)
    _params = {"_saved_alpha": lambda self: 1, "_saved_beta": lambda self: 1,
               "_saved_mat1_sym_sizes": lambda self: self._info[1], "_saved_mat2_sym_sizes": lambda self: self._info[2]}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, bias, m1, m2):
        n0, n1, n2 = ctx.needs_input_grad[0], ctx.needs_input_grad[1], ctx.needs_input_grad[2]
        ctx.save_for_backward(m1 if n2 else None, m2 if n1 else None)
        ctx._info = (np.shape(bias), np.shape(m1), np.shape(m2))
        return bias + m1 @ m2

    @staticmethod
    def backward(ctx, g):
        m1, m2 = ctx.saved_tensors
        n0, n1, n2 = ctx.needs_input_grad
        gb = unbroadcast(g, ctx._info[0]) if n0 else None
        if isinstance(g, Tensor):
            return gb, (g @ m2.t() if n1 else None), (m1.t() @ g if n2 else None)
        return gb, (g @ m2.T if n1 else None), (m1.T @ g if n2 else None)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """``addmm(bias, X, W)`` = bias + X @ W, one ``AddmmBackward0`` node (nn.Linear's batched form)."""
    for name, t in (("input", input), ("mat1", mat1), ("mat2", mat2)):
        if not isinstance(t, Tensor):
            raise TypeError(f"addmm(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if beta != 1 or alpha != 1:
        raise NotImplementedError("addmm with beta or alpha other than 1 is not supported in autograd_lab")
    if mat1.ndim != 2:
        raise RuntimeError("mat1 must be a matrix, got " + f"{mat1.ndim}-D tensor")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix, got " + f"{mat2.ndim}-D tensor")
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({mat1.shape[0]}x{mat1.shape[1]} and "
                           f"{mat2.shape[0]}x{mat2.shape[1]})")
    return apply(AddmmBackward0, input, mat1, mat2)


def _mm(self, mat2):
    if not isinstance(mat2, Tensor):
        raise TypeError(f"mm(): argument 'mat2' (position 1) must be Tensor, not {type(mat2).__name__}")
    if self.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return _matmul(self, mat2)


def _mv(self, vec):
    if not isinstance(vec, Tensor):
        raise TypeError(f"mv(): argument 'vec' (position 1) must be Tensor, not {type(vec).__name__}")
    if self.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {self.ndim}, {vec.ndim}")
    return _matmul(self, vec)


def _dot(self, other):
    if not isinstance(other, Tensor):
        raise TypeError(f"dot(): argument 'tensor' (position 1) must be Tensor, not {type(other).__name__}")
    if self.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors")
    return _matmul(self, other)


def _function(method, name):
    def f(input, *args):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        return method(input, *args)
    f.__name__ = name
    return f


def _rmatmul(self, other):
    return _matmul(other, self) if isinstance(other, Tensor) else NotImplemented


declare("matmul", DotBackward0, MvBackward0, MmBackward0, BmmBackward0, playground=("matmul",),
        functions={"matmul": _function(_matmul, "matmul"), "mm": _function(_mm, "mm"), "mv": _function(_mv, "mv"),
                   "dot": _function(_dot, "dot"), "inner": _function(_dot, "inner"), "addmm": addmm},
        methods={"matmul": _matmul, "mm": _mm, "mv": _mv, "dot": _dot,
                 "__matmul__": lambda self, other: _matmul(self, other) if isinstance(other, Tensor) else NotImplemented,
                 "__rmatmul__": _rmatmul})
declare("addmm", AddmmBackward0, shown_as=None)
