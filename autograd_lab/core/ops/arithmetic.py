"""Arithmetic: + - * / **, negation, reciprocal, and the in-place forms (a += b, a.add_(b) ...).

Also the scalar forms PyTorch's own backward formulas use under create_graph=True
(``MulBackward1``, ``SubBackward1``, ``DivBackward1``).
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import node as _node
from ..function import (Function, _binary_shapes, _raw, _shape, apply, broadcast_error, declare, quiet,
                        unbroadcast)
from ..formulas import derivatives
from ..messages import BOOL_SUB_MESSAGE
from ..node import TensorBase as Tensor
from .special import _where, as_operand

# The binary operators' fast path: two numbers (numpy scalars or Python numbers) below 3e9 in
# size need no np.errstate (entering it costs ~1.8 us, more than the op): their +, - and *
# cannot overflow float32, float64 or int64, nor be inf - inf. Anything else (an array; a bigger
# number; inf; nan, for which every comparison is False) computes inside np.errstate, so numpy's
# RuntimeWarnings never reach the student whatever their warning filters (PyTorch prints none).
_SMALL = 3.0e9  # (abs(x) < _SMALL: ~35 ns a number; chained comparisons cost twice that)


@derivatives(self="grad", other="grad * alpha")
class AddBackward0(Function):
    """f(a, b) = a + b"""
    __slots__ = ()
    _params = {"_saved_alpha": lambda self: 1}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, b):
        try:
            if (a.__class__ is not np.ndarray and b.__class__ is not np.ndarray  # (see _SMALL)
                    and abs(a) < _SMALL and abs(b) < _SMALL):
                out = a + b
            else:
                with np.errstate(all="ignore"):  # (function.quiet, inline)
                    out = a + b
        except ValueError:
            raise broadcast_error(a, b) from None
        ctx._info = None if out.__class__ is not np.ndarray else _binary_shapes(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        shapes = ctx._info
        na, nb = ctx.needs_input_grad
        if shapes is None:
            return (g if na else None, g if nb else None)
        return (unbroadcast(g, shapes[0]) if na else None, unbroadcast(g, shapes[1]) if nb else None)




@derivatives(self="grad", other="-grad * alpha")
class SubBackward0(Function):
    """f(a, b) = a - b"""
    __slots__ = ()
    _params = {"_saved_alpha": lambda self: 1}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, b):
        try:
            if (a.__class__ is not np.ndarray and b.__class__ is not np.ndarray  # (see _SMALL)
                    and abs(a) < _SMALL and abs(b) < _SMALL):
                out = a - b
            else:
                with np.errstate(all="ignore"):  # (function.quiet, inline)
                    out = a - b
        except ValueError:
            raise broadcast_error(a, b) from None
        except TypeError:
            raise RuntimeError(BOOL_SUB_MESSAGE) from None
        ctx._info = None if out.__class__ is not np.ndarray else _binary_shapes(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        shapes = ctx._info or ((), ())
        na, nb = ctx.needs_input_grad
        if ctx._info is None:
            return (g if na else None, -g if nb else None)
        return (unbroadcast(g, shapes[0]) if na else None, unbroadcast(-g, shapes[1]) if nb else None)


@derivatives(self="-grad * alpha")
class RsubBackward1(Function):
    """f(a) = other - a, for a Python number ``other`` (``2 - a``)"""
    __slots__ = ()
    _params = {"_saved_alpha": lambda self: 1}
    _keeps_dtype = False

    @staticmethod
    @quiet
    def forward(ctx, a, other):
        return other - a

    @staticmethod
    def backward(ctx, g):
        return (-g,)


@derivatives(self="grad * other", other="grad * self")
class MulBackward0(Function):
    """f(a, b) = a * b"""
    __slots__ = ()
    _saved_names = ("_saved_self", "_saved_other")
    _pack_order = (1, 0)  # saved_tensors_hooks see other, then self (as in PyTorch)
    _saved_if = (1, 0)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, b):
        na, nb = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        ctx._saved = (a if nb else None, b if na else None)  # ctx.save_for_backward(...), inline (hot)
        try:
            if (a.__class__ is not np.ndarray and b.__class__ is not np.ndarray  # (see _SMALL)
                    and abs(a) < _SMALL and abs(b) < _SMALL):
                out = a * b
            else:
                with np.errstate(all="ignore"):  # (function.quiet, inline)
                    out = a * b
        except ValueError:
            raise broadcast_error(a, b) from None
        ctx._info = None if out.__class__ is not np.ndarray else _binary_shapes(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        saved = ctx._saved  # ctx.saved_tensors, whose checks run only when one could fail (the hottest op)
        if saved.__class__ is not tuple or _node._last_change > ctx._seq or _node.unpack_tensors:
            saved = ctx.saved_tensors
        a, b = saved
        na, nb = ctx.needs_input_grad
        shapes = ctx._info
        if shapes is None:
            return (g * b if na else None, g * a if nb else None)
        return (unbroadcast(g * b, shapes[0]) if na else None, unbroadcast(g * a, shapes[1]) if nb else None)


@derivatives(self="grad / other", other="-grad * self / other^2")
class DivBackward0(Function):
    """f(a, b) = a / b"""
    __slots__ = ()
    _true_division = True
    _saved_names = ("_saved_self", "_saved_other")
    _saved_if = (1, None)
    _keeps_dtype = False

    @staticmethod
    @quiet
    def forward(ctx, a, b):
        nb = ctx.needs_input_grad[1]
        ctx.save_for_backward(a if nb else None, b)
        try:
            out = a / b
        except ValueError:
            raise broadcast_error(a, b) from None
        ctx._info = None if out.__class__ is not np.ndarray else _binary_shapes(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = g / b if na else None
        gb = -g * ((a / b) / b) if nb else None  # PyTorch's div_tensor_other_backward
        shapes = ctx._info
        if shapes is None:
            return ga, gb
        return (unbroadcast(ga, shapes[0]) if na else None, unbroadcast(gb, shapes[1]) if nb else None)


@derivatives(self="-grad")
class NegBackward0(Function):
    """f(a) = -a"""
    __slots__ = ()
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return (-g,)


@derivatives(self="-grad * result^2")
class ReciprocalBackward0(Function):
    """f(a) = 1 / a"""
    __slots__ = ()
    _saved_names = ("_saved_result",)
    _keeps_dtype = False

    @staticmethod
    @quiet
    def forward(ctx, a):
        r = 1 / a
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved_tensors
        return (-g * (r * r),)


def _pow_scalar(a, p):
    """``a ** p`` for a Python number ``p``, with PyTorch's special cases (0.5 is sqrt, -0.5 rsqrt, 3 a cube)."""
    if isinstance(a, Tensor):
        return a ** p
    if p == 2:
        return a * a
    if p == 3:
        return a * a * a
    if p == 0.5:
        return np.sqrt(a)
    if p == -0.5:
        return 1 / np.sqrt(a)
    if p == -1:
        return 1 / a
    if p == -2:
        return 1 / (a * a)
    if isinstance(p, int) and p < 0 and np.result_type(a).kind in "iub":
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return a ** p


