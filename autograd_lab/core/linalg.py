"""``torch.linalg``: the vector norms (``norm``, ``vector_norm``), one ``LinalgVectorNormBackward0`` node as in
PyTorch. The matrix functions (``inv``, ``det``, ``svd``, matrix norms ...) are not in the teaching subset:
they say so by name.

    >>> linalg.norm(tensor([3., 4.]))
    tensor(5.)
"""
from __future__ import annotations

import numbers

from .node import TensorBase as Tensor

__all__ = ["norm", "vector_norm"]


def _needs(fn: str, x) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"linalg_{fn}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def vector_norm(x, ord=2, dim=None, keepdim: bool = False, *, dtype=None):  # noqa: A002
    """(sum |x|^ord)^(1/ord) of all elements, or along ``dim``."""
    _needs("vector_norm", x)
    if not isinstance(ord, numbers.Real) or isinstance(ord, bool):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' must be Number, not {type(ord).__name__}")
    if dtype is not None:
        x = x.to(dtype)
    return x.norm(ord, dim, keepdim)


def norm(A, ord=None, dim=None, keepdim: bool = False, *, dtype=None):  # noqa: A002
    """A vector norm (of all elements when ``ord`` and ``dim`` are None, or along one ``dim``); the Frobenius
    norm of a matrix. The other matrix norms are left out (they need singular values)."""
    _needs("norm", A)
    two_dims = isinstance(dim, (tuple, list)) and len(dim) == 2
    if ord is None and (dim is None or not two_dims):
        return vector_norm(A, 2.0, dim, keepdim, dtype=dtype)
    if not two_dims and (dim is not None or A.ndim == 1):
        if isinstance(ord, str):
            raise RuntimeError(f"linalg.norm: If dim is specified, it mut be of length 1 or 2. Got {list(dim)}"
                               if dim is not None else
                               "linalg.vector_norm: ord must be a number when the input is a vector")
        return vector_norm(A, ord, dim, keepdim, dtype=dtype)
    if dim is None and A.ndim != 2:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.ndim}D.")
    if ord in (None, "fro"):
        return vector_norm(A, 2.0 if ord is None else 2, tuple(dim) if dim is not None else (0, 1), keepdim, dtype=dtype)
    raise NotImplementedError(f"torch.linalg.norm with ord={ord!r} (a matrix norm) is not supported in autograd_lab (a "
                              f"teaching subset of PyTorch): vector norms and the Frobenius norm ('fro') are")


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    raise NotImplementedError(f"torch.linalg.{name} is not supported in autograd_lab (a teaching subset of PyTorch): "
                              f"torch.linalg offers norm and vector_norm here")
