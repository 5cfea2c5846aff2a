"""The lessons, exercise notebooks and solutions are tests: each runs top to bottom with nbclient.

Also checked here: they are committed without outputs; every player and Predict cell shows a
player widget; the closing "same in PyTorch" cell finds the same printed lines (or says PyTorch
is missing and passes); its lines really are lines of the lesson; the exercise notebooks give
feedback (not errors) while unanswered, and the solutions pass every check; a cell run out of
order explains what to run first. (How long they take together is measured by
benchmarks/bench_notebooks.py, not by a timed test.)
"""
from __future__ import annotations

import ast
import os
import re
import time
from pathlib import Path

import pytest

from tests.support.requirements import REQUIRE_TORCH

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
LESSONS_EN = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXERCISES_EN = sorted((ROOT / "notebooks" / "exercises").glob("*.ipynb"))
# The Chinese lessons (notebooks/zh, issue 14) pass the same tests as the English ones.
LESSONS_ZH = sorted((ROOT / "notebooks" / "zh").glob("[0-9][0-9]_*.ipynb"))
EXERCISES_ZH = sorted((ROOT / "notebooks" / "zh" / "exercises").glob("*.ipynb"))
LESSONS = LESSONS_EN + LESSONS_ZH
EXERCISES = EXERCISES_EN + EXERCISES_ZH
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
ALL = LESSONS + EXERCISES + SOLUTIONS
CELL_TIMEOUT = 60

pytestmark = pytest.mark.timeout(600)


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _source(cell) -> str:
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _text(output) -> str:
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return f"{output.ename}: {output.evalue}\n" + "\n".join(output.traceback)
    return output.get("data", {}).get("text/plain", "")


def _stdout_lines(cell) -> list[str]:
    """A cell's printed lines. Its stdout stream outputs are joined first: the kernel may flush one
    print in two parts ('tensor(2.)', then ' tensor(2.)\\n'), which nbclient keeps as two outputs."""
    return "".join(o.text for o in cell.get("outputs", [])
                   if o.output_type == "stream" and o.name == "stdout").splitlines()


def test_a_print_flushed_in_two_parts_is_one_line():
    cell = nbformat.v4.new_code_cell("print(a, b)", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="tensor(2.)"),
        nbformat.v4.new_output("stream", name="stderr", text="a warning\n"),
        nbformat.v4.new_output("stream", name="stdout", text=" tensor(2.)\ntensor(6.)\n")])
    assert _stdout_lines(cell) == ["tensor(2.) tensor(2.)", "tensor(6.)"]


def execute(path: Path, **kwargs):
    nb = nbformat.read(str(path), as_version=4)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}}, **kwargs)
    client.execute()
    return nb


@pytest.fixture(scope="module")
def executed():
    """Every notebook run once (in the order of ALL), with its wall time; an error is kept, not raised."""
    results = {}
    for path in ALL:
        start = time.perf_counter()
        try:
            nb, error = execute(path), None
        except Exception as exc:  # noqa: BLE001 - reported by the test of that notebook
            nb, error = None, exc
        results[path] = (nb, error, time.perf_counter() - start)
    return results


def test_there_is_a_tour_and_one_lesson_per_curriculum_point():
    names = [p.name for p in LESSONS_EN]
    assert names[0] == "00_tour.ipynb" and len(names) >= 9, names
    assert [n[:2] for n in names] == [f"{i:02d}" for i in range(len(names))]
    assert EXERCISES_EN and [p.name for p in SOLUTIONS] == [p.name for p in EXERCISES_EN]
    # every English notebook has its Chinese twin
    assert [p.name for p in LESSONS_ZH] == names
    assert [p.name for p in EXERCISES_ZH] == [p.name for p in EXERCISES_EN]
    assert (ROOT / "notebooks" / "zh" / "playground.ipynb").exists()


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_committed_without_outputs(path):
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{_id(path)}: cells {dirty} have outputs; clear them before committing"
    assert "widgets" not in nb.metadata, f"{_id(path)} carries saved widget state"


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_runs_top_to_bottom(path, executed):
    nb, error, seconds = executed[path]
    if error is not None:
        raise AssertionError(f"{_id(path)} failed after {seconds:.1f} s:\n{error}") from None
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{_id(path)} cell {i}: {_text(out)}"


