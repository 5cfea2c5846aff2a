"""Shapes: reshape/view, expand, t(), .T, indexing, clone, dtype conversion (to)."""
from __future__ import annotations

import warnings

import numpy as np

from ..device import check_device as _check_device
from ..device import device as _device
from ..dtypes import _dtype_of, bool_, dtype, float32, float64, int64
from ..dtypes import dtype as _dtype_cls
from ..dtypes import _to_array
from ..grad_mode import _state as _grad_state
from .extrema import IndexBackward0, _scatter
from .reductions import SqueezeBackward1, UnsqueezeBackward0, _dims
from .special import Detach as _DetachForTo
from .special import MakeLeaf as _MakeLeaf
from ..function import Function, _needs_tensor, _shape, apply, declare, unbroadcast
from ..formulas import derivatives, no_formula
from ..messages import T_WARNINGS
from ..node import TensorBase as Tensor
from ..node import _Freed
from ..messages import FREED_MESSAGE
from .. import recording as _rec
from ..views import AsStridedBackward0, CopyInplace, CopySlices

@derivatives(self="reshape(grad, self_sym_sizes)")
class ViewBackward0(Function):
    """f(a) = a.reshape(shape), a view of the same memory"""
    __slots__ = ()
    _view = True
    _params = {"_saved_self_sym_sizes": lambda self: self._info}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx._info = _shape(a)
        return np.reshape(a, shape)

    @staticmethod
    def backward(ctx, g):
        return (g.reshape(ctx._info),)


@derivatives(self="grad")
class CloneBackward0(Function):
    """f(a) = a copy of a"""
    __slots__ = ()
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, order="K"):
        return np.array(a, copy=True, order=order)  # (order "C": contiguous(), a row-major copy)

    @staticmethod
    def backward(ctx, g):
        return (g,)


@derivatives(self="reshape(grad, self_sym_sizes)")
class UnsafeViewBackward0(ViewBackward0):
    """f(a) = a.reshape(shape) of a copied (contiguous) tensor"""
    __slots__ = ()
    _view = False


@derivatives(self="reshape(grad, self_sym_sizes)")
class ReshapeAliasBackward0(ViewBackward0):
    """f(a) = a.reshape(shape) of a non-contiguous tensor whose strides allow a view"""
    __slots__ = ()


@derivatives(self="sum_to(grad, self_sym_sizes)")
class ExpandBackward0(Function):
    """f(a) = a broadcast to ``shape``"""
    __slots__ = ()
    _view = True
    _params = {"_saved_self_sym_sizes": lambda self: self._info}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx._info = _shape(a)
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, g):
        return (unbroadcast(g, ctx._info),)


@derivatives(self="grad.T")
class TBackward0(Function):
    """f(a) = a.t(), the transpose of a matrix"""
    __slots__ = ()
    _view = True
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a):
        return np.transpose(a)

    @staticmethod
    def backward(ctx, g):
        return (g.t() if isinstance(g, Tensor) else np.transpose(g),)


@derivatives(self="unpermute(grad, dims)")
class PermuteBackward0(Function):
    """f(a) = a with its dimensions reordered (``a.T``: all of them reversed; ``a.permute(dims)``)"""
    __slots__ = ()
    _view = True
    _params = {"_saved_dims": lambda self: self._info}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, dims=None):
        dims = tuple(reversed(range(np.ndim(a)))) if dims is None else tuple(dims)
        ctx._info = dims
        return np.transpose(a, dims)

    @staticmethod
    def backward(ctx, g):
        inverse = tuple(np.argsort(ctx._info))
        return (g.permute(*inverse) if isinstance(g, Tensor) else np.transpose(g, inverse),)


@derivatives(self="transpose(grad, dim0, dim1)")
class TransposeBackward0(Function):
    """f(a) = a with dimensions ``dim0`` and ``dim1`` swapped"""
    __slots__ = ("dim0", "dim1")
    _view = True
    _params = {"_saved_dim0": lambda self: self.dim0, "_saved_dim1": lambda self: self.dim1}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, dim0, dim1):
        ctx.dim0, ctx.dim1 = dim0, dim1
        return np.swapaxes(a, dim0, dim1) if np.ndim(a) else a

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):
            return (g.transpose(ctx.dim0, ctx.dim1),)
        return (np.swapaxes(g, ctx.dim0, ctx.dim1) if np.ndim(g) else g,)