@derivatives(self="grad * exponent * self^(exponent - 1)")
class PowBackward0(Function):
    """f(a) = a ** p, for a Python number p"""
    __slots__ = ("exponent",)
    _saved_names = ("_saved_self",)
    _params = {"_saved_exponent": lambda self: self.exponent}
    _keeps_dtype = False

    @staticmethod
    @quiet
    def forward(ctx, a, exponent):
        ctx.save_for_backward(a)
        ctx.exponent = exponent
        return _pow_scalar(a, exponent)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        p = ctx.exponent
        if p == 0:
            return (g * 0 if isinstance(g, Tensor) else np.zeros_like(a),)
        return (g * _scale(_pow_scalar(a, float(p - 1)), p),)


@derivatives(self="grad * exponent * self^(exponent - 1)", exponent="grad * result * log(self)")
class PowBackward1(Function):
    """f(a, b) = a ** b, both tensors"""
    __slots__ = ()
    _saved_names = ("_saved_self", "_saved_exponent", "_saved_result")
    _keeps_dtype = False

    @staticmethod
    @quiet
    def forward(ctx, a, b):
        try:
            r = a ** b
        except ValueError:
            raise broadcast_error(a, b) from None
        ctx.save_for_backward(a, b, r)
        return r

    @staticmethod
    def backward(ctx, g):
        a, b, r = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        # PyTorch's pow_backward_self / pow_backward_exponent: 0 where the formula is 0 * inf
        ga = _where(_raw(b) == 0, 0, g * (b * a ** _sub_number(b, 1))) if na else None
        gb = g * _where((_raw(a) == 0) & (_raw(b) >= 0), 0, r * _log(a)) if nb else None
        return (unbroadcast(ga, _shape(a)) if na else None, unbroadcast(gb, _shape(b)) if nb else None)


