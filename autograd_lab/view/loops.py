"""Training loops: forward, backward, the optimizer's step and zero_grad, N times, shown as N boxes.

``find_loop(events)`` finds the training loop of a trace from its events' kinds and source lines
alone (no event is made: a 2,000-iteration loop has 92,000 events). A training loop is a run of
two or more ``backward()`` calls made by the same line, each after a forward pass that runs the same
lines as the one before the first call, each followed by an update of the parameters (an optimizer's
step or a manual ``w -= lr * w.grad``: a loop without one, as an RNN-style loop that calls backward
at each step, keeps the picture it had); an iteration runs from its forward's first event to the
event before the next iteration's (its optimizer step and zero_grad included), the last one up to
where its step and zero_grad end::

    loop = find_loop(trace.events)
    loop.iterations[2]       # Iteration(n=3, first=96, last=141, backward=113, loss=0.52, grad=1.3, kept=True)

A loop of more than ``FOLD_ABOVE`` iterations (or ``EVENTS_ABOVE`` events) is *folded*: only its
first ``KEEP_HEAD`` and last ``KEEP_TAIL`` iterations are replayed step by step (``kept``), the others
are summarised (their loss and largest gradient, read from a few of their events) and the player
says so (``notice``). That bounds the cost of ``graph.build`` whatever the number of iterations (the
polynomial tutorial's 2,000 iterations: 8.5 s before, 0.1-0.5 s after: benchmarks/bench_loop_player.py).

What the view does with a loop (graph.build and groups.py call these):
- ``step_internals``: the events of an optimizer's step that are not a parameter's update (its
  momentum buffers, Adam's moments, its reads of ``p.grad``) and, for a manual step
  ``w -= lr * w.grad`` under ``no_grad()``, the read of ``w.grad`` and ``lr * w.grad``, are not
  drawn: the update step says what they did, and no grey ``w.grad`` ellipse is left orphaned
  after ``zero_grad()`` (``.grad`` is shown on the parameter, ``None`` after ``set_to_none``, as
  torch's state is).
- ``iteration_groups``: one group per iteration, named "iteration 3 of 20 · loss 0.52 · max |grad|
  1.3"; the first and the last are open, the others collapsed; every step of an iteration is
  in its group (``assign_steps``), so "by group" steps a whole iteration at a time.
- ``loop_jumps``: the jump menu's entries inside the loop, numbered by iteration ("iteration 3:
  optimizer.step()"), one for the forward, the backward, the step and zero_grad of each.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..narration import say
from .states import is_optimizer_step

__all__ = ["Iteration", "Loop", "find_loop", "prepare", "summarise", "TraceView", "kept_events", "step_internals",
           "iteration_groups", "assign_steps", "loop_jumps", "notice", "KEEP_HEAD", "KEEP_TAIL", "FOLD_ABOVE",
           "EVENTS_ABOVE"]

KEEP_HEAD = 3     # a folded loop replays its first KEEP_HEAD iterations step by step ...
KEEP_TAIL = 3     # ... and its last KEEP_TAIL
FOLD_ABOVE = 24   # a loop of more iterations than this is folded (a 20-iteration loop is shown whole) ...
EVENTS_ABOVE = 10_000  # ... and so is a loop of more events than this (graph.build replays ~10k events a second)
_LOOK_BACK = 64   # events looked at before a folded iteration's backward() for the loss it starts from


@dataclass
class Iteration:
    n: int                     # 1, 2, ...
    first: int                 # index of its first event (its forward's first)
    last: int                  # index of its last event (zero_grad's, or the one before the next iteration)
    backward: int              # index of its backward event
    loss: object = None        # the value backward() started from (a float, a list or a summary dict), None: not kept
    grad: float | None = None  # the largest |gradient| accumulated in it, None: not kept
    kept: bool = True          # replayed step by step (False: only summarised, in a folded loop)
    loop: int = 0              # which loop of the trace it is of (0, 1, ...)
    of: int = 0                # how many iterations that loop ran
    summary_only: bool = False  # recorded as a summary only (its loss and grad): no events (record/torch/thin.py)


@dataclass
class Loop:
    iterations: list = field(default_factory=list)
    group_of_iteration: dict = field(default_factory=dict)  # (loop, n) -> its group's key (groups.py fills it)

    def loops(self) -> list:
        """The iterations of each loop, loop by loop."""
        out: list = []
        for it in self.iterations:
            if not out or out[-1][0].loop != it.loop:
                out.append([])
            out[-1].append(it)
        return out

    @property
    def folded(self) -> bool:
        """Some iterations are only summarised."""
        return any(not it.kept for it in self.iterations)

    def iteration_at(self, index: int):
        """The iteration that event ``index`` belongs to, or None."""
        its = self.iterations
        if not its or index < its[0].first or index > its[-1].last:
            return None
        lo, hi = 0, len(its) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if its[mid].first <= index:
                lo = mid
            else:
                hi = mid - 1
        it = its[lo]
        return it if it.first <= index <= it.last else None


def _kinds_and_sources(events):
    fast = getattr(events, "kinds_and_sources", None)
    if fast is not None:
        return fast()
    events = list(events)
    return [e.kind for e in events], [e.source for e in events]


def _line(src):
    return None if src is None else (src.file, src.line)


def find_loop(events, open_end: bool = False) -> Loop | None:
    """The training loops of ``events`` (see the module docstring), their iterations in one ``Loop``
    (each knows which loop it is of: ``Iteration.loop``), or None. ``open_end``: the recorder went on
    with summaries only (record/torch/thin.py), so a loop's last recorded iteration may lack its update."""
    kinds, sources = _kinds_and_sources(events)
    lines = [_line(s) for s in sources]
    n = len(kinds)
    calls = [i for i, k in enumerate(kinds) if k == "backward"]
    ends = {}  # backward index -> index of its done (or error) event
    j = 0
    for b in calls:
        j = max(j, b + 1)
        while j < n and kinds[j] not in ("done", "error"):
            j += 1
        ends[b] = min(j, n - 1)
    found: list = []
    s = 0
    while s < len(calls) - 1:
        run = [calls[s]]
        for b in calls[s + 1:]:
            if lines[b] != lines[run[0]] or kinds[ends[run[-1]]] != "done":
                break
            run.append(b)
        its = _iterations(run, ends, kinds, lines, open_end) if len(run) >= 2 else None
        if its is None or (found and its[0].first <= found[-1].last):
            s += 1
            continue
        for it in its:
            it.loop, it.of = len({x.loop for x in found}), len(its)
        found += its
        s = calls.index(its[-1].backward) + 1
    return Loop(found) if found else None