def _shows_player(cell) -> bool:
    """Does the cell call lab.Player(...) or ...Predict(...)?"""
    try:
        tree = ast.parse(_source(cell))
    except SyntaxError:
        return False
    return any(isinstance(n, ast.Call) and ast.unparse(n.func).split(".")[-1] in ("Player", "Predict")
               for n in ast.walk(tree))


def _widget_models(nb) -> dict:
    return nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})


def _contains_player(model_id: str, models: dict, seen=None) -> bool:
    seen = seen or set()
    if model_id in seen or model_id not in models:
        return False
    seen.add(model_id)
    state = models[model_id].get("state", {})
    if "alab-player" in state.get("_dom_classes", []):
        return True
    children = state.get("children", [])
    return any(_contains_player(str(c).removeprefix("IPY_MODEL_"), models, seen) for c in children)


@pytest.mark.parametrize("path", LESSONS + EXERCISES, ids=_id)
def test_every_player_cell_shows_a_player(path, executed):
    nb, error, _ = executed[path]
    if error is not None:
        pytest.skip("the notebook did not run (see test_runs_top_to_bottom)")
    models = _widget_models(nb)
    cells = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code" and _shows_player(c)]
    if path in LESSONS:
        assert cells, f"{_id(path)} has no player"
    for i, cell in cells:
        views = [o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
                 for o in cell.outputs if o.output_type in ("display_data", "execute_result")
                 and "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        assert any(_contains_player(v, models) for v in views), f"{_id(path)} cell {i} shows no player"


def _parity_cell(nb):
    cells = [c for c in nb.cells if "parity" in _tags(c)]
    assert len(cells) == 1, "a lesson ends with exactly one parity cell (tag 'parity')"
    return cells[0]


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_parity_lines_are_the_lessons_own_lines(path):
    nb = nbformat.read(str(path), as_version=4)
    cell = _parity_cell(nb)
    call = ast.parse(_source(cell)).body[-1].value
    assert ast.unparse(call.func) == "lab.exercises.same_in_pytorch"
    snippet = call.args[0].value
    lesson = {line.strip() for c in nb.cells if c.cell_type == "code" and c is not cell
              for line in _source(c).splitlines()}
    foreign = [line for line in snippet.splitlines() if line.strip() and line.strip() not in lesson]
    assert not foreign, f"{_id(path)}: the parity cell runs lines the lesson does not show: {foreign}"
    assert "lab." not in snippet, "parity snippets are plain PyTorch code"


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_parity_cell_finds_the_same_output_in_pytorch(path, executed):
    nb, error, _ = executed[path]
    if error is not None:
        pytest.skip("the notebook did not run (see test_runs_top_to_bottom)")
    text = "".join(_text(o) for o in _parity_cell(nb).outputs)
    try:
        import torch  # noqa: F401
    except ImportError:
        if os.environ.get(REQUIRE_TORCH) == "1":
            pytest.fail(f"torch is not installed, and {REQUIRE_TORCH}=1 says it must be there")
        assert "PyTorch is not installed here" in text or "没有安装 PyTorch" in text, text
        return
    same = "✓ All" if path in LESSONS_EN else "✓ autograd_lab 和 PyTorch"
    assert text.startswith(same), f"{_id(path)}: autograd_lab and PyTorch print differently:\n{text}"


@pytest.mark.parametrize("path", EXERCISES, ids=_id)
def test_unanswered_exercises_give_feedback_not_errors(path, executed):
    nb, error, _ = executed[path]
    if error is not None:
        pytest.skip("the notebook did not run (see test_runs_top_to_bottom)")
    checks = [c for c in nb.cells if "exercise" in _tags(c)]
    assert checks
    for cell in checks:
        text = "".join(_text(o) for o in cell.outputs)
        assert text.startswith("✗ "), f"an unanswered exercise should get feedback: {text!r}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=_id)
def test_solutions_pass_their_checks(path, executed):
    nb, error, _ = executed[path]
    if error is not None:
        pytest.skip("the notebook did not run (see test_runs_top_to_bottom)")
    checks = [c for c in nb.cells if "solution" in _tags(c)]
    exercise_nb = nbformat.read(str(ROOT / "notebooks" / "exercises" / path.name), as_version=4)
    assert len(checks) == len([c for c in exercise_nb.cells if "exercise" in _tags(c)])
    for cell in checks:
        text = "".join(_text(o) for o in cell.outputs)
        assert text.startswith("✓ "), f"{_id(path)}: a solution fails its check: {text!r}"


def test_a_cell_run_too_early_says_what_to_run_first(tmp_path):
    lesson = nbformat.read(str(ROOT / "notebooks" / "05_next_functions_and_accumulation.ipynb"), as_version=4)
    setup = next(c for c in lesson.cells if c.cell_type == "code")
    later = next(c for c in lesson.cells if _source(c) == "print(w.grad, b.grad)")
    nb = nbformat.v4.new_notebook(cells=[setup, later])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "out_of_order.ipynb"
    nbformat.write(nb, str(path))
    nb = execute(path, allow_errors=True)
    (error,) = [o for o in nb.cells[1].outputs if o.output_type == "error"]
    assert error.ename == "NameError"
    text = "\n".join(error.traceback)
    assert "Run All Above Selected Cell" in text and "'w'" in text
    assert "`" not in text, "plain text in an error output: quotes, not Markdown backticks (issue 10 item 11)"
    assert len(error.traceback) <= 3, "a short explanation, not a traceback"


# ---------------------------------------------------------------------------------------
# What a student sees: markdown as JupyterLab renders it (issue 10, item 1).

def _markdown_blocks(text: str) -> list[dict]:
    """The block tokens of a markdown cell, parsed by a CommonMark parser (mistune, which
    JupyterLab's server side ships through nbconvert), like JupyterLab's marked renders it."""
    import mistune
    return mistune.create_markdown(renderer=None)(text)


@pytest.mark.parametrize("path", ALL + [ROOT / "notebooks" / "playground.ipynb",
                                        ROOT / "notebooks" / "zh" / "playground.ipynb"], ids=_id)
def test_markdown_renders_as_prose_with_a_title(path):
    nb = nbformat.read(str(path), as_version=4)
    cells = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]
    for i, cell in cells:
        indented = [b["raw"].splitlines()[0] for b in _markdown_blocks(_source(cell))
                    if b["type"] == "block_code" and b.get("style") == "indent"]
        assert not indented, (f"{_id(path)} cell {i}: text indented 4+ spaces renders as a grey code "
                              f"block in JupyterLab: {indented}")
    first = _markdown_blocks(_source(cells[0][1])) if cells else []
    assert first and first[0]["type"] == "heading" and first[0]["attrs"]["level"] == 1, (
        f"{_id(path)}: the first cell must open with a level-1 heading (# Title)")