@derivatives(exponent="grad * result * log(self)")
class PowBackward2(Function):
    """f(b) = base ** b, for a Python number base (``2 ** a``)"""
    __slots__ = ("base",)
    _saved_names = ("_saved_exponent", "_saved_result")
    _params = {"_saved_self": lambda self: self.base}
    _keeps_dtype = False

    @staticmethod
    @quiet
    def forward(ctx, b, base):
        r = base ** b
        ctx.save_for_backward(b, r)
        ctx.base = base
        return r

    @staticmethod
    def backward(ctx, g):
        b, r = ctx.saved_tensors
        base = ctx.base
        log_base = float(np.log(np.float64(base)))
        if base == 0:
            return (g * _where(_raw(b) >= 0, 0, _scale(r, log_base)),)
        return (g * _scale(r, log_base),)


def _scale(t, s):
    """``t * s`` for a Python number ``s``; on Tensors (create_graph) PyTorch's scalar product MulBackward1."""
    if isinstance(t, Tensor):
        return apply(MulBackward1, t, other=s)
    return t * s


@derivatives(self="grad * other")
class MulBackward1(Function):
    """f(a) = a * s for a number s, as PyTorch's backward formulas multiply (``2 * a`` in Python is MulBackward0)"""
    __slots__ = ("other",)
    _params = {"_saved_other": lambda self: self.other}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, other):
        ctx.other = other
        return a * other

    @staticmethod
    def backward(ctx, g):
        return (_scale(g, ctx.other),)


def _sub_number(t, s):
    """``t - s`` for a Python number; on Tensors (create_graph) PyTorch's SubBackward1."""
    if isinstance(t, Tensor):
        return apply(SubBackward1, t, other=s)
    return t - s


@derivatives(self="grad")
class SubBackward1(Function):
    """f(a) = a - s for a number s, as PyTorch's backward formulas subtract (``a - 1`` in Python is SubBackward0)"""
    __slots__ = ()
    _params = {"_saved_alpha": lambda self: 1}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, other):
        return a - other

    @staticmethod
    def backward(ctx, g):
        return (g,)


def _log(v):
    return v.log() if isinstance(v, Tensor) else np.log(v)



def _div_number(t, n):
    """``t / n`` for a Python number; on Tensors (create_graph) PyTorch's DivBackward1."""
    if isinstance(t, Tensor):
        return apply(DivBackward1, t, other=n)
    return t / n



@derivatives(self="grad / other")
class DivBackward1(Function):
    """f(a) = a / s for a number s, as PyTorch's backward formulas divide (``a / 2`` in Python is DivBackward0)"""
    __slots__ = ("other",)
    _params = {"_saved_other": lambda self: self.other}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, other):
        ctx.other = other
        return a / other

    @staticmethod
    def backward(ctx, g):
        return (_div_number(g, ctx.other),)



