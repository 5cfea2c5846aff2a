"""The ``Tensor`` class, dtypes, ``Size`` and the factory functions.

A Tensor wraps a numpy value (``_data``) and, when it is the result of an operation
on tensors that require grad, the backward node that made it (``grad_fn``). Every
operation is delegated to ``functions.apply``, the one choke point of the core::

    >>> w = tensor(2.0, requires_grad=True)
    >>> w * 3
    tensor(6., grad_fn=<MulBackward0>)
"""
from __future__ import annotations

import itertools
import numbers
import warnings
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from ._format import format_array


class dtype:
    """A tensor element type; prints as PyTorch's (``torch.float32``)."""

    __slots__ = ("name", "np", "is_floating_point")

    def __init__(self, name: str, np_dtype, is_floating_point: bool):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = is_floating_point

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_dtype_named, (self.name,))


float32 = dtype("float32", np.float32, True)
float64 = dtype("float64", np.float64, True)
int64 = dtype("int64", np.int64, False)
bool_ = dtype("bool", np.bool_, False)
_DTYPES = {d.np: d for d in (float32, float64, int64, bool_)}
_SUPPORTED = "float32 (the default), float64, and int64/bool for data that needs no grad"
_SCALAR_NAMES = {float32: "Float", float64: "Double", int64: "Long", bool_: "Bool"}  # c10 ScalarType names
_C_NAMES = {float32: "float", float64: "double", int64: "long int", bool_: "bool"}   # C++ type names


def _dtype_named(name: str) -> dtype:
    return {"float32": float32, "float64": float64, "int64": int64, "bool": bool_}[name]


def _dtype_of(np_dtype) -> dtype:
    d = _DTYPES.get(np_dtype)
    if d is None:
        raise TypeError(f"autograd_lab does not support dtype {np_dtype}; supported: {_SUPPORTED}")
    return d


