"""Events -> graph state at step i (autograd_lab.view.graph): structure, states, narration, layout."""
from __future__ import annotations

import time

import pytest

import autograd_lab as lab
from autograd_lab.view import graph
from autograd_lab.narration import held, say
from autograd_lab.record.events import Trace
from tests.support.examples import classic, everything, lesson2_dag, regression


@pytest.fixture(scope="module")
def g():
    return graph.build(classic())


def tensor(g, name):
    return next(n for n in g.nodes.values() if n.kind == "tensor" and n.label == name)


def boxes(g, label):
    return [n for n in sorted(g.nodes.values(), key=lambda n: n.order) if n.label == label]


def edge(g, src, dst):
    found = [e for e in g.edges.values() if e.src == src.key and e.dst == dst.key]
    assert len(found) == 1, (src.key, dst.key, found)
    return found[0]


def acc_of(g, name):
    leaf = tensor(g, name)
    return next(n for n in g.nodes.values() if n.kind == "acc" and n.grad_fn == leaf.key)


def step_of(g, kind, nth=1):
    return [s for s in g.steps if s.kind == kind][nth - 1].index


# ---------------------------------------------------------------------------- structure
def test_nodes_are_tensors_and_pytorch_boxes(g):
    assert sorted(n.label for n in g.nodes.values() if n.kind == "tensor") == ["b", "w", "x", "y", "z"]
    assert [n.label for n in g.nodes.values() if n.kind == "op"] == ["MulBackward0", "AddBackward0"]
    assert [n.label for n in g.nodes.values() if n.kind == "acc"] == ["AccumulateGrad"] * 2
    assert {n.label for n in g.nodes.values() if n.kind == "acc" for n in [g.nodes[n.grad_fn]]} == {"w", "b"}
    assert tensor(g, "w").is_leaf and not tensor(g, "y").is_leaf
    assert tensor(g, "y").grad_fn == boxes(g, "MulBackward0")[0].key


def test_edges_follow_next_functions(g):
    mul, add = boxes(g, "MulBackward0")[0], boxes(g, "AddBackward0")[0]
    w, x, b, y, z = (tensor(g, n) for n in "wxbyz")
    # solid arrows are next_functions: grad_fn -> grad_fn, grad_fn -> AccumulateGrad (issue 11)
    assert edge(g, add, mul).kind == "grad"
    assert edge(g, add, acc_of(g, "b")).kind == "grad"
    assert edge(g, mul, acc_of(g, "w")).kind == "grad"
    assert sorted(e.kind for e in g.edges.values()) == ["attach"] * 4 + ["data"] + ["grad"] * 3
    # each tensor hangs off its grad_fn or its AccumulateGrad by a link that carries no gradient
    assert edge(g, add, z).kind == "attach" and edge(g, mul, y).kind == "attach"
    assert edge(g, acc_of(g, "w"), w).kind == "attach" and edge(g, acc_of(g, "b"), b).kind == "attach"
    # no gradient arrow touches a tensor
    assert not [e for e in g.edges.values()
                if e.kind == "grad" and "tensor" in (g.nodes[e.src].kind, g.nodes[e.dst].kind)]
    # x gets no gradient: (None, 0) in next_functions, a dashed data arrow, nothing into x
    assert edge(g, x, mul).kind == "data"
    assert not [e for e in g.edges.values() if e.dst == x.key]
    assert mul.saved == (("_saved_other", "x"),)


def test_a_value_used_twice_gets_two_arrows():
    g = graph.build(everything())
    a, a2 = tensor(g, "a"), tensor(g, "a2")
    add = g.nodes[a2.grad_fn]
    mul = g.nodes[tensor(g, "a3").grad_fn]
    assert len([e for e in g.edges.values() if e.src == mul.key and e.dst == add.key and e.kind == "grad"]) == 2
    assert len([e for e in g.edges.values() if e.src == add.key and e.dst == acc_of(g, "a").key]) == 2
    last = g.state_at(len(g) - 1)
    assert last[a.key].grad == "8."


# ---------------------------------------------------------------------------- states
def test_forward_nodes_appear_as_pytorch_builds_them(g):
    mul, add = boxes(g, "MulBackward0")[0], boxes(g, "AddBackward0")[0]
    first = g.state_at(0)
    assert first[tensor(g, "w").key].shown and not first[tensor(g, "x").key].shown
    before_mul = g.state_at(2)
    assert not before_mul[mul.key].shown and not before_mul[tensor(g, "y").key].shown
    at_mul = g.state_at(3)
    assert at_mul[mul.key].status == "new" and at_mul[tensor(g, "y").key].status == "new"
    assert at_mul[acc_of(g, "w").key].shown and not at_mul[acc_of(g, "b").key].shown
    assert at_mul[mul.key].info == "saved: x"
    assert not at_mul[add.key].shown
    at_add = g.state_at(4)
    assert at_add[add.key].shown and at_add[mul.key].status == "idle"
    assert at_add[edge(g, add, mul).key].shown


