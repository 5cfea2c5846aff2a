"""Names as the student writes them (record/names.py): variables, paths through containers,
expressions from the source line, rebound names told apart, and ``t<id>`` only as a last resort."""
from __future__ import annotations

import json
import random
import re

import pytest

import autograd_lab as torch
from autograd_lab import trace
from autograd_lab.record import names as nm
from autograd_lab.record.events import Trace
from autograd_lab.view import graph, scene
from autograd_lab.view.structure import Builder

MADE_UP = re.compile(r"^t\d+$")


def shown(t):
    """Every tensor id of the trace's events -> the name the viewer shows."""
    ids = []
    for e in t.events:
        if e.kind == "tensor":
            ids.append(e.tensor)
        elif e.kind == "op":
            ids += [i for i in e.inputs if i is not None] + [e.output]
    return {i: t.display_name(i) for i in dict.fromkeys(ids)}


def by_name(t):
    return {v: k for k, v in {**t.names, **t.expr_names}.items()}


# ------------------------------------------------------------------------------- variables

def test_a_variable_keeps_its_name():
    with trace() as t:
        w = torch.tensor(2.0, requires_grad=True)
        x = torch.tensor(3.0)
        y = w * x
        y.backward()
    ids = by_name(t)
    assert {"w", "x", "y"} <= set(t.names.values())
    assert ids["w"] == t.tid(w) and ids["y"] == t.tid(y) and ids["x"] == t.tid(x)


def test_the_traced_blocks_variable_beats_a_helpers_local():
    def double(a):
        out = a * 2
        return out

    with trace() as t:
        x = torch.tensor(3.0, requires_grad=True)
        y = double(x)
    assert t.names[t.tid(y)] == "y"


def test_a_helpers_local_names_what_the_block_does_not():
    def double(a):
        out = a * 2
        return out

    with trace() as t:
        x = torch.tensor(3.0, requires_grad=True)
        y = double(x) + 1
    assert t.names[t.tid(y)] == "y"
    assert "out" in t.names.values()


# ------------------------------------------------------------------------------- containers

class _Neuronish:
    def __init__(self):
        self.w = [torch.tensor(float(i), requires_grad=True) for i in range(3)]
        self.b = torch.tensor(0.5, requires_grad=True)


def test_paths_through_lists_dicts_and_objects():
    with trace() as t:
        xs = [torch.tensor(float(i)) for i in range(4)]
        layers = [[[torch.tensor(i + j + k * 0.1) for k in range(3)] for j in range(3)] for i in range(2)]
        params = {"w": torch.tensor(1.0, requires_grad=True), 3: torch.tensor(2.0)}
        n = _Neuronish()
        z = xs[2] * layers[1][2][1] + params["w"] * n.w[0] + params[3] * n.b
    names = t.names
    assert names[t.tid(xs[2])] == "xs[2]"
    assert names[t.tid(layers[1][2][1])] == "layers[1][2][1]"
    assert names[t.tid(params["w"])] == 'params["w"]'
    assert names[t.tid(params[3])] == "params[3]"
    assert names[t.tid(n.w[0])] == "n.w[0]"
    assert names[t.tid(n.b)] == "n.b"
    assert names[t.tid(z)] == "z"


def test_a_variable_beats_a_path_and_the_shortest_path_wins():
    with trace() as t:
        w = torch.tensor(1.0, requires_grad=True)
        deep = {"a": [[w]], "b": [torch.tensor(2.0)]}
        alias = [deep["b"][0]]
        y = w * alias[0]
    assert t.names[t.tid(w)] == "w"
    assert t.names[t.tid(alias[0])] == "alias[0]"  # one step, not deep["b"][0] (two)
    assert t.names[t.tid(y)] == "y"


