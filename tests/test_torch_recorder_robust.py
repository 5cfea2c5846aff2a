"""Whatever torch can make is recorded without an error reaching the user, and recording changes
nothing the user's torch code computes, raises, prints or warns: each case runs unrecorded and
inside ``with lab.trace()``, and the two runs are compared (results, the error's type and message,
stdout, warning texts); the trace's events and names must then be readable."""
from __future__ import annotations

import contextlib
import io
import warnings

import pytest

from tests.support.requirements import require_torch

torch = require_torch()
import autograd_lab as lab  # noqa: E402


def inference_mode_example():
    """The example of torch.inference_mode's docstring, in our words: a product made inside the mode
    (and by a function decorated with it) does not require grad, and has no version counter."""
    x = torch.ones(1, 2, 3, requires_grad=True)
    with torch.inference_mode():
        y = x * x
    print(y.requires_grad)
    try:
        y._version
    except RuntimeError as e:
        print("version:", e)

    @torch.inference_mode()
    def square(t):
        return t * t

    out = square(x)
    print(out.requires_grad, out.is_inference())

    @torch.inference_mode()
    def doubler(t):
        return t * 2

    return y, out, doubler(x)


def inference_tensor_in_a_graph():
    """An inference tensor used (cloned) in a graph that then runs backward."""
    with torch.inference_mode():
        a = torch.randn(4, 4, generator=torch.Generator().manual_seed(0))
        b = a * 2
        b.add_(1)  # (in place, inside the mode: allowed)
    w = torch.ones(4, requires_grad=True)
    loss = (b.clone() @ w).sum()
    loss.backward()
    return b, w.grad


def inference_tensor_changed_outside():
    """torch refuses an in-place change of an inference tensor outside the mode: its own error."""
    x = torch.ones(1, 2, 3, requires_grad=True)
    with torch.inference_mode():
        y = x * x
    y[0][0][1] = 2
    return y


def views_and_in_place():
    a = torch.arange(6.0).reshape(2, 3).requires_grad_()
    b = a.clone()
    v = b[0]
    v.mul_(2)
    c = b.t().contiguous().view(-1)
    c.sum().backward()
    d = torch.zeros(3)
    d[1:] += torch.tensor([1.0, 2.0])
    d.unsqueeze(0).expand(2, 3)
    return b, c, a.grad, d


def sparse_int_bool():
    i = torch.tensor([[0, 1], [1, 0]])
    s = torch.sparse_coo_tensor(i, torch.tensor([1.0, 2.0]), (2, 2))
    dense = (s + s).to_dense()
    n = torch.arange(5)
    mask = n > 2
    return dense, (n * mask).sum(), mask.any(), n.bool(), torch.tensor([1 + 2j]) * 2


def no_storage_access():
    """Tensors whose memory Python cannot reach: functorch's wrappers, meta tensors."""
    f = lambda t: (t.sin() ** 2).sum()  # noqa: E731
    g = torch.func.grad(f)(torch.linspace(0, 1, 3))
    batched = torch.vmap(lambda t: t * 2)(torch.ones(3, 2))
    meta = torch.empty(3, device="meta") + 1
    return g, batched, meta.shape


def no_grad_and_detach():
    w = torch.ones(3, requires_grad=True)
    with torch.no_grad():
        w.mul_(2)
    y = (w.detach() * w).sum()
    y.backward()
    return w, w.grad


CASES = [inference_mode_example, inference_tensor_in_a_graph, inference_tensor_changed_outside,
         views_and_in_place, sparse_int_bool, no_storage_access, no_grad_and_detach]


def _run(case, traced: bool):
    """(result or (error type, message), stdout, warning texts, trace)"""
    out = io.StringIO()
    torch.manual_seed(0)
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        t = None
        try:
            if traced:
                with lab.trace() as t:
                    result = case()
            else:
                result = case()
        except Exception as e:  # (the user's own error: it must be the same)
            result = (type(e), str(e))
    return result, out.getvalue(), sorted({str(w.message) for w in caught}), t


def _same(a, b) -> bool:
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        if a.layout != b.layout or a.device != b.device or a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.device.type == "meta":
            return True
        return bool(torch.equal(a.to_dense() if a.is_sparse else a, b.to_dense() if b.is_sparse else b))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_recorded_as_unrecorded(case):
    plain = _run(case, False)
    recorded = _run(case, True)
    assert _same(recorded[0], plain[0]), (recorded[0], plain[0])
    assert recorded[1] == plain[1]  # what the code printed
    # the warnings: none added (torch gives some once per process, such as the sparse invariants one,
    # so the recorded run, second, may lack one the first gave)
    assert set(recorded[2]) <= set(plain[2])
    t = recorded[3]
    assert len(t.events) > 0  # the events are built without an error
    t.names
    assert lab.Trace.from_json(t.to_json()).events == t.events


def test_inference_tensors_are_shown():
    """The inference_mode example's tensors are in the trace, with their values."""
    _, _, _, t = _run(inference_mode_example, True)
    values = [e.value for e in t.events if e.kind == "op" and e.op == "mul"]
    assert values and all(v == [[[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]] or v == [[[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]]
                          for v in values), values


def test_inference_tensor_changed_in_the_mode_shows_each_step():
    """``b.add_(1)`` inside inference_mode: the op before it shows the value before (recorded at
    once: the inference tensor has no version counter to tell a later change by)."""
    _, _, _, t = _run(inference_tensor_in_a_graph, True)
    ev = [e for e in t.events if e.kind in ("op", "update") and (e.kind == "update" or e.op == "mul")]
    mul = next(e for e in ev if e.kind == "op")
    upd = next(e for e in ev if e.kind == "update")
    assert upd.before == mul.value
    assert upd.after == (torch.tensor(mul.value) + 1).tolist()  # (in float32, as torch added)
