"""Every backward node's declared chain-rule formula (core/formulas.py) against what the engine sent.

For each op of the registry (tests/support/ops.py), in the core and in real torch: run it on inputs from
its domain, read every node's saved values (its ``_saved_*`` attributes, as PyTorch exposes
them), catch the gradients each node receives and sends (node hooks), evaluate the node's formula
with those numbers and compare. The second-order pass (create_graph=True) does the same for the
nodes the backward formulas build. Then the narration: the player's step of a node says its
formula with the student's names and the numbers.
"""
from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import autograd_lab as lab
from autograd_lab.core import formulas as FM
from autograd_lab.core.function import Function
from autograd_lab.view import graph

from tests.support.ops import OPS, _spread

LIBS = {"core": lab, "torch": torch}
CHECKED: dict = {"core": set(), "torch": set()}   # node names whose formula was checked, per library
UNKNOWN_TORCH: set = set()                         # torch nodes met that the table does not have
RAN: set = set()                                   # (op name, library) checked so far


def _inputs(op, seed=0):
    rng = np.random.default_rng(seed)
    xs = []
    for shape in op.shapes:
        v = rng.uniform(op.low, op.high, shape)
        for p in op.away_from:
            near = np.abs(v - p) < 0.05
            v = np.where(near, p + 0.1, v)
        xs.append(v)
    return _spread(xs) if op.distinct else tuple(xs)


def _nodes(roots):
    out, seen, stack = [], set(), [r for r in roots if r is not None]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        out.append(n)
        stack.extend(m for m, _ in n.next_functions if m is not None)
    return out


def _value(v):
    if isinstance(v, torch.Tensor) and v._is_zerotensor():  # (torch's efficient zeros hold no storage)
        return np.zeros(tuple(v.shape))
    if isinstance(v, (torch.Tensor, lab.Tensor)):
        a = np.array(v.detach().tolist())
        return a.astype(np.float64) if a.dtype.kind == "f" else a
    return v


def _env(node) -> dict:
    env = {}
    for attr in dir(node):
        if attr.startswith("_saved_"):
            try:
                env[attr[len("_saved_"):]] = _value(getattr(node, attr))
            except (RuntimeError, OverflowError):  # strides of a view torch keeps unallocated, an unsigned index
                pass
    return env


def _watch(nodes, seen):
    """Hooks on the nodes (not AccumulateGrad): what each received and sent, with its saved values."""
    calls = {}
    for n in nodes:
        if "AccumulateGrad" in n.name() or id(n) in seen:
            continue
        seen.add(id(n))
        env = _env(n)

        def hook(grad_inputs, grad_outputs, n=n, env=env):
            calls[id(n)] = (n.name(), env, grad_inputs, grad_outputs)
        n.register_hook(hook)
    return calls


def _check(lib_key, calls, failures, missing):
    for name, env, grad_inputs, grad_outputs in calls.values():
        entry = FM.lookup(name)
        if entry is None:
            missing.add(name)
            continue
        if isinstance(entry, FM.NoFormula):
            continue
        env = dict(env, grad=_value(grad_outputs[0]))
        for k, gi in enumerate(grad_inputs):
            if gi is None or entry.at(k) is None or entry.at(k)[2] is None:
                continue
            actual = _value(gi)
            want = FM.sent(entry, k, env, shape=np.shape(actual))
            if entry.shape_only:
                ok = np.shape(want) == np.shape(actual)
            else:
                ok = np.shape(want) == np.shape(actual) and np.allclose(want, actual, rtol=1e-6, atol=1e-9)
            if not ok:
                failures.append(f"{name} -> {entry.at(k)[0]}: formula {entry.at(k)[1]!r} gives {want!r}, "
                                f"the engine sent {actual!r}")
        CHECKED[lib_key].add(FM.key(name))


@pytest.mark.parametrize("lib_key", ["core", "torch"])
@pytest.mark.parametrize("op", OPS, ids=str)
def test_formulas_match_the_engine(op, lib_key):
    _check_op(op, lib_key)


