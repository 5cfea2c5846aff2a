"""Reductions: sum and mean (all elements, or over dims), and the unsqueeze/squeeze that sum's
backward uses under create_graph=True."""
from __future__ import annotations

import numpy as np

from ..float_sum import cascade_sum as _cascade_sum, sum_axes as _sum_axes
from ..function import Function, quiet, _shape, apply, declare, expand
from ..formulas import derivatives
from ..node import TensorBase as Tensor
from .arithmetic import _div_number

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


@derivatives(self="expand(grad, self_sym_sizes)")
class SumBackward0(Function):
    """f(a) = sum of all elements"""
    __slots__ = ()
    _params = {"_saved_self_sym_sizes": lambda self: self._info}
    _keeps_dtype = True

    @staticmethod
    @quiet
    def forward(ctx, a):
        ctx._info = _shape(a)
        s = _cascade_sum(a)  # PyTorch's order of additions (float_sum.py), else numpy's
        s = np.add.reduce(a, axis=None) if s is None else s
        return s if np.result_type(a).kind != "b" else np.int64(s)

    @staticmethod
    def backward(ctx, g):
        return (expand(g, ctx._info),)


@derivatives(self="expand(keepdims(grad, dim, keepdim, self_sym_sizes), self_sym_sizes)")
class SumBackward1(Function):
    """f(a) = sum over ``dim`` (keepdim or not)"""
    __slots__ = ("dim", "keepdim")
    _params = {"_saved_dim": lambda self: self.dim, "_saved_keepdim": lambda self: self.keepdim,
               "_saved_self_sym_sizes": lambda self: self._info}
    _keeps_dtype = True

    @staticmethod
    @quiet
    def forward(ctx, a, dim, keepdim):
        dims = _dims(dim, np.ndim(a))
        ctx.dim, ctx.keepdim = dims, keepdim
        ctx._info = _shape(a)
        axis = dims if np.ndim(a) else None
        s = _sum_axes(a, dims, keepdim) if np.ndim(a) else None  # PyTorch's order (float_sum.py)
        return np.asarray(np.add.reduce(a, axis=axis, keepdims=keepdim)) if s is None else s

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




def _check_mean_dtype(a):
    kind = np.result_type(a).kind
    if kind != "f":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {'Bool' if kind == 'b' else 'Long'}")


@derivatives(self="expand(grad, self_sym_sizes) / self_sym_numel")
class MeanBackward0(Function):
    """f(a) = mean of all elements"""
    __slots__ = ()
    _params = {"_saved_self_sym_sizes": lambda self: self._info,
               "_saved_self_sym_numel": lambda self: int(np.prod(self._info))}
    _keeps_dtype = False

    @staticmethod
    @quiet
    def forward(ctx, a):
        _check_mean_dtype(a)
        ctx._info = _shape(a)
        s = _cascade_sum(a)  # PyTorch's order of additions (float_sum.py), else numpy's
        return np.add.reduce(a, axis=None) / np.size(a) if s is None else s / s.dtype.type(np.size(a))

    @staticmethod
    def backward(ctx, g):
        shape = ctx._info
        n = max(int(np.prod(shape)), 1)
        if isinstance(g, Tensor):  # PyTorch's order: expand, then divide
            return (_div_number(g.expand(*shape), n),)
        return (np.broadcast_to(g / n, shape),)


@derivatives(self="expand(keepdims(grad, dim, keepdim, self_sym_sizes), self_sym_sizes) / count(self_sym_sizes, dim)")
class MeanBackward1(Function):
    """f(a) = mean over ``dim``"""
    __slots__ = ("dim", "keepdim")
    _params = {"_saved_dim": lambda self: self.dim, "_saved_keepdim": lambda self: self.keepdim,
               "_saved_self_sym_sizes": lambda self: self._info,
               "_saved_self_sym_numel": lambda self: int(np.prod(self._info))}
    _keeps_dtype = False

    @staticmethod
    @quiet
    def forward(ctx, a, dim, keepdim):
        dims = _dims(dim, np.ndim(a))
        ctx.dim, ctx.keepdim = dims, keepdim
        ctx._info = _shape(a)
        _check_mean_dtype(a)
        axis = dims if np.ndim(a) else None
        n = int(np.prod([np.shape(a)[d] for d in dims])) if np.ndim(a) else 1
        s = _sum_axes(a, dims, keepdim) if np.ndim(a) else None  # PyTorch's order (float_sum.py)
        return np.asarray(np.add.reduce(a, axis=axis, keepdims=keepdim) / n) if s is None else s / s.dtype.type(n)

    @staticmethod
    def backward(ctx, g):
        shape = ctx._info
        n = int(np.prod([shape[d] for d in ctx.dim])) if len(shape) else 1
        if isinstance(g, Tensor):  # PyTorch's order: sum_backward, then divide
            return (_div_number(_sum_backward(g, shape, ctx.dim, ctx.keepdim), n),)
        return (_sum_backward(g / n, shape, ctx.dim, ctx.keepdim),)



@derivatives(self="squeeze(grad, dim)")
class UnsqueezeBackward0(Function):
    """f(a) = a with a new dimension of size 1 at ``dim`` (inside sum's backward under create_graph)"""
    __slots__ = ("dim",)
    _view = True
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


@derivatives(self="unsqueeze(grad, dim)")
class SqueezeBackward1(Function):
    """f(a) = a without its dimension ``dim`` of size 1 (the backward of unsqueeze)"""
    __slots__ = ("dim",)
    _view = True
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



def _axis(name, dim, kwargs):
    """``dim``, or numpy's spelling ``axis=`` that PyTorch accepts as well."""
    for k in kwargs:
        if k != "axis" or dim is not None:
            raise TypeError(f"{name}() got an unexpected keyword argument '{k}'")
    if kwargs:
        return kwargs["axis"]
    return dim


def _sum(self, dim=None, keepdim=False, dtype=None, **axis):
    """Sum of all elements (``SumBackward0``), or over ``dim`` (``SumBackward1``; numpy's ``axis=`` too)."""
    dim = _axis("sum", dim, axis)
    if dtype is not None:
        self = self.to(dtype)
    if dim is None:
        return apply(SumBackward0, self)
    return apply(SumBackward1, self, dim=dim, keepdim=bool(keepdim))


def _mean(self, dim=None, keepdim=False, dtype=None, **axis):
    """Mean of all elements (``MeanBackward0``), or over ``dim`` (``MeanBackward1``; numpy's ``axis=`` too)."""
    dim = _axis("mean", dim, axis)
    if dtype is not None:
        self = self.to(dtype)
    if dim is None:
        return apply(MeanBackward0, self)
    return apply(MeanBackward1, self, dim=dim, keepdim=bool(keepdim))


def _function(method, name):
    def f(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        return method(input, *args, **kwargs)
    f.__name__ = name
    return f


declare("sum", SumBackward0, SumBackward1, methods={"sum": _sum}, functions={"sum": _function(_sum, "sum")},
        playground=("sum",))
declare("mean", MeanBackward0, MeanBackward1, methods={"mean": _mean}, functions={"mean": _function(_mean, "mean")},
        playground=("mean",))
