"""Dtypes and ``Size``: what a tensor's values are and its shape, printed as PyTorch prints them."""
from __future__ import annotations

import numpy as np

from .node import TensorBase as Tensor

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
# held as data (created, printed, converted, combined as numpy does, which here agrees with PyTorch)
float16 = dtype("float16", np.float16, True)
int32 = dtype("int32", np.int32, False)
int16 = dtype("int16", np.int16, False)
int8 = dtype("int8", np.int8, False)
uint8 = dtype("uint8", np.uint8, False)
_ALL = (float32, float64, int64, bool_, float16, int32, int16, int8, uint8)
_DTYPES = {d.np: d for d in _ALL}
_SUPPORTED = ("float32 (the default), float64, float16, and int64/int32/int16/int8/uint8/bool for data that needs "
              "no grad")
_SCALAR_NAMES = {float32: "Float", float64: "Double", int64: "Long", bool_: "Bool",  # c10 ScalarType names
                 float16: "Half", int32: "Int", int16: "Short", int8: "Char", uint8: "Byte"}
_C_NAMES = {float32: "float", float64: "double", int64: "long int", bool_: "bool",   # C++ type names
            float16: "c10::Half", int32: "int", int16: "short int", int8: "signed char", uint8: "unsigned char"}


def _dtype_named(name: str) -> dtype:
    return {d.name: d for d in _ALL}[name]


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

