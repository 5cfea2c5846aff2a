"""What a reader would call each tensor of a trace: the names the student's own code gives it.

A ``Namer`` collects candidate names while a trace runs and turns them into one unique name per
tensor when asked (``resolve``). Candidates, best first (``RANK``):

0. a variable of the traced block: ``w`` (its locals, or an assignment ``y = w * x`` in its code);
1. a path through the user's containers from the traced block's variables (breadth-first,
   bounded): ``xs[2]``, ``layers[1][15][16]``, ``params["w"]``, ``n.w[0]``, ``model[0].weight``;
2. a variable of another function of the user's (``out = act.tanh()`` inside a method);
3. an attribute or item the result was assigned to: ``self.out``, ``ys[i]``;
4. the expression the op computed, from the source line: ``w * x``, ``(w * x + b).relu()``;
5. an op done inside a call of that line: ``mse_loss(p, y) › sub``.

A name given to several tensors (a variable rebound in a loop, an expression computed on every
iteration) is told apart by the order the tensors appeared: ``y``, ``y #2``, ``y #3``. The first
keeps the plain name: it reads as the code, and a name given while the trace runs stays as the
trace grows (unless a better candidate turns up later, e.g. the block's variable found at its end).
``y #2`` ("y, number 2") rather than ``y (2)``, which reads as Python: a call ``y(2)``, and after an
expression worse (``wi * xi (30)`` reads as ``wi * xi(30)``); ``#`` cannot be part of an expression.
Not ``y@line 7, iteration 2``: long in a picture's node, the line is in the table and the narration
anyway, and nested loops have no one iteration number; the count says which value of ``y`` it is, in
the order the student sees the values made.
A tensor with no candidate has no name; the viewer's last resort is ``t<id>``.

Expressions are found with ``ast``: the instruction that ran the op (``frame.f_lasti``) has
column positions (``code.co_positions()``), which pick out its node of the parsed source.
Without source (``exec`` of a string) or positions, the op simply has no expression name.

Used by ``record.events.Trace``; another recorder (of real PyTorch) uses it the same way, with
its own int keys (``id(tensor)`` while the tensors live)::

    namer = Namer(trace_code=block_frame.f_code)    # matches=None: every op is its line's expression
    namer.site(key, f.f_code, f.f_lasti, op, input_keys)    # per op, f the user's frame, in order
    namer.variables(f.f_locals, key, is_tensor, rank=0)     # any time: flat, cheap (optional)
    namer.scan_frame(block_frame, key, is_tensor)   # at the end: bounded breadth-first search
    namer.name_for(key)                             # -> 'w', 'y #2', 'model[0].weight', 'w * x', None
    names, exprs, full = namer.resolve(keys_in_order)   # all at once (full: unshortened texts)
"""
from __future__ import annotations

import ast
import functools
import itertools
import linecache
import os
import re
import sys
import types
from array import array
from collections import deque

__all__ = ["Namer", "numbered", "scan", "expression_at", "shorten", "RANK", "MAX_LEN", "receiver", "binop", "method_call",
           "operand", "precedence", "assignment", "augmented", "is_call_of"]

RANK = {"local": 0, "path": 1, "inner": 2, "target": 3, "expr": 4, "inside": 5}
MAX_LEN = 24             # an expression name longer than this is shortened with an ellipsis
MAX_DEPTH = 8            # scan: steps from a variable (model.layers[0].neurons[1].w[2] is 6)
MAX_OBJECTS = 50_000     # scan: objects visited at most
_SKIP_ROOTS = {"In", "Out", "exit", "quit", "get_ipython"}  # IPython's history and helpers

# ---------------------------------------------------------------------------------------------
# Expressions


