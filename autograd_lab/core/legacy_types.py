"""The old typed constructors: ``torch.FloatTensor``, ``DoubleTensor``, ``LongTensor``, ``BoolTensor`` ...

Textbooks written before PyTorch 0.4 make tensors with them; they still work in PyTorch 2.13::

    >>> FloatTensor([1, 2])
    tensor([1., 2.])
    >>> isinstance(tensor([1.]), FloatTensor), isinstance(tensor([1]), FloatTensor)
    (True, False)
"""
from __future__ import annotations

from .dtypes import _ALL, _SCALAR_NAMES
from .tensor import Tensor, _legacy_new


class tensortype(type):
    """The metaclass of the typed constructors: ``isinstance(t, FloatTensor)`` is a dtype test."""

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype

    def __call__(cls, *args, device=None, **kwargs):
        if kwargs:  # (``requires_grad=`` is not one of the old constructors' arguments)
            got = ", ".join([type(a).__name__ for a in args] + [f"{k}={type(v).__name__}" for k, v in kwargs.items()])
            raise TypeError(
                f"new() received an invalid combination of arguments - got ({got}), but expected one of:\n"
                " * (*, torch.device device = None)\n"
                f"      didn't match because some of the keywords were incorrect: {', '.join(kwargs)}\n"
                " * (torch.Storage storage)\n * (Tensor other)\n * (tuple of ints size, *, torch.device device = None)\n"
                " * (object data, *, torch.device device = None)\n")
        return _legacy_new(cls.dtype, args, device)


tensortype.__module__ = "torch"
TYPES = {}
for _dt in _ALL:
    _name = f"{_SCALAR_NAMES[_dt]}Tensor"
    TYPES[_name] = tensortype(_name, (), {"dtype": _dt, "__module__": "torch", "is_sparse": False, "is_cuda": False})

FloatTensor, DoubleTensor, LongTensor, BoolTensor = (TYPES[n] for n in ("FloatTensor", "DoubleTensor", "LongTensor",
                                                                       "BoolTensor"))
HalfTensor, IntTensor, ShortTensor, CharTensor, ByteTensor = (TYPES[n] for n in (
    "HalfTensor", "IntTensor", "ShortTensor", "CharTensor", "ByteTensor"))
