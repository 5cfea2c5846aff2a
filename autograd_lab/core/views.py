"""Views and in-place changes, as PyTorch models them.

A view (``x[1:3]``, ``x.view(2, 2)``, ``x.t()``, ``x.split(2)`` ...) shares its base's memory (its
array is a numpy view of the base's), its base's version counter (``t._version``) and remembers how
it was made from its base (``ViewInfo.steps``: the view ops, replayed on any array of the base's
shape). An in-place op on a view writes through to the base and *rebases* the history: the base's
grad_fn becomes a ``CopySlices`` node that wraps the op's own node, and every view of the base gets
a new grad_fn, ``AsStridedBackward0``, that reads its part of the base's gradient::

    >>> x = r.clone(); v = x[1:3]; v.add_(1)
    >>> x.grad_fn, v.grad_fn                  # CopySlices, AsStridedBackward0

PyTorch's checks before an in-place op on a view are here too (``check_inplace``): a view of a leaf
that requires grad, a view made in no_grad mode, an output of a function that returns several views.
``function.apply`` calls ``made_view`` for every view op and ``check_inplace``/``rebase`` for an
in-place op on a view (bound by ``bind_views`` below, so that function.py does not import this
module); ``node._bump``, which every in-place change goes through, calls ``bump`` (``on_bump``).
"""
from __future__ import annotations

import weakref

import numpy as np

from . import function as _F
from . import node as _node
from .formulas import no_formula
from .grad_mode import _state as _grad_state
from .messages import FREED_MESSAGE
from .node import _Freed, _accumulate_node, _new, _seq

VIEW_OF_LEAF_MESSAGE = "a view of a leaf Variable that requires grad is being used in an in-place operation."
MULTI_OUTPUT_TAIL = (" This view is the output of a function that returns multiple views. Such functions do not allow "
                     "the output views to be modified inplace. You should replace the inplace operation by an "
                     "out-of-place one.")
NO_GRAD_VIEW_MESSAGE = (
    "A view was created in no_grad mode and {how} modified inplace with grad mode enabled. Given that this use case "
    "is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace "
    "either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want "
    "the inplace to be tracked).")
OVERLAP_MESSAGE = ("unsupported operation: more than one element of the written-to tensor refers to a single memory "
                   "location. Please clone() the tensor before performing the operation.")
PARTIAL_OVERLAP_MESSAGE = ("unsupported operation: some elements of the input tensor and the written-to tensor refer to "
                           "a single memory location. Please clone() the tensor before performing the operation.")
DETACH_VIEW_MESSAGE = (
    "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for training, "
    "and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence detach_() cannot be "
    "called on these gradients. To fix this error, please refer to the Optimizer.zero_grad() function in "
    "torch/optim/optimizer.py as the solution.")


class ViewInfo:
    """What a view knows of its base: the root tensor (never itself a view), the view ops that make
    the view from the root's values, and PyTorch's creation meta (None: made the ordinary way;
    ``("multi", output_nr, op)``: one output of split/chunk/unbind; ``("no_grad",)``: made in no_grad)."""
    __slots__ = ("root", "steps", "meta")

    def __init__(self, root, steps, meta):
        self.root, self.steps, self.meta = root, steps, meta


def info(t) -> ViewInfo | None:
    x = t._x
    return None if x is None else x.view


def counter(t) -> list:
    """The tensor's version counter (a one-element list shared with its views and detached aliases)."""
    x = t._extra()
    vc = x.vc
    if vc is None:
        vc = x.vc = [0]
    return vc


def share_counter(new, old) -> None:
    new._extra().vc = counter(old)


def replay(arr, steps):
    """The view ``steps`` make of ``arr`` (an array of the root's shape): a numpy view of it."""
    for fn, params in steps:
        arr = fn.forward(_F._NOCTX, arr, **params)
    return arr


