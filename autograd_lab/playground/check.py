"""The static check: the whole program is read and checked before anything of it runs.

`_parse` reads the text with `ast.parse` (a syntax tree, never code to run) and bounds its
length and nesting; `_Checker` then walks every node once, and anything the allow-list does
not name, any construct of `_CONSTRUCTS`, any operator outside the allowed ones raises
`RejectedCode` at its line, with a message saying what is not allowed and what is. Loop
bounds and shapes written with literals only (`range(10**9)`, `zeros(10**9)`) are folded by
`_constant` and refused here too. `FILENAME` is the name the program's lines go by in the
trace.

    >>> tree, lines = _parse("import os", Limits())
    >>> _Checker(lines, Limits()).check(tree)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd_lab.playground.limits.RejectedCode: line 1: `import` is not available in the playground. ...
"""
from __future__ import annotations

import ast
import builtins
import re

from .allowlist import (_BINOPS, _COMPARE, _CONTEXTS, _HOOK_METHODS, _INPLACE, _RULES, _SAVED,
                        _UNARY, _global_names, _member_names, _offers, _what_is_allowed)
from .limits import Limits, RejectedCode, _Breach, _check_size

FILENAME = "<playground>"  # the file a program's lines come from, in the trace's sources

_CONSTRUCTS: dict[str, str] = {  # each as "<this> is not available in the playground"
    "Import": "`import`", "ImportFrom": "`from ... import`",
    "FunctionDef": "defining a function with `def`", "AsyncFunctionDef": "defining a function",
    "ClassDef": "defining a class", "While": "a `while` loop", "Try": "`try`",
    "TryStar": "`try`", "Raise": "`raise`", "Assert": "`assert`", "Delete": "`del`",
    "Global": "`global`", "Nonlocal": "`nonlocal`", "Return": "`return`",
    "Break": "`break`", "Continue": "`continue`", "AsyncFor": "`async for`",
    "AsyncWith": "`async with`", "Match": "`match`", "AnnAssign": "an annotated assignment",
    "ListComp": "a list comprehension", "SetComp": "a set comprehension",
    "DictComp": "a dict comprehension", "GeneratorExp": "a generator expression",
    "Dict": "a dictionary", "Set": "a set", "Starred": "`*` unpacking",
    "NamedExpr": "`:=`", "IfExp": "a `... if ... else ...` expression",
    "Yield": "`yield`", "YieldFrom": "`yield from`", "Await": "`await`",
    "Slice": "a slice like `a[1:3]`", "Lambda": "a lambda outside register_hook()",
    "JoinedStr": "an f-string outside print()",
}
_OPERATOR_TEXT = {"LShift": "<<", "RShift": ">>", "BitOr": "|", "BitXor": "^",
                  "BitAnd": "&", "Invert": "~", "In": "in", "NotIn": "not in"}
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_FORMAT_SPEC = re.compile(r"[<>^=]?[+\- ]?#?0?[0-9]{0,2}(?:\.[0-9]{1,2})?[eEfFgGd%]?\Z")


def _parse(source: str, limits: Limits) -> tuple[ast.Module, list[str]]:
    if not isinstance(source, str):
        raise TypeError(f"run() takes the program as a str, not {type(source).__name__}")
    if len(source) > limits.source_chars:
        raise RejectedCode(f"the program is {len(source):,} characters long; the playground "
                           f"runs programs of at most {limits.source_chars:,} characters")
    lines = re.split(r"\r\n|\r|\n", source)  # Python's line breaks (not str.splitlines's \f, \x1c, ...)
    try:
        tree = ast.parse(source, filename=FILENAME, mode="exec")
    except SyntaxError as e:
        lineno = e.lineno if e.lineno and e.lineno <= len(lines) else None
        raise RejectedCode(f"Python cannot read this: {e.msg}", lineno,
                           lines[lineno - 1] if lineno else None) from None
    except (ValueError, RecursionError, MemoryError) as e:
        raise RejectedCode(f"Python cannot read this program ({type(e).__name__})") from None
    stack = [(tree, 0)]
    while stack:  # depth first, without recursion: the checker below recurses
        node, depth = stack.pop()
        if depth > limits.nesting:
            lineno = getattr(node, "lineno", None)
            raise RejectedCode(f"this is nested more than {limits.nesting} levels deep; "
                               "split it into several lines", lineno, _line(lines, lineno))
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return tree, lines


