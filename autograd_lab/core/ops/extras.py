"""Ops that other autograd chapters use in passing: ``repeat``, ``cumsum``, ``contiguous``/``is_contiguous``,
``bmm``, ``gather``, ``masked_fill``, ``leaky_relu``, ``softplus``; and, with no graph, ``& | ^ ~`` and
``logical_and``/``or``/``xor``/``not`` of masks, and ``//`` / ``%`` (``floor_divide``, ``remainder``) on tensors
that do not require grad.

``//`` of a tensor that requires grad is refused: PyTorch gives it a ``NotImplemented`` node whose backward
fails, so there is no gradient to teach.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from ..device import check_device as _check_device
from ..dtypes import _SCALAR_NAMES, _dtype_of, _to_array
from ..function import Function, _fix_dtype, _needs_tensor, _shape, apply, declare, quiet, unary
from ..formulas import derivatives, gelu_grad, no_formula
from ..grad_mode import _state as _grad_state
from ..messages import COPY_CONSTRUCT_WARNING
from ..node import TensorBase as Tensor
from ..node import _wrap
from .extrema import ClampBackward1, _full_index, _return_type, _scatter, check_clamp_bounds
from .linalg import BmmBackward0
from .reductions import _dims
from .shapes import CloneBackward0, _fn, _shape_arg_reshape, _unsigned
from .special import _Compare


# ---------------------------------------------------------------------------- repeat
@no_formula("it adds up, for each element, the gradients of all its copies (a placement, not arithmetic)")
class RepeatBackward0(Function):
    """f(a) = a tiled ``repeats`` times along each dimension"""
    __slots__ = ("repeats",)
    _params = {"_saved_repeats": lambda self: self.repeats, "_saved_self_sym_sizes": lambda self: self._info}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, repeats):
        ctx.repeats, ctx._info = repeats, _shape(a)
        return np.tile(a, repeats)

    @staticmethod
    def backward(ctx, g):
        shape = (1,) * (len(ctx.repeats) - len(ctx._info)) + tuple(ctx._info)
        split = tuple(x for r, s in zip(ctx.repeats, shape) for x in (r, s))
        copies = tuple(range(0, 2 * len(shape), 2))
        g = g.reshape(split).sum(copies) if isinstance(g, Tensor) else np.reshape(g, split).sum(axis=copies)
        return (g.reshape(ctx._info),)


def _repeat(self, *repeats):
    repeats = _shape_arg_reshape(repeats)
    if len(repeats) < self.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    if any(r < 0 for r in repeats):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(repeats)}: {list(repeats)}")
    return apply(RepeatBackward0, self, repeats=repeats)


# ---------------------------------------------------------------------------- cumsum
@no_formula("each element's gradient is the sum of grad from its own position to the end of dim (a reversed cumsum)")
class CumsumBackward0(Function):
    """f(a) = running sums of a along ``dim``"""
    __slots__ = ("dim",)
    _params = {"_saved_dim": lambda self: _unsigned(self.dim)}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        (axis,) = _dims(dim, np.ndim(a))
        a = np.asarray(a)
        out = np.cumsum(a, axis=axis if a.ndim else None, dtype=np.int64 if a.dtype.kind in "biu" else a.dtype)
        return out.reshape(a.shape)

    @staticmethod
    def backward(ctx, g):
        if not np.ndim(g):
            return (g,)
        (axis,) = _dims(ctx.dim, np.ndim(g))
        if isinstance(g, Tensor):  # sum from each position to the end: total - running sum + own
            return (g.sum(axis, keepdim=True) - apply(CumsumBackward0, g, dim=axis) + g,)
        return (np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis),)


def _cumsum(self, dim=None, *, dtype=None):
    if dim is None:
        raise TypeError('cumsum() missing 1 required positional arguments: "dim"')
    if dtype is not None:
        self = self.to(dtype)
    return apply(CumsumBackward0, self, dim=dim)


# ---------------------------------------------------------------------------- contiguous
def _is_contiguous(self, memory_format=None) -> bool:
    return bool(np.asarray(self._data).flags.c_contiguous)


def _contiguous(self, memory_format=None):
    """The tensor itself if its elements are in row-major order, else a row-major copy (``CloneBackward0``)."""
    return self if _is_contiguous(self) else apply(CloneBackward0, self, order="C")


# ---------------------------------------------------------------------------- bmm
def _bmm(self, mat2):
    if not isinstance(mat2, Tensor):
        raise TypeError(f"bmm(): argument 'mat2' (position 1) must be Tensor, not {type(mat2).__name__}")
    if self.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    (b, _, k), (b2, k2, _) = self.shape, mat2.shape
    if (b, k) != (b2, k2):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {k}] but got: "
                           f"[{b2}, {k2}].")
    if self.dtype is not mat2.dtype:
        raise RuntimeError(f"expected scalar type {_SCALAR_NAMES[self.dtype]} but found {_SCALAR_NAMES[mat2.dtype]}")
    return apply(BmmBackward0, self, mat2)


# ---------------------------------------------------------------------------- gather
@no_formula("it scatters grad back into zeros at the gathered positions (a placement, not arithmetic on values)")
class GatherBackward0(Function):
    """f(a) = the elements of a that ``index`` picks along ``dim``"""
    __slots__ = ()
    _saved_names = ("_saved_self",)
    _params = {"_saved_dim": lambda self: self._info[3], "_saved_index": lambda self: _wrap(self._info[4], False, None),
               "_saved_sparse_grad": lambda self: False}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, dim, index):
        where = tuple(index if d == dim else i for d, i in enumerate(np.indices(index.shape, sparse=True)))
        ctx.save_for_backward(a)
        ctx._info = (_shape(a), where, np.result_type(a), dim, index)
        return np.asarray(a)[where]

    @staticmethod
    def backward(ctx, g):
        shape, where, dt = ctx._info[:3]
        return (_scatter(g, shape, where, dt),)


def _gather(self, dim, index, *, sparse_grad=False):
    if not isinstance(index, Tensor):
        raise TypeError(f"gather(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}")
    (d,) = _dims(dim, self.ndim)
    if index.dtype.is_floating_point or index.dtype.name == "bool":
        raise RuntimeError("gather(): Expected dtype int32/int64 for index")
    idx = np.asarray(index._data)
    if idx.ndim != max(self.ndim, 1) and not (idx.ndim == 0 and self.ndim == 0):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k in range(idx.ndim):
        if k != d and idx.shape[k] > self.shape[k]:
            raise RuntimeError(f"Size does not match at dimension {k} expected index {list(idx.shape)} to be no larger "
                               f"than self {list(self.shape)} apart from dimension {d}")
    bad = (idx < 0) | (idx >= (self.shape[d] if self.ndim else 1))
    if np.any(bad):
        raise RuntimeError(f"index {int(idx[bad].flat[0])} is out of bounds for dimension {d} with size "
                           f"{self.shape[d] if self.ndim else 1}")
    return apply(GatherBackward0, self, dim=d, index=idx.astype(np.int64))


# ---------------------------------------------------------------------------- masked_fill
@derivatives(self="where(mask, 0, grad)")
class MaskedFillBackward0(Function):
    """f(a) = a with ``value`` (a number) where ``mask`` is True"""
    __slots__ = ()
    _params = {"_saved_mask": lambda self: _wrap(self._info, False, None)}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, mask, value):
        ctx._info = mask
        return np.where(mask, np.asarray(value, dtype=np.result_type(a)), a)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):
            return (g.masked_fill(_wrap(ctx._info, False, None), 0),)
        return (np.where(ctx._info, 0, g),)


def _masked_fill(self, mask, value):
    if not isinstance(mask, Tensor):
        raise TypeError(f"masked_fill() received an invalid combination of arguments - got ({type(mask).__name__}, "
                        f"{type(value).__name__})")
    if mask.dtype.name != "bool":
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{ {'int64': 'long int', 'int32': 'int', 'uint8': 'unsigned char'}.get(mask.dtype.name, mask.dtype.name)}")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        if value.requires_grad:
            raise NotImplementedError("masked_fill with a value tensor that requires grad is not supported in "
                                      "autograd_lab (a teaching subset of PyTorch); use a number")
        value = value.item()
    m = np.asarray(mask._data)
    try:
        full = np.broadcast_shapes(m.shape, tuple(self.shape))
    except ValueError:
        full = None
    if full != tuple(self.shape):
        raise RuntimeError(f"The size of tensor a ({self.shape[-1] if self.ndim else 1}) must match the size of tensor b "
                           f"({m.shape[-1] if m.ndim else 1}) at non-singleton dimension {max(self.ndim, m.ndim) - 1}")
    return apply(MaskedFillBackward0, self, mask=np.broadcast_to(m, full), value=value)


# ---------------------------------------------------------------------------- leaky_relu, softplus
@derivatives(self="grad * ((self > 0) + negative_slope * (self <= 0))")
class LeakyReluBackward0(Function):
    """f(a) = a where a > 0, else ``negative_slope`` * a"""
    __slots__ = ()
    _saved_names = ("_saved_self",)
    _params = {"_saved_negative_slope": lambda self: self._info}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, negative_slope):
        ctx.save_for_backward(a)
        ctx._info = negative_slope
        a = np.asarray(a)
        return np.where(a > 0, a, a * a.dtype.type(negative_slope))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        if isinstance(g, Tensor):
            return (g * ((a > 0).to(g.dtype) + (a <= 0).to(g.dtype) * ctx._info),)
        a = np.asarray(a)
        return (np.where(a > 0, g, g * a.dtype.type(ctx._info)),)


@derivatives(self="grad * ((beta * self > threshold) + (beta * self <= threshold) * sigmoid(beta * self))")
class SoftplusBackward0(Function):
    """f(a) = log(1 + exp(beta * a)) / beta (a itself where beta * a > threshold)"""
    __slots__ = ()
    _saved_names = ("_saved_self",)
    _params = {"_saved_beta": lambda self: self._info[0], "_saved_threshold": lambda self: self._info[1]}
    _keeps_dtype = True

    @staticmethod
    @quiet
    def forward(ctx, a, beta, threshold):
        ctx.save_for_backward(a)
        ctx._info = (beta, threshold)
        a = np.asarray(a)
        t = a.dtype.type
        return np.where(a * t(beta) > threshold, a, np.log1p(np.exp(a * t(beta))) / t(beta))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        beta, threshold = ctx._info
        if isinstance(g, Tensor):
            z = a * beta
            return (g * ((z > threshold).to(g.dtype) + (z <= threshold).to(g.dtype) * z.sigmoid()),)
        a = np.asarray(a)
        z = a * a.dtype.type(beta)
        with np.errstate(over="ignore"):
            s = (1 / (1 + np.exp(-z))).astype(a.dtype)
        return (np.where(z > threshold, g, g * s),)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    _needs_tensor("leaky_relu", input)
    if inplace:
        raise NotImplementedError("leaky_relu(inplace=True) is not supported in autograd_lab; use inplace=False")
    return apply(LeakyReluBackward0, input, negative_slope=negative_slope)


def softplus(input, beta: float = 1, threshold: float = 20):
    _needs_tensor("softplus", input)
    return apply(SoftplusBackward0, input, beta=beta, threshold=threshold)


# ---------------------------------------------------------------------------- & | ^ ~ and the logical ops
class _NoGraph(_Compare):
    """A binary operator whose result has no graph (``& | ^``, ``//``, ``%``): ``_check``, then ``_ufunc``, with
    PyTorch's result dtype."""
    __slots__ = ()
    _keeps_dtype = False
    _name = ""

    @classmethod
    def run(cls, a, b):
        raw_a = a._data if isinstance(a, Tensor) else a
        raw_b = b._data if isinstance(b, Tensor) else b
        cls._check(a, b, raw_a, raw_b)
        with np.errstate(all="ignore"):
            out = np.asarray(cls._ufunc(raw_a, raw_b))
        return _wrap(np.asarray(_fix_dtype(cls, (a, b), out)), False, None)


class _Bitwise(_NoGraph):
    """``a & b``, ``a | b``, ``a ^ b`` of bool or integer tensors (masks)."""
    __slots__ = ()

    @classmethod
    def _check(cls, a, b, raw_a, raw_b):
        probe = np.asarray(_fix_dtype(cls, (a, b), np.asarray(np.add(np.zeros((), np.result_type(raw_a)),
                                                                      np.zeros((), np.result_type(raw_b))))))
        if probe.dtype.kind == "f":
            raise NotImplementedError(f'"bitwise_{cls._name}_cpu" not implemented for '
                                      f"'{_SCALAR_NAMES[_dtype_of(probe.dtype)]}'")


def _bitwise(name, ufunc):
    return type(f"Bitwise{name.capitalize()}", (_Bitwise,), {"__slots__": (), "_ufunc": staticmethod(ufunc),
                                                             "_name": name, "__doc__": f"f(a, b) = a {name} b"})


BitwiseAnd, BitwiseOr, BitwiseXor = (_bitwise(n, u) for n, u in (("and", np.bitwise_and), ("or", np.bitwise_or),
                                                                   ("xor", np.bitwise_xor)))


def _bitwise_method(cls, swap=False):
    def method(self, other):
        if not isinstance(other, (Tensor, numbers.Integral, numbers.Real)):
            return NotImplemented
        return apply(cls, other, self) if swap else apply(cls, self, other)
    return method


def _invert(self):
    a = np.asarray(self._data)
    if a.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return _wrap(np.invert(a), False, None)


def _logical(name, ufunc):
    def fn(input, other):
        _needs_tensor(f"logical_{name}", input)
        raw = other._data if isinstance(other, Tensor) else other
        return _wrap(np.asarray(ufunc(np.asarray(input._data) != 0, np.asarray(raw) != 0)), False, None)
    fn.__name__ = f"logical_{name}"
    return fn


def _logical_not(input):
    _needs_tensor("logical_not", input)
    return _wrap(np.asarray(input._data) == 0, False, None)


# ---------------------------------------------------------------------------- more elementwise functions
_LN2, _LN10 = 0.6931471805599453, 2.302585092994046


def _elementwise(name, node, doc, forward, backward, saves, formula, keeps_dtype=False):
    """An elementwise op of one tensor: ``backward(g, saved)`` works on numpy arrays and on Tensors (under
    create_graph); ``saves`` is "self" or "result" (or None)."""
    def fwd(ctx, a):
        r = forward(a)
        if saves:
            ctx.save_for_backward(a if saves == "self" else r)
        return r

    def bwd(ctx, g):
        saved = ctx.saved_tensors[0] if saves else None
        return (backward(g, saved),)
    cls = type(node, (Function,), {"__slots__": (), "__doc__": doc, "_keeps_dtype": keeps_dtype,
                                    "_saved_names": (f"_saved_{saves}",) if saves else (),
                                    "forward": staticmethod(fwd), "backward": staticmethod(bwd)})
    return derivatives(self=formula)(unary(name)(cls))


def _zeros_of(g):
    return _wrap(np.zeros_like(np.asarray(g._data)), False, None) if isinstance(g, Tensor) else np.zeros_like(g)


SignBackward0 = _elementwise("sign", "SignBackward0", "f(a) = -1, 0 or 1, the sign of a",
                             lambda a: np.nan_to_num(np.sign(a), nan=0.0),  # (sign(nan) is 0 in PyTorch)
                             lambda g, _: _zeros_of(g), None, "0 * grad", keeps_dtype=True)
Log1PBackward0 = _elementwise("log1p", "Log1PBackward0", "f(a) = log(1 + a)", np.log1p,
                              lambda g, a: g / (a + 1), "self", "grad / (1 + self)")
RsqrtBackward0 = _elementwise("rsqrt", "RsqrtBackward0", "f(a) = 1 / sqrt(a)", lambda a: 1 / np.sqrt(a),
                              lambda g, r: -0.5 * g * r * r * r, "result", "-0.5 * grad * result^3")
Exp2Backward0 = _elementwise("exp2", "Exp2Backward0", "f(a) = 2^a", np.exp2,
                             lambda g, r: g * r * _LN2, "result", "grad * result * 0.6931471805599453")
Expm1Backward0 = _elementwise("expm1", "Expm1Backward0", "f(a) = exp(a) - 1", np.expm1,
                              lambda g, r: g * (r + 1), "result", "grad * (result + 1)")
Log2Backward0 = _elementwise("log2", "Log2Backward0", "f(a) = log2(a)", np.log2,
                             lambda g, a: g / (a * _LN2), "self", "grad / (self * 0.6931471805599453)")
Log10Backward0 = _elementwise("log10", "Log10Backward0", "f(a) = log10(a)", np.log10,
                              lambda g, a: g / (a * _LN10), "self", "grad / (self * 2.302585092994046)")


# ---------------------------------------------------------------------------- clamp_min, clamp_max, amax, amin, outer
@derivatives(self="grad * (self >= min)")
class ClampMinBackward0(ClampBackward1):
    """f(a) = a, but at least ``min``"""
    __slots__ = ()
    _params = {"_saved_min": lambda self: self.min}


@derivatives(self="grad * (self <= max)")
class ClampMaxBackward0(ClampBackward1):
    """f(a) = a, but at most ``max``"""
    __slots__ = ()
    _params = {"_saved_max": lambda self: self.max}


def _clamp_min(self, min):  # noqa: A002
    check_clamp_bounds(min, None)
    return apply(ClampMinBackward0, self, min=min, max=None)


def _clamp_max(self, max):  # noqa: A002
    check_clamp_bounds(None, max)
    return apply(ClampMaxBackward0, self, min=None, max=max)


@derivatives(self="keepdims(grad, dim, keepdim, self) * (self == keepdims(result, dim, keepdim, self))"
                  " / sumdim(self == keepdims(result, dim, keepdim, self), dim)")
class AmaxBackward0(Function):
    """f(a) = the largest elements along ``dim`` (the gradient is shared evenly among ties)"""
    __slots__ = ()
    _saved_names = ("_saved_result", "_saved_self")
    _params = {"_saved_dim": lambda self: self._info[0], "_saved_keepdim": lambda self: self._info[1]}
    _keeps_dtype = True
    _pick = staticmethod(np.max)

    @classmethod
    def _forward(cls, ctx, a, dim, keepdim):
        a = np.asarray(a)
        axes = _dims(dim, a.ndim) if dim != () else tuple(range(a.ndim))
        ctx._info = (axes, keepdim)
        r = np.asarray(cls._pick(a, axis=axes if a.ndim else None, keepdims=keepdim and a.ndim > 0))
        ctx.save_for_backward(r, a)
        return r

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        return AmaxBackward0._forward(ctx, a, dim, keepdim)

    @staticmethod
    def backward(ctx, g):
        r, a = ctx.saved_tensors
        axes, keepdim = ctx._info
        if isinstance(g, Tensor):
            raise NotImplementedError("create_graph=True through amax/amin is not supported in autograd_lab")
        a, r, g = np.asarray(a), np.asarray(r), np.asarray(g)
        if not keepdim and a.ndim:
            r, g = np.expand_dims(r, axes), np.expand_dims(g, axes)
        hit = (a == r) if a.ndim else np.ones((), bool)
        return ((hit * g / np.sum(hit, axis=axes if a.ndim else None, keepdims=True)).astype(a.dtype),)


@derivatives(self="keepdims(grad, dim, keepdim, self) * (self == keepdims(result, dim, keepdim, self))"
                  " / sumdim(self == keepdims(result, dim, keepdim, self), dim)")
class AminBackward0(AmaxBackward0):
    """f(a) = the smallest elements along ``dim`` (the gradient is shared evenly among ties)"""
    __slots__ = ()
    _pick = staticmethod(np.min)

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        return AminBackward0._forward(ctx, a, dim, keepdim)


def _amax_like(node, name):
    def method(self, dim=(), keepdim=False):
        if isinstance(dim, int):
            dim = (dim,)
        return apply(node, self, dim=tuple(dim), keepdim=bool(keepdim))
    method.__name__ = name
    return method


def _outer(self, vec2):
    """``outer(a, b)``: PyTorch's a.reshape(-1, 1) * b (``MulBackward0`` over a ``ViewBackward0``)."""
    if not isinstance(vec2, Tensor):
        raise TypeError(f"outer(): argument 'vec2' (position 1) must be Tensor, not {type(vec2).__name__}")
    if self.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {self.ndim}-D" if self.ndim != 1 else
                           f"outer: Expected 1-D argument vec2, but got {vec2.ndim}-D")
    return self.reshape(-1, 1) * vec2