def made_view(t, base, fn, params, meta=None) -> None:
    """Op ``fn`` (with ``params``) made ``t``, a view of ``base``: link them as PyTorch does."""
    parent = info(base)
    if parent is not None:
        root, steps, meta = parent.root, parent.steps + ((fn, params),), parent.meta or meta
    else:
        root, steps = base, ((fn, params),)
    if meta is None and not _grad_state.enabled:
        meta = ("no_grad",)
    x = t._extra()
    x.vc = counter(root)
    x.view = ViewInfo(root, steps, meta)
    rx = root._x
    if rx.views is None:
        rx.views = weakref.WeakSet()
    rx.views.add(t)


def check_inplace(target, vi: ViewInfo) -> None:
    """PyTorch's checks before an in-place op that records a graph on view ``target``."""
    meta = vi.meta
    if meta is not None:
        raise RuntimeError(_rebase_error(target, meta, "is being"))
    root = vi.root
    if target._requires_grad and root.grad_fn is None and root._requires_grad:
        e = RuntimeError(VIEW_OF_LEAF_MESSAGE)
        e._alab_tensor = root  # (the leaf, for a recorder's error event)
        raise e


def _rebase_error(t, meta, how) -> str:
    if meta[0] == "multi":
        return f"Output {meta[1]} of {meta[2]} is a view and {how} modified inplace." + MULTI_OUTPUT_TAIL
    return NO_GRAD_VIEW_MESSAGE.format(how=how)


def check_writable(arr, inputs) -> None:
    """PyTorch refuses an in-place write into an expanded tensor (several elements, one memory location),
    and one whose operand overlaps the memory written without being that very memory (``v -= x[:3]``)."""
    if not isinstance(arr, np.ndarray):
        return
    if not arr.flags.writeable and any(st == 0 and n > 1 for st, n in zip(arr.strides, arr.shape)):
        raise RuntimeError(OVERLAP_MESSAGE)
    for a in inputs[1:]:
        b = getattr(a, "_data", None)
        if b is arr or not isinstance(b, np.ndarray) or not np.may_share_memory(arr, b):
            continue
        same = (b.__array_interface__["data"][0] == arr.__array_interface__["data"][0] and b.shape == arr.shape
                and b.strides == arr.strides)
        if not same and np.shares_memory(arr, b):
            raise RuntimeError(PARTIAL_OVERLAP_MESSAGE)


def bump(t) -> None:
    """An in-place change of ``t`` (called by ``node._bump``): count it on the shared version counter;
    the views of its root get their new grad_fn (PyTorch gives it when they are next looked at; here
    at once)."""
    counter(t)[0] += 1
    vi = info(t)
    root = vi.root if vi is not None else t
    rx = root._x
    if rx is not None and rx.views and root._requires_grad:
        _refresh(root, rx.views)


def _refresh(root, views) -> None:
    edge = root.grad_fn or root._acc or _accumulate_node(root)
    for w in list(views):
        vi = w._x.view
        if vi.meta is not None:  # (split/chunk/unbind outputs, views made in no_grad mode)
            w.grad_fn = StaleView(_rebase_error(w, vi.meta, "its base or another view of its base has been"))
            w._requires_grad = True
            continue
        node = _new(AsStridedBackward0)
        node.needs_input_grad = (True,)
        node._saved = ()
        node._inputs = None
        node._hooks = None
        node._seq = next(_seq)
        node._next = (edge,)
        node._info = (vi.steps, np.shape(root._data), np.result_type(root._data))
        move_retain(w, w.grad_fn, node)
        w.grad_fn = node
        w._requires_grad = True


class StaleView:
    """The grad_fn of an output of split/chunk/unbind, or of a view made in no_grad mode, after its base
    changed in place: PyTorch refuses to use it (an op on the view, ``is_leaf``, reading its grad_fn's
    attributes raise its error; printing the view shows ``grad_fn=<Invalid>``)."""
    __slots__ = ("message",)

    def __init__(self, message):
        self.message = message

    def _refuse(self, *args, **kwargs):
        raise RuntimeError(self.message)

    __bool__ = __repr__ = __call__ = _refuse

    def __getattr__(self, name):
        raise RuntimeError(self.message)


def move_retain(t, old, new) -> None:
    """``retain_grad()`` follows the tensor to its new grad_fn (its other hooks stay on the old one)."""
    h = old._hooks if old is not None else None
    if h is not None and h.retain is not None and h.retain() is t:
        h.retain = None
        new._hooks_obj().retain = weakref.ref(t)