class _FileIndex:
    """The parsed source of one file: expression nodes by position, and what each is assigned to."""

    __slots__ = ("nodes", "targets", "unpacked")

    def __init__(self, tree):
        self.nodes: dict = {}    # (line, col, end_line, end_col) -> node (the outermost one)
        self.targets: dict = {}  # id(node) -> (target text, is a plain name)
        self.unpacked: dict = {}  # id(node) -> the names its values are unpacked into (``q, k, v = ...``)
        for node in ast.walk(tree):
            if isinstance(node, ast.expr):
                self.nodes.setdefault(_pos(node), node)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                if isinstance(target, (ast.Tuple, ast.List)) and target.elts and all(
                        isinstance(t, ast.Name) for t in target.elts):
                    self.unpacked[id(node.value)] = tuple(t.id for t in target.elts)
                if isinstance(target, (ast.Name, ast.Attribute, ast.Subscript)):
                    text = ast.unparse(target)
                    if isinstance(node, ast.AugAssign):  # `y += w`: the instruction spans the statement
                        self.nodes[_pos(node)] = node
                        self.targets[id(node)] = (text, isinstance(target, ast.Name))
                    else:
                        self.targets[id(node.value)] = (text, isinstance(target, ast.Name))
            elif isinstance(node, ast.NamedExpr):
                self.targets[id(node.value)] = (node.target.id, True)


def _pos(node):
    return (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)


_files: dict = {}   # filename -> (source text, _FileIndex or None)


def _file_index(filename: str):
    lines = linecache.getlines(filename)
    if not lines:
        return None
    text = "".join(lines)
    hit = _files.get(filename)
    if hit is not None and hit[0] == text:
        return hit[1]
    try:
        index = _FileIndex(ast.parse(text))
    except (SyntaxError, ValueError, RecursionError):
        index = None
    if len(_files) > 256:
        _files.clear()
    _files[filename] = (text, index)
    return index


# What each kind of expression node calls on a tensor (matched against the op's methods).
_BINOP = {ast.Add: ("__add__", "__radd__", "__iadd__"), ast.Sub: ("__sub__", "__rsub__", "__isub__"),
          ast.Mult: ("__mul__", "__rmul__", "__imul__"), ast.Div: ("__truediv__", "__rtruediv__", "__itruediv__"),
          ast.Pow: ("__pow__", "__rpow__"), ast.MatMult: ("__matmul__", "__rmatmul__")}
_UNARY = {ast.USub: ("__neg__",), ast.UAdd: ("__pos__",)}
_CMP = {ast.Lt: "__lt__", ast.LtE: "__le__", ast.Gt: "__gt__", ast.GtE: "__ge__", ast.Eq: "__eq__",
        ast.NotEq: "__ne__"}


def _calls(node) -> tuple:
    """The method or function names evaluating ``node`` itself calls (not its sub-expressions)."""
    if isinstance(node, ast.BinOp):
        return _BINOP.get(type(node.op), ())
    if isinstance(node, ast.AugAssign):
        return _BINOP.get(type(node.op), ())
    if isinstance(node, ast.UnaryOp):
        return _UNARY.get(type(node.op), ())
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        return (_CMP.get(type(node.ops[0]), ""),)
    if isinstance(node, ast.Subscript):
        return ("__getitem__",)
    if isinstance(node, ast.Attribute):
        return (node.attr,)
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Attribute):
            return (f.attr,)
        if isinstance(f, ast.Name):
            return (f.id,)
    return ()


class Site:
    """What the source says about one instruction: its expression (short and full), the names it
    calls, and the variable or target its value is assigned to (if the whole value)."""

    __slots__ = ("short", "full", "calls", "target", "plain", "unpack")

    def __init__(self, short, full, calls, target, plain, unpack=None):
        self.short, self.full, self.calls, self.target, self.plain = short, full, calls, target, plain
        self.unpack = unpack  # the names its values are unpacked into, in order (``q, k, v = x.chunk(3)``)


_positions: dict = {}  # code -> its instructions' positions (the code objects are kept alive)


def expression_at(code, lasti: int):
    """The ``Site`` of the instruction at byte offset ``lasti`` of ``code``, or None (no source,
    no positions, or the instruction is not an expression of the source)."""
    try:
        positions = _positions.get(code)
        if positions is None:
            if len(_positions) > 1024:
                _positions.clear()
            positions = _positions[code] = tuple(code.co_positions())
        pos = positions[lasti // 2]
    except (IndexError, AttributeError, ValueError):
        return None
    line, end_line, col, end_col = pos
    if None in pos:
        return None
    index = _file_index(code.co_filename)
    if index is None:
        return None
    node = index.nodes.get((line, col, end_line, end_col))
    if node is None:
        return None
    target, plain = index.targets.get(id(node), (None, False))
    if isinstance(node, ast.AugAssign):
        full = f"{ast.unparse(node.target)} {_OPSYM.get(type(node.op), '?')}= {ast.unparse(node.value)}"
    else:
        full = ast.unparse(node)
    return Site(shorten(node, full), full, _calls(node), target, plain, index.unpacked.get(id(node)))


_OPSYM = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.MatMult: "@",
          ast.FloorDiv: "//", ast.Mod: "%"}


