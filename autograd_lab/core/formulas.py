"""Each backward node's chain-rule formula, declared once as data (PyTorch's ``derivatives.yaml`` in spirit).

A formula says, per input the node sends a gradient to (in ``next_functions`` order), how that
gradient is made from ``grad`` (the gradient the node receives), the op's saved values under
PyTorch's names (``self``, ``other``, ``mat2``, ``result``, ``exponent``, ``dim`` ... exactly the
node's ``_saved_<name>`` attributes) and numbers::

    @derivatives(self="grad * other", other="grad * self")
    class MulBackward0(Function): ...

    @no_formula("scatters grad back into the indexed positions: a placement, not arithmetic")
    class IndexBackward0(Function): ...

The expressions are a tiny language that can be both EVALUATED (numpy, on recorded values:
``evaluate``) and RENDERED (text with the student's names, then with the numbers: ``render``):
numbers, names, ``+ - * / @ ^``, comparisons (``> >= < <= ==``, giving 1 or 0), unary minus,
``x.T`` (the last two dimensions swapped) and calls of the functions in ``FUNCTIONS``.

Broadcasting: a formula gives the gradient in the shape of the op's result; where an input was
broadcast, the gradient is then summed back to the input's shape (``sum_to``). PyTorch does that
sum in its engine (``validate_outputs``), not in the formulas, and so do these: ``sent`` applies it.

The table is keyed by node name, so the core's nodes (named as PyTorch names them) and real
torch's nodes share it; nodes only real torch makes (``GeluBackward0``, ``NativeLayerNormBackward0``,
``ConvolutionBackward0`` ...) are declared at the end of this module. ``lookup(name)`` gives a
``Formula``, a ``NoFormula`` (declared, with the reason) or None (not in the table).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

__all__ = ["Formula", "NoFormula", "derivatives", "no_formula", "lookup", "parse", "evaluate", "render",
           "sent", "key", "TABLE", "FUNCTIONS", "Missing"]


# ---------------------------------------------------------------------------- the expression language
_TOKEN = re.compile(r"\s*(?:(\d+\.\d*|\d*\.\d+|\d+(?:e-?\d+)?)"      # a number
                    r"|([A-Za-z_][A-Za-z_0-9]*)"                     # a name
                    r"|(>=|<=|==|\.T\b|[-+*/@^(),<>]))")              # an operator
_BINARY = {"==": 1, ">": 1, ">=": 1, "<": 1, "<=": 1, "+": 2, "-": 2, "*": 3, "/": 3, "@": 3, "^": 5}
_UNARY_PREC = 4
_COMPARE = frozenset(("==", ">", ">=", "<", "<="))


def parse(src: str):
    """An expression's tree: ('num', v) | ('name', s) | ('bin', op, a, b) | ('neg', a) | ('T', a)
    | ('call', f, args)."""
    toks, pos = [], 0
    src = src.strip()
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if not m or m.end() == pos:
            raise SyntaxError(f"cannot read {src[pos:]!r} in formula {src!r}")
        num, name, op = m.groups()
        toks.append(("num", float(num)) if num is not None else ("name", name) if name is not None else ("op", op))
        pos = m.end()
    at = [0]

    def peek():
        return toks[at[0]] if at[0] < len(toks) else ("end", None)

    def take(kind=None, value=None):
        t = peek()
        if (kind and t[0] != kind) or (value is not None and t[1] != value):
            raise SyntaxError(f"expected {value or kind} at {t!r} in formula {src!r}")
        at[0] += 1
        return t

    def expr(min_prec):
        t = peek()
        if t == ("op", "-"):
            take()
            left = ("neg", expr(_UNARY_PREC))
        else:
            left = atom()
        while True:
            t = peek()
            if t[0] != "op" or t[1] not in _BINARY or _BINARY[t[1]] < min_prec:
                return left
            op = take()[1]
            prec = _BINARY[op]
            right = expr(prec if op == "^" else prec + 1)  # ^ is right-associative
            left = ("bin", op, left, right)

    def atom():
        kind, v = take()
        if kind == "num":
            node = ("num", v)
        elif kind == "name":
            if peek() == ("op", "("):
                take()
                args = [expr(0)]
                while peek() == ("op", ","):
                    take()
                    args.append(expr(0))
                take("op", ")")
                node = ("call", v, tuple(args))
            else:
                node = ("name", v)
        elif (kind, v) == ("op", "("):
            node = expr(0)
            take("op", ")")
        else:
            raise SyntaxError(f"unexpected {v!r} in formula {src!r}")
        while peek() == ("op", ".T"):
            take()
            node = ("T", node)
        return node

    tree = expr(0)
    if peek()[0] != "end":
        raise SyntaxError(f"unexpected {peek()[1]!r} in formula {src!r}")
    return tree


def names(tree) -> set:
    """The names an expression reads (its functions excluded)."""
    kind = tree[0]
    if kind == "name":
        return {tree[1]}
    if kind == "num":
        return set()
    if kind == "bin":
        return names(tree[2]) | names(tree[3])
    if kind in ("neg", "T"):
        return names(tree[1])
    return set().union(*(names(a) for a in tree[2]))


class Missing(KeyError):
    """A name the formula needs has no value (not saved, not recorded)."""


def _signed(v):
    """PyTorch shows a negative dim or index saved as an unsigned 64-bit number (-1 as 2**64 - 1)."""
    if type(v) is int and v >= 2 ** 63:
        return v - 2 ** 64
    if type(v) is tuple:
        return tuple(_signed(x) for x in v)
    return v


_OPS = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "@": np.matmul, "^": np.power,
        ">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal, "==": np.equal}


def evaluate(tree, env: dict):
    """The value of an expression with numpy; ``env`` maps names to values (Missing if one is absent)."""
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "name":
        if tree[1] not in env:
            raise Missing(tree[1])
        return _signed(env[tree[1]])
    if kind == "neg":
        return np.negative(evaluate(tree[1], env))
    if kind == "T":
        v = np.asarray(evaluate(tree[1], env))
        return v if v.ndim < 2 else np.swapaxes(v, -1, -2)
    if kind == "bin":
        a, b = evaluate(tree[2], env), evaluate(tree[3], env)
        with np.errstate(all="ignore"):
            out = _OPS[tree[1]](np.asarray(a, dtype=np.float64) if tree[1] == "^" else a, b)
        return np.asarray(out, dtype=np.float64) if tree[1] in _COMPARE else out  # (True is 1)
    args = [evaluate(a, env) for a in tree[2]]
    with np.errstate(all="ignore"):
        return FUNCTIONS[tree[1]](*args)


# Rendering: '·' for *, '−' for minus, x² for x^2; the student's names; numbers where asked.
_SHOW = {"*": " · ", "/": " / ", "@": " @ ", "+": " + ", "-": " − ", ">": " > ", ">=": " ≥ ", "<": " < ",
         "<=": " ≤ ", "==": " = "}
_COMPOUND = re.compile(r" [-+*/@−] ")
_SUPER = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def render(tree, leaf) -> str:
    """The expression as text; ``leaf(name)`` says how a name is written (a student's name, a number)."""
    return _render(tree, leaf, 0)


def _render(tree, leaf, outer) -> str:
    kind = tree[0]
    if kind == "num":
        v = tree[1]
        text = str(int(abs(v))) if v == int(v) else f"{abs(v):g}"
        return text if v >= 0 else f"(−{text})" if outer > 0 else f"−{text}"
    if kind == "name":
        s = leaf(tree[1])  # (a negative number, or a name that is an expression, 'xs[0] - 1.0', in parentheses)
        return f"({s})" if outer > 0 and (s[:1] in ("-", "−") or _COMPOUND.search(s)) else s
    if kind == "neg":
        s = "−" + _render(tree[1], leaf, _UNARY_PREC)
        return f"({s})" if outer > _UNARY_PREC - 1 and outer != 0 else s
    if kind == "T":
        return _render(tree[1], leaf, 9) + ".T"
    if kind == "call":  # (an argument the leaf writes as "" is left out: a parameter not worth showing)
        return f"{tree[1]}(" + ", ".join(t for t in (_render(a, leaf, 0) for a in tree[2]) if t) + ")"
    op, a, b = tree[1], tree[2], tree[3]
    p = _BINARY[op]
    if op == "^":
        base = _render(a, leaf, 9)
        if b[0] == "num" and b[1] == int(b[1]) and 2 <= b[1] <= 9:
            s = base + str(int(b[1])).translate(_SUPER)
        else:
            s = base + "^" + _render(b, leaf, 9)
    else:
        s = _render(a, leaf, p) + _SHOW[op] + _render(b, leaf, p + 1)
    return f"({s})" if p < outer else s


# ---------------------------------------------------------------------------- the functions formulas call
def _shape_of(sizes):
    return tuple(int(s) for s in (sizes if isinstance(sizes, (tuple, list)) else np.shape(sizes)))


def sum_to(g, shape):
    """Sum ``g`` down to ``shape`` (undo broadcasting): PyTorch's at::sum_to."""
    g = np.asarray(g)
    shape = _shape_of(shape)
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and g.shape[i + lead] != 1)
    return np.sum(g, axis=axes, keepdims=True).reshape(shape) if axes else g.reshape(shape)


