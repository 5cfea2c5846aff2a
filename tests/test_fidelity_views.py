"""Views and in-place changes, side by side with torch 2.13.

Each case runs the same lines with ``autograd_lab`` and with ``torch`` (``tests/support/api_side_by_side``)
and compares what they print, return (by repr, with ``grad_fn`` names and ``next_functions``), raise
and warn. The model behind them (``core/views.py``): a view shares its base's memory, version
counter and history; an in-place op on a view writes through to the base, whose grad_fn becomes
``CopySlices``, and the views of the base get ``AsStridedBackward0``.
"""
from __future__ import annotations

import pytest

import autograd_lab as lab
from tests.support.api_side_by_side import same


def _r(L):
    return L.tensor([1., 2., 3., 4.], requires_grad=True)


def _graph(t):
    """The names along ``t``'s graph, depth first (what students print as ``grad_fn.next_functions``)."""
    out, stack = [], [(t.grad_fn, 0)]
    while stack:
        n, depth = stack.pop()
        if n is None:
            out.append("  " * depth + "None")
            continue
        out.append("  " * depth + n.name())
        stack.extend((m, depth + 1) for m, _ in reversed(n.next_functions))
    return "\n".join(out)


def _add_on_slice(L):
    r = L.tensor([0., 0., 0., 0.], requires_grad=True)
    x = r.clone()
    x[1:3].add_(1)
    x.sum().backward()
    return x, r.grad, x._version, _graph(x)


def _view_and_base(L):
    x = _r(L).clone()
    v = x[1:3]
    before = (x._version, v._version, v._base is x, v._is_view(), x._is_view(), x._base)
    v.mul_(2)
    return before, x, v, x._version, v._version, v.grad_fn, v.grad_fn.next_functions, x.grad_fn.next_functions


def _grad_through_base(L):
    r = _r(L)
    x = r.clone()
    x[1:3].mul_(r[:2])
    (x * x).sum().backward()
    return x, r.grad, _graph(x)


def _grad_through_view(L):
    r = _r(L)
    x = r.clone()
    v = x[1:3]
    v.mul_(2)
    v.sum().backward()
    return v, r.grad, _graph(v)


def _setitem_int(L):
    x = _r(L).clone()
    x[1] = 5
    return x, x._version, x.grad_fn.next_functions


def _setitem_on_view(L):
    x = _r(L).clone()
    y = x[0:2]
    y[1] = 7
    return x, y, x._version, y._version, y.grad_fn, x.grad_fn.next_functions


def _setitem_tensor_value(L):
    r = _r(L)
    x = L.zeros(2, 4)
    x[1] = r * 2
    x.sum().backward()
    return x, r.grad, _graph(x)


def _setitem_index_tensor(L):
    x = _r(L).clone()
    x[[1, 2]] = L.tensor([5., 6.])
    return x, x._version, x.grad_fn.next_functions


def _base_changed_after_view(L):
    x = _r(L).clone()
    y = x.view(2, 2)
    x.add_(1)
    return y, y.grad_fn, y._version, y.grad_fn.next_functions


def _view_of_view(L):
    r = _r(L)
    x = r.clone()
    y = x.view(2, 2)
    z = y[0]
    z.mul_(3)
    x.sum().backward()
    return x, y.grad_fn, z.grad_fn, x.grad_fn, r.grad


def _transpose_view(L):
    r = L.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    y = r * 1
    v = y.t()
    v[0].mul_(10)
    y.sum().backward()
    return y, v, r.grad, v.grad_fn, y.grad_fn


def _base_no_grad_value_grad(L):
    x = L.zeros(4)
    y = x[1:3]
    w = L.ones(2, requires_grad=True)
    y.add_(w)
    x.sum().backward()
    return x, x.grad_fn, y.grad_fn, x.grad_fn.next_functions, y.requires_grad, w.grad


def _view_of_leaf(L):
    r = _r(L)
    return r[1:3].add_(1)