def rebase(target, vi: ViewInfo, node):
    """In-place op ``node`` has changed view ``target``: its root's grad_fn becomes CopySlices (returned)."""
    root = vi.root
    cs = _new(CopySlices)
    root_needs = root._requires_grad
    cs.needs_input_grad = (root_needs,) + tuple(node.needs_input_grad[1:])
    cs._saved = (True,)  # (PyTorch's CopySlices lets go of the op's node after a backward: a second one raises)
    cs._inputs = None
    cs._hooks = None
    cs._seq = node._seq
    cs.fn = node
    cs._info = (vi.steps, np.shape(root._data), np.result_type(root._data))
    cs._next = ((root.grad_fn or root._acc or _accumulate_node(root)) if root_needs else None,) + tuple(node._next[1:])
    move_retain(root, root.grad_fn, cs)
    root.grad_fn = cs
    root._requires_grad = True
    target._requires_grad = True
    return cs


# ---------------------------------------------------------------------------- the nodes
def _region_grad(ctx, g):
    steps, shape, dt = ctx._info
    out = np.zeros(shape, dtype=dt)
    return out, replay(out, steps)


@no_formula("it puts the view's gradient at the view's place in a zero gradient of the base")
class AsStridedBackward0(_F.Function):
    """f(base) = the view of ``base`` a view tensor is (its grad_fn after an in-place change of its base)"""
    __slots__ = ()
    _keeps_dtype = True

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, _F.Tensor):
            raise NotImplementedError("create_graph=True through AsStridedBackward0 is not supported in autograd_lab")
        out, region = _region_grad(ctx, g)
        region[...] = g
        return (out,)


@no_formula("it runs the in-place op's node on the view's part of the gradient and passes the rest through")
class CopySlices(_F.Function):
    """f(base, ...) = base with an in-place op applied to one of its views: PyTorch's node for it"""
    __slots__ = ("fn",)
    _keeps_dtype = True

    def name(self) -> str:
        return "torch::autograd::CopySlices"

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, _F.Tensor):
            raise NotImplementedError(f"create_graph=True through {ctx.name()} (an in-place op on a view) is not "
                                      "supported in autograd_lab")
        inner = ctx.fn
        if ctx._saved.__class__ is _Freed:
            raise RuntimeError(FREED_MESSAGE)
        steps, shape, dt = ctx._info
        out = np.array(g, dtype=dt, copy=True)
        region = replay(out, steps)
        with np.errstate(all="ignore"):
            grads = type(inner).backward(inner, np.array(region, copy=True))
        region[...] = 0 if grads[0] is None else grads[0]
        return (out if ctx.needs_input_grad[0] else None,) + tuple(grads[1:])

    def _release(self) -> bool:
        released = super()._release()
        self.fn._release()
        return released


@no_formula("it passes grad to the source of the copy (summed to its shape) and zeros to the tensor copied into")
class CopyInplace(_F.Function):
    """f(dst, src) = src written into dst (``dst.copy_(src)``, ``t[1:3] = v``)"""
    __slots__ = ()
    _keeps_dtype = True

    def name(self) -> str:
        return "torch::autograd::CopyBackwards"

    def __repr__(self) -> str:
        return f"<CopyBackwards object at {hex(id(self))}>"

    @staticmethod
    def forward(ctx, dst, src):
        ctx._info = (_F._shape(src), np.result_type(dst))
        return np.array(np.broadcast_to(src, _F._shape(dst)), dtype=np.result_type(dst))

    @staticmethod
    def backward(ctx, g):
        shape, dt = ctx._info
        gd = np.zeros(np.shape(g), dtype=dt) if ctx.needs_input_grad[0] else None
        return gd, (_F.unbroadcast(g, shape) if ctx.needs_input_grad[1] else None)


_F.bind_views(made_view, check_inplace, rebase, bump, check_writable, move_retain)
_node.on_bump = bump  # every in-place change the core records (node._bump) counts on the version counter