def _dims(dim, ndim):
    if dim is None:
        return tuple(range(ndim))
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    return tuple(sorted(int(d) % max(ndim, 1) for d in dims))


def keepdims(g, dim, keepdim, sizes):
    """``g`` with the reduced dimensions ``dim`` of a tensor of ``sizes`` put back as 1s (unless keepdim)."""
    g, shape = np.asarray(g), _shape_of(sizes)
    if keepdim or not shape:
        return g
    dims = _dims(dim, len(shape)) if dim not in ((), []) else tuple(range(len(shape)))
    return g.reshape(tuple(1 if i in dims else s for i, s in enumerate(shape)))


def count(sizes, dim):
    """How many elements each output of a reduction over ``dim`` averages."""
    shape = _shape_of(sizes)
    dims = _dims(dim, len(shape)) if dim not in ((), []) else tuple(range(len(shape)))
    return float(np.prod([shape[d] for d in dims])) if shape else 1.0


def unpermute(g, dims):
    return np.transpose(np.asarray(g), np.argsort(dims))


def select_backward(g, sizes, dim, index):
    out = np.zeros(_shape_of(sizes))
    idx = [slice(None)] * out.ndim
    idx[int(dim) % out.ndim] = int(index) - (2 ** 64 if int(index) >= 2 ** 63 else 0)
    out[tuple(idx)] = g
    return out


