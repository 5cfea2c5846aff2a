"""The catalogues (autograd_lab.narration): every message id the code uses exists, translations
match English key for key and placeholder for placeholder, and values in sentences read plainly."""
from __future__ import annotations

import ast
import importlib
import pathlib
import re
import types

import pytest

import autograd_lab
from autograd_lab import narration
from autograd_lab.narration import Msg, Num, say, text

PACKAGE = pathlib.Path(autograd_lab.__file__).parent
_ID = re.compile(r"(player|step)\.[a-z_.]+")
_FILES = {p.name for p in (PACKAGE / "view" / "static").iterdir()}  # 'player.js' is a file, not an id


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent.name != "narration":
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def ids_in_source() -> dict[str, str]:
    """Every message id written in the package's code (a string literal shaped like one), with where."""
    found = {}
    for path, tree in _sources():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and _ID.fullmatch(node.value)
                    and node.value not in _FILES):
                found.setdefault(node.value, f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_message_ids_are_written_out_not_built():
    """An id built at run time ("player.legend." + k, f"step.{kind}") would hide from the scan above."""
    built = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            parts = []
            if isinstance(node, ast.JoinedStr):
                parts = node.values[:1]
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
                parts = [node.left]
            for p in parts:
                if isinstance(p, ast.Constant) and isinstance(p.value, str) and _ID.match(p.value):
                    built.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not built, built


def check_catalogue(cat, reference) -> list[str]:
    """What is wrong with catalogue module ``cat`` against the English one: missing keys, and
    placeholders English does not have."""
    problems = []
    for key, en_text in reference.MESSAGES.items():
        if key not in cat.MESSAGES:
            problems.append(f"missing {key}")
            continue
        extra = narration.placeholders(cat.MESSAGES[key]) - narration.placeholders(en_text)
        if extra and not callable(en_text):
            problems.append(f"{key}: placeholders {sorted(extra)} that English does not have")
    for name in ("join", "number"):
        if not callable(getattr(cat, name, None)):
            problems.append(f"no {name}()")
    return problems


def test_the_scan_finds_the_players_ids():
    ids = ids_in_source()
    # a few the scan must see, or it is not looking in the right places
    for key in ("player.next", "player.where", "player.legend.data", "step.accumulate.set", "step.hook.tensor",
                "player.jump.optimizer_step", "player.tag.requires_grad_off"):
        assert key in ids, key
    assert len(ids) > 80


def test_every_message_id_the_code_uses_is_in_every_catalogue():
    ids = ids_in_source()
    for lang in narration.LANGUAGES:
        cat = narration.catalogue(lang)
        missing = {k: where for k, where in ids.items() if k not in cat.MESSAGES}
        assert not missing, (lang, missing)


def test_the_english_catalogue_has_no_stale_player_or_step_keys():
    ids = ids_in_source()
    en = narration.catalogue("en")
    stale = [k for k in en.MESSAGES if k.startswith(("player.", "step.")) and k not in ids]
    assert not stale, stale


def test_every_shipped_catalogue_matches_english():
    en = narration.catalogue("en")
    for lang in narration.LANGUAGES:
        assert check_catalogue(narration.catalogue(lang), en) == [], lang


def test_the_catalogue_check_fails_on_a_missing_key_or_a_foreign_placeholder():
    en = narration.catalogue("en")
    fake = types.SimpleNamespace(MESSAGES=dict(en.MESSAGES), join=en.join, number=en.number)
    assert check_catalogue(fake, en) == []
    del fake.MESSAGES["player.next"]
    fake.MESSAGES["player.where"] = "Schritt {i} von {n} ({total})"
    assert check_catalogue(fake, en) == ["missing player.next",
                                         "player.where: placeholders ['total'] that English does not have"]


def test_unknown_language_is_refused_clearly():
    with pytest.raises(ValueError, match="unknown language 'xx'; autograd_lab speaks 'en'"):
        say("player.next", lang="xx")
    with pytest.raises(ValueError):
        narration.set_language("xx")
    assert narration.get_language() == "en"


def test_player_lang_none_uses_the_language_in_force(monkeypatch):
    """A second catalogue needs no code change: Player(lang=None) asks get_language()."""
    import autograd_lab as lab
    from autograd_lab.view.player import Player

    de = types.ModuleType("autograd_lab.narration.xx")
    en = narration.catalogue("en")
    de.MESSAGES = dict(en.MESSAGES, **{"player.next": "weiter ▶", "player.where": "Schritt {i} von {n}"})
    de.join, de.number = en.join, (lambda v: en.number(v).replace(".", ","))
    monkeypatch.setitem(importlib.sys.modules, "autograd_lab.narration.xx", de)
    monkeypatch.setattr(narration, "LANGUAGES", ("en", "xx"))
    with lab.trace() as t:
        w = lab.tensor(0.5, requires_grad=True)
        (w * 3).backward()
    monkeypatch.setitem(narration._state, "lang", "xx")
    p = Player(t)
    words = p._scene["words"]  # what the page's controls and narration say
    assert words["next"] == "weiter ▶" and words["step_of"] == "Schritt {i} von {n}"
    assert "(value 0,5)" in p.narration
    assert Player(t, lang="en")._scene["words"]["next"] == "next ▶"


# ---------------------------------------------------------------------------- messages and numbers
def test_messages_nest_and_lists_are_joined():
    m = Msg("step.node.runs", name="MulBackward0", grad=Num(1.0),
            sends=[Msg("step.node.send", grad=Num(3.0), to=Msg("step.acc_for", leaf="w")),
                   Msg("step.node.send_no_grad", name="x")])
    assert text(m) == ("MulBackward0 runs: it receives 1 and sends 3 to AccumulateGrad (for w) and nothing to x "
                       "(it does not require grad).")
    assert text(Msg("step.node.runs", name="N", grad=Num(2.0), sends=[])) == \
        "N runs: it receives 2 and has nothing to send further."
    assert narration.join(["a", "b", "c"]) == "a, b and c" and narration.join(["a"]) == "a"


@pytest.mark.parametrize("value, plain", [
    (1.0, "1"), (3.0, "3"), (0.5, "0.5"), (-2.25, "-2.25"), (1 / 3, "0.3333"), (-0.0, "0"), (7, "7"),
    (True, "True"), ([1.0, 2.5], "[1, 2.5]"), ([[1.0, 0.0], [0.0, 1.0]], "[[1, 0], [0, 1]]"),
    (1e-7, "1e-07"), (float("inf"), "inf"), (None, "None"), (123456.0, "123456"),
    ({"shape": [3, 4], "mean": 0.25}, "3×4 values with mean 0.25"),
])
def test_numbers_in_sentences_are_plain(value, plain):
    assert narration.number(value) == plain