def _check_op(op, lib_key):
    RAN.add((op.name, lib_key))
    L = LIBS[lib_key]
    xs = [L.tensor(v, dtype=L.float64, requires_grad=True) for v in _inputs(op)]
    out = op.fn(L, *xs)
    seen: set = set()
    calls = _watch(_nodes([out.grad_fn]), seen)
    rng = np.random.default_rng(1)
    seed = L.tensor(rng.uniform(0.5, 1.5, tuple(out.shape)), dtype=L.float64)
    failures, missing = [], set()
    if op.second_order:
        grads = L.autograd.grad(out, xs, seed, create_graph=True, allow_unused=True)
        _check(lib_key, calls, failures, missing)
        grads = [g for g in grads if g is not None and g.grad_fn is not None]
        calls = _watch(_nodes([g.grad_fn for g in grads]), seen)
        total = sum((g * L.tensor(rng.uniform(0.5, 1.5, tuple(g.shape)), dtype=L.float64)).sum() for g in grads)
        if grads:
            total.backward()
    else:
        out.backward(seed)
    _check(lib_key, calls, failures, missing)
    assert not failures, "\n".join(failures)
    if lib_key == "core":  # (real torch's own second-order nodes need not be in the table: the narration says so)
        assert not missing, f"nodes with neither a formula nor a declared reason: {sorted(missing)}"
    UNKNOWN_TORCH.update(missing)


def _torch_nn_programs():
    """Small programs of the nodes real torch makes in the lessons' nn models."""
    torch.manual_seed(0)
    x = torch.randn(4, 3, dtype=torch.float64)
    lin = torch.nn.Linear(3, 5).double()
    ln = torch.nn.LayerNorm(5).double()
    yield "mlp", lambda: torch.nn.functional.gelu(ln(lin(x))).relu().sum() + lin(x).tanh().mean()
    yield "gelu_tanh", lambda: torch.nn.functional.gelu(lin(x), approximate="tanh").sum()
    conv = torch.nn.Conv2d(2, 3, 3, padding=1).double()
    img = torch.randn(2, 2, 5, 5, dtype=torch.float64, requires_grad=True)
    yield "conv", lambda: conv(img).square().mean()
    target = torch.tensor([1, 0, 2, 4])
    yield "losses", lambda: (torch.nn.functional.cross_entropy(lin(x), target)
                             + torch.nn.functional.mse_loss(lin(x), torch.zeros(4, 5, dtype=torch.float64))
                             + torch.nn.functional.binary_cross_entropy_with_logits(lin(x), torch.ones(4, 5).double()))
    yield "squeeze_dims", lambda: (lin(x).unsqueeze(0).unsqueeze(2).squeeze((0, 2)) + 2.5).sum()


@pytest.mark.parametrize("name, program", list(_torch_nn_programs()), ids=lambda v: v if isinstance(v, str) else "")
def test_torch_nn_nodes_match_the_engine(name, program):
    out = program()
    calls = _watch(_nodes([out.grad_fn]), set())
    out.backward()
    failures, missing = [], set()
    _check("torch", calls, failures, missing)
    assert not failures, "\n".join(failures)
    assert not missing, f"torch nodes with neither a formula nor a declared reason: {sorted(missing)}"


def test_core_to_copy_matches_the_engine():
    """The one declared node no registry row makes: a dtype conversion (ToCopyBackward0), which has
    one input as in PyTorch (the dtype was a second, gradient-less one and its backward failed)."""
    a = lab.tensor([1.5, -2.0], dtype=lab.float64, requires_grad=True)
    out = (a.float() * a.float()).sum()
    assert len(out.grad_fn.next_functions[0][0].next_functions[0][0].next_functions) == 1
    calls = _watch(_nodes([out.grad_fn]), set())
    out.backward()
    failures, missing = [], set()
    _check("core", calls, failures, missing)
    assert not failures and not missing and "ToCopyBackward0" in CHECKED["core"]
    assert a.grad.tolist() == [3.0, -4.0]


def _core_node_classes():
    from autograd_lab.core import ops
    out = set()
    for mod in vars(ops).values():
        if inspect.ismodule(mod):
            out.update(c for c in vars(mod).values() if inspect.isclass(c) and issubclass(c, Function)
                       and c is not Function and not c.__name__.startswith("_"))
    return out


def test_every_core_node_has_a_formula_or_a_reason():
    classes = _core_node_classes()
    assert len(classes) > 60
    bare = sorted(c.__name__ for c in classes if FM.lookup(c) is None)
    assert not bare, f"declare @derivatives(...) or @no_formula(reason) beside their backward: {bare}"
    for c in classes:
        entry = FM.lookup(c)
        if isinstance(entry, FM.NoFormula):
            assert len(entry.reason) > 20, c


