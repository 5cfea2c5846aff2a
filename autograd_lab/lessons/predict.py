"""Predict-then-reveal: the student types a prediction, gets a verdict, the player shows the step.

``Predict(question, answer, trace=t, reveal=("accumulate", "w", 2))`` shows the question, a
text box (or a drop-down), Check, Hint and Show me, and a ``Player`` of the trace waiting
*before* anything shows the answer: before the revealing step and before the step that sends
its value along; until the answer is given, the player holds no step past that one (next, the
slider and the jump menu stop there). The lessons name their questions, ``Predict("05.twice",
trace=t)``: the answer, hint and explanation live in ``questions.py`` and the catalogues, not in
the notebook the student reads. Every click of Check gives a verdict; words and colour carry it (the sign
only decorates). ipywidgets is imported only when the widget is first shown.

    >>> p = Predict("w.grad after the second backward()?", answer=6)
    >>> p.submit("3")
    '✗ Not quite. Try again.'
"""
from __future__ import annotations

import html
import math
import re

from ..narration import resolve_language, say
from . import questions as _questions
from .feedback import code_spans, verdict_html

__all__ = ["Predict", "event_index"]

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_YES = {"yes", "y", "true", "raises", "it raises", "error", "an error", "fails"}
_ZH_YES = ("是", "对", "会", "报错", "抛出")  # 是 / 是，会报错 / 会报错
_ZH_NO = ("否", "不是", "不对", "不会", "不报错", "能正常", "正常", "能运行")  # 否，能正常运行 / 不会
_NO = {"no", "n", "false", "runs", "it runs", "works", "no error", "fine"}
_FROM_THE_BANK = object()  # Predict("05.twice"): the answer is the question bank's (questions.py)


def _norm(text: str) -> str:
    return re.sub(r"[\s<>()'\"`]|object at 0x[0-9a-f]+", "", str(text)).lower()


def _fmt(x: float) -> str:
    return f"{x:g}"


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _same_number(value, answer) -> bool:
    """Is ``value`` (a gradient as recorded: a number, a one-element array, or None) the answer?"""
    try:
        number = float(value) if _is_number(value) else float(value.item())
    except (AttributeError, TypeError, ValueError):
        return False
    return math.isclose(number, float(answer), rel_tol=1e-6, abs_tol=1e-6)


