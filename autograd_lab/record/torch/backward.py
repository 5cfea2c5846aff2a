"""The backward half of the real-torch recorder (recorder.py): ``backward()`` and
``autograd.grad()`` calls, each node as torch's engine runs it, AccumulateGrad, releases, errors,
and the user's tensor hooks.

Around each backward call a hook goes on every node reachable from the roots (an iterative
walk; it gives the node's gradients in and out, in the engine's order), and a pre-hook only where
something must be read before the node runs: the roots (the engine's start), AccumulateGrad
(``.grad`` before), ``retain_grad``, and the nodes that can raise (whose error must name them):
nodes that ran in a non-retaining backward, nodes made before the trace, custom Function nodes,
and every node once the trace has seen an in-place op, a user hook or a read of ``grad_fn``. The
hooks are removed after the call. They are registered through a cheap stand-in for torch's
``_register_hook`` (installed only while they are put on): torch's own makes a RemovableHandle
each, about 2 us a node.

Everything is queued raw, in order (``TorchRecorder.raw``): a node's run (its gradients in and
out), the backward event, AccumulateGrad's before/after (taken at once: torch adds into ``.grad``
in place), hooks, errors, the done event. They are built when the trace's events are read, or
before a torch call that changes a tensor in place; a node's release check is made then: after a
non-retaining backward, reading one of the node's ``_saved_*`` attributes must raise.
"""
from __future__ import annotations

import functools
import itertools
import re
import sys
import threading
from collections import OrderedDict

import numpy as np

from ..columns import snapshot
from ..layout import (AccumulateEvent, BackwardEvent, DoneEvent, ErrorEvent, HookEvent, NodeEvent, ReleaseEvent,
                      TensorEvent)
from .vocab import (ACC, CUSTOM, EVENT, LINK, NODE, NODE_KINDS, SEE, Later, Light, Ref, fn_name, node_kind, node_ran,
                    same_memory)

_KEY = [-1]  # the next key of our hooks in a node's hook dict (they count down; torch's handles count up)
VERIFY_RELEASES = 64  # per backward call, releases checked by reading a _saved_* attribute (about 0.1 ms
#                       each); beyond that torch's rule (a non-retaining backward frees every node it ran) is used


def _node_hooks(rec):
    """The hook and pre-hook put on every node (but AccumulateGrad's), which ask torch which node runs
    (``torch._C._current_autograd_node``): no object per node. None where torch has no such call (each
    node's Ref is its hook then)."""
    current = getattr(rec.torch._C, "_current_autograd_node", None)
    if current is None:
        return None, None

    def ran(grad_inputs, grad_outputs):
        node_ran(rec, current(), grad_inputs, grad_outputs)

    def node_runs(grad_outputs):
        if rec.begin is not None:
            rec.started()
        rec.running = current()
    return ran, node_runs


def _hook_registrar(original, owner, keys, made):
    """A stand-in for ``torch.autograd.Function._register_hook`` while the recorder puts its hooks on:
    the hook goes into the node's dict under the next key of ``keys`` (negative: torch's handles
    count up from 0); the dict and the key go on ``made`` (flat), to remove the hook by; the
    "handle" torch hands back is the dict. Any other thread's registration goes to torch's own."""
    def register(hooks, hook, get_ident=threading.get_ident):
        if get_ident() != owner:
            return original(hooks, hook)
        if hooks is None:
            hooks = OrderedDict()  # (as torch's: a RemovableHandle of the user's takes a weak reference to it)
        k = next(keys)
        hooks[k] = hook
        made.append(hooks)
        made.append(k)
        return hooks, hooks
    return staticmethod(register)

def _root_rejected(message: str, roots, grads):
    """The root torch rejected before its engine started, from its message (None if not known):
    ``element i of tensors does not require grad ...``, or the first non-scalar root without a gradient."""
    m = re.match(r"element (\d+) of tensors does not require grad", message)
    if m is not None:
        i = int(m.group(1))
        return roots[i] if i < len(roots) else None
    if message.startswith("grad can be implicitly created only for scalar outputs"):
        for i, r in enumerate(roots):
            if (i >= len(grads) or grads[i] is None) and r.numel() != 1:
                return r
    return None


_BACKWARD_KEYWORDS = frozenset({"gradient", "retain_graph", "create_graph", "inputs"})  # Tensor.backward's

