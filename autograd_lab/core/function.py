"""``Function`` (the base of every op), ``apply`` (the one choke point every forward operation
goes through), dtype promotion, broadcasting helpers, and the op declarations.

Each operation is one small class in ``ops/``, named exactly as PyTorch names its backward node
(``MulBackward0``, ``SumBackward1`` ...), with ``forward`` and ``backward`` side by side. An
instance of the class *is* the grad_fn node (and the ``ctx`` of forward/backward)::

    @unary("sin")                            # its public face, declared once (see ``declare``)
    class SinBackward0(Function):
        "f(a) = sin(a)"
        def forward(ctx, a): ...             # numpy values in, numpy value out
        def backward(ctx, g): ...            # one gradient per input (None where not needed)

``apply(fn, *inputs, **params)`` runs an op: it decides whether a graph is recorded, builds
the node and its ``next_functions``, wraps the output, and is the only place forward events
are emitted from (through ``recording.active``). Backward formulas work on numpy values, or
on Tensors when ``create_graph=True`` (the same code, by duck typing), so higher-order
gradients come for free.
"""
from __future__ import annotations

import functools
import sys
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import inference as _inference
from . import node as _node
from . import recording as _rec
from .recording import OP_RECORD
from .grad_mode import _state as _grad_state
from .float_sum import cascade_sum, sum_axes
from .messages import LEAF_INPLACE_MESSAGE, OUT_RESIZED_WARNING
from .node import _FREED, AccumulateGrad, Node, TensorBase, _accumulate_node, _bump, _new, _seq  # noqa: F401

_F32 = np.dtype(np.float32)
_F32_SCALAR = np.float32
_getframe = sys._getframe
Tensor = TensorBase  # the real class, given by tensor.py (bind_tensor): this module does not import it


def quiet(f):
    """Run ``f`` with numpy's floating point warnings off (log(0), 1/0, overflow, inf - inf): PyTorch
    prints nothing for them, results just become inf / nan. Local (np.errstate), so the student's
    own numpy code and warning filters are untouched. ~1.8 us a call: the binary operators' fast
    path avoids it for numpy scalars (see ops/arithmetic.py), and the engine enters it once per call."""
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        with np.errstate(all="ignore"):
            return f(*args, **kwargs)
    return wrapper


def bind_tensor(cls) -> None:
    """Called once by tensor.py when Tensor is defined (so that no core module imports tensor.py back)."""
    global Tensor
    Tensor = cls
    _node.bind_tensor(cls)


class _NoGradCtx:
    """The ctx given to forward when no graph is recorded: saving is a no-op."""

    needs_input_grad = (False,) * 8

    def save_for_backward(self, *values):
        pass

    def __setattr__(self, name, value):
        pass


_NOCTX = _NoGradCtx()


class Function(Node):
    """Base of the differentiable operations (one subclass per PyTorch backward node)."""

    __slots__ = ()
    _keeps_dtype = False     # True where the result has the input's dtype whatever numpy says
    _true_division = False   # True for division (its result is a float whatever the inputs)
    _view = False            # True for view ops: the result shares the input's memory (see views.py)

    @staticmethod
    def forward(ctx, *inputs, **params):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, *grads):
        """``y.grad_fn(g)``: this node's formula applied to ``g``, one gradient (or None) per input, as
        PyTorch's node call gives them (a graph is recorded when grad mode is on and saved values need it)."""
        if len(grads) != 1:  # (every node here has one output)
            raise TypeError(f"expected 1 arguments, got {len(grads)} instead")
        g = grads[0]
        if g is None:
            return (None,) * len(self._next)
        if not isinstance(g, Tensor):
            raise TypeError("argument 0 is not a Variable")
        prev = _node.unpack_tensors
        _node.unpack_tensors = True
        try:
            with np.errstate(all="ignore"):
                out = type(self).backward(self, g)
        finally:
            _node.unpack_tensors = prev
        out = tuple(None if r is None else r if isinstance(r, Tensor) else _node._wrap(r, False, None) for r in out)
        return out[0] if len(out) == 1 else out  # (one input: the gradient itself, as PyTorch)



