"""The Player: step through a trace on its computation graph, in a notebook or a static page.

``PlayerState`` is the stepping logic alone (``step()``, ``back()``, ``seek(i)``, ``index``,
``n_frames``, ``narration``), testable without a browser. ``Player`` is the notebook widget: an
anywidget (``webplayer.WebPlayer``) that sends the trace's scene (``scene.scene``) once to the
front end in the page (``static/app.js``), which draws the graph, steps, zooms, pans, fits and
inspects with no kernel round trip; the step shown (``index``) is synced both ways.
``save_html(path)`` writes one self-contained page running the same front end on the same
scene, no kernel, no network::

    import autograd_lab as lab
    with lab.trace(catch_errors=True) as t:
        w = lab.tensor(2.0, requires_grad=True)
        z = w * 3 + 1
        z.backward()
    p = lab.Player(t)     # or t.play()
    p.seek(5); p.narration
    p.save_html("autograd.html")

CSS classes (for tests and themes): ``alab-player`` (root), ``alab-prev``, ``alab-next``,
``alab-play``, ``alab-slider``, ``alab-speed``, ``alab-jump``, ``alab-frame`` (the picture),
``alab-narration``, ``alab-table``; and ``alab-zoom-in``, ``alab-zoom-out``, ``alab-fit``,
``alab-whole``, ``alab-filter``, ``alab-inspect``.
"""
from __future__ import annotations

import bisect
from pathlib import Path

from ..narration import say
from . import graph as _graph
from . import scene as _scene
from .tracegraph import check_by
from .webplayer import WebPlayer, page_html

__all__ = ["Player", "PlayerState", "static_html"]

SPEEDS = (0.5, 1.0, 2.0, 4.0)
_MARK = {"running": "▶ ", "done": "✓ ", "error": "✖ "}  # as app.js marks a box's state (PREFIX there)


class PlayerState:
    """Which step of a ``TraceGraph`` is shown (no widgets): ``step()``, ``back()``, ``seek(i)``."""

    def __init__(self, graph: _graph.TraceGraph):
        self.graph = graph
        self.index = 0
        self.opened: tuple = ()   # keys of the boxes opened (graph.unit): a step by group runs the boxes inside
        self.summary = ""         # what the last step by group did, when it ran more than one step ("" else)

    @property
    def n_frames(self) -> int:
        return len(self.graph.steps)

    def clamp(self, i: int) -> int:
        """Step ``i`` (negative counts from the end) clamped to the trace."""
        n = self.n_frames
        if i < 0:
            i += n
        return max(0, min(int(i), n - 1)) if n else 0

    def seek(self, i: int) -> int:
        """Go to step ``i`` (negative counts from the end; clamped to the trace); returns the index."""
        i = self.clamp(i)
        if i != self.index:
            self.summary = ""
        self.index = i
        return self.index

    def step(self, by: str = "node") -> int:
        """Go to the next step; ``by="group"``: to the last step of the run of steps in the next box of a
        grouped graph (one click runs a neuron; ``graph.step_after``), and ``summary`` says what the run
        did (``graph.summary``, a few words) when it was more than one step."""
        i = self.index
        j = self.seek(self.graph.step_after(i, by=by, opened=self.opened))
        if by == "group" and j - i > 1:
            self.summary = self.graph.summary(i + 1, j)
        return j

    def back(self, by: str = "node") -> int:
        """Go to the previous step; ``by="group"``: to the step before the current box's run began
        (``summary`` then says what the steps undone had done)."""
        i = self.index
        j = self.seek(self.graph.step_before(i, by=by, opened=self.opened))
        if by == "group" and i - j > 1:
            self.summary = self.graph.summary(j + 1, i)
        return j

    @property
    def current(self) -> _graph.Step | None:
        return self.graph.steps[self.index] if self.n_frames else None

    @property
    def narration(self) -> str:
        """The current step in plain words, after the source line that caused it."""
        s = self.current
        if s is None:
            return self.graph.notice
        text = self.summary or s.text
        return f"{s.source}\n{text}" if s.source else text

    def frame_of_event(self, event_index: int) -> int:
        """The step that shows event ``event_index`` (a hidden bookkeeping event shows with the next step)."""
        steps = self.graph.steps
        if not steps:
            return 0
        i = bisect.bisect_left([s.event for s in steps], event_index)
        return min(i, len(steps) - 1)

    @property
    def jumps(self) -> list[tuple[str, int]]:
        return list(self.graph.jumps)


