"""The playground: students type a few lines of autograd code, run them, and watch the trace.

`run(source)` never gives the student's text to ``eval``, ``exec`` or ``compile``. It parses
the text with `ast`, checks the WHOLE program against an allow-list before anything runs
(`_Checker`), then walks the tree itself (`_Interpreter`) inside
``trace(catch_errors=True)``. Everything a program may name, call, read or set is listed in
one table (the "allow-list" block below); every call into the core goes through one place
(`_Interpreter._invoke`) that checks sizes *before* the core allocates anything. Code the
playground will not run raises `RejectedCode` (a `ValueError`) saying what is not allowed and
what is; autograd errors (a second backward, say) become part of the trace, as they do with
``trace(catch_errors=True)``. `Playground()` is the ipywidgets app around `run`.

    >>> t = run("w = tensor(2.0, requires_grad=True)\\nz = w * 3\\nz.backward()\\nprint(w.grad)")
    >>> t.printed
    ['tensor(3.)']
"""
from __future__ import annotations

import ast
import builtins
import functools
import html
import itertools
import math
import operator
import re
import time
import warnings
from dataclasses import dataclass
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import ipywidgets as widgets

if TYPE_CHECKING:  # pragma: no cover
    from .events import Trace

__all__ = ["EXAMPLES", "Limits", "Playground", "RejectedCode", "run"]

FILENAME = "<playground>"


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
        super().__init__(f"line {lineno}: {message}" if lineno else message)


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
                raise _Breach(f"lists can be nested at most {limits.dims} deep")
            stack.extend((x, depth + 1) for x in item)
        elif hasattr(item, "shape"):
            numbers += math.prod(_shape(item))
        else:
            numbers += 1
        if numbers > limits.elements or visits > 4 * limits.elements:
            raise _Breach(f"a tensor or list can hold at most {limits.elements:,} numbers")
    return numbers


def _shape(value: Any) -> tuple:
    shape = getattr(value, "shape", ())
    return tuple(int(n) for n in shape)


def _check_size(shape: tuple, limits: Limits, what: str = "this tensor") -> None:
    if len(shape) > limits.dims:
        raise _Breach(f"tensors can have at most {limits.dims} dimensions; {what} would have {len(shape)}")
    size = 1
    for n in shape:  # each dimension too: zeros(0, 10**15) holds nothing but is no shape to keep
        size *= max(int(n), 0)
        if size > limits.elements or n > limits.elements:
            raise _Breach(
                f"tensors can hold at most {limits.elements:,} numbers; {what} would have shape "
                f"{tuple(shape)}"
            )


def _shape_args(args: tuple, limits: Limits) -> tuple:
    dims = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
    if len(dims) > limits.dims:
        raise _Breach(f"tensors can have at most {limits.dims} dimensions; this one would have {len(dims)}")
    if not all(isinstance(n, (int, np.integer)) for n in dims):
        return ()  # not a shape: the core raises its own TypeError
    return tuple(int(n) for n in dims)