class Size(tuple):
    """A shape; prints as ``torch.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


_ids = itertools.count()


class _Extra:
    """Rarely used per-tensor state, allocated on first use to keep tensors small."""

    __slots__ = ("hooks", "post_acc_hooks", "retains_grad", "base", "grad_owner")

    def __init__(self):
        self.hooks = None           # OrderedDict[int, fn] of a leaf's tensor hooks
        self.post_acc_hooks = None  # OrderedDict[int, fn]
        self.retains_grad = False
        self.base = None            # the tensor whose storage a `.data` alias shares
        self.grad_owner = None      # the leaf whose .grad this tensor is


class RemovableHandle:
    """Returned by ``register_hook``; ``handle.remove()`` unregisters the hook."""

    _next_id = itertools.count()

    def __init__(self, hooks_dict: "OrderedDict[int, Callable]"):
        self.id = next(RemovableHandle._next_id)
        self._dict = hooks_dict

    def remove(self) -> None:
        self._dict.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()

    def __repr__(self) -> str:
        return f"<torch.utils.hooks.RemovableHandle object at {hex(id(self))}>"


def _register(hooks: "OrderedDict[int, Callable] | None", fn) -> tuple:
    if not callable(fn):
        raise TypeError(f"register_hook expects a function (for example a lambda), got {type(fn).__name__}")
    if hooks is None:
        hooks = OrderedDict()
    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    return hooks, handle


class Tensor:
    """A multi-dimensional array that can record the operations applied to it."""

    __slots__ = ("_data", "_requires_grad", "grad_fn", "_grad", "_acc", "_x", "_tid", "__weakref__")
    __array_priority__ = 1000  # numpy defers to our operators (np.float32(2) * t -> Tensor)

    def __init__(self, data: object = None, requires_grad: bool = False, dtype: dtype | None = None):
        arr = _to_array(data if data is not None else [], dtype)
        self._data = arr
        self._requires_grad = False
        self.grad_fn = None
        self._grad = None
        self._acc = None
        self._x = None
        if requires_grad:
            self.requires_grad_(True)

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
        self._data = value._data

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if flag and self.grad_fn is None and self._data.dtype.kind != "f":
            # the attribute's message differs from requires_grad_()'s in PyTorch
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Switch gradient tracking on (or off) for a leaf tensor, in place."""
        from . import function as F
        return F.apply(F.RequiresGrad, self, bool(requires_grad))

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self) -> "Tensor | None":
        g = self._grad
        if g is None and self.grad_fn is not None and not self.retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
                "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
                "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
                "instead. See github.com/pytorch/pytorch/pull/30531 for more information. (Triggered "
                "internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)",
                UserWarning, stacklevel=2)
        return g

    @grad.setter
    def grad(self, value: "Tensor | None") -> None:
        from . import function as F
        if value is None:
            F.apply(F.ClearGrad, self)
            return
        if not isinstance(value, Tensor):
            raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
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
        value._extra().grad_owner = self
        self._grad = value

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
    def device(self) -> str:
        return "cpu"

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
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._array()

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        a = np.asarray(self._data)
        return a.astype(dtype) if dtype is not None else a

    def __float__(self) -> float:
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

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def __getitem__(self, index):
        """``t[0]``, ``t[1:3]``, ``t[:, 0]``, ``t[..., -1]``: one SelectBackward0 (integer) or
        SliceBackward0 (slice) per indexed dimension, as PyTorch records them."""
        from . import function as F
        parts = index if isinstance(index, tuple) else (index,)
        for p in parts:
            if isinstance(p, bool) or not (p is Ellipsis or isinstance(p, (int, np.integer, slice))):
                raise NotImplementedError(
                    f"indexing with {type(p).__name__} is not supported in autograd_lab; supported: integers, "
                    "slices and ..., as in t[0], t[1:3], t[:, 0], t[..., -1]")
        ndim = self.ndim
        if Ellipsis in parts:
            i = parts.index(Ellipsis)
            parts = parts[:i] + (slice(None),) * (ndim - len(parts) + 1) + parts[i + 1:]
        if ndim == 0 and parts:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
                             "in C++ to convert a 0-dim tensor to a number")
        if len(parts) > ndim:
            raise IndexError(f"too many indices for tensor of dimension {ndim}")
        t, dim = self, 0
        for p in parts:
            size = np.shape(t._data)[dim]
            if isinstance(p, slice):
                if p.step is not None and p.step <= 0:
                    raise ValueError("step must be greater than zero")
                # PyTorch skips a full slice inside a tuple index (t[:, 0]), not a lone one (t[:])
                if not isinstance(index, tuple) or not (p.start is None and p.stop is None and p.step in (None, 1)):
                    t = F.apply(F.SliceBackward0, t, dim=dim, start=p.start, end=p.stop, step=p.step or 1)
                dim += 1
            else:
                if not -size <= p < size:
                    raise IndexError(f"index {p} is out of bounds for dimension {dim} with size {size}")
                t = F.apply(F.SelectBackward0, t, dim=dim, index=int(p))
        return F.apply(F.AliasBackward0, self) if t is self else t

    def detach(self) -> "Tensor":
        """A new leaf tensor with the same values (sharing memory) that does not require grad."""
        from . import function as F
        return F.apply(F.Detach, self)

    def clone(self) -> "Tensor":
        from . import function as F
        return F.apply(F.CloneBackward0, self)

    def float(self) -> "Tensor":
        return self.to(float32)

    def double(self) -> "Tensor":
        return self.to(float64)

    def to(self, dtype_: dtype) -> "Tensor":
        from . import function as F
        if not isinstance(dtype_, dtype):
            raise TypeError(f"to() takes a dtype such as autograd_lab.float64, got {dtype_!r}")
        if dtype_ is self.dtype:
            return self
        return F.apply(F.ToCopyBackward0, self, dtype_)

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
        import weakref
        self._extra().retains_grad = True
        self.grad_fn._hooks_obj().retain = weakref.ref(self)

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient: "Tensor | None" = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs=None) -> None:
        """Compute the gradient of this tensor w.r.t. the graph leaves, adding it into their ``.grad``."""
        from . import engine
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
            F._link_storage(d, arr)  # values saved from the scalar follow it into the array
            return arr
        return d

    def __repr__(self) -> str:
        return _repr(self)

    def __format__(self, spec: str) -> str:
        if np.ndim(self._data) == 0 and spec:
            return format(self.item(), spec)
        return repr(self)

    def __reduce__(self):
        raise TypeError("autograd_lab tensors cannot be pickled or deep-copied; use t.detach().numpy()")


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
        if dt is not float32 and dt is not int64 and dt is not bool_:
            suffixes.append(f"dtype={dt!r}")
        body = format_array(d, indent=7)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name().rsplit('::', 1)[-1]}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes("tensor(" + body, suffixes, 7)


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    """PyTorch's ``_add_suffixes``: a suffix that would pass 80 columns starts a new line."""
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1  # PyTorch's count (2 more than the line's length)
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > 80:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _to_array(data: object, dt: dtype | None) -> np.ndarray:
    """Turn user data (numbers, nested lists, numpy arrays, tensors) into a numpy array.

    PyTorch's inference: Python floats give float32 (the default dtype), Python ints int64;
    numpy arrays and numpy scalars (also inside lists) keep their own dtype.
    """
    if dt is not None and not isinstance(dt, dtype):
        raise TypeError(f"dtype must be autograd_lab.float32 or autograd_lab.float64, got {dt!r}")
    if isinstance(data, Tensor):
        arr = np.array(data._data)
        from_numpy = True
    else:
        try:
            arr = np.array(data)
        except (ValueError, TypeError) as e:
            raise TypeError(f"tensor() needs a number or a (nested) list of numbers of equal lengths: {e}") from None
        from_numpy = isinstance(data, (np.ndarray, np.generic))
    if dt is not None:
        return arr.astype(dt.np)
    if from_numpy:
        if arr.dtype in _DTYPES:
            return arr
        raise TypeError(f"autograd_lab does not support numpy {arr.dtype} data (PyTorch would keep that dtype); "
                        f"supported: {_SUPPORTED}. Convert first, e.g. .astype(np.float32)")
    kind = arr.dtype.kind
    if kind == "f":
        return arr if _holds_float64(data) else arr.astype(np.float32)
    if kind in "iu":
        return arr.astype(np.int64)
    if kind == "b":
        return arr
    raise TypeError(f"tensor() cannot hold {arr.dtype} values; autograd_lab supports {_SUPPORTED}")


