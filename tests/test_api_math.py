"""Math as functions and methods, shapes and indexing: printed results, node names, dtypes and
errors side by side with PyTorch 2.13. (Gradients are checked by the registry, tests/support/ops.py.)"""
from __future__ import annotations

import pytest

from tests.support.api_side_by_side import same


def _y(L):
    return L.tensor([[1., 5., 3.], [4., 2., 6.]], requires_grad=True)


def _backward_grad(L, fn):
    y = _y(L)
    out = fn(L, y)
    out.sum().backward() if out.requires_grad else None
    return out, y.grad


CASES = {
    "functions": lambda L: (L.add(_y(L), 1, alpha=2), L.sub(_y(L), 1), L.mul(_y(L), 2),
                            L.div(_y(L), 4), L.pow(_y(L), 2), L.pow(2, _y(L)), L.neg(_y(L)), L.exp(_y(L)),
                            L.log(_y(L)), L.sin(_y(L)), L.cos(_y(L)), L.tan(_y(L)), L.tanh(_y(L)),
                            L.sigmoid(_y(L)), L.relu(_y(L) - 3), L.abs(-_y(L)), L.sqrt(_y(L)), L.square(_y(L))),
    "function_needs_tensor": lambda L: L.add(1, 2),
    "reductions": lambda L: (L.sum(_y(L)), L.sum(_y(L), 1), L.mean(_y(L), dim=0), _y(L).prod(), L.prod(_y(L), 1),
                             _y(L).norm(), L.norm(_y(L), dim=0), _y(L).norm(p=1), _y(L).norm(2, 1, keepdim=True)),
    "max_min": lambda L: (_y(L).max(), L.min(_y(L)), _y(L).max(1), L.min(_y(L), dim=0, keepdim=True),
                          _y(L).max(dim=1).values, _y(L).max(1)[1], L.max(_y(L), 0).indices,
                          L.max(_y(L), _y(L) * 0 + 3), _y(L).argmax(), L.argmax(_y(L), 1),
                          _y(L).argmin(dim=0, keepdim=True), L.maximum(_y(L), L.tensor(3.)), L.minimum(_y(L), _y(L) * 0.5)),
    "clamp": lambda L: (_y(L).clamp(2, 4), _y(L).clamp(max=3), L.clamp(_y(L), min=2)),
    "clamp_nothing": lambda L: _y(L).clamp(),
    "softmax": lambda L: (L.softmax(_y(L), dim=1), _y(L).log_softmax(-1), _y(L).softmax(0)),
    "softmax_no_dim": lambda L: _y(L).softmax(),
    "where": lambda L: (L.where(_y(L) > 2, _y(L), 0.), L.where(_y(L) > 2, 1., 0.), L.where(_y(L) > 2, _y(L), -_y(L))),
    "cat_stack": lambda L: (L.cat((_y(L), _y(L)), 1), L.stack([_y(L), _y(L)]), L.cat([_y(L), _y(L)], dim=-1).shape,
                            L.stack([_y(L), _y(L)], 2).shape),
    "cat_bad": lambda L: L.cat([_y(L), L.ones(3)]),
    "stack_bad": lambda L: L.stack([_y(L), L.ones(3)]),
    "matmul_ranks": lambda L: [(a @ b).shape for a, b in [(L.ones(3), L.ones(3)), (L.ones(3), L.ones(3, 2)),
                                                          (L.ones(2, 3), L.ones(3)), (L.ones(2, 3), L.ones(3, 4)),
                                                          (L.ones(5, 2, 3), L.ones(3)), (L.ones(5, 2, 3), L.ones(3, 4)),
                                                          (L.ones(3), L.ones(5, 3, 2)), (L.ones(4, 3), L.ones(5, 3, 2)),
                                                          (L.ones(5, 2, 3), L.ones(1, 3, 4))]],
    "matmul_nodes": lambda L: [(a @ b).grad_fn.name() for a, b in [
        (L.ones(3, requires_grad=True), L.ones(3, 2)), (L.ones(5, 2, 3, requires_grad=True), L.ones(3, 4)),
        (L.ones(5, 2, 3, requires_grad=True), L.ones(3)), (L.ones(4, 3, requires_grad=True), L.ones(5, 3, 2)),
        (L.ones(5, 2, 3, requires_grad=True), L.ones(5, 3, 4))]],
    "vec_mat": lambda L: L.tensor([1., 2.], requires_grad=True) @ L.tensor([[1., 2., 3.], [4., 5., 6.]]),
    "dot_mv_mm": lambda L: (L.dot(L.tensor([1., 2.]), L.tensor([3., 4.])), L.mv(L.eye(2), L.tensor([3., 4.])),
                            L.mm(L.eye(2), L.ones(2, 3)), L.matmul(L.ones(2), L.ones(2))),
    "mm_bad": lambda L: L.mm(L.ones(3), L.ones(3, 3)),
    "dot_bad": lambda L: L.dot(L.ones(3, 3), L.ones(3, 3)),
    "mv_bad": lambda L: L.mv(L.ones(3, 3), L.ones(3, 3)),
    "vec_mat_bad": lambda L: L.ones(3) @ L.ones(4, 2),
    "shapes": lambda L: (_y(L).view(6), _y(L).view(3, -1), _y(L).reshape(-1), _y(L).unsqueeze(0), L.unsqueeze(_y(L), -1).shape,
                         _y(L).unsqueeze(1).squeeze(), _y(L).unsqueeze(1).squeeze(1), _y(L).flatten(),
                         L.ones(2, 3, 4).flatten(1).shape, _y(L).transpose(0, 1), L.transpose(_y(L), 1, 0),
                         L.ones(2, 3, 4).permute(2, 0, 1).shape, _y(L).permute(1, 0), _y(L)[:1].expand(3, 3),
                         _y(L).t().flatten()),
    "view_bad": lambda L: _y(L).t().view(6),
    "permute_bad": lambda L: L.ones(2, 3, 4).permute(0, 1),
    "indexing": lambda L: (_y(L)[_y(L) > 2], _y(L)[[0, 1, 0]], _y(L)[L.tensor([1])], _y(L)[:, [2, 0]], _y(L)[None],
                           _y(L)[:, None].shape, _y(L)[..., None].shape, _y(L)[0, 1], _y(L)[1:, ::2], _y(L)[-1]),
    "index_out_of_range": lambda L: _y(L)[[0, 5]],
    "index_float_tensor": lambda L: _y(L)[L.tensor([0.])],
    "index_grads": lambda L: _backward_grad(L, lambda L, y: y[y > 2] * 2),
    "index_list_grads": lambda L: _backward_grad(L, lambda L, y: y[[0, 0, 1]]),
    "setitem": lambda L: _backward_grad(L, _set),
    "setitem_mask": lambda L: _backward_grad(L, _set_mask),
    "setitem_leaf": lambda L: _set_leaf(L),
    "setitem_value_grad": lambda L: _set_value(L),
    "max_grads": lambda L: _backward_grad(L, lambda L, y: y.max(1).values * 3),
    "prod_norm_grads": lambda L: _backward_grad(L, lambda L, y: y.prod(1) + y.norm(dim=1)),
    "softmax_grads": lambda L: _backward_grad(L, lambda L, y: L.softmax(y, 1)[:, 0]),
}


def _set(L, y):
    z = y * 1
    z[0] = 5
    z[1, 1:] = L.tensor([7., 8.])
    return z


def _set_mask(L, y):
    z = y.clone()
    z[z > 3] = 0
    return z


def _set_leaf(L):
    y = _y(L)
    y[0] = 1


def _set_value(L):
    w = L.tensor(2., requires_grad=True)
    z = L.zeros(3)
    z[1] = w * 3
    z.sum().backward()
    return z, z.grad_fn.next_functions[0][0], w.grad


@pytest.mark.parametrize("name", CASES)
def test_same_as_torch(name):
    same(CASES[name])
