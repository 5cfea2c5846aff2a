"""The loss nodes of ``nn.functional``: ``mse_loss`` (MseLossBackward0) and ``nll_loss``
(NllLossBackward0; ``cross_entropy`` is log_softmax followed by it, as in PyTorch)."""
from __future__ import annotations

import numpy as np

from ..function import Function, _shape, declare
from ..formulas import derivatives
from ..node import TensorBase as Tensor
from .extrema import _scatter

_REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


@derivatives(self="2 * (self - target) * per_element(grad, self, reduction)", target="-2 * (self - target) * per_element(grad, self, reduction)")
class MseLossBackward0(Function):
    """f(a, b) = mean((a - b)^2) (or their sum, or each square: ``reduction``)"""
    __slots__ = ("reduction",)
    _saved_names = ("_saved_self", "_saved_target")
    _params = {"_saved_reduction": lambda self: _REDUCTIONS[self.reduction]}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, a, b, reduction):
        ctx.reduction = reduction
        ctx.save_for_backward(a, b)
        sq = (a - b) ** 2
        if reduction == "mean":
            return np.mean(sq)
        if reduction == "sum":
            return np.sum(sq)
        return sq

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n = max(int(np.prod(_shape(a))), 1) if ctx.reduction == "mean" else 1
        d = (a - b) * (2.0 / n)
        ga = g * d
        na, nb = ctx.needs_input_grad
        return (ga if na else None, -ga if nb else None)


@derivatives(self="nll_grad(grad, self, target, reduction, ignore_index, total_weight)")
class NllLossBackward0(Function):
    """f(logp, target) = -mean(logp[i, target[i]]): the negative log-likelihood of the right classes"""
    __slots__ = ("reduction", "ignore_index")
    _saved_names = ("_saved_self", "_saved_target", "_saved_total_weight")
    _params = {"_saved_reduction": lambda self: _REDUCTIONS[self.reduction],
               "_saved_ignore_index": lambda self: self.ignore_index}
    _keeps_dtype = True

    @staticmethod
    def forward(ctx, logp, target, reduction, ignore_index):
        ctx.reduction, ctx.ignore_index = reduction, ignore_index
        logp = np.asarray(logp)
        target = np.asarray(target)
        batched = logp.ndim == 2
        lp = logp if batched else logp[None]
        tg = target.reshape(-1)
        keep = tg != ignore_index
        rows = np.arange(len(tg))
        picked = np.where(keep, -lp[rows, np.where(keep, tg, 0)], 0).astype(logp.dtype)
        total = np.asarray(keep.sum(), dtype=logp.dtype)
        ctx.save_for_backward(logp, target, total)
        ctx._info = (logp.shape, (rows, np.where(keep, tg, 0)) if batched else (np.where(keep, tg, 0)[0],),
                     keep, logp.dtype)
        if reduction == "none":
            return picked if batched else picked[0]
        s = picked.sum(dtype=logp.dtype)
        return logp.dtype.type(s / total) if reduction == "mean" else logp.dtype.type(s)

    @staticmethod
    def backward(ctx, g):
        shape, index, keep, dt = ctx._info
        total = max(float(keep.sum()), 1.0)
        if ctx.reduction == "none":
            w = -(keep.astype(dt))
            vals = g * (w if len(shape) == 2 else w[0])
        else:
            w = -(keep.astype(dt)) / (total if ctx.reduction == "mean" else 1.0)
            vals = (g.expand(*w.shape) if isinstance(g, Tensor) else np.broadcast_to(g, w.shape)) * w
            if len(shape) == 1:
                vals = vals.reshape(()) if isinstance(vals, Tensor) else vals.reshape(())
        return (_scatter(vals, shape, index, dt),)


declare("mse_loss", MseLossBackward0, shown_as=None)
declare("nll_loss", NllLossBackward0, shown_as=None)


def _reduce(v, reduction, dtype):
    if reduction == "mean":
        return dtype.type(np.mean(v))
    if reduction == "sum":
        return dtype.type(np.sum(v))
    return v


def _reduced_grad(g, shape, reduction):
    """The incoming gradient spread over the elements (divided by their number for a mean)."""
    n = max(int(np.prod(shape)), 1) if reduction == "mean" else 1
    if reduction == "none":
        return g
    if isinstance(g, Tensor):
        return g.expand(*shape) / n
    return np.broadcast_to(g, shape) / n


@derivatives(self="(sigmoid(self) - target) * per_element(grad, self, reduction)", target="-self * per_element(grad, self, reduction)")
class BinaryCrossEntropyWithLogitsBackward0(Function):
    """f(x, y) = mean(-(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))), from the logits x"""
    __slots__ = ("reduction",)
    _saved_names = ("_saved_self", "_saved_target")
    _params = {"_saved_reduction": lambda self: _REDUCTIONS[self.reduction], "_saved_weight": lambda self: None,
               "_saved_pos_weight": lambda self: None}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, x, y, reduction):
        ctx.reduction = reduction
        ctx.save_for_backward(x, y)
        x = np.asarray(x)
        v = np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))
        return _reduce(v.astype(np.result_type(x, y)), reduction, np.result_type(x, y))

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gg = _reduced_grad(g, _shape(x), ctx.reduction)
        nx, ny = ctx.needs_input_grad
        s = x.sigmoid() if isinstance(x, Tensor) else 1 / (1 + np.exp(-x))
        return ((s - y) * gg if nx else None, -x * gg if ny else None)


@derivatives(self="(self - target) / max1(self * (1 - self), 1e-12) * per_element(grad, self, reduction)", target="(log(1 - self) - log(self)) * per_element(grad, self, reduction)")
class BinaryCrossEntropyBackward0(Function):
    """f(p, y) = mean(-(y log p + (1 - y) log(1 - p))) (each log at least -100, as in PyTorch)"""
    __slots__ = ("reduction",)
    _saved_names = ("_saved_self", "_saved_target")
    _params = {"_saved_reduction": lambda self: _REDUCTIONS[self.reduction], "_saved_weight": lambda self: None}
    _keeps_dtype = False

    @staticmethod
    def forward(ctx, p, y, reduction):
        ctx.reduction = reduction
        p = np.asarray(p)
        if np.any((p < 0) | (p > 1)):
            raise RuntimeError("all elements of input should be between 0 and 1")
        ctx.save_for_backward(p, y)
        with np.errstate(divide="ignore"):
            v = -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log1p(-p), -100))
        return _reduce(v.astype(np.result_type(p, y)), reduction, np.result_type(p, y))

    @staticmethod
    def backward(ctx, g):
        p, y = ctx.saved_tensors
        if isinstance(g, Tensor):
            raise NotImplementedError("create_graph=True through binary_cross_entropy is not supported in "
                                      "autograd_lab; use binary_cross_entropy_with_logits")
        gg = _reduced_grad(g, _shape(p), ctx.reduction)
        eps = 1e-12
        nx, ny = ctx.needs_input_grad
        gp = gg * (p - y) / np.maximum((1 - p) * p, eps)
        gy = gg * (np.maximum(np.log1p(-p), -100) - np.maximum(np.log(p), -100))
        return (gp.astype(np.result_type(p)) if nx else None, gy if ny else None)


declare("binary_cross_entropy_with_logits", BinaryCrossEntropyWithLogitsBackward0, shown_as=None)
declare("binary_cross_entropy", BinaryCrossEntropyBackward0, shown_as=None)
