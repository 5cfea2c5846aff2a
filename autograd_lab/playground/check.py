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
    autograd_lab.playground.limits.RejectedCode: line 1: `import os` is not available in the playground: ...
"""
from __future__ import annotations

import ast
import builtins
import re

from ..narration import join, say
from .allowlist import (_BINOPS, _COMPARE, _CONTEXTS, _HOOK_METHODS, _INPLACE, _MODULE_ALIASES, _RULES, _SAVED,
                        _NAMESPACES, _UNARY, _did_you_mean, _global_names, _member_names, _namespace_members, _offers,
                        _what_is_allowed)
from .binding import BINOP_FUNCTIONS
from .limits import Limits, RejectedCode, _Breach, _check_size

FILENAME = "<playground>"  # the file a program's lines come from, in the trace's sources

# Constructs refused by name: each is "playground.construct.<ast class>" in the catalogue.
_CONSTRUCTS = frozenset({
    "Import", "ImportFrom", "FunctionDef", "AsyncFunctionDef", "ClassDef", "While", "Try", "TryStar",
    "Raise", "Assert", "Delete", "Global", "Nonlocal", "Return", "Break", "Continue", "AsyncFor",
    "AsyncWith", "Match", "AnnAssign", "ListComp", "SetComp", "DictComp", "GeneratorExp", "Dict",
    "Set", "Starred", "NamedExpr", "IfExp", "Yield", "YieldFrom", "Await", "Slice", "Lambda", "JoinedStr",
})
_OPERATOR_TEXT = {"LShift": "<<", "RShift": ">>", "BitOr": "|", "BitXor": "^",
                  "BitAnd": "&", "Invert": "~", "In": "in", "NotIn": "not in"}
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_FORMAT_SPEC = re.compile(r"[<>^=]?[+\- ]?#?0?[0-9]{0,2}(?:\.[0-9]{1,2})?[eEfFgGd%]?\Z")


def _parse(source: str, limits: Limits) -> tuple[ast.Module, list[str]]:
    if not isinstance(source, str):
        raise TypeError(say("playground.not_str", type=type(source).__name__))
    if len(source) > limits.source_chars:
        raise RejectedCode(say("playground.too_long", n=len(source), limit=limits.source_chars))
    lines = re.split(r"\r\n|\r|\n", source)  # Python's line breaks (not str.splitlines's \f, \x1c, ...)
    try:
        tree = ast.parse(source, filename=FILENAME, mode="exec")
    except SyntaxError as e:
        lineno = e.lineno if e.lineno and e.lineno <= len(lines) else None
        raise RejectedCode(say("playground.syntax", msg=e.msg), lineno,
                           lines[lineno - 1] if lineno else None) from None
    except (ValueError, RecursionError, MemoryError) as e:
        raise RejectedCode(say("playground.unreadable", error=type(e).__name__)) from None
    stack = [(tree, 0)]
    while stack:  # depth first, without recursion: the checker below recurses
        node, depth = stack.pop()
        if depth > limits.nesting:
            lineno = getattr(node, "lineno", None)
            raise RejectedCode(say("playground.nested", limit=limits.nesting), lineno, _line(lines, lineno))
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
        value = BINOP_FUNCTIONS[type(node.op)](left, right)
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
        """Check ``tree``; the imports of torch it accepts become what they name (see `_imports`)."""
        self._imports(tree)
        self._bound = {n.id for n in ast.walk(tree)
                       if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        for stmt in tree.body:
            self._stmt(stmt)

    # -- imports -----------------------------------------------------------------------
    def _imports(self, tree: ast.Module) -> None:
        """`import torch`, `import torch.nn as nn`, `from torch.autograd import grad`: the first lines
        of a pasted lesson. Each name an import binds must be one the playground already offers
        (torch, its autograd, nn, nn.functional and optim, and what they offer); the import becomes
        `pass` and the name is read as what it names (`F.relu` as `nn.functional.relu`). Every other
        import stays refused, at its line, by the walk that follows."""
        aliases: dict[str, tuple[str, ast.AST]] = {}  # name -> (what it names, the import)
        for i, stmt in enumerate(tree.body):
            if isinstance(stmt, (ast.Import, ast.ImportFrom)) and _imports_the_lab(stmt):
                for name, path in self._import_names(stmt):
                    aliases[name] = (path, stmt)
                tree.body[i] = ast.copy_location(ast.Pass(), stmt)
        renamed = {name: path for name, (path, _) in aliases.items() if path != name and {path, name} != {"torch", "lab"}}
        for node in ast.walk(tree):
            bound = node.arg if isinstance(node, ast.arg) else node.id if isinstance(node, ast.Name) and \
                not isinstance(node.ctx, ast.Load) else None
            if bound in aliases:
                path, stmt = aliases[bound]
                raise self._reject(node, say("playground.import.rebound", name=bound, path=_torch_path(path),
                                             line=stmt.lineno))
        if renamed:
            _Rename(renamed).visit(tree)

    def _import_names(self, node: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
        """(name bound, what it names in the playground's terms) for each name ``node`` imports."""
        out = []
        if isinstance(node, ast.Import):
            for a in node.names:
                path = _module_path(a.name)
                if path is None:
                    raise self._reject(node, say("playground.import.module", code=f"import {a.name}"),
                                       say("playground.import.what"))
                out.append((a.asname, path) if a.asname else (a.name.split(".")[0], _module_path(a.name.split(".")[0])))
        else:
            module = "." * node.level + (node.module or "")
            path = _module_path(module) if not node.level else None
            if path is None:
                raise self._reject(node, say("playground.import.module", code=f"from {module} import …"),
                                   say("playground.import.what"))
            for a in node.names:
                if a.name == "*":
                    raise self._reject(node, say("playground.import.star", module=module))
                members = _namespace_members("torch" if path == "torch" else path.split(".")[-1])
                if a.name not in members:
                    suggestion = _did_you_mean(a.name, members)
                    reason = say("playground.import.name", module=module, name=a.name) + (
                        " " + say("playground.import.did_you_mean", suggestion=suggestion) if suggestion else "")
                    raise self._reject(node, reason, say("playground.more") if suggestion else _offers(values=False))
                out.append((a.asname or a.name, a.name if path == "torch" else f"{path}.{a.name}"))
        for name, path in out:
            clash = name in _MODULE_ALIASES + ("autograd", "optim", "nn") and {name, path} != {"torch", "lab"} \
                and name != path  # `import torch.nn as torch`
            if name.startswith("_") or clash:
                raise self._reject(node, say("playground.import.clash", name=name, path=_torch_path(path)))
        return out

    # -- helpers -----------------------------------------------------------------------
    def _reject(self, node: ast.AST, reason: str, hint: str = "") -> RejectedCode:
        lineno = getattr(node, "lineno", None)
        return RejectedCode(reason, lineno, _line(self._lines, lineno), hint)

    def _unavailable(self, node: ast.AST, what: str | None = None) -> RejectedCode:
        if what is None:
            kind = type(node).__name__
            what = say(f"playground.construct.{kind}") if kind in _CONSTRUCTS else \
                say("playground.construct.other", name=kind)
        return self._reject(node, say("playground.unavailable", what=what), _what_is_allowed())

    def _bind(self, node: ast.AST, name: str) -> None:
        if name.startswith("_"):
            raise self._reject(node, say("playground.name.private_bind", name=name))
        if not _IDENTIFIER.match(name):
            raise self._reject(node, say("playground.name.ascii", name=name))
        if name in self._globals:
            raise self._reject(node, say("playground.name.toolbox", name=name))

    # -- statements --------------------------------------------------------------------
    def _stmt(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Expr):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                raise self._reject(node, say("playground.string_statement"))
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
        elif isinstance(node, (ast.Import, ast.ImportFrom)):  # another module, or torch inside an `if` or a loop
            if _imports_the_lab(node):
                raise self._reject(node, say("playground.import.nested"))
            raise self._reject(node, say("playground.import.module", code=_import_code(node)),
                               say("playground.import.what"))
        else:
            raise self._unavailable(node)

    def _target(self, node: ast.expr) -> None:
        if isinstance(node, ast.Name):
            self._bind(node, node.id)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for elt in node.elts:
                if not isinstance(elt, ast.Name):
                    raise self._reject(elt, say("playground.unpack_names"))
                self._bind(elt, elt.id)
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id in self._globals:
                raise self._reject(node, say("playground.name.toolbox_attr", name=node.value.id))
            settable = set().union(*(r.settable for r in _RULES.values()))
            if node.attr not in settable:
                raise self._reject(node, say("playground.attr.not_settable", name=node.attr,
                                             settable=join(sorted(settable))))
            self._expr(node.value)
        elif isinstance(node, ast.Subscript):
            raise self._unavailable(node, say("playground.construct.item_assign"))
        else:
            raise self._unavailable(node)

    def _for(self, node: ast.For) -> None:
        it = node.iter
        if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"
                and 1 <= len(it.args) <= 3 and not it.keywords):
            raise self._reject(node, say("playground.for_range"))
        if not isinstance(node.target, ast.Name):
            raise self._reject(node, say("playground.loop_var"))
        if node.orelse:
            raise self._unavailable(node, say("playground.construct.for_else"))
        self._bind(node.target, node.target.id)
        for arg in it.args:
            self._expr(arg)
        bounds = [_constant(a, self._limits) for a in it.args]
        if None not in bounds and (len(bounds) < 3 or bounds[2] != 0):
            steps = len(range(*bounds))
            if steps > self._limits.loop:
                raise self._reject(node, say("playground.loop_too_long", steps=steps, limit=self._limits.loop))
        for stmt in node.body:
            self._stmt(stmt)

    def _with(self, node: ast.With) -> None:
        (item, *rest) = node.items
        call = item.context_expr
        fn = getattr(call, "func", None)
        name = getattr(fn, "id", None) or getattr(fn, "attr", None)
        if rest or item.optional_vars or not isinstance(call, ast.Call) or name not in _CONTEXTS \
                or call.args or call.keywords:
            raise self._reject(node, say("playground.with_only"))
        self._expr(call)
        for stmt in node.body:
            self._stmt(stmt)

    def _operator(self, node: ast.AST, op: ast.AST) -> RejectedCode:
        text = _OPERATOR_TEXT.get(type(op).__name__, type(op).__name__)
        return self._reject(node, say("playground.operator", op=text))

    # -- expressions -------------------------------------------------------------------
    def _expr(self, node: ast.expr, params: frozenset[str] = frozenset(),
              hook_arg: bool = False) -> None:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, str):
                raise self._reject(node, say("playground.string_value"))
            if value is not None and type(value) not in (bool, int, float):
                raise self._unavailable(node, say("playground.construct.value", value=repr(value)[:60]))
            if type(value) is int and abs(value) > self._limits.number:
                raise self._reject(node, say("playground.number_size", limit=self._limits.number))
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
            raise self._reject(node, say("playground.name.dunder", name=name), _what_is_allowed())
        if name.startswith("_"):
            raise self._reject(node, say("playground.name.private", name=name))
        if name in ("print", "range"):
            raise self._reject(node, say("playground.print_call" if name == "print" else "playground.range_for"))
        if name in params or name in self._globals or name in self._bound:
            return
        if hasattr(builtins, name):
            raise self._unavailable(node, f"`{name}`")
        suggestion = _did_you_mean(name, self._globals | self._bound | params)
        if suggestion is not None:
            raise self._reject(node, say("playground.name.did_you_mean", name=name, suggestion=suggestion),
                               say("playground.more"))  # the suggestion, not the list of every name
        raise self._reject(node, say("playground.name.not_defined", name=name), _what_is_allowed())

    def _attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        if attr.startswith("__"):
            raise self._reject(node, say("playground.attr.dunder", name=attr), _what_is_allowed())
        if attr.startswith("_") and not _SAVED.match(attr):
            raise self._reject(node, say("playground.attr.private", name=attr))
        if not attr.startswith("_") and attr not in self._members:
            raise self._unknown_member(node, attr)

    def _unknown_member(self, node: ast.Attribute, attr: str) -> RejectedCode:
        """`torch.sin`: what the module offers; `w.grd`: did you mean `grad`?; both list what there is."""
        base = node.value
        module = base.id if isinstance(base, ast.Name) and base.id in _MODULE_ALIASES + _NAMESPACES \
            else None
        if module is not None:
            members = _namespace_members(module)
            suggestion = _did_you_mean(attr, members)
            if suggestion is not None:
                reason = say("playground.module.did_you_mean", module=module, name=attr, suggestion=suggestion)
            else:
                reason = say("playground.module.unavailable", module=module, name=attr)
            return self._reject(node, reason, say("playground.more") if suggestion else _offers(values=False))
        suggestion = _did_you_mean(attr, self._members)
        if suggestion is not None:
            return self._reject(node, say("playground.attr.did_you_mean", name=attr, suggestion=suggestion),
                                say("playground.more"))
        return self._reject(node, say("playground.attr.unavailable", name=attr), _offers())

    def _call(self, node: ast.Call, params: frozenset[str]) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id == "print":
            self._print(node, params)
            return
        if isinstance(func, ast.Name) and func.id == "range":
            raise self._reject(node, say("playground.range_for"))
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
                raise self._unavailable(keyword.value, say("playground.construct.kwargs"))
            if not _IDENTIFIER.match(keyword.arg):
                raise self._reject(node, say("playground.kw.private", name=keyword.arg))
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
                raise self._reject(node, say("playground.print_args"))

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
                raise self._reject(node, say("playground.fstring_format"))

    def _lambda(self, node: ast.Lambda, params: frozenset[str]) -> None:
        args = node.args
        if (args.posonlyargs or args.vararg or args.kwonlyargs or args.kwarg or args.defaults
                or args.kw_defaults):
            raise self._reject(node, say("playground.lambda_params"))
        names = [a.arg for a in args.args]
        for a in args.args:
            self._bind(node, a.arg)
        self._expr(node.body, params | frozenset(names))


