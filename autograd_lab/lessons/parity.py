"""The closing cell of every lesson: the same lines in autograd_lab and in real PyTorch.

``same_in_pytorch(source)`` runs the lesson's lines with ``torch`` bound to autograd_lab, then to
PyTorch, and compares what they print, line by line (object addresses aside). Without PyTorch
the comparison says so and passes. Each row says "same" or "differs" in words and colour.
With PyTorch, the player of the real torch run (``record.torch.snippet.trace_torch_snippet``)
is shown below the table in a notebook, folded under "Watch it in real PyTorch" (a ``<details>``
disclosure, opened by a click, Enter or Space, or ``expanded = True``), and ``Parity.player()``
returns it.

    >>> same_in_pytorch("w = torch.tensor(2.0, requires_grad=True)\\nprint(w * 3)")
"""
from __future__ import annotations

import contextlib
import functools
import html
import importlib
import io
import re
import warnings
from dataclasses import dataclass, field

from ..narration import say
from .feedback import code_spans, verdict_html

__all__ = ["Parity", "same_in_pytorch"]

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_SAME, _DIFFERS = "#1a7f37", "#b42318"


@dataclass
class Parity:
    """The outputs of one snippet in autograd_lab and in PyTorch, line by line."""

    ours: list[str]
    theirs: list[str] | None
    torch_version: str | None = None
    source: str | None = None       # the snippet, when ``theirs`` came from real PyTorch (its player)
    show_player: bool = True        # in a notebook: the real torch run's player below the table
    _player: object = field(default=None, repr=False, compare=False)

    @property
    def skipped(self) -> bool:
        return self.theirs is None

    @property
    def rows(self) -> list[tuple[str, str, bool]]:
        if self.theirs is None:
            return []
        n = max(len(self.ours), len(self.theirs))
        a = self.ours + [""] * (n - len(self.ours))
        b = self.theirs + [""] * (n - len(self.theirs))
        return [(x, y, _ADDRESS.sub(" at 0x...", x) == _ADDRESS.sub(" at 0x...", y)) for x, y in zip(a, b)]

    @property
    def ok(self) -> bool:
        return all(same for _, _, same in self.rows)

    def summary(self) -> str:
        if self.skipped:
            return say("lessons.parity.skipped")
        n = len(self.rows)
        if self.ok:
            return "✓ " + say("lessons.parity.same", n=n, version=self.torch_version)
        bad = sum(not same for _, _, same in self.rows)
        return "✗ " + say("lessons.parity.differ", bad=bad, n=n, version=self.torch_version)

    def __str__(self) -> str:
        lines = [self.summary()]
        if not self.skipped:
            width = min(max([len(r[0]) for r in self.rows] + [12]), 48)
            same, differs = say("lessons.parity.row_same"), say("lessons.parity.row_differs")
            mark = max(len(same), len(differs))
            lines.append(f"{'':<{mark + 2}}  {'autograd_lab':<{width}} | PyTorch {self.torch_version}")
            for x, y, ok in self.rows:
                lines.append(f"{'✓' if ok else '✗'} {same if ok else differs:<{mark}}  {x:<{width}} | {y}")
        return "\n".join(lines)

    __repr__ = __str__

    def trace(self):
        """The trace of the snippet run with real PyTorch (None without it): its prints are not
        shown again and an error ends it as an error step, as in the table."""
        if self.source is None or self.theirs is None:
            return None
        from ..record.torch.snippet import trace_torch_snippet
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return trace_torch_snippet(self.source, {"__name__": "__lesson__"})

    def player(self, **kwargs):
        """The player of the snippet run with real PyTorch ("watch it in real PyTorch"); None
        without PyTorch. ``kwargs`` go to ``Player``."""
        if kwargs or self._player is None:
            t = self.trace()
            if t is None:
                return None
            p = _watch_player_class()(t, **kwargs)
            p.summary = say("lessons.parity.watch", p.graph.lang, version=self.torch_version)
            if kwargs:
                return p
            self._player = p
        return self._player

    def _ipython_display_(self) -> None:
        """In a notebook: the table (as ``_repr_html_``), then the real torch run's player."""
        from IPython.display import display
        display({"text/plain": str(self), "text/html": self._repr_html_()}, raw=True)
        if not self.show_player or self.source is None or self.theirs is None:
            return
        try:
            p = self.player()
        except Exception:  # noqa: BLE001 - the table is the cell's answer; the player is extra
            return
        if p is not None:
            display(p)   # folded: "Watch it in real PyTorch" opens it

    def _repr_html_(self) -> str:
        head = verdict_html(None if self.skipped else self.ok, f"<b>{code_spans(self.summary())}</b>",
                            "alab-parity-verdict")
        if self.skipped:
            return head
        cell = "<td style='font-family:monospace;text-align:left;white-space:pre-wrap'>{}</td>"
        rows = "".join(
            "<tr><td style='color:{};white-space:nowrap'>{} {}</td>{}{}</tr>".format(
                _SAME if same else _DIFFERS, "✓" if same else "✗",
                html.escape(say("lessons.parity.row_same" if same else "lessons.parity.row_differs")),
                cell.format(html.escape(x)), cell.format(html.escape(y)))
            for x, y, same in self.rows)
        return (f"{head}<table><tr><th></th><th style='text-align:left'>autograd_lab</th>"
                f"<th style='text-align:left'>PyTorch {html.escape(self.torch_version or '')}</th></tr>"
                f"{rows}</table>")


