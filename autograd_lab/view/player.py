"""The Player: step through a trace on its computation graph, in a notebook or a static page.

``PlayerState`` is the stepping logic alone (``step()``, ``back()``, ``seek(i)``, ``index``,
``n_frames``, ``narration``), testable without a browser. ``Player`` is an ipywidgets ``VBox``
around it: controls (jump menu, back, play/pause with speed, next, slider), the picture,
the narration and a table of tensors. ``save_html(path)`` writes one self-contained page
that animates the same frames with a few lines of JavaScript, no kernel, no network::

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
``alab-narration``, ``alab-table``.
"""
from __future__ import annotations

import bisect
import html
import json
from pathlib import Path

import ipywidgets as widgets

from . import graph as _graph
from . import render as _render

__all__ = ["Player", "PlayerState"]

SPEEDS = (("0.5×", 0.5), ("1×", 1.0), ("2×", 2.0), ("4×", 4.0))
BASE_INTERVAL = 900  # ms per step at 1×


class PlayerState:
    """Which step of a ``TraceGraph`` is shown (no widgets): ``step()``, ``back()``, ``seek(i)``."""

    def __init__(self, graph: _graph.TraceGraph):
        self.graph = graph
        self.index = 0

    @property
    def n_frames(self) -> int:
        return len(self.graph.steps)

    def seek(self, i: int) -> int:
        """Go to step ``i`` (negative counts from the end; clamped to the trace); returns the index."""
        n = self.n_frames
        if i < 0:
            i += n
        self.index = max(0, min(int(i), n - 1)) if n else 0
        return self.index

    def step(self) -> int:
        return self.seek(self.index + 1)

    def back(self) -> int:
        return self.seek(max(0, self.index - 1))

    @property
    def current(self) -> _graph.Step | None:
        return self.graph.steps[self.index] if self.n_frames else None

    @property
    def narration(self) -> str:
        """The current step in plain words, after the source line that caused it."""
        s = self.current
        if s is None:
            return self.graph.notice
        return f"{s.source}\n{s.text}" if s.source else s.text

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


