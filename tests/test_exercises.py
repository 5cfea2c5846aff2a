"""The exercise checkers, Predict questions, the PyTorch parity check and the out-of-order helper.

Every checker is driven with right answers (the solutions' own code, read from solutions/),
typical wrong ones, and bad input (raising, looping, wrong type, not a function): each gets
feedback in words, never a traceback, and no feedback ever contains a solution's line.
"""
from __future__ import annotations

import re

import itertools
import json
import linecache
import sys
import textwrap
import threading
import types
from pathlib import Path

import pytest

import autograd_lab as torch
from autograd_lab import exercises as ex
from tests.support.requirements import require_torch

ROOT = Path(__file__).resolve().parent.parent


def _tagged_cells(folder: str, tag: str) -> dict[str, str]:
    """Exercise name -> source of the cells tagged ``tag`` (the answer function and its check)."""
    found = {}
    for path in sorted((ROOT / folder).glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if tag in cell.get("metadata", {}).get("tags", []):
                source = "".join(cell["source"])
                name = source.split('lab.exercises.check("')[1].split('"')[0]
                found[name] = source.split("\n\nlab.exercises.check")[0]
    return found


_cells = itertools.count()
SOLUTIONS = _tagged_cells("solutions", "solution")
STUBS = _tagged_cells("notebooks/exercises", "exercise")


def define(source: str):
    """The ``answer`` function defined by ``source`` (with ``torch`` = autograd_lab), its lines
    in linecache as IPython keeps a cell's."""
    source = textwrap.dedent(source)
    filename = f"<answer {next(_cells)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"torch": torch}
    exec(compile(source, filename, "exec"), namespace)
    return namespace["answer"]


def answer_from(body: str):
    return define("def answer():\n" + textwrap.indent(textwrap.dedent(body), "    "))


PREAMBLE = """\
w = torch.tensor(2.0, requires_grad=True)
x = torch.tensor(3.0)
b = torch.tensor(1.0, requires_grad=True)
"""

# Wrong answers, each with words its feedback must contain.
WRONG = {
    "make_leaf": [
        ("data = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\nreturn data * 1", "not a leaf"),
        ("data = torch.tensor([1.0, 2.0, 3.0])\nreturn data", "requires_grad is False"),
        ("return torch.tensor([1.0, 2.0, 3.0], requires_grad=True)", "switch it on afterwards"),
        ("return torch.tensor([1.0, 2.0])", "not the numbers"),
    ],
    "zero_between": [
        (PREAMBLE + "z = w * x + b\nz.backward()\nz = w * x + b\nz.backward()\nreturn b", "ADDED"),
        (PREAMBLE + "z = w * x + b\nz.backward()\nreturn b", "ran once"),
        (PREAMBLE + "z = w * x + b\nz.backward()\nz = w * x + b\nz.backward()\nb.grad = None\nreturn b",
         "b.grad is None"),
        (PREAMBLE + "z = w * x + b\nz.backward()\nb = torch.tensor(1.0, requires_grad=True)\n"
                    "z = w * x + b\nz.backward()\nreturn b", "new b"),
    ],
    "second_backward": [
        (PREAMBLE + "z = w * x + b\nz.backward()\nz.backward()\nreturn w", "freed"),
        (PREAMBLE + "z = w * x + b\nz.backward()\nz = w * x + b\nz.backward()\nreturn w", "different tensors"),
        (PREAMBLE + "z = w * x + b\nz.backward()\nreturn w", "ran once"),
    ],
    "grad_without_storing": [
        (PREAMBLE + "y = w * x\nz = y * y + b\ny.retain_grad()\nz.backward()\nreturn y.grad", "retain_grad"),
        (PREAMBLE + "y = w * x\nz = y * y + b\nz.backward()\nreturn w.grad", "dz/dw"),
        (PREAMBLE + "y = w * x\nz = y * y + b\nreturn torch.autograd.grad(z, y)", "tuple"),
        (PREAMBLE + "y = w * x\nz = y * y + b\nreturn z", "Your gradient is 37"),
    ],
    "double_with_hook": [
        (PREAMBLE + "y = w * x\nz = y + b\nz.backward()\nreturn w", "no hook ran"),
        (PREAMBLE + "y = w * x\ny.register_hook(lambda g: print(g))\nz = y + b\nz.backward()\nreturn w",
         "returning a new one"),
        (PREAMBLE + "w.register_hook(lambda g: g * 2)\ny = w * x\nz = y + b\nz.backward()\nreturn w", "on a leaf"),
        (PREAMBLE + "y = w * x\nz = 2 * y + b\nz.backward()\nreturn w", "no hook ran"),
        (PREAMBLE + "y = w * x\ny.register_hook(lambda g: g * 3)\nz = y + b\nz.backward()\nreturn w", "double"),
    ],
    "fix_inplace": [
        ("a = torch.tensor(1.0, requires_grad=True)\nb = a * 2\nc = b.exp()\nc.mul_(3)\nc.sum().backward()\n"
         "return a", "in place"),
        ("a = torch.tensor(1.0, requires_grad=True)\nb = a * 2\nc = b.exp()\nc.sum().backward()\nreturn a",
         "multiplication by 3"),
        ("a = torch.tensor(1.0, requires_grad=True)\nb = a * 2\nc = b.exp() * 3\nreturn a", "None"),
        ("a = torch.tensor(1.0, requires_grad=True)\nc = (a * 3).exp() * 3\nc.sum().backward()\nreturn a",
         "not 6·e²"),
    ],
    "rnn_loop": [
        ("w = torch.tensor(0.5, requires_grad=True)\nh = torch.zeros(1)\nfor x in [1.0, 2.0, 3.0]:\n"
         "    h = torch.tanh(w * h + x)\n    h.sum().backward()\nreturn w", "freed"),
        ("w = torch.tensor(0.5, requires_grad=True)\nh = torch.zeros(1)\nfor x in [1.0, 2.0, 3.0]:\n"
         "    h = torch.tanh(w * h + x)\n    h.sum().backward(retain_graph=True)\nreturn w", "retain_graph=True"),
        ("w = torch.tensor(0.5, requires_grad=True)\nh = torch.zeros(1)\nfor x in [1.0]:\n"
         "    h = torch.tanh(w * h + x)\n    h.sum().backward()\nreturn w", "ran once"),
        ("w = torch.tensor(0.5, requires_grad=True)\nh = torch.zeros(1)\nfor x in [1.0, 2.0, 3.0]:\n"
         "    h = torch.tanh(w * h.detach() * 2 + x)\n    h.sum().backward()\nreturn w", "formulas"),
    ],
    "train_with_sgd": [
        (STUBS.get("train_with_sgd", "").split("def answer():\n", 1)[-1], "never cleared"),
        ("return [3.0]", "1 loss"),
        ("return [1.0, float('nan')]", "nan"),
        ("return [1.0, 2.0]", "did not go down"),
        ("return [torch.tensor(1.0), 'x']", "tensors"),
        ("return [1.0, 'x']", "str"),
    ],
}


def test_every_exercise_has_a_stub_a_solution_and_wrong_answers():
    assert set(SOLUTIONS) == set(STUBS) == set(ex.EXERCISES) == set(WRONG)


@pytest.mark.parametrize("name", sorted(ex.EXERCISES))
def test_the_solution_passes(name):
    verdict = ex.check(name, define(SOLUTIONS[name]))
    assert verdict.ok, verdict.message
    assert str(verdict).startswith("✓ ")


@pytest.mark.parametrize("name", sorted(ex.EXERCISES))
def test_the_unanswered_stub_gets_feedback(name):
    verdict = ex.check(name, define(STUBS[name]))
    assert not verdict.ok and verdict.message


@pytest.mark.parametrize("name,body,words", [(n, b, w) for n, cases in WRONG.items() for b, w in cases],
                         ids=lambda v: v if isinstance(v, str) and len(v) < 30 else None)
def test_wrong_answers_are_explained(name, body, words):
    verdict = ex.check(name, answer_from(body))
    assert not verdict.ok
    assert words in verdict.message, verdict.message


def _solution_lines(name: str) -> list[str]:
    """The lines a solution adds to its stub: what the feedback must never print."""
    stub = {line.strip() for line in STUBS[name].splitlines()}
    return [line.split("#")[0].strip() for line in SOLUTIONS[name].splitlines()
            if line.strip() and line.strip() not in stub and not line.strip().startswith("#")]


@pytest.mark.parametrize("name", sorted(ex.EXERCISES))
def test_feedback_and_hints_never_give_the_answer(name):
    texts = [ex.hint(name), ex.EXERCISES[name].task]
    for body, _ in WRONG[name]:
        texts.append(str(ex.check(name, answer_from(body), hint=True)))
    texts.append(str(ex.check(name, define(STUBS[name]), hint=True)))
    lines = _solution_lines(name)
    assert lines, "the solution differs from the stub"
    for text in texts:
        for line in lines:
            assert line not in text, f"feedback gives away {line!r}: {text}"


# --- bad input: raises, loops, wrong type, not a function ----------------------------------

def test_an_answer_that_raises_gets_words_and_its_line():
    verdict = ex.check("zero_between", answer_from(PREAMBLE + "z = w * x + b\nz.backward()\n"
                                                   "b.grad.zero_()\nb.grad = None\nb.grad.zero_()\nreturn b"))
    assert not verdict.ok
    assert "AttributeError" in verdict.message and "(line 9: `b.grad.zero_()`)" in verdict.message
    assert ".grad is None until a backward()" in verdict.message
    assert "Traceback" not in str(verdict)


@pytest.mark.parametrize("body,words", [
    ("return undefined_name", "`undefined_name` is not defined"),
    ("return 1 / 0", "ZeroDivisionError"),
    ("z = torch.tensor(3.0)\nz.backward()\nreturn z", "nothing it was computed from has requires_grad=True"),
    ("v = torch.tensor([1.0, 2.0], requires_grad=True)\n(v * 2).backward()\nreturn v", "single number"),
    ("def f(n):\n    return f(n + 1)\nreturn f(0)", "RecursionError"),
])
def test_errors_become_feedback(body, words):
    verdict = ex.check("make_leaf", answer_from(body))
    assert not verdict.ok and words in verdict.message, verdict.message


def test_an_answer_that_loops_is_stopped():
    verdict = ex.check("zero_between", answer_from("while True:\n    pass"), timeout=0.3)
    assert not verdict.ok and "still running after 0.3 s" in verdict.message


def test_an_answer_that_swallows_exceptions_is_still_stopped():
    body = "while True:\n    try:\n        pass\n    except Exception:\n        pass"
    verdict = ex.check("zero_between", answer_from(body), timeout=0.3)
    assert "still running" in verdict.message


def test_a_loop_outside_the_main_thread_is_stopped_too():
    box = {}
    worker = threading.Thread(target=lambda: box.update(v=ex.check("zero_between", answer_from(
        "import time\nwhile True:\n    time.sleep(0.01)"), timeout=0.3)))
    worker.start()
    worker.join(10)
    assert "still running" in box["v"].message


def test_the_timer_is_put_back():
    import signal
    before = signal.getsignal(signal.SIGALRM)
    ex.check("make_leaf", answer_from("return 1"))
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.parametrize("body,words", [
    ("return None", "returned None"),
    ("pass", "returned None"),
    ("return ...", "placeholder"),
    ("return 3", "int 3"),
    ("return 'b'", "str 'b'"),
    ("return [1, 2]", "list"),
])
def test_wrong_types_are_named(body, words):
    verdict = ex.check("zero_between", answer_from(body))
    assert not verdict.ok and words in verdict.message, verdict.message


def test_a_real_pytorch_tensor_is_recognised():
    real = require_torch()

    def answer():
        return real.tensor(1.0, requires_grad=True)
    verdict = ex.check("make_leaf", answer)
    assert "real PyTorch tensor" in verdict.message and "import autograd_lab as torch" in verdict.message


def test_passing_the_result_instead_of_the_function():
    verdict = ex.check("make_leaf", torch.tensor(1.0))
    assert not verdict.ok and "no parentheses" in verdict.message


def test_unknown_exercise_lists_the_names():
    verdict = ex.check("no_such", lambda: None)
    assert not verdict.ok and "make_leaf" in verdict.message
    assert "There is no exercise" in ex.hint("no_such")


def test_hint_only_on_request_and_only_when_wrong():
    wrong = answer_from("return 3")
    assert ex.check("make_leaf", wrong).hint is None
    assert ex.check("make_leaf", wrong, hint=True).hint == ex.hint("make_leaf")
    assert ex.check("make_leaf", define(SOLUTIONS["make_leaf"]), hint=True).hint is None


def test_feedback_shows_as_text_and_markdown():
    verdict = ex.Feedback(False, "nope", "try this")
    assert not verdict
    assert str(verdict) == "✗ Not yet: nope\nHint: try this"
    assert str(ex.Feedback(True, "yes")) == "✓ Correct: yes"


def test_verdicts_read_in_words_and_colour_without_an_emoji_font():
    """Issue 10 item 7: no emoji carries meaning; the word and the colour say pass or fail."""
    bad, good = ex.Feedback(False, "nope", "try `this`")._repr_html_(), ex.Feedback(True, "yes")._repr_html_()
    for page in (bad, good):
        assert not any(ch in page for ch in "✅❌💡")
    assert "Not yet:" in bad and "#b42318" in bad and "alab-verdict-fail" in bad and "<code>this</code>" in bad
    assert "Correct:" in good and "#1a7f37" in good and "alab-verdict-pass" in good
    assert not hasattr(ex.Feedback, "_repr_markdown_"), "one rendering: HTML with words and colour"


# --- Predict ------------------------------------------------------------------------------

class FakePlayer:
    def __init__(self):
        self.seeks = []

    def seek(self, i):
        self.seeks.append(i)


def test_predict_a_number():
    player = FakePlayer()
    p = ex.Predict("w.grad after the second backward?", answer=6, player=player, reveal=12,
                   wrong={"3": "3 is one backward's worth."}, explain="3 + 3.")
    assert player.seeks == [11], "the player waits one frame before the step"
    assert "Type your prediction" in p.submit("")
    assert "cannot read 'lots'" in p.submit("lots") and p.attempts == 0
    text = p.submit("3")
    assert text.startswith("✗") and "one backward's worth" in text and player.seeks == [11]
    assert "Show me" in p.submit("4")
    assert p.submit("tensor(6.)").startswith("✓ Right! 3 + 3.")
    assert p.solved and player.seeks == [11, 12]


def test_predict_yes_or_no_and_giving_up():
    player = FakePlayer()
    p = ex.Predict("Does it raise?", answer=True, choices=["yes, it raises", "no, it runs"],
                   player=player, reveal=5, before=2, hint="Look at the release frame.")
    assert player.seeks == [2]
    assert p.submit("no, it runs").startswith("✗")
    assert p.hint() == "Hint: Look at the release frame."
    assert p.give_up().startswith("The answer: yes, it raises")
    assert p.revealed and player.seeks == [2, 5]
    assert "answer was shown" in p.submit("no")


def test_predict_a_name():
    p = ex.Predict("Which node first?", answer="AddBackward0")
    assert p.submit("<AddBackward0 object at 0x7f00>").startswith("✓")
    assert ex.Predict("?", answer="MulBackward0").submit("AddBackward0").startswith("✗")


def test_predict_reveal_by_event():
    with torch.trace() as t:
        w = torch.tensor(2.0, requires_grad=True)
        for _ in range(2):
            (w * 3).backward()
    second = [e.index for e in t.events if e.kind == "accumulate"][1]
    assert ex.event_index(t, "accumulate", "w", 2) == second
    assert ex.event_index(t, "node", "MulBackward0") < second
    with pytest.raises(LookupError, match="has 2 accumulate event"):
        ex.event_index(t, "accumulate", "w", 3)
    player = FakePlayer()
    p = ex.Predict("?", answer=6, trace=t, player=player, reveal=("accumulate", "w", 2))
    assert p.reveal == second and player.seeks == [second - 1], "MulBackward0 sends 3, not the answer 6"
    p.submit("6")
    assert player.seeks[-1] == second
    with pytest.raises(TypeError, match="trace=t"):
        ex.Predict("?", answer=6, player=player, reveal=("accumulate", "w", 2))


def test_predict_shows_a_player_of_the_trace_at_the_revealing_step():
    pytest.importorskip("ipywidgets")
    with torch.trace() as t:
        w = torch.tensor(2.0, requires_grad=True)
        for _ in range(2):
            (w * 3).backward()
    p = ex.Predict("w.grad after the second backward?", answer=6, trace=t, reveal=("accumulate", "w", 2))
    player = p.player
    assert "alab-player" in player._dom_classes and p.widget.children[-1] is player
    assert p.reveal == player.frame_of_event(ex.event_index(t, "accumulate", "w", 2))
    assert player.index == p.reveal - 1
    p.submit("6")
    assert player.index == p.reveal


def test_predict_widget_buttons():
    pytest.importorskip("ipywidgets")
    player_box = pytest.importorskip("ipywidgets").VBox()
    player_box.seek = lambda i: None
    p = ex.Predict("w.grad?", answer=3, player=player_box, reveal=1)
    box = p.widget
    assert "alab-predict" in box._dom_classes and box.children[-1] is player_box
    row = box.children[1]
    text, check, hint_button, show = row.children
    text.value = "2"
    assert p.feedback.startswith("✗"), "typing Enter checks"
    hint_button.click()
    assert p.feedback.startswith("No hint")
    text.value = "3"  # the box sends its value as it loses focus, then the click arrives
    assert p.feedback.startswith("✓ Right")
    check.click()
    assert p.feedback.startswith("✓ Right") and "✓" in box.children[2].value, "checked once"
    assert "application/vnd.jupyter.widget-view+json" in p._repr_mimebundle_()


def test_predict_dropdown():
    pytest.importorskip("ipywidgets")
    p = ex.Predict("Leaf?", answer="False", choices=["True", "False"])
    dropdown, check, _, show = p.widget.children[1].children
    dropdown.value = "True"
    check.click()
    assert p.feedback.startswith("✗")
    show.click()
    assert p.feedback.startswith("The answer: False")


# --- same_in_pytorch ------------------------------------------------------------------------

SNIPPET = """\
w = torch.tensor(2.0, requires_grad=True)
z = w * 3
print(z.grad_fn)
z.backward()
print(w.grad)
"""


def test_parity_without_pytorch_says_so_and_passes():
    result = ex.same_in_pytorch(SNIPPET, torch_module="no_such_torch_module")
    assert result.ok and result.skipped
    assert "not installed" in str(result) and "not installed" in result._repr_html_()
    assert result.ours == [result.ours[0], "tensor(3.)"] and result.ours[0].startswith("<MulBackward0 object at 0x")


def test_parity_with_pytorch():
    real = require_torch()
    result = ex.same_in_pytorch(SNIPPET)
    assert result.ok, str(result)
    assert result.torch_version == real.__version__.split("+")[0]
    assert str(result).startswith("✓ All 2 printed lines")


def test_parity_offers_the_real_torch_player_below_the_table(monkeypatch):
    require_torch()
    from IPython.core.interactiveshell import InteractiveShell
    from autograd_lab.view.player import Player
    result = ex.same_in_pytorch(SNIPPET)
    table = result._repr_html_()
    p = result.player()
    assert isinstance(p, Player) and result.player() is p
    t = result.trace()
    assert [e.kind for e in t.events if e.kind in ("node", "accumulate")] == ["node", "accumulate"]
    assert [e.name for e in t.events if e.kind == "node"] == ["MulBackward0"]
    assert {"w", "z"} <= set(t.names.values())
    shell = InteractiveShell.instance()
    shown = []
    monkeypatch.setattr(shell.display_pub, "publish", lambda data, **kw: shown.append(data))
    from IPython.display import display
    display(result)
    assert shown[0]["text/html"] == table and shown[0]["text/plain"] == str(result)  # the table first, as it was
    # then the player, folded under "Watch it in real PyTorch": a <details> that opens and closes in the page
    assert len(shown) == 2 and shown[1]["application/vnd.jupyter.widget-view+json"]["model_id"] == p.model_id
    assert p.summary == f"Watch it in real PyTorch {result.torch_version}: the same lines, recorded from torch itself."
    assert p.expanded is False and 'createElement("details")' in p._esm and "<summary" not in result._repr_html_()
    assert result._repr_html_() == table and str(result).startswith("✓ All 2 printed lines")


def test_watch_it_in_real_pytorch_is_said_in_the_players_language():
    require_torch()
    from autograd_lab import narration
    before = narration.get_language()
    narration.set_language("zh")
    try:
        p = ex.same_in_pytorch(SNIPPET).player()
    finally:
        narration.set_language(before)
    assert p.summary.startswith("在真正的 PyTorch ") and p.graph.lang == "zh"
    assert p._scene["words"]["next"] != "next ▶"   # the player inside speaks Chinese too


def test_parity_without_pytorch_or_with_another_module_shows_no_player(monkeypatch):
    for module in ("no_such_torch_module", "autograd_lab"):
        result = ex.same_in_pytorch(SNIPPET, torch_module=module)
        assert result.player() is None and result.trace() is None
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    shell = InteractiveShell.instance()
    shown = []
    monkeypatch.setattr(shell.display_pub, "publish", lambda data, **kw: shown.append(data))
    display(ex.same_in_pytorch(SNIPPET, torch_module="no_such_torch_module"))
    assert len(shown) == 1 and "not installed" in shown[0]["text/html"]


def test_parity_shows_differences():
    fake = types.ModuleType("fake_torch_for_parity")
    fake.tensor = lambda value, requires_grad=False: value
    sys.modules[fake.__name__] = fake
    try:
        result = ex.same_in_pytorch("w = torch.tensor(2.0)\nprint(w)\nprint('same')", torch_module=fake.__name__)
    finally:
        del sys.modules[fake.__name__]
    assert not result.ok
    assert [same for _, _, same in result.rows] == [False, True]
    assert str(result).startswith("✗ 1 of 2 printed lines differ")
    assert "✗" in result._repr_html_()


def test_parity_compares_errors_too():
    result = ex.same_in_pytorch("w = torch.tensor(2.0)\n(w * 2).backward()", torch_module="autograd_lab")
    assert result.ok
    assert result.ours == ["RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn"]


# --- cells run out of order -------------------------------------------------------------------

def test_name_error_handler_gives_a_short_explanation():
    shown = []

    class Shell:
        def _showtraceback(self, etype, value, stb):
            shown.append(stb)
    try:
        undefined_in_this_test  # noqa: B018, F821
    except NameError as exc:
        assert ex._name_error_handler(Shell(), NameError, exc, exc.__traceback__) is None
    (stb,) = shown
    assert stb[0] == "NameError: name 'undefined_in_this_test' is not defined"
    assert "Run All Above Selected Cell" in stb[1]


def test_start_lesson_outside_ipython_does_nothing():
    ex.start_lesson()


def test_importing_autograd_lab_does_not_import_the_exercises_or_widgets():
    import subprocess
    code = ("import sys, autograd_lab; "
            "print(any(m in sys.modules for m in ('autograd_lab.lessons.exercises', 'ipywidgets')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    code = "import sys, autograd_lab.lessons.exercises; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- issue 10: what a first-time student trips over ------------------------------------------

HOOK_LESSON = PREAMBLE + "y = w * x\nh = y.register_hook(lambda g: g * 2)\nz = y + b\nz.backward()\n"


def test_predict_player_waits_before_anything_shows_the_answer():
    """Item 2: lesson 07's picture showed "6." on the edge into w's AccumulateGrad before the answer."""
    pytest.importorskip("ipywidgets")
    namespace = {"torch": torch}
    exec("with torch.trace() as t:\n" + textwrap.indent(HOOK_LESSON, "    "), namespace)
    t = namespace["t"]
    p = ex.Predict("What is w.grad?", answer=6, trace=t, reveal=("accumulate", "w"))
    state = p.player._state
    six = re.compile(r"(?<![\d.])6\.?(?![\d])")  # 6 as a sentence writes it, or PyTorch's 6.
    shown = [step.text for step in state.graph.steps[:state.index + 1]]
    assert not any(six.search(text) and ("sends" in text or "w.grad" in text) for text in shown), shown[-1]
    assert not six.search(state.narration) and not six.search(p.feedback)
    assert state.index < p.player.frame_of_event(ex.event_index(t, "node", "MulBackward0"))
    p.submit("6")
    assert state.index == p.reveal and six.search(state.narration)


def test_predict_of_which_node_runs_next_starts_at_the_step_the_question_names():
    """A question that is not a number ("AddBackward0 has just run; which node runs next?"): the
    player waits on the frame before the revealing step, where AddBackward0 has run (lesson 05)."""
    pytest.importorskip("ipywidgets")
    namespace = {"torch": torch}
    exec("with torch.trace() as t:\n" + textwrap.indent(PREAMBLE + "y = w * x\nz = y + b\nz.backward()\n", "    "),
         namespace)  # (the trace block is the code that names w, x and b, as in a notebook cell)
    t = namespace["t"]
    p = ex.Predict("AddBackward0 has just run. Which node runs next?", answer="AccumulateGrad of b",
                   choices=["MulBackward0", "AccumulateGrad of b"], trace=t, reveal=("accumulate", "b"))
    assert p.player.index == p.reveal - 1 and "AddBackward0 runs" in p.player._state.narration


def test_check_after_hint_gives_a_verdict_again():
    """Item 3: type 3, Enter (wrong), Hint, Check -> a verdict, every time."""
    pytest.importorskip("ipywidgets")
    p = ex.Predict("w.grad?", answer=6, hint="Two backward calls.")
    text, check, hint_button, _ = p.widget.children[1].children
    text.value = "3"
    assert p.feedback.startswith("✗") and p.attempts == 1
    hint_button.click()
    assert p.feedback == "Hint: Two backward calls."
    check.click()
    assert p.feedback.startswith("✗ Not quite") and p.ok is False and p.attempts == 1
    assert "alab-predict-verdict-fail" in p.widget.children[2].value
    for _ in range(2):
        check.click()
        assert p.feedback.startswith("✗ Not quite")


SGD_LOOP = """\
xs = torch.tensor([0.0, 1.0, 2.0, 3.0])
ys = 2 * xs + 1
w = torch.tensor(0.0, requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)
optimizer = torch.optim.SGD([w, b], lr=0.05)
losses = []
for step in range(300):
{body}
return losses
"""


# --- the lessons' Predict questions: answers kept out of the notebooks, no leak, real hints ---

from autograd_lab.lessons import questions as _questions  # noqa: E402

LESSON_TRACES = {  # the trace each lesson's Predict cell records (the notebooks' own lines)
    "01.x_grad": "w = torch.tensor(2.0, requires_grad=True)\nx = torch.tensor(3.0)\ny = w * x\ny.backward()\n",
    "03.y_is_leaf": PREAMBLE + "y = w * x\nz = y + b\n",
    "04.first_node": PREAMBLE + "y = w * x\nz = y + b\nz.backward()\n",
    "05.next_node": PREAMBLE + "y = w * x\nz = y + b\nz.backward()\n",
    "05.mul_sends": PREAMBLE + "y = w * x\nz = y + b\nz.backward()\n",
    "05.twice": PREAMBLE + "y = w * x\nz = y + b\nz.backward()\n" * 2,
    "06.second_backward": PREAMBLE + "y = w * x\nz = y + b\nz.backward()\nz.backward()\n",
    "09.inplace": "a = torch.tensor(1.0, requires_grad=True)\nc = a.exp()\nc.mul_(3)\nc.backward()\n",
    "07.hook": HOOK_LESSON,
    "ex01.how_many": PREAMBLE + "y = w * x\nz = y + b\nz.backward()\n",
}


def _lesson_trace(qid):
    namespace = {"torch": torch}
    exec("with torch.trace(catch_errors=True) as t:\n" + textwrap.indent(LESSON_TRACES[qid], "    "), namespace)
    return namespace["t"]


def _right_answer(p):
    if isinstance(p.answer, bool):
        return p.choices[0 if p.answer else 1]
    return str(p.answer)


def test_every_lesson_question_is_in_the_bank():
    assert sorted(LESSON_TRACES) == sorted(_questions.QUESTIONS)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("qid", sorted(_questions.QUESTIONS))
def test_a_lesson_question_named_by_its_id_asks_checks_and_hints(qid, lang):
    pytest.importorskip("ipywidgets")
    p = ex.Predict(qid, trace=_lesson_trace(qid), lang=lang)
    assert p.id == qid and p.question == torch.narration.say(f"predict.{qid}.question", lang)
    if p.choices and not isinstance(p.answer, bool):
        assert p.answer in p.choices
    hint = p.hint()
    assert hint != torch.narration.say("lessons.predict.hint", lang, hint="") and "No hint" not in hint
    assert hint != torch.narration.say("lessons.predict.no_hint", lang)
    told = {str(p.answer), f"{p.answer}".lower()} if not isinstance(p.answer, bool) else {"RuntimeError", "raises", "报错"}
    if _questions.QUESTIONS[qid].answer in ("true", "false"):
        told |= {"not a leaf", "不是叶子"}
    assert not any(re.search(rf"(?<![\w.]){re.escape(a)}(?![\w])", p.hint_text) for a in told), (qid, p.hint_text)
    for wrong in _questions.QUESTIONS[qid].wrong:  # every tempting wrong answer gets its sentence
        typed = torch.narration.say(f"predict.{qid}.choice.{wrong}", lang) if p.choices and wrong in \
            _questions.QUESTIONS[qid].choices else wrong
        assert torch.narration.say(f"predict.{qid}.wrong.{wrong}", lang) in p.submit(typed)
    assert p.submit(_right_answer(p)).startswith("✓") and p.explain in p.feedback
    assert p.player.index == p.reveal


@pytest.mark.parametrize("lang, rule", [("en", "By the chain rule: to w: grad · x = 1 · 3 = 3."),
                                        ("zh", "按链式法则：给 w：grad · x = 1 · 3 = 3。")])
def test_what_mul_sends_to_w_is_revealed_with_its_formula(lang, rule):
    """Lesson 5's chain-rule question: the revealed step is MulBackward0's, whose narration writes
    the formula with the numbers; before the answer the player holds no step that says it."""
    pytest.importorskip("ipywidgets")
    p = ex.Predict("05.mul_sends", trace=_lesson_trace("05.mul_sends"), lang=lang)
    assert not any("grad · x" in s["text"] for s in p.player.scene["steps"])
    p.submit("3")
    assert p.ok and p.player.scene["steps"][p.reveal]["text"].endswith(rule)


def test_the_teachers_answer_sheet_is_the_bank():
    sheet = (ROOT / "solutions" / "predict_answers.md").read_text(encoding="utf-8")
    assert sheet == _questions.answer_sheet("en") + "\n" + _questions.answer_sheet("zh"), (
        "regenerate it: python -m autograd_lab.lessons.questions > solutions/predict_answers.md")


@pytest.mark.parametrize("qid", sorted(_questions.QUESTIONS))
def test_a_predicts_player_cannot_go_past_the_question_before_it_is_answered(qid):
    """Lesson 6's jump menu offered "error (line 8: z.backward())" under "does it raise?"; next,
    the slider and the keys stepped on to the answer. The page now holds no step past the question."""
    pytest.importorskip("ipywidgets")
    t = _lesson_trace(qid)
    p = ex.Predict(qid, trace=t)
    player, before = p.player, p.before
    whole = torch.Player(t)
    assert before < p.reveal <= whole.n_frames - 1
    scene = player.scene
    assert len(scene["steps"]) == before + 1 and all(i <= before for _, i in scene["jumps"])
    shown = {s.text for s in whole.graph.steps[:before + 1]}
    later = [s.text for s in whole.graph.steps[before + 1:] if s.text not in shown]
    page = json.dumps(scene, ensure_ascii=False)
    assert later and not [text for text in later if json.dumps(text, ensure_ascii=False)[1:-1] in page]
    # the scene's nodes are the whole graph's: drawn faintly ahead of their step they would show what comes
    # after the question (a grad_fn box, an error), so the player draws no faint preview until it is answered
    assert scene["preview"] is False
    assert player.step() == before and player.index == before, "next stops at the question"
    assert player.seek(-1) == before and player.seek(before + 3) == before, "so do the slider and the end key"
    whole.seek(before)
    assert player.narration == whole.narration, "the Python side says the question's step too"
    p.give_up()
    assert player.scene["steps"] == whole.scene["steps"] and player.scene["jumps"] == whole.scene["jumps"]
    assert "preview" not in player.scene, "answered: the whole graph is previewed as in any player"
    assert player.index == p.reveal and player.step() == min(p.reveal + 1, whole.n_frames - 1)


def test_the_raise_question_offers_no_error_jump_until_answered():
    pytest.importorskip("ipywidgets")
    p = ex.Predict("06.second_backward", trace=_lesson_trace("06.second_backward"))
    labels = [label for label, _ in p.player.scene["jumps"]]
    assert labels and not any("error" in label for label in labels), labels
    p.submit(p.choices[0])
    assert any("error" in label for label, _ in p.player.scene["jumps"])


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("answer", [6, 3, 2, 0.5])
def test_empty_input_to_a_number_question_gives_no_example_number(answer, lang):
    """"Type one number, like 3 or 6.0" on a question whose answer is 6 told it."""
    p = ex.Predict("w.grad?", answer=answer, lang=lang)
    for text in (p.submit(""), p.submit("lots")):
        assert text and not re.search(r"\d", text.replace("'lots'", "")), text


def test_a_name_question_gives_no_example_name():
    for answer in ("MulBackward0", "AddBackward0"):
        assert "Backward" not in ex.Predict("Which node?", answer=answer).submit("")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_enter_in_an_empty_text_box_gives_feedback(lang):
    """Enter in the empty box changed no value, so nothing answered (seen in a zh text Predict)."""
    pytest.importorskip("ipywidgets")
    p = ex.Predict("05.twice", trace=_lesson_trace("05.twice"), lang=lang)
    text = p.widget.children[1].children[0]
    text._handle_string_msg(None, {"event": "submit"}, [])  # what the page sends on Enter
    assert p.feedback == torch.narration.say("lessons.predict.empty", lang,
                                             what=torch.narration.say("lessons.predict.type_number", lang))
    assert p.widget.children[2].value and p.attempts == 0
    text.value = "3"
    text._handle_string_msg(None, {"event": "submit"}, [])
    assert p.feedback.startswith("✗") and p.attempts == 1, "Enter on a typed answer is checked once"


def _sgd(*lines):
    return answer_from(SGD_LOOP.format(body=textwrap.indent("\n".join(lines), "    ")))


def test_train_with_sgd_zero_grad_after_step_passes():
    verdict = ex.check("train_with_sgd", _sgd("loss = ((w * xs + b - ys) ** 2).mean()", "loss.backward()",
                                              "optimizer.step()", "optimizer.zero_grad()", "losses.append(loss.item())"))
    assert verdict.ok, verdict.message


def test_train_with_sgd_zero_grad_between_backward_and_step_is_named():
    """Item 6: it was told to "call backward() and then optimizer.step()", which it does. In PyTorch
    2.13 this loop learns nothing (zero_grad sets .grad to None; step skips the parameters), so the
    feedback names the real cause."""
    verdict = ex.check("train_with_sgd", _sgd("loss = ((w * xs + b - ys) ** 2).mean()", "loss.backward()",
                                              "optimizer.zero_grad()", "optimizer.step()", "losses.append(loss.item())"))
    assert not verdict.ok
    assert "between backward() and step()" in verdict.message
    assert "Does every step call backward() and then optimizer.step()" not in verdict.message


def test_train_with_sgd_same_loop_in_pytorch_learns_nothing():
    real = require_torch()
    xs = real.tensor([0.0, 1.0, 2.0, 3.0])
    w, b = real.tensor(0.0, requires_grad=True), real.tensor(0.0, requires_grad=True)
    optimizer = real.optim.SGD([w, b], lr=0.05)
    for _ in range(20):
        ((w * xs + b - (2 * xs + 1)) ** 2).mean().backward()
        optimizer.zero_grad()
        optimizer.step()
    assert (w.item(), b.item()) == (0.0, 0.0)


def test_train_with_sgd_tensors_in_the_list_fail():
    """Item 6: `losses.append(loss)` passed although the task asks for numbers."""
    verdict = ex.check("train_with_sgd", _sgd("optimizer.zero_grad()", "loss = ((w * xs + b - ys) ** 2).mean()",
                                              "loss.backward()", "optimizer.step()", "losses.append(loss)"))
    assert not verdict.ok and "loss.item()" in verdict.message and "tensors" in verdict.message


def test_double_with_hook_grad_set_by_hand_is_told_what_it_did():
    """Item 6: `w.grad = w.grad * 2` was told that "the formula or the number of backward calls changed"."""
    verdict = ex.check("double_with_hook", answer_from(PREAMBLE + "y = w * x\nz = y + b\nz.backward()\n"
                                                                  "w.grad = w.grad * 2\nreturn w"))
    assert not verdict.ok
    assert "backward() left 3" in verdict.message and "set afterwards" in verdict.message
    assert "formula" not in verdict.message


def test_no_grad_feedback_says_grad_mode_was_off():
    """Item 14: under no_grad, w requires grad; the reason is that grad mode is off."""
    verdict = ex.check("make_leaf", answer_from(
        "w = torch.tensor(2.0, requires_grad=True)\nwith torch.no_grad():\n    z = w * 3\nz.backward()\nreturn w"))
    assert "grad mode was off" in verdict.message and "nothing it was computed from" not in verdict.message
    plain = ex.check("make_leaf", answer_from("z = torch.tensor(3.0)\nz.backward()\nreturn z"))
    assert "nothing it was computed from has requires_grad=True" in plain.message


def test_unused_input_feedback_matches_pytorch_message():
    """Item 14: the feedback keyed to "One of the differentiated Tensors appears to not have been used"
    never matched PyTorch 2.13's "The differentiated Tensor at index 1 appears to not have been used"."""
    real = require_torch()
    w, x = real.tensor(2.0, requires_grad=True), real.tensor(3.0, requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        real.autograd.grad(w * 2, [w, x])
    message = str(info.value)
    run = ex.Run(error=RuntimeError(message))
    assert "was not used to compute the output" in ex.explain_error(run)


def test_first_cell_skipped_gets_its_own_note_without_backticks():
    """Item 11: `name 'torch' is not defined` means the first cell did not run; plain text, no backticks."""
    shown = []

    class Shell:
        def _showtraceback(self, etype, value, stb):
            shown.append(stb)
    for name in ("torch", "lab", "w"):
        ex._name_error_handler(Shell(), NameError, NameError(f"name '{name}' is not defined", name=name), None)
    (torch_note, lab_note, w_note) = [stb[1] for stb in shown]
    assert "first cell" in torch_note and "import autograd_lab as torch" in torch_note
    assert "import autograd_lab as lab" in lab_note
    assert "Run All Above Selected Cell" in w_note
    assert not any("`" in line for stb in shown for line in stb)


# --- the catalogue: every message the lessons and the playground name exists ---------------

def test_every_lessons_and_playground_message_id_is_in_the_catalogue():
    import re as _re

    from autograd_lab.narration import en
    from autograd_lab.playground import _RULES
    from autograd_lab.playground.check import _CONSTRUCTS
    package = ROOT / "autograd_lab"
    used = set()
    for path in list((package / "lessons").glob("*.py")) + list((package / "playground").glob("*.py")):
        used |= set(_re.findall(r"""["']((?:lessons|playground)\.[a-z_]+(?:\.[A-Za-z_ ]+)*)["']""", path.read_text()))
    used |= {f"lessons.{name}.{part}" for name in ex.EXERCISES for part in ("title", "task", "hint", "returns")}
    used |= {f"playground.construct.{kind}" for kind in _CONSTRUCTS}
    used |= {f"playground.kind.{kind}" for kind in _RULES}
    assert len(used) > 150
    missing = sorted(used - set(en.MESSAGES))
    assert not missing, missing
    for name in ex.EXERCISES:
        assert ex.EXERCISES[name].title and ex.EXERCISES[name].task


def test_first_cell_skipped_in_a_fresh_kernel_gets_the_note(tmp_path):
    """Item 11: with the first cell skipped, start_lesson() never ran; the startup file that Binder
    installs catches it. A real IPython, a fresh profile: 'torch' gets the note, others do not."""
    import os
    import subprocess
    pytest.importorskip("IPython")
    from autograd_lab.lessons.order import install_startup
    path = install_startup(tmp_path)
    assert path.parent == tmp_path / "profile_default" / "startup"
    env = dict(os.environ, IPYTHONDIR=str(tmp_path))

    def ipython(cell):
        code = f"from IPython import start_ipython; start_ipython(argv=['--no-banner', '-c', {cell!r}])"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
        return out.stdout + out.stderr
    first = ipython("x = torch.tensor(1.0)")
    assert "NameError" in first and "first cell of an autograd_lab lesson" in first, first
    assert "import autograd_lab as torch" in first
    other = ipython("print(undefined_name)")
    assert "NameError" in other and "first cell" not in other