def test_backward_lights_nodes_and_moves_gradients(g):
    add, mul = boxes(g, "AddBackward0")[0], boxes(g, "MulBackward0")[0]
    start = step_of(g, "backward")
    s = g.state_at(start)
    z = tensor(g, "z")
    assert s[z.key].status == "active" and s[z.key].tag == "start: grad 1."
    assert s[edge(g, add, z).key] == graph.EdgeState(True, "active", "")  # a link, no gradient on it
    s = g.state_at(start + 1)  # AddBackward0 runs; z, the tensor it made, lights with it
    assert s[add.key].status == "running" and s[z.key].status == "active"
    # each arrow it sends on carries its chain rule (view/chain.py), in the student's names
    assert s[edge(g, add, mul).key] == graph.EdgeState(True, "active", "1.", "to y: grad = 1")
    assert s[edge(g, add, acc_of(g, "b")).key] == graph.EdgeState(True, "active", "1.", "to b: grad = 1")
    s = g.state_at(start + 2)  # and then it is done; the gradients it sent stay on their arrows
    assert s[add.key].status == "done"
    assert s[edge(g, add, mul).key].status == "passed"


def test_accumulate_shows_before_plus_added_equals_after(g):
    w, acc = tensor(g, "w"), acc_of(g, "w")
    first, second = step_of(g, "accumulate", 2), step_of(g, "accumulate", 4)
    s = g.state_at(first)
    assert s[acc.key].status == "running" and s[acc.key].info == "grad = 3."
    assert s[w.key].grad == "3."
    s = g.state_at(second)
    assert s[acc.key].info == "3. + 3. = 6." and s[w.key].grad == "6."


def test_release_and_the_error_step(g):
    mul = boxes(g, "MulBackward0")[0]
    release = step_of(g, "release")
    assert not g.state_at(release - 1)[mul.key].freed
    s = g.state_at(release)
    assert s[mul.key].freed and s[mul.key].info == "freed: x"
    last = g.state_at(len(g) - 1)
    assert last[mul.key].freed and last[mul.key].status == "error"
    assert g.steps[-1].kind == "error" and g.steps[-1].error and g.steps[-1].active == (mul.key,)


def test_hooks_retain_grad_zero_sgd_and_autograd_grad_have_their_own_steps():
    t = everything()
    g = graph.build(t)
    kinds = [s.kind for s in g.steps]
    for kind in ("hook", "zero", "update"):
        assert kind in kinds
    texts = [s.text for s in g.steps]
    y = tensor(g, "y")
    hook = next(s for s in g.steps if s.kind == "hook" and "registered on y" in s.text)
    assert hook.text == "The hook <lambda> registered on y runs: it receives 1 and returns 2, which replaces the gradient."
    assert g.state_at(hook.index)[y.key].tag == "hook: 1. → 2."
    retain = next(s for s in g.steps if s.kind == "hook" and "retain_grad" in s.text)
    assert g.state_at(retain.index)[y.key].grad == "2."
    assert "w.grad.zero_() sets w.grad to zero in place (6 → 0)" in " ".join(texts)
    assert any(s.startswith("autograd.grad starts at") for s in texts)
    assert ("autograd.grad finished: it returns 4 for w. No leaf's .grad changed (only tensors with retain_grad() get a "
            ".grad from it).") in texts
    assert any("The optimizer's step() updates w in place" in s for s in texts)
    assert "zero_grad() sets w.grad to None (it was 0): the next backward sets w.grad afresh." in texts
    # the arithmetic inside the hook and inside opt.step() is bookkeeping, not a step
    hidden = [e for e in t.events if e.kind == "op" and e.node is None]
    assert hidden and not {e.index for e in hidden} & {s.event for s in g.steps}
    assert [label.split(" (")[0] for label, _ in g.jumps] == [
        "forward pass", "backward #1", "w.grad.zero_()", "forward again", "autograd.grad #2", "optimizer.step()",
        "zero_grad()", "forward again", "backward #3"]


