"""Recording real torch (record/torch/) into the same Trace, Player and JSON."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import torch

import autograd_lab as lab
from autograd_lab.record.torch.snippet import trace_torch_snippet
from tests.support.examples import classic_with_tensors

FREED = ("Trying to backward through the graph a second time (or directly access saved tensors after they "
         "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
         "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time "
         "or if you need to access saved tensors after calling backward.")


def test_classic_example_is_torchs_sequence():
    t, (w, x, b, y, z) = classic_with_tensors(lab=torch)
    kinds = [e.kind for e in t.events]
    assert kinds == ["tensor"] * 3 + ["op", "op"] + ["backward", "node", "accumulate", "node", "accumulate", "done"] + [
        "backward", "node", "accumulate", "node", "release", "accumulate", "done"] + [
        "backward", "node", "accumulate", "error"]
    names = [e.name for e in t.events if e.kind == "node"]
    assert names == ["AddBackward0", "MulBackward0"] * 2 + ["AddBackward0"]
    acc = [(e.before, e.added, e.after, t.names[e.tensor]) for e in t.events if e.kind == "accumulate"]
    assert acc == [(None, 1.0, 1.0, "b"), (None, 3.0, 3.0, "w"), (1.0, 1.0, 2.0, "b"), (3.0, 3.0, 6.0, "w"),
                   (2.0, 1.0, 3.0, "b")]
    err = t.events[-1]
    assert (err.error, err.message, err.name) == ("RuntimeError", FREED, "MulBackward0")
    assert w.grad.item() == 6.0 and b.grad.item() == 3.0
    op = [e for e in t.events if e.kind == "op"][0]
    assert (op.node_name, op.saved, op.next_vars, op.source.text) == (
        "MulBackward0", ("_saved_other",), (t.events[0].tensor, None), "y = w * x")
    assert {t.names[k] for k in t.names} >= {"w", "x", "b", "y", "z"}


def test_release_is_what_torch_did():
    t, (w, x, b, y, z) = classic_with_tensors(lab=torch)
    rel = [e for e in t.events if e.kind == "release"]
    assert [(e.name, e.saved) for e in rel] == [("MulBackward0", ("_saved_other",))]
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.grad_fn._saved_other


def test_hooks_are_removed_after_the_call():
    with lab.trace() as t:
        w = torch.tensor(2.0, requires_grad=True)
        z = w * 3
        z.backward(retain_graph=True)
    n = len(t.events)
    z.backward()  # outside the trace: no hook of ours is left to record anything
    assert len(t.events) == n and w.grad.item() == 6.0


def test_tensor_hooks_retain_grad_post_accumulate():
    calls = []
    with lab.trace() as t:
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        y = w * 2
        y.retain_grad()

        def double(g):
            return g * 2
        y.register_hook(double)
        w.register_post_accumulate_grad_hook(lambda p: calls.append(p.grad.clone()))
        y.sum().backward()
    hooks = [(e.which, e.fn) for e in t.events if e.kind == "hook"]
    assert hooks == [("tensor", "double"), ("retain_grad", "None"), ("post_accumulate", "<lambda>")]
    assert y.grad.tolist() == [2.0, 2.0] and w.grad.tolist() == [4.0, 4.0] and len(calls) == 1
    kinds = [e.kind for e in t.events if e.kind in ("accumulate", "hook")]
    assert kinds[-2:] == ["accumulate", "hook"]  # the post-accumulate hook comes after the accumulation


def test_autograd_grad_create_graph_no_grad_detach_inplace():
    with lab.trace() as t:
        x = torch.tensor(2.0, requires_grad=True)
        y = x ** 3
        (g,) = torch.autograd.grad(y, x, create_graph=True)
        g.backward()
        with torch.no_grad():
            q = x * 2
        d = x.detach()
        h = x * 1
        h.mul_(3)
    calls = [(e.call, e.create_graph, e.retain_graph) for e in t.events if e.kind == "backward"]
    assert calls == [("autograd.grad", True, True), ("backward", False, False)]
    done = [e for e in t.events if e.kind == "done"][0]
    assert done.results == (12.0,) and x.grad.item() == 12.0
    ops = {t.names.get(e.output): e for e in t.events if e.kind == "op"}
    assert ops["q"].node is None and ops["h"].inplace and ops["h"].node_name == "MulBackward0"
    assert [e.how for e in t.events if e.kind == "tensor" and e.tensor == d._tid] == ["detach"]


def test_zero_grad_step_and_zero_():
    with lab.trace() as t:
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.1)
        (w * 3).sum().backward()
        opt.step()
        w.grad.zero_()
        opt.zero_grad()
    upd = [(e.op, e.before, e.after) for e in t.events if e.kind == "update"]
    assert upd == [("add_", [1.0, 2.0], pytest.approx([0.7, 1.7]))]
    zeros = [(e.how, e.before, t.names.get(e.tensor)) for e in t.events if e.kind == "zero"]
    assert zeros == [("zero_", [3.0, 3.0], "w")]
    cleared = [(e.before, e.after, t.names.get(e.tensor)) for e in t.events if e.kind == "set_grad"]
    assert cleared == [([0.0, 0.0], None, "w")]  # zero_grad() sets .grad to None


def test_assigning_grad_is_the_same_event_as_the_cores():
    """``w.grad = g``, ``w.grad = None`` and ``del w.grad`` in real torch: torch's TorchFunctionMode
    receives ``Tensor.grad.__set__`` (``__delete__``); the events are the core's, value for value."""
    src = ("w = m.tensor([1.0, 2.0], requires_grad=True)\n"
           "w.grad = m.tensor([0.5, 0.5])\n"
           "g = w.grad\n"
           "w.grad = m.ones(2)\n"
           "g.zero_()\n"            # (the old gradient, changed later: the event keeps its value)
           "w.grad.mul_(2)\n"       # (the new one, changed later in place: so does this)
           "(w * 3).sum().backward()\n"
           "w.grad = None\n"
           "w.grad = m.ones(2)\n"
           "del w.grad\n")
    out = []
    for m in (lab, torch):
        with lab.trace(namespace={"m": m}) as t:
            exec(src, t._namespace)
        out.append([(e.kind, t.names.get(e.tensor), e.before, e.after) for e in t.events
                    if e.kind in ("set_grad", "accumulate")])
    assert out[0] == out[1] == [("set_grad", "w", None, [0.5, 0.5]), ("set_grad", "w", [0.5, 0.5], [1.0, 1.0]),
                                ("accumulate", "w", [2.0, 2.0], [5.0, 5.0]), ("set_grad", "w", [5.0, 5.0], None),
                                ("set_grad", "w", None, [1.0, 1.0]), ("set_grad", "w", [1.0, 1.0], None)]


