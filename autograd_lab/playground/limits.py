"""The playground's limits, the error it raises, and the size checks run before the core is called.

`Limits` holds every bound a run is held to (program length, tensor size, loop steps, time,
...); `RejectedCode` is the error for code the playground will not run, saying what is not
allowed and, in ``hint``, what is. The pre-checks (`_check_new`, `_check_matmul`, ...) look at
the arguments a program is about to pass to the core and raise `_Breach` with the message of
the limit the call would break, *before* the core allocates anything; the interpreter turns a
breach into `RejectedCode` at the current line, and the allow-list names which check guards
which call.

    >>> _check_size((100, 200), Limits())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd_lab.playground.limits._Breach: tensors can hold at most 10,000 numbers; ...
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..narration import say


class RejectedCode(ValueError):
    """The playground will not run this code: the message says what is not allowed and what is.

    ``reason`` is what is wrong, ``hint`` what the playground offers instead (may be empty);
    ``lineno`` and ``line`` point at the offending line (None for whole-program limits).
    """

    def __init__(self, reason: str, lineno: int | None = None, line: str | None = None,
                 hint: str = ""):
        self.reason = reason
        self.hint = hint
        self.lineno = lineno
        self.line = line
        message = f"{reason} {hint}" if hint else reason
        super().__init__(say("playground.rejected_at", line=lineno, message=message) if lineno else message)


@dataclass(frozen=True)
class Limits:
    """The bounds every playground run is held to; each breach has its own message."""

    source_chars: int = 2_000  # length of the program text
    nesting: int = 50  # depth of the syntax tree (brackets, chained operators, ...)
    operations: int = 500  # traced forward operations ('op' events)
    events: int = 5_000  # trace events of all kinds
    elements: int = 10_000  # numbers in one tensor or list, broadcast and matmul results too
    dims: int = 8  # dimensions of a tensor (and nesting of lists)
    number: int = 10**15  # largest whole number
    exponent: float = 1_000  # largest exponent of ** and pow()
    loop: int = 100  # steps of one `for` loop
    statements: int = 5_000  # statements executed in total (hook calls included)
    hook_depth: int = 8  # hooks running inside hooks (a hook that calls backward())
    printed_chars: int = 20_000  # text printed in total
    seconds: float = 5.0  # wall-clock time of the whole run


# ---------------------------------------------------------------------------------------
# Pre-checks: run before the core is called, on the arguments the student passes.
# Each raises _Breach(message); the interpreter turns it into RejectedCode at the line.


class _Breach(Exception):
    """A limit would be broken; raised by the checks before the core is called."""


# check(receiver, args, kwargs, limits): receiver is the tensor of a method, None for functions
_Check = Callable[[Any, tuple, dict, Limits], None]


def _count(value: Any, limits: Limits) -> int:
    """Numbers `value` holds as tensor data, stopping as soon as a limit is passed.

    Lists can share sublists (``a = [a, a]`` in a loop), so the walk also bounds the
    brackets it visits: the cost is bounded whatever the list looks like.
    """
    numbers = visits = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        visits += 1
        if isinstance(item, (list, tuple)):
            if depth >= limits.dims:
                raise _Breach(say("playground.limit.list_depth", limit=limits.dims))
            stack.extend((x, depth + 1) for x in item)
        elif hasattr(item, "shape"):
            numbers += math.prod(_shape(item))
        else:
            numbers += 1
        if numbers > limits.elements or visits > 4 * limits.elements:
            raise _Breach(say("playground.limit.numbers", limit=limits.elements))
    return numbers


def _shape(value: Any) -> tuple:
    shape = getattr(value, "shape", ())
    return tuple(int(n) for n in shape)


def _check_size(shape: tuple, limits: Limits, what: str | None = None) -> None:
    what = what or say("playground.what.this_tensor")
    if len(shape) > limits.dims:
        raise _Breach(say("playground.limit.dims", limit=limits.dims, what=what, n=len(shape)))
    size = 1
    for n in shape:  # each dimension too: zeros(0, 10**15) holds nothing but is no shape to keep
        size *= max(int(n), 0)
        if size > limits.elements or n > limits.elements:
            raise _Breach(say("playground.limit.size", limit=limits.elements, what=what, shape=str(tuple(shape))))  # (a tuple would be said as a list)


def _shape_args(args: tuple, limits: Limits) -> tuple:
    dims = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
    if len(dims) > limits.dims:
        raise _Breach(say("playground.limit.dims", limit=limits.dims, what=say("playground.what.this_one"),
                          n=len(dims)))
    if not all(isinstance(n, (int, np.integer)) for n in dims):
        return ()  # not a shape: the core raises its own TypeError
    return tuple(int(n) for n in dims)


def _check_reshape(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # x.reshape(2, -1)
    _shape_args(args, limits)


def _check_tensor(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # tensor([[1., 2.]])
    if args:
        _count(args[0], limits)


def _check_exponent(exponent: Any, limits: Limits) -> None:
    if isinstance(exponent, (int, float, np.number)) and not abs(exponent) <= limits.exponent:
        raise _Breach(say("playground.limit.exponent", limit=limits.exponent, exponent=exponent))


def _check_broadcast(a: Any, b: Any, limits: Limits) -> None:
    """The result of an elementwise op on a and b must fit (checked before numpy computes it)."""
    try:
        shape = np.broadcast_shapes(_shape(a), _shape(b))
    except ValueError:
        return  # the core raises its own error about the shapes
    _check_size(shape, limits, say("playground.what.broadcast", a=str(_shape(a)), b=str(_shape(b))))


def _check_pow(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # x.pow(2)
    if args:
        _check_exponent(args[0], limits)
        _check_broadcast(receiver, args[0], limits)


def _check_elementwise(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # x.add_(y)
    if args:
        _check_broadcast(receiver, args[0], limits)


def _matmul_size(a: tuple, b: tuple) -> int | None:
    """Elements of ``a @ b`` for operand shapes a and b (None if they do not fit)."""
    if not a or not b:
        return None
    a2 = a if len(a) > 1 else (1,) + a
    b2 = b if len(b) > 1 else b + (1,)
    if a2[-1] != b2[-2]:
        return None
    try:
        batch = np.broadcast_shapes(a2[:-2], b2[:-2])
    except ValueError:
        return None
    return math.prod(batch) * a2[-2] * b2[-1]


def _check_matmul(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # x.matmul(y)
    if args:
        a, b = _shape(receiver), _shape(args[0])
        size = _matmul_size(a, b)
        if size is not None and size > limits.elements:
            raise _Breach(say("playground.limit.matmul", limit=limits.elements, a=str(a), b=str(b), size=size))


# The creation functions (issue 13): the shape a call asks for is computed from its arguments
# and checked before the core allocates anything (`arange(10**9)` is refused, never made).


def _size_arg(args: tuple, kwargs: dict, limits: Limits, first: int = 0) -> tuple:
    """The shape given as ``size=`` or as the positional arguments from ``first`` on."""
    if "size" in kwargs:
        return _shape_args((kwargs["size"],), limits)
    return _shape_args(args[first:], limits)


def _check_new(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # zeros(2, 3), randn(3)
    _check_size(_size_arg(args, kwargs, limits), limits)


def _check_full(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # full((2, 3), 1.)
    _check_size(_size_arg(args[:1], kwargs, limits), limits)


def _check_randint(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # randint(0, 5, (3,))
    if "size" in kwargs:
        _check_size(_size_arg((), kwargs, limits), limits)
    for arg in args:
        if isinstance(arg, (list, tuple)):
            _check_size(_shape_args((arg,), limits), limits)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool)


def _check_length(n: float, limits: Limits) -> None:
    """A 1-d result of ``n`` numbers (n may be huge, inf or nan: the core says what is wrong)."""
    if not math.isnan(n) and n > limits.elements:
        _check_size((int(min(math.ceil(n), limits.number)),), limits)


def _check_arange(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # arange(10**9)
    params = dict(zip(("start", "end", "step"), args)) | {k: v for k, v in kwargs.items()
                                                          if k in ("start", "end", "step")}
    start, end, step = params.get("start", 0), params.get("end"), params.get("step", 1)
    if end is None:
        start, end = 0, start
    if not all(_is_number(v) and math.isfinite(v) for v in (start, end, step)) or step == 0:
        return  # the core raises its own error (as torch: "unsupported range", ...)
    try:
        n = (float(end) - float(start)) / float(step)
    except OverflowError:
        n = math.inf
    _check_length(n if not math.isinf(n) or n < 0 else float(limits.number), limits)


def _check_linspace(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # linspace(0, 1, 5)
    steps = kwargs.get("steps", args[2] if len(args) > 2 else None)
    if isinstance(steps, (int, np.integer)) and not isinstance(steps, bool):
        _check_length(int(steps), limits)


def _check_eye(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # eye(3)
    n = kwargs.get("n", args[0] if args else None)
    m = kwargs.get("m", args[1] if len(args) > 1 else n)
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (n, m)):
        _check_size((int(n), int(m)), limits)


def _check_joined(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # cat([x, x])
    tensors = kwargs.get("tensors", args[0] if args else None)
    if isinstance(tensors, (list, tuple)):
        total = sum(math.prod(_shape(t)) for t in tensors)
        if total > limits.elements:
            raise _Breach(say("playground.limit.numbers", limit=limits.elements))


def _check_expand(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # x.expand(3, 4)
    dims = _shape_args(args, limits)
    have = _shape(receiver)
    shape = tuple(have[i - (len(dims) - len(have))] if n == -1 and i >= len(dims) - len(have) else n
                  for i, n in enumerate(dims))
    _check_size(shape, limits)


def _check_where(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # where(c, x, y)
    try:
        shape = np.broadcast_shapes(*(_shape(a) for a in args))
    except ValueError:
        return
    _check_size(shape, limits)


def _as_function(check: _Check) -> _Check:
    """A method's pre-check used for the module function (`lab.matmul(a, b)` as `a.matmul(b)`)."""
    def function_check(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:
        if args:
            check(args[0], args[1:], kwargs, limits)
    function_check.__name__ = f"{check.__name__}_as_function"
    return function_check


def _check_linear(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # nn.Linear(3, 2)
    names = ("in_features", "out_features")
    sizes = [kwargs.get(n, args[i] if len(args) > i else None) for i, n in enumerate(names)]
    if all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in sizes):
        _check_size((int(sizes[1]), int(sizes[0])), limits, say("playground.what.weight"))


def _check_module_call(module: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # model(x)
    """Each Linear layer the input reaches makes (rows of x) x out_features numbers."""
    if not args:
        return
    for layer in module.modules():
        out = getattr(layer, "out_features", None)
        if isinstance(out, int):
            _check_size(_shape(args[0])[:-1] + (out,), limits)


def _check_sequential(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # nn.Sequential(a, b)
    """The layers a model runs, each use counted (``s = Sequential(s, s)`` in a loop doubles them):
    calling, printing or listing a model walks them all, so their number is bounded when it is made."""
    limit = limits.operations
    stack = list(args)
    visits = 0
    while stack:
        layer = stack.pop()
        visits += 1
        if visits > limit:
            raise _Breach(say("playground.limit.layers", limit=limit))
        children = getattr(layer, "children", None)
        if callable(children) and not isinstance(layer, type):
            stack.extend(children())
