"""The backward engine: iterative, dependency-counting, in PyTorch's order.

``run_backward`` first walks the graph from the roots and counts, for every node, how
many edges lead into it. A node runs once all of its consumers have sent their gradient
(its count drops to zero), so there is no recursion and a 100,000-deep chain is fine.
Among ready nodes the one created last runs first, and AccumulateGrad nodes before any
other, as in PyTorch's ready queue. After a node runs, its saved values are freed unless
``retain_graph=True``. This loop is the only place backward events are emitted from.
"""
from __future__ import annotations

import heapq
import warnings

import numpy as np

from . import function as F
from . import node as _node
from . import recording as _rec
from .recording import NODE_RECORD
from .grad_mode import _state as _grad_state
from .messages import CREATE_GRAPH_WARNING, POST_ACCUMULATE_RETURN_MESSAGE
from .node import TensorBase as Tensor
from .node import _wrap
from .ops.special import CopyBackwards

_ACC_PRIORITY = -(1 << 62)


class _Tie:
    """An AccumulateGrad node in its heap entry: never less than another one.

    PyTorch's ready queue is a ``std::priority_queue`` ordered by sequence number alone, and every
    AccumulateGrad node has the largest one (UINT64_MAX), so among themselves they are equal and
    their order is whatever the heap's sifting leaves. heapq sifts exactly as libstdc++'s
    push_heap/pop_heap do (down to a leaf, the right child on ties, then up while strictly better),
    so entries that compare equal here come out in torch's order (``y = x * c``: x, then c)."""
    __slots__ = ("node",)

    def __init__(self, node):
        self.node = node

    def __lt__(self, other):
        return False


def _entry(node) -> tuple:
    """A node's heap entry: the one created last first, AccumulateGrad nodes before any other
    (wrapped in a _Tie; other nodes have distinct sequence numbers, so they are never compared)."""
    if node.__class__ is F.AccumulateGrad:
        return (_ACC_PRIORITY, _Tie(node))
    return (-node._seq, node)