# ---------------------------------------------------------------------------- narration
EXPECTED = [
    "w is a leaf tensor (value 2) with requires_grad=True: backward() will compute the gradient with respect "
    "to w and store it in w.grad.",
    "x is a leaf tensor (value 3) that does not require grad: autograd will not compute a gradient for it.",
    "b is a leaf tensor (value 1) with requires_grad=True: backward() will compute the gradient with respect "
    "to b and store it in b.grad.",
    "y = w * x creates MulBackward0 (y.grad_fn); its next_functions lead to AccumulateGrad (for w) and None "
    "(for x). It saves x (_saved_other) for the backward pass.",
    "z = y + b creates AddBackward0 (z.grad_fn); its next_functions lead to MulBackward0 (for y) and "
    "AccumulateGrad (for b).",
    "backward() starts at z with gradient 1. retain_graph=True: the saved values are kept for another backward.",
    "AddBackward0 runs: it receives 1 and sends 1 to MulBackward0 (y.grad_fn) and 1 to AccumulateGrad (for b). "
    "By the chain rule: to y: grad = 1 and to b: grad = 1.",
    "AccumulateGrad sets b.grad to 1 (b.grad was None, so there is nothing to add to).",
    "MulBackward0 runs: it receives 1 and sends 3 to AccumulateGrad (for w) and nothing to x (it does not "
    "require grad). By the chain rule: to w: grad · x = 1 · 3 = 3.",
    "AccumulateGrad sets w.grad to 3 (w.grad was None, so there is nothing to add to).",
    "backward() finished: b.grad = 1 and w.grad = 3.",
    "backward() starts at z with gradient 1. Without retain_graph=True, each node frees its saved values once "
    "it has run.",
    "AddBackward0 runs: it receives 1 and sends 1 to MulBackward0 (y.grad_fn) and 1 to AccumulateGrad (for b). "
    "By the chain rule: to y: grad = 1 and to b: grad = 1.",
    "AccumulateGrad adds into b.grad: 1 + 1 = 2 (gradients accumulate: b.grad was not zeroed since the "
    "last backward).",
    "MulBackward0 runs: it receives 1 and sends 3 to AccumulateGrad (for w) and nothing to x (it does not "
    "require grad). By the chain rule: to w: grad · x = 1 · 3 = 3.",
    "MulBackward0 frees its saved values (_saved_other = x) because retain_graph is False: another backward that "
    "reaches MulBackward0 would fail (nodes that saved nothing can run again).",
    "AccumulateGrad adds into w.grad: 3 + 3 = 6 (gradients accumulate: w.grad was not zeroed since the "
    "last backward).",
    "backward() finished: b.grad = 2 and w.grad = 6.",
    "backward() starts at z with gradient 1. Without retain_graph=True, each node frees its saved values once "
    "it has run.",
    "AddBackward0 runs: it receives 1 and sends 1 to MulBackward0 (y.grad_fn) and 1 to AccumulateGrad (for b). "
    "By the chain rule: to y: grad = 1 and to b: grad = 1.",
    "AccumulateGrad adds into b.grad: 2 + 1 = 3 (gradients accumulate: b.grad was not zeroed since the "
    "last backward).",
]


def test_narration_of_the_classic_example(g):
    t = classic()
    texts = [s.text for s in g.steps]
    assert texts[:-1] == EXPECTED
    # why, on the graph (view/explain.py): the node, the earlier backward() that freed it, the fix; then PyTorch's
    # message, verbatim (tests/support/examples.py: line 31 makes y, line 36 is the loop's z.backward())
    assert texts[-1] == ("MulBackward0 (y.grad_fn), made at line 31: y = w * x, freed its saved tensors in the "
                         "earlier backward() at line 36: z.backward(); this backward() needs them again. Fix: keep "
                         "them in that call: "
                         f"z.backward(retain_graph=True). (RuntimeError: {t.error})")
    assert str(t.error).startswith("Trying to backward through the graph a second time")


def test_every_step_names_its_source_line(g):
    sources = [s.source for s in g.steps]
    assert all(s.startswith("line ") for s in sources)
    assert sources[0].endswith(": w = lab.tensor(2.0, requires_grad=True)")
    assert sources[3].endswith(": y = w * x")
    assert sources[5].endswith(": z.backward(retain_graph=True)")
    assert sources[-1].endswith(": z.backward()")
    lines = [int(s.split()[1].rstrip(":")) for s in sources]
    assert lines == sorted(lines)


def test_jumps_to_forward_and_each_backward(g):
    labels = [label.split(" (")[0] for label, _ in g.jumps]
    assert labels == ["forward pass", "backward #1", "backward #2", "backward #3", "error"]
    assert [i for _, i in g.jumps] == [0, 5, 11, 18, 21]
    assert g.jumps[1][0].endswith(": z.backward(retain_graph=True))")


def test_a_reloaded_trace_tells_the_same_story(g):
    again = graph.build(Trace.from_json(classic().to_json()))
    assert [s.text for s in again.steps] == [s.text for s in g.steps]


