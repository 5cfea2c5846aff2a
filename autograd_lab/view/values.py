"""Values as the picture and the narration print them: as PyTorch prints a tensor's value (``fmt``).

``fmt(3.0) == "3."``, ``fmt(0.5) == "0.5000"``, ``fmt([1.0, 2.0]) == "[1., 2.]"``; a big value kept as a
summary (a dict with its shape and mean) prints as ``<2x3 values, mean 0.5>``.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from ..core._format import PRECISION, format_value

__all__ = ["fmt"]


def fmt(v) -> str:
    """A snapshot as PyTorch prints its value (``3.``, ``0.5000``, ``[1., 2.]``); None stays 'None'."""
    if v is None:
        return "None"
    if isinstance(v, float):  # 0.0 == -0.0 share a cache entry: zeros are not cached (PyTorch prints -0.)
        return _fmt_float(v) if v != 0 else _fmt_float.__wrapped__(v)
    if isinstance(v, dict):
        return f"<{'x'.join(map(str, v.get('shape', [])))} values, mean {v.get('mean', 0.0):.4g}>"
    try:
        return format_value(np.asarray(v))
    except (TypeError, ValueError):  # pragma: no cover - a label must never break the player
        return str(v)


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