# ---------------------------------------------------------------------------- new_tensor, new_zeros ...
def _new(arr, dtype, device, requires_grad):
    """A new leaf of ``arr`` in ``dtype`` (the tensor's own, unless given)."""
    _check_device(device)
    if requires_grad and not dtype.is_floating_point:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    return _wrap(np.array(arr, dtype=dtype.np), bool(requires_grad), None)


def _new_like(make):
    def method(self, *size, dtype=None, device=None, requires_grad=False):
        shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return _new((np.zeros if make in ("zeros", "empty") else np.ones)(shape), dtype or self.dtype, device,
                    requires_grad)
    method.__name__ = f"new_{make}"
    return method


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    return _new(np.full(tuple(size), fill_value), dtype or self.dtype, device, requires_grad)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    """A copy of ``data`` (a number, list, array or tensor) in the tensor's dtype, unless ``dtype`` is given."""
    if isinstance(data, Tensor):
        warnings.warn(COPY_CONSTRUCT_WARNING.replace("torch.tensor(", "tensor.new_tensor("), UserWarning, stacklevel=2)
        data = np.array(data._data)
    return _new(_to_array(data, None), dtype or self.dtype, device, requires_grad)


# ---------------------------------------------------------------------------- sort, argsort, topk
@no_formula("it scatters grad back to the positions the values were taken from (a placement, not arithmetic)")
class SortBackward0(Function):
    """f(a) = the values of a in order along ``dim`` (and, with no graph, their indices)"""
    __slots__ = ()
    _params = {"_saved_dim": lambda self: _unsigned(self._info[3]), "_saved_self_sym_sizes": lambda self: self._info[0],
               "_saved_indices": lambda self: _wrap(self._info[2], False, None)}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, dim, idx):
        a = np.asarray(a)
        where = _full_index(idx, _dims(dim, a.ndim)[0], a.ndim) if a.ndim else ()
        ctx._info = (a.shape, where, idx, dim, a.dtype)
        return a[where]

    @staticmethod
    def backward(ctx, g):
        shape, where, _, _, dt = ctx._info
        return (_scatter(g, shape, where, dt),)