def _check_new(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # zeros(2, 3)
    _check_size(_shape_args(args, limits), limits)


def _check_reshape(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # x.reshape(2, -1)
    _shape_args(args, limits)


def _check_tensor(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # tensor([[1., 2.]])
    if args:
        _count(args[0], limits)


def _check_exponent(exponent: Any, limits: Limits) -> None:
    if isinstance(exponent, (int, float, np.number)) and not abs(exponent) <= limits.exponent:
        raise _Breach(f"exponents can be at most {limits.exponent:g} in size; this one is {exponent:g}")


def _check_broadcast(a: Any, b: Any, limits: Limits) -> None:
    """The result of an elementwise op on a and b must fit (checked before numpy computes it)."""
    try:
        shape = np.broadcast_shapes(_shape(a), _shape(b))
    except ValueError:
        return  # the core raises its own error about the shapes
    _check_size(shape, limits, f"{_shape(a)} with {_shape(b)}")


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
            raise _Breach(f"tensors can hold at most {limits.elements:,} numbers; "
                          f"{a} @ {b} would have {size:,}")


def _check_hook(receiver: Any, args: tuple, kwargs: dict, limits: Limits) -> None:  # w.register_hook(lambda g: ...)
    if not args or not isinstance(args[0], _Lambda):
        raise _Breach("register_hook takes a lambda here, for example `w.register_hook(lambda g: g * 2)`")


# ---------------------------------------------------------------------------------------
# The allow-list: the ONLY things a playground program can name, call, read or set.
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


_RULES: dict[str, _Rule] = {
    "tensor": _Rule(
        methods={
            "backward": None, "register_hook": _check_hook, "retain_grad": None,
            "detach": None, "requires_grad_": None, "item": None, "tolist": None,
            "numpy": None, "zero_": None, "sum": None, "mean": None, "exp": None,
            "log": None, "tanh": None, "sigmoid": None, "relu": None, "sqrt": None,
            "pow": _check_pow, "reshape": _check_reshape, "t": None,
            "matmul": _check_matmul, "add_": _check_elementwise, "sub_": _check_elementwise,
            "mul_": _check_elementwise,
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
    from autograd_lab.tensor import RemovableHandle

    return _Api.from_core(core, [
        (core.Tensor, "tensor"),
        (core.Node, "grad_fn node"),
        (RemovableHandle, "hook handle"),
        (core.optim.Optimizer, "optimizer"),
    ])


# ---------------------------------------------------------------------------------------
# The static check: the whole program, before anything runs.

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


def _offers() -> str:
    parts = []
    for kind, rule in _RULES.items():
        members = sorted(f"{m}()" for m in rule.methods) + sorted(rule.attributes)
        if rule.saved:
            members.append("_saved_*")
        parts.append(f"a {kind} offers {', '.join(members)}")
    return "In the playground, " + "; ".join(parts) + "."


# ---------------------------------------------------------------------------------------
# The interpreter: walks the checked tree; every call into the core goes through _invoke.

_NUMBER = (int, float, np.number, np.bool_)


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


class _Interpreter:
    def __init__(self, api: _Api, limits: Limits, lines: list[str], namespace: dict[str, Any]):
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
            raise self.reject(f"the program ran for more than {self._limits.seconds:g} seconds; "
                              "make the loops shorter")

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
            raise self.reject(f"the program did more than {self._limits.operations} "
                              "operations on tensors; make it smaller")
        if len(events) > self._limits.events:
            raise self.reject(f"the trace has more than {self._limits.events:,} events; "
                              "make the program smaller")

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
            raise self.reject(f"the program ran more than {self._limits.statements:,} statements; "
                              "make the loops shorter")
        self._at(node.lineno)
        if isinstance(node, ast.Expr):
            value = self._eval(node.value, {})
            if value is not None and _shows_value(node.value):
                self._print_text(repr(value) + "\n")
        elif isinstance(node, ast.Assign):
            value = self._eval(node.value, {})
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
                raise self.reject(f"this loop has {len(steps):,} steps; a loop in the "
                                  f"playground can have at most {self._limits.loop}")
            for i in steps:
                self._assign(node.target, i, {})
                self._block(node.body)
                self._at(node.lineno)
        elif isinstance(node, ast.With):
            manager = self._eval(node.items[0].context_expr, {})
            if not isinstance(manager, self._api.context_types):
                raise self.reject("`with` works only as `with no_grad():` or `with enable_grad():`")
            with manager:
                self._block(node.body)
        elif isinstance(node, ast.If):
            self._block(node.body if self._eval(node.test, {}) else node.orelse)
        elif isinstance(node, ast.Pass):
            pass
        else:  # the checker let through something the interpreter does not know
            raise self.reject(f"{type(node).__name__} is not available in the playground")

    def _assign(self, target: ast.expr, value: Any, scope: dict[str, Any]) -> None:
        if isinstance(target, ast.Name):
            self.namespace[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt, item in zip(target.elts, self._unpack(value, len(target.elts)), strict=True):
                self.namespace[elt.id] = item
        elif isinstance(target, ast.Attribute):
            self._set_attribute(self._eval(target.value, scope), target.attr, value)
        else:
            raise self.reject("this assignment is not available in the playground")

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
            raise self.reject(f"`.{attr}` cannot be set on {_describe(obj, kind)}")
        setattr(obj, attr, value)  # the core checks the value (w.grad = 5 is its TypeError)

    # -- expressions -------------------------------------------------------------------
    def _eval(self, node: ast.expr, scope: dict[str, Any]) -> Any:
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
            return self._invoke_op(_UNARY[type(node.op)], operand)
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
                result = self._invoke_op(_COMPARE[type(op)], left, right)
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
            return _Lambda(self, node, scope)
        raise self.reject(f"{type(node).__name__} is not available in the playground")

    def _guard(self, check: Callable[..., Any], *args: Any) -> None:
        """Run a pre-check; a breach becomes RejectedCode at the current line."""
        try:
            check(*args)
        except _Breach as e:
            raise self.reject(str(e)) from None

    def _attribute(self, obj: Any, attr: str) -> Any:
        if isinstance(obj, _Namespace):
            if attr in obj.members:
                return obj.members[attr]
            raise self.reject(f"`{obj.name}.{attr}` is not available in the playground; "
                              f"{obj.name} offers {', '.join(sorted(obj.members))}")
        kind = self._api.kind(obj)
        rule = _RULES.get(kind) if kind else None
        if rule is not None:
            if attr in rule.methods:
                return _Method(obj, attr, rule.methods[attr])
            if attr in rule.attributes or (
                    rule.saved and _SAVED.match(attr) and attr not in self._api.machinery):
                return getattr(obj, attr)
        if not hasattr(obj, attr):  # `w.grad.zero_()` before backward: the student's error, as in Python
            raise AttributeError(f"'{type(obj).__name__}' object has no attribute '{attr}'")
        raise self.reject(f"{_describe(obj, kind)} has no `.{attr}` in the playground.", _offers())

    def _subscript(self, obj: Any, index: Any) -> Any:
        if not isinstance(obj, (list, tuple, np.ndarray, self._api.tensor_type)):
            raise self.reject(f"indexing with [...] works on lists, tuples and tensors, "
                              f"not on {_describe(obj, self._api.kind(obj))}")
        if not (isinstance(index, (int, np.integer)) or (
                isinstance(index, tuple) and all(isinstance(i, (int, np.integer)) for i in index))):
            raise self.reject("indexes must be whole numbers, as in `next_functions[0][0]`")
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
        if isinstance(callee, (_Fn, _Method)):
            return self._invoke(callee, args, kwargs)
        kind = self._api.kind(callee)
        if kind == "grad_fn node":
            raise self.reject("a grad_fn node cannot be called in the playground; "
                              "use backward() or autograd.grad() to run the backward pass")
        if isinstance(callee, (_Namespace, type)) or callable(callee):
            raise self.reject(f"{_describe(callee, kind)} cannot be called in the playground")
        raise TypeError(f"'{type(callee).__name__}' object is not callable")

    def _invoke(self, callee: _Fn | _Method, args: tuple, kwargs: dict) -> Any:
        """The one place a program calls into the core: checks first, then counts."""
        receiver = callee.obj if isinstance(callee, _Method) else None
        if callee.check is not None:
            self._guard(callee.check, receiver, args, kwargs, self._limits)
        function = getattr(receiver, callee.name) if isinstance(callee, _Method) else callee.fn
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
            raise self.reject("strings can only be printed, as in `print(\"loss\", loss)`")
        if isinstance(value, (list, tuple, dict, bytes)):
            raise self.reject(f"arithmetic works on numbers and tensors, not on "
                              f"{_describe(value, None)}; wrap a list in tensor(...) first")

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
        result = self._invoke_op((_INPLACE if inplace else _BINOPS)[type(op)], left, right)
        if type(result) is int and abs(result) > self._limits.number:
            raise self.reject(f"numbers in the playground are at most {self._limits.number:.0e} "
                              "in size; this one is larger")
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
            raise self.reject(f"the program printed more than {self._limits.printed_chars:,} "
                              "characters; print less")
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
            raise self.reject(f"hooks ran inside hooks more than {self._limits.hook_depth} deep "
                              "(does a hook call backward()?)")
        self._statements += 1
        if self._statements > self._limits.statements:
            raise self.reject(f"the program ran more than {self._limits.statements:,} statements; "
                              "make the loops shorter")
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
        return f"a {kind}"
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, _NUMBER):
        return "a number"
    if isinstance(value, (_Fn, _Method)):
        return f"`{value.name}`"
    if isinstance(value, _Namespace):
        return f"`{value.name}`"
    names = {list: "a list", tuple: "a tuple", str: "a string", dict: "a dict",
             np.ndarray: "a numpy array"}
    return names.get(type(value), f"a {type(value).__name__}")


# ---------------------------------------------------------------------------------------
# run(): parse, check, interpret inside a trace.


def run(source: str, *, limits: Limits | None = None) -> Trace:
    """Run a student's program in the safe subset and return its trace.

    Raises `RejectedCode` (a `ValueError`) for code the playground will not run, before
    anything runs when the text itself is the problem, or as soon as a limit is reached.
    Autograd errors become ``error`` events of the trace, as with ``trace(catch_errors=True)``.
    What the program printed is ``trace.printed`` (a list of lines), its warnings
    ``trace.warnings`` (once per line and message), and both in order ``trace.output``.

        >>> run("x = tensor(3.0)\\nprint(x * 2)").printed
        ['tensor(6.)']
    """
    limits = limits or Limits()
    tree, lines = _parse(source, limits)
    _Checker(lines, limits).check(tree)

    import autograd_lab as core

    namespace: dict[str, Any] = {}
    interp = _Interpreter(_core_api(), limits, lines, namespace)
    with warnings.catch_warnings():  # restores the filters and showwarning afterwards
        warnings.simplefilter("always")
        warnings.showwarning = interp.warn
        with core.trace(catch_errors=True, namespace=namespace) as t:
            interp.start(t)
            try:
                interp.exec_module(tree)
            except RejectedCode:
                pass  # not an autograd error: raised below, once the trace is closed
    t.set_source(None)
    if interp.rejected is not None:
        raise interp.rejected
    t.printed = interp.printed().splitlines()
    t.warnings = interp.warnings
    t.output = interp.output()
    return t


# ---------------------------------------------------------------------------------------
# Example programs the widget offers.

EXAMPLES: dict[str, str] = {
    "The classic example": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
b = tensor(1.0, requires_grad=True)
y = w * x          # MulBackward0
z = y + b          # AddBackward0
z.backward()
print(w.grad, b.grad)
""",
    "Gradients accumulate": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
b = tensor(1.0, requires_grad=True)
z = w * x + b
z.backward()
print(w.grad, b.grad)   # 3 and 1
z = w * x + b           # a new graph, the same leaves
z.backward()
print(w.grad, b.grad)   # 6 and 2: added, not replaced
w.grad.zero_()
b.grad.zero_()
""",
    "retain_graph": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
z = w * x
z.backward(retain_graph=True)
z.backward()            # works: the graph was kept
print(w.grad)           # 6
z.backward()            # fails: the graph is freed now
""",
    "Hooks and retain_grad": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
y = w * x
y.retain_grad()
h = y.register_hook(lambda g: g * 2)   # doubles the gradient flowing back
z = y + 1
z.backward()
print(y.grad, w.grad)
""",
    "autograd.grad": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
y = w * x
z = y ** 2
dz_dy, dz_dw = autograd.grad(z, [y, w])
print(dz_dy, dz_dw)
print(w.grad)           # None: autograd.grad does not touch .grad
""",
    "A training step": """\
x = tensor([1.0, 2.0, 3.0, 4.0])
y = tensor([3.0, 5.0, 7.0, 9.0])
w = tensor(0.0, requires_grad=True)
b = tensor(0.0, requires_grad=True)
opt = optim.SGD([w, b], lr=0.02)
for i in range(5):
    opt.zero_grad()
    loss = ((w * x + b - y) ** 2).mean()
    loss.backward()
    opt.step()
    print(f"step {i}: loss {loss.item():.4f}")
print(w, b)
""",
}
DEFAULT_EXAMPLE = "The classic example"


# ---------------------------------------------------------------------------------------
# The widget.

_STYLE = """<style>
.alab-playground .alab-code textarea { font-family: monospace; font-size: 13px; }
.alab-playground .alab-error { color: #b00020; }
.alab-playground .alab-hint { color: #555; font-size: 90%; line-height: 1.4; }
.alab-playground .alab-error pre, .alab-playground .alab-printed pre {
  margin: 2px 0; padding: 4px 6px; background: #f6f6f6; white-space: pre-wrap;
  font-family: monospace; font-size: 13px; }
</style>"""


class Playground(widgets.VBox):
    """Type a program, press Run, watch its trace in a Player.

        >>> Playground()          # doctest: +SKIP
    """

    def __init__(self, source: str | None = None, **kwargs: Any):
        self.trace: Trace | None = None
        self.error: str | None = None

        self._examples = widgets.Dropdown(
            options=[("Load an example...", "")] + [(name, name) for name in EXAMPLES],
            value="", layout=widgets.Layout(width="16em"))
        self._run = widgets.Button(description="Run", icon="play", button_style="primary")
        self._run.add_class("alab-run")
        self._code = widgets.Textarea(
            value=EXAMPLES[DEFAULT_EXAMPLE] if source is None else source,
            placeholder="w = tensor(2.0, requires_grad=True)",
            layout=widgets.Layout(width="auto", height="16em"))
        self._code.add_class("alab-code")
        self._message = widgets.HTML()
        self._printed = widgets.HTML()
        self._printed.add_class("alab-printed")
        self._player = widgets.VBox()
        self._output = widgets.VBox([self._message, self._printed, self._player])

        # -- wiring --
        self._run.on_click(self._on_run_click)
        self._examples.observe(self._on_examples_change, names="value")

        toolbar = widgets.HBox([self._run, self._examples])
        super().__init__([widgets.HTML(_STYLE), toolbar, self._code, self._output], **kwargs)
        self.add_class("alab-playground")

    @property
    def source(self) -> str:
        return self._code.value

    @source.setter
    def source(self, text: str) -> None:
        self._code.value = text

    def load_example(self, name: str) -> None:
        """Put one of EXAMPLES into the code box."""
        self._code.value = EXAMPLES[name]

    def run(self) -> Trace | None:
        """Run the code box (what the Run button does); return the trace, or None if rejected."""
        self._run.disabled = True
        try:
            try:
                trace = run(self._code.value)
            except RejectedCode as e:
                self.trace, self.error = None, str(e)
                self._show_error(e.reason, e.lineno, e.line, e.hint)
                self._printed.value = ""
                self._player.children = ()
                return None
            self.trace = trace
            self.error = None
            self._show_trace_error(trace)
            text = trace.output.rstrip("\n")
            self._printed.value = f"<pre>{html.escape(text)}</pre>" if text else ""
            self._player.children = (self._make_player(trace),)
            return trace
        finally:
            self._run.disabled = False

    # -- handlers --
    def _on_run_click(self, _button: widgets.Button) -> None:
        self.run()

    def _on_examples_change(self, change: dict) -> None:
        if change["new"]:
            self.load_example(change["new"])
            self._examples.value = ""

    # -- display --
    def _show_error(self, reason: str, lineno: int | None, line: str | None, hint: str = "") -> None:
        where = f"<b>line {lineno}</b>: " if lineno else ""
        code = (f"<pre>{lineno:>3} | {html.escape(line)}</pre>" if lineno and line is not None else "")
        hint = f'<div class="alab-hint">{html.escape(hint)}</div>' if hint else ""
        self._message.value = f"<div>{where}{html.escape(reason)}{code}{hint}</div>"
        self._message.add_class("alab-error")

    def _show_trace_error(self, trace: Any) -> None:
        errors = [e for e in trace.events if e.kind == "error"]
        if not errors:
            self._message.value = ""
            self._message.remove_class("alab-error")
            return
        event = errors[-1]
        lineno, line = _event_line(event)
        self._show_error(_event_message(event), lineno, line)

    @staticmethod
    def _make_player(trace: Any) -> widgets.Widget:
        try:
            player_class = _player_class()
        except ImportError as e:  # the code box, printed text and errors still work
            return widgets.HTML(f"<i>The player could not be loaded ({html.escape(str(e))}); "
                                f"the program recorded {len(trace.events)} events.</i>")
        return player_class(trace)


def _player_class() -> type:
    """autograd_lab.Player, imported only when a trace is to be shown."""
    from autograd_lab.player import Player

    return Player


def _event_line(event: Any) -> tuple[int | None, str | None]:
    """The playground line an event came from (its source is (file, line, text))."""
    source = getattr(event, "source", None)
    if source is None or source.file != FILENAME:
        return None, None
    return source.line, source.text


def _event_message(event: Any) -> str:
    return f"{event.error}: {event.message}" if event.error else str(event.message)
