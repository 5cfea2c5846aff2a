"""The sum of all elements of a float32/float64 array, added in the order PyTorch's CPU kernel adds.

Floating-point addition is not associative, so a sum's last bits depend on the order of its
additions: numpy adds pairwise in blocks of 8, PyTorch 2.13 (``cascade_sum`` in its SumKernel)
otherwise. For a reduction of all elements of a tensor stored in one block (up to 32768 elements:
above that PyTorch splits the work between its threads, whose number depends on the machine),
PyTorch's order is:

- the data is read as AVX2 vectors (8 float32 or 4 float64 lanes); the vectors are taken in
  groups of 4 (each of the 4 with its own vector accumulator) and summed by a 4-level cascade:
  blocks of 16 groups are added up one after another into level 0, whose total moves up to
  level 1 after each block, level 1 to level 2 after every 16 blocks, and so on; at the end the
  levels are added together, then the vectors left over after the last whole group go into the
  first accumulator and the other three accumulators are added to it;
- the elements after the last whole vector are added one by one to a scalar that starts at 0,
  then the lanes of the accumulator one by one;
- fewer elements than one vector: the same 4-accumulator cascade on single values.

A sum over some dims (``sum_axes``) of an array stored row after row, once its dims of size 1 are
dropped, reduces either its last dims (each row summed as above) or its first dims (the columns:
blocks of 4 vectors of columns (of 4 columns when there are fewer than a vector's width) summed by
the cascade with one accumulator each, the columns after them by the 4-accumulator cascade).

``cascade_sum``/``sum_axes`` return None when the array is not one block in memory, is larger, or
its dims are reduced in another pattern: the caller then keeps its own sum.
"""
from __future__ import annotations

import numpy as np

_LIMIT = 32768  # PyTorch's GRAIN_SIZE: larger sums are split between threads
_LEVELS = 4


def cascade_sum(a: np.ndarray):
    """The sum of all of ``a`` (float32 or float64) as PyTorch computes it, or None (see above)."""
    if a.dtype not in (np.float32, np.float64) or a.size > _LIMIT:
        return None
    if a.flags.c_contiguous:
        flat = a.reshape(-1)
    elif a.flags.f_contiguous:  # a transposed block: PyTorch walks it in memory order
        flat = a.reshape(-1, order="F")
    else:
        return None
    width = 8 if a.dtype == np.float32 else 4
    if flat.size < width:
        return _grouped(flat[:, None])[0]
    nvec = flat.size // width
    acc = _grouped(flat[:nvec * width].reshape(nvec, width))
    total = a.dtype.type(0)
    for x in flat[nvec * width:]:
        total = total + x
    for lane in acc:
        total = total + lane
    return total


def sum_axes(a: np.ndarray, axes: tuple, keepdims: bool = False):
    """``a`` summed over ``axes`` as PyTorch sums it (see above), or None."""
    if a.dtype not in (np.float32, np.float64) or a.size > _LIMIT or not a.flags.c_contiguous or a.size == 0:
        return None
    axes = {ax % a.ndim for ax in axes}
    out_shape = tuple(1 if i in axes else n for i, n in enumerate(a.shape)) if keepdims else \
        tuple(n for i, n in enumerate(a.shape) if i not in axes)
    kept = [i for i, n in enumerate(a.shape) if n != 1]
    reduced = [i in axes for i in kept]
    if not any(reduced):
        return None
    sizes = [a.shape[i] for i in kept]
    k = reduced.index(True)
    if all(reduced[k:]) and not any(reduced[:k]):          # the last dims: one sum per row
        rows = a.reshape(int(np.prod(sizes[:k])), -1)
        out = np.array([cascade_sum(r) for r in rows], a.dtype)
    elif all(reduced[:reduced.index(False)]) and not any(reduced[reduced.index(False):]):  # the first dims
        out = _columns(a.reshape(int(np.prod(sizes[:reduced.index(False)])), -1))
    else:
        return None
    return out.reshape(out_shape)


def _columns(m: np.ndarray) -> np.ndarray:
    """The sums of the columns of ``m``: whole blocks of 4 vectors of columns (or of 4 columns, when
    there are fewer columns than one vector holds), then the rest."""
    width = 8 if m.dtype == np.float32 else 4
    block = (m.shape[1] // (4 * width)) * 4 * width if m.shape[1] >= width else (m.shape[1] // 4) * 4
    parts = [_cascade(m[:, :block])] if block else []
    if m.shape[1] > block:
        parts.append(_grouped(m[:, block:]))
    return np.concatenate(parts)


def _grouped(rows: np.ndarray) -> np.ndarray:
    """Rows (vectors, or single values as rows of 1) summed with 4 accumulators and the cascade."""
    groups = rows.shape[0] // 4
    acc = _cascade(rows[:groups * 4].reshape(groups, 4, rows.shape[1]))
    first = acc[0]
    for row in rows[groups * 4:]:
        first = first + row
    for k in range(1, 4):
        first = first + acc[k]
    return first


def _cascade(items: np.ndarray) -> np.ndarray:
    """Sum over the first axis: blocks of ``2**power`` items one after another into level 0, each
    level passed up to the next when the block count says so, then the levels added together."""
    size = items.shape[0]
    power = max(4, _ceil_log2(size) // _LEVELS)
    step = 1 << power
    mask = step - 1
    zero = np.zeros(items.shape[1:], items.dtype)
    levels = [zero] * _LEVELS
    i = 0
    while i + step <= size:
        levels[0] = _in_order(levels[0], items[i:i + step])
        i += step
        for j in range(1, _LEVELS):
            levels[j] = levels[j] + levels[j - 1]
            levels[j - 1] = zero
            if i & (mask << (j * power)):
                break
    if i < size:
        levels[0] = _in_order(levels[0], items[i:])
    total = levels[0]
    for j in range(1, _LEVELS):
        total = total + levels[j]
    return total


def _in_order(start: np.ndarray, items: np.ndarray) -> np.ndarray:
    """``start + items[0] + items[1] + ...`` one addition after another (cumsum adds in order)."""
    return np.cumsum(np.concatenate([start[None], items]), axis=0, dtype=items.dtype)[-1]


def _ceil_log2(x: int) -> int:
    return 1 if x <= 2 else int(x - 1).bit_length()
