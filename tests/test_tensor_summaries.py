"""Tensors by shape, not by dump: a value of more than ``SMALL`` numbers is shown by its shape and range.

The picture and the table print ``5×4 ∈ [-1.5991, 2.5672]`` (the two ends as PyTorch prints a tensor of
those two numbers), the narration ``5×4 values (-1.5991 to 2.5672)``; a click shows the values as
``repr(tensor)`` prints them (``Shown.full``, the scene's ``full``). No step of the real-torch models of
issue 20 says more than 300 characters, in English or in Chinese (view/brief.py cuts a step's lists).
The scalars and small vectors of the lessons are printed whole, as before.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from autograd_lab.narration import SMALL, Msg, Num, text
from autograd_lab.view import brief, graph, scene
from autograd_lab.view.values import Shown, fmt
from tests.support.examples import EXAMPLES, nn_sequential_batch, nn_small_cnn
from tests.support.requirements import require_torch

torch = require_torch()

MODELS = {"sequential": nn_sequential_batch, "cnn": nn_small_cnn}


def _ends(t) -> str:
    """``[min, max]`` of a torch tensor as torch itself prints a tensor of those two numbers."""
    return " ".join(repr(torch.stack([t.min(), t.max()]).detach())[len("tensor("):-1].split())


def _final(g, label: str):
    """The last state of the tensor drawn as ``label`` (its first node of that name)."""
    key = next(k for k, n in g.nodes.items() if n.kind == "tensor" and n.label == label)
    return key, g.state_at(len(g.steps) - 1)[key]


@pytest.fixture(scope="module")
def built():
    out = {}
    for name, make in MODELS.items():
        t, objs = make()
        out[name] = (t, objs, {lang: graph.build(t, lang=lang) for lang in ("en", "zh")})
    return out


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_step_of_the_models_says_more_than_300_characters(built, name, lang):
    g = built[name][2][lang]
    lengths = [len(s.text) for s in g.steps]
    # the chain rule stays: every node step of a node with a formula still says at least one rule
    from autograd_lab.view import chain
    def node_name(step):  # the node a step runs (its message, or the one the chain rule wraps)
        return step.message.params.get("step", step.message).params.get("name", "")

    ruled = [s for s in g.steps if s.kind == "node" and isinstance(chain.declared(node_name(s)), list)]
    assert len(ruled) >= 3 and all(("By the chain rule:" if lang == "en" else "按链式法则：") in s.text for s in ruled)
    assert len(lengths) > 25 and max(lengths) <= brief.LIMIT == 300, [
        (i, s.text) for i, s in enumerate(g.steps) if len(s.text) > 300]
    # the numbers of a big tensor are never dumped: at most SMALL numbers in any bracketed list
    for s in g.steps:
        for inner in re.findall(r"\[([^\[\]]*)\]", s.text):
            assert inner.count(",") < SMALL, (s.text, inner)


def test_the_summaries_are_torch_s_own_min_and_max(built):
    t, (net, x, loss), gs = built["sequential"]
    g = gs["en"]
    _, st = _final(g, "x")
    assert isinstance(st.value, Shown) and st.value == f"5×4 ∈ {_ends(x)}"
    # a click shows the values as repr(tensor) prints them, and torch's own min, max and mean
    assert st.value.full.split("\n")[:-1] == repr(x).split("\n")
    assert st.value.full.split("\n")[-1] == (f".min() {fmt(x.min().item())}  .max() {fmt(x.max().item())}"
                                             f"  .mean() {repr(x.mean())[len('tensor('):-1]}")
    w = net[0].weight
    _, st = _final(g, "net[0].weight")
    assert st.value == f"8×4 ∈ {_ends(w)}" and st.grad == f"8×4 ∈ {_ends(w.grad)}"
    assert st.grad.full.startswith(repr(w.grad)) and st.value.full.startswith(repr(w.detach()))
    # the narration's last step says the same range, in its plain numbers
    said = re.search(r"net\[0\]\.weight\.grad = 8×4 values \((\S+) to (\S+)\)", g.steps[-1].text)
    assert said, g.steps[-1].text
    assert [float(v) for v in said.groups()] == pytest.approx([w.grad.min().item(), w.grad.max().item()], abs=1e-4)
    # a value of one number stays a number: net[2].bias (1 number), its grad
    _, st = _final(g, "net[2].bias")
    assert not isinstance(st.value, Shown) and st.grad == fmt(net[2].bias.grad.tolist())


def test_a_value_the_recorder_kept_as_a_summary_says_its_shape_and_range(built):
    """The CNN's conv output (2×4×6×6 = 288 numbers) is kept by the recorder as min, max and mean only."""
    t, (conv, head, x, loss), gs = built["cnn"]
    with torch.no_grad():
        out = conv[0](x)  # the same weights: no optimizer step ran
    g = gs["en"]
    key = next(k for k, n in g.nodes.items() if n.kind == "tensor" and n.grad_fn
               and g.nodes[n.grad_fn].label == "ConvolutionBackward0")
    st = g.state_at(len(g.steps) - 1)[key]
    lo, hi = re.fullmatch(r"2×4×6×6 ∈ \[(\S+), (\S+)\]", st.value).groups()
    assert [float(lo), float(hi)] == pytest.approx([out.min().item(), out.max().item()], abs=1e-4)
    assert st.value.full.startswith("torch.Size([2, 4, 6, 6])\n.min()")
    mean = float(st.value.full.rsplit(" ", 1)[1])
    assert mean == pytest.approx(out.mean().item(), abs=1e-4)