def shorten(node, text: str | None = None, limit: int = MAX_LEN) -> str:
    """``node``'s source in at most about ``limit`` characters: the outer structure is kept and
    the deeper parts become ``…`` (``(w * x + b).relu()`` stays whole; a long one reads
    ``(… * … + b).tanh()``, ``sum(…)``); short names are kept whole."""
    text = ast.unparse(node) if text is None else text
    if len(text) <= limit:
        return text
    if isinstance(node, ast.Call) and _dotted(node.func):  # torch.nn.functional.mse_loss(…) -> mse_loss(…)
        node = ast.Call(func=ast.Name(id=node.func.attr), args=node.args, keywords=node.keywords)
        short = ast.unparse(node)
        if len(short) <= limit:
            return short
    for depth in range(6, -1, -1):
        try:
            out = ast.unparse(_cut(node, 0, depth))
        except (ValueError, TypeError, RecursionError):
            break
        if len(out) <= limit or depth == 0:
            if len(out) <= limit + 2:
                return out
            break
    if isinstance(node, ast.Call):
        out = ast.unparse(node.func) + "(…)"
        if len(out) <= limit + 2:
            return out
    return text[:limit - 1].rstrip() + "…"


_ELLIPSIS = "…"


def _dotted(node) -> bool:
    """``a.b.c``: an attribute of a dotted name (a module's function, most often)."""
    if not isinstance(node, ast.Attribute):
        return False
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _cut(node, depth: int, keep: int):
    """A copy of ``node`` with the sub-expressions deeper than ``keep`` replaced by ``…`` (a
    call's function, and short names and numbers, do not count as deeper)."""
    if (isinstance(node, ast.Name) and len(node.id) <= 12
            or isinstance(node, ast.Constant) and len(repr(node.value)) <= 8):
        return node
    if depth > keep:
        return ast.Name(id=_ELLIPSIS)
    if isinstance(node, ast.Call):
        args = [_cut(a, depth + 1, keep) for a in node.args]
        kws = [ast.keyword(arg=k.arg, value=_cut(k.value, depth + 1, keep)) for k in node.keywords]
        if (args or kws) and all(isinstance(a, ast.Name) and a.id == _ELLIPSIS for a in args + [k.value for k in kws]):
            args, kws = [ast.Name(id=_ELLIPSIS)], []
        return ast.Call(func=_cut(node.func, depth, keep), args=args, keywords=kws)
    if isinstance(node, ast.Attribute):
        return ast.Attribute(value=_cut(node.value, depth, keep), attr=node.attr, ctx=ast.Load())
    new = node.__class__()
    for name, value in ast.iter_fields(node):
        if isinstance(value, ast.expr):
            value = _cut(value, depth + 1, keep)
        elif isinstance(value, list):
            value = [_cut(v, depth + 1, keep) if isinstance(v, ast.expr) else v for v in value]
        setattr(new, name, value)
    return new


# ---------------------------------------------------------------------------------------------
# Code composed from names: the narration writes `(y * y).grad_fn`, `(a * 2).sum()`, `a ** 3`

_TIGHTEST = 16   # a name, a call, an attribute, an item: binds as tightly as `.` itself
_BIN_PREC = {ast.Add: 11, ast.Sub: 11, ast.Mult: 12, ast.Div: 12, ast.FloorDiv: 12, ast.Mod: 12, ast.MatMult: 12,
             ast.Pow: 14, ast.BitOr: 7, ast.BitXor: 8, ast.BitAnd: 9, ast.LShift: 10, ast.RShift: 10}
_SYM_PREC = {"+": 11, "-": 11, "*": 12, "/": 12, "//": 12, "%": 12, "@": 12, "**": 14}
NUMBERED = re.compile(r" #\d+$")   # `y #2`: the second value bound to y (see Namer.resolve, numbered)