def test_the_first_cell_fits_an_840_px_output_area():
    """The import cell's comments ran off the right edge at 840 px: about 88 monospace
    characters fit beside the prompt (measured in the browser walk)."""
    for path in LESSONS:
        first = next(c for c in nbformat.read(str(path), as_version=4).cells if c.cell_type == "code")
        long = [line for line in _source(first).splitlines() if len(line) > 80]
        assert not long, f"{_id(path)}: lines of the first cell run off the screen: {long}"


# ---------------------------------------------------------------------------------------
# Predict questions: nothing shows the answer before the student gives it (item 2).

def _run_cells_for_predicts(path: Path):
    """Run the notebook's code cells in one namespace (no kernel), as Run All does. Returns the
    notebook and, for each Predict, (cell index, the Predict as it first shows, the text printed
    by every cell up to the next heading after it: what Run All shows around the question)."""
    import contextlib
    import io
    import warnings

    import autograd_lab
    nb = nbformat.read(str(path), as_version=4)
    namespace = {"__name__": "__lesson__"}
    printed, upto, predicts = io.StringIO(), {}, []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "parity" in _tags(cell):
            upto[i] = printed.getvalue()
            continue
        tree = ast.parse(_source(cell))
        value = None
        with contextlib.redirect_stdout(printed), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                exec(compile(ast.Module(tree.body[:-1], []), f"<cell {i}>", "exec"), namespace)
                value = eval(compile(ast.Expression(tree.body[-1].value), f"<cell {i}>", "eval"), namespace)
            else:
                exec(compile(tree, f"<cell {i}>", "exec"), namespace)
        upto[i] = printed.getvalue()
        if isinstance(value, autograd_lab.exercises.Predict):
            # what the student sees before answering: the player's frame as the Predict set it
            player = value.player
            shown = (player.frame_texts() + player.narration.splitlines()
                     if player is not None else [])
            predicts.append((i, value, shown))
    autograd_lab.set_language("en")  # a Chinese lesson set it in this process; the next test speaks English
    results = []
    for i, predict, shown in predicts:
        heading = next((j for j in range(i + 1, len(nb.cells)) if nb.cells[j].cell_type == "markdown"
                        and re.search(r"^#", _source(nb.cells[j]), re.MULTILINE)), len(nb.cells))
        results.append((i, predict, shown, upto[heading - 1]))
    return nb, results


