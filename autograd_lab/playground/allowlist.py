"""The allow-list: the one table of what a playground program may name, call, read or set.

Functions are paths in autograd_lab (`_FUNCTIONS`, resolved lazily), each with the size
pre-check from `limits` that guards it; `_RULES` lists, for each kind of value (tensor,
grad_fn node, hook handle, optimizer), its methods with their pre-checks, the attributes a
program may read and the few it may set; `_BINOPS`, `_COMPARE`, ... are the operators and
what each one calls. The static check takes its names from here; the interpreter reaches
the core only through `_Api` (this table bound to autograd_lab) and the wrappers a program
sees instead of Python objects (`_Fn`, `_Method`, `_Namespace`, `_Lambda`). Nothing outside
this table is reachable from a program.

    >>> sorted(_RULES["optimizer"].methods)
    ['step', 'zero_grad']
"""
from __future__ import annotations

import ast
import functools
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .limits import (Limits, _Breach, _Check, _check_elementwise, _check_matmul, _check_new,
                     _check_pow, _check_reshape, _check_tensor)

if TYPE_CHECKING:  # pragma: no cover
    from .interpret import _Interpreter


def _check_hook(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # w.register_hook(lambda g: ...)
    if not args or not isinstance(args[0], _Lambda):
        raise _Breach("register_hook takes a lambda here, for example `w.register_hook(lambda g: g * 2)`")


# Functions are paths in autograd_lab (resolved lazily) with their pre-check.

_FUNCTIONS: dict[str, _Check | None] = {
    "tensor": _check_tensor,
    "zeros": _check_new,
    "ones": _check_new,
    "zeros_like": None,
    "ones_like": None,
    "no_grad": None,
    "enable_grad": None,
    "is_grad_enabled": None,
    "autograd.grad": None,
    "optim.SGD": None,
}
_VALUES = ("float32", "float64")  # plain values a program may name
_MODULE_ALIASES = ("lab", "torch")  # `lab.tensor(...)` and `torch.tensor(...)` work too
_CONTEXTS = ("no_grad", "enable_grad")  # what `with ...():` accepts


@dataclass(frozen=True)
class _Rule:
    """What a program may do with a value of one kind."""

    methods: dict[str, _Check | None]
    attributes: frozenset[str] = frozenset()
    settable: frozenset[str] = frozenset()
    saved: bool = False  # grad_fn nodes: the `_saved_*` attributes too


def _op_methods() -> dict[str, _Check | None]:
    """The tensor methods of the operations declared playground-safe in core/ops (their one
    declaration), each with its size pre-check here (none: the result is no bigger than the input)."""
    from ..core.function import playground_methods
    from ..core.tensor import Tensor  # noqa: F401  (imports core/ops, which declares them)
    checks = {"pow": _check_pow, "reshape": _check_reshape, "matmul": _check_matmul,
              "add_": _check_elementwise, "sub_": _check_elementwise, "mul_": _check_elementwise}
    return {name: checks.get(name) for name in playground_methods()}


_RULES: dict[str, _Rule] = {
    "tensor": _Rule(
        methods={
            "backward": None, "register_hook": _check_hook, "retain_grad": None,
            "detach": None, "requires_grad_": None, "item": None, "tolist": None,
            "numpy": None, **_op_methods(),
        },
        attributes=frozenset({"data", "grad", "requires_grad", "is_leaf", "grad_fn", "shape",
                              "ndim", "dtype", "retains_grad", "T"}),
        settable=frozenset({"requires_grad", "grad"}),
    ),
    "grad_fn node": _Rule(
        methods={"name": None, "register_hook": _check_hook, "register_prehook": _check_hook},
        attributes=frozenset({"next_functions", "metadata", "variable"}),
        saved=True,
    ),
    "hook handle": _Rule(methods={"remove": None}),
    "optimizer": _Rule(methods={"step": None, "zero_grad": None}),
}
_SAVED = re.compile(r"_saved_[a-z][a-z0-9]*(?:_[a-z0-9]+)*\Z")
_HOOK_METHODS = frozenset({"register_hook", "register_prehook"})

# The operators a program may use, and what each one calls.
_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
           ast.Pow: operator.pow, ast.MatMult: operator.matmul}
_INPLACE = {ast.Add: operator.iadd, ast.Sub: operator.isub, ast.Mult: operator.imul,
            ast.Div: operator.itruediv, ast.FloorDiv: operator.ifloordiv,
            ast.Mod: operator.imod, ast.Pow: operator.ipow, ast.MatMult: operator.imatmul}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
            ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
            ast.Is: operator.is_, ast.IsNot: operator.is_not}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}