def _holds_float64(data) -> bool:
    """True if a (nested) list holds a numpy float64 value, array or float64 tensor (PyTorch keeps float64)."""
    if isinstance(data, (list, tuple)):
        return any(_holds_float64(x) for x in data)
    if isinstance(data, Tensor):
        data = data._data
    return isinstance(data, (np.float64, np.ndarray)) and data.dtype == np.float64


def _wrap(data, requires_grad: bool, grad_fn) -> Tensor:
    """Fast internal constructor (no checks)."""
    t = _new(Tensor)
    t._data = data
    t._requires_grad = requires_grad
    t.grad_fn = grad_fn
    t._grad = None
    t._acc = None
    t._x = None
    return t


_new = object.__new__


# ---------------------------------------------------------------------- factories
def tensor(data: object, requires_grad: bool = False, dtype: dtype | None = None) -> Tensor:
    """A new leaf tensor: ``tensor(2.0, requires_grad=True)`` -> ``tensor(2., requires_grad=True)``."""
    from . import function as F
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    return F.apply(F.MakeLeaf, _to_array(data, dtype), bool(requires_grad))


def _shape_arg(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Size)):
        shape = tuple(shape[0])
    for s in shape:
        if not isinstance(s, numbers.Integral) or isinstance(s, bool) or s < 0:
            raise TypeError(f"sizes must be non-negative whole numbers, got {shape!r}")
    return tuple(int(s) for s in shape)


