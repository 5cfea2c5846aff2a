"""``optim.SGD``: the optimizer of the training-loop lesson, as in ``torch.optim.SGD``.

    opt = SGD([w, b], lr=0.1)
    for step in range(100):
        opt.zero_grad()            # grads set to None (PyTorch's default)
        loss = ((w * x + b - y) ** 2).mean()
        loss.backward()
        opt.step()                 # w -= lr * w.grad, in place, without recording a graph
"""
from __future__ import annotations

from collections.abc import Iterable

from .grad_mode import no_grad
from .tensor import Tensor

__all__ = ["SGD", "Optimizer"]


class Optimizer:
    """Holds parameters; ``zero_grad()`` clears their gradients."""

    def __init__(self, params: Iterable[Tensor], defaults: dict):
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got torch.FloatTensor")
        params = list(params)
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

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(k for k in group if k != "params"):
                lines.append(f"    {k}: {group[k]}")
        lines.append(")")
        return "\n".join(lines)


class SGD(Optimizer):
    """Stochastic gradient descent: ``p -= lr * p.grad`` for every parameter with a gradient."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, momentum: float = 0,
                 weight_decay: float = 0):
        if not isinstance(lr, (int, float)) or lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum != 0.0 or weight_decay != 0.0:
            raise NotImplementedError("SGD in autograd_lab supports only lr (no momentum or weight_decay)")
        # PyTorch's defaults, so that print(optimizer) shows what torch.optim.SGD shows
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=0, weight_decay=weight_decay, nesterov=False,
                                      maximize=False, foreach=None, differentiable=False, fused=None))

    @no_grad()
    def step(self) -> None:
        """Update every parameter in place: ``p.add_(p.grad, alpha=-lr)``."""
        for group in self.param_groups:
            lr = group["lr"]
            for p in group["params"]:
                if p._grad is not None:
                    p.add_(p._grad, alpha=-lr)
