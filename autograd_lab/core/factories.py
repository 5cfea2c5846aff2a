"""Creation functions beyond ``tensor``/``zeros``/``ones``: ``full``, ``eye``, ``arange``, ``linspace``,
``empty``, the random ones (``rand``, ``randn``, ``randint`` and their ``*_like``), ``from_numpy``,
``manual_seed``, and the CPU-only ``device``/``cuda`` names.

The random numbers come from autograd_lab's own reproducible stream (numpy's PCG64, reseeded by
``manual_seed``): the same seed gives the same numbers every run, but not PyTorch's numbers.
"""
from __future__ import annotations

import numbers

import numpy as np

from .dtypes import Size, bool_, dtype, float32, float64, int64
from .device import CPU, backends, check_device, cuda, device  # noqa: F401
from .tensor import Tensor, _shape_arg, _size_kw, tensor

_DEFAULT_SEED = 67280421310721   # PyTorch's default seed (its numbers differ: the generator is numpy's)


class Generator:
    """The random stream of ``rand``/``randn``/``randint`` (``manual_seed`` reseeds it)."""

    def __init__(self, seed: int = _DEFAULT_SEED):
        self.manual_seed(seed)

    def manual_seed(self, seed: int) -> "Generator":
        if not isinstance(seed, numbers.Integral) or isinstance(seed, bool):
            raise TypeError(f"manual_seed expected an int, got {type(seed).__name__}")
        self._seed = int(seed)
        self._gen = None  # made on first use (importing numpy.random costs ~8 ms)
        return self

    @property
    def _rng(self):
        if self._gen is None:
            self._gen = np.random.Generator(np.random.PCG64(self._seed % 2 ** 64))
        return self._gen

    def initial_seed(self) -> int:
        return self._seed

    def __repr__(self) -> str:
        return "<torch._C.Generator object>"


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Reseed the random stream: later ``rand``/``randn``/``randint`` calls repeat (autograd_lab's own
    numbers, not PyTorch's)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    s = int(np.random.SeedSequence().entropy % 2 ** 63)
    default_generator.manual_seed(s)
    return s


def initial_seed() -> int:
    return default_generator.initial_seed()


# ---------------------------------------------------------------------------- creation
def _check_dtype(dt) -> None:
    if dt is not None and not isinstance(dt, dtype):
        raise TypeError(f"dtype must be a torch dtype such as torch.float32, got {dt!r}")


def _make(arr: np.ndarray, requires_grad: bool, dt, dev=None) -> Tensor:
    check_device(dev)
    if dt is not None:
        arr = arr.astype(dt.np)
    return tensor(arr, requires_grad=requires_grad)


def full(size, fill_value, *, dtype: dtype | None = None, device=None, requires_grad: bool = False) -> Tensor:
    """``full((2, 3), 7.0)``: a tensor of one value (its dtype inferred from the value, as in PyTorch)."""
    _check_dtype(dtype)
    shape = _shape_arg((size,) if isinstance(size, (tuple, list, Size)) else (size,))
    if dtype is None:
        dtype = bool_ if isinstance(fill_value, bool) else int64 if isinstance(fill_value, numbers.Integral) else float32
    return _make(np.full(shape, fill_value, dtype=dtype.np), requires_grad, None, device)


def empty(*size, dtype: dtype | None = None, device=None, requires_grad: bool = False, **kw) -> Tensor:
    """``empty(2, 3)``: in PyTorch uninitialised memory; here zeros (so nothing random shows)."""
    _check_dtype(dtype)
    size = _size_kw(size, kw, "empty")
    return _make(np.zeros(_shape_arg(size), dtype=(dtype or float32).np), requires_grad, None, device)


def eye(n: int, m: int | None = None, *, dtype: dtype | None = None, device=None, requires_grad: bool = False) -> Tensor:
    _check_dtype(dtype)
    _shape_arg((n,) if m is None else (n, m))
    return _make(np.eye(n, m, dtype=(dtype or float32).np), requires_grad, None, device)


def arange(start, end=None, step=1, *, dtype: dtype | None = None, device=None, requires_grad: bool = False) -> Tensor:
    """``arange(5)`` -> 0..4 (int64 for whole numbers, float32 as soon as one bound is a float)."""
    _check_dtype(dtype)
    if end is None:
        start, end = 0, start
    vals = [_number(v, "arange") for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0 and end != start:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    floats = any(isinstance(v, float) for v in vals)
    want = dtype or (float32 if floats else int64)
    n = max(int(np.ceil((end - start) / step)), 0)
    arr = (np.arange(n, dtype=np.float64) * step + start)
    return _make(arr.astype(want.np), requires_grad, None, device)


def _number(v, fn):
    if isinstance(v, Tensor):
        v = v.item()
    if not isinstance(v, numbers.Real):
        raise TypeError(f"{fn}() received an invalid combination of arguments - got ({type(v).__name__})")
    return v


def linspace(start, end, steps: int, *, dtype: dtype | None = None, device=None, requires_grad: bool = False) -> Tensor:
    """``linspace(0, 1, 5)``: ``steps`` evenly spaced values from ``start`` to ``end`` (float32)."""
    _check_dtype(dtype)
    start, end = _number(start, "linspace"), _number(end, "linspace")
    if not isinstance(steps, numbers.Integral) or steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    want = dtype or float32
    arr = np.linspace(start, end, int(steps), dtype=np.float64)
    return _make(arr.astype(want.np) if want.is_floating_point else np.trunc(arr).astype(want.np), requires_grad, None,
                 device)


def _rand_shape(size):
    return _shape_arg(size)


def _float_dtype(dt, fn):
    _check_dtype(dt)
    dt = dt or float32
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"{fn}\" not implemented for '{'Long' if dt is int64 else 'Bool'}'")
    return dt


def rand(*size, generator: Generator | None = None, dtype: dtype | None = None, device=None,
         requires_grad: bool = False, out=None, **kw) -> Tensor:
    """Uniform random values in [0, 1) (autograd_lab's stream: see ``manual_seed``)."""
    size = _size_kw(size, kw, "rand")
    dt = _float_dtype(dtype, "check_uniform_bounds")
    rng = (generator or default_generator)._rng
    return _make(rng.random(_rand_shape(size)).astype(dt.np), requires_grad, None, device)


def randn(*size, generator: Generator | None = None, dtype: dtype | None = None, device=None,
          requires_grad: bool = False, out=None, **kw) -> Tensor:
    """Standard normal random values (autograd_lab's stream: see ``manual_seed``)."""
    size = _size_kw(size, kw, "randn")
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    rng = (generator or default_generator)._rng
    return _make(rng.standard_normal(_rand_shape(size)).astype(dt.np), requires_grad, None, device)


def randint(low, high=None, size=None, *, generator: Generator | None = None, dtype: dtype | None = None, device=None,
            requires_grad: bool = False) -> Tensor:
    """``randint(0, 10, (3,))`` or ``randint(10, (3,))``: random whole numbers in [low, high) (int64)."""
    if size is None:
        if high is None:
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if not isinstance(size, (tuple, list, Size)):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not {type(size).__name__}")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    _check_dtype(dtype)
    rng = (generator or default_generator)._rng
    return _make(rng.integers(int(low), int(high), _shape_arg(tuple(size))).astype((dtype or int64).np),
                 requires_grad, None, device)


def randperm(n, *, generator: Generator | None = None, dtype: dtype | None = None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``randperm(5)``: the numbers 0..4 in a random order (int64; autograd_lab's stream)."""
    if not isinstance(n, numbers.Integral) or isinstance(n, bool):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    _check_dtype(dtype)
    rng = (generator or default_generator)._rng
    return _make(rng.permutation(int(n)).astype((dtype or int64).np), requires_grad, None, device)


def set_default_device(device) -> None:
    """``set_default_device("cpu")`` (or None): the CPU is the only device here, so nothing changes.
    (PyTorch accepts "cuda" here and fails at the next tensor made; autograd_lab refuses it at once.)"""
    check_device(device)


def get_default_device():
    return CPU


def _like(t, dtype_):
    if not isinstance(t, Tensor):
        raise TypeError(f"argument 'input' (position 1) must be Tensor, not {type(t).__name__}")
    return tuple(t.shape), dtype_ or t.dtype


def full_like(input, fill_value, *, dtype: dtype | None = None, device=None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(input, dtype)
    return full(shape, fill_value, dtype=dt, device=device, requires_grad=requires_grad)


def empty_like(input, *, dtype: dtype | None = None, device=None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(input, dtype)
    return empty(shape, dtype=dt, device=device, requires_grad=requires_grad)


def rand_like(input, *, dtype: dtype | None = None, device=None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(input, dtype)
    return rand(shape, dtype=dt, device=device, requires_grad=requires_grad)


def randn_like(input, *, dtype: dtype | None = None, device=None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(input, dtype)
    return randn(shape, dtype=dt, device=device, requires_grad=requires_grad)


def randint_like(input, low, high=None, *, dtype: dtype | None = None, device=None,
                 requires_grad: bool = False) -> Tensor:
    shape, dt = _like(input, dtype)
    if high is None:
        low, high = 0, low
    return randint(low, high, shape, dtype=dt, device=device, requires_grad=requires_grad)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing the numpy array's memory (float32, float64, int64 or bool)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    t = tensor(ndarray)
    if ndarray.ndim and t._data.dtype == ndarray.dtype:
        t._data = ndarray  # shares memory, as in PyTorch
    return t


def as_tensor(data, dtype: dtype | None = None, device=None) -> Tensor:
    check_device(device)
    if isinstance(data, Tensor) and (dtype is None or dtype is data.dtype):
        return data
    if isinstance(data, Tensor):
        return data.to(dtype)
    return tensor(data, dtype=dtype)


__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "default_generator", "device", "cuda", "backends",
           "full", "empty", "eye", "arange", "linspace", "rand", "randn", "randint", "full_like", "empty_like",
           "rand_like", "randn_like", "randint_like", "from_numpy", "as_tensor", "randperm", "set_default_device",
           "get_default_device"]


class _Accelerator:
    """``torch.accelerator``: there is none here (the tutorials then pick "cpu")."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def current_accelerator(check_available: bool = False):
        return None

    @staticmethod
    def device_count() -> int:
        return 0


accelerator = _Accelerator()
