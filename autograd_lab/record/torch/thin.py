"""Long loops recorded cheaply and in bounded memory: the real-torch recorder's "thin" mode.

A training loop of 2,000 steps makes some 46 events a step. Building them as the block runs (before
each in-place update, so that every value is the one of its step) cost 16-33x the unrecorded loop,
and keeping every tensor of every step for later grew without bound. So, after the first ``FIRST``
iterations (iteration k: what is recorded after backward call k - 1 returned, up to backward call k
returning; so a loop's update after its backward belongs to the next iteration, and what follows
the last backward call to none), the recorder goes thin:

- nothing is built in the block: where it would build (before an in-place change) and at the end of
  each backward call, it *compacts* what is queued instead: each torch tensor in the queued records becomes a
  ``Light`` (vocab.py): its id, shape, dtype, requires_grad and grad_fn, its value when it has at
  most SNAPSHOT_LIMIT (64) numbers (the loss, small weights and gradients: always kept whole), and for
  a bigger one (whose events show a summary) the tensor itself at its version, held only while its
  iteration may be one of the last ``LAST``; a tensor about to be changed in place is copied first.
  Older ones are let go: their values read ``NOT_KEPT``.
- a node's release is not checked by reading its saved values (torch's rule is used: a
  non-retaining backward frees every node it ran).

The events are built when the trace is read, as always. ``Trace.kept_whole`` says which
iterations keep their values whole (None when every value is kept): the first ``FIRST`` and the
last ``LAST`` recorded; in the others, a value of more than SNAPSHOT_LIMIT numbers (a summary in the
first ones) is the text ``NOT_KEPT``, with its shape and dtype kept.

Summaries (a loop longer than ``SUMMARY_AFTER`` iterations): even thin, an iteration costs Python
work per op and per node. Compaction notes where each op of an iteration was called from (the
user's code and instruction: its *sites*); once ``SUMMARY_AFTER - 2`` iterations in a row ran their
ops from the same sites, the recorder notes the sites of every call (in-place updates, ``.grad =``
...) of the next ones; when two iterations in a row call torch from the same sites (and at least
SUMMARY_AFTER in a row ran the same ops), the loop is recognised and the next iterations
are *summarised*: a call from one of those sites runs as it is (no record, no node hook, no module
record), and a backward call from the loop's site runs as it is and notes only the iteration's
summary: its loss (the root's value, when it has one number) and the largest |.grad| of the
parameters the loop updates. A call from any other site but a quiet one (``item``, ``repr``...)
means the loop has ended (or did something new): recording resumes from that call on, as before,
and a later loop is recognised again. Errors are torch's own, raised as they are; the trace still
ends with the error step (``Trace.__exit__`` records it). ``Trace.kept_whole["summarised"]`` lists
``[iteration, loss, max |grad|]`` of each summarised iteration.
"""
from __future__ import annotations

from ..layout import SNAPSHOT_LIMIT
from .vocab import EVENT, LINK, MODULE, NODE, NOT_KEPT, OP_ATTRS, SEE, UNSET, Later, Light, version_of

_HOOKS = frozenset({"register_hook", "register_post_accumulate_grad_hook", "retain_grad"})
_PLAIN = frozenset({int, float, bool, type(None), str})
FIRST = 5  # iterations (backward calls) kept whole at the start of a block ...
LAST = 5   # ... and at its end
SUMMARY_AFTER = 100  # a loop's iterations past this many backward calls are summarised (the lessons'
#                      loops, 100 steps or fewer, stay recorded whole; the view folds any loop of more
#                      than 24 iterations anyway: its middle is shown as summaries)


def _hold_copy(light, t, lights) -> None:
    """``light`` holds a copy of ``t`` at its version from now on, in ``lights`` under the copy's id
    (nothing when ``t`` cannot be copied)."""
    try:
        light.t = t.detach().clone()
        light.version = version_of(light.t)
        lights[id(light.t)] = light
    except Exception:
        light.t = None


