"""``autograd.grad`` and ``autograd.backward``, as in ``torch.autograd``.

    >>> w = tensor(2.0, requires_grad=True)
    >>> y = w * 3
    >>> grad(y, w)
    (tensor(3.),)

``grad`` returns the gradients of ``outputs`` with respect to ``inputs`` without
storing anything in ``.grad``; like ``backward()`` it frees the graph's saved values
unless ``retain_graph=True``.
"""
from __future__ import annotations

import importlib
import sys

from . import engine
from .grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled  # noqa: F401
from .tensor import Tensor

__all__ = ["grad", "backward", "Function", "graph", "functional"]

# ``from autograd_lab.autograd import Function`` works too
__path__: list = []  # submodules (graph, functional) are found by autograd_lab._AliasFinder
sys.modules.setdefault("autograd_lab.autograd", sys.modules[__name__])

# loaded on first use (``import autograd_lab`` stays cheap)
_LAZY = {"Function": ("custom_function", "Function"), "once_differentiable": ("custom_function", "once_differentiable"),
         "graph": ("autograd_graph", None), "functional": ("autograd_functional", None)}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'autograd_lab.autograd' has no attribute '{name}'")
    mod_name, attr = _LAZY[name]
    mod = importlib.import_module(f"{__package__}.{mod_name}")
    if attr is None:
        sys.modules.setdefault(f"autograd_lab.autograd.{name}", mod)
        return mod
    return getattr(mod, attr)


def _as_tuple(x, what: str) -> tuple:
    if isinstance(x, Tensor):
        return (x,)
    if isinstance(x, (list, tuple)):
        for i in x:
            if not isinstance(i, Tensor):
                raise TypeError(f"autograd.grad: every element of {what} must be a Tensor, got {type(i).__name__}")
        return tuple(x)
    raise TypeError(f"autograd.grad: {what} must be a Tensor or a sequence of Tensors, got {type(x).__name__}")


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None, create_graph: bool = False,
         allow_unused: bool | None = None, materialize_grads: bool = False) -> tuple:
    """Gradients of ``outputs`` w.r.t. ``inputs`` (a tuple, one per input), not stored in ``.grad``."""
    outs = _as_tuple(outputs, "outputs")
    ins = _as_tuple(inputs, "inputs")
    if grad_outputs is None:
        gos = (None,) * len(outs)
    else:
        gos = (grad_outputs,) if isinstance(grad_outputs, Tensor) else tuple(grad_outputs)
        if len(gos) != len(outs):
            raise RuntimeError("grad can be implicitly created only for scalar outputs"
                               if not gos else
                               f"Mismatch in number of gradients: got {len(gos)} gradients for {len(outs)} outputs")
    for i in ins:
        if not i.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    seeds = tuple(engine._seed(o, g, k) for k, (o, g) in enumerate(zip(outs, gos)))
    if retain_graph is None:
        retain_graph = create_graph
    allow = bool(allow_unused) or materialize_grads
    return engine.run_backward(outs, seeds, bool(retain_graph), bool(create_graph), list(ins), allow, "autograd.grad",
                               bool(materialize_grads))


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
    """``autograd.backward(z)`` is ``z.backward()``; several outputs are backwarded together."""
    outs = _as_tuple(tensors, "tensors")
    gts = (None,) * len(outs) if grad_tensors is None else (
        (grad_tensors,) if isinstance(grad_tensors, Tensor) else tuple(grad_tensors))
    seeds = tuple(engine._seed(o, g, k) for k, (o, g) in enumerate(zip(outs, gts)))
    if retain_graph is None:
        retain_graph = create_graph
    engine.run_backward(outs, seeds, bool(retain_graph), bool(create_graph), None, False, "backward")
