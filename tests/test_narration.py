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
from tests.support.examples import classic

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
    ({"shape": [3, 4], "min": -1.0, "max": 2.5, "mean": 0.25}, "3×4 values (-1 to 2.5)"),  # the recorder's summary
    ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]], "[[1, 2, 3], [4, 5, 6.5]]"),  # six numbers: written out, as always
    ([0.5, 1.0, 2.0, 3.0, 4.0, 5.0, -6.0], "7 values (-6 to 5)"),     # more: its shape and range
])
def test_numbers_in_sentences_are_plain(value, plain):
    assert narration.number(value) == plain


# ---------------------------------------------------------------------------- 中文 (issue 14)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ENGLISH_WORDS = re.compile(r"\b(the|and|is|are|runs|creates|sends|receives|with|from|its|into|finished|"
                            r"starts|leaf|tensor|gradient|requires|frees|adds|sets)\b")


def _zh():
    return narration.catalogue("zh")


def test_zh_functions_take_the_parameters_english_gives():
    """A zh entry written as a function must accept exactly what the code passes (en's placeholders
    or en's function parameters), and a zh text may not use a placeholder en does not pass."""
    import inspect

    en = narration.catalogue("en")
    for key, en_text in en.MESSAGES.items():
        zh_text = _zh().MESSAGES[key]
        if callable(en_text):
            names = [p.name for p in inspect.signature(en_text).parameters.values()
                     if p.kind is not p.VAR_KEYWORD]
        else:
            names = sorted(narration.placeholders(en_text))
        if callable(zh_text) and names and "p" not in inspect.signature(zh_text).parameters:
            inspect.signature(zh_text).bind(**dict.fromkeys(names, "x"))  # TypeError when a name is missing
        elif not callable(zh_text):
            assert narration.placeholders(zh_text) <= set(names), key


def test_zh_sentences_are_chinese_with_chinese_punctuation():
    en = narration.catalogue("en").MESSAGES
    for key, zh_text in _zh().MESSAGES.items():
        if callable(zh_text):
            continue
        # a Chinese clause ends with ，。：；, never with ASCII punctuation right after a 汉字
        assert not re.search(r"[\u4e00-\u9fff][,.;:!?]", zh_text), key
        en_text = en.get(key)  # None: a key zh already has for code that is still on its way
        if en_text is None or callable(en_text):
            continue
        # every English sentence (3+ words outside code and placeholders) has a Chinese text
        words = re.sub(r"`[^`]*`|\{[^}]*\}|\S*[._()=]\S*", " ", en_text).split()
        if len([w for w in words if w.isalpha()]) >= 3:
            assert _CJK.search(zh_text), f"{key} is not translated: {zh_text!r}"


def test_zh_join_and_numbers():
    assert narration.join(["a", "b", "c"], "zh") == "a、b 和 c"
    assert narration.join(["张量", "梯度"], "zh") == "张量和梯度"
    assert narration.join(["x"], "zh") == "x"
    assert narration.number({"shape": [3, 4], "min": -1.0, "max": 2.5, "mean": 0.25}, "zh") == "3×4 个值（-1 到 2.5）"
    assert narration.number([[0.5] * 4, [1.0] * 4], "zh") == "2×4 个值（0.5 到 1）"
    assert narration.number(3.0, "zh") == "3"


def test_set_language_is_the_default_for_what_is_made_after_it():
    import autograd_lab as lab

    assert lab.get_language() == "en" and "set_language" in lab.__all__ and "get_language" in lab.__all__
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        (w * 3).backward()
    try:
        lab.set_language("zh")
        p = lab.Player(t)
        assert p._scene["words"]["next"] == "下一步 ▶" and p._scene["lang"] == "zh-CN"
        assert "叶子张量" in p.narration
        with pytest.raises(ValueError, match=r"unknown language 'fr'; autograd_lab speaks 'en', 'zh'"):
            lab.set_language("fr")
        assert lab.get_language() == "zh"
    finally:
        lab.set_language("en")
    assert lab.Player(t)._scene["words"]["next"] == "next ▶"
    assert lab.Player(t, lang="zh")._scene["words"]["next"] == "下一步 ▶"


def _scenarios():
    """The classic example, hooks, autograd.grad, retain_graph, the failing second backward, an SGD loop."""
    import autograd_lab as lab

    traces = {"classic": classic(backwards=1, catch_errors=False)}
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        y = w * 3
        y.register_hook(lambda g: g * 2)
        y.retain_grad()
        z = y * y
        z.grad_fn.register_prehook(lambda g: g)
        z.backward()
    traces["hooks"] = t
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        y = w * 3
        z = y * y
        (g,) = lab.autograd.grad(z, y)
    traces["autograd.grad"] = t
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        z = w * lab.tensor(3.0) + 1
        z.backward(retain_graph=True)
        z.backward()
        w.grad.zero_()
        try:
            z.backward()
        except RuntimeError:
            pass
    traces["retain_graph and the second backward"] = t
    with lab.trace() as t:
        w = lab.tensor([0.5, -0.5], requires_grad=True)
        opt = lab.optim.SGD([w], lr=0.1)
        for _ in range(2):
            opt.zero_grad()
            loss = (w * w).sum()
            loss.backward()
            opt.step()
        with lab.no_grad():
            w.mul_(2.0)
    traces["sgd"] = t
    with lab.trace() as t:
        a = lab.tensor(1.0)
        c = (a * 2).detach()
    traces["no graph"] = t
    return traces


