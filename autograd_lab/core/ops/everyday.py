"""Everyday ops the older lessons use: the in-place twins of the elementwise functions (``sin_``,
``relu_``, ``sigmoid_`` ... and ``torch.sin_``), ``expand_as``, the tests ``all``/``any``/``eq``/
``isin``/``allclose``, and ``var``/``var_mean``.

An in-place twin's node is its function's node (``y.sin_()`` gives ``grad_fn=<SinBackward0>``, as in
PyTorch); its class is a subclass named ``SinInplace`` so that the narration calls it ``sin_``.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from ..dtypes import _SCALAR_NAMES, float16, int8, int16, int32, uint8
from ..formulas import derivatives, no_formula
from ..function import Function, _needs_tensor, _shape, apply, declare, quiet
from ..node import Node, TensorBase, _wrap
from .arithmetic import NegBackward0, PowBackward0, ReciprocalBackward0
from .elementwise import (AbsBackward0, CosBackward0, ExpBackward0, LogBackward0, ReluBackward0, SigmoidBackward0,
                          SinBackward0, SqrtBackward0, TanBackward0, TanhBackward0)
from .extrema import ClampBackward1, check_clamp_bounds
from .reductions import _dims, _sum_backward
from .shapes import _fn
from .special import _compare, Eq, Ge, Gt, Le, Lt, Ne

Tensor = TensorBase  # (isinstance tests only)


# ---------------------------------------------------------------------------- in-place twins
def _inplace_class(base):
    """``SinInplace``: a SinBackward0 that the narration names ``sin_``."""
    return type(base.__name__.replace("Backward0", "Inplace").replace("Backward1", "Inplace"), (base,),
                {"__slots__": (), "name": lambda self, _n=base.__name__: _n})


def _twin(op: str, base, **params):
    cls = _inplace_class(base)

    def method(self):
        return apply(cls, self, inplace=True, **params)

    def fn(input):
        _needs_tensor(op + "_", input)
        return method(input)
    method.__name__ = fn.__name__ = op + "_"
    declare(op + "_", cls, methods={op + "_": method}, functions={op + "_": fn}, shown_as=None)
    return cls


for _op, _base in (("exp", ExpBackward0), ("log", LogBackward0), ("tanh", TanhBackward0), ("sigmoid", SigmoidBackward0),
                   ("relu", ReluBackward0), ("sqrt", SqrtBackward0), ("sin", SinBackward0), ("cos", CosBackward0),
                   ("abs", AbsBackward0), ("tan", TanBackward0), ("neg", NegBackward0),
                   ("reciprocal", ReciprocalBackward0)):
    _twin(_op, _base)
PowInplace = _twin("square", PowBackward0, exponent=2)


def _pow_(self, exponent):
    if not isinstance(exponent, numbers.Real):
        raise NotImplementedError("pow_ with a tensor exponent is not supported in autograd_lab; use a number")
    return apply(PowInplace, self, inplace=True, exponent=exponent)


declare("pow_", methods={"pow_": _pow_}, shown_as=None)
ClampInplace = _inplace_class(ClampBackward1)


def _clamp_(self, min=None, max=None):  # noqa: A002
    check_clamp_bounds(min, max)
    return apply(ClampInplace, self, inplace=True, min=min, max=max)


def _clamp_fn(input, min=None, max=None):  # noqa: A002
    _needs_tensor("clamp_", input)
    return _clamp_(input, min, max)


declare("clamp_", ClampInplace, methods={"clamp_": _clamp_, "clip_": _clamp_},
        functions={"clamp_": _clamp_fn, "clip_": _clamp_fn}, shown_as=None)


# ---------------------------------------------------------------------------- shapes
def _expand_as(self, other):
    if not isinstance(other, Tensor):
        raise TypeError(f"expand_as(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
    return self.expand(*other.shape)


declare("expand_as", methods={"expand_as": _expand_as}, shown_as=None)


# ---------------------------------------------------------------------------- tests (no gradient)
class _Test(Node):
    """Tests give bool tensors (or a Python bool) and are not part of the autograd graph."""
    __slots__ = ()
    _special = True
    kind = None


class All(_Test):
    @staticmethod
    def run(a, dim=None, keepdim=False, any_=False):
        d = np.asarray(a._data)
        axis = _dims(dim, d.ndim)
        if axis is not None and d.ndim == 0:
            axis = None
        r = (np.any if any_ else np.all)(d, axis=axis, keepdims=bool(keepdim) and axis is not None)
        return _wrap(np.asarray(r), False, None)


def _all(self, dim=None, keepdim=False):
    return apply(All, self, dim=dim, keepdim=keepdim)


def _any(self, dim=None, keepdim=False):
    return apply(All, self, dim=dim, keepdim=keepdim, any_=True)


class IsIn(_Test):
    @staticmethod
    def run(elements, test_elements, invert=False):
        e = elements._data if isinstance(elements, Tensor) else elements
        t = test_elements._data if isinstance(test_elements, Tensor) else test_elements
        return _wrap(np.asarray(np.isin(e, t, invert=bool(invert))), False, None)


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False):
    """``isin(x, values)``: True where an element of ``x`` is one of ``values``."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__})")
    return apply(IsIn, elements, test_elements, invert=invert)


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """True if every ``|input - other| <= atol + rtol * |other|`` (a Python bool)."""
    _needs_tensor("allclose", input)
    if not isinstance(other, Tensor):
        raise TypeError(f"allclose(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{_SCALAR_NAMES[input.dtype]} did not match {_SCALAR_NAMES[other.dtype]}")
    with np.errstate(all="ignore"):
        return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


