"""The event trace contract: what ``lab.trace()`` records, in which order, with which names
and source lines, how errors are caught, how a trace round-trips through JSON, and that the
core emits events from its two choke points only (``functions.apply`` and the engine loop).
"""
from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest

import autograd_lab as lab
from autograd_lab.core import recording as rec
from autograd_lab.record import columns
from autograd_lab.record import events as ev
from tests.support import examples

CORE = Path(lab.__file__).resolve().parent / "core"


def of_kind(t, kind):
    return [e for e in t.events if e.kind == kind]


def test_classic_kinds_in_order():
    t = examples.classic(backwards=1, catch_errors=False)
    assert [e.kind for e in t.events] == ["tensor", "tensor", "tensor", "op", "op", "backward", "node",
                                          "accumulate", "node", "release", "accumulate", "done"]
    assert [e.index for e in t.events] == list(range(len(t.events)))


def test_classic_contents():
    t, (w, x, b, y, z) = examples.classic_with_tensors(backwards=1, catch_errors=False)
    assert set(t.names.values()) >= {"w", "x", "b", "y", "z"}
    name = t.names.get
    mul, add = of_kind(t, "op")
    assert (mul.node_name, add.node_name) == ("MulBackward0", "AddBackward0")
    assert [name(i) for i in mul.inputs] == ["w", "x"] and name(mul.output) == "y"
    assert [name(i) for i in add.inputs] == ["y", "b"] and name(add.output) == "z"
    assert mul.value == 6.0 and add.value == 7.0
    assert mul.saved == ("_saved_other",)           # w needs grad, x does not: only x is saved
    assert add.next[0] == mul.node and add.next_vars[1] == add.inputs[1]
    n_add, n_mul = of_kind(t, "node")
    assert (n_add.name, n_add.grad_output, n_add.grad_inputs) == ("AddBackward0", 1.0, (1.0, 1.0))
    assert (n_mul.name, n_mul.grad_output, n_mul.grad_inputs) == ("MulBackward0", 1.0, (3.0, None))
    acc_b, acc_w = of_kind(t, "accumulate")
    assert (name(acc_b.tensor), acc_b.before, acc_b.added, acc_b.after) == ("b", None, 1.0, 1.0)
    assert (name(acc_w.tensor), acc_w.after) == ("w", 3.0)
    assert t.leaf_of[acc_w.node] == acc_w.tensor
    (rel,) = of_kind(t, "release")
    assert (rel.node, rel.name, rel.saved) == (mul.node, "MulBackward0", ("_saved_other",))
    (bw,) = of_kind(t, "backward")
    assert (bw.call, bw.retain_graph, bw.create_graph, bw.seeds) == ("backward", False, False, (1.0,))
    assert [name(r) for r in bw.roots] == ["z"]


def test_source_lines():
    t = examples.classic(backwards=1, catch_errors=False)
    texts = [e.source.text for e in t.events]
    assert texts[:5] == ["w = lab.tensor(2.0, requires_grad=True)", "x = lab.tensor(3.0)",
                         "b = lab.tensor(1.0, requires_grad=True)", "y = w * x", "z = y + b"]
    assert set(texts[5:]) == {"z.backward()"}       # every backward step points at the call
    assert all(e.source.file == examples.__file__ for e in t.events)


def test_accumulation_in_second_backward_is_recorded():
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        (w * 3).backward()
        (w * 3).backward()
    accs = of_kind(t, "accumulate")
    assert [(a.before, a.added, a.after) for a in accs] == [(None, 3.0, 3.0), (3.0, 3.0, 6.0)]


def test_catch_errors_records_third_backward():
    with lab.trace(catch_errors=True) as t:
        w = lab.tensor(2.0, requires_grad=True)
        z = w * 3
        z.backward(retain_graph=True)
        z.backward()
        z.backward()
        reached = True  # noqa: F841 - never runs: the error ends the block
    assert "reached" not in locals()
    err = t.events[-1]
    assert err.kind == "error" and err.error == "RuntimeError"
    assert err.message.startswith("Trying to backward through the graph a second time")
    assert err.name == "MulBackward0" and err.source.text == "z.backward()"
    assert isinstance(t.error, RuntimeError)
    assert len(of_kind(t, "backward")) == 3 and len(of_kind(t, "done")) == 2


