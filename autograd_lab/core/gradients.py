"""``grad`` and ``backward`` of ``autograd_lab.autograd`` (``torch.autograd.grad``,
``torch.autograd.backward``): both seed the engine and run it; ``autograd.py`` re-exports them and
``autograd_functional.py`` (jacobian, hessian, vjp ...) calls ``grad``.
"""
from __future__ import annotations

from . import engine
from .tensor import Tensor

__all__ = ["grad", "backward"]


def _as_tuple(x, what: str) -> tuple:
    """A tensor, or any iterable of tensors (a list, a tuple, ``model.parameters()``), as torch takes them."""
    if isinstance(x, Tensor):
        return (x,)
    try:
        x = tuple(x)
    except TypeError:
        raise TypeError(f"'{type(x).__name__}' object is not iterable") from None
    for i in x:
        if not isinstance(i, Tensor):
            if what == "inputs":
                raise RuntimeError(f"all inputs have to be Tensors or GradientEdges, but got {type(i).__name__}")
            raise TypeError(f"autograd.grad: every element of {what} must be a Tensor, got {type(i).__name__}")
    return x


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None, create_graph: bool = False,
         allow_unused: bool | None = None, materialize_grads: bool = False) -> tuple:
    """Gradients of ``outputs`` w.r.t. ``inputs`` (a tuple, one per input), not stored in ``.grad``."""
    outs = _as_tuple(outputs, "outputs")
    ins = _as_tuple(inputs, "inputs")
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
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


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None, create_graph: bool = False,
             inputs=None) -> None:
    """``autograd.backward(z)`` is ``z.backward()``; several outputs are backwarded together."""
    outs = _as_tuple(tensors, "tensors")
    gts = (None,) * len(outs) if grad_tensors is None else (
        (grad_tensors,) if isinstance(grad_tensors, Tensor) else tuple(grad_tensors))
    seeds = tuple(engine._seed(o, g, k) for k, (o, g) in enumerate(zip(outs, gts)))
    if retain_graph is None:
        retain_graph = create_graph
    capture = None if inputs is None else engine.backward_inputs(inputs)
    engine.run_backward(outs, seeds, bool(retain_graph), bool(create_graph), capture, capture is not None, "backward",
                        into_grad=capture is not None)