# ---------------------------------------------------------------------------- the choke point
def apply(fn, *inputs, inplace: bool = False, **params):
    """Run operation ``fn`` on ``inputs`` (Tensors or Python numbers); record the graph if needed."""
    if fn._special:
        return _apply_special(fn, inputs, params)
    grad_on = _grad_state.enabled
    if len(inputs) == 2 and not params and not inplace:
        # The common case (a binary operator), kept lean: ~1 microsecond of Python per op.
        a, b = inputs
        if a.__class__ is Tensor:
            ra = a._data
            na = grad_on and a._requires_grad
        else:
            ra, na = a, False
        if b.__class__ is Tensor:
            rb = b._data
            nb = grad_on and b._requires_grad
        else:
            rb, nb = b, False
        if na or nb:
            node = _new(fn)
            node.needs_input_grad = _NEEDS2[na][nb]
            node._saved = ()
            node._hooks = None
            node._seq = next(_seq)
            out = fn.forward(node, ra, rb)
            if _inference.made and node._saved:  # (inference tensors may not be saved for backward)
                _inference.check_saved(node, inputs)
            node._inputs = inputs if node._saved else None  # held only to unpack saved values
            if _node.pack_hooks and node._saved:
                _node.pack_saved(node, inputs)
            node._next = ((a.grad_fn or a._acc or _accumulate_node(a)) if na else None,
                          (b.grad_fn or b._acc or _accumulate_node(b)) if nb else None)
            record = True
        else:
            node = None
            record = False
            out = fn.forward(_NOCTX, ra, rb)
    else:
        if fn._view:
            inputs[0]._array()  # (a 0-d value kept as a numpy scalar becomes an array its views can share)
        raw = tuple(a._data if a.__class__ is Tensor else a for a in inputs)
        needs = tuple(grad_on and a.__class__ is Tensor and a._requires_grad for a in inputs)
        record = True in needs
        if inplace:
            return _apply_inplace(fn, inputs, raw, needs, record, params)
        if record:
            node, out = _record(fn, inputs, raw, needs, params)
        else:
            node = None
            out = fn.forward(_NOCTX, *raw, **params)
    if out.__class__ is not _F32_SCALAR and out.dtype is not _F32:  # (the class test is the cheaper)
        out = _fix_dtype(fn, inputs, out)
    t = _new(Tensor)
    t._data = out
    t._requires_grad = record
    t.grad_fn = node
    t._grad = t._acc = t._x = None
    if record is False and (_grad_state.inference or _inference.made):  # an inference tensor? (inference.py)
        _inference.mark(t, inputs)
    if fn._view:
        _VIEWS.made_view(t, inputs[0], fn, params)
    tr = _rec.active
    if tr is not None:
        # Record the op. Trace.op finds the user's line; when apply's caller's caller is the user
        # code the last op came from (nearly always), the record is appended here: a method
        # call would cost a fifth of the recording time. (The two-input record is spelled out:
        # building it from *inputs costs 60 ns more. The layout: recording.OpRecord.)
        f = _getframe(2)
        code = f.f_code
        if code is not tr.user_code:
            tr.op(fn, inputs, t, node, params)
        elif len(inputs) == 2:
            tr.append_raw((OP_RECORD, fn, 2, inputs[0], inputs[1], out, t, node, code, f.f_lasti))
        else:
            tr.append_raw((OP_RECORD, fn, len(inputs), *inputs, out, t, node, code, f.f_lasti))
    return t


_NEEDS2 = ((( False, False), (False, True)), ((True, False), (True, True)))


def _next_node(t: Tensor):
    """The node that takes a consumer's gradient for tensor ``t`` (its grad_fn or AccumulateGrad)."""
    return t.grad_fn or t._acc or _accumulate_node(t)