@pytest.mark.parametrize("lib_key", ["core", "torch"])
def test_every_declared_formula_was_checked(lib_key):
    """Each formula the library's nodes use was compared with its engine at least once (the op
    checks not run yet in this session are run here)."""
    for op in OPS:
        if (op.name, lib_key) not in RAN:
            _check_op(op, lib_key)
    if lib_key == "torch":
        for name, program in _torch_nn_programs():
            test_torch_nn_nodes_match_the_engine(name, program)
    else:
        test_core_to_copy_matches_the_engine()
    if lib_key == "core":
        want = {FM.lookup(c).node for c in _core_node_classes() if isinstance(FM.lookup(c), FM.Formula)}
        checked = {FM.lookup(n).node for n in CHECKED["core"] if isinstance(FM.lookup(n), FM.Formula)}
        assert want - checked == set(), sorted(want - checked)
    else:
        torch_nodes = {"MulBackward0", "AddmmBackward0", "TBackward0", "ReluBackward0", "GeluBackward0",
                       "TanhBackward0", "NativeLayerNormBackward0", "ConvolutionBackward0", "MseLossBackward0",
                       "NllLossBackward0", "LogSoftmaxBackward0", "BinaryCrossEntropyWithLogitsBackward0",
                       "BinaryCrossEntropyBackward0"}
        assert torch_nodes - CHECKED["torch"] == set()
        core = {FM.key(c.__name__) for c in _core_node_classes()}
        torch_only = {k for k, v in FM.TABLE.items() if isinstance(v, FM.Formula) and k not in core}
        assert torch_only == {"NativeLayerNormBackward0", "ConvolutionBackward0", "AddBackward1",
                              "SelectBackwardBackward0"}  # (GeluBackward0: the core's nn.functional.gelu has it too)
        assert torch_only - CHECKED["torch"] == set()


def test_a_wrong_formula_fails():
    """The check can fail: mul's formula with self and other swapped disagrees with the engine."""
    wrong = FM.Formula("MulBackward0", (("self", "grad * self", FM.parse("grad * self")),))
    env = {"self": np.array([2.0, 5.0]), "other": np.array([3.0, 4.0]), "grad": np.array([1.0, 1.0])}
    assert not np.allclose(FM.sent(wrong, 0, env), env["other"])
    assert np.allclose(FM.sent(FM.lookup("MulBackward0"), 0, env), env["other"])


def test_parse_and_render():
    tree = FM.parse("grad * (1 - result^2)")
    assert FM.render(tree, str) == "grad · (1 − result²)"
    assert FM.render(FM.parse("grad @ mat2.T"), {"grad": "grad", "mat2": "w"}.get) == "grad @ w.T"
    assert FM.render(FM.parse("-grad * self / other^2"), str) == "−grad · self / other²"
    assert FM.render(("bin", "^", ("name", "q"), ("num", -0.5)), str) == "q^(−0.5)"
    named = {"grad": "grad", "self": "xs[0] - 1.0"}.get   # (a name that is an expression)
    assert FM.render(FM.parse("grad * self^2"), named) == "grad · (xs[0] - 1.0)²"
    assert FM.evaluate(FM.parse("2 * x^3 - x"), {"x": 2.0}) == 14.0
    with pytest.raises(FM.Missing):
        FM.evaluate(tree, {"grad": 1.0})
    # broadcasting: the formula's value is summed back to the input's shape
    env = {"grad": np.ones((2, 3)), "other": np.arange(6.0).reshape(2, 3), "self": np.ones(3)}
    assert FM.sent(FM.lookup("MulBackward0"), 0, env, shape=(3,)).tolist() == [3.0, 5.0, 7.0]


# ---------------------------------------------------------------------------- the narration
def _node_steps(t, lang):
    return {s.message.params["step"].params["name"] if s.message.id == "step.chain.step" else s.text.split()[0]: s.text
            for s in graph.build(t, lang=lang).steps if s.kind == "node"}


def _classic(L):
    with lab.trace() as t:
        w = L.tensor(2.0, requires_grad=True)
        x = L.tensor(3.0)
        b = L.tensor(1.0, requires_grad=True)
        y = w * x
        z = y + b
        z.backward()
    return t


