"""``autograd.grad`` and ``autograd.backward``, as in ``torch.autograd``.

    >>> w = tensor(2.0, requires_grad=True)
    >>> y = w * 3
    >>> grad(y, w)
    (tensor(3.),)

``grad`` returns the gradients of ``outputs`` with respect to ``inputs`` without
storing anything in ``.grad``; like ``backward()`` it frees the graph's saved values
unless ``retain_graph=True``.

``grad`` and ``backward`` are defined in gradients.py, which the lazily loaded
``autograd.functional`` imports too (it does not import this module).
"""
from __future__ import annotations

import importlib
import sys

from .grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled  # noqa: F401
from .gradients import backward, grad  # noqa: F401  (defined below the lazy modules that use them)
from .variable import Variable  # noqa: F401  (the pre-0.4 wrapper: returns a Tensor)

__all__ = ["grad", "backward", "Function", "graph", "functional", "Variable", "profiler", "gradcheck", "gradgradcheck"]

# ``from autograd_lab.autograd import Function`` works too
__path__: list = []  # submodules (graph, functional) are found by autograd_lab._AliasFinder
sys.modules.setdefault("autograd_lab.autograd", sys.modules[__name__])

# loaded on first use (``import autograd_lab`` stays cheap)
_LAZY = {"Function": ("custom_function", "Function"), "once_differentiable": ("custom_function", "once_differentiable"),
         "function": ("custom_function", None), "graph": ("autograd_graph", None), "functional": ("autograd_functional", None),
         "profiler": ("autograd_profiler", None), "gradcheck": ("autograd_gradcheck", "gradcheck"),
         "gradgradcheck": ("autograd_gradcheck", "gradgradcheck")}


def __getattr__(name: str):
    if name not in _LAZY:
        from .messages import missing_attribute
        raise missing_attribute("module 'autograd_lab.autograd'", name)
    mod_name, attr = _LAZY[name]
    mod = importlib.import_module(f"{__package__}.{mod_name}")
    if attr is None:
        sys.modules.setdefault(f"autograd_lab.autograd.{name}", mod)
        return mod
    return getattr(mod, attr)
