"""The chain rule at a node's backward step: its formula per input, in the student's names, then with the numbers.

A grad_fn node's step (states.py ``on_node``) says which gradients it sends; ``explain`` adds how
each is made, from the node's one declared formula (core/formulas.py) and the recorded values::

    MulBackward0 runs: it receives 1 and sends 3 to AccumulateGrad (for w) and nothing to x (...).
    By the chain rule: to w: grad · x = 1 · 3 = 3.

Names are the student's (``x``, not ``other``); numbers are those the trace recorded when the op
ran. Numbers are shown only when every value is small (at most ``FEW`` elements) and evaluating
the formula with them gives the gradient the engine actually sent; for bigger tensors the shapes
are shown (``grad (2×4) @ w.T (4×3) → 2×3``); where the input was broadcast, the sum back to its
shape is said. A node the table does not have is said plainly; one declared without a formula
(indexing's scatter) keeps its step as it was.
"""
from __future__ import annotations

import math

import numpy as np

from ..core import formulas as FM
from ..narration import Msg, Num, number, text
from .values import shape_text

__all__ = ["explain", "declared", "by_slot", "FEW", "RULES"]

FEW = 3     # numbers are written out for values of at most this many elements
RULES = 3   # at most this many inputs' formulas in one step; the rest are counted
BUDGET = 160  # ... and at most about this many characters of formulas
_DEFAULTS = {"alpha": 1.0, "beta": 1.0}   # parameters the events do not record, at PyTorch's defaults
# A Python number operand is not recorded; it follows from the values that are (a formula then shows
# its numbers only if they reproduce the gradient the engine sent, so a wrong guess is never shown).
_INFER = {"MulBackward0": {"other": FM.parse("result / self"), "self": FM.parse("result / other")},
          "DivBackward0": {"other": FM.parse("self / result")},
          "PowBackward0": {"exponent": FM.parse("log(abs(result)) / log(abs(self))")}}


def _infer(tree, env):
    """One number from ``tree`` (the same at every element), rounded to 6 digits (a half if that close)."""
    try:
        v = np.asarray(FM.evaluate(tree, env), dtype=np.float64).ravel()
    except (FM.Missing, TypeError, ValueError):
        return None
    v = v[np.isfinite(v)]
    if not v.size or not np.all(np.abs(v - v[0]) <= 1e-4 * max(1.0, abs(v[0]))):
        return None
    r = float(f"{v[0]:.6g}")
    return round(r * 2) / 2 if abs(r * 2 - round(r * 2)) < 1e-4 else r


class _Index:
    """Per trace: node id -> the op event that made it; tensor id -> its recorded values over time."""

    def __init__(self, events):
        self.op_of: dict = {}
        self.values: dict = {}
        for e in events:
            k = e.kind
            if k == "op":
                if e.node is not None:
                    self.op_of[e.node] = e
                self.values.setdefault(e.output, []).append((e.index, e.value, _shape(e.value, e.shape)))
            elif k == "tensor":
                self.values.setdefault(e.tensor, []).append((e.index, e.value, _shape(e.value, e.shape)))
            elif k == "update":
                self.values.setdefault(e.tensor, []).append((e.index, e.after, None))

    def value_at(self, tid, index):
        """(value snapshot, shape) of tensor ``tid`` as it was at event ``index``."""
        best = None
        for at, v, shape in self.values.get(tid, ()):
            if at > index:
                break
            best = (v, shape if shape is not None else (best[1] if best else None))
        return best


def _shape(value, shape):
    """An event's shape (some real-torch events leave it None: then the snapshot's)."""
    if shape is not None:
        return tuple(shape)
    if isinstance(value, dict):
        return tuple(value.get("shape", ()))
    return np.shape(value) if value is not None and not isinstance(value, str) else None


def _index(states) -> _Index:
    b = states.b
    ix = getattr(b, "_chain_index", None)
    if ix is None:
        ix = b._chain_index = _Index(b.events)
    return ix


def _array(v):
    """A recorded snapshot as a number or numpy array; None for a large tensor's summary (only its shape is known)."""
    if v is None or isinstance(v, dict):
        return None
    if type(v) is float:  # (a 0-d tensor's snapshot: kept a float, numpy is slower on 0-d arrays)
        return v
    try:
        return np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError):  # a value the recorder could not see ('<not visible>')
        return None


def _close(made, want) -> bool:
    if type(made) is float and type(want) is float:
        return abs(made - want) <= 1e-6 + 1e-3 * abs(want)
    made, want = np.asarray(made, dtype=np.float64), np.asarray(want, dtype=np.float64)
    return made.shape == want.shape and bool(np.all(np.abs(made - want) <= 1e-6 + 1e-3 * np.abs(want)))