def _unsigned(i: int) -> int:
    """PyTorch shows negative saved indices as unsigned 64-bit numbers (-1 -> 2**64 - 1)."""
    return i + 2 ** 64 if i < 0 else i


class _Indexing(Function):
    """Base of t[i] (select) and t[a:b:c] (slice) along one dimension; the index is ``ctx._info[1]``."""
    __slots__ = ("dim",)
    _keeps_dtype = True
    _view = True

    @staticmethod
    def backward(ctx, g):
        shape, index, dt = ctx._info
        if isinstance(g, Tensor):  # create_graph=True: the scatter is an op of its own
            return (_scatter(g, shape, index, dt),)
        out = np.zeros(shape, dtype=dt)
        out[index] = g
        return (out,)


@derivatives(self="select_backward(grad, self_sym_sizes, dim, index)")
class SelectBackward0(_Indexing):
    """f(a) = a[..., index, ...] (``index`` an integer, at dimension ``dim``)"""
    __slots__ = ("index",)
    _params = {"_saved_dim": lambda self: self.dim, "_saved_index": lambda self: _unsigned(self.index),
               "_saved_self_sym_sizes": lambda self: self._info[0]}

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.dim, ctx.index = dim, index
        where = (slice(None),) * dim + (index,)
        ctx._info = (_shape(a), where, np.result_type(a))
        return np.asarray(a)[where + (Ellipsis,)]  # (a view, also when it has no dimension left)


@derivatives(self="slice_backward(grad, self_sym_sizes, dim, start, end, step)")
class SliceBackward0(_Indexing):
    """f(a) = a[..., start:end:step, ...] (at dimension ``dim``)"""
    __slots__ = ("start", "end", "step")
    _params = {"_saved_dim": lambda self: self.dim, "_saved_start": lambda self: _unsigned(self.start),
               "_saved_end": lambda self: _unsigned(self.end), "_saved_step": lambda self: self.step,
               "_saved_self_sym_sizes": lambda self: self._info[0]}

    @staticmethod
    def forward(ctx, a, dim, start, end, step):
        ctx.dim, ctx.step = dim, step
        ctx.start = 0 if start is None else start
        ctx.end = 2 ** 63 - 1 if end is None else end
        where = (slice(None),) * dim + (slice(start, end, step),)
        ctx._info = (_shape(a), where, np.result_type(a))
        return np.asarray(a)[where]


@derivatives(self="grad")
class AliasBackward0(Function):
    """f(a) = a, the same values (``t[:]``, ``t[:, :]``)"""
    __slots__ = ()
    _view = True
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a):
        return np.asarray(a)[...]

    @staticmethod
    def backward(ctx, g):
        return (g,)


@derivatives(self="grad")
class ToCopyBackward0(Function):
    """f(a) = a converted to another dtype"""
    __slots__ = ()
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, dtype):
        ctx._info = np.result_type(a)
        return np.asarray(a).astype(dtype.np) if np.ndim(a) else dtype.np.type(a)

    @staticmethod
    def backward(ctx, g):
        dt = ctx._info
        if isinstance(g, Tensor):
            return (g.to(_dtype_of(dt)),)
        return (np.asarray(g).astype(dt) if np.ndim(g) else dt.type(g),)




def _is_advanced(p) -> bool:
    return isinstance(p, (Tensor, list, np.ndarray)) or isinstance(p, (bool, np.bool_))


def _numpy_index(p):
    if isinstance(p, Tensor):
        d = np.asarray(p._data)
        if d.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return d
    if isinstance(p, list):
        return np.asarray([_numpy_index(x) if isinstance(x, Tensor) else x for x in p])
    return p


