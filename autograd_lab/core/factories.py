"""Creation functions beyond ``tensor``/``zeros``/``ones``: ``full``, ``eye``, ``arange``, ``linspace``,
``empty``, the random ones (``rand``, ``randn``, ``randint`` and their ``*_like``), ``from_numpy``,
``manual_seed``, and the CPU-only ``device``/``cuda`` names.

The random numbers are PyTorch's: its CPU generator (mt19937) and the transforms of its kernels,
redone in ``rng.py``, so ``manual_seed(s)`` followed by the same calls gives PyTorch's numbers.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .dtypes import Size, bool_, dtype, float32, float64, int64, uint8
from .device import CPU, backends, check_device, cuda, device  # noqa: F401
from .rng import Generator, default_generator
from . import rng as _rng
from .tensor import Tensor, _shape_arg, _size_kw, tensor

# ---------------------------------------------------------------------------- random stream (rng.py)
def manual_seed(seed) -> Generator:
    """Reseed the random stream: later ``rand``/``randn``/``randint``/``randperm`` calls and
    ``nn.Linear``'s initial weights repeat PyTorch's own numbers for that seed (see ``rng.py``)."""
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def _get_state(self: Generator) -> Tensor:
    """``Generator.get_state()``: the state as PyTorch lays it out (5056 bytes, uint8)."""
    return tensor(self._state_bytes(), dtype=uint8)


def _set_state(self: Generator, new_state) -> Generator:
    return self._set_state_bytes(new_state._array() if isinstance(new_state, Tensor) else np.asarray(new_state))


Generator.get_state, Generator.set_state = _get_state, _set_state  # (rng.py does not make tensors)


def get_rng_state() -> Tensor:
    """The default generator's state as PyTorch lays it out (5056 bytes, uint8)."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


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
    if want in (float32, float64):
        return _make(_arange_as_torch(float(start), float(step), n, want.np), requires_grad, None, device)
    arr = (np.arange(n, dtype=np.float64) * step + start)
    return _make(arr.astype(want.np), requires_grad, None, device)


