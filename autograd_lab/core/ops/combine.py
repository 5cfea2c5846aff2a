"""Ops of several tensors or of a whole dimension: where, cat, stack, softmax, log_softmax,
prod, norm; and the loss nodes of ``nn.functional`` (mse_loss, nll_loss)."""
from __future__ import annotations

import numbers

import numpy as np

from ..function import Function, _needs_tensor, _shape, apply, declare, quiet
from ..formulas import derivatives, no_formula
from ..node import TensorBase as Tensor
from ..node import _wrap
from .reductions import _dims, _sum_backward
from .special import WhereBackward0, as_operand


def _raw(v):
    return v._data if isinstance(v, Tensor) else v


def _sumk(x, dim):
    """Sum over ``dim`` keeping it, on a numpy value or a Tensor."""
    return x.sum(dim, keepdim=True) if isinstance(x, Tensor) else np.sum(x, axis=dim, keepdims=True)


# ---------------------------------------------------------------------------- where
def where(condition, input=None, other=None):
    """``where(cond, x, y)``: x where cond is True, else y (``WhereBackward0``)."""
    if input is None and other is None:
        return tuple(_wrap(i.astype(np.int64), False, None) for i in np.nonzero(_raw(condition)))
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): argument 'condition' (position 1) must be Tensor, not {type(condition).__name__}")
    cond = np.asarray(condition._data)
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{ {np.dtype(np.float32): 'Float', np.dtype(np.float64): 'Double'}.get(cond.dtype, 'Long')}")
    x, y = as_operand(input), as_operand(other)
    if not isinstance(x, Tensor) and not isinstance(y, Tensor):
        dt = np.float32 if any(isinstance(v, float) for v in (x, y)) else np.int64
        return _wrap(np.where(cond, x, y).astype(dt), False, None)
    if not isinstance(x, Tensor):
        x = _wrap(np.asarray(x, dtype=y._data.dtype if isinstance(x, float) else None), False, None)
    if not isinstance(y, Tensor):
        y = _wrap(np.asarray(y, dtype=x._data.dtype if isinstance(y, float) else None), False, None)
    return apply(WhereBackward0, x, y, cond=cond)


# ---------------------------------------------------------------------------- cat, stack
@no_formula("each input receives its own slice of grad along dim; the slices' sizes are not among the saved values")
class CatBackward0(Function):
    """f(a, b, ...) = the tensors joined along ``dim``"""
    __slots__ = ("dim",)
    _params = {"_saved_dim": lambda self: self.dim}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        ctx._info = [np.shape(a)[dim] for a in arrays]
        return np.concatenate([np.asarray(a) for a in arrays], axis=dim)

    @staticmethod
    def backward(ctx, g):
        out, start = [], 0
        for n, need in zip(ctx._info, ctx.needs_input_grad):
            where = (slice(None),) * ctx.dim + (slice(start, start + n),)
            out.append(g[where] if need else None)
            start += n
        return tuple(out)


@derivatives(**{"tensors[i]": "pick(grad, dim, i)"})
class StackBackward0(Function):
    """f(a, b, ...) = the tensors stacked along a new dimension ``dim``"""
    __slots__ = ("dim",)
    _params = {"_saved_dim": lambda self: self.dim}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        return np.stack([np.asarray(a) for a in arrays], axis=dim)

    @staticmethod
    def backward(ctx, g):
        return tuple(g[(slice(None),) * ctx.dim + (i,)] if need else None
                     for i, need in enumerate(ctx.needs_input_grad))


def _seq_arg(name, tensors):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {list(tensors).index(t)} in argument 0, but got "
                            f"{type(t).__name__}")
    if not tensors:
        raise RuntimeError(f"{name}(): expected a non-empty list of Tensors")
    return list(tensors)


def cat(tensors, dim: int = 0):
    """``cat([a, b], dim=0)``: join along an existing dimension (``CatBackward0``)."""
    ts = _seq_arg("cat", tensors)
    nd = ts[0].ndim
    for t in ts[1:]:
        if t.ndim != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {t.ndim}")
    if nd == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    (d,) = _dims(dim, nd)
    for i, t in enumerate(ts[1:], 1):
        for k in range(nd):
            if k != d and t.shape[k] != ts[0].shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ts[0].shape[k]} but got size {t.shape[k]} for tensor number {i} in the list.")
    return apply(CatBackward0, *ts, dim=d)


def stack(tensors, dim: int = 0):
    """``stack([a, b], dim=0)``: join along a new dimension (``StackBackward0``)."""
    ts = _seq_arg("stack", tensors)
    for i, t in enumerate(ts[1:], 1):
        if t.shape != ts[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ts[0].shape)} at entry 0 "
                               f"and {list(t.shape)} at entry {i}")
    (d,) = _dims(dim, ts[0].ndim + 1)
    return apply(StackBackward0, *ts, dim=d)