# ---------------------------------------------------------------------------- layout
def test_layout_is_layered_left_to_right(g):
    w, x, b, y, z = (tensor(g, n) for n in "wxbyz")
    mul, add = boxes(g, "MulBackward0")[0], boxes(g, "AddBackward0")[0]
    assert w.layer == 0
    assert w.x < acc_of(g, "w").x < mul.x < add.x < z.x
    # a tensor hangs right of its grad_fn, in the column of the node that next_functions links to it
    assert y.layer == add.layer == mul.layer + 1 and y.x == add.x
    # every node as far right as its users allow: x and b next to what uses them, no long edges
    assert x.layer == mul.layer - 1 and b.layer == acc_of(g, "b").layer - 1 == add.layer - 2
    assert g.width <= 840  # the example fits a JupyterLab output area with the file browser open
    for e in g.edges.values():  # the forward direction goes left to right
        tail, head = (e.dst, e.src) if e.kind == "grad" or (e.kind == "attach" and g.nodes[e.dst].is_leaf) \
            else (e.src, e.dst)
        assert g.nodes[tail].layer < g.nodes[head].layer, e
    assert all(e.points for e in g.edges.values())


def test_layout_is_deterministic_and_nodes_do_not_overlap():
    t = regression(4)
    g1, g2 = graph.build(t), graph.build(t)
    assert [(k, n.x, n.y) for k, n in g1.nodes.items()] == [(k, n.x, n.y) for k, n in g2.nodes.items()]
    nodes = list(g1.nodes.values())
    for i, a in enumerate(nodes):
        for c in nodes[i + 1:]:
            apart = abs(a.x - c.x) >= (a.w + c.w) / 2 or abs(a.y - c.y) >= (a.h + c.h) / 2 + 10
            assert apart, (a.key, c.key)
    assert 0 <= min(n.x - n.w / 2 for n in nodes) and max(n.x + n.w / 2 for n in nodes) <= g1.width
    assert 0 <= min(n.y - n.h / 2 for n in nodes) and max(n.y + n.h / 2 for n in nodes) <= g1.height


def test_state_at_is_the_same_stepping_or_jumping():
    g = graph.build(regression(6))
    state = dict(g.initial)
    for i, s in enumerate(g.steps):
        state.update(s.changes)
        if i % 17 == 0 or i == len(g) - 1:
            assert g.state_at(i) == state


# ---------------------------------------------------------------------------- bad input
def test_empty_trace_says_what_to_do():
    with lab.trace() as t:
        pass
    g = graph.build(t)
    assert len(g) == 0 and g.notice == say("player.notice.empty") and g.state_at(0) == {}


def test_constants_only_trace_explains_there_is_no_graph():
    with lab.trace() as t:
        a = lab.tensor(2.0)
        c = a * 5  # noqa: F841
    g = graph.build(t)
    assert [n.kind for n in g.nodes.values()] == ["tensor", "const", "tensor"]
    assert g.notice == say("player.notice.no_graph")
    assert g.steps[-1].text == "c = a * 5 computes c = 10 without recording a graph: none of its inputs " \
                               "requires grad, so c has no grad_fn."


def test_huge_trace_is_cut_to_its_last_steps_quickly():
    t = regression(400)  # about 4400 graph nodes
    start = time.perf_counter()
    g = graph.build(t, max_nodes=200)
    assert time.perf_counter() - start < 10
    assert 0 < len(g.nodes) <= 200 and "This trace is large" in g.notice
    assert g.steps[-1].kind == "done"
    state = g.state_at(0)
    assert set(state) == set(g.nodes) | set(g.edges)


def test_max_frames_keeps_the_last_steps():
    g = graph.build(regression(5), max_frames=10)
    assert len(g) == 10 and g.steps[-1].kind == "done" and "last 10 steps" in g.notice


# ---------------------------------------------------------------------------- issue 10: what the narration says
torch = pytest.importorskip("torch")  # the reference the claims below are checked against


def lesson_07_hook():
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        x = lab.tensor(3.0)
        b = lab.tensor(1.0, requires_grad=True)
        y = w * x
        y.register_hook(lambda g: g * 2)
        z = y + b
        z.backward()
    return t


def test_hook_step_names_its_tensor_and_changes_the_picture():
    """Item 4: 'The hook <lambda> registered on runs', and a picture that did not change."""
    g = graph.build(lesson_07_hook())
    hook = next(s for s in g.steps if s.kind == "hook")
    assert hook.text == "The hook <lambda> registered on y runs: it receives 1 and returns 2, which replaces the gradient."
    y, mul = tensor(g, "y"), boxes(g, "MulBackward0")[0]
    link = edge(g, mul, y)
    add = boxes(g, "AddBackward0")[0]
    arrow = edge(g, add, mul)  # the gradient AddBackward0 sent to MulBackward0
    assert hook.active == (y.key, link.key, arrow.key)
    before, now = g.state_at(hook.index - 1), g.state_at(hook.index)
    assert now != before
    assert now[y.key].status == "active" and now[y.key].tag == "hook: 1. → 2."
    assert now[link.key].status == "active"  # shown at the tensor, by the grad_fn that will receive 2
    # the arrow and the text agree: the node receives what the hook returned (was: the arrow said 1)
    assert before[arrow.key].grad == "1." and now[arrow.key].grad == "1. → hook → 2."
    runs = next(s for s in g.steps if s.kind == "node" and s.index > hook.index)
    assert "MulBackward0 runs: it receives 2 " in runs.text and g.state_at(runs.index)[arrow.key].grad.endswith("2.")
    after = g.state_at(hook.index + 1)  # MulBackward0 runs with what the hook returned
    assert g.steps[hook.index + 1].text.startswith("MulBackward0 runs: it receives 2 ")
    # and PyTorch agrees on what w.grad becomes
    w = torch.tensor(2.0, requires_grad=True)
    yt = w * torch.tensor(3.0)
    yt.register_hook(lambda g: g * 2)
    (yt + torch.tensor(1.0, requires_grad=True)).backward()
    assert float(w.grad) == 6.0 and g.state_at(len(g) - 1)[tensor(g, "w").key].grad == "6."


