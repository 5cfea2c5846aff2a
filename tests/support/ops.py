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
    distinct: bool = False            # all input values at least 0.25 apart (max, min: no ties)
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
    Op("var", lambda lab, a: a.var(), [(2, 3)], "VarBackward0"),
    Op("var_dim_biased", lambda lab, a: lab.var(a, 1, keepdim=True, correction=0), [(2, 3)], "VarBackward0"),
    Op("var_mean", lambda lab, a: (lambda v, m: v * m)(*lab.var_mean(a, 0)), [(3, 2)], "MulBackward0"),
    Op("var_mean_all", lambda lab, a: (lambda v, m: v + m)(*lab.var_mean(a)), [(4,)], "AddBackward0"),
    # shapes
    Op("reshape", lambda lab, a: a.reshape(3, 2), [(2, 3)], "ViewBackward0"),
    Op("reshape_infer", lambda lab, a: a.reshape(-1), [(2, 3)], "ViewBackward0"),
    Op("reshape_copy", lambda lab, a: a.t().reshape(6), [(2, 3)], "UnsafeViewBackward0"),
    Op("reshape_alias", lambda lab, a: a.t().reshape(3, 1, 2), [(2, 3)], "ReshapeAliasBackward0"),
    Op("t", lambda lab, a: a.t(), [(2, 3)], "TBackward0"),
    Op("T", lambda lab, a: a.T, [(2, 3)], "PermuteBackward0"),
    # indexing (create_graph through it too)
    Op("select", lambda lab, a: a[1], [(3, 2)], "SelectBackward0"),
    Op("select_dims", lambda lab, a: a[:, -1] * a[0, 1], [(3, 2)], "MulBackward0"),
    Op("slice", lambda lab, a: a[1:], [(3, 2)], "SliceBackward0"),
    Op("slice_step", lambda lab, a: a[::2, 1:], [(3, 2)], "SliceBackward0"),
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
    # issue 13: module functions, more math, shapes, indexing, products of every rank
    Op("fn_add_alpha", lambda lab, a, b: lab.add(a, b, alpha=2), [(2, 3), (3,)], "AddBackward0"),
    Op("fn_sub_mul_div", lambda lab, a, b: lab.div(lab.mul(lab.sub(a, b), b), 3), [(2, 3), (2, 3)], "DivBackward0"),
    Op("fn_pow_neg", lambda lab, a: lab.neg(lab.pow(a, 3)) + lab.pow(2, a), [(3,)], "AddBackward0"),
    Op("fn_exp_log", lambda lab, a: lab.log(lab.exp(a) + 1), [(2, 2)], "LogBackward0"),
    Op("fn_sum_mean", lambda lab, a: lab.sum(a, 1) * lab.mean(a), [(2, 3)], "MulBackward0"),
    Op("tan", lambda lab, a: lab.tan(a.tan()), [(2, 3)], "TanBackward0", -0.6, 0.6),
    Op("square", lambda lab, a: lab.square(a) + a.square(), [(2, 3)], "AddBackward0"),
    Op("clamp", lambda lab, a: a.clamp(-1, 1) * lab.clamp(a, min=0.5), [(2, 3)], "MulBackward0",
       away_from=(-1.0, 0.5, 1.0)),
    Op("max_all", lambda lab, a: a.max(), [(2, 3)], "MaxBackward1", distinct=True),
    Op("min_all", lambda lab, a: lab.min(a), [(2, 3)], "MinBackward1", distinct=True),
    Op("max_dim", lambda lab, a: a.max(1).values, [(2, 3)], "MaxBackward0", distinct=True),
    Op("min_dim_keepdim", lambda lab, a: lab.min(a, dim=0, keepdim=True)[0], [(2, 3)], "MinBackward0", distinct=True),
    Op("maximum", lambda lab, a, b: lab.maximum(a, b), [(2, 3), (3,)], "MaximumBackward0", distinct=True),
    Op("minimum", lambda lab, a, b: lab.minimum(a, b), [(2, 3), (2, 3)], "MinimumBackward0", distinct=True),
    Op("max_pair", lambda lab, a, b: lab.max(a, b), [(3,), (3,)], "MaximumBackward0", distinct=True),
    Op("prod", lambda lab, a: a.prod(), [(2, 3)], "ProdBackward0", away_from=(0.0,)),
    Op("prod_dim", lambda lab, a: lab.prod(a, 1), [(2, 3)], "ProdBackward1", away_from=(0.0,)),
    Op("prod_zero", lambda lab, a: (a * lab.tensor([0.0, 1.0, 1.0], dtype=a.dtype)).prod(), [(3,)], "ProdBackward0",
       second_order=False),
    Op("matmul_mat_3d", lambda lab, a, b: a @ b, [(2, 3), (2, 3, 2)], "CloneBackward0"),
    Op("norm", lambda lab, a: a.norm(), [(2, 3)], "LinalgVectorNormBackward0", away_from=(0.0,)),
    Op("norm_dim", lambda lab, a: lab.norm(a, dim=1, keepdim=True), [(2, 3)], "LinalgVectorNormBackward0",
       away_from=(0.0,)),
    Op("norm_1", lambda lab, a: a.norm(p=1), [(4,)], "LinalgVectorNormBackward0", away_from=(0.0,),
       second_order=False),
    Op("std", lambda lab, a: a.std() * a.std(dim=1, keepdim=True) + a.std(0, unbiased=False).sum(), [(2, 3)],
       "AddBackward0", distinct=True),
    Op("gather", lambda lab, a: a.gather(1, lab.tensor([[0, 0, 2], [1, 2, 1]])) ** 2, [(2, 3)], "PowBackward0"),
    Op("masked_fill", lambda lab, a: (a * a).masked_fill(a > 0.5, 0.0), [(2, 3)], "MaskedFillBackward0",
       away_from=(0.5,)),
    Op("leaky_relu", lambda lab, a: lab.nn.functional.leaky_relu(a, 0.2) ** 2, [(2, 3)], "PowBackward0",
       away_from=(0.0,)),
    Op("softplus", lambda lab, a: lab.nn.functional.softplus(a, beta=2, threshold=3), [(2, 3)], "SoftplusBackward0",
       away_from=(1.5,)),
    Op("log1p_rsqrt", lambda lab, a: a.log1p() * lab.rsqrt(a) + a.sign(), [(2, 3)], "AddBackward0", 0.2, 3.0),
    Op("exp2_expm1", lambda lab, a: lab.exp2(a) * a.expm1(), [(2, 3)], "MulBackward0"),
    Op("log2_log10", lambda lab, a: a.log2() * lab.log10(a), [(2, 3)], "MulBackward0", 0.2, 3.0),
    Op("clamp_min_max", lambda lab, a: a.clamp_min(-0.5) * lab.clamp_max(a, 0.5), [(2, 3)], "MulBackward0",
       away_from=(-0.5, 0.5)),
    Op("amax_amin", lambda lab, a: a.amax(dim=1) * lab.amin(a, 0).sum(), [(2, 3)], "MulBackward0", distinct=True,
       second_order=False),
    Op("outer", lambda lab, a, b: lab.outer(a, b), [(3,), (2,)], "MulBackward0"),
    Op("sort", lambda lab, a: a.sort(dim=0, descending=True)[0] * lab.arange(3.0), [(2, 3)], "MulBackward0",
       distinct=True),
    Op("topk", lambda lab, a: lab.topk(a, 2)[0] ** 2, [(2, 3)], "PowBackward0", distinct=True),
    Op("gelu", lambda lab, a: lab.nn.functional.gelu(a) + lab.nn.GELU("tanh")(a), [(2, 3)], "AddBackward0",
       second_order=False),
    Op("linalg_norm", lambda lab, a: lab.linalg.norm(a, dim=0) * lab.linalg.vector_norm(a), [(2, 3)], "MulBackward0",
       away_from=(0.0,)),
    Op("norm_min", lambda lab, a: a.norm(float("-inf"), dim=1), [(2, 3)], "LinalgVectorNormBackward0", distinct=True,
       away_from=(0.0,), second_order=False),
    Op("softmax", lambda lab, a: a.softmax(1), [(2, 3)], "SoftmaxBackward0"),
    Op("log_softmax", lambda lab, a: lab.log_softmax(a, dim=0), [(2, 3)], "LogSoftmaxBackward0"),
    Op("where", lambda lab, a, b: lab.where(a > 0, a, b), [(2, 3), (3,)], "WhereBackward0", away_from=(0.0,)),
    Op("where_number", lambda lab, a: lab.where(a > 0, a * a, 0.0), [(2, 3)], "WhereBackward0", away_from=(0.0,)),
    Op("cat", lambda lab, a, b: lab.cat([a, b], dim=1), [(2, 3), (2, 1)], "CatBackward0"),
    Op("stack", lambda lab, a, b: lab.stack((a, b * b), 1), [(2, 3), (2, 3)], "StackBackward0"),
    Op("unsqueeze", lambda lab, a: a.unsqueeze(-1) * lab.unsqueeze(a, 0), [(3,)], "MulBackward0"),
    Op("squeeze", lambda lab, a: a.squeeze(), [(2, 1, 3)], "SqueezeBackward0"),
    Op("squeeze_dim", lambda lab, a: lab.squeeze(a, 1), [(2, 1, 3)], "SqueezeBackward1"),
    Op("squeeze_dims", lambda lab, a: a.squeeze((0, 1)), [(1, 1, 3)], "SqueezeBackward2"),
    Op("flatten", lambda lab, a: a.flatten(), [(2, 3)], "ViewBackward0"),
    Op("flatten_copy", lambda lab, a: a.t().flatten(), [(2, 3)], "UnsafeViewBackward0"),
    Op("view", lambda lab, a: a.view(3, -1), [(2, 3)], "ViewBackward0"),
    Op("transpose", lambda lab, a: a.transpose(0, 2), [(2, 3, 2)], "TransposeBackward0"),
    Op("permute", lambda lab, a: lab.permute(a, (2, 0, 1)), [(2, 3, 2)], "PermuteBackward0"),
    Op("expand", lambda lab, a: a.expand(2, 3) * a.expand(-1, 3), [(2, 1)], "MulBackward0"),
    Op("index_mask", lambda lab, a: a[a > 0] * 2, [(2, 3)], "MulBackward0", away_from=(0.0,)),
    Op("index_list", lambda lab, a: a[[0, 2, 0]], [(3, 2)], "IndexBackward0"),
    Op("index_tensor", lambda lab, a: a[:, lab.tensor([1, 0])], [(3, 2)], "IndexBackward0"),
    Op("index_none", lambda lab, a: a[None, :, None], [(3,)], "UnsqueezeBackward0"),
    Op("setitem", lambda lab, a, b: _setitem(lab, a, b), [(2, 3), (3,)], "torch::autograd::CopySlices", second_order=False),
    Op("setitem_mask", lambda lab, a: _setitem_mask(lab, a), [(2, 3)], "IndexPutBackward0", away_from=(0.0,),
       second_order=False),
    Op("inplace_on_view", lambda lab, a, b: _inplace_on_view(lab, a, b), [(2, 3), (3,)], "MulBackward0",
       second_order=False),
    Op("inplace_on_view_of_view", lambda lab, a, b: _inplace_on_view_of_view(lab, a, b), [(2, 3), (3,)],
       "torch::autograd::CopySlices", second_order=False),
    Op("split", lambda lab, a: a.split(2)[1] * a.split([1, 2])[0], [(3,)], "MulBackward0"),
    Op("chunk_unbind", lambda lab, a: a.chunk(2, 1)[0] * lab.unbind(a, 1)[2].unsqueeze(1), [(2, 3)], "MulBackward0"),
    Op("narrow_select", lambda lab, a: a.narrow(1, 1, 2) * a.select(1, 0).view_as(a[:, :1]), [(2, 3)], "MulBackward0"),
    Op("fill_tensor", lambda lab, a, b: _filled(lab, a, b), [(2, 3), ()], "torch::autograd::CopySlices",
       second_order=False),
    Op("zero_", lambda lab, a: (a * a).zero_() + a, [(3,)], "AddBackward0", second_order=False),
    Op("fill_", lambda lab, a, b: (a * a).fill_(0.5) * (a * 1).fill_(b.exp()), [(3,), ()], "MulBackward0",
       second_order=False),
    Op("fn_dot_mv_mm", lambda lab, a, b, c: lab.mv(lab.mm(a, b), c) * lab.dot(c, c), [(2, 3), (3, 3), (3,)],
       "MulBackward0"),
    Op("matmul_vec_mat", lambda lab, a, b: a @ b, [(3,), (3, 2)], "SqueezeBackward4"),
    Op("matmul_3d_2d", lambda lab, a, b: a @ b, [(2, 2, 3), (3, 2)], "UnsafeViewBackward0"),
    Op("matmul_3d_1d", lambda lab, a, b: lab.matmul(a, b), [(2, 2, 3), (3,)], "UnsafeViewBackward0"),
    Op("matmul_batched", lambda lab, a, b: a @ b, [(2, 2, 3), (1, 3, 2)], "UnsafeViewBackward0"),
    Op("matmul_vec_3d", lambda lab, a, b: a @ b, [(3,), (2, 3, 2)], "UnsafeViewBackward0"),
    Op("addmm", lambda lab, b, x, w: lab.addmm(b, x, w.t()), [(2,), (4, 3), (2, 3)], "AddmmBackward0"),
    Op("bmm", lambda lab, a, b: lab.bmm(a, b.transpose(1, 2)), [(2, 2, 3), (2, 4, 3)], "BmmBackward0"),
    Op("repeat", lambda lab, a: a.repeat(2, 1, 3), [(2, 3)], "RepeatBackward0"),
    Op("cumsum", lambda lab, a: (a.cumsum(1) * a).cumsum(dim=-1), [(2, 3)], "CumsumBackward0"),
    Op("contiguous", lambda lab, a: a.t().contiguous() * a.contiguous().t(), [(2, 3)], "MulBackward0"),
    # nn.functional
    Op("linear_batch", lambda lab, x, w, b: lab.nn.functional.linear(x, w, b), [(4, 3), (2, 3), (2,)], "AddmmBackward0"),
    Op("linear_one", lambda lab, x, w, b: lab.nn.functional.linear(x, w, b), [(3,), (2, 3), (2,)], "ViewBackward0"),
    Op("linear_3d", lambda lab, x, w, b: lab.nn.functional.linear(x, w, b), [(2, 2, 3), (2, 3), (2,)], "ViewBackward0"),
    Op("linear_no_bias", lambda lab, x, w: lab.nn.functional.linear(x, w), [(4, 3), (2, 3)], "MmBackward0"),
    Op("mse_loss", lambda lab, a, b: lab.nn.functional.mse_loss(a, b), [(2, 3), (2, 3)], "MseLossBackward0"),
    Op("mse_loss_sum", lambda lab, a, b: lab.nn.functional.mse_loss(a, b, reduction="sum"), [(4,), (4,)],
       "MseLossBackward0"),
    Op("mse_loss_none", lambda lab, a, b: lab.nn.MSELoss(reduction="none")(a, b), [(4,), (4,)], "MseLossBackward0"),
    Op("cross_entropy", lambda lab, a: lab.nn.functional.cross_entropy(a, lab.tensor([2, 0, 1, 2])), [(4, 3)],
       "NllLossBackward0"),
    Op("cross_entropy_sum", lambda lab, a: lab.nn.CrossEntropyLoss(reduction="sum")(a, lab.tensor([1, 0])), [(2, 3)],
       "NllLossBackward0"),
    Op("cross_entropy_one", lambda lab, a: lab.nn.functional.cross_entropy(a, lab.tensor(1)), [(3,)],
       "NllLossBackward0"),
    Op("bce_logits", lambda lab, x, y: lab.nn.functional.binary_cross_entropy_with_logits(x, y), [(2, 3), (2, 3)],
       "BinaryCrossEntropyWithLogitsBackward0", second_order=False),
    Op("bce_logits_sum", lambda lab, x: lab.nn.BCEWithLogitsLoss(reduction="sum")(x, lab.ones_like(x) * 0.25), [(4,)],
       "BinaryCrossEntropyWithLogitsBackward0"),
    Op("bce", lambda lab, x, y: lab.nn.functional.binary_cross_entropy(x.sigmoid(), y.sigmoid()), [(2, 3), (2, 3)],
       "BinaryCrossEntropyBackward0", second_order=False),
    Op("nll_none", lambda lab, a: lab.nn.functional.nll_loss(a.log_softmax(1), lab.tensor([1, 0]), reduction="none"),
       [(2, 3)], "NllLossBackward0"),
]