@no_formula("it scatters grad back to the positions the k values were taken from (a placement, not arithmetic)")
class TopkBackward0(SortBackward0):
    """f(a) = the k largest (or smallest) values of a along ``dim``"""
    __slots__ = ()


def _order(a, dim, descending):
    """Indices that sort ``a`` along ``dim`` (stable; NaN last ascending, first descending, as PyTorch)."""
    if a.ndim == 0:
        return np.zeros((), np.int64)
    key = np.where(np.isnan(a), np.inf, a) if a.dtype.kind == "f" else a
    if descending:
        key = -key.astype(np.float64) if key.dtype.kind != "b" else ~key
    return np.argsort(key, axis=dim, kind="stable").astype(np.int64)


_SORT_T, _TOPK_T = _return_type("sort"), _return_type("topk")


def _sort(self, dim=-1, descending=False, *, stable=False):
    if isinstance(dim, bool):  # sort(descending) by position
        dim, descending = -1, dim
    a = np.asarray(self._data)
    (d,) = _dims(dim, a.ndim)
    idx = _order(a, d, descending)
    return _SORT_T(apply(SortBackward0, self, dim=dim, idx=idx), _wrap(idx, False, None))


def _argsort(self, dim=-1, descending=False, *, stable=False):
    return _sort(self, dim, descending)[1]