def test_arrows_point_the_way_gradients_and_data_flow(g):
    """Item 9: gradient arrows point back (right to left), data arrows forward; the legend drawn in the
    browser is checked against the drawn arrows in tests/browser/test_player_static.py."""
    drawn = {kind: {1 if g.nodes[e.dst].x > g.nodes[e.src].x else -1 for e in g.edges.values() if e.kind == kind}
             for kind in ("grad", "data")}
    assert drawn == {"grad": {-1}, "data": {1}}


def test_numbers_in_sentences_are_plain_and_reprs_keep_pytorch_style(g):
    """Item 12: 'receives 1. and sends 1. to y' read oddly; the picture and table keep PyTorch's '1.'."""
    texts = [s.text for s in g.steps]
    assert ("AddBackward0 runs: it receives 1 and sends 1 to MulBackward0 (y.grad_fn) and 1 to AccumulateGrad (for b)."
            " By the chain rule: to y: grad = 1 and to b: grad = 1.") in texts
    assert not [t for t in texts[:-1] if re_pytorch_number.search(t)]
    add = boxes(g, "AddBackward0")[0]
    assert g.state_at(step_of(g, "node"))[edge(g, add, boxes(g, "MulBackward0")[0]).key].grad == "1."
    assert str(torch.tensor(1.0)) == "tensor(1.)"  # the style the picture keeps


# '1.' inside a sentence (not the full stop after '1'): followed by a comma, bracket or more of the sentence
re_pytorch_number = __import__("re").compile(r"\d\.(?:[,;)\]]| (?:and|to|for|\+|=|→|-) )")


def test_jump_menu_has_optimizer_step_and_zero_grad():
    """Item 12: jump menus lacked optimizer.step() and zero_grad(); in a training loop they are numbered by
    iteration (issue 20: four identical `optimizer.step()` entries told the iterations apart by nothing)."""
    with lab.trace() as t:
        w = lab.tensor(1.0, requires_grad=True)
        opt = lab.optim.SGD([w], lr=0.1)
        for _ in range(2):
            loss = (w * 3) ** 2
            loss.backward()
            opt.step()
            opt.zero_grad()
    g = graph.build(t)
    labels = [label.split(" (")[0] for label, _ in g.jumps]
    assert labels == ["forward pass"] + [f"iteration {n}: {what}" for n in (1, 2)
                                         for what in ("forward", "backward", "optimizer.step()", "zero_grad()")]
    for label, i in g.jumps:
        if label.endswith("optimizer.step()"):
            assert g.steps[i].kind == "update" and g.steps[i].source.endswith(": opt.step()")
        if label.endswith("zero_grad()"):
            assert g.steps[i].kind == "set_grad"  # zero_grad() sets each .grad to None