def zeros(*size, requires_grad: bool = False, dtype: dtype | None = None) -> Tensor:
    """``zeros(2, 3)``: a 2x3 leaf tensor of zeros."""
    return tensor(np.zeros(_shape_arg(size), dtype=(dtype or float32).np), requires_grad=requires_grad)


def ones(*size, requires_grad: bool = False, dtype: dtype | None = None) -> Tensor:
    """``ones(3)``: a leaf tensor of three ones."""
    return tensor(np.ones(_shape_arg(size), dtype=(dtype or float32).np), requires_grad=requires_grad)


def zeros_like(t: Tensor, requires_grad: bool = False, dtype: dtype | None = None) -> Tensor:
    return tensor(np.zeros_like(np.asarray(t._data), dtype=(dtype.np if dtype else None)), requires_grad=requires_grad)


def ones_like(t: Tensor, requires_grad: bool = False, dtype: dtype | None = None) -> Tensor:
    return tensor(np.ones_like(np.asarray(t._data), dtype=(dtype.np if dtype else None)), requires_grad=requires_grad)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


# ---------------------------------------------------------------------- operations
# Every method below hands its work to functions.apply, the core's one choke point.
from . import function as F  # noqa: E402  (functions imports this module's classes)

_apply = F.apply
# Operands are tensors and Python (or numpy) numbers; a numpy array becomes a tensor of its own
# dtype. Anything else makes an operator return NotImplemented, so Python raises the TypeError
# PyTorch shows ("unsupported operand type(s) for +: 'Tensor' and 'list'"), and a method such
# as t.add([1]) raises PyTorch's "add(): argument 'other' (position 1) must be Tensor, not list".


def _binary(fn):
    def method(self, other):
        if other.__class__ is not Tensor:
            if isinstance(other, np.ndarray):
                other = tensor(other)
            elif not isinstance(other, numbers.Real):
                return NotImplemented
        return _apply(fn, self, other)
    method.__name__ = fn.__name__
    return method


def _inplace(fn):
    def method(self, other):
        if other.__class__ is not Tensor:
            if isinstance(other, np.ndarray):
                other = tensor(other)
            elif not isinstance(other, numbers.Real):
                return NotImplemented
        return _apply(fn, self, other, inplace=True)
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


Tensor.__add__ = Tensor.__radd__ = _binary(F.AddBackward0)
Tensor.__sub__ = _binary(F.SubBackward0)
Tensor.__mul__ = Tensor.__rmul__ = _binary(F.MulBackward0)
Tensor.__truediv__ = _binary(F.DivBackward0)
Tensor.__iadd__ = _inplace(F.AddInplace)
Tensor.__isub__ = _inplace(F.SubInplace)
Tensor.__imul__ = _inplace(F.MulInplace)
Tensor.__itruediv__ = _inplace(F.DivInplace)
for _op, _name in (("__add__", "add"), ("__sub__", "sub"), ("__mul__", "mul"), ("__truediv__", "div"),
                   ("__isub__", "sub_"), ("__imul__", "mul_"), ("__itruediv__", "div_")):
    setattr(Tensor, _name, _named(getattr(Tensor, _op), _name))
_iadd = _named(Tensor.__iadd__, "add_")


def _add_(self, other, alpha=1):
    if alpha != 1:
        other = other * alpha
    return _iadd(self, other)


Tensor.add_ = _add_


def _rsub(self, other):
    if not isinstance(other, numbers.Real):
        return NotImplemented
    return _apply(F.RsubBackward1, self, other=other)


def _rtruediv(self, other):
    if not isinstance(other, numbers.Real):
        return NotImplemented
    return _apply(F.MulBackward0, _apply(F.ReciprocalBackward0, self), other)