def _view_of_leaf_setitem(L):
    r = _r(L)
    r[0] = 1.


def _view_of_leaf_before_requires_grad(L):
    a = L.zeros(3)
    v = a[:2]
    a.requires_grad_()
    print(v.requires_grad, v.grad_fn, v.is_leaf)
    v.add_(1)


def _view_of_leaf_no_grad(L):
    w = _r(L)
    with L.no_grad():
        w[1:3].mul_(2)
        w.view(2, 2)[0].zero_()
    return w, w._version, w.is_leaf


def _leaf_itself(L):
    return _r(L).mul_(2)


def _split_inplace(L):
    parts = _r(L).clone().split(2)
    print(parts, parts[0]._version)
    parts[1].mul_(2)


def _split_sizes_inplace(L):
    parts = _r(L).clone().split([1, 3])
    print(parts)
    parts[1].add_(1)


def _chunk_inplace(L):
    parts = _r(L).clone().chunk(2)
    print(parts)
    parts[0].sub_(1)


def _unbind_inplace(L):
    parts = _r(L).clone().unbind()
    print(parts)
    parts[2].exp_()


def _multi_output_no_grad_ok(L):
    x = L.tensor([1., 2., 3., 4.])
    a, b = x.split(2)
    a.mul_(10)
    return x, a, b


def _multi_output_grad(L):
    r = _r(L)
    a, b = r.split(2)
    (a * b).sum().backward()
    return r.grad, a.grad_fn.next_functions, a._base is r


def _unbind_grad(L):
    r = L.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    rows = L.unbind(r, 1)
    (rows[0] * rows[1] ** 2).sum().backward()
    return rows, r.grad


def _no_grad_view(L):
    x = L.zeros(2, 3, requires_grad=True)
    y = x * 1
    with L.no_grad():
        v = y[0]
    v.mul_(2)


def _expanded(L):
    x = L.zeros(2, 3, requires_grad=True)
    y = x * 1
    y.expand(2, 2, 3).add_(1)


def _narrow_select_view_as(L):
    x = _r(L).clone()
    return (x.narrow(0, 1, 2), x.view_as(L.zeros(2, 2)), x.select(0, 1), L.select(x, 0, -1), L.narrow(x, 0, 1, 2),
            x.narrow(0, 1, 2)._base is x)


def _narrow_inplace(L):
    r = _r(L)
    x = r * 1
    x.narrow(0, 2, 2).mul_(r[:2])
    x.sum().backward()
    return x, r.grad, x.grad_fn.next_functions


def _fill(L):
    x = _r(L).clone()
    x.fill_(3)
    return x, x._version, x.grad_fn.next_functions


def _fill_view(L):
    r = _r(L)
    x = r.clone()
    x[1:3].fill_(3)
    x.sum().backward()
    return x, x._version, x.grad_fn.next_functions, r.grad


def _fill_tensor(L):
    r = _r(L)
    v = L.tensor(2., requires_grad=True)
    x = r.clone()
    x.fill_(v)
    (x * r).sum().backward()
    return x, x.grad_fn.next_functions, v.grad, r.grad


def _zero(L):
    r = _r(L)
    x = r.clone()
    x.zero_()
    (x + r).sum().backward()
    return x, x.grad_fn.next_functions, r.grad


def _zero_view(L):
    x = _r(L).clone()
    x.view(2, 2)[1].zero_()
    return x, x._version, _graph(x)


def _copy(L):
    r = _r(L)
    x = r.clone()
    x.copy_(r * 2)
    x.sum().backward()
    return x, x.grad_fn.next_functions, r.grad


def _copy_into_view(L):
    r = _r(L)
    x = L.zeros(3, 2)
    x[:, 1].copy_(r[:3])
    (x * x).sum().backward()
    return x, r.grad, _graph(x)


