"""The Chinese text a student reads, against docs/glossary-zh.md: one term per concept (the
glossary's table of chosen terms and the variants not to use) and the typography rules (spaces,
full-width punctuation, bold, italics, line breaks). Checked: every zh catalogue message, the zh
notebooks' markdown prose and the Chinese strings and comments of their code cells, the
playground's Chinese examples and README.zh-CN.md; and what the zh player, exercises, Predict and
playground actually say when run."""
from __future__ import annotations

import ast
import inspect
import io
import pathlib
import re
import tokenize

import nbformat
import pytest

import autograd_lab as lab
from autograd_lab.narration import en, zh

ROOT = pathlib.Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "glossary-zh.md"
NOTEBOOKS_ZH = sorted((ROOT / "notebooks" / "zh").rglob("*.ipynb"))

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
FW = "，。：；？！、（）“”‘’《》【】"  # full-width punctuation
HOLE = "\ue000"  # a {placeholder}: neither Chinese nor Latin, so no rule looks at it
CODE = "\ue001"  # a `code span`: Latin for the spacing rules


# ------------------------------------------------------------------------------- the glossary
def glossary_terms() -> list[tuple[str, str, list[re.Pattern]]]:
    """(concept, the term to use, the variants not to use) from the glossary's table whose
    header has the columns 用 and 不用."""
    rows, columns = [], None
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            columns = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if columns is None:
            columns = cells if "不用" in cells else None
            continue
        if set(line) <= set("|-: "):
            continue
        row = dict(zip(columns, cells))
        variants = [re.compile(v) for v in re.findall(r"`([^`]+)`", row["不用"])]
        rows.append((row[columns[0]], row["用"], variants))
    return rows


def test_the_glossary_table_is_read():
    terms = glossary_terms()
    assert len(terms) >= 15, terms
    uses = {use for _, use, _ in terms}
    assert {"保存的张量", "非叶子张量", "演练场", "标量", "自动求导"} <= uses
    assert all(variants for _, _, variants in terms)


# ------------------------------------------------------------------------------- the typography
def _mask(text: str, holes: bool) -> str:
    """The text as the rules read it: code spans and link targets out, {placeholders} neutral."""
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    text = re.sub(r"`[^`\n]+`", CODE, text)
    text = re.sub(r"\]\([^)\s]*\)", "]", text)  # [words](target): the words stay
    text = re.sub(r"</?(?:b|i|em|strong|code|pre|div|span|br|a)\b[^>\n]*>", "", text)  # html tags
    if holes:
        text = re.sub(r"\{[^{}\s]*\}", HOLE, text)
    return text


LATIN = rf"A-Za-z0-9{CODE}"
RULES = {
    "space beside full-width punctuation": rf"(?<=\S)[ \t]+[{FW}]|[{FW}][ \t]+(?=\S)",
    "space between Chinese characters": rf"[{CJK}][ \t]+[{CJK}]",
    "no space between Chinese and Latin": rf"[{CJK}][{LATIN}]|[{LATIN}][{CJK}]",
    "ASCII punctuation beside Chinese": rf"[{CJK}][,.:;!?]|[,:;!?][ \t]*[{CJK}]",
    "ASCII quotes beside Chinese": rf"[\"'][ \t]?[{CJK}]|[{CJK}][ \t]?[\"']",
    "ASCII parentheses around Chinese": rf"\([^()\n]*[{CJK}][^()\n]*\)",
}
BOLD = re.compile(r"\*\*([^*\n]+?)\*\*")
ITALIC = re.compile(rf"(?<![*A-Za-z0-9_])([*_])(?![\s*_])[^*_\n]*[{CJK}][^*_\n]*(?<![\s*_])\1(?![*A-Za-z0-9_])")
_CHINESE = re.compile(f"[{CJK}]")
_SIDE = re.compile(f"[{CJK}{FW}]")


def _outside_brackets(line: str) -> str:
    """The line without ASCII (...) and [...] groups holding no Chinese (code, lists, shapes)."""
    before = None
    while before != line:
        before = line
        line = re.sub(rf"\([^()\[\]{CJK}]*\)|\[[^()\[\]{CJK}]*\]", "", line)
    return line