def numbered(base: str, n: int) -> str:
    """The name of the ``n``-th tensor called ``base``: ``y #2``, ``wi * xi #30`` (the first is ``base`` alone)."""
    return f"{base} #{n}"


def _parsed(name: str):
    """The expression ``name`` reads as (``…`` as a name; a number suffix ``y #2`` dropped), or None."""
    try:
        return ast.parse(NUMBERED.sub("", name).replace(_ELLIPSIS, "_"), mode="eval").body
    except (SyntaxError, ValueError):
        return None


def precedence(name: str) -> int:
    """How tightly ``name``, read as Python, binds: ``y`` and ``v.sum(0)`` as tightly as ``.``;
    ``w * x`` as ``*``; a text that is not Python (``loss › sub``) counts as one word. A numbered name
    (``y #2``) binds loosest: composed, it is bracketed as one (``(y #2) * w``, ``(y #2).grad_fn``)."""
    if NUMBERED.search(name):
        return 0
    node = _parsed(name)
    if node is None or isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call, ast.List, ast.Tuple,
                                         ast.Dict, ast.Set)):
        return _TIGHTEST
    if isinstance(node, ast.Constant):  # `3.grad_fn` would not read: a number is bracketed before `.`
        return _TIGHTEST if isinstance(node.value, str) else _TIGHTEST - 1
    if isinstance(node, ast.BinOp):
        return _BIN_PREC.get(type(node.op), 0)
    if isinstance(node, ast.UnaryOp):
        return 5 if isinstance(node.op, ast.Not) else 13
    if isinstance(node, ast.Compare):
        return 6
    if isinstance(node, ast.BoolOp):
        return 4 if isinstance(node.op, ast.And) else 3
    return 0  # if-else, lambda, :=


def receiver(name: str) -> str:
    """``name`` before ``.attr`` or ``.method()``: ``(y * y)`` for an expression, ``y`` for a name."""
    return name if precedence(name) >= _TIGHTEST else f"({name})"


def binop(left: str, sym: str, right: str) -> str:
    """``left sym right`` with the brackets Python needs: ``(a + b) * c``, ``a - (b - c)``, ``(-a) ** 2``."""
    p = _SYM_PREC.get(sym, 0)
    right_assoc = sym == "**"
    lp, rp = precedence(left), precedence(right)
    if lp < p or (right_assoc and lp == p):
        left = f"({left})"
    if rp < p or (not right_assoc and rp == p):
        right = f"({right})"
    return f"{left} {sym} {right}"


def method_call(on: str, method: str, args=()) -> str:
    """``on.method(args)``: ``(a * 2).sum()``, ``v.sum(0)``."""
    return f"{receiver(on)}.{method}(" + ", ".join(args) + ")"


def operand(expression: str, j: int) -> str | None:
    """The source of operand ``j`` of ``expression``'s outermost operation, as the op's inputs count
    them: ``a ** 3`` -> 0: ``a``, 1: ``3``; ``e.mul_(3)`` -> 1: ``3``; None if it has no such operand."""
    node = _parsed(expression)
    if isinstance(node, ast.BinOp):
        parts = [node.left, node.right]
    elif isinstance(node, ast.UnaryOp):
        parts = [node.operand]
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        parts = [node.func.value, *node.args]
    else:
        return None
    if not 0 <= j < len(parts) or _ELLIPSIS in expression and "_" in ast.unparse(parts[j]):
        return None
    return ast.unparse(parts[j])


@functools.lru_cache(maxsize=1024)
def assignment(line: str) -> tuple:
    """``s = (a * 2).sum()`` -> ("s", "(a * 2).sum()"); (None, None) for any other statement."""
    try:
        body = ast.parse(line.strip()).body
    except (SyntaxError, ValueError):
        return None, None
    if len(body) != 1 or not isinstance(body[0], ast.Assign) or len(body[0].targets) != 1:
        return None, None
    return ast.unparse(body[0].targets[0]), ast.unparse(body[0].value)


