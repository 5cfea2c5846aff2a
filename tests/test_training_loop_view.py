"""A training loop (forward, backward, the optimizer's step or a manual update under no_grad, zero_grad)
is shown as one box per iteration, each named with its loss and its largest gradient; its optimizer
step has a jump entry of its own per iteration; nothing of the step is left drawn as an orphan; a
long loop is folded to its first and last iterations and says so."""
from __future__ import annotations

import pytest

import autograd_lab as lab
from autograd_lab.view import graph, layout, loops
from tests.support.examples import polynomial_tutorial
from tests.support.requirements import require_torch

torch = require_torch()


def sgd_loop(mod, iterations=4, momentum=0.0, adam=False):
    """A two-weight regression trained with ``mod.optim.SGD`` (or Adam) (``mod``: autograd_lab or torch);
    returns the trace and, per iteration, the loss and the largest |gradient| the library computed."""
    losses, grads = [], []
    with lab.trace() as t:
        w = mod.tensor([0.5, -0.3], requires_grad=True)
        x = mod.tensor([1.0, 2.0])
        opt = (mod.optim.Adam([w], lr=0.05) if adam else
               mod.optim.SGD([w], lr=0.05, momentum=momentum) if momentum else mod.optim.SGD([w], lr=0.05))
        for _ in range(iterations):
            loss = ((w * x).sum() - 3.0) ** 2
            loss.backward()
            losses.append(loss.item())
            grads.append(max(abs(float(v)) for v in w.grad.tolist()))
            opt.step()
            opt.zero_grad()
    return t, losses, grads


LIBS = pytest.mark.parametrize("mod", [lab, torch], ids=["core", "torch"])


@LIBS
def test_a_loop_is_one_box_per_iteration_first_and_last_open(mod):
    t, _, _ = sgd_loop(mod, 5)
    g = graph.build(t)
    boxes = list(g.groups.values())
    assert [b.label.split(" · ")[0] for b in boxes] == [f"iteration {i} of 5" for i in range(1, 6)]
    assert [b.collapsed for b in boxes] == [False, True, True, True, False]
    assert all(b.parent is None and b.members for b in boxes)
    assert g.overview  # the first picture shows the closed ones as boxes


@LIBS
def test_the_first_picture_frames_the_open_first_and_last_iterations(mod):
    """In the first picture the open iterations are laid out each as one block: a frame (with room for its
    label at the top) around all of its nodes and no other item; every edge of the graph is drawn once."""
    t, _, _ = sgd_loop(mod, 5)
    g = graph.build(t)
    ov, first, last = g.overview, "g1", "g5"
    assert set(ov["frames"]) == {first, last}
    for gk, (x0, y0, x1, y1) in ov["frames"].items():
        members = set(g.groups[gk].members)
        for k, (x, y, w, h) in ov["nodes"].items():
            inside = x0 <= x - w / 2 and x + w / 2 <= x1 and y0 + layout.GROUP_LABEL_H <= y - h / 2 and y + h / 2 <= y1
            overlaps = x - w / 2 < x1 and x + w / 2 > x0 and y - h / 2 < y1 and y + h / 2 > y0
            assert inside if k in members else not overlaps, (gk, k)
    drawn = [m for e in ov["edges"] for m in e["members"]]
    assert sorted(drawn) == sorted(k for k, e in g.edges.items() if ov_item(g, e.src) != ov_item(g, e.dst))
    assert all(e["src"] in ov["nodes"] and e["dst"] in ov["nodes"] and len(e["points"]) >= 2 for e in ov["edges"])


def ov_item(g, k):
    """What stands for node k in the first picture: its collapsed top-level group, else itself."""
    grp = g.group_of.get(k)
    while grp is not None and g.groups[grp].parent is not None:
        grp = g.groups[grp].parent
    return grp if grp is not None and g.groups[grp].collapsed else k


