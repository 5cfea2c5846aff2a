"""The ``Tensor`` class and the factory functions.

A Tensor wraps a numpy value (``_data``) and, when it is the result of an operation
on tensors that require grad, the backward node that made it (``grad_fn``). Every
operation is delegated to ``function.apply``, the one choke point of the core. The
operations' methods and operators are made by their declarations in ``ops/`` and put
into the class body from there (``function.tensor_methods``)::

    >>> w = tensor(2.0, requires_grad=True)
    >>> w * 3
    tensor(6., grad_fn=<MulBackward0>)
"""
from __future__ import annotations

import numbers
import warnings
import weakref
from collections.abc import Callable

import numpy as np

from . import engine
from .grad_mode import _state as _grad_state
from . import function as _F
from . import inference as _inference
from . import recording as _rec
from . import ops  # noqa: F401  (declares every operation: tensor_methods() below needs them)
from ._format import PRINT_OPTS, format_array
from .device import CPU as _CPU
from .device import check_device as _check_device
from .device import device as _device
from .dtypes import dtype as _dtype_cls
from .dtypes import _C_NAMES, _DTYPES, _SCALAR_NAMES, Size, _dtype_of, _to_array, bool_, dtype, float32, float64, int64  # noqa: F401
from .messages import missing_attribute as _missing_attribute
from .messages import (COPY_CONSTRUCT_WARNING, DEEPCOPY_NON_LEAF_MESSAGE, SCALAR_REQUIRES_GRAD_WARNING, NON_LEAF_GRAD_WARNING, NON_LEAF_REQUIRES_GRAD_ATTRIBUTE, OWN_GRAD_MESSAGE,
                       ONLY_FLOAT_REQUIRES_GRAD_ATTRIBUTE)
from .node import RemovableHandle, TensorBase, _link_storage, _register, _wrap  # noqa: F401
from .ops.special import ClearGrad, MakeLeaf, RequiresGrad, SetGrad
from .views import StaleView as _StaleView

_warned_scalar = False  # float(t) of a tensor that requires grad has warned


class _Extra:
    """Rarely used per-tensor state, allocated on first use to keep tensors small."""

    __slots__ = ("hooks", "post_acc_hooks", "retains_grad", "base", "grad_owner", "param", "view", "views", "vc")

    def __init__(self):
        self.hooks = None           # OrderedDict[int, fn] of a leaf's tensor hooks
        self.post_acc_hooks = None  # OrderedDict[int, fn]
        self.retains_grad = False
        self.base = None            # the tensor whose storage a `.data` alias shares
        self.grad_owner = None      # the leaf whose .grad this tensor is
        self.param = False          # made by nn.Parameter (prints "Parameter containing:")
        self.view = None            # views.ViewInfo of a view (its root, how it was made)
        self.views = None           # WeakSet of a root's views
        self.vc = None              # the version counter, [count], shared with views (views.counter)