# ---------------------------------------------------------------------------- softmax, log_softmax
@derivatives(self="result * (grad - sumdim(grad * result, dim))")
class SoftmaxBackward0(Function):
    """f(a) = exp(a) / sum(exp(a)) along ``dim``"""
    __slots__ = ("dim",)
    _saved_names = ("_saved_result",)
    _params = {"_saved_dim": lambda self: self.dim}
    _keeps_dtype = False

    @staticmethod
    @quiet  # (a row of -inf, a masked attention row: nan, as in PyTorch, and no numpy warning)
    def forward(ctx, a, dim):
        ctx.dim = dim
        e = np.exp(a - np.max(a, axis=dim, keepdims=True))
        r = e / np.sum(e, axis=dim, keepdims=True)
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return (y * (g - _sumk(g * y, ctx.dim)),)


@derivatives(self="grad - exp(result) * sumdim(grad, dim)")
class LogSoftmaxBackward0(Function):
    """f(a) = a - log(sum(exp(a))) along ``dim``"""
    __slots__ = ("dim",)
    _saved_names = ("_saved_result",)
    _params = {"_saved_dim": lambda self: self.dim}
    _keeps_dtype = False

    @staticmethod
    @quiet  # (a row of -inf, a masked attention row: nan, as in PyTorch, and no numpy warning)
    def forward(ctx, a, dim):
        ctx.dim = dim
        m = np.max(a, axis=dim, keepdims=True)
        r = a - m - np.log(np.sum(np.exp(a - m), axis=dim, keepdims=True))
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        e = y.exp() if isinstance(y, Tensor) else np.exp(y)
        return (g - e * _sumk(g, ctx.dim),)


def _softmax_like(node, name):
    def method(self, dim=None, dtype=None):
        if dim is None:
            raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
        t = self.to(dtype) if dtype is not None else self
        (d,) = _dims(dim, t.ndim)
        if t.dtype.is_floating_point is False:
            raise RuntimeError(f'"{name}_lastdim_kernel_impl" not implemented for \'Long\'')
        return apply(node, t, dim=d if t.ndim else 0)

    def fn(input, dim=None, dtype=None):
        _needs_tensor(name, input)
        return method(input, dim, dtype)
    method.__name__ = fn.__name__ = name
    return method, fn


# ---------------------------------------------------------------------------- prod, norm
@derivatives(self="grad * prod_others(self)")
class ProdBackward0(Function):
    """f(a) = the product of all elements"""
    __slots__ = ()
    _saved_names = ("_saved_result", "_saved_self")
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a):
        r = np.prod(a)
        ctx.save_for_backward(r, a)
        return r

    @staticmethod
    def backward(ctx, g):
        r, a = ctx.saved_tensors
        if isinstance(g, Tensor):
            if np.any(_raw(a) == 0):
                raise NotImplementedError("create_graph=True through prod() of a tensor with zeros is not supported "
                                          "in autograd_lab")
            return (g * r / a,)
        return (g * _others_product(np.asarray(a), None),)


@derivatives(self="keepdims(grad, dim, keepdim, self) * prod_others(self, dim)")
class ProdBackward1(Function):
    """f(a) = the product along ``dim``"""
    __slots__ = ("dim", "keepdim")
    _saved_names = ("_saved_result", "_saved_self")
    _params = {"_saved_dim": lambda self: self.dim, "_saved_keepdim": lambda self: self.keepdim}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.dim, ctx.keepdim = dim, keepdim
        r = np.prod(a, axis=dim, keepdims=keepdim)
        ctx.save_for_backward(r, a)
        return np.asarray(r)

    @staticmethod
    def backward(ctx, g):
        r, a = ctx.saved_tensors
        shape = _shape(a)
        if isinstance(g, Tensor):
            if np.any(_raw(a) == 0):
                raise NotImplementedError("create_graph=True through prod() of a tensor with zeros is not supported "
                                          "in autograd_lab")
            rr = r if ctx.keepdim else r.unsqueeze(ctx.dim)
            return (_sum_backward(g, shape, (ctx.dim,), ctx.keepdim) * rr / a,)
        return (_sum_backward(g, shape, (ctx.dim,), ctx.keepdim) * _others_product(np.asarray(a), ctx.dim),)


def _others_product(a, dim):
    """For each element, the product of the other elements (along ``dim``, or of all): zeros allowed."""
    flat = dim is None
    x = a.reshape(-1) if flat else np.moveaxis(a, dim, -1)
    ones = np.ones(x.shape[:-1] + (1,), dtype=a.dtype)
    left = np.concatenate([ones, np.cumprod(x, axis=-1)[..., :-1]], axis=-1)
    right = np.concatenate([np.cumprod(x[..., ::-1], axis=-1)[..., :-1][..., ::-1], ones], axis=-1)
    out = left * right
    return out.reshape(a.shape) if flat else np.moveaxis(out, -1, dim)