@LIBS
def test_each_box_says_the_loss_and_the_largest_gradient_the_library_computed(mod):
    t, losses, grads = sgd_loop(mod, 4)
    g = graph.build(t)
    for box, loss, grad in zip(g.groups.values(), losses, grads):
        assert f"loss {loops.short(loss)}" in box.label, (box.label, loss)
        assert f"max |grad| {loops.short(grad)}" in box.label, (box.label, grad)
    assert len(set(losses)) == 4  # (the loss changes: the boxes do not all say the same)
    zh = graph.build(t, lang="zh")
    assert [b.label.split(" · ")[0] for b in zh.groups.values()] == [f"第 {i} 次迭代（共 4 次）"
                                                                     for i in range(1, 5)]
    assert all(f"损失 {loops.short(x)}" in b.label for b, x in zip(zh.groups.values(), losses))


@LIBS
def test_every_step_of_an_iteration_is_in_its_box_and_by_group_runs_one_iteration(mod):
    t, _, _ = sgd_loop(mod, 4)
    g = graph.build(t)
    keys = list(g.groups)
    in_loop = [s for s in g.steps if s.group is not None]
    kinds = {s.kind for s in in_loop if s.group == keys[1]}
    assert {"op", "backward", "node", "accumulate", "done", "update", "set_grad"} <= kinds
    # stepping by group from the end of iteration 1 runs the whole of iteration 2 (collapsed) in one click
    end1 = max(s.index for s in g.steps if s.group == keys[0])
    end2 = max(s.index for s in g.steps if s.group == keys[1])
    assert g.step_after(end1, by="group") == end2
    assert g.step_after(end1, by="node") == end1 + 1  # one step at a time still works
    assert g.step_before(end2 + 1, by="group") == end2  # back from iteration 3's first step
    assert g.step_before(end2, by="group") == end1


@LIBS
def test_the_optimizer_step_has_one_jump_entry_per_iteration_numbered(mod):
    t, _, _ = sgd_loop(mod, 4, momentum=0.9)
    g = graph.build(t)
    steps = [(label, i) for label, i in g.jumps if "optimizer.step()" in label]
    assert [label for label, _ in steps] == [f"iteration {n}: optimizer.step()" for n in range(1, 5)]
    assert all(g.steps[i].kind == "update" for _, i in steps)
    labels = [label for label, _ in g.jumps]
    assert not [x for x in labels if "forward again" in x or "opt.step()" in x]  # the step is not a forward pass
    assert len(labels) == len(set(labels))  # no two identical entries


@LIBS
@pytest.mark.parametrize("adam", [False, True], ids=["sgd_momentum", "adam"])
def test_nothing_of_the_optimizer_step_is_drawn_as_an_orphan(mod, adam):
    """Momentum buffers, Adam's moments and step count, reads of w.grad: none becomes a node; every node
    drawn at any step is linked."""
    t, _, _ = sgd_loop(mod, 3, momentum=0.9, adam=adam)
    g = graph.build(t)
    linked = {k for e in g.edges.values() for k in (e.src, e.dst)}
    assert not [n.label for n in g.nodes.values() if n.key not in linked]
    assert not [n.label for n in g.nodes.values() if ".grad" in n.label or "step(" in n.label]


def test_a_manual_step_under_no_grad_is_a_step_of_its_own_and_grad_none_after_it():
    t = polynomial_tutorial(3)
    g = graph.build(t)
    linked = {k for e in g.edges.values() for k in (e.src, e.dst)}
    assert not [n.label for n in g.nodes.values() if n.key not in linked]  # no grey `a.grad` ellipses
    assert not [n.label for n in g.nodes.values() if ".grad" in n.label]
    updates = [(label, i) for label, i in g.jumps if "update the parameters" in label]
    assert [label for label, _ in updates] == [f"iteration {n}: update the parameters (no_grad)" for n in (1, 2, 3)]
    first = g.steps[updates[0][1]]
    assert first.kind == "update" and first.text.startswith("a -= lr * a.grad changes a in place: ")
    resets = [i for label, i in g.jumps if label.endswith("reset .grad")]
    assert len(resets) == 3
    # after `a.grad = None` ... `d.grad = None`, each parameter shows .grad None, as torch's a.grad is
    end = next(i for label, i in g.jumps if label == "iteration 2: forward") - 1
    state = g.state_at(end)
    params = [k for k, n in g.nodes.items() if n.label in ("a", "b", "c", "d")]
    assert len(params) == 4 and all(state[k].grad == "None" for k in params)
    before = g.state_at(resets[0] - 1)
    assert all(before[k].grad != "None" for k in params)  # (it was set by backward and shown until then)


