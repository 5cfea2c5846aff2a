"""``torch.autograd.Variable``: the wrapper PyTorch had before 0.4, kept as a shim, as PyTorch keeps it.

Since PyTorch 0.4 every tensor is a Variable: ``Variable(t, requires_grad=True)`` returns a plain
Tensor (a detached alias of ``t``'s values, which then requires grad), ``isinstance(t, Variable)``
is true of every tensor, and ``volatile=True`` only warns (use ``no_grad()``)::

    >>> x = Variable(tensor([1., 2.]), requires_grad=True)
    >>> x
    tensor([1., 2.], requires_grad=True)
"""
from __future__ import annotations

import warnings

from .messages import ONLY_FLOAT_LEAF
from .node import TensorBase

VOLATILE_WARNING = "volatile was removed and now has no effect. Use `with torch.no_grad():` instead."


class VariableMeta(type):
    def __instancecheck__(cls, other) -> bool:
        return isinstance(other, TensorBase)


class Variable(metaclass=VariableMeta):
    """``Variable(data, requires_grad=False, volatile=False)``: returns a Tensor, as PyTorch 2.13 does."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if volatile:
            warnings.warn(VOLATILE_WARNING, UserWarning, stacklevel=2)
            if requires_grad:
                raise ValueError("Variable can't be volatile and require_grad at the same time!")
        if data is None:
            from .tensor import Tensor
            data = Tensor()
        elif not isinstance(data, TensorBase):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        if requires_grad and not out.dtype.is_floating_point:
            raise RuntimeError(ONLY_FLOAT_LEAF)
        if requires_grad:
            out.requires_grad_(True)
        return out


Variable.__module__ = "torch.autograd.variable"
VariableMeta.__module__ = "torch.autograd.variable"