def _iterations(run, ends, kinds, lines, open_end=False) -> list | None:
    b1, b2 = run[0], run[1]
    period = b2 - b1
    m = 0  # how many events before the first backward repeat, one period later, before the second
    while m < period and b1 - m - 1 >= 0 and lines[b1 - m - 1] == lines[b2 - m - 1] and b2 - m - 1 > ends[b1]:
        m += 1
    if m == 0 or not any(kinds[i] == "op" for i in range(b1 - m, b1)):
        return None  # no forward pass before each call: backward() called again on one graph
    head = lines[b1 - m]
    starts = [b1 - m]
    for prev, b in zip(run, run[1:]):
        s = b - m
        if not (s > ends[prev] and lines[s] == head):  # a forward of another length: find its first line
            s = next((i for i in range(ends[prev] + 1, b) if lines[i] == head), None)
            if s is None:
                break
        starts.append(s)
    run = run[:len(starts)]
    if len(run) < 2:
        return None
    # The loop ends where the code between two iterations runs a line the first iteration did not (the
    # setup of a second loop that runs the same lines: two calls of a train() function).
    ref = set(lines[starts[0]:starts[1]])
    for k in range(1, len(starts) - 1):
        if not ref.issuperset(lines[ends[run[k]] + 1:starts[k + 1]]):
            run, starts = run[:k + 1], starts[:k + 1]
            break
    its = [Iteration(k + 1, starts[k], (starts[k + 1] - 1) if k + 1 < len(starts) else -1, run[k])
           for k in range(len(run))]
    last = its[-1]  # its step and zero_grad run the lines that followed the previous iteration's done
    prev = its[-2]
    tail = prev.last - ends[prev.backward]
    end = ends[last.backward]
    while tail > 0 and end + 1 < len(lines) and lines[end + 1] == lines[end + 1 - (last.backward - prev.backward)]:
        end += 1
        tail -= 1
    last.last = end
    if not all("update" in kinds[it.first:it.last + 1] for it in (its[:-1] if open_end else its)):
        return None  # no optimizer step or manual update in each: a loop, but not a training loop
    return its