def typography(text: str, holes: bool = True, markdown: bool = False) -> list[str]:
    """What breaks the glossary's typography rules in ``text`` (a catalogue message when
    ``holes``, markdown prose when ``markdown``)."""
    if not _CHINESE.search(text):
        return []
    problems = []
    masked = _mask(text, holes)
    for m in BOLD.finditer(masked):
        inner, before, after = m.group(1), masked[:m.start()], masked[m.end():]
        if _SIDE.match(inner[0]) and re.search(f"[{CJK}{FW}][ \t]+$", before):
            problems.append(f"space before bold Chinese: {masked[max(0, m.start() - 6):m.end()]!r}")
        if _SIDE.match(inner[-1]) and re.match(f"[ \t]+[{CJK}{FW}]", after):
            problems.append(f"space after bold Chinese: {masked[m.start():m.end() + 6]!r}")
    plain = BOLD.sub(r"\1", masked)
    for name, rule in RULES.items():
        for m in re.finditer(rule, plain):
            problems.append(f"{name}: {plain[max(0, m.start() - 8):m.end() + 8]!r}")
    for m in ITALIC.finditer(plain):
        problems.append(f"italic Chinese: {m.group(0)!r}")
    for line in plain.splitlines():
        if _CHINESE.search(line) and re.search(r",[ \t]", _outside_brackets(line)):
            problems.append(f"', ' in a Chinese sentence (use 、 or ，): {line.strip()[:60]!r}")
    if markdown:
        lines = re.sub(r"```.*?```", "", text, flags=re.DOTALL).splitlines()
        for a, b in zip(lines, lines[1:]):
            if (_CHINESE.search(a) and a.strip() and b.strip() and not a.lstrip().startswith(("#", "|", "```"))
                    and not re.match(r"\s*(?:[-*+]\s|\d+\.\s|#|\||>|```)", b)):
                problems.append(f"line break inside a paragraph: {a[-20:]!r} / {b[:20]!r}")
    return problems


def forbidden(text: str, holes: bool = True) -> list[str]:
    """The glossary's not-to-use variants that occur in ``text`` (code spans excluded)."""
    masked = BOLD.sub(r"\1", _mask(text, holes))
    return [f"{v.pattern!r} (use {use}): {masked[max(0, m.start() - 10):m.end() + 10]!r}"
            for _, use, variants in glossary_terms() for v in variants for m in [v.search(masked)] if m]


def test_the_rules_catch_what_the_review_saw():
    """Each rule fails on the sentences the review quoted, and passes their fixed forms."""
    bad = ["还不太对。 再试一次。", "不给 AccumulateGrad（对应 b） 传任何梯度", "它应当返回b，一个张量。",
           "<b>第 7 行</b>: RuntimeError", "无法把 'xyz' 当作答案", "有 **一个** 需要梯度", "方法名末尾的下划线表示 *原地* 操作",
           "看什么：勾选按组，然后点下一步：每点一次就走完，\n然后是最后一层", "可以运行：tensor(), zeros(), ones() 和比较运算",
           "请在两次调用*之间*梯度清零。", "backward() 从一个数开始"]
    found = [typography(t, markdown=True) + forbidden(t) for t in bad]
    assert all(found), [t for t, f in zip(bad, found) if not f]
    good = ["还不太对。再试一次。", "不给 b 的 AccumulateGrad 传任何梯度", "它应当返回张量 b。", "第 7 行：RuntimeError",
            "无法把“xyz”当作答案", "有**一个**需要梯度", "`w` 的梯度是 3（`w * x + b`）", "y * y + b 且 y = 6，dz/dy = 2 * y",
            "形状是 [2, 3] 的张量", "**Run ▸ Run All Cells**）", "`{name}` 没有定义。"]
    assert [(t, typography(t, markdown=True) + forbidden(t)) for t in good
            if typography(t, markdown=True) + forbidden(t)] == []


# ------------------------------------------------------------------------------- the zh catalogue
class _Hole(str):
    """A parameter of a catalogue function: formats as a neutral hole whatever the format spec."""

    def __format__(self, spec):
        return HOLE


def _sample(entry):
    """A catalogue entry as text: a template as written, a function called with neutral holes."""
    if not callable(entry):
        return entry
    params = inspect.signature(entry).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):  # lambda **p: f(**p)
        params = inspect.signature(entry(**{}) if False else zh._op).parameters
    return entry(**{name: _Hole(HOLE) for name, p in params.items() if p.default is p.empty})


def catalogue_texts() -> dict[str, str]:
    return {key: _sample(entry) for key, entry in zh.MESSAGES.items()}