class BackwardRecorder:
    """Mixed into TorchRecorder, whose ids, values, events and raw queue it uses."""

    # ------------------------------------------------------------------ hooks of the user's
    def wrap_hook(self, kind, t, fn):
        if not callable(fn):
            return fn
        rec = self

        rec.hooked = True  # (its firing is recorded: no iteration is summarised, thin.py)
        rec.risky = rec.grads_shared = True  # (every node of a later backward gets a pre-hook: an error
        #                                        must name its node; the hook gets a node's gradient)
        if kind == "register_hook":
            def hook(grad):
                rec.started()
                with rec.mode:
                    r = fn(grad)
                if r is not None and not (isinstance(r, rec.Tensor) and r.shape == grad.shape
                                          and r.dtype == grad.dtype):
                    return r  # torch rejects it next, with its own message (the error event)
                try:
                    node = t.grad_fn
                    nref = rec.ref(node) if node is not None else rec.acc_of.get(rec.tid(t))
                    rec.emit(HookEvent, rec.call_src, which="tensor", node=rec.tid(nref) if nref is not None else None,
                             tensor=rec.tid(t), fn=fn_name(fn), grad_in=(rec.value(grad),),
                             grad_out=None if r is None else (rec.value(r) if isinstance(r, rec.Tensor) else repr(r),))
                except Exception:
                    pass
                return r
        else:
            def hook(tensor):
                rec.started()
                acc = rec.acc_of.get(rec.tid(t))
                if acc is not None and not acc.acc_done:
                    try:
                        rec.accumulated(acc, None)
                    except Exception:
                        pass
                with rec.mode:
                    r = fn(tensor)
                try:
                    rec.emit(HookEvent, rec.call_src, which="post_accumulate",
                             node=rec.tid(acc) if acc is not None else None, tensor=rec.tid(t), fn=fn_name(fn),
                             grad_in=(rec.value(t.grad),) if t.grad is not None else (None,), grad_out=None)
                except Exception:
                    pass
                return r
        try:
            functools.update_wrapper(hook, fn)
        except (AttributeError, TypeError):
            pass
        return hook

    # ------------------------------------------------------------------ backward and autograd.grad
    def backward(self, call, func, args, kwargs):
        src = self.source()
        if len(args) == 1 and func is self.Tensor.backward and kwargs.keys() <= _BACKWARD_KEYWORDS:
            b = dict(kwargs, self=args[0])  # (``loss.backward()``: torch passes its keywords by name)
        else:
            try:
                b = self.signatures[func].bind(*args, **kwargs).arguments
            except TypeError:
                return func(*args, **kwargs)  # torch gives its own error
        Tensor = self.Tensor
        roots = b.get("tensor", b.get("tensors", b.get("self", b.get("outputs"))))
        roots = [roots] if isinstance(roots, Tensor) else [r for r in (roots or ()) if isinstance(r, Tensor)]
        grads = b.get("gradient", b.get("grad_tensors", b.get("grad_outputs")))
        grads = [grads] if isinstance(grads, Tensor) or grads is None else list(grads)
        create = bool(b.get("create_graph", False))
        if create or call == "autograd.grad":  # (the user gets gradients a node sent)
            self.grads_shared = True
        retain = b.get("retain_graph")
        retain = create if retain is None else bool(retain)
        inputs = b.get("inputs")
        inputs = [inputs] if isinstance(inputs, Tensor) else [i for i in (inputs or ()) if isinstance(i, Tensor)]
        self.scan_variables()
        root_refs = [self.ref(r.grad_fn) for r in roots if r.grad_fn is not None]
        seeds = []
        for i, r in enumerate(roots):
            g = grads[i] if i < len(grads) else None
            seeds.append(self.value(g) if isinstance(g, Tensor) else (1.0 if r.dim() == 0 else
                                                                       snapshot(np.ones(tuple(r.shape)))))
        # queued: the roots linked (a root made before the trace), then shown, then the backward event
        begin = []  # (flat raw records, as TorchRecorder.raw)
        for r in root_refs:
            if r.var is None:
                begin += (LINK, r, src, self.at)
        for t in roots + inputs:
            begin += (SEE, t, src)
        self.held += roots + inputs
        begin += (EVENT, BackwardEvent, src, BackwardEvent.pack(
            call=call, roots=tuple(self.tid(r) for r in roots), nodes=tuple(self.tid(r) for r in root_refs),
            seeds=tuple(seeds), retain_graph=retain, create_graph=create, inputs=tuple(self.tid(i) for i in inputs)))
        if create:  # torch's engine makes a tensor of each implicit seed (in C++), as the core's does
            for i, r in enumerate(roots):
                if not isinstance(grads[i] if i < len(grads) else None, Tensor):
                    seed = self.torch.ones_like(r, requires_grad=False)
                    begin += (EVENT, TensorEvent, src,
                              TensorEvent.pack(tensor=self.tid(seed), **self.tensor_fields(seed, "seed")))
        handles = self.hook_graph(root_refs)
        outer = (self.call_src, self.retain, self.begin)
        # the backward event is recorded when the engine starts (its first hook) or returns: when
        # torch rejects the arguments first, the trace shows only the error, as the core's does
        self.call_src, self.retain, self.begin = src, retain, begin
        self.running = None
        self.calls += 1
        try:
            result = func(*args, **kwargs)
            self.started()
        except Exception as e:
            if self.begin is not None:  # torch rejected the call before its engine started: no backward event
                self.begin = None
            node = self.ref(self.running) if self.running is not None else None
            self.trace._recorded_errors.add(id(e))
            about = _root_rejected(str(e), roots, grads) if node is None else None
            self.emit(ErrorEvent, src, error=type(e).__name__, message=str(e),
                      node=self.tid(node) if node is not None else None, name=node.label if node is not None else None,
                      tensor=self.see(about, src) if about is not None else None)
            raise
        finally:
            for i in range(0, len(handles), 2):  # (hook dict, key of ours), flat
                handles[i].pop(handles[i + 1], None)
            self.started()
            self.call_src, self.retain, self.begin = outer
        results = (tuple(self.value(x) if isinstance(x, Tensor) else None for x in result)
                   if call == "autograd.grad" else ())
        self.emit(DoneEvent, src, call=call, roots=tuple(self.see(r, src) for r in roots), results=results)
        self.iteration_ends()  # (a long loop: what is queued is compacted, thin.py)
        self.loop_check()  # (a long loop's later iterations: summaries, thin.py)
        return result

    def hook_graph(self, root_refs) -> list:
        """A hook on every node reachable from the roots (an iterative walk), a pre-hook where one is
        needed (module docstring); returns (hook dict, key) of each, flat. A node torch will not hook
        ends the walk: the trace then shows fewer node steps, never an error in the user's code."""
        made, seen = [], set()
        stack = list({id(r.node): r.node for r in root_refs}.values())  # (each node once: marked seen when pushed)
        # (thin mode, a long loop's later iterations (thin.py): no pre-hook for the risk an in-place op,
        # a user hook or a read of grad_fn brings: an error there names no node; a pre-hook per node
        # was a fifth of the loop's recording)
        risky = (self.risky and not self.thin) or self.seq0 is None
        refs, ref, seq0 = self.refs, self.ref, self.seq0
        kinds, freed = NODE_KINDS, self.freed
        if self.node_hooks is None:
            self.node_hooks = _node_hooks(self)
        node_ran, node_runs = self.node_hooks
        Function = self.torch.autograd.Function
        had = "_register_hook" in Function.__dict__
        original = Function._register_hook
        keys = itertools.count(_KEY[0], -1)
        Function._register_hook = _hook_registrar(original, threading.get_ident(), keys, made)
        try:
            for r in root_refs:  # (the engine starts at the roots)
                r.node.register_prehook(self.pre_hook(r))
            pop, push, add = stack.pop, stack.append, seen.add
            for r in root_refs:
                add(id(r.node))
            while stack:
                node = pop()
                kind = kinds.get(type(node))
                if kind is None:
                    kind = node_kind(type(node))
                r = refs.get(id(node))
                if node_ran is not None and kind != ACC:  # (the common case: no object per node)
                    node.register_hook(node_ran)
                    if (risky or id(node) in freed or (r is not None and r.retained is not None)
                            or kind == CUSTOM or node._sequence_nr() < seq0):
                        if r is None or r not in root_refs:  # (a root has its pre-hook already)
                            node.register_prehook(node_runs if r is None or r.retained is None
                                                  else self.pre_hook(r))
                    for n, _ in node.next_functions:
                        if n is not None and id(n) not in seen:
                            add(id(n))
                            push(n)
                    continue
                if r is None:
                    if kind == ACC:
                        r = ref(node)
                    else:
                        r = refs[id(node)] = Ref(node, None, self)
                if r.var is not None:  # AccumulateGrad: .grad before (at its run, or now) and after
                    if risky:  # (a hook of the user's may change .grad before the node runs)
                        node.register_prehook(self.pre_hook(r))
                    else:
                        g = r.var.grad
                        r.before, r.acc_done = (self.snap(g) if g is not None else None), False
                    node.register_hook(r)
                    continue
                node.register_hook(r)  # (the Ref is the hook: Ref.__call__)
                if (risky or r.retained is not None or id(node) in freed or kind == CUSTOM
                        or node._sequence_nr() < seq0):
                    if r not in root_refs:  # (a root has its pre-hook already)
                        node.register_prehook(self.pre_hook(r))
                for n, _ in node.next_functions:
                    if n is not None and id(n) not in seen:
                        add(id(n))
                        push(n)
        except Exception:  # (a node torch will not hook: the hooks put on so far stay, to be removed)
            pass
        finally:
            _KEY[0] = next(keys)
            if had:
                Function._register_hook = original
            else:
                del Function._register_hook
        return made

    def pre_hook(self, r):
        if r.var is None and r.retained is None:
            def pre(grad_outputs):  # (runs once per node: kept minimal)
                if self.begin is not None:
                    self.started()
                self.running = r.node
            return pre

        def pre_acc(grad_outputs):
            try:
                pre_acc_body(grad_outputs)
            except Exception:
                pass

        def pre_acc_body(grad_outputs):
            if self.begin is not None:
                self.started()
            self.running = r.node
            if r.var is not None:
                g = r.var.grad
                r.before, r.acc_done = (self.snap(g) if g is not None else None), False
            else:
                t = r.retained
                self.emit(HookEvent, self.call_src, which="retain_grad", node=self.tid(r), tensor=self.tid(t), fn="None",
                          grad_in=(self.value(grad_outputs[0]),),
                          grad_out=(self.value(t.grad),) if t.grad is not None else None)
        return pre_acc

    def post_acc(self, r, grad_outputs) -> None:
        """AccumulateGrad ran (its hook: Ref.__call__)."""
        if grad_outputs[0] is None:  # torch's AccumulateGrad does nothing with an undefined gradient
            r.acc_done = True
        elif not r.acc_done:
            try:
                self.accumulated(r, grad_outputs[0])
            except Exception:
                pass

    def build_node(self, r, grad_inputs, grad_outputs, src, mode, call) -> None:
        value, Tensor = self.value, (self.Tensor, Light)  # (Light: a long loop's later iteration, thin.py)
        if mode == 3:  # (thin.py: released, by torch's rule, not checked by reading)
            mode = 2 if r.saved else 0
        elif mode and r.saved:  # (after a non-retaining backward: its first nodes checked by reading)
            if call != self.checked_call:
                self.checked_call, self.checks = call, 0
            self.checks += 1
            mode = 1 if self.checks <= VERIFY_RELEASES else 2
        else:
            mode = 0
        g = grad_outputs[0] if len(grad_outputs) == 1 else grad_outputs
        gout = value(g) if isinstance(g, Tensor) else (  # (a node of several outputs: a list, one per output)
            None if g is None else [value(x) if x is not None else None for x in g])
        gin = tuple([value(x) if x is not None else None for x in grad_inputs])
        self.emit(NodeEvent, src, node=self.tid(r), name=r.label, grad_output=gout, grad_inputs=gin, next=r.next)
        if mode == 1:  # torch freed the node's saved values right after it ran: reading one now raises
            for a in r.saved:
                try:
                    getattr(r.node, a)
                except RuntimeError:
                    break
            else:
                return
        if mode:
            self.emit(ReleaseEvent, src, node=self.tid(r), name=r.label, saved=r.saved)

    def accumulated(self, r, added) -> None:
        var = r.var
        g = var.grad
        if g is not None:
            self.grad_owner[id(g)] = (g, var)
        vt = self.tid(var)
        self.trace.leaf_of[self.tid(r)] = vt
        # (taken now: .grad may be the very gradient added, and a later backward adds into it in place)
        after = self.snap(g) if g is not None else None
        if added is not None:  # (.grad may be it, detached: the same memory; else torch leaves it as it is)
            same = same_memory(added, g) if g is not None else False
            added = after if same else (Later(added) if same is False else self.snap(added))
        self.emit(AccumulateEvent, self.call_src, node=self.tid(r), tensor=vt, before=r.before,
                  added=added if added is not None else (after if r.before is None else None), after=after)
        r.acc_done = True

    def started(self) -> None:
        """The engine started (or returned): queue the backward event (and the seeds create_graph makes)."""
        if self.begin is not None:
            begin, self.begin = self.begin, None
            self.raw.extend(begin)