def test_a_trace_from_python_stdin_has_no_empty_source(tmp_path):
    """Item 12: `python -` records line numbers without text: 'forward pass (line 4: )'."""
    import os
    import subprocess
    import sys
    code = ("import autograd_lab as lab\nfrom autograd_lab.view import graph\nwith lab.trace() as t:\n"
            "    w = lab.tensor(2.0, requires_grad=True)\n    (w * 3).backward()\n"
            "g = graph.build(t)\nprint(repr(g.jumps[0][0]))\nprint(repr(g.steps[0].source))\n")
    out = subprocess.run([sys.executable, "-"], input=code, capture_output=True, text=True, timeout=120,
                         env=dict(os.environ), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["'forward pass (line 4)'", "'line 4'"]


def test_no_grad_is_narrated_as_grad_mode_off():
    """Item 14: under no_grad() the narration said 'none of its inputs requires grad' while w does."""
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        with lab.no_grad():
            c = w * 3  # noqa: F841
    g = graph.build(t)
    assert g.steps[-1].text == ("c = w * 3 computes c = 6 without recording a graph although w requires grad: grad "
                                "mode is off here (torch.no_grad() or inference_mode()), so c has no grad_fn.")
    assert g.notice == ("Autograd recorded no graph (no grad_fn) although w requires grad: grad mode was off "
                        "(inside `torch.no_grad()` or `torch.inference_mode()`).")
    wt = torch.tensor(2.0, requires_grad=True)
    with torch.no_grad():
        ct = wt * 3
    assert wt.requires_grad and ct.grad_fn is None and not ct.requires_grad


def test_requires_grad_false_is_narrated_as_switching_autograd_off():
    """Item 14: w.requires_grad_(False) was narrated as 'switches autograd on'."""
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        w.requires_grad_(False)
        w.requires_grad_()
    g = graph.build(t)
    texts = [s.text for s in g.steps if s.kind == "tensor"][1:]
    assert texts == [
        "w.requires_grad_(False) switches autograd off for w: operations on w alone no longer record a graph, and "
        "backward() will not compute a gradient for it.",
        "w.requires_grad_() switches autograd on for w: operations on w now record a graph, and backward() will "
        "fill w.grad."]
    assert [g.state_at(s.index)[tensor(g, "w").key].tag for s in g.steps[1:]] == ["requires_grad_(False)",
                                                                                  "requires_grad_()"]
    wt = torch.tensor(2.0, requires_grad=True).requires_grad_(False)
    assert not wt.requires_grad and (wt * 3).grad_fn is None


def test_a_second_backward_is_not_stated_to_fail_as_a_rule():
    """Item 14: only a node whose saved values were freed fails; z = w + b; z.backward() twice works."""
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        b = lab.tensor(1.0, requires_grad=True)
        z = w + b
        z.backward()
        z.backward()
    g = graph.build(t)
    texts = " ".join(s.text for s in g.steps)
    assert "second backward" not in texts and "fail" not in texts
    assert g.steps[-1].text == "backward() finished: w.grad = 2 and b.grad = 2."  # torch: AccumulateGrad of w (slot 0) runs first
    wt, bt = torch.tensor(2.0, requires_grad=True), torch.tensor(1.0, requires_grad=True)
    zt = wt + bt
    zt.backward()
    zt.backward()
    assert float(wt.grad) == 2.0
    # where saved values are freed, the narration says the failure is that node's
    g2 = graph.build(classic())
    release = next(s for s in g2.steps if s.kind == "release")
    assert release.text.endswith("another backward that reaches MulBackward0 would fail (nodes that saved nothing "
                                 "can run again).")


def test_autograd_grad_is_not_said_to_leave_every_grad_alone():
    """Item 14: 'nothing was added into .grad' while a tensor with retain_grad() gets one."""
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        y = w * 3
        y.retain_grad()
        z = y * y
        lab.autograd.grad(z, w)
    g = graph.build(t)
    texts = [s.text for s in g.steps]
    assert "nothing was added into .grad" not in " ".join(texts)
    assert texts[-1] == ("autograd.grad finished: it returns 36 for w. No leaf's .grad changed (only tensors with "
                         "retain_grad() get a .grad from it).")
    assert "y.retain_grad() keeps the gradient of the non-leaf tensor y: y.grad = 12." in texts
    wt = torch.tensor(2.0, requires_grad=True)
    yt = wt * 3
    yt.retain_grad()
    (g_w,) = torch.autograd.grad(yt * yt, wt)
    assert float(g_w) == 36.0 and float(yt.grad) == 12.0 and wt.grad is None


def test_accumulate_into_none_is_narrated_as_setting_grad():
    """Item 14: 'None + 3. = 3.': PyTorch sets .grad when it is None (it does not add to None)."""
    g = graph.build(classic())
    texts = [s.text for s in g.steps if s.kind == "accumulate"]
    assert texts[:2] == ["AccumulateGrad sets b.grad to 1 (b.grad was None, so there is nothing to add to).",
                         "AccumulateGrad sets w.grad to 3 (w.grad was None, so there is nothing to add to)."]
    assert "None +" not in " ".join(s.text for s in g.steps)
    w = torch.tensor(2.0, requires_grad=True)
    assert w.grad is None
    (w * 3).backward()
    assert float(w.grad) == 3.0


def test_detach_is_a_leaf_that_shares_storage():
    """Item 14: a leaf is any tensor without grad_fn; detach() shares storage, it is not a copy."""
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        d = (w * 3).detach()  # noqa: F841
    g = graph.build(t)
    text = next(s.text for s in g.steps if s.kind == "tensor" and s.text.startswith("d "))
    assert "copy" not in text and "shares its storage" in text and "so it is a leaf" in text
    yt = torch.tensor(2.0, requires_grad=True) * 3
    dt = yt.detach()
    assert dt.is_leaf and dt.grad_fn is None and dt.data_ptr() == yt.data_ptr()


# ---------------------------------------------------------------------------- module shape (issue 9)
def _runtime_imports(path):
    """The view modules a module imports when it runs (imports under `if TYPE_CHECKING:` left out)."""
    import ast
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for n in ast.walk(node)}
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(node, ast.ImportFrom):
            continue
        if node.level == 1 and node.module:
            out.add(node.module.split(".")[0])
        elif node.level == 1:
            out.update(a.name for a in node.names)
    return out