def _topk(self, k, dim=-1, largest=True, sorted=True):  # noqa: A002
    a = np.asarray(self._data)
    (d,) = _dims(dim, a.ndim)
    if not 0 <= k <= (a.shape[d] if a.ndim else 1):
        raise RuntimeError("selected index k out of range")
    idx = np.take(_order(a, d, largest), np.arange(k), axis=d) if a.ndim else _order(a, d, largest)
    return _TOPK_T(apply(TopkBackward0, self, dim=dim, idx=idx), _wrap(idx, False, None))


# ---------------------------------------------------------------------------- gelu
_ERF = np.vectorize(math.erf, otypes=[np.float64])


def _gelu_values(x, approximate):
    x = np.asarray(x, dtype=np.float64)
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + _ERF(x / math.sqrt(2)))


class GeluBackward0(Function):
    """f(a) = a * Phi(a), Phi the standard normal CDF (``approximate="tanh"``: its tanh approximation);
    the chain-rule formula is formulas.py's (real torch makes this node too)"""
    __slots__ = ()
    _saved_names = ("_saved_self",)
    _params = {"_saved_approximate": lambda self: self._info}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, approximate):
        ctx.save_for_backward(a)
        ctx._info = approximate
        return _gelu_values(a, approximate).astype(np.asarray(a).dtype)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        if isinstance(g, Tensor):
            raise NotImplementedError("create_graph=True through gelu is not supported in autograd_lab (a teaching "
                                      "subset of PyTorch)")
        a = np.asarray(a)
        return ((np.asarray(g) * gelu_grad(a, ctx._info)).astype(a.dtype),)