def test_the_zh_catalogue_uses_the_glossary_terms():
    bad = {key: f for key, text in catalogue_texts().items() if (f := forbidden(text))}
    assert not bad, bad


def test_the_zh_catalogue_follows_the_typography_rules():
    bad = {key: p for key, text in catalogue_texts().items() if (p := typography(text))}
    assert not bad, bad


def test_the_zh_catalogue_keeps_every_english_key_and_placeholder():
    """The glossary rules are not met by dropping keys or placeholders."""
    assert set(zh.MESSAGES) >= set(en.MESSAGES)
    for key, text in en.MESSAGES.items():
        if not callable(text) and not callable(zh.MESSAGES[key]):
            assert set(re.findall(r"\{(\w+)", text)) == set(re.findall(r"\{(\w+)", zh.MESSAGES[key])), key


def test_attribute_names_stay_attribute_names():
    assert zh.MESSAGES["player.inspect.variable"] == "variable"


# ------------------------------------------------------------------------------- the zh notebooks
_ENGLISH = re.compile(r"\b(?:the|a|an|of|is|to|and|at|what|when|does|now|was|one|first|with|without|from|run|"
                      r"lines?|viewer|lesson|says|start|box)\b")


def _reads_english(text: str) -> bool:
    """English words outside what is quoted on purpose (PyTorch's message in “...”, code in `...`)."""
    return bool(_ENGLISH.search(re.sub(r"“[^”]*”|`[^`]*`", "", text)))


_KEPT = ("parity", "snippet", "exercise")  # cells that must equal the English ones exactly


def _comments(source: str) -> list[str]:
    return [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type == tokenize.COMMENT]


def notebook_texts(path) -> list[tuple[str, str, bool]]:
    """(where, text, is markdown) for everything a student reads in a zh notebook: markdown cells,
    and in code cells not kept verbatim the Chinese strings and the comments."""
    texts = []
    for i, cell in enumerate(nbformat.read(str(path), as_version=4).cells):
        where = f"{path.relative_to(ROOT)} cell {i}"
        if cell.cell_type == "markdown":
            texts.append((where, cell.source, True))
        elif cell.cell_type == "code" and not set(cell.metadata.get("tags", [])) & set(_KEPT):
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and _CHINESE.search(node.value):
                    texts.append((where, node.value, False))
            texts += [(where, c.lstrip("# "), False) for c in _comments(cell.source)]
    return texts


def _predict_strings(path) -> list[tuple[str, str]]:
    """The strings of each Predict(...) call: question, choices, answer, explanation, hints."""
    found = []
    for i, cell in enumerate(nbformat.read(str(path), as_version=4).cells):
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("Predict"):
                for sub in ast.walk(node):
                    if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                        found.append((f"{path.name} cell {i}", sub.value))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS_ZH, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_the_zh_notebooks_use_the_glossary_terms(path):
    bad = [(where, f) for where, text, _ in notebook_texts(path) if (f := forbidden(text, holes=False))]
    assert not bad, bad


