"""The snippet runner behind ``test_core_parity.py``: run one code string with ``lab``
bound to ``autograd_lab`` and again with ``lab`` bound to ``torch``, and describe what
happened in a form the two runs can be compared in.

    >>> run("w = lab.tensor(2.0, requires_grad=True)\\nz = w * 3", autograd_lab)
    Outcome(names={'w': {...}, 'z': {...}}, error=None, warnings=[])

A description keeps what the lessons show: reprs (with ``0x...`` addresses normalised),
``grad_fn.name()`` and the whole ``next_functions`` graph below it, dtypes, shapes, flags
(``requires_grad``, ``is_leaf``, ``retains_grad``), values (compared with ``np.allclose``),
the exception (type and message) that ended the snippet, and every warning (category and
message). Both APIs are spelled the same, so one string serves both libraries.
"""
from __future__ import annotations

import math
import re
import textwrap
import types
import warnings
from dataclasses import dataclass, field

import numpy as np

_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def norm(text: str) -> str:
    """``<MulBackward0 object at 0x7f...>`` -> ``<MulBackward0 object at 0x...>``."""
    return _ADDRESS.sub("0x...", text)


class Approx:
    """A number or array that compares equal to another within float32 round-off (NaNs equal)."""

    def __init__(self, value, rtol: float = 1e-5, atol: float = 1e-6):
        self.value = np.asarray(value, dtype=np.float64)
        self.rtol, self.atol = rtol, atol

    def __eq__(self, other):
        if not isinstance(other, Approx):
            return NotImplemented
        a, b = self.value, other.value
        if a.shape != b.shape:
            return False
        same_inf = np.array_equal(np.isinf(a) & (a > 0), np.isinf(b) & (b > 0)) and np.array_equal(
            np.isinf(a) & (a < 0), np.isinf(b) & (b < 0))
        return same_inf and bool(np.allclose(a, b, rtol=self.rtol, atol=self.atol, equal_nan=True))

    def __repr__(self) -> str:
        v = self.value
        return f"≈{v.item()!r}" if v.ndim == 0 else f"≈{v.tolist()!r}"


def _is_tensor(v) -> bool:
    return all(hasattr(type(v), a) for a in ("grad_fn", "requires_grad", "is_leaf", "detach"))


def _is_node(v) -> bool:
    return hasattr(v, "next_functions") and hasattr(v, "name") and not _is_tensor(v)


def describe_graph(node, depth: int = 0):
    """``name()`` of a node and, recursively, of everything along its ``next_functions``."""
    if node is None:
        return None
    if depth > 40:
        return "..."
    name = node.name()
    if name == "torch::autograd::AccumulateGrad":
        return (name, norm(repr(node.variable)))
    return (name, tuple((describe_graph(n, depth + 1), i) for n, i in node.next_functions))


def describe(v, depth: int = 0):
    """A comparable description of one value found in a snippet's namespace."""
    if depth > 6:
        return "..."
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, str):
        return norm(v)
    if isinstance(v, int):
        return ("int", v)
    if isinstance(v, float):
        return ("float", Approx(v))
    if _is_tensor(v):
        d = v.detach()
        values = Approx(np.array(d.tolist(), dtype=np.float64)) if d.dtype.is_floating_point else d.tolist()
        return {
            "repr": norm(repr(v)), "dtype": repr(v.dtype), "shape": repr(v.shape), "values": values,
            "requires_grad": v.requires_grad, "is_leaf": v.is_leaf, "retains_grad": v.retains_grad,
            "grad_fn": describe_graph(v.grad_fn),
        }
    if _is_node(v):
        return {"repr": norm(repr(v)), "graph": describe_graph(v)}
    if isinstance(v, (tuple, list)) and type(v).__name__ != "Size":
        return (type(v).__name__, tuple(describe(x, depth + 1) for x in v))
    if isinstance(v, dict):
        return {k: describe(x, depth + 1) for k, x in v.items()}
    if isinstance(v, np.ndarray):
        return ("ndarray", str(v.dtype), Approx(v) if v.dtype.kind == "f" else v.tolist())
    return ("repr", norm(repr(v)))


def _kept(name: str, v) -> bool:
    if name.startswith("_") or name in ("lab", "np", "math"):
        return False
    if isinstance(v, (types.ModuleType, type)) or (callable(v) and not _is_tensor(v) and not _is_node(v)
                                                    and not hasattr(v, "remove") and not hasattr(v, "step")):
        return False
    return True


@dataclass
class Outcome:
    names: dict = field(default_factory=dict)
    error: tuple | None = None
    warnings: list = field(default_factory=list)


def run(code: str, lib) -> Outcome:
    """Execute ``code`` with ``lab = lib``; describe its variables, error and warnings."""
    ns = {"lab": lib, "np": np, "math": math}
    out = Outcome()
    with warnings.catch_warnings(record=True) as caught:
        # Every UserWarning is shown each time (PyTorch's are per call). numpy's RuntimeWarnings
        # are left out here: the core silences them with a filter installed at import, which
        # pytest's own catch_warnings blocks drop, so test_core_engine checks them in a fresh
        # interpreter instead (test_no_numpy_warnings).
        warnings.simplefilter("always", UserWarning)
        try:
            exec(compile(textwrap.dedent(code), "<snippet>", "exec"), ns)
        except Exception as e:  # noqa: BLE001 - the exception is part of what is compared
            out.error = (type(e).__name__, norm(str(e)))
        out.names = {k: describe(v) for k, v in ns.items() if _kept(k, v)}
    out.warnings = [(w.category.__name__, norm(str(w.message))) for w in caught
                    if not issubclass(w.category, RuntimeWarning)]
    return out
