"""One registry of the core's operations, walked by ``test_core_gradcheck.py``.

Each ``Op`` is written against ``lab`` (``autograd_lab`` or ``torch``: the same spelling
works for both), with the shapes of its tensor inputs, the interval their values are drawn
from, and the name of the backward node PyTorch gives its result. Adding an op here adds
its finite-difference check, its second-order check and its comparison with PyTorch::

    Op("mul_broadcast", lambda lab, a, b: a * b, [(2, 1), (3,)], "MulBackward0")
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# The `ci` profile: no deadline (the first call of an op pays for imports), few examples.
CI = settings(deadline=None, max_examples=25, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.register_profile("ci", CI)


@dataclass(frozen=True)
class Op:
    name: str
    fn: Callable                      # fn(lab, *tensors) -> tensor
    shapes: list                      # one shape per tensor input
    node: str                         # PyTorch's grad_fn.name() of the result
    low: float = -2.0                 # values are drawn from [low, high] ...
    high: float = 2.0
    away_from: tuple = ()             # ... at least 0.05 away from these points (kinks, poles)
    second_order: bool = True         # differentiate twice (create_graph=True) as well
    tags: tuple = field(default=())

    def __str__(self) -> str:
        return self.name


OPS = [
    # arithmetic (with broadcasting and Python numbers on either side)
    Op("add", lambda lab, a, b: a + b, [(2, 3), (2, 3)], "AddBackward0"),
    Op("add_broadcast", lambda lab, a, b: a + b, [(2, 3), (3,)], "AddBackward0"),
    Op("add_number", lambda lab, a: a + 2.5, [(3,)], "AddBackward0"),
    Op("radd_number", lambda lab, a: 2.5 + a, [(3,)], "AddBackward0"),
    Op("sub", lambda lab, a, b: a - b, [(2, 1), (1, 3)], "SubBackward0"),
    Op("sub_number", lambda lab, a: a - 2, [(3,)], "SubBackward0"),
    Op("rsub_number", lambda lab, a: 2 - a, [(3,)], "RsubBackward1"),
    Op("mul", lambda lab, a, b: a * b, [(2, 3), (2, 3)], "MulBackward0"),
    Op("mul_broadcast", lambda lab, a, b: a * b, [(2, 1), (3,)], "MulBackward0"),
    Op("mul_scalar_tensor", lambda lab, a, b: a * b, [(), (2, 3)], "MulBackward0"),
    Op("mul_number", lambda lab, a: 3 * a, [(3,)], "MulBackward0"),
    Op("div", lambda lab, a, b: a / b, [(2, 3), (3,)], "DivBackward0", 0.5, 2.0),
    Op("div_signed", lambda lab, a, b: a / b, [(4,), (4,)], "DivBackward0", -2.0, 2.0, away_from=(0.0,)),
    Op("div_number", lambda lab, a: a / 4, [(3,)], "DivBackward0"),
    Op("rdiv_number", lambda lab, a: 2 / a, [(3,)], "MulBackward0", 0.5, 2.0),
    Op("neg", lambda lab, a: -a, [(2, 2)], "NegBackward0"),
    Op("pow_2", lambda lab, a: a ** 2, [(3,)], "PowBackward0"),
    Op("pow_3", lambda lab, a: a ** 3, [(3,)], "PowBackward0"),
    Op("pow_half", lambda lab, a: a ** 0.5, [(3,)], "PowBackward0", 0.2, 3.0),
    Op("pow_neg_half", lambda lab, a: a ** -0.5, [(3,)], "PowBackward0", 0.2, 3.0),
    Op("pow_2_5", lambda lab, a: a ** 2.5, [(3,)], "PowBackward0", 0.2, 3.0),
    Op("pow_neg_2", lambda lab, a: a ** -2, [(3,)], "PowBackward0", -2.0, 2.0, away_from=(0.0,)),
    Op("pow_method", lambda lab, a: a.pow(3), [(2, 2)], "PowBackward0"),
    Op("pow_tensors", lambda lab, a, b: a ** b, [(2, 3), (3,)], "PowBackward1", 0.2, 2.0),
    Op("rpow_number", lambda lab, a: 2 ** a, [(3,)], "PowBackward2"),
    Op("rpow_fraction", lambda lab, a: 0.5 ** a, [(3,)], "PowBackward2"),
    # elementwise functions
    Op("exp", lambda lab, a: a.exp(), [(2, 3)], "ExpBackward0"),
    Op("log", lambda lab, a: a.log(), [(2, 3)], "LogBackward0", 0.2, 3.0),
    Op("tanh", lambda lab, a: a.tanh(), [(2, 3)], "TanhBackward0"),
    Op("sigmoid", lambda lab, a: a.sigmoid(), [(2, 3)], "SigmoidBackward0", -4.0, 4.0),
    Op("relu", lambda lab, a: a.relu(), [(2, 3)], "ReluBackward0", away_from=(0.0,)),
    Op("sqrt", lambda lab, a: a.sqrt(), [(2, 3)], "SqrtBackward0", 0.2, 3.0),
    Op("sin", lambda lab, a: lab.sin(a.sin()), [(2, 3)], "SinBackward0", -3.0, 3.0),    # function and method
    Op("cos", lambda lab, a: lab.cos(a.cos()), [(2, 3)], "CosBackward0", -3.0, 3.0),
    Op("abs", lambda lab, a: lab.abs(abs(a).abs() - 1), [(2, 3)], "AbsBackward0", away_from=(-1.0, 0.0, 1.0)),
    # reductions
    Op("sum", lambda lab, a: a.sum(), [(2, 3)], "SumBackward0"),
    Op("sum_dim", lambda lab, a: a.sum(1), [(2, 3)], "SumBackward1"),
    Op("sum_dim_keepdim", lambda lab, a: a.sum(0, keepdim=True), [(2, 3)], "SumBackward1"),
    Op("sum_dims", lambda lab, a: a.sum((0, 2)), [(2, 3, 2)], "SumBackward1"),
    Op("mean", lambda lab, a: a.mean(), [(2, 3)], "MeanBackward0"),
    Op("mean_dim", lambda lab, a: a.mean(-1), [(2, 3)], "MeanBackward1"),
    Op("mean_dim_keepdim", lambda lab, a: a.mean(dim=0, keepdim=True), [(2, 3)], "MeanBackward1"),
    # shapes
    Op("reshape", lambda lab, a: a.reshape(3, 2), [(2, 3)], "ViewBackward0"),
    Op("reshape_infer", lambda lab, a: a.reshape(-1), [(2, 3)], "ViewBackward0"),
    Op("reshape_copy", lambda lab, a: a.t().reshape(6), [(2, 3)], "UnsafeViewBackward0"),
    Op("reshape_alias", lambda lab, a: a.t().reshape(3, 1, 2), [(2, 3)], "ReshapeAliasBackward0"),
    Op("t", lambda lab, a: a.t(), [(2, 3)], "TBackward0"),
    Op("T", lambda lab, a: a.T, [(2, 3)], "PermuteBackward0"),
    # indexing (not in the list, but offered; create_graph through it is not)
    Op("select", lambda lab, a: a[1], [(3, 2)], "SelectBackward0", second_order=False),
    Op("select_dims", lambda lab, a: a[:, -1] * a[0, 1], [(3, 2)], "MulBackward0", second_order=False),
    Op("slice", lambda lab, a: a[1:], [(3, 2)], "SliceBackward0", second_order=False),
    Op("slice_step", lambda lab, a: a[::2, 1:], [(3, 2)], "SliceBackward0", second_order=False),
    Op("alias", lambda lab, a: a[:, :], [(3, 2)], "AliasBackward0"),
    # matrix products
    Op("dot", lambda lab, a, b: a @ b, [(3,), (3,)], "DotBackward0"),
    Op("mv", lambda lab, a, b: a @ b, [(2, 3), (3,)], "MvBackward0"),
    Op("mm", lambda lab, a, b: a @ b, [(2, 3), (3, 4)], "MmBackward0"),
    Op("matmul_method", lambda lab, a, b: a.matmul(b), [(3, 2), (2, 2)], "MmBackward0"),
    # compositions: a value used twice, a small network, a loss
    Op("used_twice", lambda lab, a: (a + a) * (a + a), [(3,)], "MulBackward0"),
    Op("mlp", lambda lab, x, w1, b1, w2: ((x @ w1 + b1).tanh() @ w2).sigmoid(), [(4, 3), (3, 5), (5,), (5, 2)],
       "SigmoidBackward0"),
    Op("mse", lambda lab, w, x, y: ((x @ w - y) ** 2).mean(), [(2,), (5, 2), (5,)], "MeanBackward0"),
    Op("softplus_like", lambda lab, a: (1 + a.exp()).log() - a.relu() / (1 + a * a).sqrt(), [(4,)], "SubBackward0",
       away_from=(0.0,)),
]
OPS_BY_NAME = {op.name: op for op in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"


def arrays(op: Op, dtype=np.float64):
    """A hypothesis strategy for the inputs of ``op``: a tuple of arrays in its domain."""
    def one(shape):
        elems = st.floats(op.low, op.high, allow_nan=False, allow_infinity=False, width=64)
        if op.away_from:
            elems = elems.filter(lambda v: all(abs(v - p) >= 0.05 for p in op.away_from))
        return hnp.arrays(np.float64, shape, elements=elems).map(lambda a: a.astype(dtype))
    return st.tuples(*[one(s) for s in op.shapes])