@pytest.mark.parametrize("lib_key", ["core", "torch"])
def test_classic_example_says_how_mul_makes_3(lib_key):
    t = _classic(LIBS[lib_key])
    en, zh = _node_steps(t, "en"), _node_steps(t, "zh")
    assert en["MulBackward0"].endswith("By the chain rule: to w: grad · x = 1 · 3 = 3.")
    assert zh["MulBackward0"].endswith("按链式法则：给 w：grad · x = 1 · 3 = 3。")
    assert en["AddBackward0"].endswith("By the chain rule: to y: grad = 1 and to b: grad = 1.")
    assert zh["AddBackward0"].endswith("按链式法则：给 y：grad = 1；给 b：grad = 1。")
    assert all(len(s) < 300 for s in list(en.values()) + list(zh.values()))


def test_tanh_step_shows_one_minus_tanh_squared_with_its_numbers():
    with lab.trace() as t:
        a = lab.tensor(0.5, requires_grad=True)
        y = a.tanh()
        y.backward()
    assert _node_steps(t, "en")["TanhBackward0"].endswith("to a: grad · (1 − y²) = 1 · (1 − 0.4621²) = 0.7864.")
    assert _node_steps(t, "zh")["TanhBackward0"].endswith("给 a：grad · (1 − y²) = 1 · (1 − 0.4621²) = 0.7864。")


def test_a_matrix_vector_product_names_the_shapes_and_the_transpose():
    with lab.trace() as t:
        A = lab.ones(2, 3, requires_grad=True)
        v = lab.tensor([1.0, 2.0, 3.0], requires_grad=True)
        m = A @ v
        m.sum().backward()
    en = _node_steps(t, "en")["MvBackward0"]
    assert "to A: outer(grad (2), v (3)) → 2×3 and to v: A.T (3×2) @ grad (2) → 3." in en
    assert "给 A：outer(grad (2), v (3)) → 2×3；给 v：A.T (3×2) @ grad (2) → 3。" in _node_steps(t, "zh")["MvBackward0"]


def test_broadcasting_is_said_where_the_gradient_is_summed_back():
    with lab.trace() as t:
        v = lab.tensor([1.0, 2.0], requires_grad=True)
        s = lab.tensor(3.0, requires_grad=True)
        p = v * s
        p.sum().backward()
    en = _node_steps(t, "en")["MulBackward0"]
    assert "to v: grad · s = [1, 1] · 3 = [3, 3]" in en
    assert "to s: grad · v = [1, 1] · [1, 2] = 3, summed back to s's shape () (it was broadcast)" in en


def test_a_torch_node_outside_the_table_is_said_plainly():
    with lab.trace() as t:
        a = torch.tensor(0.5, requires_grad=True)
        a.sinh().backward()
    assert FM.lookup("SinhBackward0") is None
    assert _node_steps(t, "en")["SinhBackward0"].endswith(
        "(SinhBackward0 has no chain-rule formula in autograd_lab's table.)")
    assert "公式表里没有 SinhBackward0" in _node_steps(t, "zh")["SinhBackward0"]


def test_numbers_are_shown_only_when_they_give_what_the_engine_sent(monkeypatch):
    """A Python number's value is not recorded: it follows from the recorded values (3 = 6 / 2, the
    exponent 3 from 1.5³ = 3.375), and is shown where the numbers then give the gradient sent. Numbers
    that would not reproduce the recorded gradient (here a wrong formula) are not shown."""
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        y = w * 3.0
        z = y / 4
        q = z ** 3
        q.backward()
    en = _node_steps(t, "en")
    assert en["MulBackward0"].endswith("By the chain rule: to w: grad · 3 = 1.6875 · 3 = 5.0625.")
    assert en["DivBackward0"].endswith("By the chain rule: to y: grad / 4 = 6.75 / 4 = 1.6875.")
    assert en["PowBackward0"].endswith("By the chain rule: to z: grad · 3 · z² = 1 · 3 · 1.5² = 6.75.")
    wrong = FM.Formula("MulBackward0", (("self", "grad * self", FM.parse("grad * self")),
                                        ("other", "grad * self", FM.parse("grad * self"))))
    monkeypatch.setitem(FM.TABLE, "MulBackward0", wrong)
    en = _node_steps(_classic(lab), "en")["MulBackward0"]
    assert en.endswith("By the chain rule: to w: grad · w = 3.") and "1 · 2" not in en