def test_a_long_loop_is_folded_to_its_first_and_last_iterations_and_says_so():
    losses = []
    with lab.trace() as t:
        w = torch.tensor(0.0, requires_grad=True)
        x = torch.linspace(-1, 1, 50)
        y = 3 * x
        for _ in range(40):
            loss = ((w * x - y) ** 2).mean()
            loss.backward()
            losses.append(loss.item())
            with torch.no_grad():
                w -= 0.1 * w.grad
                w.grad = None
    g = graph.build(t)
    labels = [b.label for b in g.groups.values()]
    assert [x.split(" · ")[0] for x in labels] == [f"iteration {i} of 40" for i in (1, 2, 3, 38, 39, 40)]
    assert f"loss {loops.short(losses[-1])}" in labels[-1] and f"loss {loops.short(losses[0])}" in labels[0]
    assert "1–3 and 38–40 are shown step by step, 4–37 as a summary" in g.notice
    assert loops.short(losses[0]) in g.notice and loops.short(losses[-1]) in g.notice
    shown_events = {s.event for s in g.steps}
    loop = loops.find_loop(t.events)
    skipped = [it for it in loop.iterations if 3 < it.n < 38]
    assert not [it for it in skipped if shown_events & set(range(it.first, it.last + 1))]
    assert "第 4–37 次只显示摘要" in graph.build(t, lang="zh").notice


def test_a_value_the_recorder_did_not_keep_is_said_gracefully():
    """A recorder that keeps only summaries (or nothing) of some iterations' values: the box says so."""
    t, losses, _ = sgd_loop(lab, 4)
    loop = loops.find_loop(t.events)
    second = loop.iterations[1]
    events = []
    for e in t.events:
        if second.first <= e.index <= second.last:
            if e.kind == "op":
                e = e._replace(value=None)
            elif e.kind == "accumulate":
                e = e._replace(after=None)
        events.append(e)
    g = graph.build(events)
    labels = [b.label for b in g.groups.values()]
    assert labels[1] == "iteration 2 of 4 · values not kept"
    assert f"loss {loops.short(losses[2])}" in labels[2]
    summary = {"shape": [3, 4], "min": -2.5, "max": 1.5, "mean": 0.1}
    assert loops.magnitude(summary) == 2.5 and loops.magnitude([[1.0, -4.0], [2.0, None]]) == 4.0


def test_backward_called_again_on_one_graph_is_not_a_loop():
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        z = w * 3
        for _ in range(3):
            z.backward(retain_graph=True)
    assert loops.find_loop(t.events) is None
    assert graph.build(t).groups == {}


def test_two_calls_of_a_train_function_are_two_loops():
    """Lesson 8's comparison: train() run twice (with and without zero_grad) is two loops of 30, not one of 60."""
    def train(zero_grads, steps=30):
        w = lab.tensor([0.0], requires_grad=True)
        opt = lab.optim.SGD([w], lr=0.05)
        for _ in range(steps):
            if zero_grads:
                opt.zero_grad()
            loss = ((w * 2.0 - 1.0) ** 2).mean()
            loss.backward()
            opt.step()

    with lab.trace() as t:
        train(True)
        train(False)
    loop = loops.find_loop(t.events)
    assert [len(its) for its in loop.loops()] == [30, 30]
    g = graph.build(t)
    firsts = [b.label.split(" · ")[0] for b in g.groups.values()]
    assert firsts == [f"iteration {i} of 30" for i in (1, 2, 3, 28, 29, 30)] * 2
    assert [b.collapsed for b in g.groups.values()] == [False, True, True, True, True, False] * 2
    line = loop.loops()[0][0]
    assert g.notice.count("ran 30 iterations") == 2
    assert f"The loop at line {t.events[line.first].source.line} ran" in g.notice