class Player(widgets.VBox):
    """Animate a ``Trace`` on its computation graph (see the module docstring).

    ``Player(trace, max_nodes=300, max_frames=2000, speed=1.0, start=0)``: a trace with more
    graph nodes or steps than that is shown from where its last ``max_nodes`` nodes start.
    """

    def __init__(self, trace, *, max_nodes: int = 300, max_frames: int = 2000, speed: float = 1.0,
                 start: int = 0, **kwargs):
        self._graph = _graph.build(trace, max_nodes=max_nodes, max_frames=max_frames)
        self._picture = _render.Picture(self._graph)
        self._state = PlayerState(self._graph)
        last = max(0, self._state.n_frames - 1)
        jumps = [("jump to…", -1)] + [(label, i) for label, i in self._graph.jumps]

        self._jump = widgets.Dropdown(options=jumps, value=-1, layout=widgets.Layout(width="200px"))
        self._prev = widgets.Button(description="◀ back", tooltip="previous step",
                                    layout=widgets.Layout(width="76px"))
        self._play = widgets.Play(value=0, min=0, max=last, step=1, interval=int(BASE_INTERVAL / speed),
                                  show_repeat=False, layout=widgets.Layout(width="100px"))
        self._next = widgets.Button(description="next ▶", tooltip="next step", layout=widgets.Layout(width="76px"))
        self._slider = widgets.IntSlider(value=0, min=0, max=last, readout=False, continuous_update=True,
                                         layout=widgets.Layout(flex="1 1 auto", min_width="120px"))
        self._speed = widgets.Dropdown(options=SPEEDS, value=speed if speed in dict(SPEEDS).values() else 1.0,
                                       layout=widgets.Layout(width="70px"))
        self._whole = widgets.ToggleButton(value=False, description="whole graph", tooltip=(
            "show the whole graph (scroll to move around) instead of a window that follows each step"),
            layout=widgets.Layout(width="120px", display="" if picture_needs_window(self._picture) else "none"))
        self._style = widgets.HTML(f"<style>{_render.CSS}</style>", layout=widgets.Layout(display="none"))
        self._frame = widgets.HTML()
        self._legend = widgets.HTML(_render.LEGEND_HTML)
        self._narration = widgets.HTML()
        self._table = widgets.HTML()
        for w, cls in ((self._jump, "alab-jump"), (self._prev, "alab-prev"), (self._play, "alab-play"),
                       (self._next, "alab-next"), (self._slider, "alab-slider"), (self._speed, "alab-speed"),
                       (self._whole, "alab-whole"),
                       (self._frame, "alab-frame"), (self._narration, "alab-narration"),
                       (self._table, "alab-table")):
            w.add_class(cls)
        disabled = self._state.n_frames <= 1
        for w in (self._jump, self._prev, self._play, self._next, self._slider, self._speed):
            w.disabled = disabled

        # -- wiring: every observer in one place ------------------------------------------
        widgets.jslink((self._play, "value"), (self._slider, "value"))  # playing needs no extra round trip
        self._slider.observe(self._on_slider_change, names="value")
        self._jump.observe(self._on_jump_change, names="value")
        self._speed.observe(self._on_speed_change, names="value")
        self._whole.observe(self._on_whole_change, names="value")
        self._prev.on_click(lambda _: self.back())
        self._next.on_click(lambda _: self.step())

        self._show(self._state.seek(start))
        if self._state.index:
            self._slider.value = self._state.index
        controls = widgets.HBox([self._jump, self._prev, self._play, self._next, self._slider, self._speed,
                                 self._whole],
                                layout=widgets.Layout(align_items="center", width="100%"))
        controls.add_class("alab-controls")
        super().__init__(children=[self._style, controls, self._frame, self._legend, self._narration, self._table],
                         _dom_classes=("alab-player",), **kwargs)

    # ------------------------------------------------------------------ Python API
    @property
    def index(self) -> int:
        return self._state.index

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
    def picture(self) -> _render.Picture:
        return self._picture

    def seek(self, i: int) -> int:
        """Show step ``i`` (negative counts from the end); returns the index shown."""
        j = PlayerState(self._graph).seek(i) if self.n_frames else 0
        if j != self._slider.value:
            self._slider.value = j  # -> _on_slider_change -> _show
        return self.index

    def step(self) -> int:
        return self.seek(self.index + 1)

    def back(self) -> int:
        return self.seek(max(0, self.index - 1))

    def frame_of_event(self, event_index: int) -> int:
        """The step showing ``trace.events[event_index]``. Steps skip bookkeeping events (the
        arithmetic inside a hook or an optimizer step), which then show with the next step."""
        return self._state.frame_of_event(event_index)

    def seek_event(self, event_index: int) -> int:
        """Show the step of ``trace.events[event_index]`` (see ``frame_of_event``)."""
        return self.seek(self.frame_of_event(event_index))

    def frame_svg(self, i: int | None = None) -> str:
        """The picture at step ``i`` (default: the current one) as SVG text."""
        return self._picture.svg(self.index if i is None else i)

    def save_html(self, path, title: str = "autograd_lab player", start: int = 0) -> Path:
        """Write one self-contained HTML page that plays this trace with no kernel and no network."""
        path = Path(path)
        path.write_text(static_html(self._picture, title=title, start=start), encoding="utf-8")
        return path

    def __repr__(self) -> str:
        return f"<Player: step {self.index + 1} of {self.n_frames}>"

    # ------------------------------------------------------------------ handlers
    def _show(self, i: int) -> None:
        i = self._state.seek(i)
        pic = self._picture
        view = pic.view(i)
        self._frame.value = pic.svg(view=view, whole=self._whole.value)
        self._narration.value = pic.narration_html(i)
        self._table.value = pic.table_html(view=view)
        self._prev.disabled = i <= 0
        self._next.disabled = i >= self.n_frames - 1

    def _on_slider_change(self, change) -> None:
        self._show(change["new"])

    def _on_jump_change(self, change) -> None:
        if change["new"] is not None and change["new"] >= 0:
            self.seek(change["new"])
            self._jump.value = -1  # so the same entry can be chosen again

    def _on_speed_change(self, change) -> None:
        self._play.interval = int(BASE_INTERVAL / change["new"])

    def _on_whole_change(self, change) -> None:
        self._show(self.index)


def picture_needs_window(picture: _render.Picture) -> bool:
    """True when the graph is too big for the cell and a window follows the action."""
    return "cam" in picture.base


# ---------------------------------------------------------------------------- static page
_PAGE_CSS = """
body { margin: 16px; background: #fff; color: #1a1a1a; }
.alab-player { max-width: 900px; font-family: system-ui, "Segoe UI", Roboto, sans-serif; }
.alab-controls { display: flex; gap: 6px; align-items: center; margin-bottom: 6px; }
.alab-controls button, .alab-controls select { font: inherit; font-size: 13px; padding: 3px 8px;
  border: 1px solid #bdbdbd; border-radius: 3px; background: #f5f5f5; cursor: pointer; }
.alab-controls button:disabled { opacity: 0.45; cursor: default; }
.alab-controls .alab-slider { flex: 1 1 auto; min-width: 120px; }
.alab-controls .alab-jump { max-width: 210px; }
.alab-player > div { margin-bottom: 6px; }
"""