declare("all", All, methods={"all": _all, "any": _any}, functions={"all": _fn(_all, "all"), "any": _fn(_any, "any")},
        shown_as=None)
declare("isin", IsIn, functions={"isin": isin}, shown_as=None)
declare("allclose", methods={"allclose": allclose}, functions={"allclose": allclose}, shown_as=None)
_comparisons = {n: _compare(c) for n, c in (("eq", Eq), ("ne", Ne), ("lt", Lt), ("le", Le), ("gt", Gt), ("ge", Ge))}
declare("comparisons", methods=_comparisons, functions={n: _fn(m, n) for n, m in _comparisons.items()}, shown_as=None)


# ---------------------------------------------------------------------------- variance
def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


@derivatives(self="2 * expand(keepdims(grad, dim, keepdim, sizes(self)), sizes(self)) * centred(self, dim)"
                  " / dof(count(sizes(self), dim), correction)")
class VarBackward0(Function):
    """f(a) = sum((a - mean(a))^2) / (N - correction), over all elements or over ``dim``"""
    __slots__ = ()
    _saved_names = ("_saved_self",)
    _params = {"_saved_dim": lambda self: self._info[0], "_saved_correction": lambda self: self._info[1],
               "_saved_keepdim": lambda self: self._info[2]}
    _keeps_dtype = False

    _op = "var"

    @classmethod
    def _variance(cls, ctx, a, dim, correction, keepdim):
        """The variance, and ``ctx._info`` = (dims, correction as PyTorch saves it, keepdim, N)."""
        a = np.asarray(a)
        if a.dtype.kind != "f":
            raise RuntimeError("std and var only support floating point and complex dtypes")
        axes = _dims(dim, a.ndim)
        n = a.size if axes is None else int(np.prod([a.shape[d] for d in axes])) if a.ndim else 1
        saved, correction = correction, 1 if correction is None else correction  # (None: var() with no argument)
        ctx._info = (axes, saved, keepdim, n)
        if n - correction <= 0:
            warnings.warn(f"{cls._op}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction "
                          f"factor (input numel divided by output numel). (Triggered internally at "
                          f"/__w/pytorch/pytorch/aten/src/ATen/native/ReduceOps.cpp:1861.)", UserWarning, stacklevel=4)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # (numpy's own "Degrees of freedom <= 0")
            r = np.var(a, axis=axes, ddof=correction, keepdims=keepdim and axes is not None)
        return a, (r.astype(a.dtype) if isinstance(r, np.ndarray) else a.dtype.type(r))

    @staticmethod
    @quiet
    def forward(ctx, a, dim, correction, keepdim):
        a, r = VarBackward0._variance(ctx, a, dim, correction, keepdim)
        ctx.save_for_backward(a)
        return r

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (_var_grad(ctx, g, a) * (2.0 / _dof(ctx)),)


def _dof(ctx):
    _, correction, _, n = ctx._info
    return n - (1 if correction is None else correction)


def _var_grad(ctx, g, a, kept: bool = False):
    """g (put back to a's shape; ``kept``: its reduced dims are there already) times a - mean(a): what var's
    and std's gradients share."""
    axes, _, keepdim, _ = ctx._info
    shape = _shape(a)
    dims = tuple(range(len(shape))) if axes is None else axes
    g = _sum_backward(g, shape, dims, keepdim or axes is None or kept)
    if isinstance(a, Tensor):
        centred = a - (a.mean() if axes is None else a.mean(dim=dims, keepdim=True))
    else:
        centred = a - np.mean(a, axis=axes, keepdims=True)
    return g * centred


