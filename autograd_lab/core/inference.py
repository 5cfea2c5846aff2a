"""Inference tensors, as ``inference_mode()`` makes them in PyTorch.

A tensor made inside ``inference_mode()`` (by an operation or a creation function) is an
inference tensor (``t.is_inference()``), except a view of a normal tensor's memory (``x.detach()``
inside the block is a normal tensor). Outside inference mode PyTorch refuses to change one in
place, to let one start requiring grad, or to save one for backward in a recorded operation;
so does autograd_lab, with PyTorch's messages. Nothing is paid until the first inference tensor
is made (``made``): the recording path checks that flag only.
"""
from __future__ import annotations

import weakref

from .grad_mode import _state
from .node import TensorBase

INPLACE_MESSAGE = ("Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to "
                   "get a normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for "
                   "more details.")
SAVED_MESSAGE = ("Inference tensors cannot be saved for backward. Please do not use Tensors created in inference "
                 "mode in computation tracked by autograd. To work around this, you can make a clone to get a "
                 "normal tensor and use it in autograd, or use `torch.no_grad()` instead of `torch.inference_mode()`.")
REQUIRES_GRAD_MESSAGE = "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed."

made = False           # True once an inference tensor has been made (until then no check looks)
_tensors: dict = {}    # id(tensor) -> weak reference to it (dropped when it dies)


def mark(t, inputs=()) -> None:
    """``t`` was just made from ``inputs`` without recording. Inside inference mode it is an inference
    tensor, unless it shares a normal input's memory (a view of it); outside, it is one if it shares
    an inference input's memory, as PyTorch's views of an inference tensor are."""
    global made
    data = t._data
    base = getattr(data, "base", None)
    source = None  # the input whose memory t shares
    for a in inputs:
        if isinstance(a, TensorBase):
            ad = a._data
            if ad is data or base is not None and (ad is base or getattr(ad, "base", None) is base):
                source = a
                break
    if _state.inference:
        if source is not None and not holds(source):
            return
    elif source is None or not holds(source):
        return
    key = id(t)
    _tensors[key] = weakref.ref(t, lambda _, k=key: _tensors.pop(k, None))
    made = True


def holds(t) -> bool:
    """True if ``t`` is an inference tensor."""
    if not made:
        return False
    r = _tensors.get(id(t))
    return r is not None and r() is t


def check_inplace(t) -> None:
    if made and not _state.inference and holds(t):
        raise RuntimeError(INPLACE_MESSAGE)


def check_requires_grad(t) -> None:
    if made and not _state.inference and holds(t):
        raise RuntimeError(REQUIRES_GRAD_MESSAGE)


def check_saved(node, inputs) -> None:
    """A recorded op may not save an inference input for backward."""
    saved = node._saved
    for a in inputs:
        if isinstance(a, TensorBase) and holds(a):
            if any(v is a._data for v in saved):
                raise RuntimeError(SAVED_MESSAGE)


def is_inference(input) -> bool:  # noqa: A002 - PyTorch's parameter name
    """``torch.is_inference(t)``: ``t.is_inference()``."""
    if not isinstance(input, TensorBase):
        raise TypeError(f"is_inference(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return holds(input)
