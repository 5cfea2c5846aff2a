"""Grad mode: ``no_grad()``, ``enable_grad()``, ``set_grad_enabled()``, ``is_grad_enabled()``.

One flag decides whether operations record a graph. The context managers also work
as decorators, as in PyTorch::

    with no_grad():
        w -= 0.1 * w.grad
"""
from __future__ import annotations

import functools
import inspect
import sys
import warnings

CLASS_DECORATION_WARNING = (
    "Decorating classes is deprecated and will be disabled in future versions. You should only decorate functions "
    "or methods. To preserve the current behavior of class decoration, you can directly decorate the `__init__` "
    "method and nothing else.")


class _GradState:
    __slots__ = ("enabled", "inference", "shown")

    def __init__(self):
        self.enabled = True     # operations record the graph
        self.inference = False  # inside inference_mode()
        self.shown = None       # inside inference_mode(): the grad mode is_grad_enabled() reports (nothing records)


_state = _GradState()


def is_grad_enabled() -> bool:
    """True when operations record the graph (the default)."""
    return _state.enabled if _state.shown is None else _state.shown


def _set_mode(mode: bool) -> tuple:
    """Set the grad mode; the state to restore after. Inside inference_mode() nothing records whatever
    the grad mode (as in PyTorch): only the mode is_grad_enabled() reports changes."""
    prev = (_state.enabled, _state.shown)
    if _state.inference:
        _state.shown = mode
    else:
        _state.enabled = mode
    return prev


def _restore(prev: tuple) -> None:
    _state.enabled, _state.shown = prev


class _GradModeContext:
    _mode = True

    def __new__(cls, *args, **kwargs):
        # ``@no_grad`` without parentheses: the class is called with the function itself
        if cls in (no_grad, enable_grad) and len(args) == 1 and callable(args[0]) and not kwargs:
            return cls()(args[0])
        return super().__new__(cls)

    def __enter__(self):
        self._prev = _set_mode(self._mode)
        return None

    def __exit__(self, *exc):
        _restore(self._prev)
        return False

    def _clone(self):
        return type(self)()

    def __call__(self, fn):
        return _decorate(self._clone, fn)

    __call__.__qualname__ = "_DecoratorContextManager.__call__"  # (as PyTorch's shows)


def _decorate(make, fn):
    """``fn`` run inside the context ``make()`` makes, as PyTorch's ``_DecoratorContextManager`` does:
    a generator function's body runs in it at each step (the caller's mode is back across each
    ``yield``); a class is turned into a function that makes its instances, with PyTorch's warning."""
    if inspect.isclass(fn):
        warnings.warn(CLASS_DECORATION_WARNING, FutureWarning, stacklevel=3)
        cls = fn
        fn = lambda *args, **kwargs: cls(*args, **kwargs)  # noqa: E731 - PyTorch's function is a lambda too
        fn.__qualname__ = "_DecoratorContextManager.__call__.<locals>.<lambda>"
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def generator(*args, **kwargs):
            return (yield from _stepped(make, fn(*args, **kwargs)))
        return generator

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with make():
            return fn(*args, **kwargs)
    return wrapper


def _stepped(make, gen):
    """Drive generator ``gen`` one step at a time, each step inside a fresh ``make()`` context."""
    try:
        with make():
            response = gen.send(None)
        while True:
            try:
                request = yield response
            except GeneratorExit:
                with make():
                    gen.close()
                raise
            except BaseException:
                with make():
                    response = gen.throw(sys.exc_info()[1])
            else:
                with make():
                    response = gen.send(request)
    except StopIteration as e:
        return e.value


class no_grad(_GradModeContext):
    """Operations inside do not record the graph: results have ``requires_grad=False``."""
    _mode = False


class enable_grad(_GradModeContext):
    """Turn graph recording back on inside a ``no_grad()`` block."""
    _mode = True


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` is ``no_grad()``; usable as a function or a context."""

    def __init__(self, mode: bool):
        self._mode = bool(mode)
        self._prev = _set_mode(self._mode)

    def __enter__(self):
        return None

    def __repr__(self) -> str:
        return f"torch.autograd.grad_mode.set_grad_enabled(mode={self._mode})"

    def _clone(self):
        return set_grad_enabled(self._mode)

    def __call__(self, fn):
        """As a decorator (``@set_grad_enabled(False)``): the mode set by the call is undone, and set
        again each time ``fn`` runs."""
        _restore(self._prev)
        return _decorate(self._clone, fn)


def is_inference_mode_enabled() -> bool:
    return _state.inference


class inference_mode(_GradModeContext):
    """``inference_mode()``: like ``no_grad()`` (no graph is recorded, even under enable_grad()); usable as a
    decorator. The tensors made inside are inference tensors (inference.py)."""

    def __new__(cls, mode=True):
        if callable(mode) and not isinstance(mode, bool):  # ``@inference_mode`` without parentheses
            return cls(True)(mode)
        return object.__new__(cls)

    def __init__(self, mode: bool = True):
        self._inference = bool(mode)

    def __enter__(self):
        self._prev = (_state.enabled, _state.shown)
        self._prev_inf = _state.inference
        if self._inference:
            _state.enabled = _state.shown = False
        else:
            _state.shown = None
        _state.inference = self._inference
        return None

    def __exit__(self, *exc):
        _restore(self._prev)
        _state.inference = self._prev_inf
        return False

    def _clone(self):
        return inference_mode(self._inference)


# PyTorch's module path, so that the objects print as torch's do
# (``<torch.autograd.grad_mode.no_grad object at 0x...>``)
for _cls in (no_grad, enable_grad, set_grad_enabled, inference_mode):
    _cls.__module__ = "torch.autograd.grad_mode"
