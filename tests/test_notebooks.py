"""The lessons, exercise notebooks and solutions are tests: each runs top to bottom with nbclient.

Also checked here: they are committed without outputs; every player and Predict cell shows a
player widget; the closing "same in PyTorch" cell finds the same printed lines (or says PyTorch
is missing and passes); its lines really are lines of the lesson; the exercise notebooks give
feedback (not errors) while unanswered, and the solutions pass every check; a cell run out of
order explains what to run first; and all the notebooks together run in under two minutes.
"""
from __future__ import annotations

import ast
import os
import time
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_TORCH

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((ROOT / "notebooks" / "exercises").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
ALL = LESSONS + EXERCISES + SOLUTIONS
BUDGET = 120.0  # seconds, for all of them together (the limit)
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
    names = [p.name for p in LESSONS]
    assert names[0] == "00_tour.ipynb" and len(names) >= 9, names
    assert [n[:2] for n in names] == [f"{i:02d}" for i in range(len(names))]
    assert EXERCISES and [p.name for p in SOLUTIONS] == [p.name for p in EXERCISES]


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


def test_all_notebooks_together_take_under_two_minutes(executed):
    total = sum(seconds for _, _, seconds in executed.values())
    slowest = max(executed.items(), key=lambda item: item[1][2])
    print(f"\n{len(executed)} notebooks in {total:.1f} s; slowest {_id(slowest[0])} {slowest[1][2]:.1f} s")
    assert total < BUDGET, f"{len(executed)} notebooks took {total:.0f} s together (budget {BUDGET:.0f} s)"


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
        assert "PyTorch is not installed here" in text, text
        return
    assert text.startswith("✓ All"), f"{_id(path)}: autograd_lab and PyTorch print differently:\n{text}"


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
