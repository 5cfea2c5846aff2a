"""The allow-list: the one table of what a playground program may name, call, read or set.

It is data: names and the checks that guard them, no value a program reaches. Functions are
paths in autograd_lab (`_FUNCTIONS`), each with the size pre-check from `limits` that guards it;
`_RULES` lists, for each kind of value (tensor, grad_fn node, hook handle, optimizer, module),
its methods with their pre-checks, the attributes a program may read and the few it may set;
`_BINOPS`, `_INPLACE`, `_COMPARE`, `_UNARY` are the operators a program may use. The static check
(`check`) takes its names from here. `binding` binds this table to autograd_lab (`Api`: the
functions, values and operators the interpreter calls); a program sees them only through the
wrappers of `wrappers` (`Fn`, `Method`, `Namespace`, `Lambda`). Nothing outside this table is
reachable from a program.

    >>> sorted(_RULES["optimizer"].methods)
    ['step', 'zero_grad']
"""
from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass
from typing import Any

from ..narration import join, say
from .limits import (Limits, _as_function, _Breach, _Check, _check_arange, _check_elementwise,
                     _check_expand, _check_eye, _check_full, _check_joined, _check_linear,
                     _check_linspace, _check_matmul, _check_new, _check_pow, _check_randint,
                     _check_reshape, _check_sequential, _check_tensor, _check_where)
from .wrappers import Lambda