def _relu_view(L):
    r = L.tensor([-1., 2., -3., 4.], requires_grad=True)
    x = r * 1
    x[0:3].relu_()
    x.sum().backward()
    return x, x._version, r.grad


def _twins_count(L):
    x = _r(L).clone()
    x.sigmoid_()
    x.exp_()
    x.relu_()
    return x, x._version


def _twin_on_view_grad(L):
    r = _r(L)
    x = r * 1
    x[1:].sin_()
    x[:2].tanh_()
    x.sum().backward()
    return x, r.grad, _graph(x)


def _detach_shares_version(L):
    x = _r(L).clone()
    d = x.detach()
    print(d._is_view(), d._base)
    d.add_(1)
    return x._version, d._version, x


def _detach_(L):
    x = _r(L).clone()
    x.detach_()
    return x, x._version, x.requires_grad, x.is_leaf


def _detach_view(L):
    _r(L).clone()[1:3].detach_()


def _version_counts(L):
    x = L.ones(3)
    counts = [x._version]
    x.add_(1)
    counts.append(x._version)
    x[0] = 2
    counts.append(x._version)
    x.zero_()
    counts.append(x._version)
    x.data.add_(1)
    counts.append(x._version)
    x.view(3)[1:].mul_(2)
    counts.append(x._version)
    return counts, x


def _view_sees_base(L):
    a = L.ones(3)
    s = a[0:2]
    print(s._version)
    a.add_(1)
    return s._version, s


def _retain_grad_base(L):
    x = _r(L).clone()
    x.retain_grad()
    x[1:3].mul_(2)
    x.sum().backward()
    return x.grad


def _retain_grad_view(L):
    x = _r(L).clone()
    v = x[1:3]
    v.retain_grad()
    v.mul_(2)
    x.sum().backward()
    return v.grad


def _retain_grad_non_view(L):
    y = _r(L) * 2
    y.retain_grad()
    y.mul_(2)
    y.sum().backward()
    return y.grad


def _hook_on_view_before(L):
    x = _r(L).clone()
    v = x[1:3]
    seen = []
    v.register_hook(lambda g: seen.append(g))
    v.mul_(2)
    x.sum().backward()
    return seen


def _hook_on_base_before(L):
    x = _r(L).clone()
    seen = []
    x.register_hook(lambda g: seen.append(g))
    x[1:3].mul_(2)
    x.sum().backward()
    return seen


def _hook_on_view_after(L):
    x = _r(L).clone()
    v = x[1:3]
    v.mul_(2)
    seen = []
    v.register_hook(lambda g: seen.append(g))
    (v * 3).sum().backward()
    return seen


def _saved_index_freed(L):
    b = L.tensor([1., 2., 3.], requires_grad=True)
    c = L.zeros(3)
    c[[1, 2]] = b[[1, 1]]
    c.sum().backward()
    print(b.grad, c.grad_fn, c.grad_fn.next_functions)
    c.sum().backward()


def _saved_index_retained(L):
    b = L.tensor([1., 2., 3.], requires_grad=True)
    c = L.zeros(3)
    c[[1, 2]] = b[[1, 1]]
    c.sum().backward(retain_graph=True)
    c.sum().backward()
    return b.grad


def _inner_saved_freed(L):
    r = _r(L)
    x = r.clone()
    x[1:3].mul_(r[:2])
    x.sum().backward()
    x.sum().backward()


def _inner_nothing_saved(L):
    r = _r(L)
    x = r.clone()
    x[1:3].add_(1)
    x.sum().backward()
    x.sum().backward()
    return r.grad


def _stale_saved_through_view(L):
    r = _r(L)
    y = r * 1
    z = y.sin()  # sin saves y
    y[0:2].mul_(2)
    z.sum().backward()


def _stale_saved_view(L):
    r = _r(L)
    y = r * 1
    v = y[0:2]
    z = v.exp()  # exp saves its result, not v: changing v is fine, changing z is not
    w = v.sin()  # sin saves v
    y.mul_(2)
    (z + w).sum().backward()


