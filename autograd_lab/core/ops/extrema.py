"""Picking elements: max/min (of all, or along a dim with their indices), argmax/argmin,
maximum/minimum of two tensors, clamp, and the gather/scatter pair that their backward formulas
(and advanced indexing, ``t[mask]``, ``t[[0, 2]]``) use.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..function import Function, _needs_tensor, _shape, apply, declare, unbroadcast
from ..formulas import derivatives, no_formula
from ..node import TensorBase as Tensor
from ..node import _wrap
from .reductions import _axis, _dims
from .special import as_operand


# ---------------------------------------------------------------------------- gather and scatter
def _scatter(g, shape, index, dt):
    """A zero array of ``shape`` with ``g`` added at ``index`` (a Tensor op under create_graph)."""
    if isinstance(g, Tensor):
        return apply(IndexPutImplBackward0, g, shape=shape, index=index, dt=dt)
    out = np.zeros(shape, dtype=dt)
    np.add.at(out, index, g)
    return out


def _gather(g, index):
    if isinstance(g, Tensor):
        return apply(IndexBackward0, g, index=index)
    return np.asarray(g)[index]


@no_formula("it scatters grad back into zeros at the indexed positions (a placement, not arithmetic on values)")
class IndexBackward0(Function):
    """f(a) = a[index] with index tensors or a boolean mask (advanced indexing)"""
    __slots__ = ()
    _keeps_dtype = True
    _params = {"_saved_self_sym_sizes": lambda self: self._info[0]}

    @staticmethod
    def forward(ctx, a, index):
        ctx._info = (_shape(a), index, np.result_type(a))
        return np.asarray(a)[index]

    @staticmethod
    def backward(ctx, g):
        shape, index, dt = ctx._info
        return (_scatter(g, shape, index, dt),)


@no_formula("it gathers grad at the indexed positions (a placement, not arithmetic on values)")
class IndexPutImplBackward0(Function):
    """f(v) = zeros with v added at index (in the backward of indexing, under create_graph)"""
    __slots__ = ()
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, v, shape, index, dt):
        ctx._info = index
        out = np.zeros(shape, dtype=dt)
        np.add.at(out, index, v)
        return out

    @staticmethod
    def backward(ctx, g):
        return (_gather(g, ctx._info),)


# ---------------------------------------------------------------------------- max, min
@derivatives(self="grad * (self == result) / sum(self == result)")
class MaxBackward1(Function):
    """f(a) = the largest element (the gradient is shared evenly among ties)"""
    __slots__ = ()
    _saved_names = ("_saved_result", "_saved_self")
    _keeps_dtype = True
    _reduce = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx, a):
        if np.size(a) == 0:
            raise RuntimeError(f"{cls._what}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        r = cls._reduce(a)
        ctx.save_for_backward(r, a)
        return r

    @staticmethod
    def backward(ctx, g):
        r, a = ctx.saved_tensors
        mask = np.asarray(_raw(a) == _raw(r))
        share = mask / mask.sum()
        if isinstance(g, Tensor):
            return (g.expand(*mask.shape) * share.astype(np.result_type(_raw(a))),)
        return (g * share,)


MaxBackward1._what = "max"


@derivatives(self="grad * (self == result) / sum(self == result)")
class MinBackward1(MaxBackward1):
    """f(a) = the smallest element (the gradient is shared evenly among ties)"""
    __slots__ = ()
    _reduce = staticmethod(np.min)
    _what = "min"


def _raw(v):
    return v._data if isinstance(v, Tensor) else v


@derivatives(self="value_select(grad, dim, indices, self_sym_sizes, keepdim)")
class MaxBackward0(Function):
    """f(a) = the largest values along ``dim`` (the gradient goes to the first largest)"""
    __slots__ = ("dim", "keepdim")
    _params = {"_saved_dim": lambda self: self.dim, "_saved_keepdim": lambda self: self.keepdim,
               "_saved_self_sym_sizes": lambda self: self._info[0],
               "_saved_indices": lambda self: _wrap(self._info[3], False, None)}
    _keeps_dtype = True
    _arg = staticmethod(np.argmax)

    @classmethod
    def forward(cls, ctx, a, dim, keepdim):
        a = np.asarray(a)
        ctx.dim, ctx.keepdim = dim, keepdim
        idx = np.expand_dims(cls._arg(a, axis=dim), dim) if a.ndim else np.zeros((), np.int64)
        index = _full_index(idx, dim, a.ndim)
        out = a[index]
        if a.ndim and not keepdim:
            out = np.squeeze(out, dim)
            idx = np.squeeze(idx, dim)
        ctx._info = (a.shape, index, a.dtype, idx.astype(np.int64))
        return out

    @staticmethod
    def backward(ctx, g):
        shape, index, dt, _ = ctx._info
        if len(shape) and not ctx.keepdim:
            g = g.unsqueeze(ctx.dim) if isinstance(g, Tensor) else np.expand_dims(g, ctx.dim)
        return (_scatter(g, shape, index, dt),)


@derivatives(self="value_select(grad, dim, indices, self_sym_sizes, keepdim)")
class MinBackward0(MaxBackward0):
    """f(a) = the smallest values along ``dim`` (the gradient goes to the first smallest)"""
    __slots__ = ()
    _arg = staticmethod(np.argmin)


def _full_index(idx, dim, ndim):
    """The advanced index that picks ``idx`` (keepdim shape) along ``dim`` of an ``ndim``-d array."""
    if ndim == 0:
        return ()
    grids = list(np.indices(idx.shape, sparse=True))
    grids[dim] = idx
    return tuple(grids)


class _ReturnTypes(tuple):
    """``torch.return_types.max(values=..., indices=...)``"""
    _name = "max"

    def __new__(cls, values, indices):
        return super().__new__(cls, (values, indices))

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]

    def __repr__(self) -> str:
        return f"torch.return_types.{self._name}(\nvalues={self[0]!r},\nindices={self[1]!r})"


def _return_type(name):
    return type(name, (_ReturnTypes,), {"_name": name, "__slots__": (), "__module__": "torch.return_types"})


_MAX_T, _MIN_T = _return_type("max"), _return_type("min")


def _extreme(name, all_node, dim_node, pairwise, result_type):
    def method(self, dim=None, keepdim=False, *, other=None, **axis):
        dim = _axis(name, dim, axis)
        if isinstance(dim, Tensor):  # torch.max(a, b) is maximum(a, b)
            return apply(pairwise, self, dim)
        if dim is None:
            if keepdim:
                raise TypeError(f"{name}() received an invalid combination of arguments - got (keepdim=bool)")
            return apply(all_node, self)
        (d,) = _dims(dim, self.ndim)
        values = apply(dim_node, self, dim=d, keepdim=bool(keepdim))
        return result_type(values, _wrap(values.grad_fn._info[3] if values.grad_fn is not None else
                                         _indices(dim_node, self, d, keepdim), False, None))
    method.__name__ = name
    return method


def _indices(node, t, d, keepdim):
    a = np.asarray(t._data)
    idx = node._arg(a, axis=d) if a.ndim else np.int64(0)
    return np.asarray(np.expand_dims(idx, d) if keepdim and a.ndim else idx, dtype=np.int64)


def _argextreme(name, fn):
    def method(self, dim=None, keepdim=False, **axis):
        dim = _axis(name, dim, axis)  # (numpy's axis=, as d2l's accuracy writes argmax(axis=1))
        a = np.asarray(self._data)
        if dim is None:
            r = np.asarray(fn(a), dtype=np.int64)
            if keepdim:
                r = r.reshape((1,) * a.ndim)
        else:
            (d,) = _dims(dim, a.ndim)
            r = np.asarray(fn(a, axis=d) if a.ndim else 0, dtype=np.int64)
            if keepdim and a.ndim:
                r = np.expand_dims(r, d)
        return _wrap(r, False, None)
    method.__name__ = name
    return method


# ---------------------------------------------------------------------------- maximum, minimum, clamp
@derivatives(self="grad * ((self > other) + (self == other) / 2)",
             other="grad * ((other > self) + (self == other) / 2)")
class MaximumBackward0(Function):
    """f(a, b) = the larger of a and b, elementwise (ties share the gradient)"""
    __slots__ = ()
    _saved_names = ("_saved_other", "_saved_self")
    _keeps_dtype = False
    _pick = staticmethod(np.maximum)
    _greater = staticmethod(np.greater)

    @classmethod
    def forward(cls, ctx, a, b):
        ctx._info = (_shape(a), _shape(b), cls._greater(a, b), np.equal(a, b))
        ctx.save_for_backward(b, a)  # (what _saved_other and _saved_self show, as in PyTorch)
        return cls._pick(a, b)

    @staticmethod
    def backward(ctx, g):
        sa, sb, a_wins, tie = ctx._info
        wa = a_wins + 0.5 * tie
        wb = (~a_wins & ~tie) + 0.5 * tie
        na, nb = ctx.needs_input_grad
        dt = np.result_type(_raw(g))
        return (unbroadcast(g * wa.astype(dt), sa) if na else None, unbroadcast(g * wb.astype(dt), sb) if nb else None)


@derivatives(self="grad * ((self < other) + (self == other) / 2)",
             other="grad * ((other < self) + (self == other) / 2)")
class MinimumBackward0(MaximumBackward0):
    """f(a, b) = the smaller of a and b, elementwise (ties share the gradient)"""
    __slots__ = ()
    _pick = staticmethod(np.minimum)
    _greater = staticmethod(np.less)


def _pairwise(fn, name):
    def f(input, other):
        _needs_tensor(name, input)
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
        return apply(fn, input, other)
    f.__name__ = name
    return f


@derivatives(self="grad * clamp_mask(self, min, max)")
class ClampBackward1(Function):
    """f(a) = a limited to [min, max] (the gradient passes where a is inside, bounds included)"""
    __slots__ = ("min", "max")
    _saved_names = ("_saved_self",)
    _params = {"_saved_min": lambda self: self.min, "_saved_max": lambda self: self.max}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, min, max):  # noqa: A002
        ctx.min, ctx.max = min, max
        ctx.save_for_backward(a)
        return np.clip(a, min, max)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        a = _raw(a)
        inside = np.ones(np.shape(a), dtype=bool)
        if ctx.min is not None:
            inside &= a >= ctx.min
        if ctx.max is not None:
            inside &= a <= ctx.max
        if isinstance(g, Tensor):
            return (g * inside.astype(np.result_type(a)),)
        return (np.where(inside, g, 0),)


def _clamp(self, min=None, max=None):  # noqa: A002
    check_clamp_bounds(min, max)
    return apply(ClampBackward1, self, min=min, max=max)


def check_clamp_bounds(min, max) -> None:  # noqa: A002  (also clamp_'s, in everyday.py)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    for v in (min, max):
        if v is not None and not isinstance(v, numbers.Real):
            raise NotImplementedError("clamp with tensor bounds is not supported in autograd_lab; use numbers")


def _clamp_fn(input, min=None, max=None):  # noqa: A002
    _needs_tensor("clamp", input)
    return _clamp(input, min, max)


def _maximum_method(self, other):
    other = as_operand(other)
    if not isinstance(other, Tensor):
        raise TypeError(f"maximum(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
    return apply(MaximumBackward0, self, other)


def _minimum_method(self, other):
    other = as_operand(other)
    if not isinstance(other, Tensor):
        raise TypeError(f"minimum(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
    return apply(MinimumBackward0, self, other)


_max = _extreme("max", MaxBackward1, MaxBackward0, MaximumBackward0, _MAX_T)
_min = _extreme("min", MinBackward1, MinBackward0, MinimumBackward0, _MIN_T)


def _fn(method, name):
    def f(input, *args, **kwargs):
        _needs_tensor(name, input)
        return method(input, *args, **kwargs)
    f.__name__ = name
    return f


_argmax, _argmin = _argextreme("argmax", np.argmax), _argextreme("argmin", np.argmin)

declare("max", MaxBackward1, MaxBackward0, methods={"max": _max}, functions={"max": _fn(_max, "max")},
        playground=("max",))
declare("min", MinBackward1, MinBackward0, methods={"min": _min}, functions={"min": _fn(_min, "min")},
        playground=("min",))
declare("argmax", methods={"argmax": _argmax, "argmin": _argmin},
        functions={"argmax": _fn(_argmax, "argmax"), "argmin": _fn(_argmin, "argmin")}, playground=("argmax",),
        shown_as="argmax, argmin")
declare("maximum", MaximumBackward0, methods={"maximum": _maximum_method},
        functions={"maximum": _pairwise(MaximumBackward0, "maximum")})
declare("minimum", MinimumBackward0, methods={"minimum": _minimum_method},
        functions={"minimum": _pairwise(MinimumBackward0, "minimum")})
declare("clamp", ClampBackward1, methods={"clamp": _clamp, "clip": _clamp},
        functions={"clamp": _clamp_fn, "clip": _clamp_fn}, playground=("clamp",))
declare("index", IndexBackward0, IndexPutImplBackward0, shown_as=None)
