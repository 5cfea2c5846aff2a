"""PyTorch's tensor printing rules (``torch/_tensor_str.py``), re-implemented on numpy.

``format_array(a)`` gives the text between ``tensor(`` and the suffixes, exactly as
PyTorch 2.13 prints it with default print options: integer-valued floats as ``3.``,
four decimals, scientific notation when values span more than three orders of
magnitude, one common width, 80 columns, summarised with ``...`` past 1000 elements.
"""
from __future__ import annotations

import math

import numpy as np

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80


class _Formatter:
    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(_int_str(v)))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:
            return
        vals = finite.tolist()
        absv = np.abs(finite)
        lo, hi = float(absv.min()), float(absv.max())
        self.int_mode = all(v == math.ceil(v) for v in vals)
        self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        if self.int_mode and not self.sci_mode:
            self.max_width = max(self.max_width, max(len(f"{v:.0f}") + 1 for v in vals))
        elif self.sci_mode:
            self.max_width = max(self.max_width, max(len(f"{v:.{PRECISION}e}") for v in vals))
        else:
            self.max_width = max(self.max_width, max(len(f"{v:.{PRECISION}f}") for v in vals))

    def format(self, value) -> str:
        if self.floating:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{PRECISION}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{PRECISION}f}"
        else:
            ret = _int_str(value)
        return (self.max_width - len(ret)) * " " + ret


def _int_str(v) -> str:
    if isinstance(v, bool):
        return "True" if v else "False"
    return str(v)


def _summarized(a: np.ndarray) -> np.ndarray:
    """The elements PyTorch looks at to choose a format when it summarises."""
    if a.ndim == 0:
        return a
    if a.shape[0] > 2 * EDGEITEMS:
        parts = [a[:EDGEITEMS], a[-EDGEITEMS:]]
    else:
        parts = [a]
    return np.concatenate([_summarized(p_i) for p in parts for p_i in p]) if a.ndim > 1 else np.concatenate(parts)


def _vector(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, math.floor((LINEWIDTH - indent) / (fmt.max_width + 2)))
    if summarize and a.shape[0] > 2 * EDGEITEMS:
        data = [fmt.format(v) for v in a[:EDGEITEMS].tolist()] + [" ..."] + [
            fmt.format(v) for v in a[-EDGEITEMS:].tolist()]
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector(a, indent, summarize, fmt)
    n = a.shape[0]
    if summarize and n > 2 * EDGEITEMS:
        rows = [_nested(a[i], indent + 1, summarize, fmt) for i in range(EDGEITEMS)] + ["..."] + [
            _nested(a[i], indent + 1, summarize, fmt) for i in range(n - EDGEITEMS, n)]
    else:
        rows = [_nested(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def format_array(a, indent: int = 7) -> str:
    """The body of a tensor's repr: ``format_array(np.array([0.5, 1.]))`` -> ``'[0.5000, 1.0000]'``."""
    a = np.asarray(a)
    if a.size == 0:
        return "[]"
    summarize = a.size > THRESHOLD
    fmt = _Formatter(_summarized(a) if summarize else a)
    return _nested(a, indent, summarize, fmt)


def format_value(a) -> str:
    """A short one-line form for labels: ``3.``, ``0.5000``, ``[1., 2.]``."""
    a = np.asarray(a)
    if a.size > 6:
        return f"<{'x'.join(map(str, a.shape))} values>"
    return " ".join(format_array(a, indent=0).split())