@functools.lru_cache(maxsize=1024)
def augmented(line: str) -> str | None:
    """``e += 2`` -> ``e + 2`` (what the in-place op computes, as an expression); None otherwise."""
    try:
        body = ast.parse(line.strip()).body
    except (SyntaxError, ValueError):
        return None
    if len(body) != 1 or not isinstance(body[0], ast.AugAssign):
        return None
    node = body[0]
    return ast.unparse(ast.BinOp(left=node.target, op=node.op, right=node.value))


@functools.lru_cache(maxsize=1024)
def is_call_of(line: str, op: str) -> bool:
    """Is ``line`` one call of method ``op`` (``e.mul_(3)``, for op ``mul_`` or ``mul``)?"""
    try:
        body = ast.parse(line.strip()).body
    except (SyntaxError, ValueError):
        return False
    call = body[0].value if len(body) == 1 and isinstance(body[0], ast.Expr) else None
    return (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr.rstrip("_") == op.rstrip("_"))


# ---------------------------------------------------------------------------------------------
# Containers


def _path_item(path: str, key) -> str | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return f"{path}[{key}]"
    if isinstance(key, str):
        return f"{path}[{key!r}]" if '"' in key else f'{path}["{key}"]'
    return None


_NOT_USER = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
             types.GeneratorType, types.CodeType, types.FrameType)
_LIB_DIRS = tuple({os.path.realpath(p) + os.sep for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})
_user_types: dict = {}


def _is_user_class(cls) -> bool:
    """A class of the user's own code (its objects are searched): not the standard library's, not
    an installed package's (widgets, figures), not autograd_lab's."""
    hit = _user_types.get(cls)
    if hit is None:
        mod = getattr(cls, "__module__", "") or ""
        if mod == "__main__":
            hit = True
        elif mod.split(".")[0] in ("autograd_lab", "builtins", "torch", "numpy"):
            hit = False
        else:
            f = getattr(sys.modules.get(mod), "__file__", None)
            hit = bool(f) and not os.path.realpath(f).startswith(_LIB_DIRS)
            if not f and mod not in sys.modules:  # a class made by exec in a notebook cell
                hit = True
        _user_types[cls] = hit
    return hit


def _children(obj, path: str):
    """(path, child) of the parts of ``obj`` a reader reaches by writing an index or attribute."""
    t = type(obj)
    if t is list or t is tuple:
        return [(f"{path}[{i}]", v) for i, v in enumerate(obj[:MAX_OBJECTS])]
    if t is dict:
        out = []
        for k, v in itertools.islice(obj.items(), MAX_OBJECTS):
            p = _path_item(path, k)
            if p is not None:
                out.append((p, v))
        return out
    if isinstance(obj, _NOT_USER):
        return ()
    if isinstance(obj, (list, tuple)):  # subclasses (a namedtuple, a user's list): their items
        return _children(list(obj), path)
    if isinstance(obj, dict):
        return _children(dict(obj), path)
    try:
        d = object.__getattribute__(obj, "__dict__")
    except (AttributeError, TypeError):
        return ()
    if type(d) is not dict:
        return ()
    mods, params = d.get("_modules"), d.get("_parameters")
    if isinstance(mods, dict) and isinstance(params, dict):  # an nn.Module (torch's layout)
        out = [(f"{path}.{k}", v) for k, v in params.items() if v is not None]
        out += [(f"{path}.{k}", v) for k, v in (d.get("_buffers") or {}).items() if v is not None]
        for k, v in mods.items():
            if v is not None:
                out.append((f"{path}[{k}]" if k.isdigit() else f"{path}.{k}", v))
        out += [(f"{path}.{k}", v) for k, v in d.items() if not k.startswith("_") and k != "training"]
        return out
    if not _is_user_class(t):
        return ()
    return [(f"{path}.{k}", v) for k, v in d.items() if not k.startswith("_")]


