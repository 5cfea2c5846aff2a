"""PyTorch's tensor printing rules (``torch/_tensor_str.py``), re-implemented on numpy.

``format_array(a)`` gives the text between ``tensor(`` and the suffixes, exactly as
PyTorch 2.13 prints it; by default (``set_printoptions`` changes these): integer-valued floats as ``3.``,
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


class _PrintOptions:
    """PyTorch's ``PRINT_OPTS``: what ``set_printoptions`` changes (a tensor's repr reads it)."""

    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self):
        self.precision, self.threshold, self.edgeitems, self.linewidth, self.sci_mode = (
            PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH, None)


PRINT_OPTS = _PrintOptions()   # the student's options (tensor reprs)
_DEFAULT = _PrintOptions()     # the defaults (the player's labels: format_value)
_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """``torch.set_printoptions``: digits, summarising past ``threshold`` elements with ``edgeitems``
    at each end, line width, and scientific notation forced on or off (``None``: chosen per tensor)."""
    o = PRINT_OPTS
    if profile is not None:
        if profile in _PROFILES:
            o.precision, o.threshold, o.edgeitems, o.linewidth = _PROFILES[profile]
    if precision is not None:
        o.precision = precision
    if threshold is not None:
        o.threshold = threshold
    if edgeitems is not None:
        o.edgeitems = edgeitems
    if linewidth is not None:
        o.linewidth = linewidth
    o.sci_mode = sci_mode


def get_printoptions() -> dict:
    return {k: getattr(PRINT_OPTS, k) for k in _PrintOptions.__slots__}


class _Formatter:
    def __init__(self, values: np.ndarray, opts: _PrintOptions):
        self.precision = p = opts.precision
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
        self.sci_mode = (hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4) if opts.sci_mode is None else opts.sci_mode
        if self.int_mode and not self.sci_mode:
            self.max_width = max(self.max_width, max(len(f"{v:.0f}") + 1 for v in vals))
        elif self.sci_mode:
            self.max_width = max(self.max_width, max(len(f"{v:.{p}e}") for v in vals))
        else:
            self.max_width = max(self.max_width, max(len(f"{v:.{p}f}") for v in vals))

    def format(self, value) -> str:
        if self.floating:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{self.precision}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{self.precision}f}"
        else:
            ret = _int_str(value)
        return (self.max_width - len(ret)) * " " + ret


def _int_str(v) -> str:
    if isinstance(v, bool):
        return "True" if v else "False"
    return str(v)


def _summarized(a: np.ndarray, edge: int) -> np.ndarray:
    """The elements PyTorch looks at to choose a format when it summarises."""
    if a.ndim == 0:
        return a
    if a.ndim > 1 and not edge:
        return a[:0].reshape(-1)
    if a.shape[0] > 2 * edge:
        parts = [a[:edge], a[a.shape[0] - edge:]]
    else:
        parts = [a]
    if a.ndim == 1:
        return np.concatenate(parts)
    return np.concatenate([_summarized(p_i, edge) for p in parts for p_i in p])


def _vector(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter, o: _PrintOptions) -> str:
    per_line = max(1, math.floor((o.linewidth - indent) / (fmt.max_width + 2)))
    edge = o.edgeitems
    if summarize and not edge:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * edge:
        data = [fmt.format(v) for v in a[:edge].tolist()] + [" ..."] + [
            fmt.format(v) for v in a[a.shape[0] - edge:].tolist()]
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter, o: _PrintOptions) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector(a, indent, summarize, fmt, o)
    n, edge = a.shape[0], o.edgeitems
    if summarize and n > 2 * edge:
        rows = [_nested(a[i], indent + 1, summarize, fmt, o) for i in range(edge)] + ["..."] + [
            _nested(a[i], indent + 1, summarize, fmt, o) for i in range(n - edge, n)]
    else:
        rows = [_nested(a[i], indent + 1, summarize, fmt, o) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def format_array(a, indent: int = 7, opts: _PrintOptions | None = None) -> str:
    """The body of a tensor's repr: ``format_array(np.array([0.5, 1.]))`` -> ``'[0.5000, 1.0000]'``
    (with the print options ``set_printoptions`` set, or ``opts``)."""
    o = PRINT_OPTS if opts is None else opts
    a = np.asarray(a)
    if a.size == 0:
        return "[]"
    summarize = a.size > o.threshold
    fmt = _Formatter(_summarized(a, o.edgeitems) if summarize else a, o)
    return _nested(a, indent, summarize, fmt, o)


def format_default(a, indent: int = 7) -> str:
    """``format_array`` with PyTorch's default print options, whatever ``set_printoptions`` said (the player)."""
    return format_array(a, indent=indent, opts=_DEFAULT)


def format_value(a) -> str:
    """A short one-line form for labels: ``3.``, ``0.5000``, ``[1., 2.]``."""
    a = np.asarray(a)
    if a.size > 6:
        return f"<{'x'.join(map(str, a.shape))} values>"
    return " ".join(format_array(a, indent=0, opts=_DEFAULT).split())
