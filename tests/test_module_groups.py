"""The graph of an nn model grouped by its module calls, and the names a reader uses in it.

The three models of a first nn lesson (tests/support/examples.py: ``sequential_mlp``, ``small_cnn``,
``transformer_block``) recorded in real torch, and the Sequential in ``autograd_lab.nn``: which
module call each op ran in (record/modules.py), the boxes of the first picture and their labels
(view/modules.py), the order "by group" steps through them, the names of what the modules made.
"""
from __future__ import annotations

import json

import pytest

import autograd_lab as lab
from autograd_lab.view import graph
from tests.support.examples import mlp, sequential_mlp, small_cnn, transformer_block
from tests.support.requirements import require_torch

torch = require_torch()


def _core_sequential():
    return sequential_mlp(lab)


def _top_labels(g):
    return [grp.label for grp in g.groups.values() if grp.parent is None]


def _children(g, label):
    (grp,) = [x for x in g.groups.values() if x.label == label]
    return [g.groups[c].label for c in grp.children]


def _units(g) -> list:
    """The boxes the steps run in, in order ('·' for a step about a node drawn on its own), each run once."""
    seq = []
    for i in range(len(g.steps)):
        u = g.unit(i)
        label = g.groups[u].label if u else "·"
        if not seq or seq[-1] != label:
            seq.append(label)
    return seq


def _names(t) -> dict:
    """Op name -> the names of its outputs, in order."""
    out: dict = {}
    for e in t.events:
        if e.kind == "op" and e.output is not None:
            out.setdefault(e.op, []).append(t.display_name(e.output))
    return out


# ------------------------------------------------------------------------------ what is recorded
@pytest.mark.parametrize("make", [sequential_mlp, _core_sequential], ids=["torch", "core"])
def test_each_op_carries_the_module_call_it_ran_in(make):
    t = make()
    table = t.modules
    assert [(row[1], row[2]) for row in table.values()] == [
        ("net", "Sequential"), ("net[0]", "Linear"), ("net[1]", "ReLU"), ("net[2]", "Linear")]
    assert [table[c][0] for c in table] == [None, 1, 1, 1]  # net[i] called inside net
    where = [(e.op, table[e.module][1] if e.module else None) for e in t.events if e.kind == "op"]
    assert [m for op, m in where if op == "relu"] == ["net[1]"]
    assert [m for op, m in where if op in ("pow", "mean")] == [None, None]  # after the model: outside it
    assert {m for op, m in where if op in ("addmm", "linear", "t")} == {"net[0]", "net[2]"}


def test_modules_survive_json_and_give_the_same_groups():
    t = small_cnn()
    back = lab.Trace.from_json(t.to_json())
    assert back.modules == t.modules and list(back.events) == list(t.events)
    assert "modules" in json.loads(t.to_json())
    assert "modules" not in json.loads(mlp((3, 2, 1)).to_json())  # (no module: the JSON as before)
    a, b = graph.build(t), graph.build(back)
    assert [(x.label, x.members, x.parent) for x in a.groups.values()] == \
           [(x.label, x.members, x.parent) for x in b.groups.values()]


def test_torch_hooks_are_removed_and_an_error_inside_forward_ends_the_call():
    from torch import nn

    class Broken(nn.Module):
        def forward(self, x):
            raise ValueError("no")

    hooks = torch.nn.modules.module
    before = (len(hooks._global_forward_pre_hooks), len(hooks._global_forward_hooks))
    with lab.trace() as t:
        outer = nn.Sequential(nn.Linear(2, 2), Broken())
        x = torch.ones(1, 2)
        try:
            outer(x)
        except ValueError:
            pass
        lin = nn.Linear(2, 1)
        lin(x).sum().backward()
    assert (len(hooks._global_forward_pre_hooks), len(hooks._global_forward_hooks)) == before
    rows = {row[1]: row for row in t.modules.values()}
    assert rows["lin"][0] is None  # called after the failed forward: at the top, not inside outer[1]
    assert rows["outer[1]"][0] == next(c for c, r in t.modules.items() if r[1] == "outer")