def test_scan_is_bounded_and_cycles_end():
    a: list = []
    a.append(a)                        # a cycle
    big = list(range(100_000))         # more objects than the scan visits
    t1 = torch.tensor(1.0)
    found = list(nm.scan([("a", a), ("big", big), ("late", [t1])], lambda v: v is t1, max_objects=1000))
    assert found == []                 # the budget ran out in `big` before `late`
    found = list(nm.scan([("a", a), ("late", [t1])], lambda v: v is t1))
    assert found == [("late[0]", t1)]
    deep = [[[[[[[[[[t1]]]]]]]]]]      # 10 levels: deeper than MAX_DEPTH
    assert list(nm.scan([("deep", deep)], lambda v: v is t1)) == []


def test_nn_modules_are_named_as_a_reader_writes_them():
    real = pytest.importorskip("torch")
    model = real.nn.Sequential(real.nn.Linear(3, 4), real.nn.Tanh(), real.nn.Linear(4, 1))

    class Net(real.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = model
            self.head = real.nn.Linear(1, 1)

    net = Net()
    found = dict(nm.scan([("net", net)], lambda v: isinstance(v, real.Tensor)))
    got = {p: id(v) for p, v in found.items()}
    assert got["net.body[0].weight"] == id(model[0].weight)
    assert got["net.body[2].bias"] == id(model[2].bias)
    assert got["net.head.weight"] == id(net.head.weight)
    # A Namer keyed by id, as a recorder of real PyTorch would use it:
    namer = nm.Namer()
    namer.scan([("model", model)], id, lambda v: isinstance(v, real.Tensor))
    names, exprs, full = namer.resolve([id(model[0].weight), id(model[2].bias)])
    assert names == {id(model[0].weight): "model[0].weight", id(model[2].bias): "model[2].bias"}


# ------------------------------------------------------------------------------- expressions

def test_intermediates_are_named_by_their_expression():
    with trace() as t:
        w = torch.tensor(2.0, requires_grad=True)
        x = torch.tensor(3.0)
        b = torch.tensor(-1.0, requires_grad=True)
        y = (w * x + b).relu()
        loss = y.sum() * 2 + (-y) ** 2
        loss.backward()
    ids = by_name(t)
    assert set(t.expr_names.values()) == {"w * x", "w * x + b", "y.sum()", "y.sum() * 2", "-y", "(-y) ** 2"}
    assert t.names[t.tid(y)] == "y" and t.names[t.tid(loss)] == "loss"
    assert not (set(t.names.values()) & set(t.expr_names.values()))
    ev = {e.output: e for e in t.events if e.kind == "op"}
    assert ev[ids["w * x"]].op == "mul" and ev[ids["w * x + b"]].op == "add"
    assert ev[ids["y.sum()"]].op == "sum" and ev[ids["-y"]].op == "neg"


def test_long_expressions_are_shortened_with_the_whole_text_kept():
    with trace() as t:
        first_weight = torch.tensor(2.0, requires_grad=True)
        second_input = torch.tensor(3.0)
        z = ((first_weight * second_input + first_weight).tanh() * second_input).sum()
    long = [k for k, v in t.expr_names.items() if "…" in v]
    assert long, t.expr_names
    for k in long:
        assert len(t.expr_names[k]) <= nm.MAX_LEN + 2
        assert "…" not in t.full_names[k]
    k = next(k for k, v in t.full_names.items() if v == "(first_weight * second_input + first_weight).tanh()")
    assert t.expr_names[k] == "(… + first_weight).tanh()"
    assert t.names[t.tid(z)] == "z"


def test_shorten():
    import ast
    assert nm.shorten(ast.parse("w * x", mode="eval").body) == "w * x"
    node = ast.parse("sum((wi * xi for wi, xi in zip(self.w, x)), self.b)", mode="eval").body
    assert nm.shorten(node) == "sum(…)"
    node = ast.parse("a_rather_long_variable_name_indeed_yes", mode="eval").body
    s = nm.shorten(node)
    assert s.endswith("…") and len(s) == nm.MAX_LEN
    node = ast.parse("torch.nn.functional.mse_loss(prediction, target)", mode="eval").body
    assert nm.shorten(node) == "mse_loss(…)"
    node = ast.parse("(first_weight * second_input + first_weight).tanh()", mode="eval").body
    assert nm.shorten(node) == "(… + first_weight).tanh()"


def test_ops_inside_a_call_are_not_the_calls_value():
    with trace() as t:
        ws = [torch.tensor(float(i), requires_grad=True) for i in range(3)]
        xs = [torch.tensor(1.0), torch.tensor(2.0), torch.tensor(3.0)]
        act = sum((wi * xi for wi, xi in zip(ws, xs)), ws[0])
    adds = [e for e in t.events if e.kind == "op" and e.op == "add"]
    assert [t.display_name(e.output) for e in adds] == ["sum(…) › add", "sum(…) › add #2", "act"]
    muls = [e for e in t.events if e.kind == "op" and e.op == "mul"]
    assert [t.display_name(e.output) for e in muls] == ["wi * xi", "wi * xi #2", "wi * xi #3"]


def test_no_source_falls_back_to_variable_names_and_made_up_ones():
    ns: dict = {"torch": torch}
    with trace(namespace=ns) as t:
        exec("w = torch.tensor(2.0, requires_grad=True)\ny = (w * 3).exp()\n", ns)
    assert t.names[t.tid(ns["w"])] == "w" and t.names[t.tid(ns["y"])] == "y"
    mul = next(e for e in t.events if e.kind == "op" and e.op == "mul")
    assert mul.output not in t.names and mul.output not in t.expr_names
    assert t.display_name(mul.output) == f"t{mul.output}"


# ------------------------------------------------------------------------------- rebinding

def test_a_name_rebound_in_a_loop_is_told_apart():
    with trace() as t:
        w = torch.tensor(0.5, requires_grad=True)
        y = torch.tensor(1.0)
        for _ in range(3):
            y = y * w
        y.backward()
    outs = [e.output for e in t.events if e.kind == "op"]
    assert [t.display_name(i) for i in outs] == ["y #2", "y #3", "y #4"]
    assert t.display_name(t.tid(y)) == "y #4"  # the value `y` holds at the end
    first = next(e.tensor for e in t.events if e.kind == "tensor" and e.value == 1.0)
    assert t.display_name(first) == "y"


def test_names_are_unique_and_stable_while_the_trace_grows():
    with trace() as t:
        w = torch.tensor(0.5, requires_grad=True)
        y = w * 2
        before = dict(t.names)
        y = y * w
        y = y * w
    assert before[t.tid(w)] == "w"
    assert all(t.names.get(k, t.expr_names.get(k)) == v for k, v in before.items())
    shown_names = list(shown(t).values())
    assert len(shown_names) == len(set(shown_names))


# ------------------------------------------------------------------------------- micrograd MLP

class Neuron:
    def __init__(self, nin):
        self.w = [torch.tensor(random.uniform(-1, 1), requires_grad=True) for _ in range(nin)]
        self.b = torch.tensor(0.0, requires_grad=True)

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        out = act.tanh()
        return out


class Layer:
    def __init__(self, nin, nout):
        self.neurons = [Neuron(nin) for _ in range(nout)]

    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs


class MLP:
    def __init__(self, nin, nouts):
        sz = [nin] + nouts
        self.layers = [Layer(sz[i], sz[i + 1]) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def test_micrograd_mlp_has_no_made_up_names():
    random.seed(1)
    with trace() as t:
        model = MLP(3, [4, 4, 1])
        xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5]]
        ys = [1.0, -1.0]
        inputs = [[torch.tensor(v) for v in row] for row in xs]
        preds = [model(row) for row in inputs]
        loss = sum((p - y) ** 2 for p, y in zip(preds, ys))
        loss.backward()
    # what the user's containers reach, with the path a reader writes
    expected = {}
    for i, layer in enumerate(model.layers):
        for j, n in enumerate(layer.neurons):
            for k, w in enumerate(n.w):
                expected[t.tid(w)] = f"model.layers[{i}].neurons[{j}].w[{k}]"
            expected[t.tid(n.b)] = f"model.layers[{i}].neurons[{j}].b"
    for r, row in enumerate(inputs):
        for c, v in enumerate(row):
            expected[t.tid(v)] = f"inputs[{r}][{c}]"
    for r, p in enumerate(preds):
        expected[t.tid(p)] = f"preds[{r}]"
    assert len(expected) == 41 + 6 + 2
    assert {k: t.names.get(k) for k in expected} == expected
    names = shown(t)
    assert len(names) > 150
    assert not [v for v in names.values() if MADE_UP.match(v)]
    assert len(set(names.values())) == len(names)
    assert names[t.tid(loss)] == "loss"