def _answer_tells(predict) -> tuple[list[str], list[str]]:
    """Regexes that give the answer away (in printed output, in the player's text)."""
    a = predict.answer
    name = re.search(r"\b([a-z]\w*)\.(?:grad|is_leaf)\b", predict.question)
    name = name.group(1) if name else None
    if isinstance(a, bool):
        tells = [r"RuntimeError", r"Trying to backward"] if a else []
        return tells, tells
    if isinstance(a, (int, float)):
        n = re.escape(f"{float(a):g}")
        printed = [rf"tensor\({n}\.(?!\d)"]
        picture = [rf"^{n}\.$", rf"grad {n}\.$", rf"\+ [^=]+ = {n}\.", rf"sends {n}\.", rf"grad = {n}\.",
                   rf"把 {n} 传给", rf"\+ [^=]+ = {n}(?![\d.])", rf"grad 设为 {n}(?![\d.])"]  # zh narration
        return printed, picture
    if a in ("None", "True", "False"):
        return [rf"\b{a}\b"], []
    if a.startswith("AccumulateGrad of ") or a.endswith(" 的 AccumulateGrad"):
        leaf = re.escape(a.split()[-1] if a.startswith("AccumulateGrad") else a.split()[0])
        return [], [rf"adds into {leaf}\.grad", rf"累加进 {leaf}\.grad", rf"把 {leaf}\.grad 设为"]
    return [], [rf"\b{re.escape(a)} runs", rf"^{re.escape(a)} 执行"]


def _prose_tells(predict) -> list[str]:
    """Regexes for a sentence of the prose that states the answer."""
    a = predict.answer
    name = re.search(r"\b([a-z]\w*)\.(?:grad|is_leaf)\b", predict.question)
    if isinstance(a, bool):
        return [r"second (?:call|backward\(\))[^.]*(?:fails|raises)", r"第二次[^。？]*(?:失败|报错)(?!吗)", r"第二次[^。？]*抛出[^。？]*。"] if a else []
    if isinstance(a, (int, float)) and name:
        return [rf"`?{name.group(1)}\.grad`?[^.:]*\b(?:is|becomes|=) {float(a):g}\b",
                rf"`?{name.group(1)}\.grad`?[^。：]*(?:是|变成|等于|=) ?`?{float(a):g}(?![\d.])"]
    if isinstance(a, str) and "AccumulateGrad" in a:
        return [r"AccumulateGrad[^.]*\bfirst\b", r"\bfirst\b[^.]*AccumulateGrad",
                r"AccumulateGrad[^。]*(?:优先|最先|先)", r"(?:优先|最先)[^。]*AccumulateGrad"]
    if isinstance(a, str) and name:
        return [rf"`?{name.group(1)}`?[^.]*\bis {a}\b", rf"`?{name.group(1)}`?[^。]*是 `?{a}\b"]
    return []