def _setitem(lab, a, b):
    y = a * 1
    y[0] = b
    y[1, 1:] = 0
    return y


def _inplace_on_view(lab, a, b):
    y = a * 1
    v = y[1]
    v.mul_(b)        # y's grad_fn becomes CopySlices, v's AsStridedBackward0
    return v * y


def _inplace_on_view_of_view(lab, a, b):
    y = a * a           # (an exp here would be stale: exp saves its result, which the add_ changes)
    y.view(-1)[1:4].add_(b.tanh())
    return y


def _filled(lab, a, b):
    y = a * a
    y[0].fill_(b * 2)     # FillBackward3, wrapped in CopySlices
    y[1, :2].fill_(0.5)   # FillBackward2
    return y


def _setitem_mask(lab, a):
    y = a.clone()
    y[y < 0] = 0.5
    return y


OPS_BY_NAME = {op.name: op for op in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"


def arrays(op: Op, dtype=np.float64):
    """A hypothesis strategy for the inputs of ``op``: a tuple of arrays in its domain."""
    def one(shape):
        elems = st.floats(op.low, op.high, allow_nan=False, allow_infinity=False, width=64)
        if op.away_from:
            elems = elems.filter(lambda v: all(abs(v - p) >= 0.05 for p in op.away_from))
        return hnp.arrays(np.float64, shape, elements=elems).map(lambda a: a.astype(dtype))
    tup = st.tuples(*[one(s) for s in op.shapes])
    return tup.map(_spread) if op.distinct else tup


def _spread(xs):
    """The same order of values, moved apart: rank * 0.3 plus 1% of the value (ties broken by position)."""
    flat = np.concatenate([x.ravel() for x in xs])
    rank = np.argsort(np.argsort(flat, kind="stable"), kind="stable")
    out = (rank * 0.3 - 0.15 * len(flat) + flat * 0.01).astype(flat.dtype)
    parts, i = [], 0
    for x in xs:
        parts.append(out[i:i + x.size].reshape(x.shape))
        i += x.size
    return tuple(parts)