def _base_changed_in_no_grad(L):
    x = _r(L).clone()
    v = x[0:2]
    with L.no_grad():
        x.mul_(2)
    return v, v.grad_fn, x.grad_fn


def _zero_dim_view(L):
    x = L.tensor(3., requires_grad=True) * 1
    v = x[...]
    v.mul_(2)
    return x, v, x._version, x.grad_fn, v.grad_fn, L.tensor(3.)[...]._is_view()


def _select_on_vector(L):
    r = _r(L)
    x = r * 1
    e = x[2]
    e.mul_(5)
    x.sum().backward()
    return x, e, r.grad, e._base is x


def _unsqueeze_squeeze_views(L):
    r = _r(L)
    x = r * 1
    x.unsqueeze(0).squeeze(0)[1:2].mul_(7)
    x.sum().backward()
    return x, r.grad


def _inplace_ops_on_view(L):
    r = _r(L)
    x = r * 1
    v = x[1:]
    v += 1
    v *= 2
    v -= x[:3].detach().clone()
    v /= 2
    x.sum().backward()
    return x, v, x._version, r.grad


def _partial_overlap(L):
    x = _r(L) * 1
    v = x[1:]
    v -= x[:3].detach()


def _same_memory_operand(L):
    x = _r(L) * 1
    v = x[1:]
    v.mul_(x[1:])
    return x, _graph(x)


def _setitem_from_itself(L):
    y = L.arange(5., requires_grad=True) * 1
    y[1:] = y[:-1]


def _operand_is_the_same_memory_scalar(L):
    w = L.tensor(2.0, requires_grad=True)
    v = L.tensor(5.0, requires_grad=True)
    y = w + 0
    y *= v  # (v is another tensor: the old y is what MulBackward0 uses)
    y.backward()
    return w.grad, v.grad


def _operand_is_a_view_of_the_target(L):
    r = _r(L)
    y = r * 1
    z = y.view(4)
    y.mul_(z)  # z is saved, then changed by the mul_ itself
    y.sum().backward()


def _operand_is_the_detached_target(L):
    r = _r(L)
    y = r * 1
    y.mul_(y.detach())
    y.sum().backward()


def _operand_overlaps_exactly(L):
    r = _r(L)
    x = r * 1
    v = x[1:]
    v.mul_(x[1:])
    x.sum().backward()


def _split_output_after_base_changed(L):
    x = _r(L).clone()
    a, b = x.split(2)
    x.mul_(2)
    print(a)  # PyTorch prints grad_fn=<Invalid>
    return a.sum()


def _chunk_output_grad_fn_after_sibling_changed(L):
    x = _r(L).clone()
    a, b = x.chunk(2)
    x[0] = 3
    return a.grad_fn.name()  # (PyTorch raises at a.grad_fn already; autograd_lab when it is used)


def _unbind_output_is_leaf_after_base_changed(L):
    x = _r(L).clone()
    a = x.unbind()[0]
    x[3] = 3
    return a.is_leaf


def _split_output_after_no_grad_change(L):
    x = _r(L).clone()
    a, b = x.split(2)
    with L.no_grad():
        x.mul_(2)
        c = a * 2
    return c, a.sum()


def _no_grad_view_after_base_changed(L):
    w = _r(L)
    with L.no_grad():
        v = w[0:2]
        w.sub_(1)
    print(v, v.requires_grad)
    return v * 2


def _requires_grad_follows_base(L):
    a = L.zeros(3)
    v = a.view(3)
    a.requires_grad_()
    return v.requires_grad, v.is_leaf, v.grad_fn


