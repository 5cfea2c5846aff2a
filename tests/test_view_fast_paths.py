"""The view's shortcuts (written for speed) agree with the general rules they stand in for.

- ``values._fmt_float`` formats one float as ``core._format.format_value`` does (PyTorch's rules);
- ``layout.text_width`` (a per-character table) measures as the per-character rule does;
- ``layout._generations`` (our Kahn loop, instead of networkx) gives each node its longest-path depth;
- ``layout._isotonic`` keeps the separations and is the least-squares fit (checked against a brute force).
"""
from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest

from autograd_lab.core._format import format_value
from autograd_lab.view import layout, states, values


def _floats():
    rnd = random.Random(11)
    special = [0.0, -0.0, 1.0, -1.0, 3.0, 0.5, 2.5, 1e-4, -1e-4, 9.99e-5, 1e8, 1e8 + 1, -1e8 - 2, 1.5e8,
               123456.0, 0.00012345, 0.99995, 99999999.99, 1e-300, 5e-324, 1.7976931348623157e308,
               math.inf, -math.inf, math.nan]
    out = list(special)
    for _ in range(20000):
        v = rnd.choice((-1, 1)) * 10 ** rnd.uniform(-12, 12)
        out += [v, float(round(v)), float(np.float32(v))]
    return out


def test_one_float_is_formatted_as_pytorch_prints_it():
    wrong = [(v, values._fmt_float.__wrapped__(v), format_value(np.asarray(v))) for v in _floats()
             if values._fmt_float.__wrapped__(v) != format_value(np.asarray(v))]
    assert not wrong, wrong[:5]


def test_fmt_of_a_float_is_format_value():
    assert states.fmt(3.0) == "3." and states.fmt(0.5) == "0.5000"
    # 0.0 == -0.0, so a cache keyed by value would answer for both with whichever came first
    assert states.fmt(0.0) == "0." and states.fmt(-0.0) == "-0." and states.fmt(0.0) == "0."
    assert states.fmt(1e-5) == format_value(np.asarray(1e-5)) == "1.0000e-05"


@pytest.mark.parametrize("text", ["w", "t2967.grad = -0.5000", "layers[1][15][16] = 1.2e-05", "梯度 = 3.",
                                  "▶ MulBackward0", "x (2) = [1., 2.]", "", "MW@% il.,:;|!"])
def test_text_width_is_the_sum_of_the_characters_widths(text):
    def em(c):
        if c in layout._NARROW:
            return 0.36
        if c in layout._WIDE:
            return 0.92
        if c.isupper() or c.isdigit() or c in "_+-=<>~":
            return 0.70
        if c in "梯度":
            return 1.0
        if ord(c) > 0x2000:
            return 0.85
        return 0.61
    assert layout.text_width(text, 12.0) == pytest.approx(sum(em(c) for c in text) * 12.0)
    assert layout.text_width(text, 12.0) == layout.text_width(text, 12.0)  # the table does not drift


def _depths(succ):
    """Longest path from a node no edge enters, by brute force over the edges."""
    depth = {k: 0 for k in succ}
    for _ in range(len(succ)):
        for u, users in succ.items():
            for v in users:
                depth[v] = max(depth[v], depth[u] + 1)
    return depth


def test_generations_are_the_longest_path_depths():
    rnd = random.Random(5)
    for trial in range(50):
        n = rnd.randint(1, 30)
        keys = [f"k{i}" for i in rnd.sample(range(100), n)]  # insertion order is not the topological one
        order = {k: i for i, k in enumerate(rnd.sample(keys, n))}
        succ = {k: {} for k in keys}
        for u, v in itertools.combinations(keys, 2):
            if rnd.random() < 0.2:
                a, b = (u, v) if order[u] < order[v] else (v, u)
                succ[a][b] = None
        gens = layout._generations(succ)
        assert sorted(k for gen in gens for k in gen) == sorted(keys)
        depth = _depths(succ)
        assert all(depth[k] == li for li, gen in enumerate(gens) for k in gen), (succ, gens)
        assert gens[0] == [k for k in keys if depth[k] == 0]  # in the order of succ


def test_generations_of_a_cycle_is_none():
    assert layout._generations({"a": {"b": None}, "b": {"a": None}, "c": {}}) is None
    assert layout._generations({}) == []


def test_isotonic_keeps_the_separations_and_fits_best():
    rnd = random.Random(3)
    for trial in range(200):
        n = rnd.randint(1, 6)
        want = [rnd.uniform(-50, 50) for _ in range(n)]
        sep = [0.0] + [rnd.uniform(5, 30) for _ in range(n - 1)]
        offs = list(itertools.accumulate(sep))
        ys = layout._isotonic(want, offs)
        assert all(ys[i] - ys[i - 1] >= sep[i] - 1e-9 for i in range(1, n))
        cost = sum((y - w) ** 2 for y, w in zip(ys, want))
        # any other feasible placement (z = offs + a non-decreasing sequence) costs at least as much
        for _ in range(200):
            z = sorted(rnd.uniform(-80, 80) for _ in range(n))
            other = [zi + o for zi, o in zip(z, offs)]
            assert sum((y - w) ** 2 for y, w in zip(other, want)) >= cost - 1e-6
