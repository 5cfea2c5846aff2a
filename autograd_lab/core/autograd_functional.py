"""``autograd.functional``: ``jacobian`` and ``hessian``, built from ``autograd.grad`` one output element
at a time (as PyTorch does without ``vectorize=True``), and the products ``vjp``, ``jvp``, ``vhp``, ``hvp``."""
from __future__ import annotations

import numpy as np

from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled
from .gradients import grad
from .tensor import Tensor, zeros, zeros_like

__all__ = ["jacobian", "hessian", "vjp", "jvp", "vhp", "hvp"]


def _as_inputs(inputs, fn: str = "jacobian"):
    is_tuple, ins = _tupled(inputs, "inputs", fn)
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
    is_tuple, ins = _as_inputs(inputs, "hessian")

    def first(*xs):
        with enable_grad():
            out = func(*xs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError("The function given to hessian should return a single element Tensor")
        gs = grad(out.reshape(()), xs, create_graph=True, allow_unused=True)
        gs = tuple(zeros(tuple(x.shape), dtype=x.dtype) if g is None else g for g, x in zip(gs, xs))
        return gs if is_tuple else gs[0]

    return jacobian(first, inputs if is_tuple else ins[0], create_graph=create_graph, strict=strict)


# ---------------------------------------------------------------------------- products with a vector
# vjp, jvp, vhp and hvp take PyTorch's steps (torch/autograd/functional.py): the same checks, in the same
# order, with the same messages; jvp and hvp get forward-mode products from reverse mode by the "double
# backward trick" (differentiate the gradient with respect to a zero grad_outputs that requires grad).

def _tupled(value, arg: str, fn: str):
    """(was it a tuple, the tuple of tensors), or PyTorch's TypeError naming ``arg``."""
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f"value at index {i}" if is_tuple else f"given {arg}"
            raise TypeError(f"The {arg} given to {fn} must be either a Tensor or a tuple of Tensors but the {where} has "
                            f"type {type(el)}.")
    return is_tuple, items


def _prepared(ts, create_graph: bool, need_graph: bool):
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(need_graph)
                 for t in ts)


def _vector(v, like, like_is_tuple: bool, fn: str, create_graph: bool, none_text: str):
    """``v`` checked against ``like`` (its shapes), or None where PyTorch allows it."""
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(none_text)
        return None
    _, v = _tupled(v, "v", fn)
    v = _prepared(v, create_graph, False)
    if len(v) != len(like):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(like)} but got {len(v)}." if like_is_tuple
                           else "The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, like)):
        if a.shape != b.shape:
            raise RuntimeError(f"{f'Entry {i} in ' if like_is_tuple else ''}v has invalid size: should be {b.shape} but "
                               f"got {a.shape}.")
    return v


_NONE_OUT = "The vector v can only be None if the user-provided function returns a single Tensor with a single element."
_NONE_IN = ("The vector v can only be None if the input to the user-provided function is a single Tensor with a single "
            "element.")


def _outputs_checked(outs, fn: str, strict: bool):
    is_tuple, outs = _tupled(outs, "outputs of the user-provided function", fn)
    if strict:
        for i, o in enumerate(outs):
            if not o.requires_grad:
                raise RuntimeError(f"Output {i} of the user-provided function does not require gradients. The outputs "
                                   f"must be computed in a differentiable manner from the input when running in strict "
                                   f"mode.")
    return is_tuple, outs


def _grads(outputs, inputs, grad_outputs=None, create_graph=False):
    """autograd.grad of the outputs that require grad (None for every input when none does)."""
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else grad_outputs
    kept = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not kept:
        return (None,) * len(inputs)
    return grad(tuple(o for o, _ in kept), inputs, tuple(g for _, g in kept), allow_unused=True,
                create_graph=create_graph)


_INDEPENDENT = {
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when using the "
                  "double backward trick to compute forward mode gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not allowed in "
                   "strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the grad_jacobian. "
                         "This is not allowed in strict mode as it prevents from using the double backward trick to "
                         "replace forward mode AD.",
}


def _zeros_for_none(grads, refs, strict: bool, create_graph: bool, stage: str):
    out = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_INDEPENDENT[stage].format(i=i))
            g = zeros(tuple(ref.shape), dtype=ref.dtype)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of input {i}. This is not "
                               f"allowed in strict mode when create_graph=True.")
        out.append(g)
    return tuple(out)