PREDICTING = [p for p in LESSONS + EXERCISES
              if "Predict(" in "".join(_source(c) for c in nbformat.read(str(p), as_version=4).cells)]


@pytest.mark.parametrize("path", PREDICTING, ids=_id)
def test_no_predict_shows_its_answer_before_it_is_answered(path):
    """Heuristics: after Run All, no cell up to the next heading prints the answer; the player's
    first frame does not show it; the prose above does not state it."""
    nb, predicts = _run_cells_for_predicts(path)
    assert predicts, f"{_id(path)}: no Predict ran"
    for index, predict, shown, printed in predicts:
        what = f"{_id(path)} cell {index} ({predict.question!r})"
        printed_tells, picture_tells = _answer_tells(predict)
        for tell in printed_tells:
            line = re.search(rf"^.*{tell}.*$", _ADDRESS.sub("", printed), re.MULTILINE)
            assert not line, f"{what}: Run All prints the answer near the question: {line.group(0)!r}"
        for tell in picture_tells:
            seen = [t for t in shown if re.search(tell, t.strip())]
            assert not seen, f"{what}: the player's first frame already shows the answer: {seen}"
        prose = re.sub(r"\s+", " ", " ".join(_source(c) for c in nb.cells[:index] if c.cell_type == "markdown"))
        for tell in _prose_tells(predict):
            said = re.search(tell, prose)
            assert not said, f"{what}: the prose above says the answer: {said.group(0)!r}"


def _what_only_the_answer_says() -> dict[str, list[str]]:
    """Question id -> the texts a student may read only after answering (both languages): the
    explanation, and the sentences for tempting wrong answers (they name the answer or near it)."""
    from autograd_lab.lessons import questions
    from autograd_lab.narration import say
    out = {}
    for qid, q in questions.QUESTIONS.items():
        out[qid] = [say(f"predict.{qid}.{part}", lang) for lang in ("en", "zh")
                    for part in ["explain"] + [f"wrong.{w}" for w in q.wrong]]
    return out


def _predict_calls(source: str) -> list[ast.Call]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func).endswith("Predict")]


@pytest.mark.parametrize("path", PREDICTING, ids=_id)
def test_no_predict_answer_is_in_the_notebook_source(path):
    """The answer, hint and explanation were keyword arguments in the cell above the question
    (answer="None", explain="... 3 + 3 = 6"): a Predict cell names its question and the trace only."""
    nb = nbformat.read(str(path), as_version=4)
    from autograd_lab.lessons import questions
    asked = []
    for i, cell in enumerate(nb.cells):
        for call in _predict_calls(_source(cell)):
            kwargs = {k.arg for k in call.keywords}
            assert kwargs <= {"trace"} and len(call.args) == 1, (
                f"{_id(path)} cell {i}: a lesson's Predict names its question and trace only, "
                f"not {sorted(kwargs - {'trace'})}: {ast.unparse(call)}")
            asked.append(call.args[0].value)
    assert asked and all(qid in questions.QUESTIONS for qid in asked), asked
    sources = "\n".join(_source(c) for c in nb.cells)
    for qid, texts in _what_only_the_answer_says().items():
        for text in texts:
            assert text not in sources, f"{_id(path)} shows the answer of {qid}: {text!r}"