_PREPARED: dict = {}


def _prepare(tree):
    """Once per formula: the tree with the unrecorded parameters at their defaults, whether it
    transposes a name, the names it reads, and those passed straight to a function (``dim``)."""
    got = _PREPARED.get(id(tree))
    if got is None or got[0] is not tree:
        simple = _simplify(tree, {})
        got = _PREPARED[id(tree)] = (tree, simple, "('T', ('name'" in repr(simple), tuple(sorted(FM.names(simple))),
                                     frozenset(_params_in_calls(simple)))
    return got[1:]


_TEXTS: dict = {}  # (formula, the names it is written with) -> its text


def declared(node_name: str):
    """What the table declares for a node, written with PyTorch's input names (for an inspector or
    a tooltip): ``[("self", "grad · other"), ("other", "grad · self")]``; a ``NoFormula``'s reason
    as a string; None when the table does not have the node."""
    got = by_slot(node_name)
    return [(name, f) for name, f in got if f is not None] if isinstance(got, list) else got


def by_slot(node_name: str):
    """``declared``, one ``(input name, formula or None)`` per declared next_functions slot (None: that
    slot gets no gradient from this node; one ``tensors[i]`` for all the slots of torch.stack's)."""
    entry = FM.lookup(node_name)
    if entry is None or isinstance(entry, FM.NoFormula):
        return entry.reason if entry is not None else None
    return [(name, FM.render(_prepare(tree)[0], str) if tree is not None else None) for name, _, tree in entry.inputs]


def explain(states, e, msg: Msg) -> Msg:
    """``msg`` (a node's step) with the chain rule of each input it sends a gradient to; each rule is
    also put on its arrow (the edge state's ``rule``, kept until the node runs again: its tooltip)."""
    entry = FM.lookup(e.name)
    rules, by_slot_rules = None, {}
    if entry is not None and not isinstance(entry, FM.NoFormula):
        try:
            rules = _rules(states, e, entry, by_slot_rules)
        except Exception:  # pragma: no cover - a formula must never break the player
            rules, by_slot_rules = None, {}
    box = f"n{e.node}"
    for j in range(len(e.grad_inputs)):
        ek = states.b.slot_edge.get((box, j))
        if ek is not None:
            states.set(ek, False, rule=text(by_slot_rules[j], states.lang) if j in by_slot_rules else "")
    if entry is None:
        return Msg("step.chain.unknown", step=msg, node=e.name)
    return Msg("step.chain.step", step=msg, rules=rules) if rules else msg


def _rules(states, e, entry, by_slot_rules) -> list:
    ix = _index(states)
    op = ix.op_of.get(e.node)
    g0 = e.grad_output
    env, names, shapes = {"grad": _array(g0)}, {"grad": "grad"}, {"grad": () if type(g0) is float else np.shape(g0)}
    if isinstance(e.grad_output, dict):
        shapes["grad"] = tuple(e.grad_output.get("shape", ()))
    inputs = tuple(op.inputs) if op is not None else ()
    slots = len(e.grad_inputs)
    arg_names = [entry.at(j)[0] for j in range(slots) if entry.at(j) is not None]
    # The recorded inputs start with the node's own, in order (real torch's F.linear records
    # (bias, input, weight.t(), weight) for its AddmmBackward0): the first ones are the formula's.
    positional = op is not None and len(inputs) >= len(arg_names)
    for j, arg in enumerate(arg_names):
        tid = inputs[j] if positional else _slot_tensor(states, e, j)
        names[arg] = states.name(tid) if tid is not None else states.label("step.a_number")
        # (its value just before the op: an in-place op's event carries the value after it)
        got = ix.value_at(tid, op.index - 1) if tid is not None and op is not None else None
        if got is not None:
            env[arg], shapes[arg] = _array(got[0]), got[1]
            shapes[arg + "_sym_sizes"] = got[1]
            if got[1] is None and j < slots and e.grad_inputs[j] is not None:  # (unseen: the gradient's shape)
                g = e.grad_inputs[j]
                got = (got[0], tuple(g["shape"]) if isinstance(g, dict) else np.shape(g))
                shapes[arg] = got[1]
            if got[1] is not None:
                env[arg + "_sym_sizes"], env[arg + "_sym_numel"] = got[1], float(math.prod(got[1]))
                names[arg + "_sym_sizes"], names[arg + "_sym_numel"] = names[arg] + ".shape", names[arg] + ".numel()"
    if op is not None:
        names["result"] = states.name(op.output)
        env["result"], shapes["result"] = _array(op.value), _shape(op.value, op.shape)
    consts = {}
    for name, how in _INFER.get(FM.key(e.name), {}).items():
        if env.get(name) is None:  # a Python number the events do not record: from the values they do
            v = _infer(how, env)
            if v is not None:
                consts[name] = v
    out, more, used = [], 0, 0
    for j, grad in enumerate(e.grad_inputs):
        if grad is None or entry.at(j) is None or entry.at(j)[2] is None:
            continue
        if len(out) >= RULES:
            more += 1
            continue
        arg, _, tree = entry.at(j)
        to = names.get(arg) or states.name(_slot_tensor(states, e, j))
        local = dict(env, i=j) if entry.variadic else env
        rule = _rule(states, tree, to, grad, local, names, shapes, entry.shape_only, consts)
        size = _size(rule)
        if out and used + size > BUDGET:  # (a step stays short: the rest are counted)
            more += 1
            continue
        used += size
        out.append(rule)
        by_slot_rules[j] = rule
    if more:
        out.append(Msg("step.chain.more", n=more))
    return out