def fold(loop: Loop) -> None:
    """Mark the iterations a long loop only summarises (``kept=False``)."""
    for its in loop.loops():
        if len(its) > FOLD_ABOVE or (len(its) > KEEP_HEAD + KEEP_TAIL and its[-1].last - its[0].first > EVENTS_ABOVE):
            for it in its[KEEP_HEAD:len(its) - KEEP_TAIL]:
                it.kept = False


class TraceView:
    """A trace as graph.build's first pass reads it: its names, and the events it replays."""

    def __init__(self, trace, events):
        self._trace, self.events = trace, events

    def __getattr__(self, name):
        return getattr(self._trace, name)


def prepare(trace):
    """``(what graph.build's first pass reads, the loop or None)``: a folded loop's summarised
    iterations left out (their events are never made)."""
    events = getattr(trace, "events", trace)
    kept_whole = getattr(trace, "kept_whole", None)
    loop = find_loop(events, open_end=bool(isinstance(kept_whole, dict) and kept_whole.get("summarised")))
    if loop is None:
        return trace, None
    fold(loop)
    add_summaries(loop, kept_whole, events)
    return TraceView(trace, kept_events(events, loop)), loop


def add_summaries(loop: Loop, kept_whole, events) -> None:
    """The iterations the real-torch recorder noted only as summaries (``Trace.kept_whole["summarised"]``:
    ``[backward call, loss, max |grad|]``, record/torch/thin.py), each after the iteration whose backward
    call came before it, as iterations of no events (``summary_only``, never ``kept``)."""
    rows = kept_whole.get("summarised") if isinstance(kept_whole, dict) else None
    if not rows:
        return
    kinds, _ = _kinds_and_sources(events)
    number, count = {}, 0  # index of a backward event -> which backward call it is (1, 2, ...)
    for i, k in enumerate(kinds):
        if k == "backward":
            count += 1
            number[i] = count
    by_call = {number[it.backward]: it for it in loop.iterations if it.backward in number}
    after: dict = {}  # id(an iteration) -> the summary-only ones that follow it
    after_of: dict = {}  # id(a summary-only iteration) -> the recorded one it follows
    for row in rows:
        k, loss, grad = row[0], row[1], row[2]
        prev = by_call.get(k - 1)
        if prev is None:  # (a summary the loops found here do not continue)
            continue
        it = by_call[k] = Iteration(prev.n + 1, prev.last + 1, prev.last, prev.last, loss, grad, kept=False,
                                    loop=prev.loop, summary_only=True)
        anchor = prev if not prev.summary_only else after_of[id(prev)]
        after.setdefault(id(anchor), []).append(it)
        after_of[id(it)] = anchor
    if not after:
        return
    its = []
    for it in loop.iterations:
        its.append(it)
        its += after.get(id(it), ())
    loop.iterations = its
    for run in loop.loops():
        for it in run:
            it.of = len(run)


def kept_events(events, loop: Loop | None) -> list:
    """The events graph.build replays: all of them but a folded loop's summarised iterations."""
    if loop is None or not loop.folded:
        return list(events)
    n = len(events)
    skip = [(it.first, it.last) for it in loop.iterations if not it.kept]
    out, i = [], 0
    for a, b in skip:
        out += [events[j] for j in range(i, a)]
        i = b + 1
    out += [events[j] for j in range(i, n)]
    return out


