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

import contextlib
import importlib
import string

__all__ = ["say", "set_language", "get_language", "speaking", "LANGUAGES", "catalogue", "join", "Msg", "Num", "text",
           "number", "resolve_language", "SMALL", "held"]

# A value of at most SMALL numbers is written out whole (every scalar and small vector of the lessons);
# a bigger one by its shape and range (a catalogue's ``number``; the picture and the table: view/values.py).
# Six, as a sentence lists at most six items and a 2×3 matrix still reads in one line.
SMALL = 6
LANGUAGES = ("en", "zh")  # catalogues that ship; the first is the default
_state = {"lang": LANGUAGES[0]}
_SHIPPED = frozenset(LANGUAGES)
_loaded: dict = {}
_FIELDS = string.Formatter()


def get_language() -> str:
    """The language new players, playgrounds and exercises speak."""
    return _state["lang"]


def set_language(lang: str) -> None:
    """Make ``lang`` the default language of everything created after this call."""
    _state["lang"] = resolve_language(lang)


@contextlib.contextmanager
def speaking(lang: str | None):
    """Within the block, ``lang`` is the language in force (a widget made in one language keeps
    speaking it in its callbacks, whatever ``set_language`` said since)."""
    lang = resolve_language(lang)
    before = _state["lang"]
    _state["lang"] = lang
    try:
        yield lang
    finally:
        _state["lang"] = before


def resolve_language(lang: str | None) -> str:
    """The language ``lang`` asks for: ``lang`` itself when a catalogue ships for it, the language in
    force for None; any other value is a ValueError naming the languages there are."""
    if lang is None:
        return _state["lang"]
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; autograd_lab speaks {', '.join(map(repr, LANGUAGES))}")
    return lang


def catalogue(lang: str | None = None):
    """The catalogue module of ``lang`` (default: the language in force)."""
    lang = resolve_language(lang)
    cat = _loaded.get(lang)
    if cat is None:
        cat = importlib.import_module(f"{__name__}.{lang}")
        if lang in _SHIPPED:  # only shipped catalogues are kept: a test may put another in sys.modules
            _loaded[lang] = cat
    return cat


class Msg(tuple):
    """A message not yet said: ``Msg("step.accumulate_set", name="w", value=Num(3.0))``.

    Its parameters may be plain values, ``Num`` (a value the catalogue writes as a number),
    other ``Msg`` (said in the same language) or lists of those (joined with ``join``)."""

    __slots__ = ()

    def __new__(cls, msg_id: str, **params):
        return tuple.__new__(cls, (msg_id, params))

    @property
    def id(self) -> str:
        return self[0]

    @property
    def params(self) -> dict:
        return self[1]

    def __repr__(self) -> str:
        return f"Msg({self[0]!r}, {self[1]!r})"


class Num:
    """A value a sentence mentions (a float, a nested list, or a large tensor's summary dict):
    the catalogue's ``number`` writes it plainly (``1``, ``0.5``, ``[1, 2]``), not as PyTorch prints it."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, Num) and _same(self.value, other.value)

    __hash__ = None

    def __repr__(self) -> str:
        return f"Num({self.value!r})"


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # pragma: no cover - arrays
        return False


def _param(v, cat, lang):
    if type(v) is str:  # most parameters: names and expressions
        return v
    if isinstance(v, Msg):
        return _say(v[0], cat, lang, v[1])
    if isinstance(v, Num):
        return cat.number(v.value)
    if isinstance(v, (list, tuple)):
        return cat.join([_param(x, cat, lang) for x in v])
    return v


def held(value) -> "Msg":
    """What a tensor holds, inside a sentence: "value 2" / "值为 2", or, for more than SMALL numbers,
    "8×4 values from -0.5 to 0.5" / "8×4 个值，从 -0.5 到 0.5" (not "value 8×4 values (…)")."""
    big = catalogue("en").tensor_summary(value)
    if big is None:
        return Msg("value.held.one", v=Num(value))
    return Msg("value.held.many", shape=big[0], lo=Num(big[1]), hi=Num(big[2]))


def say(msg_id: str, lang: str | None = None, **params) -> str:
    """The text of message ``msg_id`` in ``lang`` with ``params`` filled in (see ``Msg`` for what they may be)."""
    return _say(msg_id, catalogue(lang), lang, params)


def text(msg: Msg, lang: str | None = None) -> str:
    """What message ``msg`` says in ``lang``."""
    return _say(msg[0], catalogue(lang), lang, msg[1])


def _say(msg_id: str, cat, lang, params: dict) -> str:
    entry = cat.MESSAGES[msg_id]
    if params:
        params = {k: _param(v, cat, lang) for k, v in params.items()}
    if callable(entry):
        return entry(**params)
    return entry.format(**params) if params else entry


def number(value, lang: str | None = None) -> str:
    """``value`` written plainly, as a sentence in ``lang`` writes numbers."""
    return catalogue(lang).number(value)


def join(items, lang: str | None = None) -> str:
    """A list as the language writes one ("a, b and c")."""
    return catalogue(lang).join(list(items))


def placeholders(text) -> set:
    """The ``{names}`` a catalogue text uses (for the catalogue tests)."""
    if callable(text):
        return set()
    return {f for _, f, _, _ in _FIELDS.parse(text) if f}
