"""The event kinds' table (record/kinds.py) against the code: every kind has a state handler, its
sentences in every narration catalogue, a visible step in the scene the front end draws, and real
torch emits it on the same lines as the core (or a written difference says why it cannot).

Adding a kind means adding a row to ``record/kinds.py`` and an example to ``EXAMPLES`` below; then
these tests say what is still missing (docs/architecture.md, "Adding an event kind").
"""
from __future__ import annotations

import linecache
import re

import pytest
import torch

import autograd_lab as lab
from autograd_lab import narration
from autograd_lab.record.kinds import DIFFERENCES, KINDS
from autograd_lab.record.layout import EVENT_TYPES
from autograd_lab.view.graph import build
from autograd_lab.view.scene import scene
from autograd_lab.view.states import States

# One short program per kind that makes (at least) one event of that kind, written against ``m``:
# autograd_lab or torch.
EXAMPLES = {
    "tensor": "w = m.tensor(2.0, requires_grad=True)\n",
    "op": "w = m.tensor(2.0, requires_grad=True)\ny = w * 3\n",
    "backward": "w = m.tensor(2.0, requires_grad=True)\ny = w * w\ny.backward()\n",
    "node": "w = m.tensor(2.0, requires_grad=True)\ny = w * w\ny.backward()\n",
    "accumulate": "w = m.tensor(2.0, requires_grad=True)\ny = w * 3\ny.backward()\n",
    "hook": "w = m.tensor(2.0, requires_grad=True)\nh = w.register_hook(lambda g: g * 2)\n(w * 3).backward()\n",
    "release": "w = m.tensor(2.0, requires_grad=True)\ny = w * w\ny.backward()\n",
    "done": "w = m.tensor(2.0, requires_grad=True)\ny = w * 3\ny.backward()\n",
    "error": "w = m.tensor(2.0, requires_grad=True)\ny = w * w\ny.backward()\ny.backward()\n",
    "zero": "w = m.tensor(2.0, requires_grad=True)\n(w * 3).backward()\nw.grad.zero_()\n",
    "update": ("w = m.tensor(2.0, requires_grad=True)\nopt = m.optim.SGD([w], lr=0.1)\n(w * 3).backward()\n"
               "opt.step()\n"),
    "set_grad": "w = m.tensor(2.0, requires_grad=True)\nw.grad = m.tensor(1.0)\nw.grad = None\n",
}


def run(kind: str, m):
    """The trace of ``EXAMPLES[kind]`` run with module ``m`` (its lines readable, as a file's)."""
    src, name = EXAMPLES[kind], f"<example of {kind}>"
    linecache.cache[name] = (len(src), None, src.splitlines(True), name)
    ns = {"m": m}
    with lab.trace(catch_errors=True, namespace=ns) as t:
        exec(compile(src, name, "exec"), ns)
    return t


def kinds_missing_in_torch(kind: str) -> set:
    """The kinds the core emits on ``EXAMPLES[kind]`` that real torch does not, written differences aside."""
    core = {e.kind for e in run(kind, lab).events}
    real = {e.kind for e in run(kind, torch).events}
    return core - real - set(DIFFERENCES)


def test_every_kind_has_a_type_an_example_and_a_state_handler():
    assert set(EVENT_TYPES) == set(KINDS) == set(EXAMPLES)
    assert [k for k in KINDS if not callable(getattr(States, "on_" + k, None))] == []


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_example_makes_its_kind(kind):
    assert kind in {e.kind for e in run(kind, lab).events}


@pytest.mark.parametrize("lang", narration.LANGUAGES)
def test_every_kinds_sentences_and_jump_labels_are_in_every_catalogue(lang):
    messages = narration.catalogue(lang).MESSAGES
    missing = [(k.kind, i) for k in KINDS.values() for i in k.narration + k.jump if i not in messages]
    assert missing == []
    assert all(k.narration for k in KINDS.values())  # every kind's step says something


def _template(msg_id: str, lang: str) -> re.Pattern:
    """A catalogue's jump label as a pattern (its parameters: anything)."""
    text = narration.catalogue(lang).MESSAGES[msg_id]
    return re.compile("".join(".*" if p.startswith("{") else re.escape(p) for p in re.split(r"(\{\w+\})", text)))


@pytest.mark.parametrize("lang", narration.LANGUAGES)
@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_is_a_step_of_the_scene_with_its_own_sentence_and_jump(kind, lang):
    """What the front end draws (view/scene.py): the kind's steps are sent, each changing what is drawn,
    saying one of the kind's sentences; a jump at such a step is one of the kind's jump labels."""
    t = run(kind, lab)
    g = build(t, lang=lang)
    sc = scene(g, t, lang=lang)
    assert len(sc["steps"]) == len(g.steps)
    mine = [s for s in g.steps if s.kind == kind]
    assert mine, f"no step of kind {kind!r}"
    row = KINDS[kind]
    for s in mine:
        sent = sc["steps"][s.index]
        assert s.message.id in row.narration, (kind, s.message.id)
        assert s.text in sent.values()
        assert s.changes and any(isinstance(v, dict) and v for v in sent.values()), (kind, sent)
    at = {s.index for s in mine}
    for label, i in sc["jumps"]:
        if i in at:
            assert any(_template(j, lang).match(label) for j in row.jump), (kind, label)


def test_the_new_kind_is_a_jump_of_its_own():
    t = run("set_grad", lab)
    g = build(t, lang="en")
    assert [label for label, i in g.jumps if g.steps[i].kind == "set_grad"] == [
        "w.grad = … (line 2: w.grad = m.tensor(1.0))", "w.grad = … (line 3: w.grad = None)"]


@pytest.mark.parametrize("kind", list(KINDS))
def test_real_torch_emits_every_kind_the_core_emits(kind):
    assert kinds_missing_in_torch(kind) == set()


def test_every_kind_has_a_torch_emitter_or_a_written_difference():
    assert [k.kind for k in KINDS.values() if bool(k.torch) == bool(k.difference)] == []
    assert all(reason.strip() for reason in DIFFERENCES.values())


def test_a_kind_the_torch_recorder_never_emits_fails_the_check(monkeypatch):
    """The failure this table is for: the core gets a new kind, the torch recorder never emits it.
    (Here: the recorder made blind to ``w.grad = ...`` again.)"""
    from autograd_lab.record.torch.recorder import TorchRecorder
    seen = TorchRecorder.set_attr

    def blind(self, func, args, kwargs):
        if getattr(func.__self__, "__name__", "") == "grad":
            return func(*args, **kwargs)
        return seen(self, func, args, kwargs)
    monkeypatch.setattr(TorchRecorder, "set_attr", blind)
    assert kinds_missing_in_torch("set_grad") == {"set_grad"}
    monkeypatch.setitem(DIFFERENCES, "set_grad", "(a difference, written down)")
    assert kinds_missing_in_torch("set_grad") == set()