def _pow(self, exponent):
    if isinstance(exponent, Tensor):
        return _apply(F.PowBackward1, self, exponent)
    if isinstance(exponent, np.ndarray):
        return _apply(F.PowBackward1, self, tensor(exponent))
    if not isinstance(exponent, numbers.Real):
        return NotImplemented
    return _apply(F.PowBackward0, self, exponent=exponent)


def _rpow(self, base):
    if not isinstance(base, numbers.Real):
        return NotImplemented
    return _apply(F.PowBackward2, self, base=base)


def _pow_method(self, exponent):
    result = _pow(self, exponent)
    if result is NotImplemented:
        bad = type(exponent).__name__
        raise TypeError(f"pow() received an invalid combination of arguments - got ({bad}), but expected one of:\n"
                        f" * (Tensor exponent)\n      didn't match because some of the arguments have invalid types: "
                        f"(!{bad}!)\n * (Number exponent)\n      didn't match because some of the arguments have "
                        f"invalid types: (!{bad}!)\n")
    return result


Tensor.__rsub__ = _rsub
Tensor.__rtruediv__ = _rtruediv
Tensor.__pow__ = _pow
Tensor.pow = _pow_method
Tensor.__rpow__ = _rpow
Tensor.__neg__ = Tensor.neg = lambda self: _apply(F.NegBackward0, self)
Tensor.__pos__ = lambda self: self
Tensor.reciprocal = lambda self: _apply(F.ReciprocalBackward0, self)
Tensor.exp = lambda self: _apply(F.ExpBackward0, self)
Tensor.log = lambda self: _apply(F.LogBackward0, self)
Tensor.tanh = lambda self: _apply(F.TanhBackward0, self)
Tensor.sigmoid = lambda self: _apply(F.SigmoidBackward0, self)
Tensor.relu = lambda self: _apply(F.ReluBackward0, self)
Tensor.sqrt = lambda self: _apply(F.SqrtBackward0, self)
Tensor.zero_ = lambda self: _apply(F.ZeroInplace, self)


def _sum(self, dim=None, keepdim=False, dtype=None):
    """Sum of all elements (``SumBackward0``), or over ``dim`` (``SumBackward1``)."""
    if dim is None:
        return _apply(F.SumBackward0, self)
    return _apply(F.SumBackward1, self, dim=dim, keepdim=bool(keepdim))


def _mean(self, dim=None, keepdim=False):
    """Mean of all elements (``MeanBackward0``), or over ``dim`` (``MeanBackward1``)."""
    if dim is None:
        return _apply(F.MeanBackward0, self)
    return _apply(F.MeanBackward1, self, dim=dim, keepdim=bool(keepdim))


Tensor.sum = _sum
Tensor.mean = _mean