@pytest.mark.parametrize("path", NOTEBOOKS_ZH, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_the_zh_notebooks_follow_the_typography_rules(path):
    bad = [(where, p) for where, text, md in notebook_texts(path) if (p := typography(text, holes=False, markdown=md))]
    assert not bad, bad


@pytest.mark.parametrize("path", NOTEBOOKS_ZH, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_what_students_read_in_the_zh_notebooks_is_chinese(path):
    """Comments of ordinary code cells and the strings of Predict questions are not left in English
    (code names like MulBackward0 may stay)."""
    english = [(where, text) for where, text, md in notebook_texts(path) if not md and _reads_english(text)]
    english += [(where, s) for where, s in _predict_strings(path) if _reads_english(s)]
    assert not english, english


def test_the_zh_readme_uses_the_glossary():
    text = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    assert forbidden(text, holes=False) == []
    assert typography(text, holes=False, markdown=True) == []


# ------------------------------------------------------------------------------- what runs says
def retain_graph():
    w = lab.tensor(2.0, requires_grad=True)
    x = lab.tensor(3.0)
    z = w * x
    z.backward(retain_graph=True)
    z.backward()
    z.backward()


def hooks():
    w = lab.tensor(2.0, requires_grad=True)
    x = lab.tensor(3.0)
    b = lab.tensor(1.0, requires_grad=True)
    y = w * x
    y.retain_grad()
    y.register_hook(lambda g: g * 2)
    z = y * y + b
    z.backward()
    w.grad.zero_()


def no_grad():
    a = lab.tensor(2.0, requires_grad=True)
    with lab.no_grad():
        s = a * 2
    s.backward()


def training():
    x = lab.tensor([0.0, 1.0, 2.0, 3.0])
    y = lab.tensor([1.0, 3.0, 5.0, 7.0])
    w = lab.zeros(1, requires_grad=True)
    b = lab.zeros(1, requires_grad=True)
    optimizer = lab.optim.SGD([w, b], lr=0.05)
    optimizer.zero_grad()
    loss = ((w * x + b - y) ** 2).mean()
    loss.backward()
    optimizer.step()


PROGRAMS = {f.__name__: f for f in (retain_graph, hooks, no_grad, training)}


def _narrations(program) -> list[str]:
    """Every frame's narration of a zh player of ``program``."""
    with lab.trace(catch_errors=True) as t:
        program()
    p = lab.Player(t, lang="zh")
    texts = []
    for i in range(p.n_frames):
        p.seek(i)
        texts.append(p.narration)
    return texts


@pytest.mark.parametrize("name", PROGRAMS)
def test_the_zh_player_says_it_by_the_rules(name):
    bad = [(text, p) for text in _narrations(PROGRAMS[name]) if (p := typography(text, holes=False) + forbidden(text))]
    assert not bad, bad


def test_the_second_backward_is_blamed_on_an_earlier_call_without_retain_graph():
    """The first call passed retain_graph=True: it is not the one that freed the graph."""
    said = [t for t in _narrations(PROGRAMS["retain_graph"]) if "Trying to backward" in t][-1]
    assert "第一次" not in said and "retain_graph=True" in said and "之前" in said, said


def test_no_grad_fn_is_explained_under_no_grad_too():
    said = [t for t in _narrations(PROGRAMS["no_grad"]) if "does not have a grad_fn" in t][-1]
    assert "no_grad()" in said, said


def test_exercise_feedback_reads_as_chinese():
    lab.set_language("zh")
    try:
        said = [str(lab.exercises.check(name, answer)) for name, answer in [
            ("make_leaf", lambda: None), ("zero_between", lambda: None), ("zero_between", lambda: 3),
            ("second_backward", lambda: ...), ("grad_without_storing", lambda: None)]]
    finally:
        lab.set_language("en")
    for text in said:
        assert typography(text, holes=False) + forbidden(text) == [], text
        assert "return 这个" not in text and "，一个张量" not in text, text


def test_a_wrong_prediction_reads_as_chinese():
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        (w * 3).backward()
    q = lab.exercises.Predict("w.grad 是多少？", answer=3, wrong={"2": "2 是 w 的值。"}, trace=t, lang="zh")
    for text in (q.submit("2"), q.submit("5"), q.submit("xyz"), q.hint()):
        assert typography(text, holes=False) == [], text


def test_the_zh_playground_menu_and_examples_are_chinese():
    from autograd_lab.playground import EXAMPLES, Playground
    from autograd_lab.playground.examples import examples

    shown = examples("zh")
    assert list(shown.values()) != list(EXAMPLES.values())
    for (title, program), english in zip(shown.items(), EXAMPLES.values()):
        assert _CHINESE.search(title), title
        assert ast.dump(ast.parse(program)) == ast.dump(ast.parse(english)), title  # the same code
        for comment in _comments(program):
            assert not _reads_english(comment), (title, comment)
            assert typography(comment, holes=False) + forbidden(comment) == [], comment
    pg = Playground(lang="zh")
    labels = [label for label, _ in pg._examples.options]
    assert labels[1:] == list(shown), labels
    pg._examples.value = pg._examples.options[3][1]
    assert pg.source == list(shown.values())[2]
    assert examples("en") == EXAMPLES


def test_the_zh_playground_error_box_explains_the_error_in_chinese():
    from autograd_lab.playground import Playground
    from autograd_lab.playground.examples import examples

    pg = Playground(source=examples("zh")["保留计算图：retain_graph"], lang="zh")
    pg.run()
    box = pg._message.value
    assert "Trying to backward" in box and "中文解释" in box and "之前" in box, box
    assert "</b>: " not in box and "第 7 行</b>：" in box, box
