"""``nn.functional``: relu, sigmoid, tanh, leaky_relu, softplus, gelu, softmax, log_softmax, linear, mse_loss, nll_loss, cross_entropy."""
from __future__ import annotations

import warnings

from .function import _needs_tensor, apply, broadcast_error
from .ops.combine import _log_softmax_fn, _softmax_fn
from .ops.elementwise import ReluBackward0, SigmoidBackward0, TanhBackward0
from .ops.extras import gelu, leaky_relu, softplus  # noqa: F401  (nn.functional's names)
from .ops.linalg import addmm
from .ops.losses import (BinaryCrossEntropyBackward0, BinaryCrossEntropyWithLogitsBackward0, MseLossBackward0,
                         NllLossBackward0)
from .tensor import Tensor

__all__ = ["relu", "sigmoid", "tanh", "leaky_relu", "softplus", "gelu", "softmax", "log_softmax", "linear", "mse_loss", "nll_loss", "cross_entropy",
           "binary_cross_entropy", "binary_cross_entropy_with_logits"]


def relu(input, inplace: bool = False):
    _needs_tensor("relu", input)
    if inplace:
        return input.relu_()
    return apply(ReluBackward0, input)


def relu_(input):
    _needs_tensor("relu_", input)
    return input.relu_()


def sigmoid(input):
    _needs_tensor("sigmoid", input)
    return apply(SigmoidBackward0, input)


def tanh(input):
    _needs_tensor("tanh", input)
    return apply(TanhBackward0, input)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _softmax_fn(input, _implicit_dim("softmax", input, dim), dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _log_softmax_fn(input, _implicit_dim("log_softmax", input, dim), dtype)


def _implicit_dim(name, input, dim):
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as "
                  "an argument.", UserWarning, stacklevel=3)
    return 0 if input.ndim in (0, 1, 3) else 1


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``, built as PyTorch builds it: ``AddmmBackward0`` (with ``TBackward0``)
    for a batch, with a view before and after for a single sample or more batch dimensions."""
    _needs_tensor("linear", input)
    if input.shape[-1] != weight.shape[-1]:
        rows = 1 if input.ndim == 1 else int(input.numel() // input.shape[-1])
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} and "
                           f"{weight.shape[-1]}x{weight.shape[0]})")
    if bias is None:
        return input @ weight.t()
    if input.ndim == 2:
        return addmm(bias, input, weight.t())
    lead = tuple(input.shape[:-1])
    out = addmm(bias, input.view(-1, input.shape[-1]), weight.t())
    return out.view(*lead, weight.shape[0])


def _check_reduction(reduction):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    input, target = _regression_arguments("mse_loss", input, target, reduction)
    return apply(MseLossBackward0, input, target, reduction=reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    """Mean (or sum, or each) of ``|input - target|``; its nodes are PyTorch's: Sub, Abs, then Mean or Sum."""
    input, target = _regression_arguments("l1_loss", input, target, reduction)
    diff = (input - target).abs()
    return diff if reduction == "none" else diff.sum() if reduction == "sum" else diff.mean()


def _regression_arguments(name, input, target, reduction):
    """The regression losses' checks, their warning for a target of another shape, and both expanded
    (PyTorch's)."""
    _needs_tensor(name, input)
    _check_reduction(reduction)
    if not isinstance(target, Tensor):
        raise TypeError(f"{name}(): argument 'target' (position 2) must be Tensor, not {type(target).__name__}")
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", UserWarning, stacklevel=3)
        target = target.expand(*_broadcast(input.shape, target.shape))
        if input.shape != target.shape:
            input = input.expand(*target.shape)
    return input, target


def _broadcast(a, b):
    import numpy as np
    try:
        return np.broadcast_shapes(tuple(a), tuple(b))
    except ValueError:  # (PyTorch's words, not numpy's)
        raise broadcast_error(np.empty(tuple(a)), np.empty(tuple(b))) from None


def nll_loss(input, target, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
             reduction: str = "mean"):
    _needs_tensor("nll_loss", input)
    _check_reduction(reduction)
    if weight is not None:
        raise NotImplementedError("nll_loss with class weights is not supported in autograd_lab")
    if not isinstance(target, Tensor) or target.dtype.is_floating_point:
        if isinstance(target, Tensor) and target.shape == input.shape:
            raise NotImplementedError("class probabilities as targets are not supported in autograd_lab; give the "
                                      "class indices (a long tensor)")
        raise RuntimeError("expected scalar type Long but found " + (
            "Float" if isinstance(target, Tensor) and target.dtype.name == "float32" else "Double"))
    if input.ndim not in (1, 2):
        raise NotImplementedError("nll_loss of inputs with more than 2 dimensions is not supported in autograd_lab")
    if input.ndim == 2 and (target.ndim != 1 or target.shape[0] != input.shape[0]):
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0] if target.ndim else 1}).")
    c = input.shape[-1]
    import numpy as np
    tg = np.asarray(target._data)
    bad = tg[(tg != ignore_index) & ((tg < 0) | (tg >= c))]
    if bad.size:
        raise IndexError(f"Target {int(bad.flat[0])} is out of bounds.")
    return apply(NllLossBackward0, input, target=tg, reduction=reduction, ignore_index=ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0):
    _needs_tensor("cross_entropy", input)
    if label_smoothing:
        raise NotImplementedError("cross_entropy with label_smoothing is not supported in autograd_lab")
    return nll_loss(log_softmax(input, 1 if input.ndim >= 2 else 0), target, weight, ignore_index=ignore_index,
                    reduction=reduction)


def _check_same_size(name, input, target):
    if not isinstance(target, Tensor):
        raise TypeError(f"{name}(): argument 'target' (position 2) must be Tensor, not {type(target).__name__}")
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction: str = "mean", pos_weight=None):
    _needs_tensor("binary_cross_entropy_with_logits", input)
    _check_reduction(reduction)
    if weight is not None or pos_weight is not None:
        raise NotImplementedError("binary_cross_entropy_with_logits with weights is not supported in autograd_lab")
    _check_same_size("binary_cross_entropy_with_logits", input, target)
    return apply(BinaryCrossEntropyWithLogitsBackward0, input, target, reduction=reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
    _needs_tensor("binary_cross_entropy", input)
    _check_reduction(reduction)
    if weight is not None:
        raise NotImplementedError("binary_cross_entropy with weights is not supported in autograd_lab")
    _check_same_size("binary_cross_entropy", input, target)
    return apply(BinaryCrossEntropyBackward0, input, target, reduction=reduction)


def __getattr__(name: str):
    from .messages import missing_attribute
    raise missing_attribute("module 'autograd_lab.nn.functional'", name)