def _prod(self, dim=None, keepdim=False, dtype=None):
    t = self.to(dtype) if dtype is not None else self
    if t.dtype.name == "bool":
        t = t.long()
    if dim is None:
        return apply(ProdBackward0, t)
    (d,) = _dims(dim, t.ndim)
    return apply(ProdBackward1, t, dim=d if t.ndim else None, keepdim=bool(keepdim))


@derivatives(self="keepdims(grad, dim, keepdim, self) * norm_grad(self, ord, keepdims(result, dim, keepdim, self))")
class LinalgVectorNormBackward0(Function):
    """f(a) = (sum |a|^p)^(1/p), the p-norm (p=2 by default), of all elements or along ``dim``"""
    __slots__ = ("ord", "dim", "keepdim")
    _saved_names = ("_saved_result", "_saved_self")
    _params = {"_saved_ord": lambda self: self.ord, "_saved_dim": lambda self: self.dim,
               "_saved_keepdim": lambda self: self.keepdim}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, ord, dim, keepdim):  # noqa: A002
        ctx.ord, ctx.dim, ctx.keepdim = ord, dim, keepdim
        axis = dim if np.ndim(a) else None
        x = np.abs(a)
        if ord == float("inf"):
            r = np.max(x, axis=axis, keepdims=keepdim)
        elif ord == float("-inf"):
            r = np.min(x, axis=axis, keepdims=keepdim)
        elif ord == 0:
            r = np.sum(x != 0, axis=axis, keepdims=keepdim).astype(np.result_type(a))
        else:
            r = np.sum(x ** ord, axis=axis, keepdims=keepdim) ** (1.0 / ord)
        r = np.asarray(r, dtype=np.result_type(a))
        ctx.save_for_backward(r, a)
        return r if np.ndim(r) else r[()]

    @staticmethod
    def backward(ctx, g):
        r, a = ctx.saved_tensors
        p = ctx.ord
        shape = _shape(a)
        dims = ctx.dim if ctx.dim is not None else tuple(range(len(shape)))
        if isinstance(g, Tensor):
            if p != 2:
                raise NotImplementedError("create_graph=True through norm() is supported in autograd_lab for p=2 only")
            rr = r if ctx.keepdim or not len(shape) else _unsq(r, dims)
            return (_sum_backward(g, shape, dims, ctx.keepdim) * a / rr,)
        a = np.asarray(a)
        rr = np.asarray(r) if ctx.keepdim or not a.ndim else np.expand_dims(r, dims)
        gg = _sum_backward(g, shape, dims, ctx.keepdim) if a.ndim else g
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 0:
                d = np.zeros_like(a)
            elif p == 1:
                d = np.sign(a)
            elif p == 2:
                d = np.where(rr == 0, 0, a / rr)
            elif p in (float("inf"), float("-inf")):
                m = np.abs(a) == rr
                d = np.sign(a) * m / np.sum(m, axis=dims, keepdims=True)
            else:
                d = np.where(rr == 0, 0, a * np.abs(a) ** (p - 2) / rr ** (p - 1))
        return (gg * d.astype(a.dtype),)


def _unsq(t, dims):
    for d in sorted(dims):
        t = t.unsqueeze(d)
    return t


def _norm(self, p="fro", dim=None, keepdim=False, dtype=None):
    if p == "fro" or p is None:
        p = 2
    if not isinstance(p, numbers.Real):
        raise NotImplementedError(f"norm with p={p!r} is not supported in autograd_lab; use a number (2, 1, inf)")
    if not self.dtype.is_floating_point:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long")
    dims = _dims(dim, self.ndim) if dim is not None else None
    return apply(LinalgVectorNormBackward0, self, ord=p, dim=dims, keepdim=bool(keepdim))  # (_saved_ord: 2 or 2.0, as given)


def _method_fn(method, name):
    def fn(input, *args, **kwargs):
        _needs_tensor(name, input)
        return method(input, *args, **kwargs)
    fn.__name__ = name
    return fn


_softmax, _softmax_fn = _softmax_like(SoftmaxBackward0, "softmax")
_log_softmax, _log_softmax_fn = _softmax_like(LogSoftmaxBackward0, "log_softmax")

declare("where", WhereBackward0, functions={"where": where})
declare("cat", CatBackward0, functions={"cat": cat, "concat": cat, "concatenate": cat})
declare("stack", StackBackward0, functions={"stack": stack})
declare("softmax", SoftmaxBackward0, methods={"softmax": _softmax}, functions={"softmax": _softmax_fn},
        playground=("softmax",))
declare("log_softmax", LogSoftmaxBackward0, methods={"log_softmax": _log_softmax},
        functions={"log_softmax": _log_softmax_fn}, playground=("log_softmax",))
declare("prod", ProdBackward0, ProdBackward1, methods={"prod": _prod}, functions={"prod": _method_fn(_prod, "prod")},
        playground=("prod",))
declare("norm", LinalgVectorNormBackward0, methods={"norm": _norm}, functions={"norm": _method_fn(_norm, "norm")},
        playground=("norm",))