def _check_hook(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # w.register_hook(lambda g: ...)
    if not args or not isinstance(args[0], Lambda):
        raise _Breach(say("playground.hook_lambda"))


# Functions are paths in autograd_lab (resolved lazily) with their pre-check: these, then the
# op functions the core declares (`lab.sin`, ...; `_op_functions`, below `_op_methods`).

_FUNCTIONS: dict[str, _Check | None] = {
    "tensor": _check_tensor,
    "zeros": _check_new,
    "ones": _check_new,
    "zeros_like": None,
    "ones_like": None,
    # creation (issue 13): the shape each asks for is checked before anything is made
    "empty": _check_new,
    "rand": _check_new,
    "randn": _check_new,
    "randint": _check_randint,
    "full": _check_full,
    "eye": _check_eye,
    "arange": _check_arange,
    "linspace": _check_linspace,
    "empty_like": None,
    "full_like": None,
    "rand_like": None,
    "randn_like": None,
    "manual_seed": None,
    # math as module functions: the result is checked like the method's (`lab.add(a, b)`)
    "add": _as_function(_check_elementwise),
    "sub": _as_function(_check_elementwise),
    "mul": _as_function(_check_elementwise),
    "div": _as_function(_check_elementwise),
    "maximum": _as_function(_check_elementwise),
    "minimum": _as_function(_check_elementwise),
    "where": _check_where,
    "dot": None,
    "mv": None,
    "mm": _as_function(_check_matmul),
    "cat": _check_joined,
    "stack": _check_joined,
    "no_grad": None,
    "enable_grad": None,
    "is_grad_enabled": None,
    "autograd.grad": None,
    "optim.SGD": None,
    "optim.Adam": None,
    # a small torch.nn: layers are checked when made (Linear's weight) and when called
    "nn.Linear": _check_linear,
    "nn.Sequential": _check_sequential,
    "nn.ReLU": None,
    "nn.Tanh": None,
    "nn.Sigmoid": None,
    "nn.MSELoss": None,
    "nn.functional.relu": None,
    "nn.functional.tanh": None,
    "nn.functional.sigmoid": None,
    "nn.functional.softmax": None,
    "nn.functional.log_softmax": None,
    "nn.functional.mse_loss": _as_function(_check_elementwise),
}
_NAMESPACES = ("autograd", "optim", "nn", "functional")  # the sub-modules a program may name
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


_OP_CHECKS = {"pow": _check_pow, "reshape": _check_reshape, "view": _check_reshape,
              "matmul": _check_matmul,
              "add_": _check_elementwise, "sub_": _check_elementwise, "mul_": _check_elementwise}


def _op_methods() -> dict[str, _Check | None]:
    """The tensor methods of the operations declared playground-safe in core/ops (their one
    declaration), each with its size pre-check here (none: the result is no bigger than the input)."""
    from ..core.function import playground_methods
    from ..core.tensor import Tensor  # noqa: F401  (imports core/ops, which declares them)
    return {name: _OP_CHECKS.get(name) for name in playground_methods()}


def _op_functions() -> dict[str, _Check | None]:
    """The module functions of those operations (``lab.sin(x)``, as ``x.sin()``), same checks."""
    from ..core.function import playground_functions
    from ..core.tensor import Tensor  # noqa: F401
    return {name: _as_function(_OP_CHECKS[name]) if name in _OP_CHECKS else None
            for name in playground_functions() if name not in _FUNCTIONS}


_FUNCTIONS.update(_op_functions())


_RULES: dict[str, _Rule] = {
    "tensor": _Rule(
        methods={
            "backward": None, "register_hook": _check_hook, "retain_grad": None,
            "detach": None, "requires_grad_": None, "item": None, "tolist": None,
            "numpy": None, "expand": _check_expand, **_op_methods(),
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
    "module": _Rule(methods={"parameters": None, "zero_grad": None},
                    attributes=frozenset({"weight", "bias", "in_features", "out_features"})),
}
_SAVED = re.compile(r"_saved_[a-z][a-z0-9]*(?:_[a-z0-9]+)*\Z")
_HOOK_METHODS = frozenset({"register_hook", "register_prehook"})

# The operators a program may use (binding.py gives each the function it calls).
_BINOPS = frozenset({ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.MatMult})
_INPLACE = _BINOPS  # `x += y` ...: the same operators, in place
_COMPARE = frozenset({ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot})
_UNARY = frozenset({ast.USub, ast.UAdd, ast.Not})


def _member_names() -> frozenset[str]:
    """Every attribute name the allow-list knows (used by the static check)."""
    names = {part for path in _FUNCTIONS for part in path.split(".")}
    names |= set(_VALUES)
    for rule in _RULES.values():
        names |= set(rule.methods) | rule.attributes
    return frozenset(names)


def _global_names() -> frozenset[str]:
    """Every bare name the allow-list defines."""
    return frozenset({p.split(".")[0] for p in _FUNCTIONS} | set(_VALUES) | set(_MODULE_ALIASES)
                     | {"print", "range"})


def _what_is_allowed() -> str:
    return say("playground.allowed", functions=", ".join(f"{p}()" for p in _FUNCTIONS if p not in _CONTEXTS))


def _offers(values: bool = True) -> str:
    """What the playground's torch offers (its functions), and with ``values`` what each kind of
    value offers: the hint under a refused name."""
    functions = [f"{p}()" for p in _FUNCTIONS] + list(_VALUES)
    parts = [say("playground.offers.torch", functions=join(functions))]
    for kind, rule in (_RULES.items() if values else ()):
        members = sorted(f"{m}()" for m in rule.methods) + sorted(rule.attributes)
        if rule.saved:
            members.append("_saved_*")
        parts.append(say("playground.offers.kind", kind=say(f"playground.kind.{kind}"), members=join(members)))
    return say("playground.offers", parts="; ".join(parts))


def _namespace_members(module: str) -> frozenset[str]:
    """The names `torch.`/`lab.` (every function and value), `autograd.` or `optim.` offer."""
    if module in _NAMESPACES:
        prefix = "nn.functional." if module == "functional" else module + "."
        return frozenset(p[len(prefix):].split(".")[0] for p in _FUNCTIONS if p.startswith(prefix))
    return frozenset(p.split(".")[0] for p in _FUNCTIONS) | set(_VALUES)


def _did_you_mean(name: str, candidates) -> str | None:
    """The allowed name closest to a misspelt one (`grd` -> `grad`), or None."""
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.75)
    return close[0] if close else None
