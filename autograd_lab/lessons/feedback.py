"""Feedback: the verdict every checker returns, shown as a cell's result.

A verdict reads right on any machine: a word ("Correct" / "Not yet") and a colour carry it,
the ✓/✗ sign only decorates (an emoji font may be missing, as in Debian's Chromium).

    >>> print(Feedback(False, "b.grad is 2.", "Clear it between the calls."))
    ✗ Not yet: b.grad is 2.
    Hint: Clear it between the calls.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..narration import say

__all__ = ["Feedback", "verdict_html", "code_spans"]

# Colours with a contrast ratio above 4.5 on white, and a tinted background for the box.
_PASS = ("#1a7f37", "#eaf6ec")
_FAIL = ("#b42318", "#fdecea")
_INFO = ("#444444", "#f3f3f3")


def code_spans(text: str) -> str:
    """Escape ``text`` for HTML and show its `code` parts as code (messages use backticks)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def verdict_html(ok: bool | None, body_html: str, cls: str = "alab-verdict") -> str:
    """A coloured box with a left bar: ``ok`` True (pass), False (fail) or None (neutral)."""
    colour, background = _PASS if ok else _INFO if ok is None else _FAIL
    state = "pass" if ok else "info" if ok is None else "fail"
    return (f"<div class='{cls} {cls}-{state}' style='color:{colour};background:{background};"
            f"border-left:4px solid {colour};padding:4px 8px;margin:2px 0'>{body_html}</div>")


@dataclass
class Feedback:
    """The verdict on an answer: ``ok``, a message in the student's terms, and an optional hint."""

    ok: bool
    message: str
    hint: str | None = None

    def __bool__(self) -> bool:
        return self.ok

    @property
    def verdict(self) -> str:
        """The verdict as a word: 'Correct' or 'Not yet'."""
        return say("lessons.verdict.pass" if self.ok else "lessons.verdict.fail")

    def __str__(self) -> str:
        sign = "✓ " if self.ok else "✗ "
        text = sign + say("lessons.feedback.text", verdict=self.verdict, message=self.message)
        return text + ("\n" + say("lessons.feedback.hint", hint=self.hint) if self.hint else "")

    __repr__ = __str__

    def _repr_html_(self) -> str:
        sign = "✓" if self.ok else "✗"
        body = f"{sign} <b>{html.escape(self.verdict)}:</b> {code_spans(self.message)}"
        if self.hint:
            hint = code_spans(say("lessons.feedback.hint", hint=self.hint))
            body += f"<div style='color:#444;margin-top:4px'>{hint}</div>"
        return verdict_html(self.ok, body)
