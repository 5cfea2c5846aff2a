"""Long real-torch loops are recorded thin past their first iterations (record/torch/thin.py): the
same events, ids, names and sources as a trace recorded whole; values of more than 64 numbers (shown
as summaries) kept only in the first and last iterations (``Trace.kept_whole`` says which), elsewhere
``NOT_KEPT``; smaller values (the loss, small weights and gradients) everywhere."""
from __future__ import annotations

import pytest

from tests.support.requirements import require_torch

torch = require_torch()
import autograd_lab as lab  # noqa: E402
from autograd_lab.record.torch import thin  # noqa: E402
from autograd_lab.record.torch.vocab import NOT_KEPT  # noqa: E402
from tests.support.examples import polynomial_fit  # noqa: E402

IDS = ("tensor", "output", "node", "inputs", "next", "next_vars", "roots", "nodes")


def _linear_sgd(steps):
    """A Linear layer trained by torch.optim.SGD: the optimizer changes big weights in place."""
    torch.manual_seed(0)
    with lab.trace() as t:
        model = torch.nn.Linear(32, 8)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        x, y = torch.randn(64, 32), torch.randn(64, 8)
        for _ in range(steps):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
    return t, model.weight.detach().clone()


def _autograd_grad(steps):
    torch.manual_seed(0)
    with lab.trace() as t:
        w = torch.randn(100, requires_grad=True)
        for _ in range(steps):
            g, = torch.autograd.grad((w * w).sum(), w)
            with torch.no_grad():
                w -= 0.1 * g
    return t


def _tensor_hooks(steps):
    torch.manual_seed(0)
    with lab.trace() as t:
        w = torch.randn(100, requires_grad=True)
        for _ in range(steps):
            y = w * 2
            y.register_hook(lambda g: g * 2)
            y.sum().backward()
            with torch.no_grad():
                w -= 0.01 * w.grad
            w.grad = None
    return t


def _error_in_a_late_iteration(steps):
    torch.manual_seed(0)
    with lab.trace(catch_errors=True) as t:
        w = torch.randn(100, requires_grad=True)
        for i in range(steps):
            y = (w * w).sum()
            y.backward()
            if i == steps - 2:
                y.backward()  # (the graph is freed: torch's error ends the block)
    assert isinstance(t.error, RuntimeError)
    return t


def _big_tensor_changed_in_place(steps):
    torch.manual_seed(0)
    with lab.trace() as t:
        w = torch.randn(100, requires_grad=True)
        x = torch.randn(100)
        for _ in range(steps):
            (w * x).sum().backward()
            x.add_(1.0)
            x[0] = 5.0
            w.grad.zero_()
    return t


def _views_of_big_tensors(steps):
    """Views share their base's memory: when the base (or another view of it) changes in place, a
    view held for a kept iteration must have been copied too (not read "changed in place")."""
    torch.manual_seed(0)
    with lab.trace() as t:
        net = torch.nn.Linear(16, 16)
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        x, h = torch.randn(4, 16), torch.randn(200)
        for _ in range(steps):
            v = net.weight[:, :8]                        # a view of a big parameter
            u = h[100:] * 1.0                            # a view of a big tensor, used in the graph
            loss = (net(x) + v.sum()).pow(2).mean() + (u * net.bias.sum()).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()                                   # changes the parameter under its view
            h[:100].mul_(0.5)                            # changes the base through another view
    return t


PROGRAMS = {"polynomial": lambda steps: polynomial_fit(steps)[0], "linear_sgd": lambda steps: _linear_sgd(steps)[0],
            "autograd_grad": _autograd_grad, "tensor_hooks": _tensor_hooks,
            "error_in_a_late_iteration": _error_in_a_late_iteration,
            "big_tensor_changed_in_place": _big_tensor_changed_in_place,
            "views_of_big_tensors": _views_of_big_tensors}


def _whole(monkeypatch, fn):
    with monkeypatch.context() as m:
        m.setattr(thin, "FIRST", 10 ** 9)
        return fn()


def _canon(events):
    """The ids of the events, renumbered by first appearance (two traces number their ids apart)."""
    seen, rows = {}, []
    for e in events:
        row = []
        for f in IDS:
            v = getattr(e, f, None)
            for x in (v if isinstance(v, tuple) else (v,)):
                row.append(seen.setdefault(x, len(seen)) if x is not None else None)
        rows.append(tuple(row))
    return rows


