"""Elementwise functions: exp, log, tanh, sigmoid, relu, sqrt, sin, cos, abs.

Each is one class declared with ``@unary(name)``: that gives ``t.<name>()``, ``autograd_lab.<name>(t)``,
its narration label and its place in the playground (see ``function.declare``).
"""
from __future__ import annotations

import numpy as np

from ..function import Function, apply, unary
from ..formulas import derivatives
from ..node import TensorBase as Tensor
from ..node import _wrap
from .arithmetic import _scale

@derivatives(self="grad * result")
@unary("exp")
class ExpBackward0(Function):
    """f(a) = exp(a)"""
    __slots__ = ()
    _saved_names = ("_saved_result",)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a):
        r = np.exp(a)
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved_tensors
        return (g * r,)


@derivatives(self="grad / self")
@unary("log")
class LogBackward0(Function):
    """f(a) = log(a)"""
    __slots__ = ()
    _saved_names = ("_saved_self",)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g / a,)


@derivatives(self="grad * (1 - result^2)")
@unary("tanh")
class TanhBackward0(Function):
    """f(a) = tanh(a)"""
    __slots__ = ()
    _saved_names = ("_saved_result",)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a):
        r = np.tanh(a)
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved_tensors
        if isinstance(g, Tensor):  # create_graph=True: PyTorch's tanh_backward op
            return (apply(TanhBackwardBackward0, g, r),)
        return (g * (1 - r * r),)


@derivatives(self="grad * (1 - result) * result")
@unary("sigmoid")
class SigmoidBackward0(Function):
    """f(a) = 1 / (1 + exp(-a))"""
    __slots__ = ()
    _saved_names = ("_saved_result",)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a):
        r = 1 / (1 + np.exp(-a))
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved_tensors
        if isinstance(g, Tensor):  # create_graph=True: PyTorch's sigmoid_backward op
            return (apply(SigmoidBackwardBackward0, g, r),)
        return (g * (1 - r) * r,)


@derivatives(self="grad * (result > 0)")
@unary("relu")
class ReluBackward0(Function):
    """f(a) = max(a, 0)"""
    __slots__ = ()
    _saved_names = ("_saved_result",)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a):
        r = np.maximum(a, 0)
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved_tensors
        if isinstance(g, Tensor):  # create_graph=True: PyTorch's threshold_backward op
            return (apply(ThresholdBackwardBackward0, g, r),)
        return (np.where(r <= 0, 0, g),)  # 0 where the result is <= 0; NaN's gradient passes


@derivatives(self="grad / (2 * result)")
@unary("sqrt")
class SqrtBackward0(Function):
    """f(a) = sqrt(a)"""
    __slots__ = ()
    _saved_names = ("_saved_result",)
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a):
        r = np.sqrt(a)
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved_tensors
        return (g / _scale(r, 2),)


# The backward formulas of tanh, sigmoid and relu are operations of their own in PyTorch;
# with create_graph=True they appear in the graph under these names.
@derivatives(grad_output="grad * (1 - output^2)", output="-2 * grad * output * grad_output")
class TanhBackwardBackward0(Function):
    """f(g, y) = g * (1 - y * y), the backward of tanh (y its result)"""
    __slots__ = ()
    _saved_names = ("_saved_grad_output", "_saved_output")
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * (1 - y * y)

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        ng, ny = ctx.needs_input_grad
        dg = (apply(TanhBackwardBackward0, gg, y) if isinstance(gg, Tensor) else gg * (1 - y * y)) if ng else None
        return dg, (gg * (-2 * y * g) if ny else None)


@derivatives(grad_output="grad * (1 - output) * output", output="grad * grad_output * (1 - 2 * output)")
class SigmoidBackwardBackward0(Function):
    """f(g, y) = g * (1 - y) * y, the backward of sigmoid (y its result)"""
    __slots__ = ()
    _saved_names = ("_saved_grad_output", "_saved_output")
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * (1 - y) * y

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        ng, ny = ctx.needs_input_grad
        dg = (apply(SigmoidBackwardBackward0, gg, y) if isinstance(gg, Tensor) else gg * (1 - y) * y) if ng else None
        return dg, (gg * g * (-2 * y + 1) if ny else None)


@derivatives(grad_output="grad * (self > threshold)", self="grad * 0")
class ThresholdBackwardBackward0(Function):
    """f(g, y) = 0 where y <= 0 else g, the backward of relu (y its result)"""
    __slots__ = ()
    _saved_names = ("_saved_self",)
    _params = {"_saved_threshold": lambda self: 0}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(y)
        return np.where(y <= 0, 0, g)

    @staticmethod
    def backward(ctx, gg):
        (y,) = ctx.saved_tensors
        ng, ny = ctx.needs_input_grad
        dg = (apply(ThresholdBackwardBackward0, gg, y) if isinstance(gg, Tensor) else np.where(y <= 0, 0, gg)) if ng else None
        return dg, (gg * 0 if ny else None)



@derivatives(self="grad * cos(self)")
@unary("sin")
class SinBackward0(Function):
    """f(a) = sin(a)"""
    __slots__ = ()
    _saved_names = ("_saved_self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g * (a.cos() if isinstance(a, Tensor) else np.cos(a)),)


@derivatives(self="-grad * sin(self)")
@unary("cos")
class CosBackward0(Function):
    """f(a) = cos(a)"""
    __slots__ = ()
    _saved_names = ("_saved_self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g * -(a.sin() if isinstance(a, Tensor) else np.sin(a)),)


@derivatives(self="grad * sign(self)")
@unary("abs", also=("__abs__",))
class AbsBackward0(Function):
    """f(a) = |a| (its gradient at 0 is 0, as PyTorch's: the sign of 0)"""
    __slots__ = ()
    _saved_names = ("_saved_self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g * (apply(SgnBackward0, a) if isinstance(a, Tensor) else np.sign(a)),)


@derivatives(self="grad * 0")
class SgnBackward0(Function):
    """f(a) = sign(a) (in abs' backward under create_graph); its gradient is 0"""
    __slots__ = ()
    _saved_names = ("_saved_result", "_saved_self")

    @staticmethod
    def forward(ctx, a):
        r = np.sign(a)
        ctx.save_for_backward(r, a)
        return r

    @staticmethod
    def backward(ctx, g):
        zeros = np.zeros_like(np.asarray(g._data if isinstance(g, Tensor) else g))
        return (_wrap(zeros, False, None) if isinstance(g, Tensor) else zeros,)


@derivatives(self="grad * (1 + result^2)")
@unary("tan")
class TanBackward0(Function):
    """f(a) = tan(a)"""
    __slots__ = ()
    _saved_names = ("_saved_result",)

    @staticmethod
    def forward(ctx, a):
        r = np.tan(a)
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved_tensors
        return (g * (1 + r * r),)