def test_without_catch_errors_the_error_propagates_and_is_recorded():
    with pytest.raises(RuntimeError, match="does not require grad"):
        with lab.trace() as t:
            lab.tensor(1.0).backward()
    assert t.events[-1].kind == "error" and t.events[-1].error == "RuntimeError"
    assert rec.active is None


def test_json_round_trip():
    t = examples.classic(backwards=1, catch_errors=False)
    with lab.trace() as t2:
        w = lab.tensor([1.0, 2.0], requires_grad=True)
        y = (w * w).sum()
        h = y.grad_fn.register_prehook(lambda g: None)
        y.backward()
        opt = lab.optim.SGD([w], lr=0.1)
        opt.step()
        opt.zero_grad()
        h.remove()
    for trace in (t, t2):
        text = trace.to_json()
        back = ev.Trace.from_json(text)
        assert back.events == trace.events
        assert back.names == trace.names and back.leaf_of == trace.leaf_of
        assert json.loads(back.to_json()) == json.loads(text)


def test_nothing_recorded_outside_trace():
    w = lab.tensor(2.0, requires_grad=True)
    with lab.trace() as t:
        z = w * 3
    n = len(t.events)
    (z + 1).backward()
    (w * 5).exp()
    assert len(t.events) == n
    assert rec.active is None


def test_nested_trace_restores_the_outer_one():
    with lab.trace() as outer:
        lab.tensor(1.0)
        with lab.trace() as inner:
            lab.tensor(2.0)
        assert rec.active is outer
        lab.tensor(3.0)
    assert [e.value for e in outer.events] == [1.0, 3.0]
    assert [e.value for e in inner.events] == [2.0]


def test_hook_events():
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        y = w * 3

        def double(g):
            return g * 2
        y.register_hook(double)
        y.retain_grad()
        y.grad_fn.register_prehook(lambda go: None)
        y.grad_fn.register_hook(lambda gi, go: None)
        w.register_hook(lambda g: None)
        y.backward()
    hooks = of_kind(t, "hook")
    assert [h.which for h in hooks] == ["tensor", "retain_grad", "prehook", "hook", "tensor"]
    first = hooks[0]
    assert (first.fn, first.grad_in, first.grad_out) == ("double", (1.0,), (2.0,))
    assert t.names[hooks[1].tensor] == "y" and hooks[1].grad_out == (2.0,)
    assert t.names[hooks[4].tensor] == "w" and hooks[4].grad_in == (6.0,)


def test_zero_and_update_events():
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        opt = lab.optim.SGD([w], lr=0.1)
        (w * 3).backward()
        opt.step()
        w.grad.zero_()
        opt.zero_grad()
        with lab.no_grad():
            w -= 1
    (upd1, upd2) = of_kind(t, "update")
    assert (t.names[upd1.tensor], upd1.op, upd1.before, upd1.after) == ("w", "add_", 2.0, pytest.approx(1.7))
    assert (upd2.op, upd2.after) == ("sub_", pytest.approx(0.7))
    (z1,) = of_kind(t, "zero")
    assert (t.names[z1.tensor], z1.how, z1.before) == ("w", "zero_", 3.0)
    (cleared,) = of_kind(t, "set_grad")  # zero_grad() sets .grad to None
    assert (t.names[cleared.tensor], cleared.before, cleared.after) == ("w", 0.0, None)


def test_assigning_grad_is_an_event_with_the_values_before_and_after():
    with lab.trace() as t:
        w = lab.tensor([1.0, 2.0], requires_grad=True)
        w.grad = lab.tensor([0.5, 0.5])
        w.grad = lab.ones(2)
        w.grad = None
        w.grad = None  # (no gradient before either: still a step, as the line ran)
    steps = [(t.names[e.tensor], e.before, e.after) for e in of_kind(t, "set_grad")]
    assert steps == [("w", None, [0.5, 0.5]), ("w", [0.5, 0.5], [1.0, 1.0]), ("w", [1.0, 1.0], None), ("w", None, None)]
    assert [e.source.text[:13] for e in of_kind(t, "set_grad")] == ["w.grad = lab.", "w.grad = lab.", "w.grad = None",
                                                                    "w.grad = None"]


