"""``optim.SGD``: the optimizer of the training-loop lesson, as in ``torch.optim.SGD``.

    opt = SGD([w, b], lr=0.1)
    for step in range(100):
        opt.zero_grad()            # grads set to None (PyTorch's default)
        loss = ((w * x + b - y) ** 2).mean()
        loss.backward()
        opt.step()                 # w -= lr * w.grad, in place, without recording a graph
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .grad_mode import no_grad
from .node import _wrap
from .tensor import Tensor

__all__ = ["SGD", "Adam", "Optimizer"]


class Optimizer:
    """Holds parameters; ``zero_grad()`` clears their gradients."""

    def __getattr__(self, name: str):  # (only for names the optimizer does not have: state_dict ...)
        from .messages import missing_attribute
        if name.startswith("_"):
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        raise missing_attribute(f"'{type(self).__name__}' object", name)

    def __init__(self, params: Iterable[Tensor], defaults: dict):
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got torch.FloatTensor")
        params = list(params)
        if params and isinstance(params[0], dict):
            if len(params) != 1 or set(params[0]) - {"params"}:
                raise NotImplementedError("parameter groups with their own options are not supported in autograd_lab; "
                                          "pass the parameters as one list")
            params = list(params[0]["params"])
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        self.defaults = defaults
        self.param_groups = [dict(defaults, params=params)]

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set every parameter's ``.grad`` to None (default) or zero it in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p._grad.zero_()

    def state_dict(self) -> dict:
        """``{'state': {index: its state}, 'param_groups': [options and 'params': indices]}``, as PyTorch's:
        parameters are numbered in order; the state's tensors are the optimizer's own (not copies)."""
        index, groups, n = {}, [], 0
        for group in self.param_groups:
            ids = list(range(n, n + len(group["params"])))
            index.update({id(p): i for p, i in zip(group["params"], ids)})
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
            n += len(ids)
        state = getattr(self, "state", {})
        return {"state": {index[id(p)]: {k: _wrap(np.array(v, dtype=np.float32), False, None) if k == "step" else v
                                         for k, v in st.items()} for p, st in state.items()},
                "param_groups": groups}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(k for k in group if k != "params"):
                lines.append(f"    {k}: {group[k]}")
        lines.append(")")
        return "\n".join(lines)


class SGD(Optimizer):
    """Stochastic gradient descent: ``p -= lr * p.grad``; with ``momentum``, a velocity ``buf = momentum * buf
    + grad`` (``weight_decay`` adds ``weight_decay * p`` to the gradient first), as in ``torch.optim.SGD``."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False, foreach=None,
                 differentiable: bool = False, fused=None):
        if not isinstance(lr, (int, float)) or lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        if nesterov or maximize or dampening:
            raise NotImplementedError("SGD in autograd_lab supports lr, momentum and weight_decay (not nesterov, "
                                      "dampening or maximize)")
        # PyTorch's defaults, so that print(optimizer) shows what torch.optim.SGD shows
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))
        self.state = {}

    @no_grad()
    def step(self, closure=None):
        """Update every parameter in place: ``p.add_(p.grad, alpha=-lr)`` (through the momentum buffer if any)."""
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            lr, mom, wd = group["lr"], group["momentum"], group["weight_decay"]
            for p in group["params"]:
                if p._grad is None:
                    continue
                g = p._grad
                if wd:
                    g = g.add(p, alpha=wd)
                if mom:
                    st = self.state.setdefault(p, {})
                    buf = st.get("momentum_buffer")
                    if buf is None:
                        buf = st["momentum_buffer"] = g.clone().detach()
                    else:
                        buf.mul_(mom).add_(g)
                    g = buf
                p.add_(g, alpha=-lr)
        return loss


class Adam(Optimizer):
    """Adam (``torch.optim.Adam``): running averages of the gradient and of its square, bias-corrected."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach=None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False, fused=None,
                 decoupled_weight_decay: bool = False):
        if not isinstance(lr, (int, float)) or lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if amsgrad or maximize or decoupled_weight_decay:
            raise NotImplementedError("Adam in autograd_lab supports lr, betas, eps and weight_decay (not amsgrad, "
                                      "maximize or decoupled_weight_decay)")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      differentiable=differentiable, fused=fused,
                                      decoupled_weight_decay=decoupled_weight_decay))
        self.state = {}

    @no_grad()
    def step(self, closure=None):
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p._grad is None:
                    continue
                g = p._grad
                if wd:
                    g = g.add(p, alpha=wd)
                st = self.state.setdefault(p, {})
                if not st:
                    st["step"] = 0
                    st["exp_avg"] = p.detach() * 0
                    st["exp_avg_sq"] = p.detach() * 0
                st["step"] += 1
                m, v, t = st["exp_avg"], st["exp_avg_sq"], st["step"]
                m.mul_(b1).add_(g * (1 - b1))
                v.mul_(b2).add_(g * g * (1 - b2))
                denom = (v.sqrt() / math.sqrt(1 - b2 ** t)).add_(eps)
                p.add_(m / denom, alpha=-lr / (1 - b1 ** t))
        return loss


def __getattr__(name: str):
    from .messages import missing_attribute
    raise missing_attribute("module 'autograd_lab.optim'", name)