@pytest.mark.parametrize("path", PREDICTING, ids=_id)
def test_no_predict_answer_is_in_the_outputs_after_run_all(path, executed):
    """After Run All (nbclient, widget state kept as JupyterLab keeps it), no output and no
    widget (the Predict's player's scene included) holds an explanation, a wrong answer's
    sentence, or a step past the question: the answer cannot be read or reached before answering."""
    nb, error, _ = executed[path]
    if error is not None:
        pytest.skip("the notebook did not run (see test_runs_top_to_bottom)")
    import json
    page = json.dumps([c.get("outputs", []) for c in nb.cells] + [_widget_models(nb)], ensure_ascii=False)
    for qid, texts in _what_only_the_answer_says().items():
        for text in texts:
            assert json.dumps(text, ensure_ascii=False)[1:-1] not in page, (
                f"{_id(path)}: after Run All the page holds the answer of {qid}: {text!r}")
    models = _widget_models(nb)
    _, predicts = _run_cells_for_predicts(path)
    for index, predict, _, _ in predicts:  # the same cells, run without a kernel: the whole trace's steps
        views = [o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] for o in nb.cells[index].outputs
                 if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        (box,) = [models[v]["state"] for v in views if "alab-predict" in models[v]["state"].get("_dom_classes", [])]
        (scene,) = [models[c.removeprefix("IPY_MODEL_")]["state"]["scene"] for c in box["children"]
                    if "scene" in models[c.removeprefix("IPY_MODEL_")]["state"]]
        what = f"{_id(path)} cell {index}"
        assert len(scene["steps"]) == predict.before + 1 < predict.player.n_frames, (
            f"{what}: the page's player can step past the question ({len(scene['steps'])} steps)")
        assert all(i <= predict.before for _, i in scene["jumps"]), f"{what}: {scene['jumps']}"
        revealing = json.dumps(predict.player.graph.steps[predict.reveal].text, ensure_ascii=False)[1:-1]
        assert revealing not in json.dumps(scene, ensure_ascii=False), f"{what}: the revealing step is in the page"


# ---------------------------------------------------------------------------------------
# The closing comparison runs the lesson's own lines, self-contained (item 8).

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_the_comparison_snippet_alone_prints_what_the_lesson_printed(path, executed):
    nb, error, _ = executed[path]
    if error is not None:
        pytest.skip("the notebook did not run (see test_runs_top_to_bottom)")
    import autograd_lab
    from autograd_lab.lessons.parity import _run_snippet
    cell = _parity_cell(nb)
    snippet = ast.parse(_source(cell)).body[-1].value.args[0].value
    alone = [_ADDRESS.sub("", line) for line in _run_snippet(snippet, autograd_lab)]
    lesson = [_ADDRESS.sub("", line) for c in nb.cells if c.cell_type == "code" and c is not cell
              for line in _stdout_lines(c)]
    position = 0
    for line in alone:  # the snippet's lines appear in the lesson's output, in the same order
        try:
            position = lesson.index(line, position) + 1
        except ValueError:
            pytest.fail(f"{_id(path)}: the comparison snippet, run alone, prints {line!r}, which the "
                        f"lesson's cells did not print (in this order).\nLesson printed:\n"
                        + "\n".join(lesson))
    assert alone, f"{_id(path)}: the comparison snippet prints nothing"


# ---------------------------------------------------------------------------------------
# What the lessons claim is true of PyTorch 2.13 (item 14): each claim the lessons now make is
# run in real PyTorch (and in autograd_lab), and the false wordings are gone.

