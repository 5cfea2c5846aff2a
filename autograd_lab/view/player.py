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
import functools
import html
import json
from importlib import resources
from pathlib import Path

import ipywidgets as widgets

from ..narration import catalogue, say
from . import graph as _graph
from . import render as _render

__all__ = ["Player", "PlayerState"]

SPEEDS = (0.5, 1.0, 2.0, 4.0)  # play speeds, times the base speed
BASE_INTERVAL = 900  # ms per step at 1×


def speed_options(lang: str | None = None) -> list[tuple[str, float]]:
    """(label, factor) of each play speed: '0.5×', '1×', ..."""
    return [(say("player.speed", lang, factor=f"{f:g}"), f) for f in SPEEDS]


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

    ``Player(trace, max_nodes=300, max_frames=2000, speed=1.0, start=0, lang=None)``: a trace
    with more graph nodes or steps than that is shown from where its last ``max_nodes`` nodes
    start. Every word it shows is in ``lang`` (None: ``narration.get_language()``).
    """

    def __init__(self, trace, *, max_nodes: int = 300, max_frames: int = 2000, speed: float = 1.0,
                 start: int = 0, lang: str | None = None, **kwargs):
        self._graph = _graph.build(trace, max_nodes=max_nodes, max_frames=max_frames, lang=lang)
        self._picture = _render.Picture(self._graph)
        self._state = PlayerState(self._graph)
        lang = self._graph.lang
        last = max(0, self._state.n_frames - 1)
        jumps = [(say("player.jump_to", lang), -1)] + [(label, i) for label, i in self._graph.jumps]

        self._jump = widgets.Dropdown(options=jumps, value=-1, layout=widgets.Layout(width="200px"))
        self._prev = widgets.Button(description=say("player.back", lang), tooltip=say("player.back.tip", lang),
                                    layout=widgets.Layout(width="76px"))
        self._play = widgets.Play(value=0, min=0, max=last, step=1, interval=int(BASE_INTERVAL / speed),
                                  show_repeat=False, layout=widgets.Layout(width="100px"))
        self._next = widgets.Button(description=say("player.next", lang), tooltip=say("player.next.tip", lang),
                                    layout=widgets.Layout(width="76px"))
        self._slider = widgets.IntSlider(value=0, min=0, max=last, readout=False, continuous_update=True,
                                         layout=widgets.Layout(flex="1 1 auto", min_width="120px"))
        self._speed = widgets.Dropdown(options=speed_options(lang), value=speed if speed in SPEEDS else 1.0,
                                       layout=widgets.Layout(width="70px"))
        self._whole = widgets.ToggleButton(value=False, description=say("player.whole", lang),
                                           tooltip=say("player.whole.tip", lang), layout=widgets.Layout(
                                               width="120px",
                                               display="" if picture_needs_window(self._picture) else "none"))
        self._style = widgets.HTML(f"<style>{_render.CSS}</style>", layout=widgets.Layout(display="none"))
        self._frame = widgets.HTML()
        self._legend = widgets.HTML(_render.legend_html(lang))
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

    def save_html(self, path, title: str | None = None, start: int = 0) -> Path:
        """Write one self-contained HTML page that plays this trace with no kernel and no network
        (in the player's language; ``title`` defaults to the catalogue's 'autograd_lab player')."""
        path = Path(path)
        path.write_text(static_html(self._picture, title=title, start=start), encoding="utf-8")
        return path

    def __repr__(self) -> str:
        return say("player.repr", self._graph.lang, i=self.index + 1, n=self.n_frames)

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
def _static(name: str) -> str:
    """A file of view/static (the page's JavaScript and CSS), read from the installed package."""
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def static_html(picture: _render.Picture, title: str | None = None, start: int = 0) -> str:
    """One HTML page (no CDN, no require.js) showing ``picture`` with play, back, next and a slider.

    Its words are in the picture's language; its script and style are view/static/player.js and .css."""
    g = picture.graph
    lang = g.lang
    t = functools.partial(_say, lang)
    n = max(1, picture.n_frames)
    data = picture.payload()
    table = picture.table_html(0)
    head, _, _ = table.partition("<tbody>")
    data.update(thead=head + "<tbody>" if "<tbody>" in table else "<table><tbody>",
                tfoot="</tbody></table>", interval=BASE_INTERVAL, start=max(0, min(start, n - 1)),
                scale=picture.scale, labels={"play": t("player.play"), "pause": t("player.pause")})
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    jumps = "".join(f'<option value="{i}">{html.escape(label)}</option>'
                    for label, i in [(say("player.jump_to", lang), -1)] + list(g.jumps))
    speeds = "".join(f'<option value="{v}"{" selected" if v == 1.0 else ""}>{html.escape(label)}</option>'
                     for label, v in speed_options(lang))
    disabled = " disabled" if n <= 1 else ""
    title = t("player.title") if title is None else title
    return f"""<!DOCTYPE html>
<html lang="{getattr(catalogue(lang), 'HTML_LANG', lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{html.escape(title)}</title>
<style>{_static('player.css')}{_render.CSS}</style></head>
<body>
<div class="alab-player" tabindex="0">
<div class="alab-controls">
<select class="alab-jump" aria-label="{t('player.jump.aria')}"{disabled}>{jumps}</select>
<button class="alab-prev" title="{t('player.back.tip_key')}">{t('player.back')}</button>
<button class="alab-play" title="{t('player.play.tip')}"{disabled}>{t('player.play')}</button>
<button class="alab-next" title="{t('player.next.tip_key')}">{t('player.next')}</button>
<input class="alab-slider" type="range" min="0" max="{n - 1}" value="0" aria-label="{t('player.slider.aria')}"{disabled}>
<select class="alab-speed" aria-label="{t('player.speed.aria')}">{speeds}</select>
</div>
<div class="alab-frame">{picture.svg(0, whole=True)}</div>
{_render.legend_html(lang)}
<div class="alab-narration">{picture.narration_html(0)}</div>
<div class="alab-table">{table}</div>
<script type="application/json" class="alab-data">{payload}</script>
<script>{_static('player.js')}</script>
</div>
</body></html>
"""


def _say(lang, msg_id, **params) -> str:
    """A catalogue text, escaped for HTML."""
    return html.escape(say(msg_id, lang, **params))
