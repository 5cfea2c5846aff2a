"""``autograd.gradcheck`` and ``autograd.gradgradcheck``: a function's gradients (and second
derivatives) compared with central finite differences, as PyTorch's checks do (slow mode).

    >>> x = tensor([1., 2.], dtype=float64, requires_grad=True)
    >>> gradcheck(sin, (x,))
    True

The numerical Jacobian perturbs each element of each input that requires grad by ``eps`` (both
ways); the analytical one runs ``autograd.grad`` once per output element. A mismatch raises
``GradcheckError`` with both Jacobians (rows: input elements, columns: output elements), or
returns False with ``raise_exception=False``.
"""
from __future__ import annotations

import warnings

import numpy as np

from .dtypes import float64
from .gradients import grad
from .tensor import Tensor, tensor


class GradcheckError(RuntimeError):
    """A gradient differs from its finite-difference estimate."""


GradcheckError.__module__ = "torch.autograd.gradcheck"


def _as_tuple(x) -> tuple:
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _differentiable(ts) -> list:
    return [i for i, t in enumerate(ts) if isinstance(t, Tensor) and t.requires_grad]


def _numerical(func, inputs, i, out_index, eps) -> np.ndarray:
    """d outputs[out_index] / d inputs[i] by central differences: (input numel, output numel)."""
    x = inputs[i]
    arr = x._array()
    original = arr.copy()
    start = original.reshape(-1)
    columns = []
    for j in range(arr.size):  # (grad mode stays on: gradgradcheck's function calls autograd.grad)
        arr.flat[j] = start[j] + eps  # (.flat writes the tensor's own values, whatever their layout)
        plus = np.array(_as_tuple(func(*inputs))[out_index]._data).reshape(-1)
        arr.flat[j] = start[j] - eps
        minus = np.array(_as_tuple(func(*inputs))[out_index]._data).reshape(-1)
        np.copyto(arr, original)
        columns.append((plus - minus) / (2 * eps))  # (in the output's dtype, as PyTorch divides)
    n_out = np.size(_as_tuple(func(*inputs))[out_index]._data) if not columns else columns[0].size
    return np.array(columns).reshape(arr.size, n_out)


def _analytical(output, inputs, i) -> np.ndarray:
    """d output / d inputs[i] by autograd, one output element at a time: (input numel, output numel)."""
    x = inputs[i]
    rows = np.zeros((x.numel(), output.numel()), dtype=x._data.dtype)
    for k in range(output.numel()):
        seed = np.zeros(output.numel(), dtype=output._data.dtype)
        seed[k] = 1
        g, = grad(output, [x], tensor(seed.reshape(output.shape)), retain_graph=True, allow_unused=True)
        if g is not None:
            rows[:, k] = np.asarray(g._data).reshape(-1)
    return rows


def gradcheck(func, inputs, *, eps: float = 1e-06, atol: float = 1e-05, rtol: float = 0.001,
              raise_exception: bool = True, **options) -> bool:
    """True if ``func``'s gradients at ``inputs`` match finite differences (float64 inputs advised)."""
    inputs = _as_tuple(inputs)
    wrt = _differentiable(inputs)
    if not wrt:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of them "
                         "have requires_grad=True.")
    for i in wrt:
        if inputs[i].dtype is not float64:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or complex. "
                          "This check will likely fail if all the inputs are not of double precision floating point "
                          "or complex. ", UserWarning, stacklevel=2)
    outputs = _as_tuple(func(*inputs))
    for o_index, out in enumerate(outputs):
        if not (isinstance(out, Tensor) and out.requires_grad):
            continue
        for n, i in enumerate(wrt):
            numerical = _numerical(func, inputs, i, o_index, eps)
            analytical = _analytical(out, inputs, i)
            if not np.allclose(analytical, numerical, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"Jacobian mismatch for output {o_index} with respect to input {n},\n"
                    f"numerical:{tensor(numerical)!r}\nanalytical:{tensor(analytical)!r}\n")  # (their dtypes)
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-06, atol: float = 1e-05, rtol: float = 0.001,
                  raise_exception: bool = True, **options) -> bool:
    """``gradcheck`` of the gradients of ``func`` (made with ``create_graph=True``): its second derivatives."""
    inputs = _as_tuple(inputs)
    outputs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor) and o.requires_grad]
    if grad_outputs is None:  # random gradients in [-1, 1), as PyTorch's (drawn from the seeded random stream)
        from .factories import rand
        grad_outputs = tuple((rand(*o.shape, dtype=o.dtype) * 2 - 1).requires_grad_() for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def first_derivatives(*args):
        ins, gos = args[:n], args[n:]
        outs = [o for o in _as_tuple(func(*ins)) if isinstance(o, Tensor) and o.requires_grad]
        wrt = [ins[i] for i in _differentiable(ins)]
        grads = grad(outs, wrt, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
