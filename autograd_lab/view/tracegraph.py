"""The graph of a trace as data: its ``Node``s and ``Edge``s, its ``Step``s, and ``TraceGraph``, which
holds them with the layout and answers what holds at step i (``state_at``) and where "next" and
"back" go (``step_after``, ``step_before``, by node or by group).

graph.py's docstring describes the drawing conventions and the fields; ``graph.build`` fills a
``TraceGraph`` (structure.py: nodes and edges; states.py: the steps; groups.py; layout.py: the
positions). This module sits below structure.py, layout.py and graph.py, which import it; it
imports only states.py (for ``summary``) and groups.py (the ``Group`` type), neither of which
imports any of those.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import narration
from ..narration import Msg
from .groups import Group
from .states import summarise

__all__ = ["Node", "Edge", "Step", "TraceGraph"]


@dataclass
class Node:
    """A tensor (version), grad_fn box, AccumulateGrad or no-graph op; layout.py sets layer, x, y, w, h."""

    key: str
    kind: str                 # 'tensor', 'op' (a grad_fn), 'acc' (AccumulateGrad), 'const' (no graph recorded)
    label: str                # tensor: the user's variable name; box: PyTorch's name or the op's name
    order: int                # creation order (ties in the layout)
    ref: int | None = None    # tensor id or node id in the trace
    is_leaf: bool = True      # tensors: no grad_fn
    grad_fn: str | None = None  # tensors: key of the grad_fn box; acc: key of its leaf tensor
    saved: tuple = ()         # op: ((attribute, what it holds), ...), e.g. (('_saved_other', 'x'),)
    layer: int = 0
    x: float = 0.0            # centre
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0


@dataclass
class Edge:
    """An arrow: 'grad' ones point the way gradients flow, 'data' ones carry data forward; 'attach' links a
    tensor to its box."""

    key: str
    src: str                  # arrow tail
    dst: str                  # arrow head
    kind: str                 # 'grad' (solid: next_functions, gradients flow src -> dst), 'data' (dashed, forward,
    #                           no gradient) or 'attach' (a tensor hanging off its grad_fn / AccumulateGrad: src is
    #                           the box, dst the tensor; no gradient flows along it)
    order: int
    points: list = field(default_factory=list)   # polyline from tail to head, set by the layout
    label_at: tuple = (0.0, 0.0)


@dataclass
class Step:
    index: int                # frame number
    event: int                # index of the event in trace.events
    kind: str                 # the event's kind
    text: str                 # narration, plain words, in the graph's language
    source: str               # 'line 9: z.backward()' or ''
    call: int                 # number of backward()/autograd.grad calls started so far
    changes: dict             # key -> new state, for what this step changes
    active: tuple = ()        # keys this step is about (highlighted)
    error: bool = False
    message: Msg | None = None  # the narration as a message (id, parameters), before the catalogue says it
    group: str | None = None    # the innermost group (``TraceGraph.groups``) of the node this step is about


class TraceGraph:
    """The whole graph of a trace, its layout, and its states step by step (see module docstring)."""

    KEYFRAME = 32

    def __init__(self, lang: str | None = None):
        self.lang: str = narration.resolve_language(lang)  # the language of every text in it
        self.nodes: dict[str, Node] = {}
        self.edges: dict[str, Edge] = {}
        self.steps: list[Step] = []
        self.initial: dict = {}        # key -> state before the first step
        self.notice: str = ""          # shown above the narration: empty trace, truncated, no graph
        self.jumps: list[tuple[str, int]] = []   # (label, step) for the forward pass and each backward call
        self.width = self.height = 0.0
        self.values: dict[str, set] = {}          # "t1:value", "t1:grad" -> every text a tensor shows (sizing)
        self.groups: dict[str, Group] = {}        # group key -> Group (groups.py); empty for a small graph
        self.group_of: dict[str, str] = {}        # node key -> key of the innermost group it belongs to
        self.overview: dict = {}                  # the first picture of a grouped graph (layout.py)
        self.op_next: dict[str, tuple] = {}       # grad_fn key -> next_functions' node ids (None: no gradient)
        self.edge_slot: dict[str, int] = {}      # a grad_fn's gradient edge -> its slot in next_functions
        self.versions: dict[str, int] = {}       # tensor key -> its version, for a tensor changed in place by an op
        self._keyframes: dict[int, dict] = {}

    def __len__(self) -> int:
        return len(self.steps)

    def state_at(self, i: int) -> dict:
        """Every node's and edge's state after step ``i`` (a new dict; keyframes make it cheap)."""
        if not self.steps:
            return dict(self.initial)
        i = max(0, min(i, len(self.steps) - 1))
        k = i - i % self.KEYFRAME
        base = self._keyframes.get(k)
        if base is None:
            start = max((j for j in self._keyframes if j < k), default=None)
            state = dict(self.initial) if start is None else dict(self._keyframes[start])
            for j in range(0 if start is None else start + 1, k + 1):
                state.update(self.steps[j].changes)
            base = self._keyframes[k] = state
        state = dict(base)
        for j in range(k + 1, i + 1):
            state.update(self.steps[j].changes)
        return state

    # -- stepping by group ------------------------------------------------------------------
    def unit(self, i: int, opened=()) -> str | None:
        """The group drawn as one box that step ``i`` happens in: its outermost collapsed group not
        in ``opened`` (None: the step is about a node drawn on its own)."""
        grp, out = self.steps[i].group, None
        while grp is not None:
            g = self.groups[grp]
            if g.collapsed and grp not in opened:
                out = grp
            grp = g.parent
        return out

    def step_after(self, i: int, by: str = "node", opened=()) -> int:
        """The step that "next" goes to from step ``i``: ``by="node"``, the next one; ``by="group"``, the
        last of the steps in a row that happen in the same box (``unit``), so one click runs a neuron."""
        check_by(by)
        n = len(self.steps)
        if n == 0:
            return 0
        j = min(max(i + 1, 0), n - 1)
        if by == "node" or j == i:
            return j
        u = self.unit(j, opened)
        while u is not None and j + 1 < n and self.unit(j + 1, opened) == u:
            j += 1
        return j

    def step_before(self, i: int, by: str = "node", opened=()) -> int:
        """The step that "back" goes to from step ``i``: the previous one, or (``by="group"``) the last
        step before the run of steps in ``i``'s box began."""
        check_by(by)
        if not self.steps:
            return 0
        i = max(0, min(i, len(self.steps) - 1))
        if by == "node" or i == 0:
            return max(0, i - 1)
        u = self.unit(i, opened)
        s = i
        while u is not None and s > 0 and self.unit(s - 1, opened) == u:
            s -= 1
        return max(0, s - 1)

    def summary(self, first: int, last: int) -> str:
        """What steps ``first`` to ``last`` did, in a few words (a step by group says this): how many
        nodes ran, how many gradients arrived and the largest; or which grad_fn nodes were made."""
        first, last = max(0, first), min(last, len(self.steps) - 1)
        if first >= last:
            return self.steps[last].text if 0 <= last < len(self.steps) else ""
        return narration.text(summarise(self, first, last), self.lang)


def check_by(by) -> None:
    """``by`` is how far "next" and "back" go: "node" or "group" (anything else is a ValueError)."""
    if by not in ("node", "group"):
        raise ValueError(f"by must be 'node' (one step at a time) or 'group' (a whole group at a time), not {by!r}")