def _reshape(self, *shape):
    """``reshape(2, 3)`` or ``reshape((2, 3))``: a view when memory allows (``ViewBackward0``)."""
    shape = _shape_arg_reshape(shape)
    d = self._data
    target = _infer_size(shape, int(np.size(d)))
    if type(d) is not np.ndarray or d.flags.c_contiguous:
        return _apply(F.ViewBackward0, self, shape=target)
    if _can_view(d.shape, [st // d.itemsize for st in d.strides], target):
        return _apply(F.ReshapeAliasBackward0, self, shape=target)
    return _apply(F.UnsafeViewBackward0, _apply(F.CloneBackward0, self), shape=target)


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
    return _apply(F.ViewBackward0, self, shape=_shape_arg_reshape(shape))


def _expand(self, *shape):
    shape = _shape_arg_reshape(shape)
    cur = np.shape(self._data)
    full = tuple(c if s == -1 else s for s, c in zip(shape, (None,) * (len(shape) - len(cur)) + cur))
    return _apply(F.ExpandBackward0, self, shape=full)


def _t(self):
    """Transpose of a matrix (``TBackward0``); 0-D and 1-D tensors are returned as they are viewed."""
    if self.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
    return _apply(F.TBackward0, self)


def _T(self):
    """All dimensions reversed (``PermuteBackward0``)."""
    ndim = self.ndim
    if ndim != 2:
        # PyTorch's TORCH_WARN_ONCE: each of these two warnings appears once per process
        key = "T_0d" if ndim == 0 else "T_nd"
        if key not in _WARNED:
            _WARNED.add(key)
            warnings.warn(_T_WARNINGS[key], UserWarning, stacklevel=2)
    return _apply(F.PermuteBackward0, self)


_WARNED: set = set()
_T_WARNINGS = {
    "T_nd": "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it "
            "will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
            "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor. (Triggered "
            "internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4314.)",
    "T_0d": "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases. (Triggered "
            "internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4321.)",
}


Tensor.reshape = _reshape
Tensor.view = _view
Tensor.expand = _expand
Tensor.t = _t
Tensor.T = property(_T)


def _matmul(self, other):
    """``a @ b``: ``DotBackward0`` (1-D @ 1-D), ``MvBackward0`` (2-D @ 1-D), ``MmBackward0`` (2-D @ 2-D)."""
    if not isinstance(other, Tensor):
        raise TypeError(f"matmul(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
    da, db = self.ndim, other.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    sa, sb = self.shape, other.shape
    ta, tb = self.dtype, other.dtype
    if da == 1 and db == 1:
        if ta is not tb:
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {_SCALAR_NAMES[ta]} and "
                               f"{_SCALAR_NAMES[tb]}")
        if sa[0] != sb[0]:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have the same number of elements, but got {sa[0]} and {sb[0]} elements respectively")
        return _apply(F.DotBackward0, self, other)
    if da == 2 and db == 1:
        if sa[1] != sb[0]:
            raise RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({sa[0]}x{sa[1]}), vec ({sb[0]})")
        if ta is not tb:
            raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_SCALAR_NAMES[tb]}, "
                               f"{_SCALAR_NAMES[ta]}, and {_SCALAR_NAMES[tb]}")
        return _apply(F.MvBackward0, self, other)
    if da == 2 and db == 2:
        if sa[1] != sb[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})")
        if ta is not tb:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_C_NAMES[ta]} != {_C_NAMES[tb]}")
        return _apply(F.MmBackward0, self, other)
    raise NotImplementedError(
        f"matmul of a {da}-D tensor with a {db}-D tensor is not supported in autograd_lab; "
        "supported: 1-D @ 1-D (dot), 2-D @ 1-D (mv) and 2-D @ 2-D (mm). Reshape a vector to (1, n) first.")


Tensor.matmul = Tensor.mm = Tensor.mv = Tensor.dot = _matmul
Tensor.__matmul__ = lambda self, other: _matmul(self, other) if isinstance(other, Tensor) else NotImplemented
Tensor.__rmatmul__ = lambda self, other: _matmul(other, self) if isinstance(other, Tensor) else NotImplemented


def _compare(fn):
    def method(self, other):
        if isinstance(other, (list, tuple, np.ndarray)):
            other = tensor(other)
        return _apply(fn, self, other)
    return method


Tensor.__lt__ = _compare(F.Lt)
Tensor.__le__ = _compare(F.Le)
Tensor.__gt__ = _compare(F.Gt)
Tensor.__ge__ = _compare(F.Ge)
Tensor.__eq__ = _compare(F.Eq)
Tensor.__ne__ = _compare(F.Ne)
Tensor.__hash__ = lambda self: id(self)


def _unsupported(name):
    def method(self, *args, **kwargs):
        raise NotImplementedError(
            f"{name} is not supported in autograd_lab (a teaching subset of PyTorch). Supported: + - * / ** @, "
            "sum, mean, exp, log, tanh, sigmoid, relu, sqrt, pow, reshape, t(), .T, matmul.")
    method.__name__ = name
    return method


for _name in ("__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__abs__", "__and__", "__or__", "__xor__", "__invert__"):
    setattr(Tensor, _name, _unsupported(_name.strip("_")))