def test_view_modules_have_no_import_cycle_and_stay_small():
    import pathlib

    import autograd_lab.view as view
    folder = pathlib.Path(view.__file__).parent
    mods = {p.stem: p for p in folder.glob("*.py") if p.stem != "__init__"}
    deps = {m: _runtime_imports(p) & set(mods) for m, p in mods.items()}

    def reaches(a, b, seen=()):
        return any(d == b or (d not in seen and reaches(d, b, seen + (d,))) for d in deps[a])

    assert not [m for m in mods if reaches(m, m)], deps
    for m, p in mods.items():
        code = [ln for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.strip().startswith("#")]
        assert len(code) <= 600, (m, len(code))


def test_gradient_arrows_are_next_functions_as_torch_has_them():
    """Issue 11: one solid arrow per non-None next_functions entry, grad_fn -> grad_fn (y used twice: two)."""
    g = graph.build(lesson2_dag())
    ours = sorted((n.label, tuple(g.nodes[e.dst].label for e in sorted(g.edges.values(), key=lambda e: e.order)
                                  if e.src == n.key and e.kind == "grad"))
                  for n in g.nodes.values() if n.kind in ("op", "acc"))
    wt, bt = torch.tensor(2.0, requires_grad=True), torch.tensor(1.0, requires_grad=True)
    yt = wt * torch.tensor(3.0)
    zt = yt * yt + bt
    theirs, todo, seen = [], [zt.grad_fn], set()
    short = lambda fn: fn.name().replace("torch::autograd::", "")  # noqa: E731
    while todo:
        fn = todo.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        nexts = [nf for nf, _ in fn.next_functions if nf is not None]
        theirs.append((short(fn), tuple(short(nf) for nf in nexts)))
        todo += nexts
    assert ours == sorted(theirs)
    # each tensor hangs off exactly one box, by a link that is not a gradient arrow
    for n in g.nodes.values():
        if n.kind == "tensor" and n.label != "x":
            links = [e for e in g.edges.values() if e.dst == n.key]
            assert [e.kind for e in links] == ["attach"], n.label


def test_a_wide_value_is_shortened_in_its_ellipse_not_widening_the_picture():
    """A matrix's value text would make its ellipse (and the picture) as wide as the text: the ellipse
    stops at layout.MAX_TENSOR_W, and the front end shortens the text in it (the table and the tooltip
    have it whole)."""
    from autograd_lab.view import layout

    with lab.trace() as t:
        w = lab.tensor([[0.123456, -0.654321, 0.5], [0.25, 0.75, -0.125]], requires_grad=True)
        v = lab.tensor(1.0, requires_grad=True)
        (w.sum() * v).backward()
    g = graph.build(t)
    wide, small = tensor(g, "w"), tensor(g, "v")
    assert wide.w == layout.MAX_TENSOR_W
    assert layout.text_width("w = [[0.1235, -0.6543, 0.5000], [0.2500, 0.7500, -0.1250]]", layout.FONT["value"]) \
        > layout.MAX_TENSOR_W
    assert small.w < layout.MAX_TENSOR_W


# --- narration that printed code wrong or said the wrong thing --------------------------------

def _texts(t, lang="en"):
    return [s.text for s in graph.build(t, lang=lang).steps]


def test_expressions_keep_their_brackets_constants_and_arguments():
    with lab.trace() as t:
        a = lab.tensor([1.0, 2.0], requires_grad=True)
        y = a * 2
        print((y * y).grad_fn)
        v = a + 0
        print((v - 1).grad_fn)
        print((a ** 3).grad_fn)
        s = (a * 2).sum()
        m = lab.ones(2, 3, requires_grad=True)
        u = m.sum(0).sum() + 1
    said = "\n".join(_texts(t))
    for right in ["y * y creates MulBackward0 ((y * y).grad_fn)", "(v - 1).grad_fn", "(a ** 3).grad_fn",
                  "a ** 3 creates PowBackward0", "s = (a * 2).sum() creates SumBackward0",
                  "a * 2 creates MulBackward0 ((a * 2).grad_fn)", "m.sum(0) creates SumBackward1 (m.sum(0).grad_fn)",
                  "It saves 2 (_saved_other)", "None (for 2)", "None (for 1)"]:
        assert right in said, right
    for wrong in ["y * y.grad_fn", "v - 1.grad_fn", "a ** 3.grad_fn", "a * 2.sum()", "a number", "m.sum() ",
                  "y * y = y * y"]:
        assert wrong not in said, wrong
    g = graph.build(t)
    mul = boxes(g, "MulBackward0")[0]
    assert mul.saved == (("_saved_other", "2"),), "the inspector and 'saved:' show the number"
    assert any(st.info == "saved: 2" for s in g.steps for k, st in s.changes.items() if k == mul.key)