def test_nn_sequential_real_names_and_parameter_names():
    torch.manual_seed(0)
    with lab.trace() as t:
        model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))
        x = torch.ones(4, 3)
        loss = model(x).sum()
        loss.backward()
    names = [e.node_name for e in t.events if e.kind == "op" and e.node is not None]
    assert names.count("AddmmBackward0") == 2 and names.count("TBackward0") == 2 and "TanhBackward0" in names
    assert {"model[0].weight", "model[0].bias", "model[2].weight", "model[2].bias"} <= set(t.names.values())
    ran = [e.name for e in t.events if e.kind == "node"]
    assert ran[0] == "SumBackward0" and "AddmmBackward0" in ran
    assert model[0].weight.grad is not None


@pytest.mark.parametrize("make", [
    "torch.ones(2, 2).to_sparse().requires_grad_()",
    "torch.tensor([1 + 2j, 3j], requires_grad=True)",
    "torch.ones(2, device='meta', requires_grad=True)",
])
def test_other_devices_sparse_complex_are_opaque_not_a_crash(make):
    src = f"a = {make}\nb = a * 2\nc = b.sum()\n"
    t = trace_torch_snippet(src)
    assert t.error is None or isinstance(t.error, Exception)
    values = [e.value for e in t.events if e.kind in ("tensor", "op")]
    assert any(isinstance(v, str) and v.startswith("<") for v in values)
    p = lab.Player(t)
    assert p.n_frames >= 1 and p.frame_texts(p.n_frames - 1)  # the last step draws something