class Predict:
    """A predict-then-reveal question; ``submit(text)`` and ``give_up()`` return the feedback text.

    ``answer``: a number (w.grad's value), True/False ("does the next call raise?") or a string
    (a node name); ``choices`` turns the text box into a drop-down. ``wrong`` maps tempting
    wrong answers to what they mean.

    ``trace``: a ``Player`` of it is shown under the question (or pass your own ``player``).
    ``reveal``: the player frame that shows the answer, or an event of the trace as
    ``(kind, name, n)``, e.g. ``("accumulate", "w", 2)``: the second gradient added into w.grad
    (see ``event_index``). The player waits at ``before`` (a frame or an event; default: the
    frame before the first step that shows the answer: for a number added into a leaf, the node
    that sends that number to the leaf's AccumulateGrad) and moves to ``reveal`` once the answer is
    right or given up. In a notebook the object shows as a widget::

        with lab.trace() as t:
            ...
        Predict("What is w.grad after the second backward?", answer=6, trace=t,
                reveal=("accumulate", "w", 2))
    """

    def __init__(self, question: str, answer=_FROM_THE_BANK, *, choices: list[str] | None = None, explain: str = "",
                 hint: str | None = None, wrong: dict | None = None, trace=None, player=None,
                 reveal: int | tuple | None = None, before: int | tuple | None = None, lang: str | None = None):
        self.lang = resolve_language(lang)  # None: the language in force now
        self.id = None
        if answer is _FROM_THE_BANK:  # Predict("05.twice", trace=t): the lessons' questions (questions.py)
            self.id = question
            asked = _questions.texts(question, self.lang)
            question, answer, explain = asked["question"], asked["answer"], asked["explain"]
            choices = choices or asked["choices"]
            hint = hint if hint is not None else asked["hint"]
            wrong = {**asked["wrong"], **(wrong or {})}
            reveal = asked["reveal"] if reveal is None else reveal
            before = asked["before"] if before is None else before
        self.question = question
        self.answer = answer
        self.choices = list(choices) if choices else None
        self.explain = explain
        self.hint_text = hint
        self.wrong = {_norm(k): v for k, v in (wrong or {}).items()}
        own_player = player is None and trace is not None
        if own_player:
            from ..view.player import Player
            player = Player(trace, lang=self.lang)
        self.player = player
        self.reveal = self._frame(reveal, trace, player)
        self.before = self._frame(before, trace, player)
        if self.before is None and self.reveal is not None:
            self.before = self._default_before(reveal, trace, player)
        self.attempts = 0
        self.solved = False
        self.revealed = False
        self.feedback = ""
        self.ok: bool | None = None  # the verdict the feedback shows: True, False, or None (no verdict)
        self._widget = None
        self._last_submitted = None
        self._last_verdict: tuple[str, bool | None] | None = None
        self._whole_scene = None  # the player's whole scene, while it shows only the steps up to the question
        if player is not None and self.reveal is not None:
            player.seek(max(0, self.before))
            if own_player:
                self._hide_the_answer(player, max(0, self.before))

    def _hide_the_answer(self, player, last: int) -> None:
        """Until the question is answered, the player's scene holds only its steps up to ``last``:
        next, the slider, the keys and the jump menu cannot go past the question, and the page does
        not hold a step (nor a jump label such as "error (line 8)") that tells the answer."""
        whole = player.scene
        limited = dict(whole, steps=whole["steps"][:last + 1], start=min(whole.get("start", 0), last),
                       jumps=[[label, i] for label, i in whole["jumps"] if i <= last])
        limited["nodes"] = [dict(n, hooks=[i for i in n["hooks"] if i <= last]) if "hooks" in n else n
                            for n in whole["nodes"]]
        # the scene's nodes are the whole graph's: drawn faintly before they are built, they would show
        # what comes after the question (a grad_fn box on y, an error node), so no faint preview here
        limited["preview"] = False
        self._whole_scene = whole
        player._scene = player.scene = limited

    def _show_whole_player(self) -> None:
        if self._whole_scene is not None:
            self.player._scene = self.player.scene = self._whole_scene
            self._whole_scene = None

    @staticmethod
    def _frame(spec, trace, player) -> int | None:
        """A frame number from an int, or from an event given as ``(kind, name, n)``."""
        if not isinstance(spec, tuple):
            return spec
        if trace is None or player is None:
            raise TypeError(say("lessons.predict.needs_trace"))
        return Predict._frame_of(event_index(trace, *spec), player)

    @staticmethod
    def _frame_of(event: int, player) -> int:
        finder = getattr(player, "frame_of_event", None)
        return finder(event) if finder is not None else event

    def _default_before(self, reveal, trace, player) -> int:
        """The frame before the first step that shows the answer: the revealing step itself or, when
        the answer is a gradient added into a leaf, the node that sends that very value to the
        leaf's AccumulateGrad (the picture labels the edge with it)."""
        first = self.reveal
        if isinstance(reveal, tuple) and trace is not None and _is_number(self.answer):
            index = event_index(trace, *reveal)
            event = trace.events[index]
            if event.kind == "accumulate":
                senders = [e for e in trace.events[:index] if e.kind == "node" and event.node in (e.next or ())]
                if senders and any(_same_number(g, self.answer) for g in senders[-1].grad_inputs or ()):
                    first = min(first, self._frame_of(senders[-1].index, player))
        return max(0, first - 1)

    # ----------------------------------------------------------------- the logic
    def _matches(self, text: str) -> bool | None:
        """True/False, or None when ``text`` cannot be read as an answer of the right kind."""
        a = self.answer
        if isinstance(a, bool):
            t = text.strip().lower().rstrip(".!")
            if t.startswith(_ZH_NO):
                return a is False
            if t in _YES or t.startswith("yes") or t.startswith(_ZH_YES):
                return a is True
            if t in _NO or t.startswith("no"):
                return a is False
            return None
        if isinstance(a, (int, float)):
            found = _NUMBER.findall(text)
            if len(found) != 1:
                return None
            return math.isclose(float(found[0]), float(a), rel_tol=1e-6, abs_tol=1e-6)
        return _norm(text) == _norm(a)

    def _what_to_type(self) -> str:
        if self.choices:
            return self._t("lessons.predict.type_choice")
        if isinstance(self.answer, bool):
            return self._t("lessons.predict.type_yes_no")
        if isinstance(self.answer, (int, float)):
            return self._t("lessons.predict.type_number")
        return self._t("lessons.predict.type_name")

    def submit(self, text) -> str:
        """Check a prediction; on a right one the player reveals the step. Returns the feedback."""
        text = "" if text is None else str(text)
        if not text.strip():
            return self._say(self._t("lessons.predict.empty", what=self._what_to_type()))
        if self.solved or self.revealed:
            ok = bool(self._matches(text))
            return self._say(self._t("lessons.predict.after_yes" if ok else "lessons.predict.after_shown",
                                 explain=self.explain).strip(), ok)
        verdict = self._matches(text)
        if verdict is None:
            return self._say(self._t("lessons.predict.unreadable", text=repr(text.strip()), what=self._what_to_type()))
        self.attempts += 1
        if verdict:
            self.solved = True
            self._show_step()
            return self._say(("✓ " + self._t("lessons.predict.right", explain=self.explain)).strip(), True)
        specific = self.wrong.get(_norm(text))
        if specific is None and isinstance(self.answer, (int, float)):
            found = _NUMBER.findall(text)
            specific = self.wrong.get(_norm(found[0])) if found else None
            if specific is None and found:
                specific = self.wrong.get(_norm(_fmt(float(found[0]))))
        more = self._t("lessons.predict.try_more" if self.attempts >= 2 else "lessons.predict.try_again")
        text = "✗ " + self._t("lessons.predict.wrong", specific=specific or "", more=more)
        return self._say(re.sub(" +", " ", text), False)

    def give_up(self) -> str:
        """Show the answer and the step."""
        self.revealed = True
        self._show_step()
        answer = self.answer
        if isinstance(answer, bool):
            answer = self._t("lessons.predict.answer_raises" if answer else "lessons.predict.answer_runs")
        return self._say(self._t("lessons.predict.shown", answer=answer, explain=self.explain).strip(), None)

    def hint(self) -> str:
        text = (self._t("lessons.predict.hint", hint=self.hint_text) if self.hint_text
                else self._t("lessons.predict.no_hint"))
        return self._say(text, None, verdict=False)

    def _show_step(self) -> None:
        if self.player is not None and self.reveal is not None:
            self._show_whole_player()
            self.player.seek(self.reveal)

    def _check(self, text) -> None:
        """From the widget (Check, Enter, leaving the box): every Check shows a verdict. The box sends
        its value as it loses focus, then the click arrives: the same text is judged once, and its
        verdict shown again if something else (a hint) replaced it."""
        if text == self._last_submitted and self._last_verdict is not None:
            message, ok = self._last_verdict
            if self.feedback != message:
                self._say(message, ok)
            return
        self._last_submitted = text
        self.submit(text)

    def _t(self, msg_id: str, **params) -> str:
        """Message ``msg_id`` in this question's language."""
        return say(msg_id, self.lang, **params)

    def _say(self, text: str, ok: bool | None = None, verdict: bool = True) -> str:
        self.feedback = text
        self.ok = ok
        if verdict:
            self._last_verdict = (text, ok)
        if self._widget is not None:
            self._feedback_label.value = verdict_html(ok, code_spans(text), "alab-predict-verdict")
        return text

    # ----------------------------------------------------------------- the widget
    @property
    def widget(self):
        """The ipywidgets VBox (built on first use)."""
        if self._widget is None:
            self._widget = self._build()
        return self._widget

    def _build(self):
        import ipywidgets as widgets

        question = widgets.HTML(f"<b>{html.escape(self._t('lessons.predict.label'))}</b> {html.escape(self.question)}")
        if self.choices:
            self._input = widgets.Dropdown(options=[(self._t("lessons.predict.choose"), "")]
                                           + [(c, c) for c in self.choices],
                                           value="", layout=widgets.Layout(width="auto"))
        else:
            self._input = widgets.Text(placeholder=self._t("lessons.predict.placeholder"), continuous_update=False,
                                       layout=widgets.Layout(width="14em"))
        check_button = widgets.Button(description=self._t("lessons.predict.check"), button_style="primary")
        hint_button = widgets.Button(description=self._t("lessons.predict.hint_button"))
        show_button = widgets.Button(description=self._t("lessons.predict.show"))
        self._feedback_label = widgets.HTML("")
        for w, cls in [(self._input, "alab-predict-input"), (check_button, "alab-predict-check"),
                       (hint_button, "alab-predict-hint"), (show_button, "alab-predict-reveal"),
                       (self._feedback_label, "alab-predict-feedback")]:
            w.add_class(cls)

        # --- wiring
        check_button.on_click(lambda _: self._check(self._input.value))
        hint_button.on_click(lambda _: self.hint())
        show_button.on_click(lambda _: self.give_up())
        if not self.choices:  # Enter (or leaving the box) checks too; Enter in an empty box says what to type
            self._input.observe(lambda change: self._check(change["new"]) if change["new"] else None, "value")
            submitted = getattr(self._input, "_submission_callbacks", None)  # Enter (on_submit, without its warning)
            if submitted is not None:
                submitted.register_callback(lambda box: None if box.value.strip() else self.submit(box.value))

        children = [question, widgets.HBox([self._input, check_button, hint_button, show_button]),
                    self._feedback_label]
        if self.player is not None:
            children.append(self.player)
        box = widgets.VBox(children)
        box.add_class("alab-predict")
        return box

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<Predict: {self.question!r}>"


def event_index(trace, kind: str, name: str | int | None = None, nth: int = 1) -> int:
    """The index in ``trace.events`` of the ``nth`` event of ``kind`` about ``name`` (a variable name,
    a node name such as ``"AddBackward0"``, an error type, or a backward call such as ``"backward"``).
    ``event_index(t, "backward", 2)``: without a name, the second number is ``nth``."""
    if isinstance(name, int):
        name, nth = None, name
    names = trace.names
    seen = 0
    for e in trace.events:
        if e.kind != kind:
            continue
        if name is not None:
            about = {names.get(getattr(e, f, None)) for f in ("tensor", "output")}
            about |= {getattr(e, f, None) for f in ("name", "node_name", "error", "call", "which")}
            if name not in about:
                continue
        seen += 1
        if seen == nth:
            return e.index
    raise LookupError(say("lessons.predict.no_event", seen=seen, kind=kind, name=name, nth=nth))