class Tensor(TensorBase):
    """A multi-dimensional array that can record the operations applied to it."""

    __slots__ = ("_data", "_requires_grad", "grad_fn", "_grad", "_acc", "_x", "_tid", "__weakref__")
    __array_priority__ = 1000  # numpy defers to our operators (np.float32(2) * t -> Tensor)
    __module__ = "torch"       # type(t) prints <class 'torch.Tensor'>, as in PyTorch

    def __new__(cls, *args, dtype: dtype | None = None, device=None):
        """``torch.Tensor([1, 2])`` (float32 values) or ``torch.Tensor(2, 3)`` (a 2x3 tensor; zeros here)."""
        return _legacy_new(float32, args, device, same_dtype=False)

    def __init__(self, *args, **kwargs):
        pass  # (all done in __new__)

    # ------------------------------------------------------------------ attributes
    @property
    def data(self) -> "Tensor":
        """The same values as a tensor detached from the graph (shares memory)."""
        arr = self._array()
        t = _wrap(arr, False, None)
        t._extra().base = self
        return t

    @data.setter
    def data(self, value: "Tensor") -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        if self._requires_grad and value._data.dtype.kind != "f":
            raise RuntimeError("data set to a tensor that requires gradients must be floating point or complex dtype")
        if _rec.unsettled:
            _rec.settle()  # (a finished trace's unbuilt events may show this tensor's values)
        self._data = value._data

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if flag and self.grad_fn is not None:  # (requires_grad_(True) on a non-leaf is allowed; this is not)
            raise RuntimeError(NON_LEAF_REQUIRES_GRAD_ATTRIBUTE)
        if flag and self.grad_fn is None and self._data.dtype.kind != "f":
            # the attribute's message differs from requires_grad_()'s in PyTorch
            raise RuntimeError(ONLY_FLOAT_REQUIRES_GRAD_ATTRIBUTE)
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Switch gradient tracking on (or off) for a leaf tensor, in place."""
        return _F.apply(RequiresGrad, self, bool(requires_grad))

    @property
    def _version(self) -> int:
        """How many in-place changes its memory has had (shared with its views, as PyTorch counts)."""
        x = self._x
        return 0 if x is None or x.vc is None else x.vc[0]

    @property
    def _base(self) -> "Tensor | None":
        """The tensor this one is a view of (None if it is not a view)."""
        x = self._x
        return None if x is None or x.view is None else x.view.root

    def _is_view(self) -> bool:
        return self._base is not None

    @property
    def is_leaf(self) -> bool:
        g = self.grad_fn
        if g.__class__ is _StaleView:
            g()  # (PyTorch's error: a split output whose base changed in place)
        return g is None

    def is_inference(self) -> bool:
        """True for a tensor made inside ``inference_mode()`` (see inference.py)."""
        return _inference.holds(self)

    @property
    def grad(self) -> "Tensor | None":
        g = self._grad
        if g is None and self.grad_fn is not None and not self.retains_grad:
            warnings.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return g

    @grad.setter
    def grad(self, value: "Tensor | None") -> None:
        if value is None:
            _F.apply(ClearGrad, self)
            return
        if not isinstance(value, Tensor):
            raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
        if value is self:
            raise RuntimeError(OWN_GRAD_MESSAGE)
        if value.shape != self.shape:
            raise RuntimeError(f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of size "
                               f"'{list(self.shape)}'. Please ensure that the gradient and the tensor are the same size")
        if value._data.dtype != self._data.dtype:
            raise RuntimeError(
                f"attempting to assign a gradient with dtype '{_C_NAMES[value.dtype]}' to a tensor with grad_dtype "
                f"'{_SCALAR_NAMES[self.dtype]}'. The gradient must match the tensor's grad_dtype (defaults to the "
                "tensor's dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or None to "
                "allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may "
                "break downstream systems that assume they match.")
        _F.apply(SetGrad, self, value)

    @grad.deleter
    def grad(self) -> None:  # ``del w.grad``: as ``w.grad = None``
        _F.apply(ClearGrad, self)

    @property
    def retains_grad(self) -> bool:
        x = self._x
        return x is not None and x.retains_grad

    @property
    def shape(self) -> Size:
        return Size(np.shape(self._data))

    def size(self, dim: int | None = None):
        s = self.shape
        return s if dim is None else s[dim]

    @property
    def ndim(self) -> int:
        return np.ndim(self._data)

    def dim(self) -> int:
        return self.ndim

    def numel(self) -> int:
        return int(np.size(self._data))

    @property
    def dtype(self) -> dtype:
        return _dtype_of(self._data.dtype)

    @property
    def device(self):
        return _CPU

    def cpu(self) -> "Tensor":
        return self

    def get_device(self) -> int:
        return -1

    @property
    def is_cuda(self) -> bool:
        return False

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    # ------------------------------------------------------------------ conversions
    def item(self):
        """The value of a one-element tensor as a Python number."""
        n = np.size(self._data)
        if n != 1:
            raise RuntimeError(f"a Tensor with {n} elements cannot be converted to Scalar")
        return self._data.item() if np.ndim(self._data) == 0 else self._data.reshape(()).item()

    def tolist(self):
        return np.asarray(self._data).tolist()

    def numpy(self) -> np.ndarray:
        if self._requires_grad and _grad_state.enabled:  # (inside no_grad() PyTorch allows it)
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._array()

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad and _grad_state.enabled:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        a = np.asarray(self._data)
        return a.astype(dtype) if dtype is not None else a

    def type(self, dtype=None, non_blocking: bool = False, **kwargs):
        """``t.type()`` -> ``'torch.FloatTensor'``; ``t.type(torch.float64)`` (or ``torch.DoubleTensor``, or
        ``'torch.DoubleTensor'``) converts, as ``to`` does."""
        if dtype is None:
            return f"torch.{_SCALAR_NAMES[self.dtype]}Tensor"
        if isinstance(dtype, str):
            names = {f"torch.{n}Tensor": d for d, n in _SCALAR_NAMES.items()}
            if dtype not in names:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = names[dtype]
        elif not isinstance(dtype, _dtype_cls):
            dtype = getattr(dtype, "dtype", dtype)  # a typed constructor: torch.DoubleTensor
        return self.to(dtype)

    def __float__(self) -> float:
        global _warned_scalar
        if self._requires_grad and not _warned_scalar:  # PyTorch warns once a process (TORCH_WARN_ONCE)
            _warned_scalar = True
            warnings.warn(SCALAR_REQUIRES_GRAD_WARNING, UserWarning, stacklevel=2)
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if np.size(self._data) != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or np.size(self._data) != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __hash__(self) -> int:
        return id(self)

    def equal(self, other) -> bool:
        """True if ``other`` has the same shape and the same values (``torch.equal``)."""
        if not isinstance(other, Tensor):
            raise TypeError(f"equal(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
        return np.shape(self._data) == np.shape(other._data) and bool(np.all(self._data == other._data))

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    # ------------------------------------------------------------------ hooks
    def register_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(grad)`` when the gradient of this tensor is computed; it may return a new gradient."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self.grad_fn
        if node is None:
            x = self._extra()
            x.hooks, handle = _register(x.hooks, hook)
            return handle
        h = node._hooks_obj()
        h.tensor_hooks, handle = _register(h.tensor_hooks, hook)
        return handle

    def register_post_accumulate_grad_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(tensor)`` after AccumulateGrad has updated ``tensor.grad`` (leaves only)."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        x = self._extra()
        x.post_acc_hooks, handle = _register(x.post_acc_hooks, hook)
        return handle

    def retain_grad(self) -> None:
        """Keep the gradient of this non-leaf tensor in ``.grad`` after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None:
            return
        self._extra().retains_grad = True
        self.grad_fn._hooks_obj().retain = weakref.ref(self)

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient: "Tensor | None" = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs=None) -> None:
        """Compute the gradient of this tensor w.r.t. the graph leaves, adding it into their ``.grad``."""
        engine.backward(self, gradient, retain_graph, create_graph, inputs)

    # ------------------------------------------------------------------ internals
    def _extra(self) -> _Extra:
        x = self._x
        if x is None:
            x = self._x = _Extra()
        return x

    def _array(self) -> np.ndarray:
        """The data as a writable ndarray (0-d numpy scalars are turned into 0-d arrays, in place)."""
        d = self._data
        if type(d) is not np.ndarray:
            arr = self._data = np.array(d)
            _link_storage(d, arr)  # values saved from the scalar follow it into the array
            return arr
        return d

    def __repr__(self) -> str:
        x = self._x
        if x is not None and x.param:
            return "Parameter containing:\n" + _repr(self)
        return _repr(self)

    def __format__(self, spec: str) -> str:
        if np.ndim(self._data) == 0:  # PyTorch formats a 0-d tensor as its number
            return format(self.item(), spec)
        return repr(self)

    def __reduce__(self):
        raise TypeError("autograd_lab tensors cannot be pickled; use t.detach().numpy()")

    def __deepcopy__(self, memo) -> "Tensor":
        """``copy.deepcopy(w)``: a new leaf with a copy of the values, ``requires_grad`` and ``.grad``
        (of a leaf only, as in PyTorch); ``deepcopy(model)`` copies its parameters this way."""
        if self.grad_fn is not None:
            raise RuntimeError(DEEPCOPY_NON_LEAF_MESSAGE)
        if id(self) in memo:
            return memo[id(self)]
        new = _F.apply(MakeLeaf, np.array(self._data, copy=True), self._requires_grad)
        memo[id(self)] = new
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        if self._x is not None and self._x.param:
            new._extra().param = True
        return new

    def __copy__(self) -> "Tensor":
        return self.__deepcopy__({})


    def __getattr__(self, name: str):  # (only for names the class does not have)
        if name.startswith("_"):
            raise AttributeError(f"'Tensor' object has no attribute '{name}'")
        e = _missing_attribute("'Tensor' object", name)
        raise AttributeError(f"{e}. Supported operations: {_F.supported_text()}.")

    # ------------------------------------------------------------------ operations
    # Every operation's methods and operators (``__add__``, ``sum``, ``reshape``, ``T`` ...), as
    # the declarations in ops/ make them; the ones a teaching subset leaves out say so.
    locals().update(_F.tensor_methods())