# ------------------------------------------------------------------------------- JSON, viewer

def test_names_survive_json():
    with trace() as t:
        w = torch.tensor(2.0, requires_grad=True)
        ws = [w, torch.tensor(1.0, requires_grad=True)]
        y = torch.tensor(1.0)
        for v in ws:
            y = y * v + (v * 2 * v * v * v).tanh().exp()
        y.backward()
    data = json.loads(t.to_json())
    assert set(data) == {"version", "names", "expr_names", "full_names", "leaf_of", "events"}
    back = Trace.from_json(t.to_json())
    assert back.names == t.names and back.expr_names == t.expr_names and back.full_names == t.full_names
    assert t.full_names and t.expr_names
    assert [back.display_name(i) for i in shown(t)] == list(shown(t).values())
    assert [tuple(e) for e in back.events] == [tuple(e) for e in t.events]
    # an older file (names only) still loads
    del data["expr_names"], data["full_names"]
    old = Trace.from_json(json.dumps(data))
    assert old.names == t.names and old.expr_names == {} and old.full_names == {}


def test_the_viewer_shows_the_names():
    from autograd_lab.view.graph import TraceGraph
    with trace() as t:
        w = torch.tensor(2.0, requires_grad=True)
        x = torch.tensor(3.0)
        y = (w * x).exp()
    b = Builder(t, TraceGraph())
    for e in b.events:
        b.structure(e)
    labels = {n.label for n in b.nodes.values() if n.kind == "tensor"}
    assert labels == {"w", "x", "w * x", "y"}