def _size(msg) -> int:
    """About how long a rule reads (its text parameters)."""
    p = msg.params
    return sum(len(v) for v in p.values() if type(v) is str) + (_size(p["rule"]) if "rule" in p else 0)


def _fold(tree, consts):
    """``tree`` with the names in ``consts`` replaced by their numbers, and arithmetic on numbers done."""
    kind = tree[0]
    if kind == "name" and tree[1] in consts:
        return ("num", float(consts[tree[1]]))
    if kind == "bin":
        a, b = _fold(tree[2], consts), _fold(tree[3], consts)
        if a[0] == "num" and b[0] == "num" and tree[1] in "+-*":
            return ("num", float(FM.evaluate(("bin", tree[1], a, b), {})))
        return ("bin", tree[1], a, b)
    if kind in ("neg", "T"):
        return (kind, _fold(tree[1], consts))
    if kind == "call":
        return ("call", tree[1], tuple(_fold(a, consts) for a in tree[2]))
    return tree


def _slot_tensor(states, e, j):
    """The tensor whose gradient slot ``j`` carries: the leaf of an AccumulateGrad, or what a grad_fn made."""
    ek = states.b.slot_edge.get((f"n{e.node}", j))
    if ek is None:
        return None
    dst = states.nodes.get(states.edges[ek].dst)
    key = dst.grad_fn if dst is not None and dst.kind == "acc" else states.b.tensor_of_fn.get(dst.key if dst else "")
    n = states.nodes.get(key) if key else None
    return n.ref if n is not None else None


def _simplify(tree, env):
    """Parameters the events do not record at their defaults (alpha = 1), and ``x · 1`` written ``x``."""
    kind = tree[0]
    if kind == "name" and tree[1] in _DEFAULTS and tree[1] not in env:
        return ("num", _DEFAULTS[tree[1]])
    if kind == "bin":
        a, b = _simplify(tree[2], env), _simplify(tree[3], env)
        if tree[1] == "*" and b == ("num", 1.0):
            return a
        if tree[1] == "*" and a == ("num", 1.0):
            return b
        return ("bin", tree[1], a, b)
    if kind in ("neg", "T"):
        return (kind, _simplify(tree[1], env))
    if kind == "call":
        return ("call", tree[1], tuple(_simplify(a, env) for a in tree[2]))
    return tree


def _transposed_names(tree, env, names, shapes):
    """``w.T`` as one leaf (so shapes read ``w.T (4×3)``, not ``w (3×4).T``)."""
    if tree[0] == "T" and tree[1][0] == "name":
        base = tree[1][1]
        leaf = base + ".T"
        names[leaf] = names.get(base, base) + ".T"
        v = env.get(base)
        if v is not None:
            env[leaf] = v if np.ndim(v) < 2 else np.swapaxes(v, -1, -2)
        s = shapes.get(base)
        if s is not None:
            shapes[leaf] = tuple(s[:-2]) + tuple(s[-2:][::-1]) if len(s) >= 2 else tuple(s)
        return ("name", leaf)
    if tree[0] == "bin":
        return ("bin", tree[1], _transposed_names(tree[2], env, names, shapes),
                _transposed_names(tree[3], env, names, shapes))
    if tree[0] in ("neg", "T"):
        return (tree[0], _transposed_names(tree[1], env, names, shapes))
    if tree[0] == "call":
        return ("call", tree[1], tuple(_transposed_names(a, env, names, shapes) for a in tree[2]))
    return tree


