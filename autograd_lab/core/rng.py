"""PyTorch's CPU random numbers, bit for bit: its generator and the transforms its kernels apply.

PyTorch's CPU generator is a 32-bit Mersenne Twister (mt19937) whose 624-word state is made from
the low 32 bits of the seed by the reference initialisation; numpy's ``MT19937`` runs the same
recurrence, so the state is computed here and handed to it, and its raw 32-bit draws are
PyTorch's. On top of them, what each PyTorch 2.13 CPU kernel does:

- one 32-bit draw per float32 value, two (the first as the high word) per float64 value;
- ``uniform_(a, b)`` (``rand``): float32 keeps the low 24 bits, ``x = bits / 2**24``, then
  ``x * (b - a) + a`` as one fused multiply-add in float32 (float64: low 53 bits of the 64-bit
  draw); a value that rounds up to ``b`` becomes ``a``;
- ``normal_`` (``randn``) on 16 values or more: all values are first drawn as uniforms, then each
  block of 16 becomes 8 Box-Muller pairs (``u1 = 1 - x[j]``, ``u2 = x[j + 8]``,
  ``r = sqrt(-2 log u1)``, ``x[j] = r cos(2 pi u2)``, ``x[j + 8] = r sin(2 pi u2)``); when the size
  is not a multiple of 16, 16 new uniforms redo the last 16 values. float64 calls the C library's
  log/cos/sin (Python's ``math`` calls the same ones); float32 on an AVX2/AVX-512 machine (the only
  kind this project runs on) uses the Cephes polynomials of ``avx_mathfun.h`` in float32, whose
  multiply-adds the compiler fuses: ``_log8``/``_sincos8`` below redo them operation for operation;
- ``normal_`` on fewer than 16 values: a scalar Box-Muller in float64 from two 53-bit uniforms
  (``r = sqrt(-2 log1p(-u2))``, ``theta = 2 pi u1``), returning ``r cos theta`` and keeping
  ``r sin theta`` in the generator for the next such value (``manual_seed`` forgets it);
- ``random_(low, high)`` (``randint``): ``low + draw % (high - low)``, a 32-bit draw below a
  range of 2**28, a 64-bit draw from there on;
- ``randperm(n)``: ``p = [0 .. n-1]``, then for ``i`` from 0 to ``n - 2`` swap ``p[i]`` with
  ``p[i + draw % (n - i)]`` (for ``n`` below 2**32 / 20; above, PyTorch's inside-out shuffle of
  64-bit draws).
"""
from __future__ import annotations

import math
import numbers
import struct

import numpy as np

from .device import CPU, check_device

DEFAULT_SEED = 67280421310721  # the seed of a new torch.Generator()
_U64 = np.uint64
_F32 = np.float32


def _mt_key(seed: int) -> np.ndarray:
    """mt19937's reference initialisation of its 624 words from a 32-bit seed."""
    key = np.empty(624, np.uint32)
    s = seed & 0xFFFFFFFF
    key[0] = s
    for j in range(1, 624):
        s = (1812433253 * (s ^ (s >> 30)) + j) & 0xFFFFFFFF
        key[j] = s
    return key


def _seed_arg(seed) -> int:
    """A seed as PyTorch reads it: an int from -2**63 to 2**64 - 1, negatives counted from 2**64."""
    if not isinstance(seed, numbers.Integral):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    seed = int(seed)
    if not -2 ** 63 <= seed < 2 ** 64:
        raise ValueError("Overflow when unpacking long long")
    return seed % 2 ** 64