class Player(WebPlayer):
    """Animate a ``Trace`` on its computation graph (see the module docstring).

    ``Player(trace, max_nodes=5000, max_frames=20000, speed=1.0, start=0, lang=None)``: a trace
    with more graph nodes or steps than that is shown from where its last ``max_nodes`` nodes
    start. Every word it shows is in ``lang`` (None: ``narration.get_language()``).
    """

    def __init__(self, trace, *, max_nodes: int = 5000, max_frames: int = 20000, speed: float = 1.0,
                 start: int = 0, lang: str | None = None, **kwargs):
        self._graph = _graph.build(trace, max_nodes=max_nodes, max_frames=max_frames, lang=lang)
        self._state = PlayerState(self._graph)
        start = self._state.seek(start)
        speed = speed if speed in SPEEDS else 1.0
        self._scene = _scene.scene(self._graph, trace=trace, start=start, speed=speed)
        kwargs.setdefault("_dom_classes", ("alab-player",))  # the element app.js draws into
        super().__init__(scene=self._scene, index=start, **kwargs)
        self.observe(self._on_index_change, names="index")
        self.observe(self._on_opened, names="opened")

    # ------------------------------------------------------------------ Python API
    # ``index`` is the synced trait: the step shown; the controls in the page set it too.
    @property
    def n_frames(self) -> int:
        return self._state.n_frames

    @property
    def narration(self) -> str:
        return self._state.narration

    @property
    def graph(self) -> _graph.TraceGraph:
        return self._graph

    @property
    def jumps(self) -> list[tuple[str, int]]:
        return self._state.jumps

    @property
    def summary(self) -> str:
        """What the last step by group did (``graph.summary``), "" after any other move."""
        return self._state.summary

    def seek(self, i: int) -> int:
        """Show step ``i`` (negative counts from the end); returns the index shown."""
        self.index = self._state.clamp(i)
        return self.index

    def step(self, by: str = "node") -> int:
        """Show the next step; ``by="group"``: run the next closed box of a grouped graph (the boxes opened
        in the page count as open), and say what it did: ``p.summary``, ``p.narration`` and the page."""
        return self._move(self._state.step, by)

    def back(self, by: str = "node") -> int:
        """Show the previous step (``by="group"``: go back past the current box's run, saying what it did)."""
        return self._move(self._state.back, by)

    def _move(self, how, by: str) -> int:
        check_by(by)
        self._state.seek(self.index)
        i = how(by)
        with self.hold_sync():   # the page gets the step and what it did in one message
            self.note = [i, self._state.summary] if self._state.summary else []
            self.index = i
        if self.index != i:  # the scene holds fewer steps (a Predict's player before the answer)
            self._state.seek(self.index)
            self._state.summary = ""
        return self.index

    def frame_of_event(self, event_index: int) -> int:
        """The step showing ``trace.events[event_index]``. Steps skip bookkeeping events (the
        arithmetic inside a hook or an optimizer step), which then show with the next step."""
        return self._state.frame_of_event(event_index)

    def seek_event(self, event_index: int) -> int:
        """Show the step of ``trace.events[event_index]`` (see ``frame_of_event``)."""
        return self.seek(self.frame_of_event(event_index))

    def frame_texts(self, i: int | None = None) -> list[str]:
        """The texts the picture shows at step ``i`` (default: the current one), whole, as app.js
        draws them: tensors' ``name = value`` and grad lines, boxes' names with their state mark,
        saved values and sums, tags, and the gradients on the arrows."""
        g, words = self._graph, self._scene["words"]
        out = []
        for k, st in g.state_at(self.index if i is None else i).items():
            if not st.shown:
                continue
            n = g.nodes.get(k)
            if n is None:
                edge = g.edges.get(k)
                if edge is not None and edge.kind == "grad" and st.status in ("active", "passed") and st.grad:
                    out.append(st.grad)
            elif n.kind == "tensor":
                out += [f"{n.label} = {st.value}", words["grad_of"].format(grad=st.grad) if st.rg else words["no_grad"]]
            else:
                out.append(_MARK.get(st.status, "") + n.label)
                if st.info:
                    out.append(st.info)
            if n is not None and st.tag:
                out.append(st.tag)
        return out

    def save_html(self, path, title: str | None = None, start: int | None = None) -> Path:
        """Write one self-contained HTML page that plays this trace with no kernel and no network
        (the same front end as the widget, in the player's language), opening at step ``start``
        (default: the current one); ``title`` defaults to the catalogue's 'autograd_lab player'."""
        path = Path(path)
        path.write_text(static_html(self, title=title, start=start), encoding="utf-8")
        return path

    def __repr__(self) -> str:
        return say("player.repr", self._graph.lang, i=self.index + 1, n=self.n_frames)

    # ------------------------------------------------------------------ handlers
    def _on_index_change(self, change) -> None:
        summary = self._state.summary if self._state.index == change["new"] else ""
        self._state.seek(change["new"])
        self._state.summary = summary

    def _on_opened(self, change) -> None:
        self._state.opened = tuple(k for k in change["new"] if k in self._graph.groups)


def static_html(player: Player, title: str | None = None, start: int | None = None) -> str:
    """The page ``player.save_html`` writes: app.js, app.css and the scene inlined, no network."""
    scene = dict(player._scene)
    scene["start"] = player._state.clamp(player.index if start is None else start)
    return page_html(scene, title=title)