def test_an_in_place_change_prints_its_call():
    with lab.trace() as t:
        e = lab.tensor([1.0, 2.0])
        e.mul_(3)
    assert _texts(t)[-1] == "e.mul_(3) changes e in place: [1, 2] → [3, 6]."
    assert _texts(t, "zh")[-1].startswith("e.mul_(3) 原地修改了 e")
    with lab.trace() as t:  # in place on a tensor in the graph: the statement, and the number it used
        a = lab.tensor([1.0, 2.0], requires_grad=True)
        e = a * 1
        e.mul_(3)
        e += 2
    mul, add = _texts(t)[-2:]
    assert mul.startswith("e.mul_(3) changes e in place") and "None (for 3)" in mul and "It saves 3 (_saved_other)" in mul
    assert add.startswith("e += 2 changes e in place") and "None (for 2)" in add


@pytest.mark.parametrize("lang, says, not_said", [
    ("en", "y.requires_grad_() changes nothing: y is not a leaf", "switches autograd on"),
    ("zh", "y.requires_grad_() 没有改变任何东西：y 不是叶子张量", "打开了自动求导")])
def test_requires_grad_on_a_non_leaf_changes_nothing(lang, says, not_said):
    """PyTorch: y.requires_grad_() on a tensor with a grad_fn does nothing; y.grad stays None."""
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        y = w * 3
        y.requires_grad_()
        (y * 1).backward()
    with pytest.warns(UserWarning, match="not a leaf"):  # as PyTorch warns
        assert y.grad is None
    g = graph.build(t, lang=lang)
    step = next(s for s in g.steps if s.source and "requires_grad_()" in s.source)
    assert step.text.startswith(says) and not_said not in step.text and "None" in step.text
    yk = tensor(g, "y").key
    before, now = g.state_at(step.index - 1), g.state_at(step.index)
    assert now[yk].grad == before[yk].grad and now[yk].rg == before[yk].rg and not now[yk].tag
    with lab.trace() as t2:  # a leaf is switched on, as before
        x = lab.tensor(2.0)
        x.requires_grad_()
    assert "switches autograd on for x" in _texts(t2)[-1]


@pytest.mark.parametrize("lang, says", [("en", "the largest in magnitude, -9, is w[3].grad"),
                                        ("zh", "绝对值最大的是 w[3].grad，为 -9")])
def test_the_largest_gradient_is_the_largest_in_magnitude(lang, says):
    with lab.trace() as t:
        w = [lab.tensor(1.0, requires_grad=True) for _ in range(8)]
        loss = w[0] * 2 + w[1] + w[2] * 3 + w[3] * -9 + w[4] + w[5] + w[6] * 5 + w[7]
        loss.backward()
    assert says in _texts(t, lang)[-1]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_optimizer_step_is_narrated_and_jumped_to_as_the_optimizer_step(lang):
    with lab.trace() as t:
        w = lab.tensor([1.0, -2.0], requires_grad=True)
        opt = lab.optim.SGD([w], lr=0.1)
        (w * w).sum().backward()
        opt.step()
        (w * 3).sum()
    g = graph.build(t, lang=lang)
    steps = [s for s in g.steps if s.source and "opt.step()" in s.source]
    assert steps and all("made before the trace started" not in s.text and "开始记录之前" not in s.text for s in steps)
    assert steps[0].text == say("step.tensor.optimizer_reads", lang, name="w.grad", value=held([2.0, -4.0]))
    labels = {label.split(" (")[0].split("（")[0]: i for label, i in g.jumps}
    assert labels.get("optimizer.step()") == steps[0].index, g.jumps
    forward_again = say("player.jump.forward_again", lang)
    assert [i for label, i in g.jumps if label.startswith(forward_again)] == [steps[-1].index + 1], g.jumps


def test_real_pytorch_narration_keeps_brackets_and_constants():
    from tests.support.requirements import require_torch
    torch = require_torch()
    with lab.trace() as t:
        a = torch.tensor([1.0, 2.0], requires_grad=True)
        s = (a * 2).sum()
        print((a ** 3).grad_fn)
        e = torch.tensor([1.0, 2.0])
        e.mul_(3)
    said = "\n".join(_texts(t))
    for right in ["s = (a * 2).sum() creates SumBackward0", "a * 2 creates MulBackward0 ((a * 2).grad_fn)",
                  "a ** 3 creates PowBackward0 ((a ** 3).grad_fn)", "e.mul_(3) changes e in place"]:
        assert right in said, right
    assert "a number" not in said and "a * 2.sum()" not in said