@derivatives(self="expand(keepdims(grad / result, dim, keepdim, sizes(self)), sizes(self)) * centred(self, dim)"
                  " / dof(count(sizes(self), dim), correction)")
class StdBackward0(VarBackward0):
    """f(a) = sqrt(var(a)), the standard deviation, over all elements or over ``dim``"""
    __slots__ = ()
    _saved_names = ("_saved_result", "_saved_self")
    _op = "std"

    @staticmethod
    @quiet
    def forward(ctx, a, dim, correction, keepdim):
        a, r = StdBackward0._variance(ctx, a, dim, correction, keepdim)
        r = np.sqrt(r)
        ctx.save_for_backward(r, a)
        return r

    @staticmethod
    def backward(ctx, g):
        r, a = ctx.saved_tensors
        axes, _, keepdim, _ = ctx._info
        flat = keepdim or axes is None
        if isinstance(r, Tensor):
            per = g / (r * 2) if flat else _unsqueezed(g, axes) / (_unsqueezed(r, axes) * 2)  # (PyTorch's std_backward)
            return (_var_grad(ctx, per, a, kept=True) * (2.0 / _dof(ctx)),)
        rr = np.asarray(r) if flat else np.expand_dims(r, axes)
        with np.errstate(divide="ignore", invalid="ignore"):
            per = np.where(rr == 0, 0, np.asarray(g if flat else np.expand_dims(g, axes)) / rr)
        return ((_var_grad(ctx, per, a, kept=True) / _dof(ctx)).astype(np.asarray(a).dtype),)


def _unsqueezed(t, axes):
    for d in sorted(axes):
        t = t.unsqueeze(d)
    return t


@no_formula("PyTorch's one node of two outputs is two nodes here, both named VarMeanBackward0: the variance's "
            "gradient is VarBackward0's formula, the mean's MeanBackward0's")
class VarMeanBackward0(VarBackward0):
    """The variance output of ``var_mean`` (PyTorch's one node of two outputs is two nodes here)"""
    __slots__ = ()


def _var_like(node):
    def method(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        if isinstance(dim, bool):  # var(unbiased) given by position
            dim, unbiased = None, dim
        given = None if dim is None and unbiased is None and correction is None else _correction(unbiased, correction)
        return apply(node, self, dim=dim, correction=given, keepdim=bool(keepdim))
    method.__name__ = node._op
    return method


_var = _var_like(VarBackward0)
_std = _var_like(StdBackward0)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` of ``input`` (over ``dim``), both with ``grad_fn=<VarMeanBackward0>`` as in PyTorch."""
    _needs_tensor("var_mean", input)
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    v = apply(VarMeanBackward0, input, dim=dim, correction=_correction(unbiased, correction), keepdim=bool(keepdim))
    m = input.mean() if dim is None else input.mean(dim=dim, keepdim=bool(keepdim))
    if m.grad_fn is not None:
        m.grad_fn.__class__ = _MeanOfVarMean[type(m.grad_fn)]
    return v, m


def _mean_of_var_mean(base):
    """The mean output's node: its own formula, PyTorch's name (the class is named so for the narration too)."""
    return type("VarMeanBackward0", (base,), {"__slots__": (), "name": lambda self: "VarMeanBackward0"})


from .reductions import MeanBackward0, MeanBackward1  # noqa: E402

_MeanOfVarMean = {b: _mean_of_var_mean(b) for b in (MeanBackward0, MeanBackward1)}

declare("var", VarBackward0, methods={"var": _var}, functions={"var": _fn(_var, "var")}, shown_as=None)
declare("std", StdBackward0, methods={"std": _std}, functions={"std": _fn(_std, "std")}, shown_as=None)
declare("var_mean", VarMeanBackward0, *_MeanOfVarMean.values(), functions={"var_mean": var_mean}, shown_as=None)


# ---------------------------------------------------------------------------- conversions to the small dtypes
def _to_dtype(name: str, dt):
    def method(self):
        return self.to(dt)
    method.__name__ = name
    return method


declare("to_small_dtypes", methods={n: _to_dtype(n, d) for n, d in (("int", int32), ("half", float16), ("short", int16),
                                                                    ("char", int8), ("byte", uint8))}, shown_as=None)