def scan(roots, is_tensor, max_depth: int = MAX_DEPTH, max_objects: int = MAX_OBJECTS, grad_of=None):
    """Breadth-first from ``roots`` (name, object pairs): yield (path, tensor) for every tensor
    reached through lists, tuples, dicts, the user's objects and nn-style modules (and, with
    ``grad_of(tensor)``, a tensor's ``.grad``), the shortest path first. Visits each object once
    and at most ``max_objects`` objects."""
    seen: set = set()
    queue = deque()
    for name, v in roots:
        if name.startswith("_") or name in _SKIP_ROOTS:
            continue
        queue.append((name, v, 0))
    visited = 0
    while queue and visited < max_objects:
        path, obj, depth = queue.popleft()
        i = id(obj)
        if i in seen:
            continue
        seen.add(i)
        visited += 1
        if is_tensor(obj):
            yield path, obj
            g = grad_of(obj) if grad_of is not None else None
            if g is not None and id(g) not in seen:
                queue.append((path + ".grad", g, depth + 1))
            continue
        if depth >= max_depth or obj is None or type(obj) in (int, float, str, bool, bytes, complex):
            continue
        if len(queue) > max_objects:  # enough waiting already: look no deeper
            continue
        for p, v in _children(obj, path):
            if id(v) not in seen and v is not None:
                queue.append((p, v, depth + 1))


# ---------------------------------------------------------------------------------------------
# The namer


def _self_resolved(info: Site, var: str, name: str) -> Site:
    """``info`` with a forward's ``self`` (``var``) written as the module's name."""
    pat = re.compile(rf"\b{re.escape(var)}\b")

    def sub(text):
        return pat.sub(name, text) if text else text
    target = info.target if info.plain else sub(info.target)
    return Site(sub(info.short), sub(info.full), info.calls, target, info.plain, info.unpack)


