"""``autograd.Function``: an operation written by the student, with its own forward and backward,
recorded, drawn and narrated as any other node under PyTorch's name for it (``<ClassName>Backward``)::

    class MyExp(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            return grad_output * y

    y = MyExp.apply(x)        # y.grad_fn: <MyExpBackward>
"""
from __future__ import annotations

import numpy as np

from . import function as F
from . import node as _node
from .grad_mode import _state as _grad_state
from .node import _wrap
from .tensor import Tensor


class _CustomNode(F.Function):
    """Base of the node classes made for each ``autograd.Function`` subclass (``MyExpBackward``).

    The node is also the ``ctx`` of forward and backward: it takes any attribute (``ctx.k = 2``)."""

    _forward_cls = None

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<torch.autograd.function.{type(self).__name__} object at {hex(id(self))}>"

    # ---- ctx API
    def save_for_backward(self, *tensors) -> None:
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument 0 is of type "
                                f"{type(t).__name__}")
        self._saved_ts = tensors
        self._saved = tuple(None if t is None else t._data for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved.__class__ is _node._Freed:
            raise RuntimeError(_node.FREED_MESSAGE)
        if saved.__class__ is _node._Packed:
            prev = _node.unpack_tensors
            _node.unpack_tensors = True
            try:
                return saved.unpacked(self)
            finally:
                _node.unpack_tensors = prev
        if _node._last_change > self._seq:
            _node._check_versions(self, saved)
        out = getattr(self, "_out_data", None)
        # the forward's result, saved, comes back as the result (with this node as its grad_fn), as in PyTorch
        return tuple(_wrap(t._data, True, self) if t is not None and out is not None and t._data is out
                     and t.grad_fn is None else t for t in self._saved_ts)

    saved_variables = saved_tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_diff = tensors

    def mark_dirty(self, *tensors) -> None:
        pass

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize = value

    # ---- what apply and the engine call
    _keeps_dtype = True

    @classmethod
    def forward(cls, ctx, *raw, _args):
        """Run the user's forward on the original arguments (Tensors), without recording, as PyTorch does."""
        grad_on = _grad_state.enabled
        if ctx is not F._NOCTX:
            ctx.needs_input_grad = tuple(grad_on and isinstance(a, Tensor) and a._requires_grad for a in _args)
            ctx._tensor_pos_of = tuple(i for i, a in enumerate(_args) if isinstance(a, Tensor))
            ctx._n_args = len(_args)
        user = ctx if ctx is not F._NOCTX else _FreeCtx(len(_args))
        prev = _grad_state.enabled
        _grad_state.enabled = False
        try:
            out = cls._forward_cls.forward(user, *_args)
        finally:
            _grad_state.enabled = prev
        if isinstance(out, tuple):
            raise NotImplementedError("autograd.Function with several outputs is not supported in autograd_lab; "
                                      "return one tensor")
        if not isinstance(out, Tensor):
            raise TypeError(f"autograd.Function's forward must return a Tensor, not {type(out).__name__}")
        if ctx is not F._NOCTX:
            ctx._out_data = out._data
        return out._data

    @staticmethod
    def backward(ctx, g):
        cls = type(ctx)
        grad = g if isinstance(g, Tensor) else _wrap(g, False, None)
        result = cls._forward_cls.backward(ctx, grad)
        if not isinstance(result, tuple):
            result = (result,)
        n = ctx._n_args
        if len(result) != n:
            if len(result) > n and all(r is None for r in result[n:]):
                result = result[:n]
            else:
                raise RuntimeError(f"function {cls.__name__} returned an incorrect number of gradients (expected "
                                   f"{n}, got {len(result)})")
        out = []
        for i in ctx._tensor_pos_of:
            r = result[i]
            if r is not None and not isinstance(r, Tensor):
                raise TypeError(f"function {cls.__name__} returned a gradient different than None at position "
                                f"{i + 1}, but the corresponding forward input was not a Variable")
            if r is None:
                out.append(None)
            elif _node.unpack_tensors:
                out.append(r)
            else:
                out.append(np.asarray(r._data) if np.ndim(r._data) else r._data)
        return tuple(out)


class _FreeCtx:
    """The ctx of a forward that records nothing (no input requires grad): keeps what is set on it."""

    def __init__(self, n):
        self.needs_input_grad = (False,) * n

    def save_for_backward(self, *tensors):
        self.saved_tensors = tensors

    def mark_non_differentiable(self, *tensors):
        pass

    def mark_dirty(self, *tensors):
        pass

    def set_materialize_grads(self, value):
        pass


class _FunctionMeta(type):
    """Makes the node class ``<Name>Backward`` of every ``autograd.Function`` subclass."""

    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        cls._backward_cls = type(f"{name}Backward", (_CustomNode,), {"_forward_cls": cls,
                                                                        "__module__": "torch.autograd.function"})


class Function(metaclass=_FunctionMeta):
    """Base class of a custom differentiable operation: write ``forward(ctx, ...)`` and
    ``backward(ctx, grad_output)`` as static methods and call ``YourFunction.apply(...)``."""

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions are all static, so "
                      "you should invoke them on the class itself. Instantiating an autograd function will raise an "
                      "error in a future version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please use "
                           "new-style autograd function with static forward method. (Example: "
                           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        if kwargs:
            raise TypeError("apply() takes the forward arguments by position only")
        tensors = tuple(a for a in args if isinstance(a, Tensor))
        # through apply (the one choke point): the node class's forward calls this class's forward
        return F.apply(cls._backward_cls, *tensors, _args=args)


class once_differentiable:  # noqa: N801 - PyTorch's name
    def __new__(cls, fn):
        return fn