CASES = {f.__name__.lstrip("_"): f for f in (
    _add_on_slice, _view_and_base, _grad_through_base, _grad_through_view, _setitem_int, _setitem_on_view,
    _setitem_tensor_value, _setitem_index_tensor, _base_changed_after_view, _view_of_view, _transpose_view,
    _base_no_grad_value_grad, _view_of_leaf, _view_of_leaf_setitem, _view_of_leaf_before_requires_grad,
    _view_of_leaf_no_grad, _leaf_itself, _split_inplace, _split_sizes_inplace, _chunk_inplace, _unbind_inplace,
    _multi_output_no_grad_ok, _multi_output_grad, _unbind_grad, _no_grad_view, _expanded, _narrow_select_view_as,
    _narrow_inplace, _fill, _fill_view, _fill_tensor, _zero, _zero_view, _copy, _copy_into_view, _relu_view,
    _twins_count, _twin_on_view_grad, _detach_shares_version, _detach_, _detach_view, _version_counts,
    _view_sees_base, _retain_grad_base, _retain_grad_view, _retain_grad_non_view, _hook_on_view_before,
    _hook_on_base_before, _hook_on_view_after, _saved_index_freed, _saved_index_retained, _inner_saved_freed,
    _inner_nothing_saved, _stale_saved_through_view, _stale_saved_view, _base_changed_in_no_grad, _zero_dim_view,
    _select_on_vector, _unsqueeze_squeeze_views, _inplace_ops_on_view, _partial_overlap, _same_memory_operand,
    _setitem_from_itself, _operand_is_the_same_memory_scalar, _operand_is_a_view_of_the_target,
    _operand_is_the_detached_target, _operand_overlaps_exactly, _split_output_after_base_changed,
    _chunk_output_grad_fn_after_sibling_changed, _unbind_output_is_leaf_after_base_changed,
    _split_output_after_no_grad_change, _no_grad_view_after_base_changed, _requires_grad_follows_base)}


@pytest.mark.parametrize("case", CASES)
def test_same_as_torch(case):
    same(CASES[case])


def test_the_key_example_writes_through():
    """``x[1:3].add_(1)`` changes ``x`` (the issue's wrong forward value) and the graph is PyTorch's."""
    out = same(_add_on_slice)
    assert out[1].startswith("tuple(tensor([0., 1., 1., 0.], grad_fn=<CopySlices>), tensor([1., 1., 1., 1.]), 1,")


def test_errors_are_raised_where_torch_raises():
    """The error cases above do raise (a case that printed the same without raising would hide a gap)."""
    for case in (_view_of_leaf, _view_of_leaf_setitem, _view_of_leaf_before_requires_grad, _split_inplace,
                 _unbind_inplace, _no_grad_view, _expanded, _detach_view, _saved_index_freed, _inner_saved_freed,
                 _stale_saved_through_view, _stale_saved_view, _partial_overlap, _inner_nothing_saved,
                 _operand_is_a_view_of_the_target, _operand_is_the_detached_target, _operand_overlaps_exactly):
        err = same(case)[2]
        assert err is not None and err.startswith("RuntimeError: "), case.__name__


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("lib", ["autograd_lab", "torch"])
def test_the_player_shows_copyslices_and_the_view_node(lib, lang):
    """A trace of the key example, recorded from the core or from real torch, builds a player whose
    graph has CopySlices (and, from the core, the step says the op changed a view of x)."""
    from tests.support.requirements import require_torch
    L = lab if lib == "autograd_lab" else require_torch()
    r = L.tensor([0., 0., 0., 0.], requires_grad=True)
    with lab.trace() as t:
        x = r.clone()
        x[1:3].add_(1)
        x.sum().backward()
    scene = lab.Player(t, lang=lang).scene
    labels = {n["label"] for n in scene["nodes"]}
    assert any(label.endswith("CopySlices") for label in labels), labels
    texts = [s["text"] for s in scene["steps"]]
    assert any("CopySlices" in s for s in texts)
    if lib == "autograd_lab":
        said = {"en": "x[1:3].add_(1) changes a view of x in place", "zh": "x[1:3].add_(1) 原地修改了 x 的一个视图"}[lang]
        assert any(s.startswith(said) for s in texts), texts