def gelu(input, approximate: str = "none"):
    _needs_tensor("gelu", input)
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return apply(GeluBackward0, input, approximate=approximate)


# ---------------------------------------------------------------------------- // and %
class _Rounding(_NoGraph):
    """``a // b`` and ``a % b`` of tensors that do not require grad (integer results stay integers)."""
    __slots__ = ()

    @classmethod
    def _check(cls, a, b, raw_a, raw_b):
        if np.result_type(raw_a, raw_b).kind in "biu" and np.any(np.asarray(raw_b) == 0):
            raise RuntimeError("ZeroDivisionError")


class FloorDivide(_Rounding):
    """f(a, b) = a // b (rounded down)"""
    __slots__ = ()
    _ufunc = staticmethod(np.floor_divide)
    _name = "floor_divide"


def _remainder(a, b):
    """PyTorch's remainder: fmod, moved by b where its sign differs from b's (-5. % 2.5 is -0. there)."""
    r = np.fmod(a, b)
    return np.where((r != 0) & ((r < 0) != (np.asarray(b) < 0)), r + b, r)


class Remainder(_Rounding):
    """f(a, b) = a % b (with the sign of b)"""
    __slots__ = ()
    _ufunc = staticmethod(_remainder)
    _name = "remainder"


_WHY = {"floor_divide": ": PyTorch has no derivative for it either (grad_fn=<NotImplemented>)", "remainder": ""}