def _record(fn, inputs, raw, needs, params):
    """Make op ``fn``'s node, run its forward with the node as ctx, and link it to its inputs.

    (apply's two-input fast path does the same inline.)"""
    node = _new(fn)
    node.needs_input_grad = needs
    node._saved = ()
    node._hooks = None
    node._seq = next(_seq)
    out = fn.forward(node, *raw, **params)
    if _inference.made and node._saved:
        _inference.check_saved(node, inputs)
    node._inputs = inputs if node._saved else None  # held only to unpack saved values
    if _node.pack_hooks and node._saved:
        _node.pack_saved(node, inputs)
    node._next = tuple([_next_node(x) if n else None for x, n in zip(inputs, needs)])
    return node, out


@quiet
def _apply_inplace(fn, inputs, raw, needs, record, params):
    target = inputs[0]
    x = target._x
    vi = x.view if x is not None else None
    if vi is not None and (record or _grad_state.enabled and vi.root._requires_grad):
        _VIEWS.check_inplace(target, vi)  # (a view of a leaf, of no_grad mode, of split: PyTorch's errors)
    if _grad_state.enabled and target._requires_grad and target.grad_fn is None and vi is None:
        e = RuntimeError(LEAF_INPLACE_MESSAGE)
        e._alab_tensor = target  # (the leaf, for a recorder's error event)
        raise e
    if target._data.dtype.kind != "f":
        _check_inplace_dtype(fn, inputs, raw)
    if _rec.unsettled:
        _rec.settle()  # a finished trace's unbuilt events may still refer to what changes below
    tr = _rec.active
    if record:
        # Recorded in-place op: the new values are written into the tensor's memory (a view's base
        # sees them) and the tensor gets a new grad_fn (PyTorch "rebases" it; a view's base gets
        # CopySlices, see views.py). The change is dated before the new node, which saves the old
        # value as PyTorch saves a copy of self; unless the tensor's memory is also another operand
        # (a *= a, v.mul_(v.detach())): that one PyTorch saves as is, and backward finds it changed.
        stamp = None if any(x is target or _same_memory(x, target) for x in inputs[1:]) else next(_seq)
        if stamp is not None and raw[0].__class__ is np.ndarray:
            # the node's own saved self is a copy (as PyTorch's original_self): later changes of the
            # tensor, which continue the version count of its storage, do not make it stale
            raw = (np.array(raw[0], copy=True),) + raw[1:]
        node, out = _record(fn, inputs, raw, needs, params)
        if np.shape(out) != np.shape(raw[0]):
            raise RuntimeError(f"output with shape {list(np.shape(raw[0]))} doesn't match the broadcast shape {list(np.shape(out))}")
        old = target._data
        if old.__class__ is not np.ndarray:
            # a 0-d value kept as a numpy scalar (no view shares it: a view made it an array): replaced,
            # as values saved from it must keep it
            arr = target._data = out if out.dtype == old.dtype else out.astype(old.dtype)
        else:
            arr = old
            _VIEWS.check_writable(arr, inputs)
            if tr is not None:
                tr.flush()  # pending events may still refer to the memory changed below
            np.copyto(arr, out, casting="unsafe")
            saved = node._saved
            if saved.__class__ is tuple and any(s is out for s in saved):
                node._saved = tuple([arr if s is out else s for s in saved])  # its saved result: the tensor's memory
        if vi is not None:
            node = _VIEWS.rebase(target, vi, node)  # the view's base gets CopySlices (wrapping the op's node)
            inputs = (vi.root,) + inputs[1:]        # (recorded as the op on the base)
            target_shown = vi.root
        else:
            _VIEWS.move_retain(target, target.grad_fn, node)
            target.grad_fn = node
            target._requires_grad = True
            target_shown = target
        _bump(target, old, arr if arr is not old else None, stamp)  # (counts the version; the views get new grad_fns)
        if tr is not None:
            tr.op(fn, inputs, target_shown, node, params)
        return target
    before = None
    if tr is not None:
        tr.flush()  # pending events may still refer to the array changed below
        before = np.array(target._data, copy=True)
    out = fn.forward(_NOCTX, *raw, **params)
    if np.shape(out) != np.shape(raw[0]):
        raise RuntimeError(f"output with shape {list(np.shape(raw[0]))} doesn't match the broadcast shape {list(np.shape(out))}")
    old = target._data
    arr = target._array()
    _VIEWS.check_writable(arr, inputs)
    np.copyto(arr, out, casting="unsafe")
    if target._x is None or target._x.base is None:
        _bump(target, old, arr)
    else:
        _VIEWS.bump(target)  # a `.data` alias: a version count of its own, and not a change of saved values
    if tr is not None:
        tr.update(fn, inputs, target, before)
    if _inference.made:  # (PyTorch refuses an inference tensor's in-place change once made, as here)
        _inference.check_inplace(target)
    return target


