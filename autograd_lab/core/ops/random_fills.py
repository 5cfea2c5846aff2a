"""``Tensor.uniform_`` and ``Tensor.normal_``: fill a tensor in place with PyTorch's random numbers
(``rng.py`` draws them). Like ``zero_``, a leaf that requires grad refuses them while grad mode is
on (``nn.init`` calls them under ``no_grad``)."""
from __future__ import annotations

import numpy as np

from .. import recording as _rec
from .. import rng
from ..dtypes import _SCALAR_NAMES, float16, float64
from ..function import declare
from ..grad_mode import _state as _grad_state
from ..messages import LEAF_INPLACE_MESSAGE
from ..node import _bump


def _fill(t, values: np.ndarray):
    if _grad_state.enabled and t._requires_grad:
        if t.grad_fn is None:
            raise RuntimeError(LEAF_INPLACE_MESSAGE)
        raise NotImplementedError("autograd_lab: a random in-place fill of a tensor inside a graph (use it under "
                                  "torch.no_grad() or on a tensor that does not require grad)")
    _rec.before_write()
    old = t._data
    t._array()[...] = values.reshape(tuple(t.shape))
    if t._x is None or t._x.base is None:
        _bump(t, old, t._data)
    return t


def _float_kind(t, kernel: str):
    if not t.dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_SCALAR_NAMES[t.dtype]}'")
    return t.dtype.np if t.dtype in (float64, float16) else np.float32


def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator=None, **kw):
    """``t.uniform_(a, b)``: fill ``t`` with uniform values in [a, b) (PyTorch's numbers)."""
    from_ = kw.pop("from", from_)
    if kw:
        raise TypeError(f"uniform_() got an unexpected keyword argument '{next(iter(kw))}'")
    np_dt = _float_kind(self, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}")
    return _fill(self, rng.uniform(generator or rng.default_generator, self.numel(), np_dt, from_, to))


def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None):
    """``t.normal_(mean, std)``: fill ``t`` with normal values (PyTorch's numbers)."""
    np_dt = _float_kind(self, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _fill(self, rng.normal(generator or rng.default_generator, self.numel(), np_dt, mean, std))


declare("uniform_", methods={"uniform_": uniform_}, shown_as=None)
declare("normal_", methods={"normal_": normal_}, shown_as=None)
