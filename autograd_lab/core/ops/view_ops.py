"""The view ops PyTorch has beside indexing and reshape (``narrow``, ``select``, ``view_as``, and the
ones that return several views: ``split``, ``chunk``, ``unbind``), and the in-place ops that write
values rather than compute them (``fill_``, ``zero_``, ``copy_``, ``detach_``). How a view shares
its base's memory and history, and what an in-place op on it does, is in ``core/views.py``.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..formulas import no_formula
from ..function import Function, _shape, apply, declare
from ..grad_mode import _state as _grad_state
from ..node import Node, TensorBase
from ..views import DETACH_VIEW_MESSAGE, CopyInplace, info
from .reductions import _dims
from .shapes import SelectBackward0, SliceBackward0, _fn, _view
from .special import ZeroInplace

Tensor = TensorBase  # (isinstance tests only)


# ---------------------------------------------------------------------------- single views
def _narrow(self, dim, start, length):
    (d,) = _dims(dim, self.ndim)
    size = self.shape[d]
    if not isinstance(start, numbers.Integral):
        start = int(start)
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return apply(SliceBackward0, self, dim=d, start=start, end=start + length, step=1)


def _select(self, dim, index):
    (d,) = _dims(dim, self.ndim)
    size = self.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(self.shape)} at dimension {d}")
    return apply(SelectBackward0, self, dim=d, index=int(index) % size)


def _view_as(self, other):
    if not isinstance(other, Tensor):
        raise TypeError(f"view_as(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
    return _view(self, *other.shape)


# ---------------------------------------------------------------------------- several views
@no_formula("each part's gradient goes to the part's place in a zero gradient of the input")
class SplitBackward0(SliceBackward0):
    """f(a) = one of the equal parts of ``a`` along ``dim`` (``split(n)``, ``chunk(n)``)"""
    __slots__ = ()


@no_formula("each part's gradient goes to the part's place in a zero gradient of the input")
class SplitWithSizesBackward0(SliceBackward0):
    """f(a) = one of the parts of ``a`` along ``dim``, of the sizes given (``split([1, 3])``)"""
    __slots__ = ()


@no_formula("each slice's gradient goes to the slice's place in a zero gradient of the input")
class UnbindBackward0(SelectBackward0):
    """f(a) = one of the slices of ``a`` along ``dim`` (``unbind()``)"""
    __slots__ = ()


def _parts(self, cls, dim, sizes):
    """One view per size along ``dim``; each is output ``i`` of a function that returns several views,
    which PyTorch refuses to change in place (views.check_inplace)."""
    out, start = [], 0
    op = cls.__name__.replace("Backward0", "")
    for i, n in enumerate(sizes):
        t = apply(cls, self, dim=dim, start=start, end=start + n, step=1)
        start += n
        vi = info(t)
        if vi.meta is None:
            vi.meta = ("multi", i, op)
        out.append(t)
    return tuple(out)


def _split(self, split_size_or_sections, dim=0):
    (d,) = _dims(dim, self.ndim)
    size = self.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at "
                               f"dimension {d}), but got split_sizes={sizes}")
        return _parts(self, SplitWithSizesBackward0, d, sizes)
    n = int(split_size_or_sections)
    if n <= 0 and size:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
    sizes = [min(n, size - s) for s in range(0, size, n)] if size else [0]
    return _parts(self, SplitBackward0, d, sizes)


def _chunk(self, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    (d,) = _dims(dim, self.ndim)
    size = self.shape[d]
    return _split(self, -(-size // chunks) if size else 1, d)


def _unbind(self, dim=0):
    (d,) = _dims(dim, self.ndim)
    out = []
    for i in range(self.shape[d]):
        t = apply(UnbindBackward0, self, dim=d, index=i)
        vi = info(t)
        if vi.meta is None:
            vi.meta = ("multi", i, "Unbind")
        out.append(t)
    return tuple(out)


# ---------------------------------------------------------------------------- writing values in place
@no_formula("the values written do not depend on the tensor: its gradient is zero")
class FillBackward2(Function):
    """f(a) = a filled with one number (``fill_(3)``)"""
    __slots__ = ()
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, value):
        return np.full(_shape(a), value, dtype=np.result_type(a))

    @staticmethod
    def backward(ctx, g):
        return (np.zeros(np.shape(g), dtype=np.result_type(g)),)


@no_formula("the tensor's gradient is zero; the value's is the sum of the gradient")
class FillBackward3(FillBackward2):
    """f(a, v) = a filled with the value of the 0-d tensor ``v`` (``fill_(v)``)"""
    __slots__ = ()

    @staticmethod
    def backward(ctx, g):
        nt, nv = ctx.needs_input_grad
        return (np.zeros(np.shape(g), dtype=np.result_type(g)) if nt else None,
                np.asarray(np.sum(g)).astype(np.result_type(g))[()] if nv else None)


@no_formula("the tensor is all zeros afterwards: its gradient is zero")
class ZeroBackward0(FillBackward2):
    """f(a) = zeros of a's shape (``zero_()`` on a tensor in a graph)"""
    __slots__ = ()

    @staticmethod
    def forward(ctx, a):
        return np.zeros(_shape(a), dtype=np.result_type(a))


def _fill_(self, value):
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                               "dimensions.")
        return apply(FillBackward3, self, value, inplace=True)
    return apply(FillBackward2, self, inplace=True, value=value)


def _zero_(self):
    """In a graph (a non-leaf, or a view), ``ZeroBackward0``; else the plain zeroing (``w.grad.zero_()``)."""
    if _grad_state.enabled and self._requires_grad and (self.grad_fn is not None or info(self) is not None):
        return apply(ZeroBackward0, self, inplace=True)
    return apply(ZeroInplace, self)


def _copy_(self, src, non_blocking=False):
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' (position 1) must be Tensor, not {type(src).__name__}")
    return apply(CopyInplace, self, src, inplace=True)


class DetachInplace(Node):
    """``t.detach_()``: the tensor leaves the graph (refused for a view, as in PyTorch)."""
    __slots__ = ()
    _special = True
    kind = None

    @staticmethod
    def run(t):
        if info(t) is not None:
            raise RuntimeError(DETACH_VIEW_MESSAGE)
        t.grad_fn = None
        t._requires_grad = False
        return t


declare("narrow", methods={"narrow": _narrow}, functions={"narrow": _fn(_narrow, "narrow")})
declare("select", methods={"select": _select}, functions={"select": _fn(_select, "select")})
declare("view_as", methods={"view_as": _view_as}, shown_as=None)
declare("split", SplitBackward0, SplitWithSizesBackward0, methods={"split": _split},
        functions={"split": _fn(_split, "split")})
declare("chunk", methods={"chunk": _chunk}, functions={"chunk": _fn(_chunk, "chunk")})
declare("unbind", UnbindBackward0, methods={"unbind": _unbind}, functions={"unbind": _fn(_unbind, "unbind")})
declare("fill_", FillBackward2, FillBackward3, methods={"fill_": _fill_}, shown_as=None)
declare("zero_", ZeroBackward0, methods={"zero_": _zero_}, playground=("zero_",), shown_as=None)
declare("copy_", methods={"copy_": _copy_}, shown_as=None)  # (its node: see "setitem")
declare("detach_", methods={"detach_": lambda self: apply(DetachInplace, self)}, shown_as=None)
