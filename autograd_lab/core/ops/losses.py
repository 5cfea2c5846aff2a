"""The loss nodes of ``nn.functional``: ``mse_loss`` (MseLossBackward0) and ``nll_loss``
(NllLossBackward0; ``cross_entropy`` is log_softmax followed by it, as in PyTorch)."""
from __future__ import annotations

import numpy as np

from ..function import Function, _shape, declare
from ..node import TensorBase as Tensor
from .extrema import _scatter

_REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


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