def test_the_playground_names_as_a_direct_run_does(tmp_path):
    from autograd_lab.playground import run
    source = ("w = tensor(0.5, requires_grad=True)\ny = tensor(1.0)\nfor i in range(3):\n    y = y * w\n"
              "z = (y * w + 1).exp()\nz.backward()\n")
    t = run(source)
    ops = [e for e in t.events if e.kind == "op"]
    assert [t.display_name(e.output) for e in ops] == ["y #2", "y #3", "y #4", "y * w", "y * w + 1", "z"]
    path = tmp_path / "snippet.py"
    path.write_text(source)
    ns: dict = {"tensor": torch.tensor}
    with trace(namespace=ns) as direct:
        exec(compile(source, str(path), "exec"), ns)
    assert [direct.display_name(e.output) for e in direct.events if e.kind == "op"] == \
        [t.display_name(e.output) for e in ops]


def test_a_recorder_of_real_pytorch_can_use_the_namer():
    import dis
    import sys
    real = pytest.importorskip("torch")
    frame = sys._getframe()
    namer = nm.Namer(trace_code=frame.f_code)    # matches=None: each op is its instruction's expression
    is_tensor = lambda v: isinstance(v, real.Tensor)  # noqa: E731
    model = real.nn.Sequential(real.nn.Linear(2, 1))
    x = real.ones(2)
    line = sys._getframe().f_lineno + 1
    h = (model[0].weight @ x) * 2
    ops = {i.argrepr: i.offset for i in dis.get_instructions(frame.f_code)
           if i.opname == "BINARY_OP" and i.positions.lineno == line}
    namer.site(777, frame.f_code, ops["@"], "mm", (id(model[0].weight), id(x)))  # (777: a tensor gone since)
    namer.site(id(h), frame.f_code, ops["*"], "mul", (777,))
    namer.scan_frame(frame, id, is_tensor)
    assert namer.name_for(id(model[0].weight)) == "model[0].weight"
    assert namer.name_for(id(x)) == "x" and namer.name_for(id(h)) == "h"
    assert namer.name_for(777) == "model[0].weight @ x"
    assert namer.name_for(12345) is None