# Fills the SVG's slots (class of every node and edge, text of every label) for each step.
_PAGE_JS = r"""
(function () {
  const root = document.currentScript.parentElement, q = (s) => root.querySelector(s);
  const D = JSON.parse(q("script.alab-data").textContent), n = D.narration.length;
  const els = {};
  root.querySelectorAll("[data-c]").forEach((g) => {
    (els[g.dataset.c] = els[g.dataset.c] || []).push(g);
    if (g.dataset.t) els[g.dataset.t] = [g.querySelector("text")];
  });
  const prev = q(".alab-prev"), next = q(".alab-next"), play = q(".alab-play"), slider = q(".alab-slider");
  const frame = q(".alab-frame");
  let shown = Object.assign({}, D.base), idx = 0, timer = null, first = true;
  function viewAt(i) {
    const v = Object.assign({}, D.base);
    for (let j = 1; j <= i; j++) Object.assign(v, D.deltas[j]);
    return v;
  }
  function show(i) {
    i = Math.max(0, Math.min(n - 1, i | 0));
    const v = viewAt(i);
    let rows = false;
    for (const k in v) {
      if (v[k] === shown[k]) continue;
      if (k.startsWith("row:")) { rows = true; continue; }
      for (const el of els[k] || []) {
        if (el.tagName === "text") el.textContent = v[k];
        else el.setAttribute("class", el.dataset.r + " " + v[k]);
      }
    }
    if (rows) q(".alab-table").innerHTML = D.thead + D.rows.map((k) => v[k] || "").join("") + D.tfoot;
    if (v.cam && (v.cam !== shown.cam || first)) {  // keep what this step is about in sight
      const [x, y] = v.cam.split(" ").map(Number);
      frame.scrollTo({left: x * D.scale, top: y * D.scale, behavior: first ? "auto" : "smooth"});
    }
    shown = v; idx = i; first = false;
    q(".alab-narration").innerHTML = D.narration[i];
    slider.value = i; prev.disabled = i <= 0; next.disabled = i >= n - 1;
  }
  function stop() { clearInterval(timer); timer = null; play.textContent = "▶ play"; }
  function start() {
    if (idx >= n - 1) show(0);
    play.textContent = "❚❚ pause";
    timer = setInterval(() => { if (idx >= n - 1) stop(); else show(idx + 1); },
                        D.interval / parseFloat(q(".alab-speed").value));
  }
  prev.onclick = () => { stop(); show(idx - 1); };
  next.onclick = () => { stop(); show(idx + 1); };
  play.onclick = () => (timer ? stop() : start());
  slider.oninput = () => { stop(); show(+slider.value); };
  q(".alab-speed").onchange = () => { if (timer) { stop(); start(); } };
  q(".alab-jump").onchange = (e) => { const i = +e.target.value; e.target.selectedIndex = 0;
                                      if (i >= 0) { stop(); show(i); } };
  root.addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight") { stop(); show(idx + 1); } else if (e.key === "ArrowLeft") { stop(); show(idx - 1); }
  });
  show(D.start);
})();
"""


def static_html(picture: _render.Picture, title: str = "autograd_lab player", start: int = 0) -> str:
    """One HTML page (no CDN, no require.js) showing ``picture`` with play, back, next and a slider."""
    g = picture.graph
    n = max(1, picture.n_frames)
    data = picture.payload()
    table = picture.table_html(0)
    head, _, _ = table.partition("<tbody>")
    data.update(thead=head + "<tbody>" if "<tbody>" in table else "<table><tbody>",
                tfoot="</tbody></table>", interval=BASE_INTERVAL, start=max(0, min(start, n - 1)),
                scale=picture.scale)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    jumps = "".join(f'<option value="{i}">{html.escape(label)}</option>'
                    for label, i in [("jump to…", -1)] + list(g.jumps))
    speeds = "".join(f'<option value="{v}"{" selected" if v == 1.0 else ""}>{label}</option>'
                     for label, v in SPEEDS)
    disabled = " disabled" if n <= 1 else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{html.escape(title)}</title>
<style>{_PAGE_CSS}{_render.CSS}</style></head>
<body>
<div class="alab-player" tabindex="0">
<div class="alab-controls">
<select class="alab-jump" aria-label="jump to"{disabled}>{jumps}</select>
<button class="alab-prev" title="previous step (←)">◀ back</button>
<button class="alab-play" title="play / pause"{disabled}>▶ play</button>
<button class="alab-next" title="next step (→)">next ▶</button>
<input class="alab-slider" type="range" min="0" max="{n - 1}" value="0" aria-label="step"{disabled}>
<select class="alab-speed" aria-label="speed">{speeds}</select>
</div>
<div class="alab-frame">{picture.svg(0, whole=True)}</div>
{_render.LEGEND_HTML}
<div class="alab-narration">{picture.narration_html(0)}</div>
<div class="alab-table">{table}</div>
<script type="application/json" class="alab-data">{payload}</script>
<script>{_PAGE_JS}</script>
</div>
</body></html>
"""