class Namer:
    """Candidate names per tensor key, resolved into unique names (see the module docstring)."""

    def __init__(self, trace_code=None, matches=None):
        self.trace_code = trace_code   # the traced block's code: its assignments name at rank 0
                                       # (None: any module-level code, as when a namespace is traced)
        self.matches = matches         # (op, calls) -> bool: did this op evaluate the node itself?
        self.cands: dict = {}          # key -> (rank, order, name, full)
        self._keys = array("q")         # the tensor each op made, in the order the ops ran ...
        self._sids = array("i")         # ... and its site: an index in _site_list
        self._site_list: list = []      # (code, lasti, op, whole: the op computes the expression itself)
        self._site_of: dict = {}        # (id(code), lasti, op) -> (index in _site_list, whole)
        self._inputs: dict = {}         # op index -> its inputs, for ops that are not the whole expression
        self._partial: set = set()      # (id(code), lasti) of the instructions that ran such an op
        self._inner: set = set()        # keys of tensors made inside one call that the user never had
        self._run = (-2, None, 0, 0)       # (op index, site, position) of the last op of an unpacked site
        self._done = 0                  # ops already looked at by _from_sites
        self._exprs: list = []          # (key, node, target) told by ``expression``, not yet looked at
        self._cache = None              # (version, key -> name) for name_for
        self._infos: dict = {}          # (id(code), lasti) -> Site or None
        self._codes: dict = {}          # id(code) -> code: keeps the ids of those keys valid
        self._order = 0
        self.version = 0               # changes when a candidate or a site is added
        self.fixed: dict = {}          # key -> the name of a tensor made inside a module call that is not
        #                                the call's value (record/modules.py): its line's names are not its
        self.self_of: dict = {}        # key -> (the forward's ``self`` parameter, the module's name): an op
        #                                of a module's forward reads ``block.attn.qkv(x)``, not ``self.qkv(x)``

    def fix(self, key, name: str) -> None:
        """``key`` is a tensor made inside a module call that is not that call's value (``net[0]
        output``, ``net[0].weight.T``): named so, not by the line that made the call (whose
        assignment names the call's value)."""
        self.fixed[key] = name
        self.cands[key] = (RANK["target"], self._order, name, None)
        self._order += 1
        self.version += 1

    def offer(self, key, name: str, rank: int, full: str | None = None) -> None:
        """A candidate ``name`` for ``key``; the best rank wins, the first offered among equals."""
        old = self.cands.get(key)
        if old is None or rank < old[0]:
            self._order += 1
            self.cands[key] = (rank, self._order, name, full)
            self.version += 1

    def site(self, key: int, code, lasti: int, op=None, inputs=(), inner=False) -> None:
        """Tensor ``key`` (an int) was made by the instruction at ``lasti`` of ``code`` (by ``op``;
        None: a tensor creation such as ``tensor(...)``), from tensors ``inputs``. Cheap (about 12
        bytes an op): the source is looked at in ``resolve``, once per instruction. ``inner``: the op
        made a tensor the user never had (a node inside one torch call): never the line's value."""
        if inner:
            self._inner.add(key)
        sk = (id(code), lasti, op)
        hit = self._site_of.get(sk)
        if hit is None:
            self._codes[id(code)] = code
            whole = op is None or self.matches is None  # (a creation: no source read while recording)
            if not whole:
                info = self._site(code, lasti)
                whole = info is None or self.matches(op, info.calls)
            hit = self._site_of[sk] = (len(self._site_list), whole)
            self._site_list.append((code, lasti, op, whole))
        if inputs:  # inputs matter only where an op ran inside a call (_from_sites): that op's, and
            #         those of the ops after it at the same instruction (cross_entropy uses log_softmax's)
            if not hit[1]:
                self._partial.add((id(code), lasti))
                self._inputs[len(self._keys)] = inputs
            elif self._partial and (id(code), lasti) in self._partial:
                self._inputs[len(self._keys)] = inputs
        self._keys.append(key)
        self._sids.append(hit[0])
        self.version += 1

    def expression(self, key, node, target=None) -> None:
        """Tensor ``key`` is the value of expression ``node`` of the traced block (an interpreter
        that walks the syntax tree itself tells this), assigned to ``target`` (a node) if given.
        Looked at when names are resolved, as the sites of code run directly are: the block's
        variables offered before then (at its end, a rebound ``z``'s current value) come first."""
        self._exprs.append((key, node, target))
        self.version += 1

    def _from_expressions(self) -> None:
        exprs, self._exprs = self._exprs, []
        for key, node, target in exprs:
            self._expression(key, node, target)

    def _expression(self, key, node, target) -> None:
        if target is not None and isinstance(target, (ast.Name, ast.Attribute, ast.Subscript)):
            self.offer(key, ast.unparse(target), RANK["local"] if isinstance(target, ast.Name) else RANK["target"])
        if isinstance(node, ast.AugAssign):
            return
        full = ast.unparse(node)
        short = shorten(node, full)
        self.offer(key, short, RANK["expr"], full if full != short else None)

    def _is_block(self, code) -> bool:
        """Is ``code`` the traced block's own (its assignments name at rank 0)?"""
        block = self.trace_code
        return code is block if block is not None else code.co_name == "<module>"

    def variables(self, namespace: dict, key, is_tensor, rank: int = 0) -> None:
        """Offer every public variable of ``namespace`` holding a tensor (no search inside containers)."""
        for k, v in list(namespace.items()):
            if is_tensor(v) and not k.startswith("_"):
                self.offer(key(v), k, rank)

    def scan(self, roots, key, is_tensor, **limits) -> None:
        """Offer the paths through the user's containers (``scan``) from ``roots`` (name, object)."""
        for path, t in scan(roots, is_tensor, **limits):
            self.offer(key(t), path, RANK["local"] if "." not in path and "[" not in path else RANK["path"])

    def scan_frame(self, frame, key, is_tensor, namespace: dict | None = None, **limits) -> None:
        """At the end of a traced block: offer its variables (``frame``'s locals, or ``namespace``)
        and the paths through its containers (locals, then the module's globals)."""
        if namespace is not None:
            roots = list(namespace.items())
        else:
            roots = list(frame.f_locals.items())
            if frame.f_globals is not frame.f_locals:
                roots += list(frame.f_globals.items())
        self.scan(roots, key, is_tensor, **limits)

    def name_for(self, key, order=()) -> str | None:
        """The unique name of tensor ``key`` (a variable, path, target or expression), or None: the
        one call a recorder needs once it has reported sites and scanned (``order``: keys in the
        order the tensors appeared, if known; numbering follows it)."""
        cached = self._cache
        if cached is None or cached[0] != self.version:
            names, exprs, _ = self.resolve(order)
            cached = self._cache = (self.version, {**exprs, **names})
        return cached[1].get(key)

    def _site(self, code, lasti: int):
        key = (id(code), lasti)
        hit = self._infos.get(key, 0)
        if hit == 0:
            self._codes[id(code)] = code
            hit = self._infos[key] = expression_at(code, lasti)
        return hit

    def _from_sites(self) -> None:
        keys, sids, sites, inputs = self._keys, self._sids, self._site_list, self._inputs
        last_use: dict = {}  # (input key, instruction) -> index of the last op of that instruction using it
        used_on_line: set = set()  # (input key, code, line): a value another op of that line uses
        for i, ins in inputs.items():  # (any op of the instruction: log_softmax's value is cross_entropy's input)
            code, lasti = sites[sids[i]][:2]
            line = _line_of(code, lasti)
            for k in ins:
                last_use[(k, id(code), lasti)] = i
                used_on_line.add((k, id(code), line))
        offer, fixed, self_of = self.offer, self.fixed, self.self_of
        for i in range(self._done, len(keys)):
            key, sid = keys[i], sids[i]
            if key in fixed:
                continue
            code, lasti, op, whole = sites[sid]
            info = self._site(code, lasti)
            if info is None:
                continue
            if key in self_of:
                info = _self_resolved(info, *self_of[key])
            if (info.unpack is not None and (whole or op in info.calls) and key not in self._inner
                    and (key, id(code), _line_of(code, lasti)) not in used_on_line):
                # ``q, k, v = x.chunk(3)``: its n-th value in a row is the n-th name (a value the line
                # uses again is not one of them: ``a, b = w * x`` iterates the product)
                last, last_sid, n, size = self._run
                if last == i - 1 and last_sid == sid:
                    n += 1
                else:  # a new run: how many values it makes (as many as names, or the unpacking failed)
                    n, j = 0, i + 1
                    while j < len(keys) and sids[j] == sid:
                        j += 1
                    size = j - i
                self._run = (i, sid, n, size)
                if size == len(info.unpack):  # (``a, b = w @ x`` of one 0-d value raised: no name)
                    offer(key, info.unpack[n], RANK["local"] if self._is_block(code) else RANK["inner"])
            if key in self._inner or (not whole and last_use.get((key, id(code), lasti), -1) > i):
                # an op inside a call of this line whose result the call uses again: not its value
                offer(key, f"{info.short} › {op}", RANK["inside"], f"{info.full} › {op}")
                continue
            if info.target is not None:
                if info.plain:
                    offer(key, info.target, RANK["local"] if self._is_block(code) else RANK["inner"])
                else:
                    offer(key, info.target, RANK["target"])
            offer(key, info.short, RANK["expr"], info.full if info.full != info.short else None)
        self._done = len(keys)

    def resolve(self, order=()):
        """Unique names: (names, expressions, full) dicts from key. ``names``: what the user's
        variables, containers and assignments call the tensor; ``expressions``: the others,
        named by their expression; ``full``: the unshortened text where a name was shortened.
        ``order``: keys in the order the tensors appeared (numbering follows it)."""
        if self._done < len(self._keys):
            self._from_sites()
        if self._exprs:
            self._from_expressions()
        names, exprs, full = {}, {}, {}
        used: set = set()
        count: dict = {}
        cands = self.cands
        keys = list(dict.fromkeys(k for k in order if k in cands))
        inorder = set(keys)  # (of tensors never shown, only the block's variables are named)
        keys += [k for k in cands if k not in inorder and (not order or cands[k][0] == RANK["local"])]
        for k in keys:
            rank, _, base, long = cands[k]
            name, n = base, 1
            if name in used:
                n = count.get(base, 1)
                while name in used:
                    n += 1
                    name = numbered(base, n)
                count[base] = n
            used.add(name)
            (names if rank <= RANK["target"] else exprs)[k] = name
            if long is not None:
                full[k] = long if name == base else numbered(long, n)
        return names, exprs, full


_LINES: dict = {}  # id(code) -> (code, the line of each instruction)


def _line_of(code, lasti: int):
    """The source line of instruction ``lasti`` of ``code`` (cached per code object)."""
    if code is None or lasti is None:
        return None
    hit = _LINES.get(id(code))
    if hit is None or hit[0] is not code:
        hit = _LINES[id(code)] = (code, [p[0] for p in code.co_positions()])
    lines = hit[1]
    i = lasti // 2
    return lines[i] if 0 <= i < len(lines) else None
