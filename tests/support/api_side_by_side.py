"""Run one snippet with ``autograd_lab`` and with ``torch`` and compare what it prints (or raises)."""
from __future__ import annotations

import contextlib
import io
import re
import warnings

import autograd_lab
from tests.support.requirements import require_torch


def outcome(fn, lib):
    """What ``fn(lib)`` prints, its repr'd result, and the exception or warnings it gives, as text."""
    buf = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(buf):
        warnings.simplefilter("always")
        try:
            result = fn(lib)
            err = None
        except Exception as e:  # noqa: BLE001 - compared, not hidden
            result, err = None, f"{type(e).__name__}: {e}"
    text = _ADDRESS.sub("at 0x...", buf.getvalue())
    return text, (None if result is None else _show(result)), err, [str(w.message) for w in caught]


_ADDRESS = re.compile(r"at 0x[0-9a-f]+")


def _show(r):
    if isinstance(r, (tuple, list)):
        return type(r).__name__ + "(" + ", ".join(_show(x) for x in r) + ")"
    return _ADDRESS.sub("at 0x...", repr(r))


def same(fn):
    """Assert that ``fn(autograd_lab)`` and ``fn(torch)`` print, return, raise and warn the same."""
    torch = require_torch()
    ours, theirs = outcome(fn, autograd_lab), outcome(fn, torch)
    assert ours == theirs
    return ours