def _finished(ts, create_graph: bool, as_tuple: bool):
    ts = ts if create_graph else tuple(t.detach() for t in ts)
    return ts if as_tuple else ts[0]


def _check_grads_depend(gs, strict: bool, kind: str):
    if not strict:
        return
    for i, g in enumerate(gs):
        if g is None:
            raise RuntimeError(_INDEPENDENT["back"].format(i=i))
        if not g.requires_grad:
            raise RuntimeError(_DEPENDS[kind].format(i=i))


_DEPENDS = {
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the user-provided function. "
                   "This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided function with respect to input "
                "{i} is independent of the input. This is not allowed in strict mode. You should ensure that your "
                "function is twice differentiable and that the jacobian depends on the inputs (this would be violated "
                "by a linear function for example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is independent of the input. This is "
               "not allowed in strict mode. You should ensure that your function is thrice differentiable and that the "
               "hessian depends on the inputs.",
}


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T J): the vector-Jacobian product, the gradient ``backward(v)`` would give the inputs."""
    with enable_grad():
        in_tuple, ins = _tupled(inputs, "inputs", "vjp")
        ins = _prepared(ins, create_graph, True)
        out_tuple, outs = _outputs_checked(func(*ins), "vjp", strict)
        v = _vector(v, outs, out_tuple, "vjp", create_graph, _NONE_OUT)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _zeros_for_none(_grads(outs, ins, v, create_graph), ins, strict, create_graph, "back")
    return _finished(outs, create_graph, out_tuple), _finished(res, create_graph, in_tuple)


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J v): the Jacobian-vector product (forward mode), by the double backward trick."""
    with enable_grad():
        in_tuple, ins = _tupled(inputs, "inputs", "jvp")
        ins = _prepared(ins, create_graph, True)
        v = _vector(v, ins, in_tuple, "jvp", create_graph, _NONE_IN)
        out_tuple, outs = _outputs_checked(func(*ins), "jvp", strict)
        u = tuple(zeros_like(o, requires_grad=True) for o in outs)
        g_in = _grads(outs, ins, u, create_graph=True)
        _check_grads_depend(g_in, strict, "grad_inputs")
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _zeros_for_none(_grads(g_in, u, v, create_graph), outs, strict, create_graph, "back_trick")
    return _finished(outs, create_graph, out_tuple), _finished(res, create_graph, out_tuple)


def _scalar_function(func, ins, fn: str, strict: bool):
    out_tuple, outs = _outputs_checked(func(*ins), fn, strict)
    if out_tuple:
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain a single element")
    return outs


def _hessian_start(func, inputs, v, create_graph: bool, strict: bool, fn: str):
    """vhp's and hvp's first steps: the inputs, v, the scalar output and its gradient (with its graph)."""
    in_tuple, ins = _tupled(inputs, "inputs", fn)
    ins = _prepared(ins, create_graph, True)
    v = _vector(v, ins, in_tuple, fn, create_graph, _NONE_IN)
    outs = _scalar_function(func, ins, fn, strict)
    jac = _grads(outs, ins, create_graph=True)
    _check_grads_depend(jac, strict, "jacobian")
    return in_tuple, ins, v, outs, jac


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T H) for a function with one scalar output."""
    with enable_grad():
        in_tuple, ins, v, outs, jac = _hessian_start(func, inputs, v, create_graph, strict, "vhp")
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _zeros_for_none(_grads(jac, ins, v, create_graph), ins, strict, create_graph, "double_back")
    return _finished(outs, create_graph, False), _finished(res, create_graph, in_tuple)


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), H v) for a function with one scalar output, by the double backward trick."""
    with enable_grad():
        in_tuple, ins, v, outs, jac = _hessian_start(func, inputs, v, create_graph, strict, "hvp")
        u = tuple(zeros_like(x, requires_grad=True) for x in ins)
        back = _grads(jac, ins, u, create_graph=True)
        _check_grads_depend(jac, strict, "hessian")
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _zeros_for_none(_grads(back, u, v, create_graph), ins, strict, create_graph, "double_back_trick")
    return _finished(outs, create_graph, False), _finished(res, create_graph, in_tuple)


_ = np  # (numpy kept for array helpers)