def test_an_error_inside_a_core_forward_ends_the_call():
    from autograd_lab.core import recording

    class Broken(lab.nn.Module):
        def forward(self, x):
            raise ValueError("no")

    with lab.trace() as t:
        outer = lab.nn.Sequential(lab.nn.Linear(2, 2), Broken())
        x = lab.ones(1, 2)
        try:
            outer(x)
        except ValueError:
            pass
        lin = lab.nn.Linear(2, 1)
        lin(x).sum().backward()
    assert recording.module_stack == []
    rows = {row[1]: row for row in t.modules.values()}
    assert rows["lin"][0] is None


# ------------------------------------------------------------------------------ the boxes
@pytest.mark.parametrize("make", [sequential_mlp, _core_sequential], ids=["torch", "core"])
def test_sequential_shows_one_box_per_layer(make):
    g = graph.build(make())
    assert _top_labels(g) == ["net[0]", "net[1]", "net[2]"]  # (net itself, the whole model, opened in place)
    assert all(grp.collapsed for grp in g.groups.values())
    boxes = [k for k in g.overview["nodes"] if k in g.groups]
    assert sorted(g.groups[k].label for k in boxes) == ["net[0]", "net[1]", "net[2]"]
    # the ops after the model are nodes of their own; the parameters are inside their layer
    outside = {g.nodes[k].label for k in g.nodes if k not in g.group_of}
    assert {"x", "net(x).pow(2)", "net(x).pow(2).mean()"} <= outside
    first = next(grp for grp in g.groups.values() if grp.label == "net[0]")
    inside = {g.nodes[k].label for k in first.members}
    assert {"net[0].weight", "net[0].bias", "net[0] output"} <= inside and "x" not in inside


def test_cnn_shows_conv_and_head_and_conv_opens_into_its_layers():
    g = graph.build(small_cnn())
    assert _top_labels(g) == ["conv", "head"]
    assert _children(g, "conv") == ["conv[0]", "conv[1]", "conv[2]", "conv[3]"]
    outside = {g.nodes[k].label for k in g.nodes if k not in g.group_of}
    assert "loss" in outside and "conv(x).flatten(1)" in outside  # functional ops between the modules


def test_transformer_block_shows_its_parts_and_residuals_between_them():
    g = graph.build(transformer_block())
    assert _top_labels(g) == ["block.ln1", "block.attn", "block.ln2", "block.mlp"]
    assert _children(g, "block.attn") == ["block.attn.qkv", "block.attn.proj"]
    assert _children(g, "block.mlp") == ["block.mlp[0]", "block.mlp[1]", "block.mlp[2]"]
    adds = [k for k in g.nodes if g.nodes[k].label == "AddBackward0"]
    assert len(adds) == 2 and not any(k in g.group_of for k in adds)  # the two residuals
    attn = next(grp for grp in g.groups.values() if grp.label == "block.attn")
    labels = {g.nodes[k].label for k in attn.members}
    assert {"SoftmaxBackward0", "mask", "block.attn.qkv.weight"} <= labels  # its mask is made in its forward


@pytest.mark.parametrize("make, forward", [
    (sequential_mlp, ["net[0]", "net[1]", "net[2]"]),
    (small_cnn, ["conv", "head"]),
    (transformer_block, ["block.ln1", "block.attn", "block.ln2", "block.mlp"]),
], ids=["sequential", "cnn", "transformer"])
def test_by_group_steps_module_by_module_forward_then_backward(make, forward):
    g = graph.build(make())
    seq = [u for u in _units(g) if u != "·"]
    assert seq == forward + forward[::-1]  # the backward enters the last module first
    i, clicks = 0, 0
    while (j := g.step_after(i, "group")) != i:
        i, clicks = j, clicks + 1
    assert clicks < len(g.steps) / 2  # a box is one click


def test_micrograd_loops_keep_their_loop_boxes():
    g = graph.build(mlp((3, 4, 4, 1)))
    assert g.groups and all("net" not in grp.label for grp in g.groups.values())
    assert any("×" in grp.label for grp in g.groups.values())


