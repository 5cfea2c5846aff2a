"""The allow-list bound to autograd_lab: the run-time values a playground program reaches.

`Api.from_core` resolves every path of the allow-list's `_FUNCTIONS` in a core module and wraps
it (`Fn`, in `Namespace`s for `autograd.`, `nn.functional.` ...), with the plain values, the
module aliases (`lab`, `torch`) and the kinds of value `_RULES` speaks of; `core_api()` is that
binding for autograd_lab itself, made once. `BINOP_FUNCTIONS`, `INPLACE_FUNCTIONS`,
`COMPARE_FUNCTIONS` and `UNARY_FUNCTIONS` give each operator the allow-list allows the function
it calls (only those: an operator the allow-list does not name has no entry).
"""
from __future__ import annotations

import ast
import functools
import operator
from dataclasses import dataclass
from typing import Any

from .allowlist import _BINOPS, _COMPARE, _CONTEXTS, _FUNCTIONS, _INPLACE, _MODULE_ALIASES, _SAVED, _UNARY, _VALUES
from .wrappers import Fn, Namespace

# The function each operator calls. The allow-list decides which operators a program may use: an
# operator it adds without a function here fails at import, one it drops is unreachable.
_OPERATOR_FUNCTIONS = {
    ast.Add: (operator.add, operator.iadd), ast.Sub: (operator.sub, operator.isub),
    ast.Mult: (operator.mul, operator.imul), ast.Div: (operator.truediv, operator.itruediv),
    ast.FloorDiv: (operator.floordiv, operator.ifloordiv), ast.Mod: (operator.mod, operator.imod),
    ast.Pow: (operator.pow, operator.ipow), ast.MatMult: (operator.matmul, operator.imatmul),
}
_COMPARE_ALL = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
                ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not}
_UNARY_ALL = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}

BINOP_FUNCTIONS = {op: _OPERATOR_FUNCTIONS[op][0] for op in _BINOPS}
INPLACE_FUNCTIONS = {op: _OPERATOR_FUNCTIONS[op][1] for op in _INPLACE}
COMPARE_FUNCTIONS = {op: _COMPARE_ALL[op] for op in _COMPARE}
UNARY_FUNCTIONS = {op: _UNARY_ALL[op] for op in _UNARY}


@dataclass
class Api:
    """The allow-list bound to a core: names -> values, and value kinds -> rules."""

    names: dict[str, Any]
    kinds: list[tuple[type | tuple[type, ...], str]]
    tensor_type: type
    context_types: tuple[type, ...]
    machinery: frozenset[str] = frozenset()  # `_saved_*` names of the node base class itself

    @classmethod
    def from_core(cls, core: Any, kinds: list[tuple[type | tuple[type, ...], str]]) -> Api:
        names: dict[str, Any] = {}
        for path, check in _FUNCTIONS.items():
            obj = core
            for part in path.split("."):
                obj = getattr(obj, part)
            *modules, last = path.split(".")
            members = names
            for depth, module in enumerate(modules):  # nn.functional.relu: two namespaces deep
                members = members.setdefault(module, Namespace(".".join(modules[:depth + 1]), {})).members
            members[last] = Fn(path, obj, check)
        for value in _VALUES:
            names[value] = getattr(core, value)
        toolbox = dict(names)
        for alias in _MODULE_ALIASES:
            names[alias] = Namespace(alias, toolbox)
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
def core_api() -> Api:
    """The allow-list bound to autograd_lab itself."""
    import autograd_lab as core
    from autograd_lab.core.tensor import RemovableHandle

    return Api.from_core(core, [
        (core.Tensor, "tensor"),
        (core.Node, "grad_fn node"),
        (RemovableHandle, "hook handle"),
        (core.optim.Optimizer, "optimizer"),
        (core.nn.Module, "module"),
    ])
