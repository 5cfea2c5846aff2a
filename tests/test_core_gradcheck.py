"""Every op of the registry (``tests/support/ops.py``) checked three ways, on inputs from hypothesis:

1. its gradient (backward) against central finite differences, in float64;
2. its second derivative (``create_graph=True``, then ``autograd.grad`` again) against
   finite differences of the first gradient;
3. against PyTorch 2.13: the node name, the values of the result and of the first and second
   derivatives, in float32 (the default dtype) and float64.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lab as lab
from tests.support.requirements import require_torch
from tests.support.ops import CI, OPS, OPS_BY_NAME, Op, arrays

EPS = 1e-6


def _cotangent(shape, seed):
    return np.random.default_rng(seed).normal(size=shape)


def _weighted(lib, op: Op, xs, cot_seed: int, requires_grad: bool, dtype=None):
    """``(op(xs) * c).sum()`` for a fixed random c; returns (loss, input tensors, output)."""
    dtype = dtype or lib.float64
    ts = [lib.tensor(x, dtype=dtype, requires_grad=requires_grad) for x in xs]
    out = op.fn(lib, *ts)
    cot = lib.tensor(_cotangent(tuple(out.shape), cot_seed), dtype=dtype)
    return (out * cot).sum(), ts, out


def _grads(lib, op: Op, xs, seed: int, dtype=None):
    loss, ts, out = _weighted(lib, op, xs, seed, True, dtype)
    loss.backward()
    return [t.grad.detach().numpy().astype(np.float64) for t in ts], out


def _numeric_grads(fn, xs):
    """Central differences of the scalar ``fn(xs)`` w.r.t. every element of every input."""
    grads = []
    for i, x in enumerate(xs):
        g = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            hi = [y.copy() for y in xs]
            lo = [y.copy() for y in xs]
            hi[i][j] += EPS
            lo[i][j] -= EPS
            g[j] = (fn(hi) - fn(lo)) / (2 * EPS)
        grads.append(g)
    return grads


def _loss_value(op, seed):
    def f(xs):
        with lab.no_grad():
            return _weighted(lab, op, xs, seed, False)[0].item()
    return f


def _hvp(lib, op: Op, xs, seed: int, v_seed: int, dtype=None):
    """Second derivative along random directions: d/dx of sum_i <grad_i(x), v_i>."""
    loss, ts, _ = _weighted(lib, op, xs, seed, True, dtype)
    gs = lib.autograd.grad(loss, ts, create_graph=True)
    rng = np.random.default_rng(v_seed)
    vs = [lib.tensor(rng.normal(size=x.shape), dtype=dtype or lib.float64) for x in xs]
    s = sum((g * v).sum() for g, v in zip(gs, vs))
    if not s.requires_grad:  # the gradient does not depend on the inputs: the op is linear
        return [np.zeros(x.shape) for x in xs]
    hs = lib.autograd.grad(s, ts, allow_unused=True)
    # for a derivative it knows to be 0 (abs' second one), torch gives a ZeroTensor, which numpy() refuses
    zero = (lambda h: False) if lib is lab else (lambda h: h._is_zerotensor())
    return [np.zeros(x.shape) if h is None or zero(h) else h.detach().numpy().astype(np.float64) for h, x in zip(hs, xs)]


@pytest.mark.parametrize("op", OPS, ids=str)
def test_backward_matches_finite_differences(op):
    @CI
    @given(arrays(op), st.integers(0, 2**32 - 1))
    def check(xs, seed):
        analytic, out = _grads(lab, op, xs, seed)
        assert out.dtype == lab.float64 and out.grad_fn.name() == op.node
        numeric = _numeric_grads(_loss_value(op, seed), xs)
        for a, n in zip(analytic, numeric):
            np.testing.assert_allclose(a, n, rtol=1e-5, atol=1e-6)
    check()


@pytest.mark.parametrize("op", [op for op in OPS if op.second_order], ids=str)
def test_second_derivative_matches_finite_differences(op):
    @CI
    @given(arrays(op), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
    def check(xs, seed, v_seed):
        analytic = _hvp(lab, op, xs, seed, v_seed)
        rng = np.random.default_rng(v_seed)
        vs = [rng.normal(size=x.shape) for x in xs]

        def directional(ys):
            gs, _ = _grads(lab, op, ys, seed)
            return sum(float((g * v).sum()) for g, v in zip(gs, vs))
        numeric = _numeric_grads(directional, xs)
        for a, n in zip(analytic, numeric):
            np.testing.assert_allclose(a, n, rtol=1e-4, atol=1e-5)
    check()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", OPS, ids=str)
def test_same_as_torch(op, dtype):
    torch = require_torch()
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-9, atol=1e-12)

    @CI
    @given(arrays(op), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
    def check(xs, seed, v_seed):
        ours, out = _grads(lab, op, xs, seed, getattr(lab, dtype))
        theirs, tout = _grads(torch, op, xs, seed, getattr(torch, dtype))
        assert out.grad_fn.name() == tout.grad_fn.name() == op.node
        assert repr(out.dtype) == repr(tout.dtype) and tuple(out.shape) == tuple(tout.shape)
        np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), **tol)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, **tol)
        if op.second_order:
            h_ours = _hvp(lab, op, xs, seed, v_seed, getattr(lab, dtype))
            h_theirs = _hvp(torch, op, xs, seed, v_seed, getattr(torch, dtype))
            for a, b in zip(h_ours, h_theirs):
                np.testing.assert_allclose(a, b, **tol)
    check()


def test_registry_covers_every_op_class():
    """Each differentiable op class of the core is reached by some registry entry."""
    from autograd_lab.core import function as F
    nodes = {op.node.rsplit("::", 1)[-1] for op in OPS}
    for op in OPS:  # the inner nodes of composite entries count too
        loss, _, out = _weighted(lab, op, [np.ones(s) for s in op.shapes], 0, True)
        stack, seen = [out.grad_fn], set()
        while stack:
            n = stack.pop()
            if n is None or n in seen:
                continue
            seen.add(n)
            nodes.add(n.name().rsplit("::", 1)[-1])   # (torch::autograd::CopySlices -> its class name)
            stack.extend(m for m, _ in n.next_functions)
    # not in the op list; IndexPutImplBackward0 appears only in second-order graphs (of indexing)
    internal = {"ToCopyBackward0", "IndexPutImplBackward0"}
    declared = {c.__name__ for face in F.FACES for c in face.nodes
                if issubclass(c, F.Function) and not c.__name__.endswith("Inplace")}
    missing = declared - nodes - internal
    assert missing == set()
    assert OPS_BY_NAME["rdiv_number"].node == "MulBackward0"