def _iteration_of(events):
    """The iteration of each event, as thin.py counts them: iteration k ends with backward call k's
    done event (what follows the last one: iteration N + 1, kept whole)."""
    its, n = [], 1
    for e in events:
        its.append(n)
        if e.kind == "done":
            n += 1
    return its


@pytest.mark.parametrize("program", list(PROGRAMS))
def test_thin_trace_is_the_whole_trace_but_values(monkeypatch, program):
    steps = thin.FIRST + thin.LAST + 4
    run = lambda: PROGRAMS[program](steps)  # noqa: E731
    t_thin, t_whole = run(), _whole(monkeypatch, run)
    a, b = list(t_thin.events), list(t_whole.events)
    assert [e.kind for e in a] == [e.kind for e in b]
    assert [e.source for e in a] == [e.source for e in b]
    assert _canon(a) == _canon(b)
    assert [t_thin.display_name(e.output) for e in a if e.kind == "op"] == \
           [t_whole.display_name(e.output) for e in b if e.kind == "op"]
    assert t_whole.kept_whole is None
    kept = t_thin.kept_whole
    n = steps  # (backward calls; the error program's last one, its second in one iteration, failed)
    last = n - 1 if program == "error_in_a_late_iteration" else n  # (the last that returned)
    assert kept == {"iterations": n, "whole": [1, 2, 3, 4, 5] + list(range(last - 4, n + 1)), "not_kept": NOT_KEPT}
    its = _iteration_of(b)
    not_kept = set()
    for x, y, it in zip(a, b, its):
        for f in x._fields[2:]:
            if f in IDS:
                continue
            vx, vy = getattr(x, f), getattr(y, f)
            if vx == vy:
                continue
            # a value not kept stands where the whole trace has a summary (more than 64 numbers)
            flat_x = vx if isinstance(vx, tuple) else (vx,)
            flat_y = vy if isinstance(vy, tuple) else (vy,)
            for p, q in zip(flat_x, flat_y):
                if p != q:
                    assert p == NOT_KEPT and isinstance(q, dict) and "mean" in q, (x, y)
            not_kept.add(it)
    assert not_kept == set(range(1, n + 1)) - set(kept["whole"])


def test_loss_and_scalar_gradients_kept_in_every_iteration():
    steps = thin.FIRST + thin.LAST + 6
    t, _, losses = polynomial_fit(steps)
    assert t.kept_whole is not None
    sums = [e.value for e in t.events if e.kind == "op" and e.op == "sum"]
    assert len(sums) == steps and all(isinstance(v, float) for v in sums)
    assert all(isinstance(e.added, float) for e in t.events if e.kind == "accumulate")


def test_a_loop_recorded_thin_computes_what_it_computes_unrecorded():
    plain = polynomial_fit(thin.FIRST + thin.LAST + 3, traced=False)
    recorded = polynomial_fit(thin.FIRST + thin.LAST + 3)
    assert [w.item() for w in plain[1]] == [w.item() for w in recorded[1]]
    _, w_rec = _linear_sgd(14)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = torch.nn.Linear(32, 8)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        x, y = torch.randn(64, 32), torch.randn(64, 8)
        for _ in range(14):
            opt.zero_grad()
            ((model(x) - y) ** 2).mean().backward()
            opt.step()
    assert torch.equal(model.weight.detach(), w_rec)


def test_short_traces_keep_every_value():
    t, _, _ = polynomial_fit(thin.FIRST + thin.LAST)
    assert t.kept_whole is None
    assert NOT_KEPT not in repr(list(t.events))


def test_long_loops_of_small_tensors_keep_every_value():
    """Lesson 8's loop (weights of one number): every value kept, and kept_whole says so (None)."""
    with lab.trace() as t:
        x, y = torch.tensor([0.0, 1.0, 2.0, 3.0]), torch.tensor([1.0, 3.0, 5.0, 7.0])
        w, b = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([w, b], lr=0.05)
        for _ in range(3 * (thin.FIRST + thin.LAST)):
            opt.zero_grad()
            ((w * x + b - y) ** 2).mean().backward()
            opt.step()
    assert t.kept_whole is None
    assert NOT_KEPT not in repr(list(t.events))


def test_kept_whole_survives_json():
    t, _, _ = polynomial_fit(thin.FIRST + thin.LAST + 2)
    back = lab.Trace.from_json(t.to_json())
    assert back.kept_whole == t.kept_whole
    assert back.events == t.events