class ThinRecorder:
    """Mixed into TorchRecorder (``raw``, ``held``, ``calls``, ``tid``, ``value``, ``flush``)."""

    thin = False        # past the first FIRST iterations: queued records are compacted, not built
    compacted = 0       # raw[:compacted] is compacted
    lights = None       # id(tensor held) -> its Light, while its iteration may be one of the last LAST
    viewed = frozenset()  # ids of the bases of the views held (a superset: ids are not forgotten)
    cutoff = 0          # the iterations up to this one have let their big tensors go
    dropped = False     # a value was let go
    loop_sites = None   # summarising a loop: the sites (id(code), instruction) it calls torch from
    learning = None     # (backward call SUMMARY_AFTER - 1 on) the sites of the iteration being recorded
    last_sites = None   # ... and of the one before
    hooked = False      # a user's hook was wrapped: never summarised (its firing is recorded)
    summaries = ()      # [iteration, loss, max |grad|] of each summarised iteration
    params = ()         # the leaves whose .grad a summarised iteration reads
    op_sites = None     # (thin) the sites of the ops compacted in this iteration ...
    prev_sites = None   # ... and in the one before
    streak = 0          # iterations in a row whose ops ran from the same sites
    skipped = 0         # module calls begun while summarising (their end makes no record either)

    def iteration_ends(self) -> None:
        """Backward call ``calls`` returned: iteration ``calls`` ends. From iteration FIRST + 1 on, what
        is queued is compacted, and the tensors of iterations that cannot be among the last LAST are
        let go."""
        it = self.calls
        if not self.thin:
            if it >= FIRST:  # (what follows is iteration FIRST + 1: thin)
                self.thin, self.lights, self.viewed = True, {}, set()
                self.compact(0)  # (what is queued still, of the first FIRST: kept whole for good)
                self.op_sites = set()
            return
        self.compact(it)
        sites, self.op_sites = self.op_sites, set()  # (the sites of the iteration's ops: the same as the
        self.streak = self.streak + 1 if sites == self.prev_sites else 1  # last one's: one more of a loop)
        self.prev_sites = sites
        cutoff = self.cutoff = it - LAST
        lights = self.lights
        old = [k for k, light in lights.items() if 0 < light.it <= cutoff]
        if old:
            self.dropped = True
        for k in old:
            lights.pop(k).t = None
        owners = self.grad_owner  # (.grad tensors that are no leaf's .grad any more: let go)
        for k in [k for k, (g, var) in owners.items() if getattr(var, "_grad", g) is not g]:
            del owners[k]

    def loop_check(self) -> None:
        """Backward call ``calls`` returned (recorded): once SUMMARY_AFTER - 2 iterations in a row ran
        their ops from the same sites, compare all the sites of the last two iterations; the same:
        summarise the following ones (module docstring)."""
        if self.hooked or self.streak < SUMMARY_AFTER - 2:
            self.learning = self.last_sites = None
            return
        sites, self.learning = self.learning, set()
        if sites and sites == self.last_sites and self.streak >= SUMMARY_AFTER:
            self.params = [r.var for r in self.acc_of.values() if getattr(r.var, "grad", None) is not None]
            if self.params:
                self.loop_sites, self.learning, self.last_sites = sites, None, None
                if not self.summaries:
                    self.summaries = []
                self.copy_held()
                return
        self.last_sites = sites

    def copy_held(self) -> None:
        """(summaries begin) The big tensors the last recorded iterations hold are copied: what the
        summarised ones change in place is not seen (no settle) and must not reach them."""
        lights = self.lights or {}
        copied = {}
        for light in lights.values():
            t = light.t
            if t is not None and version_of(t) == light.version:
                _hold_copy(light, t, copied)
        self.lights = copied  # (keyed by the copies: an id of a tensor let go may be reused)

    def learn(self, func, f) -> None:
        """(learning) Note the site of a call that is not quiet (``f``: the user's frame)."""
        if f is not None and not self.is_quiet(func):
            self.learning.add((id(f.f_code), f.f_lasti))

    def is_quiet(self, func) -> bool:
        """A call that makes no event (``T``, a property that is an op, is not)."""
        name = getattr(func, "__name__", "")
        if name in _HOOKS:  # (a hook put on is wrapped, to record its firings: recorded)
            return False
        return name in self.quiet and not (name == "__get__" and getattr(func.__self__, "__name__", "") in OP_ATTRS)

    def summarised(self, func, args, kwargs):
        """A call of a summarised iteration from a site the loop does not call torch from: a quiet one
        runs as it is; any other ends the summaries (recorded from this call on)."""
        if self.is_quiet(func):
            return func(*args, **kwargs)
        self.loop_sites = self.last_sites = self.learning = self.prev_sites = None
        self.streak = 0
        return self.call(func, args, kwargs)

    def summary_backward(self, func, args, kwargs):
        """A backward call of a summarised iteration: torch's, as it is; then its loss and the largest
        |.grad| of the loop's parameters are noted."""
        result = func(*args, **kwargs)
        self.calls += 1
        loss = grad = None
        try:
            root = args[0] if args else next(iter(kwargs.values()), None)
            if isinstance(root, (tuple, list)) and len(root) == 1:
                root = root[0]
            if isinstance(root, self.Tensor) and root.numel() == 1:
                loss = root.item()
            for p in self.params:
                g = p.grad
                if g is not None:
                    m = abs(g.item()) if g.numel() == 1 else g.detach().abs().max().item()
                    if grad is None or m > grad:
                        grad = m
        except Exception:  # (never an error of the recorder's in the user's code)
            pass
        self.summaries.append([self.calls, loss, grad])
        return result

    def settle(self, args, kwargs) -> None:
        """Before a call that may change tensors in place (or hand out their memory): build what is
        queued, or in thin mode compact it and copy the held tensors it may change."""
        if not self.thin:
            self.flush()
            return
        self.compact(self.calls + 1)
        lights, Tensor = self.lights, self.Tensor
        tensors = []
        for a in list(args) + list(kwargs.values()):
            if isinstance(a, Tensor):
                tensors.append(a)
            elif isinstance(a, (list, tuple)):  # (an optimizer's _foreach_add_(params, ...) changes each)
                tensors.extend(x for x in a if isinstance(x, Tensor))
        for a in tensors:
            light = lights.pop(id(a), None)
            if light is not None:
                _hold_copy(light, a, lights)
        # ... and the held views of them (or of their base): they share its memory and version counter
        bases = {id(a) for a in tensors}
        bases.update(id(b) for b in (getattr(a, "_base", None) for a in tensors) if b is not None)
        if bases.isdisjoint(self.viewed):  # (no held view of these: the common case, no search)
            return
        views = [(k, light) for k, light in lights.items() if light.t is not None
                 and (id(light.t) in bases or id(getattr(light.t, "_base", None)) in bases)
                 and version_of(light.t) == light.version]
        for k, light in views:
            del lights[k]
            _hold_copy(light, light.t, lights)

    def compact(self, it) -> None:
        """Every torch tensor in the records queued since the last compaction becomes a Light of
        iteration ``it`` (0: of the first FIRST, never let go; records' layout: build._records)."""
        raw = self.raw
        i, n = self.compacted, len(raw)
        if i >= n:
            return
        Tensor, memo, lights, new_id, viewed = self.Tensor, {}, self.lights, self.trace.tid, self.viewed
        add_site = self.op_sites.add if self.op_sites is not None else set().add
        Exact = Tensor  # (most tensors are of torch.Tensor itself: no isinstance)

        def light(t, grad=False):
            """t's Light (a gradient a node record holds: only its value is read, no id)."""
            key = id(t)
            L = memo.get(key)
            if L is None:
                L = lights.get(key)
                if L is not None:
                    if L.it:  # (0: of the first iterations, kept for good)
                        L.it = it
                else:
                    L = Light()
                    L.it = it
                    try:
                        if t.numel() > SNAPSHOT_LIMIT:  # (a value the events show as a summary)
                            L.t = t
                            try:
                                L.version = t._version
                            except Exception:  # (an inference tensor keeps none)
                                pass
                            lights[key] = L
                            base = t._base
                            if base is not None:  # (a view: copied when its base changes: settle)
                                viewed.add(id(base))
                        elif t.dim():
                            L.value = self.value(t)
                        else:
                            v = L.value = t.item()
                            if v.__class__ is complex:
                                L.value = self.value(t)
                    except Exception:  # (meta tensors ...: a text, as value() says)
                        L.value = self.value(t)
                memo[key] = L
            if grad or L.grad_fn is not UNSET:
                return L
            tid = getattr(t, "_tid", None)
            if tid is None:
                tid = new_id(t)
            L._tid = tid
            L.shape, L.dtype, L.requires_grad, L.grad_fn = t.shape, t.dtype, t.requires_grad, t.grad_fn
            return L

        def conv(x):
            if isinstance(x, Tensor):
                return light(x)
            cls = x.__class__
            if cls is tuple or cls is list:
                if any(isinstance(y, Tensor) for y in x):
                    return cls([light(y) if isinstance(y, Tensor) else y for y in x])
            elif cls is Later and isinstance(x.t, Tensor):
                return Later(light(x.t, True))
            return x

        while i < n:
            k = raw[i]
            if k is NODE:
                g = i + 6 + raw[i + 5]          # where the gradients out start (after their count)
                if raw[i + 3] == 1:
                    raw[i + 3] = 3             # released: not checked by reading (build.py, build_node)
                for j in range(i + 6, g):
                    x = raw[j]
                    if x is not None:
                        raw[j] = light(x, True)
                m = raw[g]
                for j in range(g + 1, g + 1 + m):
                    x = raw[j]
                    if x is not None:
                        raw[j] = light(x, True)
                i = g + 1 + m
            elif k is EVENT:
                fields = raw[i + 3]
                if Later in [f.__class__ for f in fields]:
                    raw[i + 3] = tuple([conv(f) for f in fields])
                i += 4
            elif k is LINK:
                i += 4
            elif k is SEE:
                raw[i + 1] = conv(raw[i + 1])
                i += 3
            elif k is MODULE:  # (an nn.Module call began or ended: its id, nothing to thin)
                i += 2
            else:  # an op: name, code, line, lasti, result, kwargs, n, *args
                add_site((id(raw[i + 1]), raw[i + 3]))
                x = raw[i + 4]
                raw[i + 4] = light(x) if x.__class__ is Exact else conv(x)
                kw = raw[i + 5]
                if kw:
                    raw[i + 5] = {key: conv(v) for key, v in kw.items()}
                m = raw[i + 6]
                for j in range(i + 7, i + 7 + m):
                    x = raw[j]
                    cls = x.__class__
                    if cls is Exact:
                        raw[j] = light(x)
                    elif cls not in _PLAIN:
                        raw[j] = conv(x)
                i += 7 + m
        self.compacted = n
        self.held = []

    def kept_whole(self):
        """What ``Trace.kept_whole`` says of this recording (None: every value kept)."""
        if not self.dropped and not self.summaries:  # (a loop of small tensors keeps every value: lesson 8's)
            return None
        n = self.calls
        summarised = {s[0] for s in self.summaries}
        first = max(FIRST, self.cutoff) if self.dropped else 0
        last = [k for k in range(first + 1, n + 1) if k not in summarised]  # (past the last let go)
        out = {"iterations": n, "whole": list(range(1, min(first, FIRST) + 1)) + last, "not_kept": NOT_KEPT}
        if self.summaries:
            out["summarised"] = [list(s) for s in self.summaries]
        return out