def _member_names() -> frozenset[str]:
    """Every attribute name the allow-list knows (used by the static check)."""
    names = {path.split(".")[-1] for path in _FUNCTIONS} | {p.split(".")[0] for p in _FUNCTIONS}
    names |= set(_VALUES)
    for rule in _RULES.values():
        names |= set(rule.methods) | rule.attributes
    return frozenset(names)


def _global_names() -> frozenset[str]:
    """Every bare name the allow-list defines."""
    return frozenset({p.split(".")[0] for p in _FUNCTIONS} | set(_VALUES) | set(_MODULE_ALIASES)
                     | {"print", "range"})


def _what_is_allowed() -> str:
    return ("The playground runs assignments, numbers, lists of numbers, + - * / // % ** @ and "
            "comparisons, " + ", ".join(f"{p}()" for p in _FUNCTIONS if p not in _CONTEXTS)
            + ", `with no_grad():`, the methods and attributes of tensors and grad_fn nodes, "
            "print(), `if`, lambdas as hooks, and `for i in range(n):`.")


def _offers() -> str:
    parts = []
    for kind, rule in _RULES.items():
        members = sorted(f"{m}()" for m in rule.methods) + sorted(rule.attributes)
        if rule.saved:
            members.append("_saved_*")
        parts.append(f"a {kind} offers {', '.join(members)}")
    return "In the playground, " + "; ".join(parts) + "."


@dataclass(frozen=True)
class _Fn:
    """A function of the API as a program sees it (students cannot call anything else)."""

    name: str
    fn: Callable
    check: _Check | None = None

    def __repr__(self) -> str:
        return f"<function {self.name}>"


@dataclass(frozen=True)
class _Method:
    """A method of an allowed value, looked up through the allow-list."""

    obj: Any
    name: str
    check: _Check | None = None

    def __repr__(self) -> str:
        return f"<method {self.name}>"


@dataclass(frozen=True)
class _Namespace:
    """`autograd`, `optim`, `lab`, `torch`: a read-only bag of allowed members."""

    name: str
    members: dict[str, Any]

    def __repr__(self) -> str:
        return f"<{self.name}>"


class _Lambda:
    """A hook written as a lambda: the core calls it, the interpreter evaluates its body."""

    __name__ = "<lambda>"  # what a hook event shows (instances only), as for a Python lambda

    def __init__(self, interp: _Interpreter, node: ast.Lambda, scope: dict[str, Any]):
        self._interp = interp
        self._node = node
        self._scope = scope

    def __call__(self, *args: Any) -> Any:
        return self._interp.call_lambda(self._node, self._scope, args)

    def __repr__(self) -> str:
        return "<lambda>"


@dataclass
class _Api:
    """The allow-list bound to a core: names -> values, and value kinds -> rules."""

    names: dict[str, Any]
    kinds: list[tuple[type | tuple[type, ...], str]]
    tensor_type: type
    context_types: tuple[type, ...]
    machinery: frozenset[str] = frozenset()  # `_saved_*` names of the node base class itself

    @classmethod
    def from_core(cls, core: Any, kinds: list[tuple[type | tuple[type, ...], str]]) -> _Api:
        names: dict[str, Any] = {}
        for path, check in _FUNCTIONS.items():
            obj = core
            for part in path.split("."):
                obj = getattr(obj, part)
            head, _, tail = path.partition(".")
            if tail:
                names.setdefault(head, _Namespace(head, {})).members[tail] = _Fn(path, obj, check)
            else:
                names[head] = _Fn(path, obj, check)
        for value in _VALUES:
            names[value] = getattr(core, value)
        toolbox = dict(names)
        for alias in _MODULE_ALIASES:
            names[alias] = _Namespace(alias, toolbox)
        contexts = tuple({type(getattr(core, c)()) for c in _CONTEXTS})
        tensor_type = next(t for t, kind in kinds if kind == "tensor")
        node_type = next(t for t, kind in kinds if kind == "grad_fn node")
        machinery = frozenset(n for n in dir(node_type) if _SAVED.match(n))
        return cls(names, kinds, tensor_type, contexts, machinery)

    def kind(self, value: Any) -> str | None:
        for types, kind in self.kinds:
            if isinstance(value, types):
                return kind
        return None


@functools.cache
def _core_api() -> _Api:
    """The allow-list bound to autograd_lab itself."""
    import autograd_lab as core
    from autograd_lab.core.tensor import RemovableHandle

    return _Api.from_core(core, [
        (core.Tensor, "tensor"),
        (core.Node, "grad_fn node"),
        (RemovableHandle, "hook handle"),
        (core.optim.Optimizer, "optimizer"),
    ])
