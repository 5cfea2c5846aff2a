"""What a playground program sees instead of Python objects: `Fn` (a function of the allow-list),
`Method` (a method of an allowed value), `Namespace` (`autograd`, `optim`, `lab`, `torch`) and
`Lambda` (a hook written as a lambda, evaluated by the interpreter when the core calls it).

They hold what `binding` bound and the interpreter calls; this module imports nothing of the
playground, so the allow-list (its hook check asks for a `Lambda`), the binding and the
interpreter all sit above it.
"""
from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .limits import _Check


class LambdaCaller(Protocol):
    """The interpreter, as a `Lambda` sees it: it evaluates the lambda's body."""

    def call_lambda(self, node: ast.Lambda, scope: dict[str, Any], args: tuple) -> Any: ...


@dataclass(frozen=True)
class Fn:
    """A function of the API as a program sees it (students cannot call anything else)."""

    name: str
    fn: Callable
    check: _Check | None = None

    def __repr__(self) -> str:
        return f"<function {self.name}>"


@dataclass(frozen=True)
class Method:
    """A method of an allowed value, looked up through the allow-list."""

    obj: Any
    name: str
    check: _Check | None = None

    def __repr__(self) -> str:
        return f"<method {self.name}>"


@dataclass(frozen=True)
class Namespace:
    """`autograd`, `optim`, `lab`, `torch`: a read-only bag of allowed members."""

    name: str
    members: dict[str, Any]

    def __repr__(self) -> str:
        return f"<{self.name}>"


class Lambda:
    """A hook written as a lambda: the core calls it, the interpreter evaluates its body."""

    __name__ = "<lambda>"  # what a hook event shows (instances only), as for a Python lambda

    def __init__(self, interp: LambdaCaller, node: ast.Lambda, scope: dict[str, Any]):
        self._interp = interp
        self._node = node
        self._scope = scope

    def __call__(self, *args: Any) -> Any:
        return self._interp.call_lambda(self._node, self._scope, args)

    def __repr__(self) -> str:
        return "<lambda>"