CLAIMS = {
    # id: (lesson, words the lesson says, lines whose asserts make the claim)
    "second-backward-without-saved-values-works": ("06_retain_graph", "saved nothing", """
w = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(1.0, requires_grad=True)
s = w + b
s.backward()
s.backward()
assert w.grad.item() == 2.0 and b.grad.item() == 2.0
"""),
    "second-backward-through-freed-values-fails": ("06_retain_graph", "Trying to backward through the graph", """
w = torch.tensor(2.0, requires_grad=True)
x = torch.tensor(3.0)
z = w * x + 1
z.backward()
try:
    z.backward()
    raise AssertionError("the second backward ran")
except RuntimeError as e:
    assert str(e).startswith("Trying to backward through the graph a second time")
"""),
    "autograd-grad-frees-the-nodes-it-ran": ("07_non_leaf_gradients", "frees the saved values of the nodes it ran", """
w = torch.tensor(2.0, requires_grad=True)
x = torch.tensor(3.0)
b = torch.tensor(1.0, requires_grad=True)
y = w * x
z = y * y + b
dz_dy, = torch.autograd.grad(z, y)
assert dz_dy.item() == 12.0 and w.grad is None
assert y.grad_fn._saved_other.item() == 3.0          # MulBackward0 of y did not run: kept
try:
    z.grad_fn.next_functions[0][0]._saved_self       # the node of y * y ran: freed
    raise AssertionError("saved values were kept")
except RuntimeError:
    pass
"""),
    "autograd-grad-still-fills-retain-grad": ("07_non_leaf_gradients", "retain_grad()", """
w = torch.tensor(2.0, requires_grad=True)
x = torch.tensor(3.0)
y = w * x
y.retain_grad()
z = y * y
dz_dw, = torch.autograd.grad(z, w)
assert dz_dw.item() == 36.0 and w.grad is None and y.grad.item() == 12.0
"""),
    "a-leaf-is-a-tensor-without-grad_fn": ("03_leaf_tensors", "no `grad_fn`", """
w = torch.tensor(2.0, requires_grad=True)
x = torch.tensor(3.0)
v = x * 2
assert v.grad_fn is None and v.is_leaf and not v.requires_grad
y = w * x
assert y.grad_fn is not None and not y.is_leaf
"""),
    "detach-shares-storage": ("03_leaf_tensors", "shares", """
w = torch.tensor(2.0, requires_grad=True)
y = w * 3
d = y.detach()
d.zero_()
assert y.item() == 0.0 and d.is_leaf and not d.requires_grad
"""),
    "exp-saves-its-result": ("09_when_autograd_complains", "saves its result `c`", """
a = torch.tensor(1.0, requires_grad=True)
c = (a * 2).exp()
assert c.grad_fn._saved_result.item() == c.item()
c.mul_(3)
try:
    c.sum().backward()
    raise AssertionError("no error")
except RuntimeError as e:
    assert "modified by an inplace operation" in str(e) and "is at version 1; expected version 0" in str(e)
"""),
    "a-carried-hidden-state-reuses-the-freed-graph": ("09_when_autograd_complains", "goes back into the first "
                                                      "iteration's graph", """
for cut in (False, True):
    w = torch.tensor(0.5, requires_grad=True)
    h = torch.zeros(1)
    try:
        for x in [1.0, 2.0]:
            if cut:
                h = h.detach()
            h = torch.tanh(w * h + x)
            h.sum().backward()
        assert cut and abs(w.grad.item() - 0.0256) < 1e-4
    except RuntimeError as e:
        assert not cut and str(e).startswith("Trying to backward through the graph a second time")
"""),
    "ones_like-gradient-is-sum": ("09_when_autograd_complains", "gives the same result as `.sum()`", """
w = torch.tensor([1.0, 2.0], requires_grad=True)
(w * w).sum().backward()
first = w.grad.tolist()
w.grad = None
y = w * w
y.backward(gradient=torch.ones_like(y))
assert w.grad.tolist() == first == [2.0, 4.0]
"""),
    "a-leaf-is-updated-under-no_grad": ("09_when_autograd_complains", "Autograd refuses to do this", """
w = torch.tensor([1.0, 2.0], requires_grad=True)
try:
    w -= 0.5
    raise AssertionError("no error")
except RuntimeError as e:
    assert str(e) == "a leaf Variable that requires grad is being used in an in-place operation."
with torch.no_grad():
    w -= 0.5
assert w.tolist() == [0.5, 1.5] and w.is_leaf and w.requires_grad
"""),
    "requires_grad_-true-on-a-result-is-allowed": ("01_requires_grad", "switching it off", """
w = torch.tensor(2.0, requires_grad=True)
y = w * 3
y.requires_grad_(True)
assert y.requires_grad
try:
    y.requires_grad_(False)
    raise AssertionError("switched off")
except RuntimeError as e:
    assert str(e).startswith("you can only change requires_grad flags of leaf variables")
"""),
}