def slice_backward(g, sizes, dim, start, end, step):
    out = np.zeros(_shape_of(sizes))
    d = int(dim) % out.ndim
    start = int(start) - (2 ** 64 if int(start) >= 2 ** 63 else 0)
    end = min(int(end), out.shape[d]) if end is not None else None
    idx = [slice(None)] * out.ndim
    idx[d] = slice(start, end, int(step))
    out[tuple(idx)] = g
    return out


def value_select(g, dim, indices, sizes, keepdim):
    """The gradient of max(dim) / min(dim): ``g`` placed at ``indices`` along ``dim``, zeros elsewhere."""
    shape = _shape_of(sizes)
    d = int(dim) % len(shape)
    g, idx = np.asarray(g), np.asarray(indices)
    if not keepdim:
        g, idx = np.expand_dims(g, d), np.expand_dims(idx, d)
    out = np.zeros(shape)
    np.put_along_axis(out, idx.astype(np.int64), g, axis=d)
    return out


def prod_others(x, dim=None):
    """The product of the other elements (over ``dim``, all if None), for each element: prod's derivative."""
    x = np.asarray(x, dtype=np.float64)
    flat = np.moveaxis(x, int(dim) % x.ndim, -1) if dim is not None and x.ndim else x.reshape(1, -1)
    n = flat.shape[-1]
    out = np.empty_like(flat)
    for k in range(n):
        out[..., k] = np.prod(np.delete(flat, k, axis=-1), axis=-1)
    return np.moveaxis(out, -1, int(dim) % x.ndim) if dim is not None and x.ndim else out.reshape(x.shape)


def centred(x, dim):
    """``x`` less its mean over ``dim`` (all dimensions when None), the mean's dimensions kept."""
    x = np.asarray(x)
    return x - np.mean(x, axis=_dims(dim, x.ndim) if x.ndim else None, keepdims=True)


def norm_grad(x, ord, norm):  # noqa: A002 - PyTorch's name
    """d ||x||_p / dx for each element (``norm``: the norm, its dimensions kept): x |x|^(p-2) / norm^(p-1)
    for a finite p; for p = +-inf, sign(x) at the elements whose |x| is the norm, shared among ties."""
    x, norm = np.asarray(x, dtype=np.float64), np.asarray(norm, dtype=np.float64)
    p = float(ord)
    if np.isinf(p):
        hit = np.abs(x) == norm
        dims = tuple(d for d in range(x.ndim) if norm.ndim == x.ndim and norm.shape[d] == 1 and x.shape[d] != 1)
        ties = np.sum(hit, axis=dims or None, keepdims=True) if x.ndim else 1
        return np.sign(x) * hit / ties
    with np.errstate(divide="ignore", invalid="ignore"):
        return x * np.abs(x) ** (p - 2) / norm ** (p - 1)


def sumdim(x, dim):
    return np.sum(x, axis=dim, keepdims=True)


