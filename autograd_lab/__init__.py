"""autograd_lab: PyTorch's automatic differentiation, small enough to watch.

A pure-Python autograd core with PyTorch's names (``tensor``, ``backward``, ``grad_fn``,
``next_functions``, ``AccumulateGrad`` ...) that records every step as events, and a
player that animates them on the computation graph::

    import autograd_lab as lab
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        z = w * 3 + 1
        z.backward()
    lab.Player(t)

The viewer (``Player``, ``Playground``, ``exercises``) is imported lazily, so
``import autograd_lab`` costs little more than ``import numpy``.
"""
from __future__ import annotations

from .core.tensor import (Size, Tensor, bool_, dtype, float32, float64, int64, is_tensor, ones, ones_like,
                          tensor, zeros, zeros_like)
from .core import autograd, optim
from .core.function import module_functions as _module_functions
from .record.events import Trace, trace
from .core.node import AccumulateGrad, Node
from .core.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

float = float32  # noqa: A001  (torch.float)
double = float64
long = int64
bool = bool_  # noqa: A001

__version__ = "0.1.0"

# autograd_lab.exp(x), autograd_lab.sin(x) ...: the functions the op declarations make (core/ops/)
globals().update(_module_functions())

__all__ = [
    "Tensor", "tensor", "zeros", "ones", "zeros_like", "ones_like", "is_tensor",
    "dtype", "float32", "float64", "int64", "bool_", "Size",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "autograd", "optim", "Node", "AccumulateGrad",
    "trace", "Trace", "Player", "Playground", "exercises",
]

# The viewer's names load on first use (``import autograd_lab`` stays as cheap as numpy).
_LAZY = {"Player": ("view.player", "Player"), "Playground": ("playground", "Playground")}
_LAZY_MODULES = {"exercises": "lessons.exercises", "playground": "playground", "player": "view.player",
                 "graph": "view.graph", "scene": "view.scene"}


def __getattr__(name: str):
    import importlib
    if name in _LAZY:
        mod, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{mod}", __name__), attr)
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{_LAZY_MODULES[name]}", __name__)
    raise AttributeError(f"module 'autograd_lab' has no attribute '{name}'")
