"""Values made the way PyTorch makes them: creation functions and whole-tensor sums, bit for bit.

float32 (and float64) results depend on the order and fusion of each rounding step. ``arange``,
``linspace``, ``logspace`` and ``sum``/``mean`` of all elements follow PyTorch 2.13's CPU kernels, so
each case here runs the same call in ``torch`` and ``autograd_lab`` and compares the bytes.
"""
from __future__ import annotations

import math
import random
import warnings

import numpy as np
import pytest

import autograd_lab as lab
from tests.support.requirements import require_torch

torch = require_torch()

BOUNDS = [(0, 2 * math.pi), (0, 1), (-3, 7), (0.1, 0.9), (-1, 1), (2, -5.5), (1e-3, 1e3), (-math.pi, math.pi)]
STEPS = [0, 1, 2, 5, 10, 15, 16, 17, 25, 31, 32, 33, 50, 100, 1000, 2000]


def _same_bytes(make):
    theirs, ours = make(torch), make(lab)
    a, b = theirs.detach().numpy(), ours.detach().numpy()
    assert (a.dtype, a.shape) == (b.dtype, b.shape)
    assert a.tobytes() == b.tobytes(), f"{np.sum(a != b)} of {a.size} values differ from torch's"


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("bounds", BOUNDS)
def test_linspace_equals_torchs(bounds, dt):
    for steps in STEPS:
        _same_bytes(lambda L: L.linspace(*bounds, steps, dtype=getattr(L, dt)))


def test_linspace_0_2pi_25_and_the_tutorials_sine_print_as_in_torch():
    texts = []
    for L in (torch, lab):
        a = L.linspace(0., 2. * math.pi, steps=25, requires_grad=True)
        d = 2 * L.sin(a) + 1
        d.sum().backward()
        texts.append((repr(a), repr(d), repr(a.grad)))
    assert texts[0] == texts[1]


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_arange_equals_torchs(dt):
    cases = [(0, 1, 0.1), (0, 2 * math.pi, 0.1), (-3, 7, 0.3), (1.5, 20.25, 0.7), (0, 10, 1),
             (0.1, 5, 0.01), (10, -10, -0.37), (0, 100, 0.123456789)]
    r = random.Random(1)
    for _ in range(150):
        a = r.uniform(-50, 50)
        s = r.choice([1, -1]) * r.uniform(0.001, 3)
        cases.append((a, a + s * r.randint(0, 3000), s))
    for a, b, s in cases:
        _same_bytes(lambda L: L.arange(a, b, s, dtype=getattr(L, dt)))
    _same_bytes(lambda L: L.arange(0.5, 9))  # float32 inferred from a float bound


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_logspace_equals_torchs(dt):
    for a, b in [(0, 1), (-3, 2), (0.1, 2.7), (2, -1.5), (-10, 10)]:
        for steps in (0, 1, 2, 5, 10, 25, 33, 100):
            for base in (10.0, 2.0, math.e, 3.3, 2):
                _same_bytes(lambda L: L.logspace(a, b, steps, base=base, dtype=getattr(L, dt)))
    _same_bytes(lambda L: L.logspace(0, 2, 3))


SHAPES = [(0,), (1,), (3,), (7,), (8,), (9,), (13,), (16,), (100,), (1000,), (4097,), (32768,), (5, 7), (30, 40),
          (64, 64, 3), (2, 0)]


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
def test_sum_and_mean_of_all_elements_equal_torchs(shape, dt):
    rng = np.random.default_rng(sum(shape) + 7)
    for _ in range(5):
        data = (rng.standard_normal(shape) * rng.uniform(0.1, 100)).astype(dt)
        views = [lambda L, x: x] + ([lambda L, x: x.t()] if len(shape) == 2 else [])
        for view in views:
            for op in ("sum", "mean"):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # the mean of nothing
                    _same_bytes(lambda L: getattr(view(L, L.tensor(data)), op)())


def test_a_linear_layers_mean_squared_loss_matches_torchs_bits():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((50, 3)).astype(np.float32), rng.standard_normal(50).astype(np.float32)
    out = []
    for L in (torch, lab):
        L.manual_seed(0)
        model = L.nn.Linear(3, 1)
        loss = ((model(L.tensor(x)).squeeze(1) - L.tensor(y)) ** 2).mean()
        out.append(loss.detach().numpy().tobytes())
    assert out[0] == out[1]


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_sum_and_mean_over_a_block_of_dims_equal_torchs(dt):
    rng = np.random.default_rng(11)
    for shape in [(3, 5), (50, 3), (6, 4), (7, 40), (100, 17), (1000, 8), (33, 64), (5, 1000), (2, 3, 4),
                  (20, 30, 7), (1, 9), (9, 1), (64, 33), (4, 1, 6), (3, 4, 5, 6)]:
        data = rng.standard_normal(shape).astype(dt)
        nd = len(shape)
        dim_sets = {(0,), (nd - 1,), (-1,), (0, 1)} | ({(nd - 2, nd - 1), (1,), (nd - 2,)} if nd > 2 else set()) | \
            ({(1, 2)} if nd > 3 else set())
        for dims in dim_sets:
            for keepdim in (False, True):
                for op in ("sum", "mean"):
                    _same_bytes(lambda L: getattr(L.tensor(data), op)(dim=dims, keepdim=keepdim))


def test_a_gradient_summed_down_by_broadcasting_equals_torchs():
    rng = np.random.default_rng(2)
    g = rng.standard_normal((37, 5)).astype(np.float32)
    for shape in [(), (1,), (5,), (1, 5), (37, 1)]:
        init = np.ones(shape, np.float32)

        def grad(L):
            b = L.tensor(init, requires_grad=True)
            (b * L.tensor(np.ones((37, 5), np.float32))).backward(L.tensor(g))
            return b.grad
        _same_bytes(grad)