def _rounding(cls, swap=False):
    def method(self, other):
        if isinstance(other, (list, tuple)):
            other = _wrap(_to_array(other, None), False, None)
        elif not isinstance(other, (Tensor, numbers.Real)):
            return NotImplemented
        a, b = (other, self) if swap else (self, other)
        if _grad_state.enabled and any(isinstance(t, Tensor) and t.requires_grad for t in (a, b)):
            raise NotImplementedError(f"{cls._name} ({'%' if cls is Remainder else '//'}) of a tensor that requires grad is "
                                      f"not supported in autograd_lab (a teaching subset of PyTorch){_WHY[cls._name]}; "
                                      f"use .detach() (or torch.no_grad()) first")
        return apply(cls, a, b)
    return method


def _rounding_fn(cls):
    def fn(input, other):
        if not isinstance(input, Tensor):
            if isinstance(other, Tensor) and isinstance(input, numbers.Real):
                return _rounding(cls, swap=True)(other, input)
            raise TypeError(f"{cls._name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        return _rounding(cls)(input, other)
    fn.__name__ = cls._name
    return fn


declare("repeat", RepeatBackward0, methods={"repeat": _repeat})
declare("cumsum", CumsumBackward0, methods={"cumsum": _cumsum}, functions={"cumsum": _fn(_cumsum, "cumsum")})
declare("contiguous", methods={"contiguous": _contiguous, "is_contiguous": _is_contiguous}, shown_as=None)
declare("bmm", methods={"bmm": _bmm}, functions={"bmm": _fn(_bmm, "bmm")}, shown_as=None)
declare("floor_divide", shown_as="// and % (without grad)",
        methods={"__floordiv__": _rounding(FloorDivide), "__rfloordiv__": _rounding(FloorDivide, swap=True),
                 "floor_divide": _rounding(FloorDivide), "__mod__": _rounding(Remainder),
                 "__rmod__": _rounding(Remainder, swap=True), "remainder": _rounding(Remainder)},
        functions={"floor_divide": _rounding_fn(FloorDivide), "remainder": _rounding_fn(Remainder)})
declare("gather", GatherBackward0, methods={"gather": _gather}, functions={"gather": _fn(_gather, "gather")})
declare("masked_fill", MaskedFillBackward0, methods={"masked_fill": _masked_fill},
        functions={"masked_fill": _fn(_masked_fill, "masked_fill")})
declare("leaky_relu", LeakyReluBackward0, shown_as=None)   # (nn.functional.leaky_relu, nn.LeakyReLU)
declare("softplus", SoftplusBackward0, shown_as=None)      # (nn.functional.softplus, nn.Softplus)
_logicals = {f"logical_{n}": _logical(n, getattr(np, f"logical_{n}")) for n in ("and", "or", "xor")}
_logicals["logical_not"] = _logical_not
declare("bitwise", shown_as="& | ^ ~ (bool and integer tensors)",
        methods={"__and__": _bitwise_method(BitwiseAnd), "__rand__": _bitwise_method(BitwiseAnd, swap=True),
                 "__or__": _bitwise_method(BitwiseOr), "__ror__": _bitwise_method(BitwiseOr, swap=True),
                 "__xor__": _bitwise_method(BitwiseXor), "__rxor__": _bitwise_method(BitwiseXor, swap=True),
                 "__invert__": _invert, "bitwise_not": _invert, "logical_not": _logical_not,
                 **{k: v for k, v in _logicals.items() if k != "logical_not"}},
        functions={**_logicals, "bitwise_not": _fn(_invert, "bitwise_not")})
declare("clamp_min", ClampMinBackward0, ClampMaxBackward0, shown_as=None,
        methods={"clamp_min": _clamp_min, "clamp_max": _clamp_max},
        functions={"clamp_min": _fn(_clamp_min, "clamp_min"), "clamp_max": _fn(_clamp_max, "clamp_max")})
_amax, _amin = _amax_like(AmaxBackward0, "amax"), _amax_like(AminBackward0, "amin")
declare("amax", AmaxBackward0, AminBackward0, shown_as="amax, amin", methods={"amax": _amax, "amin": _amin},
        functions={"amax": _fn(_amax, "amax"), "amin": _fn(_amin, "amin")})
declare("broadcast_to", functions={"broadcast_to": _fn(lambda input, size: input.expand(*size), "broadcast_to")},
        methods={"broadcast_to": lambda self, size: self.expand(*size)}, shown_as=None)
declare("outer", methods={"outer": _outer, "ger": _outer}, functions={"outer": _fn(_outer, "outer")}, shown_as=None)
declare("new_tensor", shown_as=None, methods={"new_tensor": _new_tensor, "new_zeros": _new_like("zeros"),
                                              "new_ones": _new_like("ones"), "new_empty": _new_like("empty"),
                                              "new_full": _new_full})
declare("sort", SortBackward0, TopkBackward0, shown_as="sort, argsort, topk",
        methods={"sort": _sort, "argsort": _argsort, "topk": _topk},
        functions={"sort": _fn(_sort, "sort"), "argsort": _fn(_argsort, "argsort"), "topk": _fn(_topk, "topk")})
declare("gelu", GeluBackward0, shown_as=None)            # (nn.functional.gelu, nn.GELU)
