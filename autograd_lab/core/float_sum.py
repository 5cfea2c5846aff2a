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
dropped, reduces either its last dims (each row summed as above) or a block of dims before others
(for each slice, the columns of the (reduced, following dims) matrix:
blocks of 4 vectors of columns (of 4 columns when there are fewer than a vector's width) summed by
the cascade with one accumulator each, the columns after them by the 4-accumulator cascade).

``cascade_sum``/``sum_axes`` return None when the array is not one block in memory, is larger, or
its dims are reduced in another pattern: the caller then keeps its own sum.
"""
from __future__ import annotations

import math

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
    if flat.size < 4:  # (the common scalar case, quickly) 0 + x0 + x1 + x2
        total = a.dtype.type(0)
        for x in flat:
            total = total + x
        return total
    width = 8 if a.dtype == np.float32 else 4
    if flat.size <= 64 * width:  # (quickly) at most one cascade block of vector groups
        return _small_sum(flat, width)
    return _row_sums(flat[None, :])[0]


def _small_sum(flat: np.ndarray, width: int):
    """``cascade_sum`` of at most 16 groups of 4 vectors: the same additions, fewer numpy calls."""
    n = flat.size
    nvec = n // width
    if nvec == 0:  # single values: 4 accumulators for x0..x3, the rest to the first
        acc = flat[:4] + flat.dtype.type(0)
        return _in_order(np.concatenate([flat.dtype.type(0) + acc[:1], flat[4:], acc[1:]]))
    groups = nvec // 4
    if groups:
        acc = _in_order(flat[:groups * 4 * width].reshape(groups, 4 * width)) + flat.dtype.type(0)
    else:
        acc = np.zeros(4 * width, flat.dtype)
    lanes = _in_order(np.concatenate([acc[:width], flat[groups * 4 * width:nvec * width], acc[width:]]
                                     ).reshape(-1, width))
    return _in_order(np.concatenate([np.zeros(1, flat.dtype), flat[nvec * width:], lanes]))


def sum_axes(a: np.ndarray, axes: tuple, keepdims: bool = False):
    """``a`` summed over ``axes`` as PyTorch sums it (see above), or None."""
    if a.dtype not in (np.float32, np.float64) or a.size > _LIMIT or not a.flags.c_contiguous or a.size == 0:
        return None
    if a.ndim == 2 and len(axes) == 1 and a.shape[0] > 1 and a.shape[1] > 1:  # (quickly) a matrix
        if axes[0] % 2 == 0:
            out = _columns(a[None])
            return out[None] if keepdims else out
        out = _row_sums(a)
        return out[:, None] if keepdims else out
    axes = {ax % a.ndim for ax in axes}
    out_shape = tuple(1 if i in axes else n for i, n in enumerate(a.shape)) if keepdims else \
        tuple(n for i, n in enumerate(a.shape) if i not in axes)
    kept = [i for i, n in enumerate(a.shape) if n != 1]
    reduced = [i in axes for i in kept]
    if not any(reduced):
        return None
    sizes = [a.shape[i] for i in kept]
    first = reduced.index(True)
    end = len(reduced) - reduced[::-1].index(True)
    if not all(reduced[first:end]):  # reduced dims apart from each other: not known here
        return None
    before, span = math.prod(sizes[:first]), math.prod(sizes[first:end])
    if end == len(reduced):          # the last dims: one sum per row
        out = _row_sums(a.reshape(before, span))
    else:                            # the columns of each (reduced, after) slice
        out = _columns(a.reshape(before, span, -1))
    return out.reshape(out_shape)


def _row_sums(m: np.ndarray) -> np.ndarray:
    """The sum of each row of ``m`` (rows, n), as PyTorch's inner sum adds (all rows at once)."""
    width = 8 if m.dtype == np.float32 else 4
    items = m.T  # the summed axis first, the rows along the second
    n = items.shape[0]
    if n < width:
        return _grouped(items)
    nvec = n // width
    acc = _grouped(items[:nvec * width].reshape(nvec, width, -1))
    # 0, then the elements after the last whole vector, then the lanes: added one after another
    return _in_order(np.concatenate([np.zeros((1, items.shape[1]), m.dtype), items[nvec * width:], acc]))


def _columns(m: np.ndarray) -> np.ndarray:
    """The column sums of each slice ``m[i]`` (slices, rows, columns): the columns in whole blocks of
    4 vectors (of 4 columns, when there are fewer columns than one vector holds) by the cascade, the
    columns after them by the 4-accumulator cascade. Both are computed for all columns at once."""
    slices, rows, cols = m.shape
    width = 8 if m.dtype == np.float32 else 4
    block = (cols // (4 * width)) * 4 * width if cols >= width else (cols // 4) * 4
    flat = m[0] if slices == 1 else m.transpose(1, 0, 2).reshape(rows, slices * cols)
    if block == cols:
        return _cascade(flat)
    if block == 0:
        return _grouped(flat)
    in_block = np.tile(np.arange(cols) < block, slices)
    return np.where(in_block, _cascade(flat), _grouped(flat))


def _grouped(rows: np.ndarray) -> np.ndarray:
    """Sum over the first axis with 4 accumulators (items 4k, 4k+1, 4k+2, 4k+3 each to its own),
    each summed by the cascade; the items after the last group of 4 go to the first."""
    groups = rows.shape[0] // 4
    acc = _cascade(rows[:groups * 4].reshape((groups, 4) + rows.shape[1:]))
    return _in_order(np.concatenate([acc[:1], rows[groups * 4:], acc[1:]]))


def _cascade(items: np.ndarray) -> np.ndarray:
    """Sum over the first axis: blocks of ``2**power`` items, each added up in order from 0 into
    level 0, whose total moves up to level 1 after each block, level 1 to level 2 after every
    ``2**power`` blocks, and so on; then the levels added together."""
    size = items.shape[0]
    power = max(4, _ceil_log2(size) // _LEVELS)
    step = 1 << power
    if size <= step:  # (quickly) at most one block: 0 + items in order, then + 0 for each empty level
        return _in_order(items) + items.dtype.type(0) if size else np.zeros(items.shape[1:], items.dtype)
    mask = step - 1
    zero = np.zeros(items.shape[1:], items.dtype)
    levels = [zero] * _LEVELS
    nblocks = size // step
    if nblocks:  # each block's sum starts from 0 (+ 0 turns a -0.0 into the 0.0 that 0 + ... gives)
        sums = np.cumsum(items[:nblocks * step].reshape((nblocks, step) + items.shape[1:]), axis=1,
                         dtype=items.dtype)[:, -1] + items.dtype.type(0)
        for b in range(nblocks):
            levels[1] = levels[1] + sums[b]
            i = (b + 1) * step
            for j in range(2, _LEVELS):
                if i & (mask << ((j - 1) * power)):
                    break
                levels[j] = levels[j] + levels[j - 1]
                levels[j - 1] = zero
    if nblocks * step < size:
        levels[0] = _in_order(items[nblocks * step:]) + items.dtype.type(0)
    return _in_order(np.stack(levels))


def _in_order(items: np.ndarray) -> np.ndarray:
    """``items[0] + items[1] + ...`` one addition after another. numpy's ``add.reduce`` over the
    first axis of a row-major array of rows of 2 or more values adds row after row (its pairwise
    summation is only for an axis it walks innermost); otherwise ``cumsum``, which adds in order."""
    if items.ndim > 1 and items.shape[0] > 1 and items[0].size > 1:
        return np.add.reduce(np.ascontiguousarray(items), axis=0)
    return np.cumsum(items, axis=0, dtype=items.dtype)[-1]


def _ceil_log2(x: int) -> int:
    return 1 if x <= 2 else int(x - 1).bit_length()