# ---------------------------------------------------------------------------- in-place arithmetic
class AddInplace(AddBackward0):
    """``a += b`` / ``a.add_(b)`` (the node is an AddBackward0 when a graph is recorded)."""
    __slots__ = ()

    def name(self):
        return "AddBackward0"


class SubInplace(SubBackward0):
    __slots__ = ()

    def name(self):
        return "SubBackward0"


class MulInplace(MulBackward0):
    __slots__ = ()

    def name(self):
        return "MulBackward0"


class DivInplace(DivBackward0):
    __slots__ = ()
    _true_division = True

    def name(self):
        return "DivBackward0"



# ---------------------------------------------------------------------------- Tensor methods
# Operands are tensors and Python (or numpy) numbers; a numpy array becomes a tensor of its own
# dtype. Anything else makes an operator return NotImplemented, so Python raises the TypeError
# PyTorch shows ("unsupported operand type(s) for +: 'Tensor' and 'list'"), and a method such
# as t.add([1]) raises PyTorch's "add(): argument 'other' (position 1) must be Tensor, not list".
# (``other.__class__ is self.__class__``: the cheapest test that ``other`` is a Tensor.)
def _binary(fn):
    def method(self, other):
        if other.__class__ is not self.__class__:
            other = as_operand(other)
            if other is NotImplemented:
                return NotImplemented
        return apply(fn, self, other)
    method.__name__ = fn.__name__
    return method


def _inplace(fn):
    def method(self, other):
        if other.__class__ is not self.__class__:
            other = as_operand(other)
            if other is NotImplemented:
                return NotImplemented
        return apply(fn, self, other, inplace=True)
    return method