def test_assigning_grad_keeps_the_value_of_its_step():
    """The event keeps .grad as it was assigned, not as a later in-place change left it."""
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        g = lab.tensor(5.0)
        w.grad = g
        w.grad.zero_()
    assert of_kind(t, "set_grad")[0].after == 5.0 and of_kind(t, "zero")[0].before == 5.0


@pytest.mark.parametrize("value, error, message", [
    ("x", RuntimeError, "can't assign Variable as its own grad"),
    ("m.ones(3)", RuntimeError, "attempting to assign a gradient of size '[3]' to a tensor of size '[2]'. "
                                "Please ensure that the gradient and the tensor are the same size"),
    ("3.0", TypeError, "assigned grad expected to be a Tensor or None but got grad of type float"),
])
def test_assigning_a_wrong_grad_raises_as_pytorch_and_records_no_step(value, error, message):
    import torch
    for m in (lab, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        with lab.trace() as t:
            with pytest.raises(error) as info:
                exec(f"x.grad = {value}", {"x": x, "m": m})
        assert str(info.value) == message, m
        assert not of_kind(t, "set_grad") and x.grad is None


def test_tensor_events_for_requires_grad_and_detach():
    with lab.trace() as t:
        a = lab.tensor([1.0, 2.0])
        a.requires_grad_()
        d = a.detach()  # noqa: F841
    hows = [e.how for e in of_kind(t, "tensor")]
    assert hows == ["tensor", "requires_grad_", "detach"]


def test_existing_tensor_gets_an_event_when_first_used():
    w = lab.tensor(2.0, requires_grad=True)
    with lab.trace() as t:
        y = w * 2  # noqa: F841
    first = t.events[0]
    assert first.kind == "tensor" and first.how == "existing" and t.names[first.tensor] == "w"


def test_autograd_grad_events():
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        y = w * w
        g, = lab.autograd.grad(y, w)
    (bw,) = of_kind(t, "backward")
    (done,) = of_kind(t, "done")
    assert bw.call == done.call == "autograd.grad"
    assert [t.names[i] for i in bw.inputs] == ["w"] and done.results == (4.0,)
    assert of_kind(t, "accumulate") == []


# ---------------------------------------------------------------------- compact storage
def _chain_trace(n: int):
    with lab.trace() as t:
        w = lab.tensor(0.5, requires_grad=True)
        v = lab.tensor(1.0)
        for _ in range(n):
            v = v * w + 1
        v.backward()
    return t


def test_events_read_like_a_list():
    t = examples.classic(backwards=1, catch_errors=False)
    events = t.events
    as_list = list(events)
    assert len(events) == len(as_list) == 12
    assert events[-1] == as_list[-1] and events[-1].index == 11 and events[0].index == 0
    assert events[3:5] == as_list[3:5] and [e.kind for e in events[::4]] == ["tensor", "op", "node"]
    assert events == as_list and events != as_list[:-1] and as_list[2] in events
    with pytest.raises(IndexError):
        events[12]
    with pytest.raises(IndexError):
        events[-13]
    assert repr(events) == repr(as_list)


@pytest.mark.parametrize("value", [0.0, -0.0, 1e308, float("inf"), float("nan"), columns._NONE_NAN, -3, True, None,
                                   [1.0, None], {"a": 1}])
def test_columns_give_back_exactly_what_they_were_given(value):
    """Floats are stored in float64 arrays, ids in int64 arrays; anything else must come back as it was."""
    store = ev.EventList()
    fields = (7, 3, value, value, value)  # AccumulateEvent: node tensor before added after
    store._add(ev.AccumulateEvent, None, fields)
    store._add(ev.NodeEvent, None, (2 ** 70, "n", value, (value, 1.5, None) if value is not None else (), (None, 4)))
    store._add(ev.OpEvent, None, ("mul", (None, 2 ** 64), 5, value, (2, 3), None, None, None, (), (None,), (), True, 3))
    acc, node, op = store
    for got in (acc.before, acc.added, acc.after, node.grad_output, op.value):
        assert got == value or (got != got and value != value)
        assert type(got) is type(value) and repr(got) == repr(value)
    assert node.node == 2 ** 70 and node.next == (None, 4)
    expected = (value, 1.5, None) if value is not None else ()
    assert repr(node.grad_inputs) == repr(expected)
    assert [type(x) for x in node.grad_inputs] == [type(x) for x in expected]
    assert op.inputs == (None, 2 ** 64) and op.shape == (2, 3) and op.requires_grad is None and op.inplace is True
    assert op.module == 3
    with pytest.raises(TypeError, match="AccumulateEvent has 5 fields"):
        store._add(ev.AccumulateEvent, None, (1, 2))
    assert len(store) == 3


def _raw_values():
    import numpy as np
    a = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    return [np.float32(1.5), np.float64(-0.0), np.int64(3), np.bool_(True), np.array(2.5, dtype=np.float32),
            a, a.T, a[:, ::2], np.array([np.nan, -np.inf, -0.0, 1e-45], dtype=np.float32), np.zeros((2, 0)),
            np.ones(64), np.ones(65, dtype=np.float32), np.arange(5), np.array([True, False]),
            lab.tensor([[1.0, 2.0]]), lab.tensor(4.0), None, [1, 2.5], {"min": 0}]


@pytest.mark.parametrize("i", range(19))
def test_raw_values_are_stored_as_their_snapshots(i):
    """Columns given raw values (numpy scalars and arrays, tensors) keep float arrays packed in a
    float64 array, and read back exactly what snapshot() gives; values already snapshots stay as given."""
    value = _raw_values()[i]
    want = ev.snapshot(value) if not isinstance(value, (list, dict)) else value
    store = ev.EventList()
    store._add(ev.ZeroEvent, None, (1, "zero_", value))
    store._add(ev.NodeEvent, None, (2, "n", value, (value, None, 0.5), ()))
    zero, node = store
    for got in (zero.before, node.grad_output, node.grad_inputs[0]):
        assert repr(got) == repr(want) and type(got) is type(want)
    assert node.grad_inputs[1:] == (None, 0.5)


def test_a_long_scalar_trace_is_stored_in_columns():
    """The events of scalar ops hold no Python object of their own (ids and values live in arrays),
    which is what keeps a long trace near 100 bytes per event (benchmarks/bench_core.py measures it)."""
    t = _chain_trace(300)
    assert len(t.events) > 1500
    objects = sum(len(c.other) for store in t.events._stores if store is not None for c in store.cols)
    assert objects < 10  # the few events whose values are not plain floats (the first mul, the seed ...)
    assert [e.value for e in t.events if e.kind == "op"][:3] == [0.5, 1.5, 0.75]


# ---------------------------------------------------------------------- one choke point per direction
def _functions_using_active(path: Path) -> set:
    """Names of the top-level functions / methods of ``path`` that read ``recording.active``."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Attribute) and sub.attr == "active" and \
                        isinstance(sub.value, ast.Name) and sub.value.id in ("_rec", "recording"):
                    found.add(node.name)
    return found


def test_events_are_emitted_only_from_apply_and_the_engine():
    files = {str(p.relative_to(CORE)): p for p in CORE.rglob("*.py")}
    users = {name: _functions_using_active(p) for name, p in files.items()}
    assert {k for k, v in users.items() if v} == {"function.py", "engine.py", "nn.py"}
    assert users["function.py"] <= {"apply", "_apply_inplace", "_apply_special"}
    assert users["engine.py"] == {"run_backward"}
    assert users["nn.py"] == {"__call__"}  # (Module.__call__: the nn.Module calls, record/modules.py)
    for name, p in files.items():  # and no other way in: only recording.set_active changes it
        text = p.read_text()
        assert "from .recording import active" not in text and "_rec.active =" not in text, name


def test_recorded_line_is_the_line_python_reports():
    """Ops record the caller's instruction offset (cheap) and turn it into a line when events are
    built: that line must be the one ``frame.f_lineno`` gives, multi-line expressions included."""
    seen = []

    def probe(*_):
        f = sys._getframe(1)
        seen.append((f.f_code, f.f_lasti, f.f_lineno))
        return 1

    def user():
        a = probe()
        b = (probe() +
             probe(
                 probe()) *
             2)
        for _ in range(2):
            a += probe(a, b,
                       probe())
        return [probe() for _ in range(1)]

    user()
    t = ev.Trace()
    assert len(seen) == 9 and len({line for _, _, line in seen}) >= 5
    assert [t._line_at(code, lasti) for code, lasti, _ in seen] == [line for _, _, line in seen]
    with lab.trace() as t2:
        w = lab.tensor(2.0, requires_grad=True)
        y = (w *
             3 +
             w.exp())
    here = sys._getframe().f_lineno
    assert [e.source.line for e in t2.events if e.kind == "op"] == [here - 3, here - 1, here - 3]


def test_a_tensor_is_introduced_once_per_trace_whatever_its_id():
    """Tensors with ids from earlier traces (older than this trace's first id) and new ones are both
    introduced by one tensor event per trace, however often they are used."""
    with lab.trace() as first:
        w = lab.tensor(2.0, requires_grad=True)
    first.events  # w gets its id here
    for _ in range(2):
        with lab.trace() as t:
            x = lab.tensor(3.0)
            y = w * x + w * w * x
        tensor_events = [e.tensor for e in t.events if e.kind == "tensor"]
        assert len(tensor_events) == len(set(tensor_events)) == 2
        assert [t.names[i] for i in tensor_events] == ["x", "w"]
        assert y.item() == 18.0


def test_tensor_values_are_packed_not_kept_as_lists():
    """The snapshots of small float tensors live in a float64 array (8 bytes a number, not a list
    of Python floats at 32): what keeps traces of tensor code small (bench_core prints per event)."""
    with lab.trace() as t:
        w = lab.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
        y = (w * w).sum()
        y.backward()
    op_values = t.events._stores[list(ev.EVENT_TYPES).index("op")].cols[3]
    assert isinstance(op_values, columns._Snapshots)
    assert sum(isinstance(v, columns._Packed) for v in op_values.other.values()) == 1  # w * w (the sum is a float)
    assert len(op_values.flat) == 3
    assert [e.value for e in t.events if e.kind == "op"] == [[[0.25, 1.0, 4.0]], 5.25]


# ---------------------------------------------------------------------------- values as they were
# Events are built from raw records when ``t.events`` is first read. What the code does AFTER the
# ``with`` block (in-place ops, zero_, .grad changes, optimizer steps, another backward) must not
# show in them: each case below is recorded twice, once read at once (the reference) and once read
# only after the later changes, and the two must match field for field (ids aside).

def _step(build, after=None):
    t, env = build()
    if after is not None:
        after(env)
    return t


def _as_seen(t):
    """The events without their ids (two traces number tensors and nodes differently)."""
    out = []
    for e in t.events:
        d = e._asdict()
        for k in ("tensor", "output", "node", "inputs", "next", "next_vars", "roots", "nodes"):
            d.pop(k, None)
        out.append((type(e).__name__, d))
    return out


def _mlp_block():
    # Tensors made before the block are shown when the events are built (the lazy part): leaves,
    # a non-leaf (u) and a gradient (w.grad, read by an op after backward).
    x = lab.tensor([[1.0, 2.0], [3.0, 4.0]])
    w = lab.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
    b = lab.tensor(0.5, requires_grad=True)  # (a 0-d leaf: a numpy scalar underneath)
    u = w * 1.0
    with lab.trace() as t:
        h = x @ u
        y = h * 2 + b
        loss = y.sum()
        loss.backward(retain_graph=True)
        g = w.grad * 1.0
    return t, dict(x=x, w=w, b=b, u=u, h=h, y=y, loss=loss, g=g)


def _reference_and_late(after):
    ref = _mlp_block()[0]
    expected = _as_seen(ref)
    t, env = _mlp_block()
    after(env)
    return expected, _as_seen(t)


def _no_grad_add(env):
    with lab.no_grad():
        env["h"].add_(1)
        env["y"].add_(1)
        env["x"].add_(1)


def _grad_mode_add(env):
    env["u"].add_(1)  # recorded in place on a non-leaf: it gets a new grad_fn
    env["h"].add_(1)


def _zero_data(env):
    env["x"].zero_()
    env["w"].data.zero_()
    env["h"].data.zero_()


def _set_data(env):
    env["x"].data = lab.tensor([[9.0, 9.0], [9.0, 9.0]])
    env["h"].data = lab.tensor([[9.0, 9.0], [9.0, 9.0]])


def _grad_changes(env):
    env["w"].grad.add_(100)
    env["b"].grad.mul_(3)
    env["w"].grad.zero_()


def _grad_cleared_and_requires_grad(env):
    env["w"].grad = None
    env["x"].requires_grad_()


def _optimizer_steps(env):
    opt = lab.optim.SGD([env["w"], env["b"]], lr=0.1, momentum=0.9)
    for _ in range(3):
        opt.step()


def _backward_again(env):
    env["loss"].backward()  # accumulates into .grad and frees the saved values


@pytest.mark.parametrize("after", [_no_grad_add, _grad_mode_add, _zero_data, _set_data, _grad_changes,
                                   _grad_cleared_and_requires_grad, _optimizer_steps, _backward_again])
def test_changes_after_the_block_do_not_show_in_its_events(after):
    expected, got = _reference_and_late(after)
    assert got == expected


def test_the_reported_case_add_after_the_block():
    x = lab.tensor([1.0, 1.0], requires_grad=True)
    with lab.trace() as t:
        y = x * 2
    with lab.no_grad():
        y.add_(1)
    assert y.tolist() == [3.0, 3.0]  # (the change did happen)
    assert [e.value for e in t.events if e.kind == "op"] == [[2.0, 2.0]]


def test_changes_inside_a_later_trace_do_not_show_in_an_earlier_one():
    x = lab.tensor([1.0, 2.0])
    with lab.trace() as t1:
        y = x * 3
    with lab.trace() as t2:
        x.mul_(10)
        y.zero_()
    assert [e.value for e in t1.events] == [[1.0, 2.0], [3.0, 6.0]]
    assert [e.kind for e in t2.events] == ["tensor", "update", "tensor", "zero"]


def test_an_inner_trace_keeps_its_values_when_the_outer_one_changes_them():
    x = lab.tensor([1.0, 2.0])
    with lab.trace() as outer:
        with lab.trace() as inner:
            y = x + 1
        y.mul_(5)
    assert [e.value for e in inner.events] == [[1.0, 2.0], [2.0, 3.0]]
    assert outer.events[-1].kind == "update"


def test_a_finished_trace_is_not_kept_alive_to_be_settled(monkeypatch):
    import gc
    import weakref
    monkeypatch.delitem(sys.modules, "torch", raising=False)  # (with real torch, the block ends built)
    x = lab.tensor([1.0, 2.0])

    def traced():  # (in a function of its own: the frame's locals snapshot would keep the trace)
        with lab.trace() as t:
            x * 2
        return weakref.ref(t)
    ref = traced()
    gc.collect()
    assert ref() is None
    assert rec.unsettled  # (its reference is still listed, dead)
    x.add_(1)  # (settles nothing: the trace is gone)
    assert not rec.unsettled


def test_nn_init_and_load_state_dict_do_not_change_recorded_values():
    lin = lab.nn.Linear(2, 1)
    x = lab.tensor([[1.0, 2.0]])
    w0, b0 = lin.weight.detach().tolist(), lin.bias.detach().tolist()
    with lab.trace() as inside:
        lin(x)
        lab.nn.init.zeros_(lin.bias)  # (inside the block too: it writes into the array directly)
    with lab.trace() as t:
        lin(x)
    lab.nn.init.ones_(lin.weight)
    lin.load_state_dict({k: lab.zeros_like(v) + 5 for k, v in lin.state_dict().items()})

    def shown(tr):
        return [e.value for e in tr.events if e.kind == "tensor"]
    assert w0 in shown(inside) and b0 in shown(inside) and [0.0] not in shown(inside)
    assert w0 in shown(t) and [0.0] in shown(t)
    assert [[1.0, 1.0]] not in shown(t) and [[5.0, 5.0]] not in shown(t)


def test_the_record_does_not_import_the_view_and_play_goes_through_the_registered_player():
    import subprocess
    import sys
    code = ("import sys, autograd_lab as lab\n"
            "with lab.trace() as t:\n"
            "    w = lab.tensor(2.0, requires_grad=True)\n"
            "    (w * 3).backward()\n"
            "len(t.events)\n"
            "assert not [m for m in sys.modules if m.startswith('autograd_lab.view')], 'view imported'\n"
            "p = t.play(start=1)\n"
            "print(type(p).__module__, type(p).__name__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["autograd_lab.view.player", "Player"]
