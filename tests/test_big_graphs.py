"""Big graphs (issue 11): a micrograd-style MLP is shown whole, grouped, stepped by group, summarised.

The MLPs are the classic micrograd exercise: scalar neurons whose weights are kept in Python lists,
``act = sum(wi * xi) + b``, tanh on the hidden layers, one sample, a squared error, ``backward()``.
The same network is built with torch 2.13 to check the graph's size and the gradients narrated.
Speed is measured in benchmarks/bench_player.py, not here.
"""
from __future__ import annotations

import random
import re

import pytest

import autograd_lab as lab
from autograd_lab.view import graph
from autograd_lab.view.groups import COLLAPSE_ABOVE, COLLAPSE_GRAPH
from autograd_lab.view.states import fmt

torch = pytest.importorskip("torch")


class Neuron:
    def __init__(self, nin, rnd, nonlin=True, lib=lab):
        self.w = [lib.tensor(rnd.uniform(-1, 1), requires_grad=True) for _ in range(nin)]
        self.b = lib.tensor(rnd.uniform(-1, 1), requires_grad=True)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh() if self.nonlin else act


class Layer:
    def __init__(self, nin, nout, rnd, **kw):
        self.neurons = [Neuron(nin, rnd, **kw) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out


class MLP:
    def __init__(self, nin, nouts, rnd, lib=lab):
        sz = [nin] + nouts
        self.layers = [Layer(sz[i], sz[i + 1], rnd, nonlin=i != len(nouts) - 1, lib=lib) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def run_mlp(nouts, lib=lab, seed=1):
    """The MLP 3 -> nouts on one sample, its squared error and backward; returns (model, loss)."""
    model = MLP(3, nouts, random.Random(seed), lib=lib)
    x = [lib.tensor(2.0), lib.tensor(3.0), lib.tensor(-1.0)]
    loss = (model(x) - 1.0) ** 2
    loss.backward()
    return model, loss


def mlp_trace(nouts):
    with lab.trace() as t:
        run_mlp(nouts)
    return t


@pytest.fixture(scope="module")
def small():
    return graph.build(mlp_trace([4, 4, 1]))


@pytest.fixture(scope="module")
def big():
    return graph.build(mlp_trace([16, 16, 1]))


def torch_graph(nouts):
    """(grad_fn and AccumulateGrad nodes, next_functions edges, leaf grads) of the same MLP in torch."""
    model, loss = run_mlp(nouts, lib=torch)
    nodes, edges, todo, seen = 0, 0, [loss.grad_fn], set()
    while todo:
        fn = todo.pop()
        if fn in seen:
            continue
        seen.add(fn)
        nodes += 1
        nexts = [nf for nf, _ in fn.next_functions if nf is not None]
        edges += len(nexts)
        todo += nexts
    grads = [p.grad.item() for layer in model.layers for n in layer.neurons for p in n.w + [n.b]]
    return nodes, edges, grads


def neuron_size(nin):
    """Nodes of one neuron: nin + 1 leaves with their AccumulateGrad, and nin products, nin sums and a
    tanh, each a grad_fn box with the tensor it made."""
    return 2 * (nin + 1) + 2 * (2 * nin + 1)


# ---------------------------------------------------------------------------- nothing cut
@pytest.mark.parametrize("nouts", [[4, 4, 1], [16, 16, 1]])
def test_the_whole_mlp_is_shown_as_pytorch_builds_it(nouts, small, big):
    g = small if nouts == [4, 4, 1] else big
    nodes, edges, _ = torch_graph(nouts)
    assert g.notice == ""
    assert sum(1 for n in g.nodes.values() if n.kind in ("op", "acc")) == nodes
    assert sum(1 for e in g.edges.values() if e.kind == "grad") == edges
    assert g.steps[-1].kind == "done" and g.steps[0].kind == "tensor"
    if nouts == [16, 16, 1]:
        assert len(g.nodes) > 1200


def test_a_graph_of_4400_nodes_is_not_cut():
    with lab.trace() as t:
        w = lab.tensor(0.5, requires_grad=True)
        b = lab.tensor(0.1, requires_grad=True)
        loss = lab.tensor(0.0)
        for i in range(400):
            x = lab.tensor(float(i % 7))
            err = w * x + b - 2.0
            loss = loss + err**2
        loss.backward()
    g = graph.build(t)
    assert g.notice == "" and len(g.nodes) > 4400
    # the loop is one series of 400 iterations, drawn as one box with w and b beside it
    top = [grp for grp in g.groups.values() if grp.parent is None]
    assert [len(grp.children) for grp in top] == [400]
    # its leaves are plain variables (x), reached through no container: the boxes keep their lines
    assert g.groups[top[0].children[1]].label.endswith("(2 of 400)") and "·" not in top[0].label
    assert len(g.overview["nodes"]) <= 6


# ---------------------------------------------------------------------------- groups
def test_groups_are_named_by_the_containers_the_code_reached_them_through():
    """A layer whose weights the with block reaches through one container path is labelled by it;
    each of its neurons by its own path; the box of code run once (the output neuron and the loss) by the
    last variable it computes: ``loss``."""
    from tests.support.examples import mlp

    g = graph.build(mlp((3, 4, 4, 1)))
    top = [grp for grp in g.groups.values() if grp.parent is None]
    assert [re.sub(r"\d+", "N", grp.label) for grp in top] == ["layers[N] ×N", "layers[N] ×N", "loss"]
    assert [grp.label.split(" ")[0] for grp in top[:2]] == ["layers[0]", "layers[1]"]
    assert [g.groups[c].label for c in top[1].children] == ["layers[1][0]", "layers[1][1]", "layers[1][2]",
                                                            "layers[1][3]"]
    # in Chinese the same names (the code's)
    zh = graph.build(mlp((3, 4, 4, 1)), lang="zh")
    assert [grp.label for grp in zh.groups.values() if grp.parent is None] == ["layers[0] ×4", "layers[1] ×4", "loss"]


def test_layers_and_neurons_are_groups(small):
    g = small
    top = [grp for grp in g.groups.values() if grp.parent is None]
    # layer 1 (4 neurons of 3 inputs), layer 2 (4 neurons of 4 inputs), the output neuron with the loss
    assert [len(grp.children) for grp in top] == [4, 4, 0]
    # (the model lives inside run_mlp: no container path of the with block reaches its weights; the last
    # box, run once, is named by the variable it computes last)
    assert [re.sub(r"\d+", "N", grp.label) for grp in top] == ["lines N–N ×N", "lines N–N ×N", "loss"]
    sizes = [[len(g.groups[c].members) for c in grp.children] for grp in top[:2]]
    assert sizes == [[neuron_size(3)] * 4, [neuron_size(4)] * 4]
    assert [g.groups[c].label.split("(")[1] for c in top[0].children] == ["1 of 4)", "2 of 4)", "3 of 4)", "4 of 4)"]
    # a neuron's weights and bias (and their AccumulateGrad) are in the neuron
    neuron = g.groups[top[0].children[0]]
    leaves = [k for k in neuron.members if g.nodes[k].kind == "tensor" and g.nodes[k].is_leaf]
    assert len(leaves) == 4
    # members of a group are in its parent; the innermost group of each node is recorded
    for grp in g.groups.values():
        if grp.parent is not None:
            assert set(grp.members) <= set(g.groups[grp.parent].members)
        assert grp.collapsed == (len(grp.members) > COLLAPSE_ABOVE)  # the graph has more than COLLAPSE_GRAPH nodes
    assert all(k in g.groups[g.group_of[k]].members for k in g.group_of)


def test_the_first_picture_shows_a_few_boxes(small, big):
    for g in (small, big):
        ov = g.overview
        assert len(ov["nodes"]) <= 12  # 3 boxes and the 3 inputs
        boxes = [k for k in ov["nodes"] if k in g.groups]
        assert boxes and all(g.groups[k].collapsed and g.groups[k].parent is None for k in boxes)
        # every node is drawn, on its own or inside a box
        inside = {m for k in boxes for m in g.groups[k].members}
        assert set(g.nodes) == inside | {k for k in ov["nodes"] if k in g.nodes}
        # every edge between two boxes (or a box and a node) stands for edges of the graph
        for e in ov["edges"]:
            assert e["members"] and all(g.edges[m].kind == e["kind"] for m in e["members"])
            assert e["points"]
        x0 = min(x - w / 2 for x, y, w, h in ov["nodes"].values())
        x1 = max(x + w / 2 for x, y, w, h in ov["nodes"].values())
        assert 0 <= x0 and x1 <= ov["width"] < 1000  # fits an 840 px output area with little zoom


def test_group_boxes_hold_their_nodes_and_do_not_overlap(small):
    g = small

    def inside(n, box):
        return (box[0] <= n.x - n.w / 2 and n.x + n.w / 2 <= box[2]
                and box[1] <= n.y - n.h / 2 and n.y + n.h / 2 <= box[3])

    for grp in g.groups.values():
        assert all(inside(g.nodes[k], grp.box) for k in grp.members), grp.label
        for other in g.groups.values():
            if other is not grp and other.parent == grp.parent:
                a, b = grp.box, other.box
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (grp.label, other.label)
        outside = [n for k, n in g.nodes.items() if k not in grp.members]
        assert not any(inside(n, grp.box) for n in outside), grp.label


def test_a_loop_of_100_nodes_is_grouped_but_shown_open_and_straight_code_is_not_grouped():
    with lab.trace() as t:
        w = lab.tensor(0.5, requires_grad=True)
        b = lab.tensor(0.1, requires_grad=True)
        loss = lab.tensor(0.0)
        for i in range(9):
            x = lab.tensor(float(i))
            err = w * x + b - 2.0 * i
            loss = loss + err**2
        loss.backward()
    g = graph.build(t)
    assert COLLAPSE_GRAPH >= len(g.nodes) >= 100
    top = [grp for grp in g.groups.values() if grp.parent is None]
    assert [len(grp.children) for grp in top] == [9] and not any(grp.collapsed for grp in g.groups.values())
    assert set(g.overview["nodes"]) == set(g.nodes)  # the first picture is the whole graph
    with lab.trace() as t:
        v = lab.tensor(1.0, requires_grad=True)
        a1 = v * 2
        a2 = a1.exp() + v
        a3 = a2 * a1 - v
        a4 = a3.tanh() * a2.sin()
        a5 = (a4 + a3) * (a2 - a1)
        a6 = a5.relu() + a5.sigmoid() * a4.cos()
        (a6 * a6 + a5 * a4).sum().backward()
    g = graph.build(t)
    assert len(g.nodes) >= 40 and g.groups == {}  # no loop: nothing to group


def test_a_small_graph_has_no_groups():
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        y = w * 3
        y.backward()
    g = graph.build(t)
    assert g.groups == {} and g.overview == {} and all(s.group is None for s in g.steps)


# ---------------------------------------------------------------------------- steps by group
def stops(g, by="group", opened=()):
    out, i = [0], 0
    while i < len(g) - 1:
        i = g.step_after(i, by=by, opened=opened)
        out.append(i)
    return out


def test_a_big_backward_takes_a_few_clicks_by_group(big):
    g = big
    by_group = stops(g)
    assert len(by_group) <= 16 < len(g) == len(stops(g, by="node"))
    for a, b in zip(by_group, by_group[1:]):  # each click runs the steps of one box
        units = {g.unit(i) for i in range(a + 1, b + 1)}
        assert len(units) == 1 and (b == a + 1 or None not in units)
    for k in range(2, len(by_group)):  # and back goes where next came from
        assert g.step_before(by_group[k], by="group") == by_group[k - 1]


def test_opening_a_layer_steps_through_its_neurons(small):
    g = small
    layer1 = next(grp for grp in g.groups.values() if grp.parent is None)
    backward = next(s.index for s in g.steps if s.kind == "backward")
    runs = []
    for a, b in zip(stops(g, opened={layer1.key}), stops(g, opened={layer1.key})[1:]):
        u = g.unit(b, opened={layer1.key})
        if a >= backward and u in layer1.children:
            runs.append(u)
    assert sorted(runs) == sorted(layer1.children)  # each neuron of the layer once, in the engine's order


def test_step_by_must_be_node_or_group(small):
    with pytest.raises(ValueError, match="by must be 'node'"):
        small.step_after(0, by="layer")


# ---------------------------------------------------------------------------- narration
def test_narration_summarises_instead_of_listing(small, big):
    for nouts, g in (([4, 4, 1], small), ([16, 16, 1], big)):
        assert max(len(s.text) for s in g.steps) <= 500
        ends = stops(g)
        summaries = [g.summary(a + 1, b) for a, b in zip(ends, ends[1:])]
        assert max(len(s) for s in summaries) <= 500
        _, _, grads = torch_graph(nouts)
        largest = max(grads, key=abs)
        last = g.steps[-1].text
        m = re.fullmatch(r"backward\(\) finished: (\d+) gradients arrived; the largest in magnitude, (\S+), is (.+)\.grad "
                         r"\(the table has the rest\)\.", last)
        assert m, last
        assert int(m.group(1)) == len(grads)
        assert float(m.group(2)) == pytest.approx(largest, abs=1e-4)
        final = g.state_at(len(g) - 1)
        named = [k for k, n in g.nodes.items() if n.kind == "tensor" and n.label == m.group(3)]
        assert any(final[k].grad == fmt(largest) or float(final[k].grad) == pytest.approx(largest, abs=1e-4)
                   for k in named)


def test_a_group_of_backward_steps_says_how_many_nodes_ran(small):
    g = small
    layer2 = [grp for grp in g.groups.values() if grp.parent is None][1]
    ends = stops(g)
    backward = next(s.index for s in g.steps if s.kind == "backward")
    a, b = next((a, b) for a, b in zip(ends, ends[1:]) if g.unit(b) == layer2.key and a >= backward)
    ran = sum(1 for s in g.steps[a + 1:b + 1] if s.kind == "node")
    arrived = sum(1 for s in g.steps[a + 1:b + 1] if s.kind == "accumulate")
    text = g.summary(a + 1, b)
    assert text.startswith(f"{layer2.label}: {ran} nodes ran and {arrived} gradients arrived; the largest in magnitude, ")
    assert arrived == 4 * 5 and ran == 4 * (4 + 4 + 1)
    assert g.summary(b, b) == g.steps[b].text


def test_a_group_of_new_tensors_says_how_many(small):
    g = small
    layer1 = next(grp for grp in g.groups.values() if grp.parent is None)
    ends = stops(g)
    a, b = 0, ends[1]  # the first picture shows step 0; one click makes the rest of layer 1's parameters
    assert g.unit(0) == g.unit(b) == layer1.key
    assert all(s.kind == "tensor" for s in g.steps[a + 1:b + 1])  # the model is made inside the trace
    assert g.summary(a + 1, b) == f"{layer1.label}: {b - a} tensors appeared (the table lists them)."


def test_a_trace_cut_down_keeps_its_groups():
    g = graph.build(mlp_trace([4, 4, 1]), max_nodes=60)
    assert 0 < len(g.nodes) <= 60 and "This trace is large" in g.notice
    assert g.groups and all(set(grp.members) <= set(g.nodes) and grp.members for grp in g.groups.values())
    assert set(g.group_of) <= set(g.nodes) and set(g.overview["nodes"]) <= set(g.nodes) | set(g.groups)


def test_nodes_of_a_grouped_layout_do_not_overlap_and_it_is_deterministic():
    t = mlp_trace([4, 4, 1])
    g, again = graph.build(t), graph.build(t)
    assert [(n.x, n.y) for n in g.nodes.values()] == [(n.x, n.y) for n in again.nodes.values()]
    nodes = sorted(g.nodes.values(), key=lambda n: n.x)
    for i, a in enumerate(nodes):
        for c in nodes[i + 1:]:
            if c.x - c.w / 2 >= a.x + a.w / 2:
                break
            assert abs(a.y - c.y) >= (a.h + c.h) / 2, (a.key, c.key)
    assert all(len(e.points) >= 2 for e in g.edges.values())
    assert 0 <= min(n.x - n.w / 2 for n in nodes) and max(n.x + n.w / 2 for n in nodes) <= g.width
