"""``autograd.grad`` as torch 2.13 runs it (the same lines run in both): the leaf's hooks run but its
AccumulateGrad does not, branches that do not lead to the inputs are pruned (and recorded as sending
nothing), only what it ran is freed, retain_grad tensors get their gradient, and the seed of a
``create_graph`` call is recorded as made by that call (as ``backward(create_graph=True)``'s is)."""
from __future__ import annotations

import textwrap

import pytest
import torch

import autograd_lab as lab


# ---------------------------------------------------------------------- AccumulateGrad's hooks


def _acc_hooks(L, call):
    fired = []
    w = L.tensor(2.0, requires_grad=True)
    y = w * 3
    acc = y.grad_fn.next_functions[0][0]
    acc.register_prehook(lambda g: fired.append(("acc-pre", float(g[0]))))
    acc.register_hook(lambda gi, go: fired.append(("acc-post", float(go[0]))))
    w.register_hook(lambda g: fired.append(("tensor", float(g))))
    w.register_post_accumulate_grad_hook(lambda t: fired.append(("post-acc", float(t.grad))))
    if call == "grad":
        got = [float(g) for g in L.autograd.grad(y, w)]
    else:
        y.backward()
        got = [float(w.grad)]
    return fired, got


@pytest.mark.parametrize("call", ["grad", "backward"])
def test_accumulate_grad_hooks_fire_only_when_accumulating(call):
    """autograd.grad captures the leaf's gradient (its tensor hooks run) and never runs its AccumulateGrad."""
    assert _acc_hooks(lab, call) == _acc_hooks(torch, call)


# ---------------------------------------------------------------------- pruned branches


def _pruned(L):
    seen = []
    a = L.tensor(1.0, requires_grad=True)
    b = L.tensor(2.0, requires_grad=True)
    c = L.tensor(3.0, requires_grad=True)
    z = a + b * c
    z.grad_fn.register_hook(lambda gi, go: seen.append(("add-post", tuple(None if g is None else float(g) for g in gi))))
    b.register_hook(lambda g: seen.append(("b-hook", float(g))))
    got = L.autograd.grad(z, a)
    return seen, [float(g) for g in got]


def test_autograd_grad_prunes_branches_that_do_not_lead_to_the_inputs():
    assert _pruned(lab) == _pruned(torch) == ([("add-post", (1.0, None))], [1.0])


def test_pruned_branches_are_recorded_as_sending_nothing():
    with lab.trace() as t:
        a = lab.tensor(1.0, requires_grad=True)
        b = lab.tensor(2.0, requires_grad=True)
        z = a + b
        lab.autograd.grad(z, a)
    nodes = [e for e in t.events if e.kind == "node"]
    assert [(e.name, e.grad_inputs) for e in nodes] == [("AddBackward0", (1.0, None))]


# ---------------------------------------------------------------------- the seed of a create_graph call


@pytest.fixture
def warn_once_reset():
    """backward(create_graph=True) warns once per process (as PyTorch): let later tests see it again."""
    from autograd_lab.core import engine
    saved = set(engine._warned)
    yield
    engine._warned.clear()
    engine._warned.update(saved)


@pytest.mark.parametrize("call", ["grad", "backward"])
def test_the_seed_of_a_create_graph_call_is_recorded_as_made_by_that_call(call, tmp_path, warn_once_reset):
    cell = tmp_path / "seed.py"
    cell.write_text(textwrap.dedent(f"""\
        import autograd_lab as lab
        with lab.trace() as t:
            x = lab.tensor(2.0, requires_grad=True)
            y = x * x
            {'(g,) = lab.autograd.grad(y, x, create_graph=True)' if call == 'grad' else 'y.backward(create_graph=True)'}
        """))
    ns: dict = {}
    exec(compile(cell.read_text(), str(cell), "exec"), ns)
    events = list(ns["t"].events)
    begin = next(i for i, e in enumerate(events) if e.kind == "backward")
    seed = events[begin + 1]
    assert seed.kind == "tensor" and seed.how == "seed" and seed.value == 1.0 and seed.requires_grad is False
    assert seed.source.line == 5
    assert not [e for e in events if e.kind == "tensor" and e.how == "existing"]


# ---------------------------------------------------------------------- what it frees and fills


def _grad_frees(L):
    out = []
    w = L.tensor(2.0, requires_grad=True)
    v = L.tensor(3.0, requires_grad=True)
    p, q = w * w, v * v
    s = p + q
    out.append([float(g) for g in L.autograd.grad(s, w)])
    out.append([float(g) for g in L.autograd.grad(q, v)])       # the branch it did not run: still usable
    try:
        L.autograd.grad(p, w)                                   # the node it ran: freed
    except RuntimeError as e:
        out.append(str(e)[:60])
    x = L.tensor(2.0, requires_grad=True)
    y = x * x
    (g,) = L.autograd.grad(y, x, create_graph=True)            # retain_graph defaults to create_graph
    out.append([float(h) for h in L.autograd.grad(y, x)])
    return out


def test_autograd_grad_frees_only_what_it_ran():
    assert _grad_frees(lab) == _grad_frees(torch)


def _retained_in_grad(L):
    w = L.tensor(2.0, requires_grad=True)
    y = w * 3
    y.retain_grad()
    z = y * y
    (g,) = L.autograd.grad(z, w)
    return float(g), None if y.grad is None else float(y.grad), w.grad


def test_retain_grad_tensors_get_their_grad_inside_autograd_grad():
    assert _retained_in_grad(lab) == _retained_in_grad(torch) == (36.0, 12.0, None)