def _same_memory(x, target) -> bool:
    """Does operand ``x`` share memory with ``target`` (a view of it, or its detached alias)?"""
    a, b = getattr(x, "_data", None), target._data
    return a.__class__ is np.ndarray and b.__class__ is np.ndarray and np.may_share_memory(a, b) and np.shares_memory(a, b)


_VIEWS = None  # views.py: the view and in-place model (bound by bind_views; views.py imports this module)


def bind_views(made_view, check_inplace, rebase, bump, check_writable, move_retain) -> None:
    """Called once by views.py (which imports this module, so this one does not import it)."""
    global _VIEWS
    import types
    _VIEWS = types.SimpleNamespace(made_view=made_view, check_inplace=check_inplace, rebase=rebase, bump=bump,
                                   check_writable=check_writable, move_retain=move_retain)


def _check_inplace_dtype(fn, inputs, raw):
    """An integer or bool tensor cannot take a float (or integer) result in place, as in PyTorch."""
    names = {"b": "Bool", "i": "Long", "f": "Float"}
    other = inputs[1] if len(inputs) > 1 else None
    if isinstance(other, Tensor):
        kind = other._data.dtype.kind
        name = "Double" if other._data.dtype == np.float64 else names[kind]
    else:
        kind = "b" if isinstance(other, (bool, np.bool_)) else "i" if isinstance(other, (int, np.integer)) else "f"
        name = names[kind]
    if fn._true_division and kind != "f":  # true division gives floats
        kind, name = "f", "Float"
    target = raw[0].dtype.kind
    if "bif".index(kind) > "bif".index(target):
        raise RuntimeError(f"result type {name} can't be cast to the desired output type {names[target]}")


def _apply_special(fn, inputs, params):
    """Operations that are not differentiable: leaf creation, requires_grad_, zeroing, detach."""
    if _rec.unsettled and getattr(fn, "settles", False):
        _rec.settle()  # (they change what a finished trace's unbuilt events show; making a tensor does not)
    tr = _rec.active
    if tr is None or fn.kind is None:
        t = fn.run(*inputs, **params)
    elif fn.kind == "op":  # a result made outside apply (a custom Function's output): recorded as an op
        t = fn.run(*inputs, **params)
        tr.op(type(t.grad_fn), inputs, t, t.grad_fn, {})
        return t
    else:
        before = tr.before_special(fn, inputs)
        t = fn.run(*inputs, **params)
        tr.special(fn, inputs, t, params, before)
    if (_grad_state.inference or _inference.made) and getattr(fn, "makes_tensor", False) and isinstance(t, Tensor):
        _inference.mark(t, inputs)  # a new tensor made inside inference_mode(), or a view of an inference tensor
    return t


def _fix_dtype(fn, inputs, out):
    """Bring numpy's result type in line with PyTorch's type promotion."""
    od = out.dtype
    if od.kind == "b" or fn._keeps_dtype:
        return out
    tensors = [a for a in inputs if isinstance(a, Tensor)]
    floats_dim = [a._data.dtype for a in tensors if a._data.dtype.kind == "f" and np.ndim(a._data) > 0]
    floats_0d = [a._data.dtype for a in tensors if a._data.dtype.kind == "f" and np.ndim(a._data) == 0]
    if floats_dim:
        want = max(floats_dim, key=lambda d: d.itemsize)
    elif floats_0d:
        want = max(floats_0d, key=lambda d: d.itemsize)
    elif od.kind == "f":
        want = _F32  # integer tensors with a Python float or a float-valued op -> default dtype
    else:
        return out
    if od != want:
        out = out.astype(want) if isinstance(out, np.ndarray) else want.type(out)
    return out



