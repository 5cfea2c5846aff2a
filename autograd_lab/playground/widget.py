"""The Playground app: a code box, a Run button, a menu of examples, errors inline, the Player.

`Playground` is an ipywidgets `VBox` around `run`: Run checks and runs the code box, then
shows either the rejection (its line, the code and the hint) or what the program printed,
its last autograd error at its line, and the trace in a `Player` (imported only when a trace
is to be shown, so the rest works without it). This is the only module of the playground
that imports ipywidgets; the package imports it when `Playground` is first asked for.

    >>> Playground()          # doctest: +SKIP
"""
from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..narration import catalogue, say, speaking
from .runner import run
from .check import FILENAME
from .examples import DEFAULT_EXAMPLE, EXAMPLES, examples
from .limits import RejectedCode

if TYPE_CHECKING:  # pragma: no cover
    from ..record.events import Trace

_STYLE = """<style>
.alab-playground .alab-code textarea { font-family: monospace; font-size: 13px; }
.alab-playground .alab-error { color: #b00020; }
.alab-playground .alab-hint { color: #555; font-size: 90%; line-height: 1.4; }
.alab-playground .alab-error pre, .alab-playground .alab-printed pre {
  margin: 2px 0; padding: 4px 6px; background: #f6f6f6; white-space: pre-wrap;
  font-family: monospace; font-size: 13px; }
</style>"""


class Playground(widgets.VBox):
    """Type a program, press Run, watch its trace in a Player.

        >>> Playground()          # doctest: +SKIP
    """

    def __init__(self, source: str | None = None, lang: str | None = None, **kwargs: Any):
        with speaking(lang) as self.lang:  # None: the language in force now; kept for its callbacks
            self._init(source, **kwargs)

    def _init(self, source: str | None, **kwargs: Any) -> None:
        self.trace: Trace | None = None
        self.error: str | None = None

        self._menu = dict(zip(examples(self.lang), EXAMPLES))  # the title shown -> the example's name
        self._examples = widgets.Dropdown(
            options=[(say("playground.examples"), "")] + [(title, name) for title, name in self._menu.items()],
            value="", layout=widgets.Layout(width="16em"))
        self._run = widgets.Button(description=say("playground.run"), icon="play", button_style="primary")
        self._run.add_class("alab-run")
        self._code = widgets.Textarea(
            value=self._example(DEFAULT_EXAMPLE) if source is None else source,
            placeholder="w = tensor(2.0, requires_grad=True)",
            layout=widgets.Layout(width="auto", height="16em"))
        self._code.add_class("alab-code")
        self._message = widgets.HTML()
        self._printed = widgets.HTML()
        self._printed.add_class("alab-printed")
        self._player = widgets.VBox()
        # What the program printed comes first, then the error that stopped it (as in a terminal).
        self._output = widgets.VBox([self._printed, self._message, self._player])

        # -- wiring --
        self._run.on_click(self._on_run_click)
        self._examples.observe(self._on_examples_change, names="value")

        toolbar = widgets.HBox([self._run, self._examples])
        super().__init__([widgets.HTML(_STYLE), toolbar, self._code, self._output], **kwargs)
        self.add_class("alab-playground")

    @property
    def source(self) -> str:
        return self._code.value

    @source.setter
    def source(self, text: str) -> None:
        self._code.value = text

    def load_example(self, name: str) -> None:
        """Put one of EXAMPLES (by its name, or by its title in the menu) into the code box, with its
        comments in the playground's language."""
        self._code.value = self._example(self._menu.get(name, name))

    def _example(self, name: str) -> str:
        return dict(zip(EXAMPLES, examples(self.lang).values()))[name]

    def run(self) -> Trace | None:
        """Run the code box (what the Run button does); return the trace, or None if rejected."""
        with speaking(self.lang):
            return self._run_code()

    def _run_code(self) -> Trace | None:
        self._run.disabled = True
        try:
            try:
                trace = run(self._code.value)
            except RejectedCode as e:
                self.trace, self.error = None, str(e)
                self._show_error(e.reason, e.lineno, e.line, e.hint)
                self._printed.value = ""
                self._player.children = ()
                return None
            self.trace = trace
            self.error = None
            self._show_trace_error(trace)
            text = trace.output.rstrip("\n")
            self._printed.value = f"<pre>{html.escape(text)}</pre>" if text else ""
            self._player.children = (self._make_player(trace),)
            return trace
        finally:
            self._run.disabled = False

    # -- handlers --
    def _on_run_click(self, _button: widgets.Button) -> None:
        self.run()

    def _on_examples_change(self, change: dict) -> None:
        if change["new"]:
            self.load_example(change["new"])
            self._examples.value = ""

    # -- display --
    def _show_error(self, reason: str, lineno: int | None, line: str | None, hint: str = "") -> None:
        where = ""
        if lineno:  # "line 7: " / "第 7 行：": the line in bold, then the separator the catalogue puts after it
            line_text = say("playground.line", line=lineno)
            after = say("playground.rejected_at", line=lineno, message="").removeprefix(line_text)
            where = f"<b>{html.escape(line_text)}</b>{html.escape(after)}"
        code = (f"<pre>{lineno:>3} | {html.escape(line)}</pre>" if lineno and line is not None else "")
        hint = f'<div class="alab-hint">{_code_spans(hint)}</div>' if hint else ""
        self._message.value = f"<div>{where}{_code_spans(reason)}{code}{hint}</div>"
        self._message.add_class("alab-error")

    def _show_trace_error(self, trace: Any) -> None:
        errors = [e for e in trace.events if e.kind == "error"]
        if not errors:
            self._message.value = ""
            self._message.remove_class("alab-error")
            return
        event = errors[-1]
        lineno, line = _event_line(event)
        self._show_error(_event_message(event), lineno, line, error_hint(event.message))

    @staticmethod
    def _make_player(trace: Any) -> widgets.Widget:
        try:
            player_class = _player_class()
        except ImportError as e:  # the code box, printed text and errors still work
            return widgets.HTML(f"<i>{html.escape(say('playground.no_player', error=e, n=len(trace.events)))}</i>")
        return player_class(trace)


def _player_class() -> type:
    """autograd_lab.Player, imported only when a trace is to be shown."""
    from autograd_lab.view.player import Player

    return Player


def _event_line(event: Any) -> tuple[int | None, str | None]:
    """The playground line an event came from (its source is (file, line, text))."""
    source = getattr(event, "source", None)
    if source is None or source.file != FILENAME:
        return None, None
    return source.line, source.text


def _event_message(event: Any) -> str:
    return f"{event.error}: {event.message}" if event.error else str(event.message)


# PyTorch's message (kept verbatim) -> a hint in the student's terms under it.
_ERROR_HINTS = {"grad can be implicitly created only for scalar outputs": "playground.error_hint.not_scalar"}


def error_hint(message: str) -> str:
    """A hint for an autograd error PyTorch states tersely ("" when there is none); a catalogue with
    an ``explain`` (Chinese) explains every PyTorch message it recognises, as its player does."""
    for start, msg_id in _ERROR_HINTS.items():
        if str(message).startswith(start):
            return say(msg_id)
    explain = getattr(catalogue(), "explain", None)
    return explain(message) if explain else ""


def _code_spans(text: str) -> str:
    """Escape a message for HTML and show its `code` parts as code (messages use backticks)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))