def test_player_json_and_static_export(tmp_path):
    t, _ = classic_with_tensors(lab=torch)
    p = lab.Player(t)
    from autograd_lab.view.player import PlayerState
    texts = []
    for i in range(p.n_frames):
        p.seek(i)
        texts.append(p.narration)
    assert any("MulBackward0" in s for s in texts) and any("second time" in s for s in texts)
    labels = [j[0] for j in PlayerState(p.graph).jumps]
    assert sum(s.startswith("backward #") for s in labels) == 3 and labels[-1].startswith("error"), labels
    back = lab.Trace.from_json(t.to_json())
    assert list(back.events) == list(t.events) and back.names == t.names
    out = p.save_html(tmp_path / "torch.html")
    assert out.stat().st_size > 1000


def test_large_trace_is_cut_as_the_cores():
    with lab.trace() as t:
        w = torch.tensor(1.0, requires_grad=True)
        v = w
        for _ in range(400):
            v = v * 1.0001
        v.backward()
    p = lab.Player(t, max_nodes=100)
    assert "This trace is large" in p.graph.notice


def test_snippet_function_for_lessons():
    t = trace_torch_snippet("w = torch.tensor(2.0, requires_grad=True)\nz = w * 3\nz.backward()\n")
    assert [e.kind for e in t.events] == ["tensor", "op", "backward", "node", "release", "accumulate", "done"]
    assert t.events[1].source.text == "z = w * 3" and t.names[t.events[0].tensor] == "w"


