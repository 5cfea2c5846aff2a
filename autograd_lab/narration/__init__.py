"""Message ids + parameters -> text: every sentence a student reads, one catalogue per language.

Code never writes a sentence; it names a message and its parameters, and the catalogue of the
language in force says it::

    from autograd_lab.narration import say
    say("player.next")                                  # 'Next'
    say("step.accumulate", name="w", value="3.")        # a whole narration sentence

A catalogue is a module ``narration/<lang>.py`` with a dict ``MESSAGES`` (id -> text with
``{placeholders}``, or a function of the parameters where grammar needs one: plurals, lists)
and a function ``join(items)`` for lists ("a, b and c"). Adding a language is one such file.
"""
from __future__ import annotations

import importlib
import string

__all__ = ["say", "set_language", "get_language", "LANGUAGES", "catalogue", "join"]

LANGUAGES = ("en",)  # catalogues that ship; the first is the default
_state = {"lang": LANGUAGES[0]}
_FIELDS = string.Formatter()


def get_language() -> str:
    """The language new players, playgrounds and exercises speak."""
    return _state["lang"]


def set_language(lang: str) -> None:
    """Make ``lang`` the default language of everything created after this call."""
    _state["lang"] = _checked(lang)


def _checked(lang: str | None) -> str:
    if lang is None:
        return _state["lang"]
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; autograd_lab speaks {', '.join(map(repr, LANGUAGES))}")
    return lang


def catalogue(lang: str | None = None):
    """The catalogue module of ``lang`` (default: the language in force)."""
    return importlib.import_module(f"{__name__}.{_checked(lang)}")


def say(msg_id: str, lang: str | None = None, **params) -> str:
    """The text of message ``msg_id`` in ``lang`` with ``params`` filled in."""
    text = catalogue(lang).MESSAGES[msg_id]
    if callable(text):
        return text(**params)
    return text.format(**params) if params else text


def join(items, lang: str | None = None) -> str:
    """A list as the language writes one ("a, b and c")."""
    return catalogue(lang).join(list(items))


def placeholders(text) -> set:
    """The ``{names}`` a catalogue text uses (for the catalogue tests)."""
    if callable(text):
        return set()
    return {f for _, f, _, _ in _FIELDS.parse(text) if f}