_F.bind_tensor(Tensor)


def _legacy_new(dt: dtype, args: tuple, device, same_dtype: bool = True) -> Tensor:
    """The old constructors ``torch.Tensor(...)`` and ``torch.FloatTensor(...)``: from data, or from
    sizes (PyTorch leaves that memory uninitialised; here it is zeros). A tensor argument is returned
    as it is (``same_dtype``: only if it has the constructor's dtype, else PyTorch's TypeError)."""
    _check_device(device)
    if args and all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in args):
        arr = np.zeros(_shape_arg(args), dtype=dt.np)
    elif len(args) == 1 and isinstance(args[0], Size):
        arr = np.zeros(_shape_arg(args), dtype=dt.np)
    elif len(args) == 1 and isinstance(args[0], Tensor):
        t = args[0]
        if same_dtype and t.dtype is not dt:
            opts = ("device=cpu, layout=Strided, requires_grad=false (default), pinned_memory=false (default), "
                    "memory_format=(nullopt)")
            raise TypeError(f"expected TensorOptions(dtype={_C_NAMES[dt]}, {opts}) (got TensorOptions(dtype="
                            f"{_C_NAMES[t.dtype]}, {opts}))")
        return t
    elif len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray)):
        arr = _to_array(args[0], dt)
    elif not args:
        arr = np.zeros((0,), dtype=dt.np)
    elif len(args) == 1:
        raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
    else:
        bad = next(i for i, a in enumerate(args) if not isinstance(a, numbers.Integral) or isinstance(a, bool))
        raise TypeError(f"new(): argument 'size' failed to unpack the object at pos {bad + 1} with error \"type must "
                        f"be tuple of ints,but got {type(args[bad]).__name__}\"")
    return _F.apply(MakeLeaf, arr, False)