def _arange_as_torch(start: float, step: float, n: int, np_dt) -> np.ndarray:
    """PyTorch's CPU arange for float32/float64: values ``start + step * i`` as float64 fused
    multiply-adds, in the pattern of its vector loop (AVX2 vectors of 8 floats / 4 doubles, taken
    two at a time): each vector starts at ``start + step * k`` (rounded to float32 for float32) and
    adds ``step * lane``; the elements after the last pair of vectors are computed one by one.
    (Above 32768 values PyTorch splits the loop between threads: the last bits may then differ.)"""
    width = 8 if np.dtype(np_dt) == np.float32 else 4
    idx = np.arange(n, dtype=np.float64)
    vec = (n // (2 * width)) * 2 * width
    out = _rng._fma64(idx[vec:], step, start).astype(np_dt) if n > vec else np.empty(0, np_dt)
    if vec:
        bases = _rng._fma64(idx[:vec:width], step, start).astype(np_dt).astype(np.float64)
        lanes = np.tile(np.arange(width, dtype=np.float64), vec // width)
        head = _rng._fma_arrays64(lanes, step, np.repeat(bases, width)).astype(np_dt)
        out = np.concatenate([head, out])
    return out


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
    if want in (float32, float64):
        return _make(_linspace_as_torch(start, end, int(steps), want.np), requires_grad, None, device)
    arr = np.linspace(start, end, int(steps), dtype=np.float64)
    return _make(arr.astype(want.np) if want.is_floating_point else np.trunc(arr).astype(want.np), requires_grad, None,
                 device)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype: dtype | None = None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``logspace(0, 2, 3)`` -> 1, 10, 100: ``base ** e`` for ``steps`` exponents spaced evenly from
    ``start`` to ``end``, computed as PyTorch's CPU code does (exponents in float64 from both ends,
    the C library's ``pow``, then rounded to the dtype)."""
    _check_dtype(dtype)
    start, end = _number(start, "logspace"), _number(end, "logspace")
    if not isinstance(steps, numbers.Integral) or steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    want = dtype or float32
    lo, hi = float(want.np.type(start)), float(want.np.type(end))
    base, steps = float(base), int(steps)
    if steps == 1:
        exps = [lo]
    else:
        step = float(want.np.type(hi) - want.np.type(lo)) / (steps - 1)  # the difference in the dtype
        exps = [lo + step * i if i < steps // 2 else hi - step * (steps - i - 1) for i in range(steps)]
    vals = np.array([math.pow(base, e) for e in exps], np.float64)
    return _make(vals.astype(want.np) if want.is_floating_point else np.trunc(vals).astype(want.np), requires_grad,
                 None, device)


def _linspace_as_torch(start, end, steps: int, np_dt) -> np.ndarray:
    """PyTorch's CPU linspace in its own dtype: ``step = (end - start) / (steps - 1)``, the first half
    ``start + step * i`` and the second half ``end - step * (steps - 1 - i)``, each one fused
    multiply-add (float32 ``linspace(0, 2 pi, 25)`` then ends in the same last bits as torch's)."""
    np_dt = np.dtype(np_dt).type
    lo, hi = np_dt(start), np_dt(end)
    if steps <= 1:
        return np.full(steps, lo, np_dt)
    step = (hi - lo) / np_dt(steps - 1)
    idx = np.arange(steps)
    half = steps // 2
    fma = _rng._fma32 if np_dt == np.float32 else _rng._fma64
    first = fma(idx[:half].astype(np_dt), step, lo)
    second = fma((steps - 1 - idx[half:]).astype(np_dt), -step, hi)
    return np.concatenate([first, second]).astype(np_dt)


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
    """Uniform random values in [0, 1) (PyTorch's numbers: see ``manual_seed``)."""
    size = _size_kw(size, kw, "rand")
    dt = _float_dtype(dtype, "check_uniform_bounds")
    shape = _rand_shape(size)
    vals = _rng.uniform(generator or default_generator, int(np.prod(shape)), dt.np)
    return _make(vals.reshape(shape), requires_grad, dt, device)


def randn(*size, generator: Generator | None = None, dtype: dtype | None = None, device=None,
          requires_grad: bool = False, out=None, **kw) -> Tensor:
    """Standard normal random values (PyTorch's numbers: see ``manual_seed``)."""
    size = _size_kw(size, kw, "randn")
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    shape = _rand_shape(size)
    vals = _rng.normal(generator or default_generator, int(np.prod(shape)), dt.np)
    return _make(vals.reshape(shape), requires_grad, dt, device)


def normal(mean, std=1.0, size=None, *, generator: Generator | None = None, dtype: dtype | None = None,
           device=None, requires_grad: bool = False) -> Tensor:
    """``normal(0, 0.01, size=(2, 1))``: normal values of the given mean and std (PyTorch's numbers).
    The forms with a tensor of means or stds are not supported."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        raise NotImplementedError("autograd_lab: torch.normal with a tensor of means or stds is not supported "
                                  "(give numbers and a size, or use mean + std * torch.randn(...))")
    if size is None:
        raise TypeError(f"normal() received an invalid combination of arguments - got ({type(mean).__name__}, "
                        f"{type(std).__name__}), but expected one of:\n * (float mean, float std, tuple of ints size, "
                        "*, torch.Generator generator = None, Tensor out = None, torch.dtype dtype = None, "
                        "torch.layout layout = None, torch.device device = None, bool pin_memory = False, "
                        "bool requires_grad = False)")
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    shape = _rand_shape(tuple(size) if isinstance(size, (tuple, list, Size)) else (size,))
    vals = _rng.normal(generator or default_generator, int(np.prod(shape)), dt.np, float(mean), float(std))
    return _make(vals.reshape(shape), requires_grad, dt, device)


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
    shape = _shape_arg(tuple(size))
    vals = _rng.randint(generator or default_generator, int(np.prod(shape)), int(low), int(high))
    return _make(vals.reshape(shape).astype((dtype or int64).np), requires_grad, None, device)


def randperm(n, *, generator: Generator | None = None, dtype: dtype | None = None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``randperm(5)``: the numbers 0..4 in a random order (int64; PyTorch's order for the seed)."""
    if not isinstance(n, numbers.Integral) or isinstance(n, bool):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    _check_dtype(dtype)
    return _make(_rng.randperm(generator or default_generator, int(n)).astype((dtype or int64).np), requires_grad,
                 None, device)


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


__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "default_generator", "device", "cuda", "backends",
           "full", "empty", "eye", "arange", "linspace", "logspace", "rand", "randn", "normal", "randint", "full_like", "empty_like",
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
