"""The Playground widget without a browser: Run button, examples, errors inline, the player."""
from __future__ import annotations

import ipywidgets as widgets
import pytest

import autograd_lab as lab
from autograd_lab.playground import EXAMPLES, Playground, widget


class FakePlayer(widgets.HTML):
    """Stands in for autograd_lab.Player (another module's job): remembers its trace."""

    def __init__(self, trace):
        super().__init__("player")
        self.trace = trace


@pytest.fixture
def pg(monkeypatch):
    monkeypatch.setattr(Playground, "_make_player", staticmethod(FakePlayer))
    return Playground()


def player_of(pg: Playground):
    (player,) = pg._player.children
    return player


def test_layout_and_css_classes(pg):
    assert isinstance(pg, widgets.VBox)
    assert "alab-playground" in pg._dom_classes
    assert "alab-code" in pg._code._dom_classes and "alab-run" in pg._run._dom_classes
    assert pg.source == EXAMPLES["The classic example"]
    assert pg._player.children == () and pg.trace is None


def test_run_button_shows_printed_text_and_the_player(pg):
    pg._run.click()
    assert pg.trace is not None and player_of(pg).trace is pg.trace
    assert "tensor(3.) tensor(1.)" in pg._printed.value
    assert pg._message.value == "" and "alab-error" not in pg._message._dom_classes
    assert not pg._run.disabled


def test_rejected_code_is_shown_inline_with_its_line(pg):
    pg.source = "w = tensor(2.0)\nimport os\n"
    assert pg.run() is None
    assert "alab-error" in pg._message._dom_classes
    assert "<b>line 2</b>" in pg._message.value and "  2 | import os" in pg._message.value
    assert "<code>import os</code> is not available" in pg._message.value  # backticks shown as code
    assert '<div class="alab-hint"><code>import torch</code>' in pg._message.value
    assert pg._player.children == () and pg.trace is None and pg.error.startswith("line 2:")


def test_autograd_error_is_shown_inline_and_the_player_still_plays(pg):
    pg.load_example("retain_graph")
    trace = pg.run()
    assert trace is not None and player_of(pg).trace is trace
    assert "RuntimeError: Trying to backward through the graph a second time" in pg._message.value
    assert "  7 | z.backward()" in pg._message.value
    assert "tensor(6.)" in pg._printed.value


def test_a_good_run_clears_the_previous_error(pg):
    pg.source = "import os"
    pg.run()
    pg.source = "x = tensor(1.0)"
    pg.run()
    assert pg._message.value == "" and "alab-error" not in pg._message._dom_classes
    assert len(pg._player.children) == 1


def test_text_from_the_student_is_escaped(pg):
    pg.source = 'print("<script>alert(1)</script>")\nx = <b>'
    pg.run()
    assert "<script>" not in pg._message.value and "&lt;b&gt;" in pg._message.value
    pg.source = 'print("<script>alert(1)</script>")'
    pg.run()
    assert "<script>" not in pg._printed.value and "&lt;script&gt;" in pg._printed.value


def test_warnings_are_shown_with_the_printed_text(pg):
    pg.source = "w = tensor(2.0, requires_grad=True)\ny = w * 3\nprint(y.grad)"
    pg.run()
    assert "UserWarning: The .grad attribute of a Tensor that is not a leaf" in pg._printed.value
    assert pg._printed.value.index("UserWarning") < pg._printed.value.index("None")


def test_choosing_an_example_loads_it_and_resets_the_menu(pg):
    pg._examples.value = "A training step"
    assert pg.source == EXAMPLES["A training step"] and pg._examples.value == ""


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_runs(pg, name):
    pg.load_example(name)
    trace = pg.run()
    assert trace is not None and trace.printed
    assert (trace.error is not None) == (name == "retain_graph" or name.startswith("Error: "))


def test_without_a_player_module_the_rest_still_works(monkeypatch):
    def missing():
        raise ImportError("no player yet")

    monkeypatch.setattr(widget, "_player_class", missing)
    pg = Playground()
    pg.run()
    assert pg.trace is not None and "tensor(3.)" in pg._printed.value
    assert "could not be loaded (no player yet)" in player_of(pg).value


def test_with_the_real_player():
    player = pytest.importorskip("autograd_lab.view.player")
    pg = Playground()
    pg.run()
    assert isinstance(player_of(pg), player.Player)


def test_playground_is_exported_lazily():
    assert lab.Playground is Playground


# --- issue 10 item 10 ---------------------------------------------------------------------

def test_output_printed_before_an_error_shows_above_it(pg):
    pg.source = "w = tensor(2.0)\nprint('before')\nw.backward()"
    pg._run.click()
    children = list(pg._output.children)
    assert children.index(pg._printed) < children.index(pg._message)
    assert "before" in pg._printed.value and "does not require grad" in pg._message.value


def test_non_scalar_backward_gets_pytorchs_message_and_a_hint(pg):
    pg.source = "w = tensor([1.0, 2.0], requires_grad=True)\ny = w * 2\ny.backward()"
    pg._run.click()
    text = pg._message.value
    assert "RuntimeError: grad can be implicitly created only for scalar outputs" in text
    assert "<code>.sum()</code>" in text and "gradient=" in text


def test_the_hint_for_non_scalar_backward_works_in_the_playground():
    """Both fixes the hint suggests run in the playground and give w.grad = [2., 2.]."""
    for fix in ("y.sum().backward()", "y.backward(gradient=ones_like(y))"):
        t = lab.playground.run(f"w = tensor([1.0, 2.0], requires_grad=True)\ny = w * 2\n{fix}\nprint(w.grad)")
        assert t.printed == ["tensor([2., 2.])"]


@pytest.mark.parametrize("notebook", ["notebooks/playground.ipynb", "notebooks/zh/playground.ipynb"])
def test_students_under_voila_read_no_sentence_for_the_teacher(notebook):
    """Voila shows the playground notebook's prose to the class: "a teacher can serve this page with
    `voila ...`" was written for the teacher (README.md says it to them)."""
    import json
    from pathlib import Path
    cells = json.loads((Path(__file__).resolve().parent.parent / notebook).read_text(encoding="utf-8"))["cells"]
    prose = " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert prose and not [w for w in ("voila", "teacher", "serve", "老师", "全班") if w in prose.lower()], prose
    assert "import torch" in prose  # what students may now paste