# ---------------------------------------------------------------------------- gradient helpers
def unbroadcast(g, shape):
    """Sum ``g`` down to ``shape`` (undo numpy/PyTorch broadcasting)."""
    gshape = np.shape(g) if not isinstance(g, Tensor) else tuple(g.shape)
    if gshape == tuple(shape):
        return g
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and gshape[i + lead] != 1)
    if isinstance(g, Tensor):  # PyTorch's sum_to: sum() to a 0-d shape, else sum(keepdim) and a view if dims lead
        if not shape:
            return g.sum()
        if axes:
            g = g.sum(dim=axes, keepdim=True)
        return g.reshape(tuple(shape)) if lead else g
    if axes:  # PyTorch's order of additions where float_sum.py knows it
        total = cascade_sum(np.asarray(g)) if all(n == 1 for n in shape) else sum_axes(np.asarray(g), axes, True)
        if total is not None:
            return np.reshape(total, shape)
    return np.add.reduce(g, axis=axes, keepdims=True).reshape(shape) if axes else np.reshape(g, shape)


def expand(g, shape):
    """Broadcast ``g`` up to ``shape`` (the backward of a sum)."""
    if isinstance(g, Tensor):
        return g.expand(*shape)
    return np.broadcast_to(g, shape)


def _shape(v):
    return np.shape(v) if not isinstance(v, Tensor) else tuple(v.shape)


def broadcast_error(a, b) -> Exception:
    """PyTorch's error for shapes that do not broadcast (numpy would raise a ValueError)."""
    sa, sb = _shape(a), _shape(b)
    for i in range(max(len(sa), len(sb)) - 1, -1, -1):
        off = max(len(sa), len(sb)) - 1 - i
        x = sa[len(sa) - 1 - off] if off < len(sa) else 1
        y = sb[len(sb) - 1 - off] if off < len(sb) else 1
        if x != y and x != 1 and y != 1:
            return RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                                f"at non-singleton dimension {i}")
    return ValueError(f"operands could not be broadcast together with shapes {sa} {sb}")


def _raw(v):
    """The numpy value of a Tensor (or the value itself), for conditions inside backward formulas."""
    return v._data if isinstance(v, Tensor) else v


def _binary_shapes(a, b, out):
    """Input shapes for unbroadcast, or None when no broadcasting happened (the common case)."""
    if out.__class__ is not np.ndarray:
        return None  # a numpy scalar result: every input was 0-d
    sa, sb = np.shape(a), np.shape(b)
    return None if sa == sb == out.shape else (sa, sb)




# ---------------------------------------------------------------------------- op declarations
@dataclass
class OpFace:
    """An operation's public face, declared once beside its node class(es) in ``ops/``.

    Everything else is derived from these: Tensor's methods and operators (``tensor_methods``),
    the ``autograd_lab.<fn>`` functions (``module_functions``), the narration's op names
    (``op_label``), the playground's allow-list (``playground_methods``) and the text that
    says what is supported (``supported_text``)."""
    name: str                                   # the op as students read it (the narration label)
    nodes: tuple                                # node classes whose records carry this label
    methods: dict = field(default_factory=dict)     # Tensor attribute -> function (or property)
    functions: dict = field(default_factory=dict)   # autograd_lab.<name> -> function
    playground: tuple = ()                      # methods a playground program may call
    shown_as: str | None = None                 # how "supported" lists it (None: not listed)


FACES: list[OpFace] = []
_LABELS: dict[str, str] = {}  # node class name -> label


def declare(name: str, *nodes, methods=None, functions=None, playground=(), shown_as: str | None = "",
            label: str | None = None) -> OpFace:
    """Declare an op's public face (see OpFace); ``shown_as=""`` lists it under its name."""
    face = OpFace(name, nodes, dict(methods or {}), dict(functions or {}), tuple(playground),
                  name if shown_as == "" else shown_as)
    for cls in nodes:
        _LABELS[cls.__name__] = label or name
    FACES.append(face)
    return face