def _repr(t: Tensor) -> str:
    """PyTorch's ``_tensor_str._str_intern`` for the dtypes and flags autograd_lab has."""
    d = np.asarray(t._data)
    dt = _DTYPES.get(d.dtype)
    suffixes = []
    if d.size == 0:
        if d.ndim != 1:
            suffixes.append(f"size={tuple(d.shape)}")
        if dt is not float32:  # nothing to infer an integer dtype from
            suffixes.append(f"dtype={dt!r}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(d.shape)}")
        if dt is not float32 and dt is not int64 and dt is not bool_:
            suffixes.append(f"dtype={dt!r}")
        body = format_array(d, indent=7)
    if t.grad_fn.__class__ is _StaleView:
        suffixes.append("grad_fn=<Invalid>")  # (as PyTorch prints it)
    elif t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name().rsplit('::', 1)[-1]}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes("tensor(" + body, suffixes, 7)


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    """PyTorch's ``_add_suffixes``: a suffix that would pass the line width (80) starts a new line."""
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1  # PyTorch's count (2 more than the line's length)
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)



def tensor(data: object, requires_grad: bool = False, dtype: dtype | None = None, device=None) -> Tensor:
    """A new leaf tensor: ``tensor(2.0, requires_grad=True)`` -> ``tensor(2., requires_grad=True)``."""
    _check_device(device)
    if isinstance(data, Tensor):
        warnings.warn(COPY_CONSTRUCT_WARNING, UserWarning, stacklevel=2)
    return _F.apply(MakeLeaf, _to_array(data, dtype), bool(requires_grad))


def _shape_arg(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Size)):
        shape = tuple(shape[0])
    for s in shape:
        if not isinstance(s, numbers.Integral) or isinstance(s, bool) or s < 0:
            raise TypeError(f"sizes must be non-negative whole numbers, got {shape!r}")
    return tuple(int(s) for s in shape)


def _size_kw(size, kw, fn):
    """``zeros(size=(2, 3))``: the size given by keyword."""
    if kw:
        if set(kw) != {"size"} or size:
            raise TypeError(f"{fn}() got an unexpected keyword argument '{next(iter(kw))}'")
        size = (kw["size"],)
    return size


def zeros(*size, requires_grad: bool = False, dtype: dtype | None = None, device=None, **kw) -> Tensor:
    """``zeros(2, 3)``: a 2x3 leaf tensor of zeros."""
    _check_device(device)
    size = _size_kw(size, kw, "zeros")
    return tensor(np.zeros(_shape_arg(size), dtype=(dtype or float32).np), requires_grad=requires_grad)


def ones(*size, requires_grad: bool = False, dtype: dtype | None = None, device=None, **kw) -> Tensor:
    """``ones(3)``: a leaf tensor of three ones."""
    _check_device(device)
    size = _size_kw(size, kw, "ones")
    return tensor(np.ones(_shape_arg(size), dtype=(dtype or float32).np), requires_grad=requires_grad)


def zeros_like(t: Tensor, requires_grad: bool = False, dtype: dtype | None = None, device=None) -> Tensor:
    _check_device(device)
    return tensor(np.zeros_like(np.asarray(t._data), dtype=(dtype.np if dtype else None)), requires_grad=requires_grad)


def ones_like(t: Tensor, requires_grad: bool = False, dtype: dtype | None = None, device=None) -> Tensor:
    _check_device(device)
    return tensor(np.ones_like(np.asarray(t._data), dtype=(dtype.np if dtype else None)), requires_grad=requires_grad)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


# ---------------------------------------------------------------------- operations


def equal(input: Tensor, other: Tensor) -> bool:
    if not isinstance(input, Tensor):
        raise TypeError(f"equal(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input.equal(other)