FALSE_WORDINGS = [  # said before, false of PyTorch
    r"second `?backward\(\)`? through the same graph then fails",
    r"a second backward fails, or works",
    r"backward frees the graph",
    r"`?autograd\.grad`? frees the graph",
    r"without storing it in any `?\.grad",
    r"tensors? you (?:create|made|make) yourself",
    r"detached copy",
    r"only switch it on a leaf",
]


@pytest.mark.parametrize("claim", CLAIMS, ids=str)
def test_a_lesson_claim_holds_in_pytorch(claim):
    lesson, words, lines = CLAIMS[claim]
    nb = nbformat.read(str(ROOT / "notebooks" / f"{lesson}.ipynb"), as_version=4)
    prose = re.sub(r"\s+", " ", " ".join(_source(c) for c in nb.cells if c.cell_type == "markdown"))
    assert words in prose, f"lesson {lesson} does not say {words!r}"
    try:
        import torch
    except ImportError:
        if os.environ.get(REQUIRE_TORCH) == "1":
            pytest.fail(f"torch is not installed, and {REQUIRE_TORCH}=1 says it must be there")
        pytest.skip("torch is not installed")
    import autograd_lab
    for module in (torch, autograd_lab):
        exec(compile(lines, f"<{claim} with {module.__name__}>", "exec"), {"torch": module})


def _readme_lessons() -> str:
    text = (ROOT / "README.md").read_text()
    return text[:text.index("## For teachers")]


@pytest.mark.parametrize("path", ALL + [ROOT / "README.md"], ids=_id)
def test_no_false_claim_is_left(path):
    if path.suffix == ".md":
        text = _readme_lessons()
    else:
        text = " ".join(_source(c) for c in nbformat.read(str(path), as_version=4).cells
                        if c.cell_type == "markdown")
    text = re.sub(r"\s+", " ", text)
    said = [m.group(0) for w in FALSE_WORDINGS for m in [re.search(w, text, re.IGNORECASE)] if m]
    assert not said, f"{_id(path)} still says: {said}"


# ---------------------------------------------------------------------------------------
# The Chinese lessons run the English lessons' code (issue 14): only the strings students read
# (Predict questions, explanations, hints, choices) are translated, and the first cell adds
# lab.set_language("zh").

def _code_shape(source: str) -> str:
    """The code with every string constant blanked (and no set_language line)."""
    tree = ast.parse(source)
    tree.body = [s for s in tree.body if "set_language" not in ast.unparse(s)]
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = "S"
    return ast.unparse(tree)


@pytest.mark.parametrize("path", LESSONS_ZH + EXERCISES_ZH + [ROOT / "notebooks" / "zh" / "playground.ipynb"],
                         ids=_id)
def test_chinese_notebooks_run_the_english_code(path):
    english = ROOT / "notebooks" / path.relative_to(ROOT / "notebooks" / "zh")
    zh_cells = nbformat.read(str(path), as_version=4).cells
    en_cells = nbformat.read(str(english), as_version=4).cells
    assert [c.cell_type for c in zh_cells] == [c.cell_type for c in en_cells]
    for i, (z, e) in enumerate(zip(zh_cells, en_cells)):
        assert z.get("metadata", {}).get("tags") == e.get("metadata", {}).get("tags"), (path.name, i)
        if z.cell_type == "code":
            assert _code_shape(_source(z)) == _code_shape(_source(e).replace(
                "from autograd_lab import Playground", "from autograd_lab import Playground, set_language")), \
                (path.name, i)
            if "parity" in _tags(e) or "snippet" in _tags(e) or "exercise" in _tags(e):
                assert _source(z) == _source(e), (path.name, i)  # compared with PyTorch / judged: exactly
        else:
            assert re.search(r"[\u4e00-\u9fff]", _source(z)), (path.name, i, "markdown not translated")
    first = next(c for c in zh_cells if c.cell_type == "code")
    assert 'set_language("zh")' in _source(first)