class Generator:
    """``torch.Generator()``: PyTorch's CPU random stream (mt19937 and its cached normal)."""

    def __init__(self, device="cpu"):
        check_device(device)
        self._bits = np.random.MT19937()
        self.manual_seed(DEFAULT_SEED)

    @property
    def device(self):
        return CPU

    def manual_seed(self, seed) -> "Generator":
        self._seed = _seed_arg(seed)
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": _mt_key(self._seed), "pos": 624}}
        self._normal = None  # the second value of the last scalar Box-Muller pair
        self._fresh = True   # no draw since seeding (PyTorch then says next=0, left=1)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        """Reseed from the operating system's entropy; returns the new seed."""
        s = int(np.random.SeedSequence().entropy % 2 ** 64)
        self.manual_seed(s)
        return s

    def _state_bytes(self) -> np.ndarray:
        """PyTorch's 5056-byte state: seed, left, seeded, next, the 624 words (as 8 bytes each), the
        cached normal (at the place of PyTorch's legacy ``normal_y``) and its flag. (``get_state``,
        which makes it a tensor, is bound in factories.py.)"""
        st = self._bits.state["state"]
        nxt = 0 if self._fresh else int(st["pos"])
        raw = np.zeros(5056, np.uint8)
        raw[:24] = np.frombuffer(struct.pack("<QiiQ", self._seed, 625 - nxt if nxt else 1, 1, nxt), np.uint8)
        raw[24:5016] = st["key"].astype(np.uint64).view(np.uint8)
        if self._normal is not None:
            raw[5024:5032] = np.array([self._normal], np.float64).view(np.uint8)
            raw[5040:5044] = np.array([1], np.int32).view(np.uint8)
        return raw

    def _set_state_bytes(self, raw: np.ndarray) -> "Generator":
        raw = np.ascontiguousarray(raw)
        if raw.dtype != np.uint8 or raw.size != 5056:
            raise RuntimeError("Expected either a PhiloxState of size 16 or a CPUGeneratorImplState of size 5056 "
                               f"but found the input RNG state size to be {raw.size}")
        seed, left, _seeded, nxt = struct.unpack("<QiiQ", raw[:24].tobytes())
        key = raw[24:5016].view(np.uint64).astype(np.uint32)
        self._seed = seed
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": 624 if left == 1 else nxt}}
        self._fresh = nxt == 0
        valid = raw[5040:5044].view(np.int32)[0]
        self._normal = float(raw[5024:5032].view(np.float64)[0]) if valid else None
        return self

    def __repr__(self) -> str:
        return f"<torch._C.Generator object at {id(self):#x}>"

    # ------------------------------------------------------------------ raw draws
    def _draw32(self, n: int) -> np.ndarray:
        """``n`` 32-bit draws (as uint64)."""
        self._fresh = self._fresh and n == 0
        return self._bits.random_raw(n)

    def _draw64(self, n: int) -> np.ndarray:
        """``n`` 64-bit draws, each made of two 32-bit ones (the first is the high word)."""
        r = self._draw32(2 * n)
        return (r[0::2] << _U64(32)) | r[1::2]


default_generator = Generator()  # torch.default_generator (its seed is fixed here, random in PyTorch)


# ---------------------------------------------------------------------------- uniform
def _unit(g: Generator, n: int, np_dtype) -> np.ndarray:
    """``n`` uniforms in [0, 1) as the kernels make them (24 bits for float32, 53 for float64)."""
    if np_dtype == np.float64:
        return (g._draw64(n) & _U64(2 ** 53 - 1)).astype(np.float64) * 2.0 ** -53
    return (g._draw32(n) & _U64(2 ** 24 - 1)).astype(_F32) * _F32(2.0 ** -24)


