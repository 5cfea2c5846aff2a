"""A real-torch loop longer than thin.SUMMARY_AFTER iterations is recorded step by step only until
the loop is recognised; its later iterations are noted as summaries (loss, largest |.grad|) in
``Trace.kept_whole["summarised"]``, what the user's code computes and raises is unchanged, code
after the loop is recorded again, and the loop view shows the summarised iterations as such."""
from __future__ import annotations

import json

import pytest

from tests.support.requirements import require_torch

torch = require_torch()
import autograd_lab as lab  # noqa: E402
from autograd_lab.record.torch import thin  # noqa: E402
from autograd_lab.view import graph, loops  # noqa: E402
from tests.support.examples import polynomial_fit  # noqa: E402

LONG = thin.SUMMARY_AFTER + 40


def _sgd_loop(steps, traced, after=False, fail_at=None):
    """An nn.Linear trained by torch.optim.SGD; per step its loss and the largest |grad| (read outside
    torch's view of the block: plain Python on the values). ``after``: an op after the loop;
    ``fail_at``: the step whose forward gets a tensor of the wrong shape."""
    torch.manual_seed(0)
    losses, grads = [], []
    ctx = lab.trace() if traced else _Nothing()
    with ctx as t:
        model = torch.nn.Linear(16, 8)  # (128 weights: more than a value kept in every iteration)
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        x, y, bad = torch.randn(32, 16), torch.randn(32, 8), torch.randn(32, 15)
        for step in range(steps):
            opt.zero_grad()
            loss = ((model(bad if step == fail_at else x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            grads.append(max(abs(v) for p in model.parameters() for v in p.grad.flatten().tolist()))
        if after:
            final = model(x).sum()
    return (t if traced else None), model.weight.detach().clone(), losses, grads, (final.item() if after else None)


class _Nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def test_a_long_loop_computes_the_same_and_notes_each_later_iteration_as_a_summary():
    t, w, losses, grads, _ = _sgd_loop(LONG, traced=True)
    _, w0, losses0, grads0, _ = _sgd_loop(LONG, traced=False)
    assert torch.equal(w, w0) and losses == losses0 and grads == grads0
    kept = t.kept_whole
    rows = kept["summarised"]
    assert kept["iterations"] == LONG
    first = rows[0][0]
    assert thin.SUMMARY_AFTER < first <= thin.SUMMARY_AFTER + thin.FIRST + 3  # (counted from the first thin one)
    assert [r[0] for r in rows] == list(range(first, LONG + 1))
    for k, loss, grad in rows:  # (iteration k: backward call k)
        assert loss == pytest.approx(losses0[k - 1], rel=1e-6)
        assert grad == pytest.approx(grads0[k - 1], rel=1e-6)
    assert not set(kept["whole"]) & {r[0] for r in rows}
    n_backward = sum(1 for e in t.events if e.kind == "backward")
    assert n_backward == first - 1  # (no event of a summarised iteration)


def test_a_loop_of_a_lessons_length_is_recorded_whole():
    t = _sgd_loop(thin.SUMMARY_AFTER, traced=True)[0]
    assert "summarised" not in (t.kept_whole or {})
    assert sum(1 for e in t.events if e.kind == "backward") == thin.SUMMARY_AFTER


def test_the_code_after_a_summarised_loop_is_recorded_again():
    t, _, _, _, final = _sgd_loop(LONG, traced=True, after=True)
    assert t.kept_whole["summarised"]
    last_line = max(e.source.line for e in t.events if e.source is not None and e.kind == "op")
    ops = [e for e in t.events if e.kind == "op" and e.source is not None and e.source.line == last_line]
    assert "final = model(x).sum()" in ops[-1].source.text
    assert ops[-1].value == pytest.approx(final)


def test_an_error_in_a_summarised_iteration_reaches_the_user_as_torch_raises_it():
    step = thin.SUMMARY_AFTER + 20
    with pytest.raises(RuntimeError) as plain:
        _sgd_loop(LONG, traced=False, fail_at=step)
    with pytest.raises(RuntimeError) as recorded:
        _sgd_loop(LONG, traced=True, fail_at=step)
    assert str(recorded.value) == str(plain.value)

    torch.manual_seed(0)
    with lab.trace(catch_errors=True) as t:
        w = torch.randn(4, requires_grad=True)
        for i in range(LONG):
            loss = (w * torch.ones(4 if i != step else 3)).sum()
            loss.backward()
            with torch.no_grad():
                w -= 0.1 * w.grad
            w.grad = None
    assert t.kept_whole["summarised"][-1][0] == step  # (the failing step made no backward call)
    assert t.events[-1].kind == "error" and "size of tensor a (4)" in t.events[-1].message
    assert isinstance(t.error, RuntimeError)


def test_a_loop_with_a_users_hook_is_never_summarised():
    with lab.trace() as t:
        w = torch.ones(3, requires_grad=True)
        for _ in range(LONG):
            y = w * 2
            y.register_hook(lambda g: g)
            y.sum().backward()
            with torch.no_grad():
                w -= 0.01 * w.grad
            w.grad = None
    assert "summarised" not in (t.kept_whole or {})
    assert sum(1 for e in t.events if e.kind == "hook") == LONG


def test_the_loop_view_shows_summarised_iterations_and_says_so():
    t = polynomial_fit(LONG)[0]
    rows = t.kept_whole["summarised"]
    _, loop = loops.prepare(t)
    its = loop.iterations
    assert [it.n for it in its] == list(range(1, LONG + 1)) and all(it.of == LONG for it in its)
    only = [it for it in its if it.summary_only]
    assert [it.n for it in only] == [r[0] for r in rows] and not any(it.kept for it in only)
    assert [(it.loss, it.grad) for it in only] == [(r[1], r[2]) for r in rows]
    recorded = [it.n for it in its if it.kept]
    assert recorded == [1, 2, 3] + [rows[0][0] - 3, rows[0][0] - 2, rows[0][0] - 1]
    g = graph.build(t)
    assert [b.label.split(" · ")[0] for b in g.groups.values()] == [f"iteration {i} of {LONG}" for i in recorded]
    assert f"{rows[0][0]}–{LONG} were recorded as summaries only" in g.notice
    back = lab.Trace.from_json(json.loads(json.dumps(t.to_json())) if not isinstance(t.to_json(), str) else t.to_json())
    assert back.kept_whole == t.kept_whole