_IMPORTABLE = {"": "torch", "autograd": "autograd", "optim": "optim", "nn": "nn", "nn.functional": "nn.functional"}


def _module_path(module: str) -> str | None:
    """``torch.nn.functional`` (or ``autograd_lab.nn.functional``) -> ``nn.functional``, the name the
    playground offers it by; ``torch`` -> ``torch``; None for any other module (``os``, ``torch.hub``)."""
    top, _, rest = module.partition(".")
    return _IMPORTABLE.get(rest) if top in ("torch", "autograd_lab") else None


def _torch_path(path: str) -> str:
    return path if path == "torch" else f"torch.{path}"


def _import_code(node: ast.Import | ast.ImportFrom) -> str:
    """``import os`` / ``from os import …``: how a refusal quotes an import."""
    if isinstance(node, ast.ImportFrom):
        return f"from {'.' * node.level}{node.module or ''} import …"
    return "import " + ", ".join(a.name for a in node.names)


class _Rename(ast.NodeTransformer):
    """Reads an imported name as what it names: ``F`` as ``nn.functional``, ``grad`` as ``autograd.grad``."""

    def __init__(self, names: dict[str, str]):
        self._names = names

    def visit_Name(self, node: ast.Name) -> ast.AST:
        path = self._names.get(node.id)
        if path is None:
            return node
        new = ast.parse(path, mode="eval").body
        for part in ast.walk(new):
            ast.copy_location(part, node)
            part.end_lineno, part.end_col_offset = node.end_lineno, node.end_col_offset
        return new


def _imports_the_lab(node: ast.Import | ast.ImportFrom) -> bool:
    """`import autograd_lab as torch`, `import torch`, `from autograd_lab import tensor`."""
    modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
    return all(m.split(".")[0] in ("autograd_lab", "torch") for m in modules)