def _needs_tensor(name: str, x) -> None:
    if not isinstance(x, TensorBase):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def unary(name: str, *, function: bool = True, playground: bool = True, also: tuple = ()):
    """Class decorator for an op of one tensor and no parameters: ``t.<name>()`` (and the methods
    named in ``also``, e.g. ``__abs__``) and, if ``function``, ``autograd_lab.<name>(t)``; listed
    in the playground if ``playground``."""
    def deco(cls):
        cls.forward = staticmethod(quiet(cls.__dict__["forward"].__func__))

        def method(self):
            return apply(cls, self)

        def fn(input):
            _needs_tensor(name, input)
            return apply(cls, input)
        method.__name__ = fn.__name__ = name
        method.__doc__ = fn.__doc__ = f"{cls.__doc__} ({cls.__name__})"
        declare(name, cls, methods=dict.fromkeys((name,) + tuple(also), method), functions={name: fn} if function else None,
                playground=(name,) if playground else ())
        return cls
    return deco


def op_labels() -> dict[str, str]:
    """Node class name -> the narration's name of its op (``{'MulBackward0': 'mul', ...}``), for every
    declared op: what ``op_label`` reads (a copy: the declarations own the table)."""
    return dict(_LABELS)


def op_label(node_or_name) -> str:
    """The narration's name of an op, from its node (or node class, or its name): ``'MulBackward0'``
    -> ``'mul'``. The in-place ops' classes (``'AddInplace'``) give ``'add_'``."""
    if isinstance(node_or_name, str):
        key = node_or_name
    elif isinstance(node_or_name, type):
        key = node_or_name.__name__
    else:
        key = type(node_or_name).__name__
    return _LABELS.get(key, key)


def tensor_methods() -> dict:
    """Every Tensor attribute the declarations make (tensor.py puts them in the class body)."""
    out = {}
    for face in FACES:
        out.update(face.methods)
    return out


def module_functions() -> dict:
    """The ``autograd_lab.<name>`` functions the declarations make (each also takes ``out=``)."""
    out = {}
    for face in FACES:
        out.update({name: _with_out(name, f) for name, f in face.functions.items()})
    return out


def _with_out(name: str, f):
    """``torch.add(a, b, out=c)``: the result written into ``c``, as PyTorch does when no argument
    requires grad (else PyTorch's error: ``out=`` is not differentiable)."""
    @functools.wraps(f)
    def fn(*args, out=None, **kwargs):
        if out is None:
            return f(*args, **kwargs)
        if not isinstance(out, Tensor):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
        if _grad_state.enabled and any(isinstance(a, Tensor) and a._requires_grad
                                       for a in (*args, *kwargs.values(), out)):
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                               "differentiation, but one of the arguments requires grad.")
        result = f(*args, **kwargs)
        if np.shape(result._data) != np.shape(out._data):  # PyTorch resizes ``out`` (warning if it had elements)
            if np.size(out._data):
                warnings.warn(OUT_RESIZED_WARNING.format(list(np.shape(out._data)), list(np.shape(result._data))),
                              UserWarning, stacklevel=2)
            out._data = np.array(result._data, dtype=out._data.dtype)
        else:
            out[...] = result
        return out
    return fn


def playground_methods() -> tuple:
    """Tensor methods a playground program may call, in declaration order."""
    return tuple(m for face in FACES for m in face.playground)


def playground_functions() -> tuple:
    """``autograd_lab.<name>`` functions a playground program may call: those of the declared
    functions whose op is playground-safe as a method of the same name (``lab.sin(x)``)."""
    return tuple(f for face in FACES for f in face.functions if f in face.playground)


def supported_text() -> str:
    """What is supported, for the messages of unsupported operations."""
    return "+ - * / ** @, " + ", ".join(f.shown_as for f in FACES if f.shown_as)
