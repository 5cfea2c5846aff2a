"""The interpreter: walks the checked tree itself, inside a trace, holding the program to its limits.

`_Interpreter` evaluates what `_Checker` let through, against its own namespace (the
student's variables) and the allow-list bound to the core (`Api`, in `binding`). Every call into the core
goes through one place, `_invoke`, which runs the call's size pre-check first; operators and
indexing go through `_invoke_op`. It counts what a run costs (statements, operations, trace
events, printed text, time, hooks inside hooks), sets the trace's source line before each
statement so that events point at the student's lines (`FILENAME`), and keeps what the
program printed and the warnings it raised. The first breach is kept in ``rejected`` and
raised again at the next step, even if the core swallowed the exception.
"""
from __future__ import annotations

import ast
import itertools
import math
import operator
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..narration import join, say
from .allowlist import _HOOK_METHODS, _RULES, _SAVED, _did_you_mean, _offers
from .binding import BINOP_FUNCTIONS, COMPARE_FUNCTIONS, INPLACE_FUNCTIONS, UNARY_FUNCTIONS, Api
from .check import FILENAME, _line
from .limits import (Limits, RejectedCode, _Breach, _check_broadcast, _check_elementwise,
                     _check_exponent, _check_matmul, _check_module_call, _check_pow, _check_size,
                     _count, _shape)
from .wrappers import Fn, Lambda, Method, Namespace

_NUMBER = (int, float, np.number, np.bool_)


# Expressions whose value can be a tensor an operation just made (not `w.grad`: the engine made it).
_MAKES_TENSORS = (ast.BinOp, ast.UnaryOp, ast.Compare, ast.Call, ast.Subscript, ast.Attribute)  # (w.T)


