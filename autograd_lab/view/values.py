"""Values as the picture and the narration print them: as PyTorch prints a tensor's value (``fmt``).

``fmt(3.0) == "3."``, ``fmt(0.5) == "0.5000"``, ``fmt([1.0, 2.0]) == "[1., 2.]"``: a value of at most
``SMALL`` numbers (every scalar and small vector of the lessons) is printed whole, as it always was.
A bigger one (a layer's weight, a batch of activations, or a value the recorder kept only as a summary
dict) is shown by its shape and range, its two ends in PyTorch's format for them::

    fmt([[0.5, -1.0, 2.0, 0.25], [1.0, 0.0, 3.0, 4.0]])   # '2×4 ∈ [-1., 4.]'   (a Shown: a str)
    _.full                                                 # 'tensor([[ 0.5000, -1.0000, ...]])\n...'

The text is the same in every language (a shape, PyTorch's dtype name, ``∈`` and numbers). ``Shown.full``
is what a click on it shows (the inspector, a tooltip): the values as ``repr(tensor)`` prints them
(PyTorch's own summarising past 1,000 numbers), then ``.min() .max() .mean()``; for a summary dict (the
recorder keeps values of at most 64 numbers whole) only the shape and those three.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from ..core._format import PRECISION, format_default, format_value
from ..narration import SMALL

__all__ = ["fmt", "Shown", "SMALL", "shape_text"]

_PLAIN_DTYPES = ("float32", "torch.float32", "", None)   # a shown value says its dtype unless it is one of these
_REPR_DEFAULT = ("float32", "int64", "bool")             # ... and repr(tensor) adds dtype= unless it is one of these


class Shown(str):
    """A big value's short text (what the picture and the table print) that knows its long one (``full``)."""

    __slots__ = ("full",)

    def __new__(cls, short: str, full: str):
        s = str.__new__(cls, short)
        s.full = full
        return s

    def __eq__(self, other):  # the same short text of different values is not the same state
        return str.__eq__(self, other) and (not isinstance(other, Shown) or other.full == self.full)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__

    def __reduce__(self):
        return Shown, (str(self), self.full)


def fmt(v, dtype=None) -> str:
    """A snapshot as PyTorch prints its value (``3.``, ``0.5000``, ``[1., 2.]``); None stays 'None'.
    A value of more than ``SMALL`` numbers gives a ``Shown`` (``'5×8 ∈ [-0.4777, 0.4527]'``); ``dtype``
    (a tensor event's, when known) is said after the shape where it is not float32."""
    if v is None:
        return "None"
    if isinstance(v, float):  # 0.0 == -0.0 share a cache entry: zeros are not cached (PyTorch prints -0.)
        return _fmt_float(v) if v != 0 else _fmt_float.__wrapped__(v)
    if isinstance(v, dict):
        return _summary(v, dtype)
    try:
        a = np.asarray(v)
        if a.size > SMALL and a.dtype.kind in "biuf":
            return _big(a, dtype)
        return format_value(a)
    except (TypeError, ValueError):  # pragma: no cover - a label must never break the player
        return str(v)


def shape_text(shape) -> str:
    """``(5, 8)`` -> ``'5×8'`` (a 0-d shape: ``'()'``; the chain rule's shapes are written so too)."""
    return "×".join(str(int(s)) for s in shape) if len(shape) else "()"


def _head(shape, dtype) -> str:
    d = str(dtype).replace("torch.", "") if dtype not in _PLAIN_DTYPES else ""
    return shape_text(shape) + (f" {d}" if d and d != "float32" else "")


def _ends(lo, hi, ints: bool) -> str:
    """``[lo, hi]`` in PyTorch's format for a tensor of those two numbers (one format for both)."""
    return format_value(np.array([lo, hi], dtype=np.int64 if ints else np.float64))


def _stats(lo, hi, mean) -> str:
    return f".min() {fmt(lo)}  .max() {fmt(hi)}  .mean() {fmt(float(mean))}"


def _big(a: np.ndarray, dtype) -> Shown:
    ints = a.dtype.kind in "biu"
    f = a.astype(np.float64)
    with np.errstate(all="ignore"):
        lo, hi, mean = (a.min().item(), a.max().item(), float(f.mean())) if a.dtype.kind != "b" else (
            bool(a.min()), bool(a.max()), float(f.mean()))
    short = f"{_head(a.shape, dtype)} ∈ {_ends(lo, hi, ints)}"
    d = str(dtype).replace("torch.", "") if dtype not in _PLAIN_DTYPES else ""
    suffix = f", dtype=torch.{d}" if d and d not in _REPR_DEFAULT else ""
    body = format_default(a if not ints else a.astype(np.int64))
    return Shown(short, f"tensor({body}{suffix})\n{_stats(lo, hi, mean)}")


def _summary(v: dict, dtype) -> Shown:
    shape = tuple(v.get("shape", ()))
    lo, hi, mean = float(v.get("min", 0.0)), float(v.get("max", 0.0)), float(v.get("mean", 0.0))
    return Shown(f"{_head(shape, dtype)} ∈ {_ends(lo, hi, False)}", f"torch.Size({list(shape)})\n{_stats(lo, hi, mean)}")


@functools.lru_cache(maxsize=4096)
def _fmt_float(v: float) -> str:
    """``format_value`` of one float, by PyTorch's rules for a single element (core/_format.py):
    ``inf``/``nan`` as they are, integral values as ``3.``, four decimals, or scientific notation
    outside 1e-4 <= |v| <= 1e8 (tests/test_view_fast_paths.py checks it against format_value)."""
    if math.isnan(v) or math.isinf(v):
        return f"{v:.0f}"
    if v == 0:
        return f"{v:.0f}."
    a = abs(v)
    if a > 1.0e8 or a < 1.0e-4:
        return f"{v:.{PRECISION}e}"
    if v == math.ceil(v):
        return f"{v:.0f}."
    return f"{v:.{PRECISION}f}"