# The real torch run's player is a disclosure: an HTML <details> whose <summary> says "Watch it in real PyTorch"
# (a real control: it takes the focus, Enter and Space open and close it, screen readers say whether it is
# open). The player is drawn inside it the first time it opens (drawn when it has its width). ``expanded``
# is synced both ways. The front end is the player's own (webplayer.app_js()), its anywidget render wrapped.
_WATCH_JS = """
function renderWatch({ model, el: root }) {
  const details = document.createElement("details"), summary = document.createElement("summary");
  const body = document.createElement("div");
  details.className = "alab-watch";
  summary.textContent = model.get("summary");
  details.append(summary, body);
  root.replaceChildren(details);
  let cleanup = null;
  const draw = () => { if (details.open && !cleanup) cleanup = render({ model, el: body }); };
  details.addEventListener("toggle", () => {
    draw();
    if (model.get("expanded") !== details.open) { model.set("expanded", details.open); model.save_changes(); }
  });
  const onExpanded = () => { details.open = !!model.get("expanded"); draw(); };
  model.on("change:expanded", onExpanded);
  onExpanded();
  return () => { model.off("change:expanded", onExpanded); if (cleanup) cleanup(); };
}
export default { render: renderWatch };
"""


@functools.lru_cache(maxsize=1)
def _watch_player_class():
    """``Player`` folded under its ``summary`` (an HTML disclosure, closed until ``expanded``)."""
    import traitlets
    from ..view.player import Player
    from ..view.webplayer import app_js
    js = app_js()
    default = "export default { render };"
    if js.count(default) != 1:
        raise RuntimeError("webplayer.app_js() no longer ends with host.js's 'export default { render };'")

    class WatchPlayer(Player):
        """The player of the real torch run, folded under "Watch it in real PyTorch"."""

        _esm = js.replace(default, _WATCH_JS)
        summary = traitlets.Unicode("", help="the disclosure's text").tag(sync=True)
        expanded = traitlets.Bool(False, help="the disclosure is open (the player shown)").tag(sync=True)

        def __init__(self, trace, **kwargs):
            kwargs.setdefault("_dom_classes", ("alab-watch-host",))   # the player is drawn inside, when opened
            super().__init__(trace, **kwargs)

    return WatchPlayer


def _run_snippet(source: str, module) -> list[str]:
    """Run ``source`` with ``torch`` bound to ``module``; the printed lines (an error ends them)."""
    out = io.StringIO()
    namespace = {"torch": module, "__name__": "__lesson__"}
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec(compile(source, "<lesson>", "exec"), namespace)  # the lesson's own text, not a student's
        except Exception as exc:  # noqa: BLE001 - an error is part of what is compared
            print(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    return out.getvalue().splitlines()


def same_in_pytorch(source: str, torch_module: str = "torch", player: bool = True) -> Parity:
    """Run the lesson lines ``source`` with ``torch`` = autograd_lab, then = real PyTorch, and compare
    what they print. Without PyTorch installed the comparison says so and passes. With real PyTorch
    (``torch_module="torch"``) and ``player``, a notebook shows its run's player below the table."""
    import autograd_lab
    ours = _run_snippet(source, autograd_lab)
    try:
        real = importlib.import_module(torch_module)
    except ImportError:
        return Parity(ours, None)
    theirs = _run_snippet(source, real)
    is_torch = getattr(getattr(real, "overrides", None), "TorchFunctionMode", None) is not None
    return Parity(ours, theirs, getattr(real, "__version__", "?").split("+")[0],
                  source if is_torch else None, player)