class _Interpreter:
    def __init__(self, api: Api, limits: Limits, lines: list[str], namespace: dict[str, Any]):
        self._api = api
        self._limits = limits
        self._lines = lines
        self.namespace = namespace
        self.rejected: RejectedCode | None = None
        self._trace: Any = None
        self._deadline = math.inf
        self._statements = 0
        self._hook_depth = 0
        self._printed_chars = 0
        self._events_seen = 0
        self._operations = 0
        self._lineno: int | None = None
        self._output = ""  # everything shown, warnings included, in order
        self._printed = ""  # what print() and bare expressions showed
        self.warnings: list[str] = []
        self._warned: set[tuple] = set()

    # -- bookkeeping -------------------------------------------------------------------
    def start(self, trace: Any) -> None:
        self._trace = trace
        self._deadline = time.monotonic() + self._limits.seconds
        self._events_seen = len(trace.events)

    def reject(self, reason: str, hint: str = "") -> RejectedCode:
        """Record the first breach (it stays, even if the core swallows the exception)."""
        if self.rejected is None:
            self.rejected = RejectedCode(reason, self._lineno, _line(self._lines, self._lineno), hint)
        return self.rejected

    def _tick(self) -> None:
        if self.rejected is not None:
            raise self.rejected
        if time.monotonic() > self._deadline:
            raise self.reject(say("playground.limit.seconds", limit=self._limits.seconds))

    def _at(self, lineno: int) -> None:
        self._lineno = lineno
        if self._trace is not None:
            self._trace.set_source(FILENAME, lineno, (_line(self._lines, lineno) or "").strip())

    def _count_events(self) -> None:
        """Count what the core recorded so far: called before each statement and hook call
        and at the end (not after every op: reading the events makes the trace build them)."""
        if self._trace is None:
            return
        events = self._trace.events
        for event in events[self._events_seen:]:
            if event.kind == "op":
                self._operations += 1
        self._events_seen = len(events)
        if self._operations > self._limits.operations:
            raise self.reject(say("playground.limit.operations", limit=self._limits.operations))
        if len(events) > self._limits.events:
            raise self.reject(say("playground.limit.events", limit=self._limits.events))

    def _after_core(self, result: Any) -> None:
        """Check what the core returned (its size was checked before, this is a safety net)."""
        if isinstance(result, self._api.tensor_type):
            try:
                _check_size(_shape(result), self._limits)
            except _Breach as e:
                raise self.reject(str(e)) from None

    # -- statements --------------------------------------------------------------------
    def exec_module(self, tree: ast.Module) -> None:
        self._block(tree.body)
        self._count_events()

    def _block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self._stmt(stmt)

    def _stmt(self, node: ast.stmt) -> None:
        self._tick()
        self._count_events()
        self._statements += 1
        if self._statements > self._limits.statements:
            raise self.reject(say("playground.limit.statements", limit=self._limits.statements))
        self._at(node.lineno)
        if isinstance(node, ast.Expr):
            value = self._eval(node.value, {})
            if value is not None and _shows_value(node.value):
                self._print_text(repr(value) + "\n")
        elif isinstance(node, ast.Assign):
            value = self._eval(node.value, {})
            if self._trace is not None and isinstance(node.value, _MAKES_TENSORS):
                self._trace.name_expression(value, node.value, node.targets[0])  # `y = ...` names y
            for target in node.targets:
                self._assign(target, value, {})
        elif isinstance(node, ast.AugAssign):  # the target's object is evaluated once, as in Python
            target = node.target
            if isinstance(target, ast.Name):
                current = self._eval(target, {})
                self._assign(target, self._binop(node.op, current, self._eval(node.value, {}), True), {})
            else:
                obj = self._eval(target.value, {})
                current = self._attribute(obj, target.attr)
                value = self._binop(node.op, current, self._eval(node.value, {}), inplace=True)
                self._set_attribute(obj, target.attr, value)
        elif isinstance(node, ast.For):
            args = [self._eval(a, {}) for a in node.iter.args]
            if not all(isinstance(a, (int, np.integer)) for a in args):
                raise TypeError("range() takes whole numbers")
            steps = range(*(int(a) for a in args))
            if len(steps) > self._limits.loop:
                raise self.reject(say("playground.loop_too_long", steps=len(steps), limit=self._limits.loop))
            for i in steps:
                self._assign(node.target, i, {})
                self._block(node.body)
                self._at(node.lineno)
        elif isinstance(node, ast.With):
            manager = self._eval(node.items[0].context_expr, {})
            if not isinstance(manager, self._api.context_types):
                raise self.reject(say("playground.with_only"))
            with manager:
                self._block(node.body)
        elif isinstance(node, ast.If):
            self._block(node.body if self._eval(node.test, {}) else node.orelse)
        elif isinstance(node, ast.Pass):
            pass
        else:  # the checker let through something the interpreter does not know
            raise self.reject(say("playground.run.node_unavailable", node=type(node).__name__))

    def _assign(self, target: ast.expr, value: Any, scope: dict[str, Any]) -> None:
        if isinstance(target, ast.Name):
            self.namespace[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt, item in zip(target.elts, self._unpack(value, len(target.elts)), strict=True):
                self.namespace[elt.id] = item
        elif isinstance(target, ast.Attribute):
            self._set_attribute(self._eval(target.value, scope), target.attr, value)
        else:
            raise self.reject(say("playground.run.assignment"))

    def _unpack(self, value: Any, n: int) -> list:
        """`a, b = value` as CPython does it: at most n + 1 items (a tensor's come from the core)."""
        if not isinstance(value, (tuple, list, dict, str, np.ndarray, self._api.tensor_type)):
            raise TypeError(f"cannot unpack non-iterable {type(value).__name__} object")
        items = list(itertools.islice(iter(value), n + 1))
        if len(items) > n:
            raise ValueError(f"too many values to unpack (expected {n})")
        if len(items) < n:
            raise ValueError(f"not enough values to unpack (expected {n}, got {len(items)})")
        return items

    def _set_attribute(self, obj: Any, attr: str, value: Any) -> None:
        kind = self._api.kind(obj)
        if kind is None or attr not in _RULES[kind].settable:
            raise self.reject(say("playground.run.cannot_set", name=attr, value=_describe(obj, kind)))
        setattr(obj, attr, value)  # the core checks the value (w.grad = 5 is its TypeError)

    # -- expressions -------------------------------------------------------------------
    def _eval(self, node: ast.expr, scope: dict[str, Any]) -> Any:
        value = self._eval_node(node, scope)
        if self._trace is not None and isinstance(node, _MAKES_TENSORS):
            self._trace.name_expression(value, node)  # names an intermediate by its expression
        return value

    def _eval_node(self, node: ast.expr, scope: dict[str, Any]) -> Any:
        self._tick()
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in scope:
                return scope[node.id]
            if node.id in self.namespace:
                return self.namespace[node.id]
            if node.id in self._api.names:
                return self._api.names[node.id]
            raise NameError(f"name '{node.id}' is not defined")
        if isinstance(node, ast.Attribute):
            return self._attribute(self._eval(node.value, scope), node.attr)
        if isinstance(node, ast.Call):
            return self._call(node, scope)
        if isinstance(node, ast.BinOp):
            return self._binop(node.op, self._eval(node.left, scope), self._eval(node.right, scope))
        if isinstance(node, ast.UnaryOp):
            operand = self._eval(node.operand, scope)
            if not isinstance(node.op, ast.Not):
                self._arithmetic_operand(operand)
            return self._invoke_op(UNARY_FUNCTIONS[type(node.op)], operand)
        if isinstance(node, ast.BoolOp):
            value = None
            for child in node.values:
                value = self._eval(child, scope)
                if isinstance(node.op, ast.And) != bool(value):
                    return value
            return value
        if isinstance(node, ast.Compare):
            left = self._eval(node.left, scope)
            result: Any = True
            for i, (op, right_node) in enumerate(zip(node.ops, node.comparators, strict=True)):
                right = self._eval(right_node, scope)
                if not isinstance(op, (ast.Is, ast.IsNot)) and (
                        hasattr(left, "shape") or hasattr(right, "shape")):  # comparisons broadcast too
                    self._guard(_check_broadcast, left, right, self._limits)
                result = self._invoke_op(COMPARE_FUNCTIONS[type(op)], left, right)
                if i < len(node.ops) - 1 and not result:
                    return result
                left = right
            return result
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self._eval(elt, scope) for elt in node.elts]
            value = items if isinstance(node, ast.List) else tuple(items)
            self._guard(_count, value, self._limits)
            return value
        if isinstance(node, ast.Subscript):
            return self._subscript(self._eval(node.value, scope), self._eval(node.slice, scope))
        if isinstance(node, ast.Lambda):
            return Lambda(self, node, scope)
        raise self.reject(say("playground.run.node_unavailable", node=type(node).__name__))

    def _guard(self, check: Callable[..., Any], *args: Any) -> None:
        """Run a pre-check; a breach becomes RejectedCode at the current line."""
        try:
            check(*args)
        except _Breach as e:
            raise self.reject(str(e)) from None

    def _attribute(self, obj: Any, attr: str) -> Any:
        if isinstance(obj, Namespace):
            if attr in obj.members:
                return obj.members[attr]
            raise self.reject(say("playground.run.ns_member", module=obj.name, name=attr,
                                  members=join(sorted(obj.members))))
        kind = self._api.kind(obj)
        rule = _RULES.get(kind) if kind else None
        if rule is not None:
            if attr in rule.methods:
                return Method(obj, attr, rule.methods[attr])
            if attr in rule.attributes or (
                    rule.saved and _SAVED.match(attr) and attr not in self._api.machinery):
                return getattr(obj, attr)
        if not hasattr(obj, attr):  # `w.grad.zero_()` before backward: the student's error, as in Python
            raise AttributeError(f"'{type(obj).__name__}' object has no attribute '{attr}'")
        names = (set(rule.methods) | rule.attributes) if rule is not None else set()
        suggestion = _did_you_mean(attr, names)
        if suggestion is not None:
            raise self.reject(say("playground.run.has_no_attr_did_you_mean", value=_describe(obj, kind), name=attr,
                                  suggestion=suggestion), say("playground.more"))
        raise self.reject(say("playground.run.has_no_attr", value=_describe(obj, kind), name=attr), _offers())

    def _subscript(self, obj: Any, index: Any) -> Any:
        if not isinstance(obj, (list, tuple, np.ndarray, self._api.tensor_type)):
            raise self.reject(say("playground.run.indexing", value=_describe(obj, self._api.kind(obj))))
        if not (isinstance(index, (int, np.integer)) or (
                isinstance(index, tuple) and all(isinstance(i, (int, np.integer)) for i in index))):
            raise self.reject(say("playground.run.index_whole"))
        return self._invoke_op(operator.getitem, obj, index)

    def _call(self, node: ast.Call, scope: dict[str, Any]) -> Any:
        if isinstance(node.func, ast.Name) and node.func.id == "print":
            values = [self._format(arg, scope) for arg in node.args]
            options = {k.arg: k.value.value for k in node.keywords}
            self._print_text(options.get("sep", " ").join(values) + options.get("end", "\n"))
            return None
        callee = self._eval(node.func, scope)
        args = tuple(self._eval(arg, scope) for arg in node.args)
        kwargs = {k.arg: self._eval(k.value, scope) for k in node.keywords}
        if isinstance(callee, (Fn, Method)):
            return self._invoke(callee, args, kwargs)
        kind = self._api.kind(callee)
        if kind == "module":  # model(x): the layers' results are checked first
            self._guard(_check_module_call, callee, args, kwargs, self._limits)
            result = callee(*args, **kwargs)
            self._after_core(result)
            return result
        if kind == "grad_fn node":
            raise self.reject(say("playground.run.node_call"))
        if isinstance(callee, (Namespace, type)) or callable(callee):
            raise self.reject(say("playground.run.not_callable", value=_describe(callee, kind)))
        raise TypeError(f"'{type(callee).__name__}' object is not callable")

    def _invoke(self, callee: Fn | Method, args: tuple, kwargs: dict) -> Any:
        """The one place a program calls into the core: checks first, then counts."""
        receiver = callee.obj if isinstance(callee, Method) else None
        if callee.check is not None:
            self._guard(callee.check, receiver, args, kwargs, self._limits)
        function = getattr(receiver, callee.name) if isinstance(callee, Method) else callee.fn
        result = function(*args, **kwargs)
        self._after_core(result)
        return result

    def _invoke_op(self, op: Callable, *operands: Any) -> Any:
        result = op(*operands)
        if any(isinstance(x, self._api.tensor_type) for x in operands):
            self._after_core(result)
        return result

    def _arithmetic_operand(self, value: Any) -> None:
        """Sequences would grow (`[0] * 10**9`, `"a" * 10**9`): only their arithmetic is refused.

        Other values go to Python, which raises its usual TypeError (`None * 2`).
        """
        if isinstance(value, str):
            raise self.reject(say("playground.string_value"))
        if isinstance(value, (list, tuple, dict, bytes)):
            raise self.reject(say("playground.run.arithmetic", value=_describe(value, None)))

    def _check_binop(self, op: ast.operator, left: Any, right: Any) -> None:
        self._arithmetic_operand(left)
        self._arithmetic_operand(right)
        check = _check_matmul if isinstance(op, ast.MatMult) else _check_elementwise
        if isinstance(op, ast.Pow):
            check = _check_pow
        if hasattr(left, "shape") or hasattr(right, "shape"):
            self._guard(check, left, (right,), {}, self._limits)
        elif isinstance(op, ast.Pow):
            self._guard(_check_exponent, right, self._limits)

    def _binop(self, op: ast.operator, left: Any, right: Any, inplace: bool = False) -> Any:
        self._check_binop(op, left, right)
        result = self._invoke_op((INPLACE_FUNCTIONS if inplace else BINOP_FUNCTIONS)[type(op)], left, right)
        if type(result) is int and abs(result) > self._limits.number:
            raise self.reject(say("playground.number_larger", limit=self._limits.number))
        return result

    # -- print -------------------------------------------------------------------------
    def _format(self, node: ast.expr, scope: dict[str, Any]) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            parts = []
            for part in node.values:
                if isinstance(part, ast.Constant):
                    parts.append(part.value)
                    continue
                value = self._eval(part.value, scope)
                if part.conversion == ord("r"):
                    value = repr(value)
                elif part.conversion == ord("a"):
                    value = ascii(value)
                elif part.conversion == ord("s"):
                    value = str(value)
                spec = part.format_spec.values[0].value if part.format_spec else ""
                parts.append(format(value, spec))
            return "".join(parts)
        return str(self._eval(node, scope))

    def _print_text(self, text: str, printed: bool = True) -> None:
        self._printed_chars += len(text)
        if self._printed_chars > self._limits.printed_chars:
            raise self.reject(say("playground.limit.printed", limit=self._limits.printed_chars))
        self._output += text
        if printed:
            self._printed += text

    def output(self) -> str:
        """Everything the program showed, in order: printed text, values, warnings."""
        return self._output

    def printed(self) -> str:
        """What print() and bare expressions showed (a script's stdout)."""
        return self._printed

    def warn(self, message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        """warnings.showwarning during a run: shown once per line of the program, as Python's
        default filter does for a script (a non-leaf `.grad` warns, and that is a lesson)."""
        key = (category, str(message), self._lineno)
        if key not in self._warned:
            self._warned.add(key)
            self.warnings.append(f"{category.__name__}: {message}")
            self._print_text(f"{category.__name__}: {message}\n", printed=False)

    # -- hooks -------------------------------------------------------------------------
    def call_lambda(self, node: ast.Lambda, scope: dict[str, Any], args: tuple) -> Any:
        names = [a.arg for a in node.args.args]
        if len(args) != len(names):
            raise TypeError(f"<lambda>() takes {len(names)} positional argument"
                            f"{'s' if len(names) != 1 else ''} but {len(args)} were given")
        self._tick()
        self._count_events()
        if self._hook_depth >= self._limits.hook_depth:
            raise self.reject(say("playground.limit.hook_depth", limit=self._limits.hook_depth))
        self._statements += 1
        if self._statements > self._limits.statements:
            raise self.reject(say("playground.limit.statements", limit=self._limits.statements))
        outer = self._lineno
        self._hook_depth += 1
        self._at(node.lineno)
        try:
            return self._eval(node.body, {**scope, **dict(zip(names, args, strict=True))})
        finally:
            self._hook_depth -= 1
            if outer is not None:
                self._at(outer)


def _shows_value(node: ast.expr) -> bool:
    """A bare expression shows its value, as in the Python prompt (`w.grad`, `z.grad_fn`),
    except calls made for what they do: print(), in-place methods (`w.grad.zero_()`) and
    register_hook() (its handle)."""
    if not isinstance(node, ast.Call):
        return True
    name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
    return name != "print" and not name.endswith("_") and name not in _HOOK_METHODS


def _describe(value: Any, kind: str | None) -> str:
    if kind:
        return say("playground.value.kind", kind=say(f"playground.kind.{kind}"))
    if value is None:
        return "None"
    if isinstance(value, bool):
        return say("playground.value.bool")
    if isinstance(value, _NUMBER):
        return say("playground.value.number")
    if isinstance(value, (Fn, Method, Namespace)):
        return f"`{value.name}`"
    names = {list: "list", tuple: "tuple", str: "string", dict: "dict", np.ndarray: "array"}
    if type(value) in names:
        return say(f"playground.value.{names[type(value)]}")
    return say("playground.value.kind", kind=type(value).__name__)