def test_declared_formulas_for_an_inspector():
    from autograd_lab.view import chain
    assert chain.declared("MulBackward0") == [("self", "grad · other"), ("other", "grad · self")]
    assert chain.declared("MmBackward0") == [("self", "grad @ mat2.T"), ("mat2", "self.T @ grad")]
    assert chain.declared("AddmmBackward0")[1] == ("mat1", "grad @ mat2.T")   # alpha = 1 left out
    assert chain.declared("IndexBackward0").startswith("it scatters grad back")
    assert chain.declared("SinhBackward0") is None


def test_an_in_place_op_uses_the_value_from_before_it():
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        v = lab.tensor(5.0, requires_grad=True)
        y = w + 0
        y *= v
        y.backward()
    en = _node_steps(t, "en")["MulBackward0"]
    assert en.endswith("By the chain rule: to y: grad · v = 1 · 5 = 5 and to v: grad · y = 1 · 2 = 2."), en


# ---------------------------------------------------------------------------- the inspector and the arrows
@pytest.mark.parametrize("lib_key", ["core", "torch"])
def test_the_scene_sends_each_node_its_formulas_and_each_arrow_its_rule(lib_key):
    """The scene has MulBackward0's formulas as declared, and the arrow to w's AccumulateGrad carries,
    from MulBackward0's step on, the rule its step says, whose number is the gradient on the arrow."""
    from autograd_lab.view import chain, scene
    t = _classic(LIBS[lib_key])
    for lang, rule in [("en", "to w: grad · x = 1 · 3 = 3"), ("zh", "给 w：grad · x = 1 · 3 = 3")]:
        g = graph.build(t, lang=lang)
        s = scene.scene(g, trace=t)
        assert s["formulas"]["MulBackward0"] == [list(p) for p in chain.declared("MulBackward0")]
        assert s["formulas"]["AddBackward0"] == [["self", "grad"], ["other", "grad"]]
        mul = next(n["k"] for n in s["nodes"] if n["label"] == "MulBackward0")
        (to_w,) = [e for e in s["edges"] if e["src"] == mul and e["kind"] == "grad"]
        assert to_w["slot"] == 0 and s["nodes"][[n["k"] for n in s["nodes"]].index(to_w["dst"])]["label"] == "AccumulateGrad"
        at = scene.FIELDS["edge"].index("rule"), scene.FIELDS["edge"].index("grad")
        state = dict(s["initial"])
        runs = 0
        for i, step in enumerate(s["steps"]):
            state.update(step["changes"])
            if g.steps[i].kind == "node" and g.steps[i].message.params["step"].params["name"] == "MulBackward0":
                runs += 1
                assert state[to_w["k"]][at[0]] == rule and rule in step["text"]
                assert float(rule.rsplit("= ", 1)[1]) == float(state[to_w["k"]][at[1]]) == 3.0
            elif runs == 0:
                assert state[to_w["k"]][at[0]] == ""   # before it ran: no numbers (the front end shows the formula)
        assert runs == 1
    # a node the table does not have, and one declared without a formula
    assert scene._formulas("SinhBackward0") is None
    assert scene._formulas("IndexBackward0").startswith("it scatters grad back")


def test_every_rule_a_step_says_is_on_the_arrow_it_is_for():
    """In an MLP, each node's step puts on the arrows it leaves by exactly the rules it says."""
    from tests.support.examples import mlp
    t = mlp((3, 2, 1))
    g = graph.build(t)
    seen = 0
    for st in g.steps:
        if st.kind != "node" or st.message.id != "step.chain.step":
            continue
        rules = [m for m in st.message.params["rules"] if m.id != "step.chain.more"]
        box = st.active[0]  # the node that ran; the arrows it leaves by
        on_arrows = [v.rule for k, v in st.changes.items() if k in g.edge_slot and g.edges[k].src == box and v.rule]
        assert sorted(on_arrows) == sorted(narration_text(m) for m in rules)
        seen += len(on_arrows)
    assert seen > 10


def narration_text(msg):
    from autograd_lab.narration import text
    return text(msg, "en")