def per_element(g, x, reduction):
    """A loss's incoming gradient per element of ``x``: as is ('none', 0), spread (1, 'mean': / numel, 2, 'sum')."""
    g, n = np.asarray(g), np.size(x)
    if reduction == 0:
        return g
    return np.broadcast_to(g / n if reduction == 1 else g, np.shape(x))


def nll_grad(g, x, target, reduction, ignore_index, total_weight):
    """The gradient of nll_loss: −grad at each target class (÷ total_weight for 'mean'), 0 elsewhere."""
    x, t = np.asarray(x), np.asarray(target).astype(np.int64)
    out = np.zeros(x.shape)
    g = np.asarray(g, dtype=np.float64)
    if reduction == 1:
        g = g / float(np.asarray(total_weight))
    if x.ndim == 1:
        if int(t) != ignore_index:
            out[int(t)] = -g
        return out
    keep = t != ignore_index
    rows = np.arange(x.shape[0])
    gs = np.broadcast_to(g, t.shape) if reduction == 0 else np.full(t.shape, float(g))
    out[rows[keep], t[keep]] = -gs[keep]
    return out


def clamp_mask(x, lo, hi):
    x = np.asarray(x)
    m = np.ones(x.shape)
    if lo is not None:
        m = m * (x >= lo)
    if hi is not None:
        m = m * (x <= hi)
    return m


def gelu_grad(x, approximate="none"):
    x = np.asarray(x, dtype=np.float64)
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        inner = k * (x + 0.044715 * x ** 3)
        t = np.tanh(inner)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
    cdf = 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
    return cdf + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _norm_axes(x, normalized_shape):
    return tuple(range(np.ndim(x) - len(tuple(normalized_shape)), np.ndim(x)))


def layer_norm_input(g, x, normalized_shape, weight, mean, rstd):
    """layer_norm's input gradient: rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)), ĝ = grad · weight."""
    axes = _norm_axes(x, normalized_shape)
    x, g = np.asarray(x, dtype=np.float64), np.asarray(g, dtype=np.float64)
    mean, rstd = np.asarray(mean, dtype=np.float64), np.asarray(rstd, dtype=np.float64)
    xhat = (x - mean) * rstd
    gh = g * (np.asarray(weight) if weight is not None else 1.0)
    return rstd * (gh - gh.mean(axis=axes, keepdims=True) - xhat * (gh * xhat).mean(axis=axes, keepdims=True))


def layer_norm_weight(g, x, normalized_shape, mean, rstd):
    axes = _norm_axes(x, normalized_shape)
    xhat = (np.asarray(x, dtype=np.float64) - mean) * rstd
    lead = tuple(range(np.ndim(x) - len(axes)))
    return np.sum(np.asarray(g) * xhat, axis=lead)


def layer_norm_bias(g, x, normalized_shape):
    lead = tuple(range(np.ndim(x) - len(tuple(normalized_shape))))
    return np.sum(np.asarray(g), axis=lead)


def conv_input(g, x, weight):
    """(shape level) convolution's input gradient: grad convolved back with the weight (a transposed
    convolution); evaluated here only to its shape, the input's."""
    return np.zeros(np.shape(x))


def conv_weight(g, x, weight):
    """(shape level) convolution's weight gradient: the input correlated with grad; shape of the weight."""
    return np.zeros(np.shape(weight))


def conv_bias(g):
    """convolution's bias gradient: grad summed over the batch and every spatial position."""
    g = np.asarray(g)
    return np.sum(g, axis=(0,) + tuple(range(2, g.ndim)))


FUNCTIONS = {
    "sum_to": sum_to, "expand": lambda g, sizes: np.broadcast_to(g, _shape_of(sizes)),
    "reshape": lambda g, sizes: np.reshape(g, _shape_of(sizes)), "keepdims": keepdims, "count": count,
    "squeeze": lambda g, dim: np.squeeze(g, axis=_dims(dim, np.ndim(g))),
    "unsqueeze": lambda g, dim: np.expand_dims(g, tuple(d % (np.ndim(g) + len(_dims(dim, 99))) for d in
                                                        (dim if isinstance(dim, (tuple, list)) else (dim,)))),
    "transpose": lambda g, d0, d1: np.swapaxes(g, d0, d1), "unpermute": unpermute,
    "select_backward": select_backward, "slice_backward": slice_backward, "value_select": value_select,
    "sign": np.sign, "cos": np.cos, "sin": np.sin, "exp": np.exp, "log": np.log, "abs": np.abs,
    "sigmoid": lambda x: 1 / (1 + np.exp(-np.asarray(x))), "sum": np.sum, "sumdim": sumdim, "norm_grad": norm_grad,
    "outer": np.outer, "where": np.where, "prod_others": prod_others, "per_element": per_element,
    "nll_grad": nll_grad, "clamp_mask": clamp_mask, "max1": lambda x, lo: np.maximum(x, lo),
    "gelu_grad": gelu_grad, "layer_norm_input": layer_norm_input, "layer_norm_weight": layer_norm_weight,
    "layer_norm_bias": layer_norm_bias, "conv_input": conv_input, "conv_weight": conv_weight,
    "conv_bias": conv_bias, "sizes": np.shape, "centred": centred,
    "dof": lambda n, correction: n - (1 if correction is None else correction), "pick": lambda g, dim, i: np.take(g, int(i), axis=int(dim)),
}