def uniform(g: Generator, n: int, np_dtype, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """``uniform_(low, high)`` on ``n`` float32 or float64 values."""
    x = _unit(g, n, np_dtype)
    if low == 0.0 and high == 1.0:
        if np_dtype == np.float16:  # (float16 computes in float32; a value rounding up to 1 becomes 0)
            x = x.astype(np.float16)
            x[x == 1] = 0
        return x
    if np_dtype == np.float64:
        lo, hi = float(low), float(high)
        out = _fma64(x, hi - lo, lo)
    else:
        lo, hi = _F32(low), _F32(high)
        out = _fma32(x, hi - lo, lo)
        if np_dtype == np.float16:
            out, lo, hi = out.astype(np.float16), np.float16(low), np.float16(high)
    out[out == hi] = lo
    return out


def _fma32(a: np.ndarray, b, c) -> np.ndarray:
    """float32 ``a * b + c`` rounded once. The float64 product is exact; its sum with ``c`` is
    rounded to float64 and then to float32, which errs only when the float64 sum lands exactly
    half-way between two float32 values: there the exact remainder of the sum decides."""
    p = a.astype(np.float64) * np.float64(b) if np.isscalar(b) else a.astype(np.float64) * b.astype(np.float64)
    c64 = c.astype(np.float64) if isinstance(c, np.ndarray) else np.float64(c)
    s = p + c64
    out = s.astype(_F32)
    half = (s.view(np.uint64) & _U64(0x1FFFFFFF)) == _U64(0x10000000)
    if half.any():
        back = s - p
        err = (p - (s - back)) + (c64 - back)  # s + err == p + c exactly
        err = np.broadcast_to(err, s.shape)
        fix = half & (err != 0)
        out[fix] = np.nextafter(s[fix], s[fix] + err[fix]).astype(_F32)
    return out


def _fma64(a: np.ndarray, b: float, c: float) -> np.ndarray:
    """float64 ``a * b + c`` rounded once (the exact product's two parts summed by ``math.fsum``)."""
    b, c = float(b), float(c)
    return np.array([math.fsum(_two_product(x, b) + (c,)) for x in a.tolist()], np.float64)


def _fma_arrays64(a: np.ndarray, b: float, c: np.ndarray) -> np.ndarray:
    """float64 ``a * b + c`` rounded once, ``c`` an array as long as ``a``."""
    b = float(b)
    return np.array([math.fsum(_two_product(x, b) + (z,)) for x, z in zip(a.tolist(), c.tolist())], np.float64)


def _two_product(a: float, b: float) -> tuple:
    """``(p, e)`` with ``p = a * b`` rounded and ``p + e`` the exact product (Veltkamp/Dekker)."""
    p = a * b
    split = 134217729.0  # 2**27 + 1
    t = split * a
    ah = t - (t - a)
    al = a - ah
    t = split * b
    bh = t - (t - b)
    bl = b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


# ---------------------------------------------------------------------------- normal
def normal(g: Generator, n: int, np_dtype, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """``normal_(mean, std)`` on ``n`` contiguous float32 or float64 values."""
    if n < 16:
        return np.array([_scalar_normal(g, mean, std) for _ in range(n)], np.float64).astype(np_dtype)
    work = np.float64 if np_dtype == np.float64 else np.float32  # float16 computes in float32
    full = n - n % 16
    # float32/float64 first draw a uniform for every value; float16 only for the whole blocks
    data = _unit(g, full if np_dtype == np.float16 else n, work)
    box = _box_muller64 if work == np.float64 else _box_muller32
    out = np.empty(n, work)
    out[:full] = box(data[:full].reshape(-1, 16), mean, std).reshape(-1)
    if n % 16:
        out[n - 16:] = box(_unit(g, 16, work).reshape(1, 16), mean, std).reshape(-1)
    return out.astype(np_dtype)


def _scalar_normal(g: Generator, mean: float, std: float) -> float:
    if g._normal is not None:
        z, g._normal = g._normal, None
    else:
        u1, u2 = _unit(g, 2, np.float64).tolist()
        r = math.sqrt(-2.0 * math.log1p(-u2))
        theta = 2.0 * math.pi * u1
        g._normal = r * math.sin(theta)
        z = r * math.cos(theta)
    if std == 1.0 and mean == 0.0:
        return z
    return math.fsum(_two_product(z, float(std)) + (float(mean),))  # z * std + mean, one fused rounding


def _box_muller64(blocks: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Rows of 16 float64 uniforms -> 16 normals each (the C library's log/cos/sin, through ``math``)."""
    out = np.empty_like(blocks)
    plain = mean == 0.0 and std == 1.0
    log, sqrt, cos, sin, two_pi = math.log, math.sqrt, math.cos, math.sin, 2.0 * math.pi
    for row, res in zip(blocks.tolist(), out):
        vals = []
        for a, b in zip(row[:8], row[8:]):
            r = sqrt(-2 * log(1 - a))
            theta = two_pi * b
            vals.append((r * cos(theta), r * sin(theta)))
        first, second = zip(*vals)
        both = first + second
        if not plain:  # fma(value, std, mean)
            both = tuple(math.fsum(_two_product(v, std) + (mean,)) for v in both)
        res[:] = both
    return out


# The float32 Box-Muller of PyTorch's AVX2/AVX-512 kernels: Cephes' log, sin and cos polynomials
# (avx_mathfun.h) in float32, with the multiply-adds the compiler fuses done as one rounding.
_LOG_P = [_F32(v) for v in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
                            1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
                            3.3333331174e-1)]
_SIN_P = [_F32(v) for v in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)]
_COS_P = [_F32(v) for v in (2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2)]
_DP = [_F32(v) for v in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8)]


def _log8(x: np.ndarray) -> np.ndarray:
    """Natural log of positive normal float32 values, as ``log256_ps`` computes it."""
    bits = x.view(np.int32)
    e = ((bits >> 23) - 127).astype(_F32) + _F32(1)
    m = ((bits & ~0x7F800000) | 0x3F000000).view(_F32)  # mantissa in [0.5, 1)
    low = m < _F32(0.707106781186547524)
    shift = np.where(low, m, _F32(0))
    m = m - _F32(1)
    e = e - np.where(low, _F32(1), _F32(0))
    m = m + shift
    z = m * m
    y = np.full_like(m, _LOG_P[0])
    for p in _LOG_P[1:]:
        y = _fma32(y, m, p)
    y = y * m
    y = _fma32(y, z, e * _F32(-2.12194440e-4))
    y = y - z * _F32(0.5)
    m = m + y
    return _fma32(e, _F32(0.693359375), m)


def _sincos8(x: np.ndarray) -> tuple:
    """(sin x, cos x) of float32 values, as ``sincos256_ps`` computes them."""
    a = np.abs(x)
    j = (a * _F32(1.27323954473516)).astype(np.int32)  # 4 / pi, truncated
    j = (j + 1) & ~1
    y = j.astype(_F32)
    for dp in _DP:  # a - y * pi / 4 in three parts
        a = _fma32(y, dp, a)
    z = a * a
    c = np.full_like(z, _COS_P[0])
    for p in _COS_P[1:]:
        c = _fma32(c, z, p)
    c = c * z
    c = _fma32(c, z, -(z * _F32(0.5))) + _F32(1)
    s = np.full_like(z, _SIN_P[0])
    for p in _SIN_P[1:]:
        s = _fma32(s, z, p)
    s = _fma32(s * z, a, a)
    first = (j & 2) == 0
    sin = np.where(first, s, c)
    cos = np.where(first, c, s)
    sin_neg = (x < 0) ^ ((j & 4) != 0)
    cos_neg = (~(j - 2) & 4) != 0
    return np.where(sin_neg, -sin, sin), np.where(cos_neg, -cos, cos)


def _box_muller32(blocks: np.ndarray, mean: float, std: float) -> np.ndarray:
    u1 = _F32(1) - blocks[:, :8]
    u2 = blocks[:, 8:]
    r = np.sqrt(_F32(-2) * _log8(u1))
    sin, cos = _sincos8(_F32(2.0 * math.pi) * u2)
    out = np.concatenate([r * cos, r * sin], axis=1)
    if mean == 0.0 and std == 1.0:
        return out
    return _fma32(out, _F32(std), _F32(mean))


# ---------------------------------------------------------------------------- integers
def randint(g: Generator, n: int, low: int, high: int) -> np.ndarray:
    """``random_(low, high)``: ``n`` whole numbers in [low, high) as int64."""
    span = high - low
    draws = g._draw64(n) if span >= 2 ** 28 else g._draw32(n)
    return ((draws % _U64(span)).astype(np.int64) + low) if span < 2 ** 63 else \
        np.array([(d % span) + low for d in draws.tolist()], np.int64)


def random_int64(g: Generator) -> int:
    """``torch.empty((), dtype=torch.int64).random_()``: one 64-bit draw below 2**63 (the seeds a
    DataLoader draws at each pass)."""
    return int(g._draw64(1)[0]) % 2 ** 63


def randperm(g: Generator, n: int) -> np.ndarray:
    """``randperm(n)`` as int64."""
    if n < (2 ** 32 - 1) // 20:
        draws = g._draw32(max(n - 1, 0)).tolist()
        p = list(range(n))
        for i, d in enumerate(draws):
            k = i + d % (n - i)
            p[i], p[k] = p[k], p[i]
        return np.array(p, np.int64)
    p = np.empty(n, np.int64)
    for i, d in enumerate(g._draw64(n).tolist()):
        k = d % (i + 1)
        p[i] = p[k]
        p[k] = i
    return p