# ------------------------------------------------------------------------------ names
@pytest.mark.parametrize("make", [sequential_mlp, _core_sequential], ids=["torch", "core"])
def test_module_outputs_and_inner_nodes_are_named_for_what_they_are(make):
    t = make()
    names = _names(t)
    assert names["t"] == ["net[0].weight.T", "net[2].weight.T"]  # the transposed weights inside linear
    assert names["relu"] == ["net[1] output"]
    assert "net[0] output" in names.get("linear", []) + names.get("addmm", [])
    g = graph.build(t, lang="zh")
    assert "net[0] 的输出" in {n.label for n in g.nodes.values()}


def test_self_inside_forward_is_the_modules_name():
    t = transformer_block()
    every = [t.display_name(e.output) for e in t.events if e.kind == "op" and e.output is not None]
    assert not any("self" in n for n in every)
    assert "block.attn.qkv(x)" in every and "block.ln1(x)" in every
    assert "block.attn.qkv.weight.T" in every and "block.mlp[0] output" in every
    assert _names(t)["chunk"] == ["q", "k", "v"]  # ``q, k, v = self.qkv(x).chunk(3, dim=-1)``: the forward's variables


def test_the_users_variable_wins_over_an_inner_ops_output():
    t = small_cnn()
    names = _names(t)
    assert names["cross_entropy"] == ["loss"]
    assert names["log_softmax"] != ["loss"] and not any("#" in n for n in names["log_softmax"] + names["linear"])
    assert names["linear"] == ["logits"] and names["t"] == ["head.weight.T"]


def test_a_transposed_weight_inside_linear_shows_its_value():
    """torch never hands ``linear``'s TBackward0 result to Python: its value is the weight's, transposed."""
    torch.manual_seed(0)
    with lab.trace() as t:
        net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
        net(torch.randn(5, 4)).sum().backward()
    ts = [e for e in t.events if e.kind == "op" and e.op == "t"]
    assert [t.display_name(e.output) for e in ts] == ["net[0].weight.T", "net[2].weight.T"]
    for e, layer in zip(ts, (net[0], net[2])):
        want = layer.weight.detach().T
        assert e.shape == tuple(want.shape)
        assert torch.allclose(torch.tensor(e.value), want)


def test_a_module_called_again_has_a_box_per_call_numbered():
    torch.manual_seed(0)
    with lab.trace() as t:
        net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
        x = torch.randn(5, 4)
        for _ in range(3):
            net.zero_grad()
            net(x).pow(2).mean().backward()
    g = graph.build(t)
    assert _top_labels(g) == ["net", "net #2", "net #3"]
    assert _children(g, "net #2") == ["net[0] #2", "net[1] #2", "net[2] #2"]


class _CoreMLP(lab.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = lab.nn.Linear(3, 4)
        self.fc2 = lab.nn.Linear(4, 1)

    def forward(self, x):
        h = self.fc1(x).relu()
        return self.fc2(h)


def test_a_core_model_class_is_grouped_and_named_by_its_attributes():
    lab.manual_seed(0)
    with lab.trace() as t:
        model = _CoreMLP()
        x = lab.randn(2, 3)
        loss = lab.nn.functional.mse_loss(model(x), lab.zeros(2, 1))
        loss.backward()
    names = _names(t)
    assert names["t"] == ["model.fc1.weight.T", "model.fc2.weight.T"]
    assert names["addmm"] == ["model.fc1(x)", "model.fc2(h)"]  # (``self.fc1(x)`` in forward: self is model)
    assert names["relu"] == ["h"] and names["mse_loss"] == ["loss"]
    g = graph.build(t)
    assert _top_labels(g) == ["model.fc1", "model.fc2"]
    # the parameters made (in their layers' boxes), the forward, the backward from the last layer
    assert _units(g) == ["model.fc1", "model.fc2", "·", "model.fc1", "·", "model.fc2", "·",
                         "model.fc2", "·", "model.fc1", "·"]


def test_a_lone_module_is_drawn_open():
    with lab.trace() as t:
        lin = torch.nn.Linear(2, 1)
        lin(torch.ones(3, 2)).sum().backward()
    g = graph.build(t)
    (grp,) = g.groups.values()
    assert grp.label == "lin" and not grp.collapsed  # a frame named lin around its nodes, not a closed box