@pytest.mark.parametrize("notebook", ["notebooks/08_practice.ipynb", "notebooks/zh/08_practice.ipynb"])
def test_lesson_8s_real_torch_player_shows_its_two_loops_as_iteration_boxes(notebook):
    """The comparison player under lesson 8 (two train() runs of 100 steps: 3,806 steps on one slider
    before) shows each loop's first and last iterations and summarises the rest."""
    import json
    from pathlib import Path

    cells = json.loads((Path(__file__).resolve().parent.parent / notebook).read_text())["cells"]
    src = next("".join(c["source"]) for c in cells if "same_in_pytorch(" in "".join(c["source"]))
    snippet = src.split('"""')[1]
    p = lab.exercises.same_in_pytorch(snippet).player(lang="zh" if "/zh/" in notebook else "en")
    g = p.graph
    assert len(g.steps) < 400, len(g.steps)
    labels = [b.label for b in g.groups.values()]
    it = "第 {i} 次迭代（共 100 次）" if g.lang == "zh" else "iteration {i} of 100"
    assert [x.split(" · ")[0] for x in labels] == [it.format(i=i) for i in (1, 2, 3, 98, 99, 100)] * 2
    assert g.notice.count("4–97") == 2 and g.lang == ("zh" if "/zh/" in notebook else "en")


def test_a_loop_that_updates_no_parameter_is_not_a_training_loop():
    """Lesson 9's RNN-style loop calls backward at each step and never updates w: it keeps its picture."""
    with lab.trace(catch_errors=True) as t:
        w = lab.tensor(0.5, requires_grad=True)
        h = lab.tensor(1.0)
        for _ in range(3):
            h = h * w
            h.backward()
    assert loops.find_loop(t.events) is None
    g = graph.build(t)
    assert g.groups == {} and not [label for label, _ in g.jumps if label.startswith("iteration")]


def test_a_loop_of_many_events_is_folded_even_with_few_iterations(monkeypatch):
    """A big model's loop of 10 iterations costs as much to replay as a small one's of hundreds."""
    t, losses, _ = sgd_loop(lab, 10)
    assert len(graph.build(t).groups) == 10
    monkeypatch.setattr(loops, "EVENTS_ABOVE", 50)
    g = graph.build(t)
    assert [b.label.split(" · ")[0] for b in g.groups.values()] == [f"iteration {i} of 10"
                                                                    for i in (1, 2, 3, 8, 9, 10)]
    assert "4–7 as a summary" in g.notice and f"loss {loops.short(losses[-1])}" in list(g.groups.values())[-1].label


@LIBS
def test_the_middle_iterations_sit_in_order_between_the_open_first_and_last(mod):
    """A loop's closed iterations (no arrows: FAN_OUT_MAX) are laid out in the column of the open ones, in
    the order they ran, columns read top to bottom: iteration 1's frame, 2 ... 11 as boxes, 12's frame; not
    in the data flow's first column among the parameters. Nothing overlaps."""
    t, _, _ = sgd_loop(mod, 12)
    g = graph.build(t)
    ov = g.overview
    (x0, _, _, top), (_, bottom, _, _) = ov["frames"]["g1"], ov["frames"]["g12"]
    boxes = [ov["nodes"][f"g{i}"] for i in range(2, 12)]
    assert all(top <= y - h / 2 and y + h / 2 <= bottom and x - w / 2 >= x0 - 1e-6 for x, y, w, h in boxes), (top, bottom)
    reading = [(round(x - w / 2), y) for x, y, w, h in boxes]  # read down each column, then the next
    assert reading == sorted(reading) and 1 < len({c for c, _ in reading}) < len(boxes), reading
    rects = [(x - w / 2, y - h / 2, x + w / 2, y + h / 2) for x, y, w, h in ov["nodes"].values()
             if not any(f[0] <= x <= f[2] and f[1] <= y <= f[3] for f in ov["frames"].values())]
    rects += list(ov["frames"].values())
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    assert ov["width"] >= max(r[2] for r in rects) and ov["height"] >= max(r[3] for r in rects)