def _rule(states, tree, to, grad, env, names, shapes, shape_only, consts=None) -> Msg:
    tree, transposes, read, calls = _prepare(tree)
    if transposes:
        env, names, shapes = dict(env), dict(names), dict(shapes)
        tree = _transposed_names(tree, env, names, shapes)
        read = tuple(sorted(FM.names(tree)))
    if consts:  # numbers inferred (w * 3.0): written as numbers, 'z^(3 − 1)' as 'z²'
        tree = _fold(tree, consts)
        read = tuple(sorted(FM.names(tree)))
    used = [n for n in read if n in names]
    hidden = calls.difference(names)  # (dim, reduction ...: not recorded, left out of calls)
    key = (id(tree), tuple(names[n] for n in used), hidden) if not (transposes or consts) else None
    formula = _TEXTS.get(key) if key else None
    if formula is None:
        formula = FM.render(tree, lambda n: "" if n in hidden else names.get(n, n))
        if key and len(_TEXTS) < 4096:
            _TEXTS[key] = formula
    scalar = type(grad) is float
    target_shape = () if scalar else tuple(grad.get("shape", ())) if isinstance(grad, dict) else np.shape(grad)
    values = {n: env.get(n) for n in used}
    if scalar and all(type(v) is float for v in values.values()):
        small = True
    else:
        small = all(v is not None and np.size(v) <= FEW for v in values.values()) and np.size(grad) <= FEW
    if not shape_only and small and not isinstance(grad, dict):
        try:
            made = FM.evaluate(tree, env)
            summed = type(made) is not float and np.shape(made) != tuple(target_shape)
            if summed:
                made = FM.sum_to(made, target_shape)
            elif type(made) is not float:
                made = float(made) if np.ndim(made) == 0 else made
            if _close(made, grad if type(grad) is float else np.asarray(grad, dtype=np.float64)):
                lang = states.lang
                nums = FM.render(tree, lambda n: number(_plain(values[n]), lang) if n in values else n)
                if nums == number(_plain(grad), lang):  # ('grad = 1 = 1': the numbers say nothing more)
                    rule = Msg("step.chain.rule_formula", to=to, formula=formula, result=Num(grad))
                else:
                    rule = Msg("step.chain.rule", to=to, formula=formula, numbers=nums, result=Num(grad))
                return Msg("step.chain.summed", rule=rule, to=to, shape=shape_text(target_shape)) if summed else rule
        except (FM.Missing, ValueError, TypeError, KeyError, IndexError):
            pass
    if all(np.size(v) == 1 for v in values.values() if v is not None) and not isinstance(grad, dict) \
            and np.size(grad) == 1:
        return Msg("step.chain.rule_formula", to=to, formula=formula, result=Num(grad))
    # shapes: each tensor named with its shape, then the shape of what is sent
    shaped = FM.render(tree, lambda n: "" if n in hidden else (
        f"{names.get(n, n)} ({shape_text(shapes[n])})" if n in names and "_sym_" not in n and shapes.get(n)
        else names.get(n, n)))
    made = _formula_shape(tree, env, shapes)
    summed = made is not None and tuple(made) != tuple(target_shape) and np.prod(made) > np.prod(target_shape)
    rule = Msg("step.chain.rule_shapes", to=to, formula=shaped, shape=shape_text(made if summed else target_shape))
    return Msg("step.chain.summed", rule=rule, to=to, shape=shape_text(target_shape)) if summed else rule


def _params_in_calls(tree) -> set:
    """Names passed straight to a function (``dim`` in ``sumdim(grad, dim)``)."""
    kind = tree[0]
    if kind == "call":
        out = {a[1] for a in tree[2] if a[0] == "name"}
        for a in tree[2]:
            out |= _params_in_calls(a)
        return out
    if kind == "bin":
        return _params_in_calls(tree[2]) | _params_in_calls(tree[3])
    if kind in ("neg", "T"):
        return _params_in_calls(tree[1])
    return set()


def _formula_shape(tree, env, shapes):
    """The shape of the formula's value (before any sum back to the input's shape), found by
    evaluating it on zeros of the recorded shapes; None where a parameter is unknown."""
    zeros = {n: (np.zeros(s) if s is not None and not isinstance(env.get(n), tuple) else env.get(n))
             for n, s in shapes.items()}
    zeros.update({n: v for n, v in env.items() if n not in zeros or zeros[n] is None})
    try:
        return np.shape(FM.evaluate(tree, zeros))
    except Exception:  # unknown parameters: say nothing about the shape
        return None


def _plain(v):
    a = np.asarray(v)
    return float(a) if a.ndim == 0 else a.tolist()
