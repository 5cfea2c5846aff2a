"""``autograd.functional.jacobian`` and ``hessian``, built from ``autograd.grad`` one output element
at a time (as PyTorch does without ``vectorize=True``)."""
from __future__ import annotations

import numpy as np

from .grad_mode import enable_grad
from .gradients import grad
from .tensor import Tensor, zeros

__all__ = ["jacobian", "hessian"]


def _as_inputs(inputs):
    is_tuple = isinstance(inputs, tuple)
    ins = inputs if is_tuple else (inputs,)
    for i, t in enumerate(ins):
        if not isinstance(t, Tensor):
            raise TypeError(f"The inputs given to jacobian must be either a Tensor or a tuple of Tensors but the "
                            f"value at index {i} has type {type(t).__name__}.")
    return is_tuple, tuple(t.detach().requires_grad_(True) if t.dtype.is_floating_point else t.detach() for t in ins)


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode"):
    """d func(inputs) / d inputs: for an output of shape O and an input of shape I, a tensor of shape O + I
    (a tuple per output and per input when there are several)."""
    if strategy != "reverse-mode":
        raise NotImplementedError("jacobian: autograd_lab computes the reverse-mode Jacobian only")
    is_tuple, ins = _as_inputs(inputs)
    with enable_grad():
        outs = func(*ins)
    out_tuple = isinstance(outs, tuple)
    outs_t = outs if out_tuple else (outs,)
    for i, o in enumerate(outs_t):
        if not isinstance(o, Tensor):
            raise TypeError(f"The outputs of the user-provided function given to jacobian must be either a Tensor "
                            f"or a tuple of Tensors but the value at index {i} has type {type(o).__name__}.")
    result = []
    for o in outs_t:
        rows = [[] for _ in ins]
        flat = o.reshape(-1)
        for k in range(flat.numel()):
            if o.requires_grad:
                with enable_grad():
                    gs = grad(flat[k], ins, retain_graph=True, create_graph=create_graph, allow_unused=True)
            else:
                gs = (None,) * len(ins)
            for j, (g, x) in enumerate(zip(gs, ins)):
                if g is None:
                    if strict:
                        raise RuntimeError(f"Output {len(result)} of the user-provided function is independent of "
                                           f"input {j}. This is not allowed in strict mode.")
                    g = zeros(tuple(x.shape), dtype=x.dtype)
                rows[j].append(g)
        per_input = []
        for j, x in enumerate(ins):
            shape = tuple(o.shape) + tuple(x.shape)
            if rows[j]:
                from .ops.combine import stack
                j_t = stack(rows[j]).reshape(shape) if create_graph else _detached(stack(rows[j]).reshape(shape))
            else:
                j_t = zeros(shape, dtype=x.dtype)
            per_input.append(j_t)
        result.append(tuple(per_input) if is_tuple else per_input[0])
    return tuple(result) if out_tuple else result[0]


def _detached(t):
    return t.detach()


def hessian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode"):
    """The matrix of second derivatives of a function with one scalar output."""
    is_tuple, ins = _as_inputs(inputs)

    def first(*xs):
        with enable_grad():
            out = func(*xs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError("The function given to hessian should return a single element Tensor")
        gs = grad(out.reshape(()), xs, create_graph=True, allow_unused=True)
        gs = tuple(zeros(tuple(x.shape), dtype=x.dtype) if g is None else g for g, x in zip(gs, xs))
        return gs if is_tuple else gs[0]

    return jacobian(first, inputs if is_tuple else ins[0], create_graph=create_graph, strict=strict)


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    is_tuple, ins = _as_inputs(inputs)
    with enable_grad():
        out = func(*ins)
    gs = grad(out, ins, grad_outputs=v, create_graph=create_graph, allow_unused=True)
    gs = tuple(zeros(tuple(x.shape), dtype=x.dtype) if g is None else g for g, x in zip(gs, ins))
    return out.detach(), (gs if is_tuple else gs[0])


_ = np  # (numpy kept for array helpers)