def test_small_values_are_printed_whole_as_before():
    """Lessons' scalars and vectors: the same texts as PyTorch prints them, no Shown, no scene ``full``."""
    assert fmt(3.0) == "3." and fmt([1.0, 2.0]) == "[1., 2.]" and fmt([1.0, 3.0, 5.0, 7.0]) == "[1., 3., 5., 7.]"
    six = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]]
    assert fmt(six) == "[[1.0000, 2.0000, 3.0000], [4.0000, 5.0000, 6.5000]]" and not isinstance(fmt(six), Shown)
    seven = [0.5, 1.0, 2.0, 3.0, 4.0, 5.0, -6.0]
    assert fmt(seven) == f"7 ∈ {_ends(torch.tensor(seven))}" == "7 ∈ [-6., 5.]" and isinstance(fmt(seven), Shown)
    assert fmt(list(range(7))) == f"7 ∈ {_ends(torch.arange(7))}" == "7 ∈ [0, 6]"  # integers: no decimals
    for name, make in EXAMPLES.items():
        t = make()
        g = graph.build(t)
        states = [g.initial] + [s.changes for s in g.steps]
        assert not any(isinstance(v, Shown) for st in states for x in st.values() for v in x), name
        assert scene.scene(g, trace=t)["full"] == {}, name
        assert not any(re.search(r"\d values \(|∈", s.text) for s in g.steps), name


def test_a_tensor_says_its_dtype_where_it_is_not_float32():
    import autograd_lab as lab

    with lab.trace() as t:
        a = lab.tensor([[1.0, 2.0, 3.0, 4.0]] * 2, dtype=lab.float64)
        b = lab.arange(8)
        c = lab.ones(2, 4)
    g = graph.build(t)
    values = {n.label: g.state_at(len(g.steps) - 1)[k].value for k, n in g.nodes.items()}
    assert values == {"a": "2×4 float64 ∈ [1., 4.]", "b": "8 int64 ∈ [0, 7]", "c": "2×4 ∈ [1., 1.]"}
    assert values["a"].full.startswith("tensor([[1., 2., 3., 4.],") and "dtype=torch.float64)" in values["a"].full
    ta = torch.tensor([[1.0, 2.0, 3.0, 4.0]] * 2, dtype=torch.float64)
    assert values["a"].full.split("\n")[:-1] == repr(ta).split("\n")
    assert values["b"].full.split("\n")[0] == repr(torch.arange(8))


def test_the_scene_sends_what_a_click_shows_at_each_step(built):
    t, (net, x, loss), gs = built["sequential"]
    g = gs["en"]
    s = scene.scene(g, trace=t)
    key, st = _final(g, "net[0].weight")
    entries = s["full"][key]
    assert [e[0] for e in entries] == sorted(e[0] for e in entries)
    assert entries[-1] == [entries[-1][0], st.value.full, st.grad.full]
    # before it is made, nothing; made, its values; before backward its grad is None: nothing more to show
    assert entries[0] == [-1, "", ""]
    made = entries[1]
    assert made[1] == st.value.full and made[2] == "" and g.steps[made[0]].kind == "tensor"
    edges = [k for k, ed in g.edges.items() if k in s["full"]]
    assert edges and all(len(e) == 2 for k in edges for e in s["full"][k])  # an edge: [step, its grad's]


def test_a_long_step_is_cut_by_its_lists_chain_rules_first():
    sends = [Msg("step.node.send", grad=Num(float(i)), to=f"AccumulateGrad (for a_rather_long_name_{i})")
             for i in range(5)]
    rules = [Msg("step.chain.rule_formula", to=f"a_rather_long_name_{i}", formula="grad · other_long_name",
                 result=Num(float(i))) for i in range(3)]
    msg = Msg("step.chain.step", step=Msg("step.node.runs", name="MulBackward0", grad=Num(1.0), sends=sends),
              rules=rules)
    for lang in ("en", "zh"):
        whole, cut = text(msg, lang), brief.said(msg, lang)
        assert len(whole) > 300 >= len(cut), (whole, cut)
        assert cut.count("a_rather_long_name_0") == 2  # the first send and the first rule stay
        assert ("2 more" in cut) if lang == "en" else ("另外 2 个" in cut)  # the other two rules
    short = Msg("step.node.runs", name="MulBackward0", grad=Num(1.0), sends=sends[:2])
    assert brief.said(short, "en") == text(short, "en")