# ---------------------------------------------------------------------------- the table
@dataclass(frozen=True)
class Formula:
    """A node's formulas: ``inputs`` is one (input name, source text, tree) per next_functions slot
    (source None: that slot gets no gradient from this node); ``shape_only``: checked and shown at
    the level of shapes (the numbers are not computed here)."""
    node: str
    inputs: tuple
    shape_only: bool = False

    @property
    def variadic(self) -> bool:
        """One formula for every input (``tensors[i]``: torch.stack's), ``i`` being the input's place."""
        return len(self.inputs) == 1 and self.inputs[0][0].endswith("[i]")

    def at(self, slot: int):
        """(input name, source, tree) of next_functions slot ``slot``; None past the declared inputs."""
        if self.variadic:
            name, src, tree = self.inputs[0]
            return name.replace("[i]", f"[{slot}]"), src, tree
        return self.inputs[slot] if slot < len(self.inputs) else None


@dataclass(frozen=True)
class NoFormula:
    """A node declared without a formula, and why."""
    node: str
    reason: str


TABLE: dict = {}


def key(name: str) -> str:
    return name.rsplit("::", 1)[-1]


def _declare(node: str, inputs: dict, shape_only: bool = False) -> Formula:
    f = Formula(node, tuple((k, v, parse(v) if v is not None else None) for k, v in inputs.items()), shape_only)
    TABLE[key(node)] = f
    return f


def derivatives(_shape_only: bool = False, **inputs):
    """Class decorator: the node's formula per input, in next_functions order (see the module docstring)."""
    def deco(cls):
        _declare(cls.__name__, inputs, _shape_only)
        return cls
    return deco


def no_formula(reason: str):
    """Class decorator: the node has no formula to show, because ``reason``."""
    def deco(cls):
        TABLE[key(cls.__name__)] = NoFormula(cls.__name__, reason)
        return cls
    return deco


def lookup(node_or_name):
    """The table's entry for a node (or node name, or node class): Formula, NoFormula or None."""
    if isinstance(node_or_name, str):
        return TABLE.get(key(node_or_name))
    if isinstance(node_or_name, type):
        for c in node_or_name.__mro__:
            if key(c.__name__) in TABLE:
                return TABLE[key(c.__name__)]
        return None
    return lookup(node_or_name.name())


def sent(formula: Formula, slot: int, env: dict, shape=None):
    """What slot ``slot`` of a node receives by its formula: the expression's value, summed back to
    ``shape`` (the input's) where the input was broadcast (what PyTorch's engine does)."""
    if formula.variadic:
        env = dict(env, i=slot)
    value = np.asarray(evaluate(formula.at(slot)[2], env), dtype=np.float64)
    if shape is not None and tuple(value.shape) != tuple(shape):
        value = sum_to(value, shape)
    return value


# ---------------------------------------------------------------------------- nodes only real torch makes
# (the core's own nodes declare theirs beside their backward in core/ops/)
_declare("GeluBackward0", {"self": "grad * gelu_grad(self, approximate)"})
_declare("NativeLayerNormBackward0", {
    "input": "layer_norm_input(grad, input, normalized_shape, weight, result1, result2)",
    "weight": "layer_norm_weight(grad, input, normalized_shape, result1, result2)",
    "bias": "layer_norm_bias(grad, input, normalized_shape)"})
_declare("ConvolutionBackward0", {"input": "conv_input(grad, input, weight)",
                                  "weight": "conv_weight(grad, input, weight)", "bias": "conv_bias(grad)"},
         shape_only=True)
_declare("AddBackward1", {"self": "grad"})  # (tensor + number inside torch's second-order formulas)
_declare("SelectBackwardBackward0", {"grad_output": "pick(grad, dim, index)"})
TABLE["AccumulateGrad"] = NoFormula("torch::autograd::AccumulateGrad",
                                    "it sends nothing further: it adds the gradient into the leaf's .grad")