def _getitem(self, index):
    """``t[0]``, ``t[1:3]``, ``t[:, 0]``, ``t[..., -1]``, ``t[None]``: one SelectBackward0 (integer),
    SliceBackward0 (slice) or UnsqueezeBackward0 (None) per indexed dimension, as PyTorch records them;
    ``t[mask]``, ``t[[0, 2]]``, ``t[idx_tensor]``: one IndexBackward0."""
    parts = index if isinstance(index, tuple) else (index,)
    if any(_is_advanced(p) for p in parts):
        np_index = tuple(_numpy_index(p) for p in parts)
        try:
            np.empty(np.shape(self._data), dtype=np.bool_)[np_index if isinstance(index, tuple) else np_index[0]]
        except IndexError as e:
            raise IndexError(_index_error_text(self, parts, e)) from None
        return apply(IndexBackward0, self, index=np_index if isinstance(index, tuple) else np_index[0])
    for p in parts:
        if not (p is Ellipsis or p is None or isinstance(p, (int, np.integer, slice))):
            raise NotImplementedError(
                f"indexing with {type(p).__name__} is not supported in autograd_lab; supported: integers, "
                "slices, None, ..., index tensors and boolean masks, as in t[0], t[1:3], t[:, 0], t[t > 0]")
    ndim = self.ndim
    used = sum(1 for p in parts if p is not None and p is not Ellipsis)
    if Ellipsis in parts:
        i = parts.index(Ellipsis)
        parts = parts[:i] + (slice(None),) * (ndim - used) + parts[i + 1:]
    if ndim == 0 and used:
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
                         "in C++ to convert a 0-dim tensor to a number")
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    t, dim = self, 0
    for p in parts:
        if p is None:
            t = apply(UnsqueezeBackward0, t, dim=dim)
            dim += 1
            continue
        size = np.shape(t._data)[dim]
        if isinstance(p, slice):
            if p.step is not None and p.step <= 0:
                raise ValueError("step must be greater than zero")
            # PyTorch skips a full slice inside a tuple index (t[:, 0]), not a lone one (t[:])
            if not isinstance(index, tuple) or not (p.start is None and p.stop is None and p.step in (None, 1)):
                t = apply(SliceBackward0, t, dim=dim, start=p.start, end=p.stop, step=p.step or 1)
            dim += 1
        else:
            if not -size <= p < size:
                raise IndexError(f"index {p} is out of bounds for dimension {dim} with size {size}")
            t = apply(SelectBackward0, t, dim=dim, index=int(p))
    return apply(AliasBackward0, self) if t is self else t


def _index_error_text(t, parts, e) -> str:
    for d, p in enumerate(parts):
        if isinstance(p, (Tensor, list, np.ndarray)):
            arr = _numpy_index(p)
            arr = np.asarray(arr)
            if arr.dtype.kind == "b":
                continue
            size = t.shape[d] if d < t.ndim else 0
            bad = arr[(arr >= size) | (arr < -size)]
            if bad.size:
                return f"index {int(bad.flat[0])} is out of bounds for dimension {d} with size {size}"
    return str(e)


@no_formula("it routes grad by position: the masked or indexed part goes to the value written, the rest to the tensor written into")
class IndexPutBackward0(Function):
    """f(t, v) = t with t[mask or index tensor] = v"""
    __slots__ = ()
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, t, v, index):
        out = np.array(t, copy=True)
        out[index] = v
        ctx._info = (index, _shape(v), _shape(out[index]))
        ctx._saved = (None,)  # (the index tensors, freed by backward as PyTorch frees them; _info keeps them)
        return out

    @staticmethod
    def backward(ctx, g):
        if ctx._saved.__class__ is _Freed:
            raise RuntimeError(FREED_MESSAGE)
        index, sv, sel = ctx._info
        nt, nv = ctx.needs_input_grad
        if isinstance(g, Tensor):
            raise NotImplementedError(f"create_graph=True through {ctx.name()} (t[...] = v) is not supported in "
                                      "autograd_lab")
        gt = None
        if nt:
            gt = np.array(g, copy=True)
            gt[index] = 0
        gv = unbroadcast(np.asarray(g)[index], sv) if nv else None
        return gt, gv