def summarise(events, loop: Loop, shown=None) -> None:
    """Each iteration's loss and largest gradient, read from its events (``shown``: the events
    already made, by index; the others are made one by one, only those needed)."""
    made = {e.index: e for e in shown} if shown is not None else {}
    kinds, _ = _kinds_and_sources(events) if len(made) < len(events) else (None, None)

    def event(i):
        e = made.get(i)
        return e if e is not None else events[i]

    for it in loop.iterations:
        if it.summary_only:  # (its loss and grad came with it)
            continue
        b = event(it.backward)
        roots = tuple(getattr(b, "roots", ()) or ())
        root = roots[0] if roots else None
        for i in range(it.backward - 1, max(it.first, it.backward - _LOOK_BACK) - 1, -1):
            if (kinds[i] if kinds is not None else event(i).kind) == "op":
                e = event(i)
                if e.output == root:
                    it.loss = getattr(e, "value", None)  # (a recorder may keep only some iterations' values)
                    break
        largest = None
        for i in range(it.backward + 1, it.last + 1):
            k = kinds[i] if kinds is not None else event(i).kind
            if k == "accumulate":
                size = magnitude(getattr(event(i), "after", None))
                if size is not None and (largest is None or size > largest):
                    largest = size
            elif k in ("done", "error"):
                break
        it.grad = largest


def magnitude(v) -> float | None:
    """The largest |x| of a snapshot (a number, a nested list, or a big tensor's summary dict); None
    when the value was not kept."""
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return abs(float(v))
    if isinstance(v, dict):
        lo, hi = v.get("min"), v.get("max")
        if isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
            return max(abs(float(lo)), abs(float(hi)))
        return None
    if isinstance(v, (list, tuple)):
        sizes = [magnitude(x) for x in v]
        sizes = [s for s in sizes if s is not None]
        return max(sizes) if sizes else None
    return None


def _scalar(v):
    """A loss as a sentence says it: a number, or a summary dict's mean; None when not kept."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dict) and isinstance(v.get("mean"), (int, float)):
        return float(v["mean"])
    if isinstance(v, (list, tuple)) and len(v) == 1:
        return _scalar(v[0])
    return None


# -- what the view shows --------------------------------------------------------------------------
def step_internals(events) -> set:
    """Indices of the events an optimizer's step or a manual update under ``no_grad()`` is made of
    besides the parameters' updates (see the module docstring)."""
    params = {e.tensor for e in events if e.kind == "accumulate"}
    hidden: set = set()
    run: list = []  # the step's reads and no-graph ops in a row, on one line, before an update
    for e in events:
        k, src = e.kind, e.source
        if is_optimizer_step(e) and ((k == "op" and e.node is None) or (k == "tensor" and not e.requires_grad)
                                     or (k == "update" and e.tensor not in params)):
            hidden.add(e.index)  # (what records a graph on a line that says step( is the student's, and stays)
            continue
        if (k == "tensor" and e.how == "existing") or (k == "op" and e.node is None):
            if run and run[-1].source != src:
                run = []
            run.append(e)
            continue
        if k == "update" and e.tensor in params and run and run[-1].source == src:
            hidden.update(x.index for x in run)
        run = []
    return hidden


def iteration_groups(b, shown, loop: Loop, lang) -> list:
    """``[(iteration, label, keys, collapsed)]``: one per kept iteration, its nodes in creation order; a node
    that several iterations touch (a parameter, its AccumulateGrad) stays outside the boxes."""
    nodes = b.nodes
    owner: dict = {}
    for e in shown:
        it = loop.iteration_at(e.index)
        for k in b.touched.get(e.index, ()):
            if k in nodes:
                mine = (it.loop, it.n) if it is not None else 0
                if k not in owner:
                    owner[k] = mine
                elif owner[k] != mine:
                    owner[k] = None  # shared
    keys_of: dict = {}
    for k in sorted((k for k, n_ in owner.items() if n_), key=lambda k: nodes[k].order):
        keys_of.setdefault(owner[k], []).append(k)
    out = []
    for its in loop.loops():
        kept = [it for it in its if it.kept]
        for it in kept:
            keys = keys_of.get((it.loop, it.n))
            if keys:
                out.append((it, label(it, lang), keys, it is not kept[0] and it is not kept[-1]))
    return out


def _ranges(ns) -> str:
    """[1, 2, 3, 103, 104] -> "1–3, 103–104"."""
    out, start = [], None
    for i, n in enumerate(ns):
        if start is None:
            start = n
        if i + 1 == len(ns) or ns[i + 1] != n + 1:
            out.append(f"{start}–{n}" if n != start else str(n))
            start = None
    return ", ".join(out)