@pytest.mark.parametrize("name", list(_scenarios()))
def test_every_frame_of_a_zh_player_narrates_in_chinese(name):
    from autograd_lab.view.player import Player

    p = Player(_scenarios()[name], lang="zh")
    assert p.n_frames > 1
    for i in range(p.n_frames):
        p.seek(i)
        # the first line is the code (as written); PyTorch's own error text stays as PyTorch prints it
        said = p.narration.split("\n", 1)[-1]
        said = re.sub(r"RuntimeError: .*?(?=（中文解释|$)", " ", said, flags=re.S)
        said = re.sub(r"[\x21-\x7e]*[._()=<>][\x21-\x7e]*", " ", said)  # code and identifiers
        assert _CJK.search(said), (name, i, p.narration)
        assert not _ENGLISH_WORDS.search(said), (name, i, p.narration)
        if "Trying to backward through the graph a second time" in p.narration:
            # PyTorch's text, and a Chinese sentence next to it (after it, or before it: why, on the graph)
            assert "中文解释" in p.narration or _CJK.search(p.narration.split("\n", 1)[-1].split("RuntimeError: ")[0])


def test_zh_static_page_says_zh_cn():
    import autograd_lab as lab

    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        (w * 3).backward()
    from autograd_lab.view import player as _player
    page = _player.static_html(lab.Player(t, lang="zh")._picture) if hasattr(lab.Player(t), "_picture") else None
    if page is None:
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            page = lab.Player(t, lang="zh").save_html(pathlib.Path(d) / "p.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "下一步 ▶" in page and "Noto Sans CJK SC" in page


def test_cjk_text_is_measured_wide():
    from autograd_lab.view.layout import text_width

    assert text_width("梯度", 10.0) == pytest.approx(20.0)
    assert text_width("梯度", 10.0) > text_width("ab", 10.0) * 1.5


def test_playground_and_predict_keep_the_language_they_were_made_in():
    import autograd_lab as lab
    from autograd_lab.lessons.predict import Predict

    try:
        lab.set_language("zh")
        pg = lab.Playground()
        q = Predict("会报错吗？", True)
        n = Predict("w.grad 是多少？", 6)
    finally:
        lab.set_language("en")
    assert pg._run.description == "运行" and lab.Playground()._run.description == "Run"
    pg.source = "import os"
    assert pg.run() is None and pg.error.startswith("第 1 行：演练场里不能使用 `import os`：")
    pg.source = "a = [1, 2]\na.foo"
    pg.run()
    assert pg.error.startswith("第 2 行：演练场里不能使用 `.foo`。")
    pg.source = "x = [1, 2]\ny = x + 1"
    pg.run()
    assert pg.error == "第 2 行：算术运算只适用于数值和张量，不适用于列表；请先用 tensor(...) 把列表包起来"
    assert q.submit("不会").startswith("✗ 还不太对。") and q.submit("是，会报错") == "✓ 对了！"
    assert n.submit("") == "请先输入你的预测。请输入一个数值（用阿拉伯数字，可以带小数点）。"
    assert n.give_up() == "答案：6。"
    assert Predict("?", 6, lang="zh").hint() == "这道题没有提示：看看播放器当前这一帧。"
    with pytest.raises(ValueError, match="unknown language"):
        Predict("?", 6, lang="fr")
    with pytest.raises(ValueError, match="unknown language"):
        lab.Playground(lang="fr")


def test_exercise_feedback_speaks_the_language_in_force():
    import autograd_lab as lab

    def answer():
        w = lab.tensor(2.0, requires_grad=True)
        z = w * lab.tensor(3.0) + 1
        z.backward()
        z.backward()
        return w

    try:
        lab.set_language("zh")
        feedback = str(lab.exercises.check("second_backward", answer, hint=True))
    finally:
        lab.set_language("en")
    assert feedback.startswith("✗ 还不对：你的函数抛出了 RuntimeError（第 "), feedback
    assert "提示：第 6 课：" in feedback
    assert str(lab.exercises.check("second_backward", answer)).startswith("✗ Not yet: Your function raised")


@pytest.mark.parametrize("lang, small, big", [
    ("en", "w is a leaf tensor (value [1, 2]) with", "w is a leaf tensor (8×4 values from -1 to 2.5) with"),
    ("zh", "w 是一个叶子张量（值为 [1, 2]）", "w 是一个叶子张量（8×4 个值，从 -1 到 2.5）")])
def test_what_a_tensor_holds_reads_as_one_phrase_small_or_big(lang, small, big):
    """A big tensor is not "(value 8×4 values (-1 to 2.5))": the phrase is chosen by its size."""
    from autograd_lab.narration import held
    values = [[-1.0, 0.0, 1.0, 2.5]] * 8
    assert say("step.tensor.leaf_requires_grad", lang, name="w", value=held([1.0, 2.0])).startswith(small)
    assert say("step.tensor.leaf_requires_grad", lang, name="w", value=held(values)).startswith(big)