def _constant(node: ast.expr, limits: Limits) -> int | None:
    """The value of a whole-number expression made of literals only (`10**9`), else None.

    Lets the checker refuse `range(10**9)` or `zeros(10**9)` before anything runs; folding
    stops as soon as a value or an exponent passes the limits.
    """
    if isinstance(node, ast.Constant):
        value = node.value
        return value if type(value) is int and abs(value) <= limits.number else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _constant(node.operand, limits)
        return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.BinOp) and type(node.op) in (ast.Add, ast.Sub, ast.Mult, ast.Pow):
        left, right = _constant(node.left, limits), _constant(node.right, limits)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Pow) and not 0 <= right <= limits.exponent:
            return None
        value = _BINOPS[type(node.op)](left, right)
        return value if abs(value) <= limits.number * limits.number else None
    return None


def _line(lines: list[str], lineno: int | None) -> str | None:
    if lineno and 0 < lineno <= len(lines):
        return lines[lineno - 1]
    return None


class _Checker:
    """Walks every node once; anything not explicitly allowed raises RejectedCode."""

    def __init__(self, lines: list[str], limits: Limits):
        self._lines = lines
        self._limits = limits
        self._globals = _global_names()
        self._members = _member_names()
        self._bound: set[str] = set()

    def check(self, tree: ast.Module) -> None:
        self._bound = {n.id for n in ast.walk(tree)
                       if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        for stmt in tree.body:
            self._stmt(stmt)

    # -- helpers -----------------------------------------------------------------------
    def _reject(self, node: ast.AST, reason: str, hint: str = "") -> RejectedCode:
        lineno = getattr(node, "lineno", None)
        return RejectedCode(reason, lineno, _line(self._lines, lineno), hint)

    def _unavailable(self, node: ast.AST, what: str | None = None) -> RejectedCode:
        what = what or _CONSTRUCTS.get(type(node).__name__, f"`{type(node).__name__}`")
        return self._reject(node, f"{what} is not available in the playground.", _what_is_allowed())

    def _bind(self, node: ast.AST, name: str) -> None:
        if name.startswith("_"):
            raise self._reject(node, f"`{name}`: names starting with an underscore are private "
                                     "in the playground; choose a name like `w` or `loss`")
        if not _IDENTIFIER.match(name):
            raise self._reject(node, f"`{name}`: use plain ASCII letters, digits and _ for names")
        if name in self._globals:
            raise self._reject(node, f"`{name}` is part of the playground's toolbox and cannot be "
                                     "replaced; choose another name")

    # -- statements --------------------------------------------------------------------
    def _stmt(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Expr):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                raise self._reject(node, "strings can only be printed, as in `print(\"text\")`")
            self._expr(node.value)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                self._target(target)
            self._expr(node.value)
        elif isinstance(node, ast.AugAssign):
            if type(node.op) not in _INPLACE:
                raise self._operator(node, node.op)
            self._target(node.target)
            self._expr(node.value)
        elif isinstance(node, ast.For):
            self._for(node)
        elif isinstance(node, ast.With):
            self._with(node)
        elif isinstance(node, ast.If):
            self._expr(node.test)
            for stmt in node.body + node.orelse:
                self._stmt(stmt)
        elif isinstance(node, ast.Pass):
            pass
        elif isinstance(node, (ast.Import, ast.ImportFrom)) and _imports_the_lab(node):
            raise self._reject(node, "`import` is not available in the playground, and not needed: "
                                     "`torch` and `lab` are already there (torch.tensor(...), "
                                     "lab.zeros(...)), and so are tensor, zeros, ones, autograd, "
                                     "optim and no_grad.", _what_is_allowed())
        else:
            raise self._unavailable(node)

    def _target(self, node: ast.expr) -> None:
        if isinstance(node, ast.Name):
            self._bind(node, node.id)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for elt in node.elts:
                if not isinstance(elt, ast.Name):
                    raise self._reject(elt, "unpack into plain names, as in `a, b = ...`")
                self._bind(elt, elt.id)
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id in self._globals:
                raise self._reject(node, f"`{node.value.id}` is part of the playground's toolbox "
                                         "and cannot be changed")
            settable = set().union(*(r.settable for r in _RULES.values()))
            if node.attr not in settable:
                raise self._reject(node, f"`.{node.attr}` cannot be assigned in the playground; "
                                         f"you can set {', '.join(sorted(settable))} on a tensor")
            self._expr(node.value)
        elif isinstance(node, ast.Subscript):
            raise self._unavailable(node, "assigning to an item (`a[0] = ...`)")
        else:
            raise self._unavailable(node)

    def _for(self, node: ast.For) -> None:
        it = node.iter
        if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"
                and 1 <= len(it.args) <= 3 and not it.keywords):
            raise self._reject(node, "`for` loops run over range(), as in `for i in range(10):`")
        if not isinstance(node.target, ast.Name):
            raise self._reject(node, "the loop variable must be a plain name, as in `for i in range(10):`")
        if node.orelse:
            raise self._unavailable(node, "`for ... else`")
        self._bind(node.target, node.target.id)
        for arg in it.args:
            self._expr(arg)
        bounds = [_constant(a, self._limits) for a in it.args]
        if None not in bounds and (len(bounds) < 3 or bounds[2] != 0):
            steps = len(range(*bounds))
            if steps > self._limits.loop:
                raise self._reject(node, f"this loop has {steps:,} steps; a loop in the "
                                         f"playground can have at most {self._limits.loop}")
        for stmt in node.body:
            self._stmt(stmt)

    def _with(self, node: ast.With) -> None:
        (item, *rest) = node.items
        call = item.context_expr
        fn = getattr(call, "func", None)
        name = getattr(fn, "id", None) or getattr(fn, "attr", None)
        if rest or item.optional_vars or not isinstance(call, ast.Call) or name not in _CONTEXTS \
                or call.args or call.keywords:
            raise self._reject(node, "`with` works only as `with no_grad():` or `with enable_grad():`")
        self._expr(call)
        for stmt in node.body:
            self._stmt(stmt)

    def _operator(self, node: ast.AST, op: ast.AST) -> RejectedCode:
        text = _OPERATOR_TEXT.get(type(op).__name__, type(op).__name__)
        return self._reject(node, f"the `{text}` operator is not available in the playground; "
                                  "you can use + - * / // % ** @, comparisons, and, or, not")

    # -- expressions -------------------------------------------------------------------
    def _expr(self, node: ast.expr, params: frozenset[str] = frozenset(),
              hook_arg: bool = False) -> None:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, str):
                raise self._reject(node, "strings can only be printed, as in `print(\"loss\", loss)`")
            if value is not None and type(value) not in (bool, int, float):
                raise self._unavailable(node, f"the value `{value!r}`"[:80])
            if type(value) is int and abs(value) > self._limits.number:
                raise self._reject(node, f"numbers in the playground are at most "
                                         f"{self._limits.number:.0e} in size")
        elif isinstance(node, ast.Name):
            self._name(node, params)
        elif isinstance(node, ast.Attribute):
            self._attribute(node)
            self._expr(node.value, params)
        elif isinstance(node, ast.Call):
            self._call(node, params)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS:
                raise self._operator(node, node.op)
            self._expr(node.left, params)
            self._expr(node.right, params)
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                raise self._operator(node, node.op)
            self._expr(node.operand, params)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self._expr(value, params)
        elif isinstance(node, ast.Compare):
            for op in node.ops:
                if type(op) not in _COMPARE:
                    raise self._operator(node, op)
            for value in [node.left, *node.comparators]:
                self._expr(value, params)
        elif isinstance(node, (ast.List, ast.Tuple)):
            for elt in node.elts:
                self._expr(elt, params)
        elif isinstance(node, ast.Subscript):
            self._expr(node.value, params)
            self._expr(node.slice, params)
        elif isinstance(node, ast.Lambda) and hook_arg:
            self._lambda(node, params)
        else:
            raise self._unavailable(node)

    def _name(self, node: ast.Name, params: frozenset[str]) -> None:
        name = node.id
        if name.startswith("__"):
            raise self._reject(node, f"`{name}`: names with double underscores are Python "
                                     "internals, not available in the playground.", _what_is_allowed())
        if name.startswith("_"):
            raise self._reject(node, f"`{name}`: names starting with an underscore are private, "
                                     "not available in the playground")
        if name in ("print", "range"):
            raise self._reject(node, "print can only be called, as in `print(w.grad)`" if name == "print"
                               else "range() works only in `for i in range(n):`")
        if name in params or name in self._globals or name in self._bound:
            return
        if hasattr(builtins, name):
            raise self._unavailable(node, f"`{name}`")
        raise self._reject(node, f"`{name}` is not defined: assign it first, as in "
                                 f"`{name} = tensor(1.0)`.", _what_is_allowed())

    def _attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        if attr.startswith("__"):
            raise self._reject(node, f"`.{attr}`: names with double underscores are Python "
                                     "internals, not available in the playground.", _what_is_allowed())
        if attr.startswith("_") and not _SAVED.match(attr):
            raise self._reject(node, f"`.{attr}`: names starting with an underscore are private; "
                                     "the only ones available are grad_fn's `_saved_*` attributes")
        if not attr.startswith("_") and attr not in self._members:
            raise self._reject(node, f"`.{attr}` is not available in the playground.", _offers())

    def _call(self, node: ast.Call, params: frozenset[str]) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id == "print":
            self._print(node, params)
            return
        if isinstance(func, ast.Name) and func.id == "range":
            raise self._reject(node, "range() works only in `for i in range(n):`")
        self._expr(func, params)
        name = getattr(func, "id", None) or getattr(func, "attr", None)
        if name in ("zeros", "ones") and node.args:
            dims = [_constant(a, self._limits) for a in node.args]
            if None not in dims:
                try:
                    _check_size(tuple(dims), self._limits)
                except _Breach as e:
                    raise self._reject(node, str(e)) from None
        hook = isinstance(func, ast.Attribute) and func.attr in _HOOK_METHODS
        for arg in node.args:
            self._expr(arg, params, hook_arg=hook)
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self._unavailable(keyword.value, "`**` unpacking")
            if not _IDENTIFIER.match(keyword.arg):
                raise self._reject(node, f"`{keyword.arg}=`: names starting with an underscore are private")
            self._expr(keyword.value, params)

    def _print(self, node: ast.Call, params: frozenset[str]) -> None:
        for arg in node.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                continue
            if isinstance(arg, ast.JoinedStr):
                self._fstring(arg, params)
            else:
                self._expr(arg, params)
        for keyword in node.keywords:
            if keyword.arg not in ("sep", "end") or not (
                    isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str)):
                raise self._reject(node, "print() takes values, and sep=\"...\" or end=\"...\" "
                                         "with a plain string; nothing else")

    def _fstring(self, node: ast.JoinedStr, params: frozenset[str]) -> None:
        for part in node.values:
            if isinstance(part, ast.Constant):
                continue
            if not isinstance(part, ast.FormattedValue):
                raise self._unavailable(part)
            self._expr(part.value, params)
            spec = part.format_spec
            if spec is not None and not (
                    len(spec.values) == 1 and isinstance(spec.values[0], ast.Constant)
                    and _FORMAT_SPEC.match(spec.values[0].value)):
                raise self._reject(node, "in f-strings, use simple formats like `{loss:.3f}` "
                                         "or `{x:8.2f}` (widths up to 99)")

    def _lambda(self, node: ast.Lambda, params: frozenset[str]) -> None:
        args = node.args
        if (args.posonlyargs or args.vararg or args.kwonlyargs or args.kwarg or args.defaults
                or args.kw_defaults):
            raise self._reject(node, "a hook lambda takes plain parameters, as in `lambda g: g * 2`")
        names = [a.arg for a in args.args]
        for a in args.args:
            self._bind(node, a.arg)
        self._expr(node.body, params | frozenset(names))


def _imports_the_lab(node: ast.Import | ast.ImportFrom) -> bool:
    """`import autograd_lab as torch`, `import torch`, `from autograd_lab import tensor`."""
    modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
    return all(m.split(".")[0] in ("autograd_lab", "torch") for m in modules)