def test_a_gradient_is_named_by_its_tensor():
    with trace() as t:
        w = torch.tensor(2.0, requires_grad=True)
        (w * w).backward()
        step = w.grad * 0.1
    grad_in = next(e.inputs[0] for e in t.events if e.kind == "op" and e.output == t.tid(step))
    assert t.names[grad_in] == "w.grad" and t.names[t.tid(step)] == "step"


# --- code composed from names: brackets by operator precedence ------------------------------------

@pytest.mark.parametrize("name, composed", [
    ("y", "y.grad_fn"), ("y * y", "(y * y).grad_fn"), ("v - 1", "(v - 1).grad_fn"), ("a ** 3", "(a ** 3).grad_fn"),
    ("v.sum(0)", "v.sum(0).grad_fn"), ("xs[2]", "xs[2].grad_fn"), ("-a", "(-a).grad_fn"), ("y #2", "(y #2).grad_fn"),
    ("(… * … + b).tanh()", "(… * … + b).tanh().grad_fn"), ("mse_loss(p, y) › sub", "mse_loss(p, y) › sub.grad_fn"),
])
def test_a_name_before_an_attribute_is_bracketed_when_python_needs_it(name, composed):
    assert nm.receiver(name) + ".grad_fn" == composed


def test_composed_code_reads_as_python_evaluates_it():
    assert nm.method_call("a * 2", "sum") == "(a * 2).sum()"
    assert nm.method_call("v", "sum", ["0"]) == "v.sum(0)"
    assert nm.binop("a + b", "*", "c") == "(a + b) * c" and nm.binop("a * b", "+", "c * d") == "a * b + c * d"
    assert nm.binop("a", "-", "b - c") == "a - (b - c)" and nm.binop("a - b", "-", "c") == "a - b - c"
    assert nm.binop("-a", "**", "2") == "(-a) ** 2" and nm.binop("a", "**", "b ** 2") == "a ** b ** 2"
    for left, sym, right in [("a + b", "*", "c"), ("a", "-", "b - c"), ("-a", "**", "2"), ("a ** 2", "**", "b")]:
        env = {"a": 2.0, "b": 3.0, "c": 5.0}
        code = nm.binop(left, sym, right)
        assert eval(code, env) == eval(f"({left}) {sym} ({right})", env), code  # noqa: S307 - our own strings


def test_the_operand_of_an_expression_is_its_source():
    assert nm.operand("a ** 3", 1) == "3" and nm.operand("a ** 3", 0) == "a"
    assert nm.operand("e.mul_(3)", 1) == "3" and nm.operand("v - 1", 1) == "1"
    assert nm.operand("w", 1) is None and nm.operand("a ** 3", 2) is None


def test_a_name_rebound_in_a_loop_is_numbered_so_that_it_cannot_read_as_a_call():
    """``out #29``, ``wi * xi #30``: not ``out (29)`` / ``wi * xi (30)``, which read as calls ``xi(30)``; the
    table, the picture and the narration say the same name, and composed code brackets it as one."""
    with trace() as t:
        w = [torch.tensor(0.5 * (i + 1), requires_grad=True) for i in range(3)]
        x = [torch.tensor(float(i + 2)) for i in range(3)]
        out = torch.tensor(0.0)
        for _ in range(2):
            for wi, xi in zip(w, x):
                out = out + wi * xi
        out.backward()
    names = [t.display_name(e.output) for e in t.events if e.kind == "op"]
    assert names[:4] == ["wi * xi", "out #2", "wi * xi #2", "out #3"], names
    assert names[-1] == "out #7" and t.display_name(t.tid(out)) == "out #7"
    assert not any(re.search(r"\(\d+\)", n) for n in names), names
    assert nm.binop("out #2", "+", "wi * xi #3") == "(out #2) + (wi * xi #3)"
    assert nm.method_call("out #7", "backward") == "(out #7).backward()"
    s = scene.scene(graph.build(t), trace=t)
    labels = [n["label"] for n in s["nodes"] if n["kind"] == "tensor"]
    assert "out #7" in labels and "wi * xi #6" in labels
    assert any("out #7" in step["text"] for step in s["steps"]), "the narration names it as the table does"