def label(it: Iteration, lang) -> str:
    """"iteration 3 of 20 · loss 0.52 · max |grad| 1.3" (each value only when it was kept)."""
    parts = [say("loop.iteration", lang, i=it.n, n=it.of)]
    loss = _scalar(it.loss)
    if loss is not None:
        parts.append(say("loop.loss", lang, value=short(loss)))
    if it.grad is not None:
        parts.append(say("loop.largest_grad", lang, value=short(it.grad)))
    if loss is None and it.grad is None:
        parts.append(say("loop.not_kept", lang))
    return " · ".join(parts)


def short(v: float) -> str:
    """A number of a one-line summary: three significant digits (75087.73 -> '7.51e+04', 0.52 -> '0.52')."""
    return f"{v:.3g}"


def assign_steps(g, loop: Loop, group_of_iteration: dict) -> None:
    """Every step of a kept iteration happens in its group (``group_of_iteration``: (loop, n) -> group key)."""
    for st in g.steps:
        it = loop.iteration_at(st.event)
        if it is not None and (it.loop, it.n) in group_of_iteration:
            st.group = group_of_iteration[(it.loop, it.n)]


def loop_jumps(g, loop: Loop) -> None:
    """Replace the jump-menu entries inside the loop by four per kept iteration, numbered."""
    lang = g.lang
    outside = [(text, i) for text, i in g.jumps if loop.iteration_at(g.steps[i].event) is None]
    inside = []
    seen: dict = {}
    for st in g.steps:
        it = loop.iteration_at(st.event)
        if it is None:
            continue
        phase = _phase(st, it, seen.get((it.loop, it.n)))
        if phase is not None and phase != seen.get((it.loop, it.n)):
            seen[(it.loop, it.n)] = phase
            inside.append((say(_JUMP[phase], lang, n=it.n), st.index))
    g.jumps = sorted(outside + inside, key=lambda j: j[1])


_JUMP = {"forward": "player.jump.loop.forward", "backward": "player.jump.loop.backward",
         "optimizer_step": "player.jump.loop.optimizer_step", "manual_step": "player.jump.loop.manual_step",
         "zero_grad": "player.jump.loop.zero_grad", "reset_grad": "player.jump.loop.reset_grad"}


def _phase(st, it, current):
    k = st.kind
    if st.event < it.backward:
        return "forward" if current is None else current
    if k == "backward":
        return "backward"
    if k == "update":
        if current in ("optimizer_step", "manual_step"):
            return current
        src = st.source or ""
        return "optimizer_step" if "step(" in src else "manual_step"
    if k in ("set_grad", "zero"):
        if current in ("zero_grad", "reset_grad"):
            return current
        return "zero_grad" if "zero_grad(" in (st.source or "") else "reset_grad"
    return current


def notice(loop: Loop, lang, events=None) -> str:
    """What the player says above the narration of a folded loop (empty for loops shown whole);
    ``events``: the trace's, for the line each loop starts at."""
    out = []
    sources = _kinds_and_sources(events)[1] if events is not None and loop.folded else None
    for its in loop.loops():
        skipped = [it.n for it in its if not it.kept and not it.summary_only]
        only = [it.n for it in its if it.summary_only]
        if not skipped and not only:
            continue
        first, last = _scalar(its[0].loss), _scalar(its[-1].loss)
        losses = (say("loop.notice.losses", lang, first=short(first), last=short(last))
                  if first is not None and last is not None else "")
        src = sources[its[0].first] if sources is not None else None
        line = src.line if src is not None else "?"
        if not only:
            out.append(say("loop.notice.folded", lang, line=line, n=len(its), head=skipped[0] - 1, tail=skipped[-1] + 1,
                           a=skipped[0], b=skipped[-1], losses=losses))
            continue
        kept = [it.n for it in its if it.kept]
        out.append(say("loop.notice.summaries", lang, line=line, n=len(its), whole=_ranges(kept),
                       folded=_ranges(skipped) or "-", only=_ranges(only), losses=losses))
    return " ".join(out)
