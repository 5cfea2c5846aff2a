"""The backward half of the real-torch recorder (torch_recorder.py): ``backward()`` and
``autograd.grad()`` calls, each node as torch's engine runs it, AccumulateGrad, releases, errors,
and the user's tensor hooks.

Around each backward call a pre-hook and a hook go on every node reachable from the roots (an
iterative walk) and are removed after the call. A node's run is queued raw (its gradients in and
out) and built later, with its release check: after a non-retaining backward, reading one of the
node's ``_saved_*`` attributes must raise.
"""
from __future__ import annotations

import functools

import numpy as np

from .events import (AccumulateEvent, BackwardEvent, DoneEvent, ErrorEvent, HookEvent, NodeEvent, ReleaseEvent,
                     TensorEvent, snapshot)

_NODE = object()  # marks a raw record of a node run (the others are ops)
VERIFY_RELEASES = 64  # per backward call, releases checked by reading a _saved_* attribute (about 0.1 ms
#                       each); beyond that torch's rule (a non-retaining backward frees every node it ran) is used


def _fn_name(fn) -> str:
    return getattr(fn, "__name__", repr(fn))


class BackwardRecorder:
    """Mixed into TorchRecorder, whose ids, values, events and raw queue it uses."""

    # ------------------------------------------------------------------ hooks of the user's
    def wrap_hook(self, kind, t, fn):
        if not callable(fn):
            return fn
        rec = self

        if kind == "register_hook":
            def hook(grad):
                rec.sync()
                with rec.mode:
                    r = fn(grad)
                if r is not None and not (isinstance(r, rec.Tensor) and r.shape == grad.shape
                                          and r.dtype == grad.dtype):
                    return r  # torch rejects it next, with its own message (the error event)
                node = t.grad_fn
                nref = rec.ref(node) if node is not None else rec.acc_of.get(rec.tid(t))
                rec.emit(HookEvent, rec.call_src, "tensor", rec.tid(nref) if nref is not None else None,
                         rec.tid(t), _fn_name(fn), (rec.value(grad),),
                         None if r is None else (rec.value(r) if isinstance(r, rec.Tensor) else repr(r),))
                return r
        else:
            def hook(tensor):
                rec.sync()
                acc = rec.acc_of.get(rec.tid(t))
                if acc is not None and not acc.acc_done:
                    rec.accumulated(acc, None)
                with rec.mode:
                    r = fn(tensor)
                rec.emit(HookEvent, rec.call_src, "post_accumulate", rec.tid(acc) if acc is not None else None,
                         rec.tid(t), _fn_name(fn), (rec.value(t.grad),) if t.grad is not None else (None,), None)
                return r
        try:
            functools.update_wrapper(hook, fn)
        except (AttributeError, TypeError):
            pass
        return hook

    # ------------------------------------------------------------------ backward and autograd.grad
    def backward(self, call, func, args, kwargs):
        src = self.source()
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
        retain = b.get("retain_graph")
        retain = create if retain is None else bool(retain)
        inputs = b.get("inputs")
        inputs = [inputs] if isinstance(inputs, Tensor) else [i for i in (inputs or ()) if isinstance(i, Tensor)]
        self.scan_names()
        root_refs = [self.ref(r.grad_fn) for r in roots if r.grad_fn is not None]
        seeds = []
        for i, r in enumerate(roots):
            g = grads[i] if i < len(grads) else None
            seeds.append(self.value(g) if isinstance(g, Tensor) else (1.0 if r.dim() == 0 else
                                                                       snapshot(np.ones(tuple(r.shape)))))
        for r in root_refs:
            if not r.next and r.var is None:
                self.link(r, src, r.node.next_functions)
        begin = ((BackwardEvent, src, call, tuple(self.see(r, src) for r in roots),
                 tuple(self.tid(r) for r in root_refs), tuple(seeds), retain, create,
                 tuple(self.see(i, src) for i in inputs)),)
        if create:  # torch's engine makes a tensor of each implicit seed (in C++), as the core's does
            for i, r in enumerate(roots):
                if not isinstance(grads[i] if i < len(grads) else None, Tensor):
                    seed = self.torch.ones_like(r, requires_grad=False)
                    tid = self.tid(seed)
                    self.seen.add(tid)
                    begin += ((TensorEvent, src, tid, *self.tensor_fields(seed, "seed")),)
        handles = self.hook_graph(root_refs)
        outer = (self.call_src, self.retain, self.begin)
        # the backward event is recorded when the engine starts (its first hook) or returns: when
        # torch rejects the arguments first, the trace shows only the error, as the core's does
        self.call_src, self.retain, self.begin = src, retain, begin
        self.running, self.checks = None, 0
        try:
            result = func(*args, **kwargs)
            self.started()
        except Exception as e:
            if self.begin is not None:  # torch rejected the call before its engine started: no backward event
                self.begin = None
            self.flush()
            node = self.running
            self.trace._recorded_errors.add(id(e))
            self.emit(ErrorEvent, src, type(e).__name__, str(e), self.tid(node) if node is not None else None,
                      node.label if node is not None else None)
            raise
        finally:
            for h in handles:
                h.remove()
            self.sync()
            self.call_src, self.retain, self.begin = outer
        results = (tuple(self.value(x) if isinstance(x, Tensor) else None for x in result)
                   if call == "autograd.grad" else ())
        self.emit(DoneEvent, src, call, tuple(self.see(r, src) for r in roots), results)
        self.scan_names()
        return result

    def hook_graph(self, root_refs) -> list:
        """A pre-hook and a hook on every node reachable from the roots (an iterative walk)."""
        handles, seen = [], set()
        stack = [r.node for r in root_refs]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            r = self.ref(node)
            handles.append(node.register_prehook(self.pre_hook(r)))
            handles.append(node.register_hook(self.post_hook(r)))
            stack.extend(n for n, _ in node.next_functions if n is not None)
        return handles

    def pre_hook(self, r):
        if r.var is None and r.retained is None:
            def pre(grad_outputs):  # (runs once per node: kept minimal)
                if self.begin is not None:
                    self.started()
                self.running = r
            return pre

        def pre_acc(grad_outputs):
            try:
                pre_acc_body(grad_outputs)
            except Exception:
                pass

        def pre_acc_body(grad_outputs):
            if self.begin is not None:
                self.started()
            self.running = r
            if r.var is not None:
                g = r.var.grad
                r.before, r.acc_done = (self.value(g) if g is not None else None), False
            else:
                t = r.retained
                self.emit(HookEvent, self.call_src, "retain_grad", self.tid(r), self.tid(t), "None",
                          (self.value(grad_outputs[0]),), (self.value(t.grad),) if t.grad is not None else None)
        return pre_acc

    def post_hook(self, r):
        if r.var is not None:
            def post_acc(grad_inputs, grad_outputs):
                self.running = None
                if grad_outputs[0] is None:  # torch's AccumulateGrad does nothing with an undefined gradient
                    r.acc_done = True
                elif not r.acc_done:
                    try:
                        self.accumulated(r, grad_outputs[0])
                    except Exception:
                        pass
            return post_acc

        def post(grad_inputs, grad_outputs):  # a raw record, built by flush() (with its release check)
            self.running = None
            mode = 0
            if not self.retain and r.saved:
                self.checks += 1
                mode = 1 if self.checks <= VERIFY_RELEASES else 2
            self.raw.append((_NODE, r, grad_inputs, grad_outputs, self.call_src, mode))
        return post

    def build_node(self, r, grad_inputs, grad_outputs, src, mode) -> None:
        value, Tensor = self.value, self.Tensor
        g = grad_outputs[0] if len(grad_outputs) == 1 else grad_outputs
        gout = value(g) if isinstance(g, Tensor) else (  # (a node of several outputs: a list, one per output)
            None if g is None else [value(x) if x is not None else None for x in g])
        gin = tuple([value(x) if x is not None else None for x in grad_inputs])
        self.emit(NodeEvent, src, self.tid(r), r.label, gout, gin, r.next)
        if mode == 1:  # torch freed the node's saved values right after it ran: reading one now raises
            for a in r.saved:
                try:
                    getattr(r.node, a)
                except RuntimeError:
                    break
            else:
                return
        if mode:
            self.emit(ReleaseEvent, src, self.tid(r), r.label, r.saved)

    def accumulated(self, r, added) -> None:
        var = r.var
        g = var.grad
        if g is not None:
            self.grad_owner[id(g)] = (g, var)
        vt = self.tid(var)
        self.trace.leaf_of[self.tid(r)] = vt
        self.emit(AccumulateEvent, self.call_src, self.tid(r), vt, r.before,
                  self.value(added) if added is not None else (self.value(g) if r.before is None else None),
                  self.value(g) if g is not None else None)
        r.acc_done = True

    def started(self) -> None:
        if self.begin is not None:
            begin, self.begin = self.begin, None
            for event in begin:  # the backward event, then the seeds create_graph=True makes
                self.emit(*event)

    def sync(self) -> None:
        """Before an event built at once: the backward event if still due, and the raw records."""
        if self.begin is not None:
            self.started()
        self.flush()