def test_autograd_lab_never_imports_torch():
    code = textwrap.dedent("""
        import sys, autograd_lab as lab
        with lab.trace() as t:
            w = lab.tensor(2.0, requires_grad=True)
            (w * 3).backward()
        lab.Player(t)
        assert "torch" not in sys.modules, "autograd_lab imported torch"
        print(len(t.events))
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout) == 7  # tensor, op, backward, node, release, accumulate, done


def test_deep_torch_graph_in_a_subprocess():
    # the probe saw torch segfault once freeing a 1e5-node graph walked from Python: the walks here
    # are iterative and references are dropped one by one; run it apart so a crash is a failure
    code = textwrap.dedent("""
        import torch, autograd_lab as lab
        with lab.trace() as t:
            w = torch.tensor(1.0, requires_grad=True)
            v = w
            for _ in range(20000):
                v = v * 1.0
            v.backward()
        print(sum(e.kind == "node" for e in t.events))
        del t, v
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert int(r.stdout) == 20000


ODD = {
    "split": "a = torch.arange(6.).requires_grad_()\nparts = torch.split(a, 2)\ns = (parts[0] * parts[1]).sum()\n"
             "s.backward()\n",
    "max_with_indices": "a = torch.tensor([1., 3., 2.], requires_grad=True)\nv, i = a.max(0)\nv.backward()\n",
    "custom_function": "class Sq(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
                       "        ctx.save_for_backward(x)\n        return x * x\n    @staticmethod\n"
                       "    def backward(ctx, g):\n        x, = ctx.saved_tensors\n        return 2 * x * g\n"
                       "x = torch.tensor(3., requires_grad=True)\ny = Sq.apply(x)\ny.backward()\n",
    "setitem": "a = torch.zeros(3)\nw = torch.tensor(2., requires_grad=True)\na[0] = w * 2\na.sum().backward()\n",
    "checkpoint": "import torch.utils.checkpoint as cp\nw = torch.tensor(2., requires_grad=True)\n"
                  "y = cp.checkpoint(lambda t: t.sin() * 2, w, use_reentrant=False)\ny.backward()\n",
    "error_in_hook": "w = torch.tensor(2., requires_grad=True)\ny = w * 2\ny.register_hook(lambda g: 1 / 0)\ny.backward()\n",
    "adam": "m = torch.nn.Linear(2, 1)\nopt = torch.optim.Adam(m.parameters(), lr=0.1)\nfor _ in range(2):\n"
            "    opt.zero_grad()\n    m(torch.ones(1, 2)).sum().backward()\n    opt.step()\n",
}


@pytest.mark.parametrize("case", sorted(ODD))
def test_less_common_code_records_and_plays(case):
    t = trace_torch_snippet(ODD[case])
    if case == "error_in_hook":  # the user's own error goes on, as without recording
        assert isinstance(t.error, ZeroDivisionError)
        assert [e.kind for e in t.events][-2:] == ["backward", "error"]  # before any node ran
    else:
        assert t.error is None, t.error
        assert any(e.kind == "node" for e in t.events)
    p = lab.Player(t)
    assert p.frame_texts(p.n_frames - 1)  # the last step draws something
    assert list(lab.Trace.from_json(t.to_json()).events) == list(t.events)


def test_queued_torch_records_are_built_on_first_read_with_their_values_then():
    """Issue 12: like the core's, real torch's events (ops, the backward call, its node runs) are
    built when ``t.events`` is first read (not when the block ends, nor at backward); a tensor
    changed in place after the block is shown as a text, not with its later value."""
    from autograd_lab.record.torch.recorder import CHANGED_LATER
    with lab.trace() as t:
        x = torch.ones(2, requires_grad=True)
        a = x * 2
        b = x * 3
        c = (b * b).sum()
        c.backward()         # (queued too: the node runs with their gradients, AccumulateGrad)
        d = x * 4
    assert len(t._events) == 0 and t._late is not None  # nothing built yet
    with torch.no_grad():
        d.add_(1)
    events = list(t.events)
    assert t._late is None and [e.kind for e in events].count("backward") == 1
    ops = [e for e in events if e.kind == "op"]
    assert [o.value for o in ops] == [[2.0, 2.0], [3.0, 3.0], [9.0, 9.0], 18.0, CHANGED_LATER]
    assert [e.kind for e in events].count("node") == 3 and events[-1].kind == "op"
    assert x.grad.tolist() == [18.0, 18.0] and a.requires_grad


NAMED = """\
w = T.tensor([1.0, 2.0], requires_grad=True)
x = T.tensor([3.0, 4.0])
params = {"b": T.tensor(0.5, requires_grad=True)}
y = (w * x).sum() + params["b"]
for i in range(2):
    y = y * 2
loss = (y - 1) ** 2
loss.backward()
"""


def _names_in_order(t):
    """Per op event (in order): its kind, the display names of its tensor inputs, and of its output."""
    return [(e.op, tuple(t.display_name(i) for i in e.inputs if i is not None), t.display_name(e.output))
            for e in t.events if e.kind == "op"]


def _traced(src, T, filename):
    code = compile(src, filename, "exec")  # a file name linecache knows: expressions are read from it
    import linecache
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    ns = {"T": T, "__name__": "__snippet__"}
    with lab.trace(namespace=ns) as t:
        exec(code, ns)
    return t


def test_real_torch_trace_names_tensors_as_the_cores_does():
    """The same code traced with the core and with real torch reads the same: variables, paths
    through containers, expressions, numbered rebindings (record/names.py serves both)."""
    core = _traced(NAMED, lab, "<names core>")
    real = _traced(NAMED, torch, "<names torch>")
    expected = [("mul", ("w", "x"), "w * x"), ("sum", ("w * x",), "(w * x).sum()"),
                ("add", ("(w * x).sum()", 'params["b"]'), "y"), ("mul", ("y",), "y #2"),
                ("mul", ("y #2",), "y #3"), ("sub", ("y #3",), "y - 1"), ("pow", ("y - 1",), "loss")]
    assert _names_in_order(core) == expected
    assert _names_in_order(real) == expected
    assert not any(n.startswith("t") and n[1:].isdigit() for n in real.names.values())


def test_real_torch_names_in_a_function_and_a_module():
    def run(T):
        with lab.trace() as t:
            w = T.tensor(2.0, requires_grad=True)
            x = T.tensor(3.0)
            y = w * x
            z = y * w
            z.backward()
        return t
    core, real = run(lab), run(torch)
    assert _names_in_order(real) == _names_in_order(core) == [("mul", ("w", "x"), "y"), ("mul", ("y", "w"), "z")]
    model = torch.nn.Sequential(torch.nn.Linear(2, 1))
    with lab.trace() as t:
        out = model(torch.ones(2)).sum()
    t.events  # (built on first read)
    shown = {t.display_name(k) for k in t._shown}
    assert {"model[0].weight", "model[0].bias", "out", "torch.ones(2)"} <= shown
    assert not any(n.startswith("t") and n[1:].isdigit() for n in shown)


def test_torchs_hook_registration_is_its_own_again_after_backward():
    """Issue 12: the recorder puts its node hooks on through a stand-in for torch's ``_register_hook``
    only while it hooks a graph; after the call torch's own is back and the user's hooks get
    RemovableHandles as usual."""
    F = torch.autograd.Function
    had = "_register_hook" in F.__dict__
    with lab.trace() as t:
        w = torch.tensor(2.0, requires_grad=True)
        z = (w * 3).exp()
        z.backward(retain_graph=True)
        assert ("_register_hook" in F.__dict__) == had
    handle = z.grad_fn.register_hook(lambda gi, go: None)
    assert type(handle).__name__ == "RemovableHandle"
    handle.remove()
    assert [e.name for e in t.events if e.kind == "node"] == ["ExpBackward0", "MulBackward0"]


def test_an_error_names_its_node_in_a_graph_made_before_the_block():
    """A node whose saved values an earlier backward freed (here: before the block) gets a pre-hook,
    so the error event names it, as for a graph made in the block (classic_with_tensors(lab=torch))."""
    w = torch.tensor(2.0, requires_grad=True)
    y = w * w
    y.backward()
    with lab.trace(catch_errors=True) as t:
        y.backward()
    err = t.events[-1]
    assert (err.kind, err.error, err.name) == ("error", "RuntimeError", "MulBackward0")


def test_a_gradient_a_hook_kept_and_changed_after_the_block_is_not_shown_with_its_later_value():
    """A node's gradients are read when the events are built; where the user can hold one (a tensor
    hook got it) and changes it in place after the block, it is shown as CHANGED_LATER."""
    from autograd_lab.record.torch.recorder import CHANGED_LATER
    kept = []
    with lab.trace() as t:
        w = torch.ones(2, requires_grad=True)
        y = w * 3
        y.register_hook(lambda g: kept.append(g))
        (y * 2).sum().backward()
    kept[0].mul_(10)
    node = [e for e in t.events if e.kind == "node" and e.name == "MulBackward0"][-1]  # (y = w * 3's)
    hook = [e for e in t.events if e.kind == "hook"][0]
    assert node.grad_output == CHANGED_LATER and hook.grad_in == ([2.0, 2.0],)


def test_events_read_inside_the_block_show_real_torchs_so_far():
    with lab.trace() as t:
        w = torch.tensor(2.0, requires_grad=True)
        y = w * 3
        inside = [e.kind for e in t.events]
        y.backward()
    assert inside == ["tensor", "op"]
    assert [e.kind for e in t.events] == ["tensor", "op", "backward", "node", "release", "accumulate", "done"]