def backward(tensor: Tensor, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
    """``tensor.backward()``: add d tensor / d leaf into every leaf's ``.grad``."""
    capture = None if inputs is None else backward_inputs(inputs)
    if gradient is not None and not isinstance(gradient, Tensor):
        # PyTorch turns `gradient` into a tuple of gradients: a number fails, a list's first item is used
        gradient = tuple(gradient) if not isinstance(gradient, str) else (gradient,)
        if not gradient:
            raise RuntimeError("got 1 tensors and 0 gradients")
        gradient = gradient[0]
    seed = _seed(tensor, gradient, 0)
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        warn_create_graph_cycle()
    run_backward((tensor,), (seed,), bool(retain_graph), bool(create_graph), capture, capture is not None, "backward",
                 into_grad=capture is not None)


def backward_inputs(inputs) -> list:
    """``backward(inputs=...)``'s tensors, checked as PyTorch checks them (their gradients are accumulated
    into their ``.grad``, and no other tensor's)."""
    ins = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if not ins:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    for t in ins:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"all inputs have to be Tensors or GradientEdges, but got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    return ins


_warned = set()  # PyTorch's TORCH_WARN_ONCE: these warnings appear once per process


def warn_create_graph_cycle() -> None:
    if "create_graph" not in _warned:
        _warned.add("create_graph")
        warnings.warn(CREATE_GRAPH_WARNING, UserWarning, stacklevel=3)


def _about(exc: Exception, t) -> Exception:
    """``exc``, noting the tensor it is about for a recorder (``_alab_tensor``, as ``_alab_node``)."""
    exc._alab_tensor = t
    return exc


def _root_node(t: Tensor):
    if not isinstance(t, Tensor):
        raise TypeError(f"backward expects tensors, got {type(t).__name__}")
    if t.grad_fn is not None:
        return t.grad_fn
    if t._requires_grad:
        return F._accumulate_node(t)
    raise _about(RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn"), t)


def _seed(t: Tensor, gradient, i: int):
    """The gradient that starts backward at output ``t`` (implicitly 1 for a scalar)."""
    if not isinstance(t, Tensor):
        raise TypeError(f"backward expects tensors, got {type(t).__name__}")
    if gradient is None:
        if not t._requires_grad:
            raise _about(RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn"), t)
        if np.size(t._data) != 1:
            raise _about(RuntimeError("grad can be implicitly created only for scalar outputs"), t)
        return np.ones_like(t._data)
    if not isinstance(gradient, Tensor):
        raise TypeError(f"gradients can be either Tensors or None, but got {type(gradient).__name__}")
    if np.shape(gradient._data) != np.shape(t._data):
        raise RuntimeError(
            f"Mismatch in shape: grad_output[{i}] has a shape of {gradient.shape!r} and output[{i}] has a shape of {t.shape!r}.")
    return gradient


def run_backward(roots, seeds, retain_graph: bool, create_graph: bool, capture, allow_unused: bool, call: str,
                 materialize: bool = False, into_grad: bool = False):
    """Propagate ``seeds`` from ``roots`` through the graph.

    ``capture``: None for ``backward()`` (gradients accumulate into leaves), or the list of
    input tensors of ``autograd.grad``, whose gradients are returned and not stored
    (``materialize``: an unused input's gradient is zeros, not None; ``into_grad``: backward(inputs=...),
    the captured gradients are accumulated into the inputs' ``.grad`` and nothing is returned).
    """
    root_nodes = [_root_node(t) for t in roots]
    made = ()
    if create_graph:  # the implicit seeds become tensors of the graph being built: made by this call
        made = [i for i, sd in enumerate(seeds) if not isinstance(sd, Tensor)]
        seeds = tuple(_wrap(sd, False, None) if i in made else sd for i, sd in enumerate(seeds))
    if _rec.unsettled:
        _rec.settle()  # (backward frees saved values and changes .grad: a finished trace builds first)
    tr = _rec.active
    if tr is not None:
        tr.backward_begin(call, roots, root_nodes, seeds, retain_graph, create_graph, capture or ())
        for i in made:
            tr.seed(seeds[i])
    prev_grad, prev_unpack = _grad_state.enabled, _node.unpack_tensors
    _grad_state.enabled = create_graph
    _node.unpack_tensors = create_graph
    try:
        with np.errstate(all="ignore"):  # PyTorch prints no floating point warnings (function.quiet)
            results = _execute(root_nodes, seeds, retain_graph, create_graph, capture, allow_unused, tr, into_grad)
    except Exception as e:
        if tr is not None:
            tr.record_error(e, getattr(e, "_alab_node", None))  # (once per error: the recorder checks)
        raise
    finally:
        _grad_state.enabled = prev_grad
        _node.unpack_tensors = prev_unpack
    if materialize:  # (under create_graph=True PyTorch's zeros require grad)
        results = tuple(_wrap(np.zeros_like(t._data), bool(create_graph), None) if r is None else r
                        for t, r in zip(capture, results))
    if into_grad:
        results = None
    if tr is not None:
        tr.done(call, roots, results or ())
    return results


def _as_value(g, create_graph: bool):
    """A gradient as the engine carries it: a numpy value, or a Tensor when create_graph=True."""
    if isinstance(g, Tensor):
        return g if create_graph else g._data
    return _wrap(g, False, None) if create_graph else g


def _as_tensor(g):
    return g if isinstance(g, Tensor) or g is None else _wrap(g, False, None)


def _discover(root_nodes) -> dict:
    """Count the edges into every node reachable from the roots (iteratively); roots start at 0."""
    deps = dict.fromkeys(root_nodes, 0)
    stack = list(deps)
    push, pop = stack.append, stack.pop
    while stack:
        for nxt in pop()._next:
            if nxt in deps:
                deps[nxt] += 1
            elif nxt is not None:
                deps[nxt] = 1
                push(nxt)
    return deps


def _needed(root_nodes, targets):
    """For autograd.grad: the nodes that lie on a path from a root to a captured input."""
    order = []
    deps = _discover(root_nodes)
    ready = [n for n in root_nodes if deps.get(n, 0) == 0]
    ready = list(dict.fromkeys(ready))
    while ready:
        n = ready.pop()
        order.append(n)
        for nxt in n._next:
            if nxt is not None:
                deps[nxt] -= 1
                if deps[nxt] == 0:
                    ready.append(nxt)
    reaches = {}
    for n in reversed(order):
        reaches[n] = any(nxt is not None and (nxt in targets or reaches.get(nxt, False))
                         for nxt in n._next)
    return {n for n, r in reaches.items() if r}


def _execute(root_nodes, seeds, retain_graph, create_graph, capture, allow_unused, tr, into_grad=False):
    deps = _discover(root_nodes)
    targets = None
    if capture is not None:
        targets = {}
        for i, t in enumerate(capture):
            node = t.grad_fn if t.grad_fn is not None else F._accumulate_node(t)
            targets.setdefault(node, []).append(i)
        run = _needed(root_nodes, targets)
        deps = {}
        for n in run:
            for nxt in n._next:
                if nxt is not None:
                    deps[nxt] = deps.get(nxt, 0) + 1
        captured = [None] * len(capture)
    buffers: dict = {}
    heap: list = []
    for node, seed in zip(root_nodes, seeds):
        g = _as_value(seed, create_graph)
        buf = buffers.get(node)
        buffers[node] = g if buf is None else buf + g
    for node in dict.fromkeys(root_nodes):
        if deps.get(node, 0) == 0:
            heapq.heappush(heap, _entry(node))
    AccumulateGrad, FREED = F.AccumulateGrad, F._FREED
    heappush, heappop = heapq.heappush, heapq.heappop
    follow = None  # the one node that just became ready while the heap was empty: no heap trip needed
    if tr is not None:
        record, call_source = tr.node_recorder()
    while follow is not None or heap:
        if follow is not None:  # (its gradient is follow_g, not in buffers)
            node, g, follow = follow, follow_g, None
        else:
            node = heappop(heap)[1]
            if node.__class__ is _Tie:
                node = node.node
            g = buffers.pop(node, None)
        if g is None:  # every gradient meant for this node was dropped by a hook, or pruned
            if targets is not None and node not in run:
                continue  # autograd.grad does not run (nor free) what leads to none of its inputs
            _run_undefined(node, deps, heap, retain_graph, tr)
            continue
        cls = node.__class__
        hooks = node._hooks
        if hooks is not None or (cls is AccumulateGrad and node.variable._x is not None):
            # a node autograd.grad does not run (an input's own node) gets no pre-hook call, as in PyTorch
            skipped = targets is not None and node not in run and not (into_grad and cls is AccumulateGrad)
            g = _pre_hooks(node, g, hooks, create_graph, tr, skipped)
            if g is None:  # a prehook returned (None,)
                if targets is not None and node not in run:
                    continue
                _run_undefined(node, deps, heap, retain_graph, tr)
                continue
        if targets is not None:
            if node in targets:
                for i in targets[node]:
                    captured[i] = g
                if into_grad:
                    _into_grad(node, capture[targets[node][0]], g, create_graph, tr)
            if node not in run:
                continue
        if cls is AccumulateGrad:
            if targets is None:
                _accumulate(node, g, create_graph, tr)
            continue
        try:
            grads = node.backward(node, g)
        except Exception as e:
            e._alab_node = node
            raise
        if targets is not None:  # PyTorch computes no gradient for an edge that leads to no input
            grads = tuple([None if nxt is not None and nxt not in run and nxt not in targets else gi
                           for nxt, gi in zip(node._next, grads)])
        if hooks is not None and hooks.post:
            # PyTorch's order: the node has computed (recorded now), its post-hooks see its outputs
            # (its saved values still readable) and may replace them, then its saved values are freed
            if tr is not None:
                record((NODE_RECORD, node, g, call_source, False, len(grads), *grads))
            grads = _post_hooks(node, grads, g, hooks, create_graph, tr)
            if not retain_graph and node._release() and tr is not None:
                tr.release(node)
        else:
            if not retain_graph and node._saved:  # node._release(), inline: this loop runs once per node
                node._saved = FREED
                node._inputs = None
                released = True
            else:
                released = False
            if tr is not None:  # a node event, then a release event when its saved values were freed
                if len(grads) == 2:  # (spelled out: *grads costs 50 ns more, and this runs once per node)
                    record((NODE_RECORD, node, g, call_source, released, 2, grads[0], grads[1]))  # (layout: recording.NodeRecord)
                else:
                    record((NODE_RECORD, node, g, call_source, released, len(grads), *grads))
        i = 0
        ready = None
        for nxt in node._next:
            gi = grads[i]  # None: a hook dropped it; the next node still counts this edge as done
            i += 1
            if nxt is None:
                continue
            d = deps[nxt] - 1
            deps[nxt] = d
            if d == 0:  # nxt is ready: its gradient is complete (kept aside, not in buffers, if it runs next)
                buf = buffers.pop(nxt, None)
                if buf is not None:
                    gi = buf if gi is None else buf + gi
                if ready is not None:
                    heappush(heap, _entry(ready))
                    buffers[ready] = ready_g
                ready, ready_g = nxt, gi
            elif gi is not None:
                buf = buffers.get(nxt)
                buffers[nxt] = gi if buf is None else buf + gi
        if ready is not None:
            if heap:  # others are waiting: PyTorch's order decides
                heappush(heap, _entry(ready))
                buffers[ready] = ready_g
            else:
                follow, follow_g = ready, ready_g
    if capture is None:
        return None
    results = []
    for i, (t, g) in enumerate(zip(capture, captured)):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"The differentiated Tensor at index {i} appears to not have been used in the graph. "
                "Set allow_unused=True if this is the desired behavior.")
        # (cast to the input's dtype, as PyTorch's engine casts every gradient it passes on: a number saved
        # by a graph made under create_graph=True is an int64 or float64 array, which numpy would promote)
        results.append(None if g is None else (g if isinstance(g, Tensor) else
                                               _wrap(np.array(g, dtype=t._data.dtype, copy=True), False, None)))
    return tuple(results)


def _run_undefined(node, deps, heap, retain_graph, tr) -> None:
    """A node that received no gradient (hooks dropped it) still runs, as in PyTorch, where its
    gradient is an undefined tensor: it sends None on every edge and frees its saved values.
    AccumulateGrad leaves ``.grad`` alone (and calls no post-accumulate hook), as torch's does."""
    if node.__class__ is not F.AccumulateGrad:
        released = not retain_graph and node._release()
        if tr is not None:
            record, call_source = tr.node_recorder()
            n = len(node._next)
            record((NODE_RECORD, node, None, call_source, released, n, *((None,) * n)))
    for nxt in node._next:
        if nxt is not None and nxt in deps:
            deps[nxt] -= 1
            if deps[nxt] == 0:
                heapq.heappush(heap, _entry(nxt))


def _pre_hooks(node, g, hooks, create_graph, tr, capturing=False):
    """Tensor hooks, then retain_grad, then the node's pre-hooks (PyTorch's order).

    ``capturing`` (autograd.grad): an input's gradient is captured after its tensor hooks and its
    node does not run, so that node's own pre-hooks do not fire (as in PyTorch)."""
    if node.__class__ is F.AccumulateGrad:
        x = node.variable._x
        tensor_hooks = x.hooks if x is not None else None
        owner = node.variable
    else:
        tensor_hooks = hooks.tensor_hooks if hooks is not None else None
        owner = None
    if tensor_hooks:
        for fn in list(tensor_hooks.values()):
            gt = _as_tensor(g)
            r = fn(gt)
            if r is not None:
                _check_hook_value(fn, gt, r)
                g = _as_value(r, create_graph)
            if tr is not None:
                tr.hook("tensor", node, owner if owner is not None else _retained(hooks), fn, gt, r)
    if hooks is not None and hooks.retain is not None:
        t = hooks.retain()
        if t is not None:
            before = t._grad
            if before is None:
                t._grad = _wrap(np.array(g, copy=True), False, None) if not isinstance(g, Tensor) else g
            else:
                t._grad = _wrap(before._data + (g._data if isinstance(g, Tensor) else g), False, None)
            if tr is not None:
                tr.hook("retain_grad", node, t, None, _as_tensor(g), t._grad)
    if hooks is not None and hooks.pre and not capturing:
        for fn in list(hooks.pre.values()):
            gt = (_as_tensor(g),)
            r = fn(gt)
            if r is not None:
                _check_hook_values(fn, gt, r)
                g = None if r[0] is None else _as_value(r[0], create_graph)
                if g is None:
                    return None
            if tr is not None:
                tr.hook("prehook", node, None, fn, gt, r)
    return g


def _hook_name(fn) -> str:
    return getattr(fn, "__name__", "<unknown>")


def _check_hook_value(fn, old, new) -> None:
    """PyTorch's check_single_result: a hook may return None or a tensor like the one it was given."""
    if old is None:
        raise RuntimeError("can't replace a None gradient with a non-None value")
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    if new._data.dtype != old._data.dtype:
        raise RuntimeError(f"hook '{_hook_name(fn)}' has changed the type of value (was {_type_string(old)} "
                           f"got {_type_string(new)})")
    if new.shape != old.shape:
        raise RuntimeError(f"hook '{_hook_name(fn)}' has changed the size of value")


def _check_hook_values(fn, old: tuple, new) -> None:
    """PyTorch's check_result for node hooks: a tuple with one entry per gradient."""
    if not isinstance(new, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(new).__name__}'")
    if len(new) != len(old):
        raise RuntimeError(f"hook '{_hook_name(fn)}' has returned an incorrect number of values "
                           f"(got {len(new)}, but expected {len(old)})")
    for o, n in zip(old, new):
        if n is not None:
            _check_hook_value(fn, o, n)


def _type_string(t: Tensor) -> str:
    return {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor", "int64": "torch.LongTensor",
            "bool": "torch.BoolTensor"}[t._data.dtype.name]


def _retained(hooks):
    t = hooks.retain() if hooks is not None and hooks.retain is not None else None
    return t


def _post_hooks(node, grads, g, hooks, create_graph, tr):
    for fn in list(hooks.post.values()):
        gi = tuple(_as_tensor(x) for x in grads)
        r = fn(gi, (_as_tensor(g),))
        if r is not None:
            _check_hook_values(fn, gi, r)
            grads = tuple(_as_value(x, create_graph) if x is not None else None for x in r)
        if tr is not None:
            tr.hook("hook", node, None, fn, gi, r)
    return grads


def _into_grad(node, t, g, create_graph, tr) -> None:
    """backward(inputs=...): input ``t``'s gradient ``g`` added into ``t.grad`` (a leaf's through its
    AccumulateGrad, with its post-accumulate hooks; a non-leaf's as retain_grad keeps it)."""
    if node.__class__ is F.AccumulateGrad:
        _accumulate(node, g, create_graph, tr)
        return
    old = t._grad
    if old is None:
        t._grad = g if isinstance(g, Tensor) else _wrap(np.array(g, copy=True), False, None)
    else:
        t._grad = _wrap(old._data + (g._data if isinstance(g, Tensor) else g), False, None)


def _accumulate(node, g, create_graph, tr):
    """AccumulateGrad: ``leaf.grad = g`` the first time, ``leaf.grad += g`` after that."""
    var = node.variable
    old = var._grad
    before = None if old is None or tr is None else tr.freeze(old._data)
    if create_graph:
        gt = g if isinstance(g, Tensor) else _wrap(g, False, None)
        if old is not None:
            var._grad = old + gt
        elif gt._requires_grad:
            var._grad = F.apply(CopyBackwards, None, gt)
        else:
            var._grad = _wrap(np.array(gt._data, copy=True), False, None)
    elif old is None:
        arr = np.array(g, dtype=var._data.dtype, copy=True)
        if arr.shape != np.shape(var._data):
            arr = np.array(np.broadcast_to(arr, np.shape(var._data)))
        new = _wrap(arr, False, None)
        new._extra().grad_owner = var
        var._grad = new
    else:
        if tr is not None:
            tr.flush()  # pending events may refer to the gradient changed in place below
        old_arr = old._array()
        if old_arr.flags.writeable:
            old_arr += g
        else:
            old._data = old_arr + g
    if tr is not None:
        tr.accumulate(node, var, before, g, var._grad._data)
    x = var._x
    if x is not None and x.post_acc_hooks:
        for fn in list(x.post_acc_hooks.values()):
            r = fn(var)
            if r is not None and r is not var:  # (the tensor itself is allowed: p.add_(...) returns it)
                if isinstance(r, Tensor):
                    raise RuntimeError(POST_ACCUMULATE_RETURN_MESSAGE)
                raise TypeError(f"expected Variable, but hook returned '{type(r).__name__}'")
            if tr is not None:
                tr.hook("post_accumulate", node, var, fn, var._grad, None)
    hooks = node._hooks
    if hooks is not None and hooks.post:
        for fn in list(hooks.post.values()):
            fn((), (_as_tensor(g),))
            if tr is not None:
                tr.hook("hook", node, var, fn, (), None)