def _setitem(self, index, value):
    """``t[i] = v``: in place. An index of integers and slices makes a view of ``t`` that ``copy_(v)``
    changes (recorded as PyTorch records it: ``t``'s grad_fn becomes ``CopySlices``); index tensors
    and masks are ``index_put_`` (``IndexPutBackward0``)."""
    parts = index if isinstance(index, tuple) else (index,)
    advanced = any(_is_advanced(p) for p in parts)
    if advanced:
        np_index = tuple(_numpy_index(p) for p in parts)
        np_index = np_index if isinstance(index, tuple) else np_index[0]
    else:
        for p in parts:
            if not (p is Ellipsis or p is None or isinstance(p, (int, np.integer, slice))):
                raise NotImplementedError(f"indexing with {type(p).__name__} is not supported in autograd_lab")
    if not isinstance(value, Tensor):
        if isinstance(value, (list, tuple, np.ndarray)):
            value = apply(_MakeLeaf, _to_array(value, None), False)
        elif not isinstance(value, (int, float, bool, np.number)):
            raise TypeError(f"can't assign a {type(value).__name__} to a {self.type()}")
    if advanced:
        return apply(IndexPutBackward0, self, value, inplace=True, index=np_index)
    tr = _rec.set_active(None)  # (the view is PyTorch's internal step: not an op of the user's)
    try:
        view = _getitem(self, index)
    finally:
        _rec.set_active(tr)
    apply(CopyInplace, view, value, inplace=True)
    return self


def _clone(self) -> "Tensor":
    return apply(CloneBackward0, self)

def _float(self) -> "Tensor":
    return _to(self, float32)

def _double(self) -> "Tensor":
    return _to(self, float64)

def _long(self) -> "Tensor":
    return _to(self, int64)

def _bool(self) -> "Tensor":
    return _to(self, bool_)

def _to(self, *args, dtype=None, device=None, copy=False, non_blocking=False) -> "Tensor":
    """``to(torch.float64)``, ``to("cpu")``, ``to(device, dtype)``, ``to(other_tensor)``."""
    dtype_ = dtype
    for a in args:
        if isinstance(a, _dtype_cls):
            dtype_ = a
        elif isinstance(a, Tensor):
            dtype_ = a.dtype
        elif isinstance(a, (str, _device)):
            device = a
        else:
            raise TypeError(f"to() received an invalid combination of arguments - got ({type(a).__name__})")
    _check_device(device)
    if dtype_ is None or dtype_ is self.dtype:
        return apply(CloneBackward0, self) if copy else self
    if not dtype_.is_floating_point and self._requires_grad:
        # an integer or bool result has no gradient (PyTorch records no node for it)
        return apply(ToCopyBackward0, apply(_DetachForTo, self), dtype=dtype_)
    return apply(ToCopyBackward0, self, dtype=dtype_)