def _named(operator, name: str):
    """The method form of an operator (t.add(x)): PyTorch's TypeError where the operator declines."""
    def method(self, other):
        result = operator(self, other)
        if result is NotImplemented:
            raise TypeError(f"{name}(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
        return result
    method.__name__ = name
    return method


def _add_(self, other, alpha=1):
    if alpha != 1:
        other = other * alpha
    return _iadd(self, other)


def _rsub(self, other):
    if not isinstance(other, numbers.Real):
        return NotImplemented
    return apply(RsubBackward1, self, other=other)


def _rtruediv(self, other):
    if not isinstance(other, numbers.Real):
        return NotImplemented
    return apply(MulBackward0, apply(ReciprocalBackward0, self), other)


def _pow(self, exponent):
    if isinstance(exponent, Tensor):
        return apply(PowBackward1, self, exponent)
    if isinstance(exponent, np.ndarray):
        return apply(PowBackward1, self, as_operand(exponent))
    if not isinstance(exponent, numbers.Real):
        return NotImplemented
    return apply(PowBackward0, self, exponent=exponent)


def _rpow(self, base):
    if not isinstance(base, numbers.Real):
        return NotImplemented
    return apply(PowBackward2, self, base=base)


def _pow_method(self, exponent):
    result = _pow(self, exponent)
    if result is NotImplemented:
        bad = type(exponent).__name__
        raise TypeError(f"pow() received an invalid combination of arguments - got ({bad}), but expected one of:\n"
                        f" * (Tensor exponent)\n      didn't match because some of the arguments have invalid types: "
                        f"(!{bad}!)\n * (Number exponent)\n      didn't match because some of the arguments have "
                        f"invalid types: (!{bad}!)\n")
    return result



def _neg(self):
    return apply(NegBackward0, self)


_add, _sub, _mul, _div = (_binary(c) for c in (AddBackward0, SubBackward0, MulBackward0, DivBackward0))
_iadd_op, _isub_op, _imul_op, _idiv_op = (_inplace(c) for c in (AddInplace, SubInplace, MulInplace, DivInplace))
_iadd = _named(_iadd_op, "add_")

def _with_alpha(method, name):
    """``t.add(other, alpha=2)`` is ``t + 2 * other`` (one AddBackward0, as in PyTorch)."""
    named = _named(method, name)

    def f(self, other, *, alpha=1):
        if alpha != 1:
            other = other * alpha
        return named(self, other)
    f.__name__ = name
    return f


def _function(method, name):
    """``autograd_lab.<name>(input, ...)``: the method; a Python number as input becomes a tensor
    (``add(1, 2)`` is ``tensor(3)``, as in PyTorch), anything else gets PyTorch's error."""
    def f(input, *args, **kwargs):
        if isinstance(input, numbers.Number) and not isinstance(input, bool):
            input = as_operand(np.asarray(input if not isinstance(input, float) else np.float32(input)))
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        return method(input, *args, **kwargs)
    f.__name__ = name
    return f


def _pow_function(input, exponent):
    if isinstance(input, numbers.Real) and isinstance(exponent, Tensor):
        return _rpow(exponent, input)
    return _function(_pow_method, "pow")(input, exponent)


def _square(self):
    return _pow(self, 2)


_add_m, _sub_m = _with_alpha(_add, "add"), _with_alpha(_sub, "sub")
_mul_m, _div_m = _named(_mul, "mul"), _named(_div, "div")

declare("add", AddBackward0, methods={"__add__": _add, "__radd__": _add, "add": _add_m},
        functions={"add": _function(_add_m, "add")}, shown_as=None)
declare("sub", SubBackward0, methods={"__sub__": _sub, "sub": _sub_m, "subtract": _sub_m},
        functions={"sub": _function(_sub_m, "sub"), "subtract": _function(_sub_m, "subtract")}, shown_as=None)
declare("rsub", RsubBackward1, methods={"__rsub__": _rsub}, shown_as=None)
declare("mul", MulBackward0, methods={"__mul__": _mul, "__rmul__": _mul, "mul": _mul_m, "multiply": _mul_m},
        functions={"mul": _function(_mul_m, "mul"), "multiply": _function(_mul_m, "multiply")}, shown_as=None)
declare("div", DivBackward0, methods={"__truediv__": _div, "__rtruediv__": _rtruediv, "div": _div_m, "divide": _div_m,
                                      "true_divide": _div_m},
        functions={"div": _function(_div_m, "div"), "divide": _function(_div_m, "divide"),
                   "true_divide": _function(_div_m, "true_divide")}, shown_as=None)
declare("neg", NegBackward0, methods={"__neg__": _neg, "neg": _neg, "negative": _neg, "__pos__": lambda self: self},
        functions={"neg": _function(_neg, "neg"), "negative": _function(_neg, "negative")}, shown_as=None)
declare("reciprocal", ReciprocalBackward0, methods={"reciprocal": lambda self: apply(ReciprocalBackward0, self)},
        shown_as=None)
declare("pow", PowBackward0, PowBackward1, PowBackward2,
        methods={"__pow__": _pow, "pow": _pow_method, "__rpow__": _rpow, "square": _square},
        functions={"pow": _pow_function, "square": _function(_square, "square")}, playground=("pow", "square"))
declare("add_", AddInplace, methods={"__iadd__": _iadd_op, "add_": _add_}, playground=("add_",), shown_as=None)
declare("sub_", SubInplace, methods={"__isub__": _isub_op, "sub_": _named(_isub_op, "sub_")}, playground=("sub_",),
        shown_as=None)
declare("mul_", MulInplace, methods={"__imul__": _imul_op, "mul_": _named(_imul_op, "mul_")}, playground=("mul_",),
        shown_as=None)
declare("div_", DivInplace, methods={"__itruediv__": _idiv_op, "div_": _named(_idiv_op, "div_")}, shown_as=None)