def _reshape(self, *shape):
    """``reshape(2, 3)`` or ``reshape((2, 3))``: a view when memory allows (``ViewBackward0``)."""
    shape = _shape_arg_reshape(shape)
    d = self._data
    target = _infer_size(shape, int(np.size(d)))
    if type(d) is not np.ndarray or d.flags.c_contiguous:
        return apply(ViewBackward0, self, shape=target)
    if _can_view(d.shape, [st // d.itemsize for st in d.strides], target):
        return apply(ReshapeAliasBackward0, self, shape=target)
    return apply(UnsafeViewBackward0, apply(CloneBackward0, self), shape=target)


def _infer_size(shape: tuple, numel: int) -> tuple:
    """PyTorch's ``infer_size``: the one ``-1`` is whatever makes the element counts match."""
    infer, known = None, 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s >= 0:
            known *= s
        else:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
    if numel == known or (infer is not None and known > 0 and numel % known == 0):
        if infer is None:
            return tuple(shape)
        if known == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                               "unspecified dimension size -1 can be any value and is ambiguous")
        return tuple(numel // known if i == infer else s for i, s in enumerate(shape))
    raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")


def _can_view(sizes, strides, shape) -> bool:
    """PyTorch's ``computeStride``: can a tensor with these sizes and (element) strides be viewed as ``shape``?"""
    if not sizes or 0 in sizes:
        return True
    view_d = len(shape) - 1
    chunk_base_stride = strides[-1]
    tensor_numel = view_numel = 1
    for tensor_d in range(len(sizes) - 1, -1, -1):
        tensor_numel *= sizes[tensor_d]
        if tensor_d == 0 or (sizes[tensor_d - 1] != 1 and strides[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or shape[view_d] == 1):
                view_numel *= shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return False
            if tensor_d > 0:
                chunk_base_stride = strides[tensor_d - 1]
                tensor_numel = view_numel = 1
    return view_d == -1


def _shape_arg_reshape(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for s in shape:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"reshape(): sizes must be whole numbers, got {shape!r}")
    return tuple(int(s) for s in shape)


def _view(self, *shape):
    if len(shape) == 1 and isinstance(shape[0], _dtype_cls):
        raise NotImplementedError("view(dtype) is not supported in autograd_lab; use .to(dtype)")
    shape = _shape_arg_reshape(shape)
    d = self._data
    target = _infer_size(shape, int(np.size(d)))
    if type(d) is np.ndarray and not d.flags.c_contiguous and not _can_view(
            d.shape, [st // d.itemsize for st in d.strides], target):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                           "spans across two contiguous subspaces). Use .reshape(...) instead.")
    return apply(ViewBackward0, self, shape=target)


def _unsqueeze(self, dim):
    (d,) = _dims(dim, self.ndim + 1)
    return apply(UnsqueezeBackward0, self, dim=d)


def _squeeze(self, dim=None):
    """``squeeze()`` drops every dimension of size 1 (``SqueezeBackward0``); ``squeeze(d)`` only that one."""
    if dim is None:
        return apply(SqueezeBackward0, self)
    if isinstance(dim, (tuple, list)):
        dims = tuple(d for d in _dims(tuple(dim), self.ndim) if self.shape[d] == 1)
        return apply(SqueezeBackward2, self, dims=dims)
    (d,) = _dims(dim, self.ndim)
    if self.ndim and self.shape[d] != 1:
        return apply(SqueezeBackward1, self, dim=None)
    return apply(SqueezeBackward1, self, dim=d if self.ndim else None)


@derivatives(self="reshape(grad, self_sym_sizes)")
class SqueezeBackward0(Function):
    """f(a) = a without its dimensions of size 1"""
    __slots__ = ()
    _view = True
    _params = {"_saved_self_sym_sizes": lambda self: self._info}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a):
        ctx._info = _shape(a)
        return np.squeeze(a) if np.ndim(a) else a

    @staticmethod
    def backward(ctx, g):
        return (g.reshape(ctx._info),)


@derivatives(self="reshape(grad, self_sym_sizes)")
class SqueezeBackward2(Function):
    """f(a) = a without the dimensions ``dims`` (each of size 1)"""
    __slots__ = ("dims",)
    _view = True
    _params = {"_saved_dim": lambda self: self.dims, "_saved_self_sym_sizes": lambda self: self._info}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        ctx._info = _shape(a)
        return np.squeeze(a, axis=dims) if dims else np.asarray(a)[...]

    @staticmethod
    def backward(ctx, g):
        return (g.reshape(ctx._info),)


@derivatives(self="reshape(grad, self_sym_sizes)")
class SqueezeBackward4(SqueezeBackward2):
    """f(a) = a without the dimensions ``dims`` of size 1 (matmul's result of a vector)"""
    __slots__ = ()


def _flatten(self, start_dim=0, end_dim=-1):
    nd = self.ndim
    if nd == 0:
        return _reshape(self, 1)
    (s, e) = _dims((start_dim, end_dim), nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return self
    shape = tuple(self.shape)
    return _reshape(self, shape[:s] + (-1,) + shape[e + 1:])


def _transpose(self, dim0, dim1):
    d0, d1 = _dims((dim0, dim1), self.ndim)
    return apply(TransposeBackward0, self, dim0=d0 if self.ndim else 0, dim1=d1 if self.ndim else 0)


def _permute(self, *dims):
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    if len(dims) != self.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the length "
                           f"of the desired ordering of dimensions i.e. input.dim() = {self.ndim} is not equal to "
                           f"len(dims) = {len(dims)}")
    norm = _dims(dims, self.ndim) if dims else ()
    if len(set(norm)) != len(norm):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return apply(PermuteBackward0, self, dims=norm)


def _fn(method, name):
    def fn(input, *args, **kwargs):
        _needs_tensor(name, input)
        return method(input, *args, **kwargs)
    fn.__name__ = name
    return fn


def _expand(self, *shape):
    shape = _shape_arg_reshape(shape)
    cur = np.shape(self._data)
    if len(shape) < len(cur):
        raise RuntimeError(f"expand({self.type()}{{{list(cur)}}}, size={list(shape)}): the number of sizes provided "
                           f"({len(shape)}) must be greater or equal to the number of dimensions in the tensor ({len(cur)})")
    lead = len(shape) - len(cur)
    full = tuple(c if s == -1 else s for s, c in zip(shape, (None,) * lead + cur))
    for i, c in enumerate(cur):
        if c != 1 and full[lead + i] != c:
            raise RuntimeError(f"The expanded size of the tensor ({full[lead + i]}) must match the existing size ({c}) at "
                               f"non-singleton dimension {lead + i}.  Target sizes: {list(shape)}.  Tensor sizes: {list(cur)}")
    return apply(ExpandBackward0, self, shape=full)


def _t(self):
    """Transpose of a matrix (``TBackward0``); 0-D and 1-D tensors are returned as they are viewed."""
    if self.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
    return apply(TBackward0, self)


def _T(self):
    """All dimensions reversed (``PermuteBackward0``)."""
    ndim = self.ndim
    if ndim != 2:
        # PyTorch's TORCH_WARN_ONCE: each of these two warnings appears once per process
        key = "T_0d" if ndim == 0 else "T_nd"
        if key not in _WARNED:
            _WARNED.add(key)
            warnings.warn(T_WARNINGS[key], UserWarning, stacklevel=2)
    return apply(PermuteBackward0, self)


_WARNED: set = set()



declare("reshape", ViewBackward0, UnsafeViewBackward0, ReshapeAliasBackward0,
        methods={"reshape": _reshape, "view": _view, "flatten": _flatten},
        functions={"reshape": _fn(_reshape, "reshape"), "flatten": _fn(_flatten, "flatten")},
        playground=("reshape", "view", "flatten"))
declare("unsqueeze", UnsqueezeBackward0, methods={"unsqueeze": _unsqueeze},
        functions={"unsqueeze": _fn(_unsqueeze, "unsqueeze")}, playground=("unsqueeze",))
declare("squeeze", SqueezeBackward0, SqueezeBackward1, SqueezeBackward2, SqueezeBackward4, methods={"squeeze": _squeeze},
        functions={"squeeze": _fn(_squeeze, "squeeze")}, playground=("squeeze",))
declare("transpose", TransposeBackward0, methods={"transpose": _transpose, "swapaxes": _transpose},
        functions={"transpose": _fn(_transpose, "transpose")}, playground=("transpose",))
declare("permute", methods={"permute": _permute}, functions={"permute": _fn(_permute, "permute")},
        playground=("permute",), shown_as="permute")
declare("clone", CloneBackward0, methods={"clone": _clone}, functions={"clone": _fn(_clone, "clone")}, shown_as=None)
declare("expand", ExpandBackward0, methods={"expand": _expand}, shown_as=None)
declare("t", TBackward0, methods={"t": _t}, functions={"t": _fn(_t, "t")}, playground=("t",), shown_as="t()")
declare("T", PermuteBackward0, methods={"T": property(_T)}, shown_as=".T")
declare("index", SelectBackward0, SliceBackward0, AliasBackward0, methods={"__getitem__": _getitem}, shown_as=None)
declare("setitem", CopyInplace, CopySlices, IndexPutBackward0, methods={"__setitem__": _setitem}, shown_as=None,
        label="index_put_")
declare("as_strided", AsStridedBackward0, shown_as=None)
declare("to", ToCopyBackward0, methods={"to": _to, "float": _float, "double": _double, "long": _long, "bool": _bool}, shown_as=None)
