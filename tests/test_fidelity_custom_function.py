"""Custom ``autograd.Function``s, side by side with torch 2.13.

Each case defines the same Function with ``autograd_lab`` and with ``torch`` and runs the same lines
(``tests/support/api_side_by_side``): what they print, return (by repr, node names included), raise
and warn must be the same. Below the table: a multi-output Function recorded by ``lab.trace()``
plays in a Player.
"""
from __future__ import annotations

import pytest

import autograd_lab as lab
from tests.support.api_side_by_side import same


def _function(L, name, forward, backward=None, **more):
    """A Function subclass named ``name`` of library ``L`` (static methods from plain functions)."""
    ns = {"forward": staticmethod(forward)}
    if backward is not None:
        ns["backward"] = staticmethod(backward)
    ns.update({k: staticmethod(v) for k, v in more.items()})
    return type(name, (L.autograd.Function,), ns)


def _leaf(L, values=(1., 2.)):
    return L.tensor(list(values), requires_grad=True)


# ---------------------------------------------------------------------------- several outputs
def _two_outputs(L):
    def forward(ctx, x, k):
        ctx.k = k
        return x * k, x + 1

    def backward(ctx, g1, g2):
        print("grads in:", g1, g2)
        return g1 * ctx.k + g2, None
    Two = _function(L, "Two", forward, backward)
    x = _leaf(L)
    a, b = Two.apply(x, 3)
    (a * b).sum().backward()
    return a, b, x.grad, a.grad_fn, type(b.grad_fn), b.grad_fn.name()


def _walk(fn, depth=0, out=None):
    """The graph below node ``fn`` as text, through next_functions (name and edge index)."""
    out = [] if out is None else out
    for nxt, i in fn.next_functions:
        out.append("  " * depth + (f"{nxt.name()} [{i}]" if nxt is not None else "None"))
        if nxt is not None:
            _walk(nxt, depth + 1, out)
    return out


def _graph_of_two_outputs(L):
    F = _function(L, "Two", lambda ctx, x, y: (x * y, x + y), lambda ctx, g1, g2: (g1 + g2, g1 + g2))
    x, y = _leaf(L), L.tensor([3., 4.])
    a, b = F.apply(x, y)
    loss = (b * 2 + a).sum()
    print("\n".join(_walk(loss.grad_fn)))
    return a.grad_fn.next_functions, b.grad_fn.next_functions, (b * 2).grad_fn.next_functions


def _one_output_used(L):
    def forward(ctx, x):
        return x * 2, x * 3

    def backward(ctx, g1, g2):
        print("grads in:", g1, g2)
        return g1 * 2 + g2 * 3
    Two = _function(L, "Two", forward, backward)
    x = _leaf(L)
    a, b = Two.apply(x)
    b.sum().backward()
    return x.grad


def _outputs_with_non_tensors(L):
    def forward(ctx, x):
        return x * 2, "label", 7, None

    def backward(ctx, g, g_label, g_seven, g_none):
        print("grads in:", g, g_label, g_seven, g_none)
        return g * 2
    F = _function(L, "Mixed", forward, backward)
    x = _leaf(L)
    out = F.apply(x)
    out[0].sum().backward()
    return out, x.grad


def _one_tuple(L):
    F = _function(L, "Tup", lambda ctx, x: (x.clone(),), lambda ctx, g: g)
    out = F.apply(_leaf(L))
    return type(out).__name__, out


def _not_materialized(L):
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x.clone(), x.clone()

    def backward(ctx, g1, g2):
        print("grads in:", g1, g2)
        return g1
    F = _function(L, "NoZeros", forward, backward)
    x = _leaf(L)
    a, b = F.apply(x)
    a.sum().backward()
    return x.grad


def _used_twice_output_gradients_sum(L):
    def forward(ctx, x):
        return x.exp(), x.sin()

    def backward(ctx, g1, g2):
        return g1 + g2
    F = _function(L, "ExpSin", forward, backward)
    x = _leaf(L)
    a, b = F.apply(x)
    (a * 2 + a + b * b).sum().backward()
    return x.grad


def _hook_on_second_output(L):
    F = _function(L, "Two", lambda ctx, x: (x * 2, x * 3), lambda ctx, g1, g2: g1 * 2 + g2 * 3)
    x = _leaf(L)
    a, b = F.apply(x)
    b.register_hook(lambda g: print("hook saw", g))
    b.retain_grad()
    (a + b).sum().backward()
    return x.grad, b.grad


def _multi_output_create_graph(L):
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x, x * 3

    def backward(ctx, g1, g2):
        (x,) = ctx.saved_tensors
        return 2 * x * g1 + 3 * g2
    F = _function(L, "SqTriple", forward, backward)
    x = _leaf(L)
    a, b = F.apply(x)
    (g,) = L.autograd.grad((a + b).sum(), x, create_graph=True)
    (gg,) = L.autograd.grad(g.sum(), x)
    return g, gg


def _same_tensor_twice(L):
    def forward(ctx, x):
        out = x * 2
        return out, out

    def backward(ctx, g1, g2):
        print("grads in:", g1, g2)
        return g1 * 2 + g2 * 2
    F = _function(L, "Dup", forward, backward)
    x = _leaf(L)
    a, b = F.apply(x)
    (a + b * 3).sum().backward()
    return a is b, a, b, x.grad


def _input_twice(L):
    F = _function(L, "DupIn", lambda ctx, x: (x, x), lambda ctx, g1, g2: g1 + g2)
    x = _leaf(L)
    a, b = F.apply(x)
    (a + b).sum().backward()
    return a is b, a is x, a, b, x.grad


def _input_among_outputs_with_a_hook(L):
    F = _function(L, "Leaf", lambda ctx, a, b: (a, a + b), lambda ctx, ga, gb: (ga + gb, gb))
    x, y = _leaf(L), _leaf(L, (3., 4.))
    q, p = F.apply(x, y)
    q.register_hook(lambda g: g * 10)
    (q + p).sum().backward()
    return x.grad, y.grad


def _integer_output(L):
    def forward(ctx, x):
        return (x > 1).long(), x * 2

    def backward(ctx, g_int, g):
        print("grads in:", g_int, g)
        return g * 2
    F = _function(L, "IntOut", forward, backward)
    x = _leaf(L)
    r = F.apply(x)
    r[1].sum().backward()
    return r, r[0].requires_grad, x.grad


# ---------------------------------------------------------------------------- setup_context style
def _setup_context(L):
    def forward(x, y):
        return x * y

    def setup_context(ctx, inputs, output):
        x, y = inputs
        print("setup_context:", type(output).__name__, ctx.needs_input_grad)
        ctx.save_for_backward(x, y)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * y, g * x
    Mul = _function(L, "MyMul", forward, backward, setup_context=setup_context)
    x, y = _leaf(L), L.tensor(3.)
    r = Mul.apply(x, y)
    r.sum().backward()
    return r, x.grad, y.grad


def _setup_context_two_outputs(L):
    def forward(x):
        return x * 2, x * 5

    def setup_context(ctx, inputs, output):
        ctx.n_outputs = len(output)

    def backward(ctx, g1, g2):
        print("outputs:", ctx.n_outputs)
        return g1 * 2 + g2 * 5
    F = _function(L, "Two", forward, backward, setup_context=setup_context)
    x = _leaf(L)
    a, b = F.apply(x)
    (a + b).sum().backward()
    return a, b, x.grad


def _keyword_arguments(L):
    def forward(ctx, x, scale=2.0, shift=0.0):
        print("needs_input_grad:", ctx.needs_input_grad)
        ctx.scale = scale
        return x * scale + shift

    def backward(ctx, g):
        return g * ctx.scale, None, None
    F = _function(L, "Affine", forward, backward)
    x = _leaf(L)
    r = F.apply(x, shift=1.0, scale=3.0)
    r.sum().backward()
    for kwargs in ({"shift": 1.0}, {"offset": 1.0}, {"x": x}):
        try:
            F.apply(x, **kwargs)
        except TypeError as e:
            print(e)
    return r, x.grad, F.apply(x)


# ---------------------------------------------------------------------------- marks
def _non_differentiable(L):
    def forward(ctx, x):
        i = x.argmax()
        m = x.max()
        ctx.mark_non_differentiable(i)
        return m, i

    def backward(ctx, g, g_index):
        print("index grad:", g_index)
        return g * L.tensor([0., 1.])
    F = _function(L, "MaxIdx", forward, backward)
    x = _leaf(L)
    m, i = F.apply(x)
    m.backward()
    return m, i, i.requires_grad, i.grad_fn, x.grad


def _non_differentiable_single(L):
    def forward(ctx, x):
        y = x.clone()
        ctx.mark_non_differentiable(y)
        return y
    F = _function(L, "Frozen", forward, lambda ctx, g: g)
    y = F.apply(_leaf(L))
    y.sum().backward()


def _mark_non_differentiable_of_a_number(L):
    def forward(ctx, x):
        ctx.mark_non_differentiable(3)
        return x.clone()
    F = _function(L, "Bad", forward, lambda ctx, g: g)
    return F.apply(_leaf(L))


def _dirty(L):
    def forward(ctx, x):
        x.mul_(2)
        ctx.mark_dirty(x)
        return x

    def backward(ctx, g):
        return g * 2
    F = _function(L, "Double_", forward, backward)
    x = _leaf(L)
    z = x.clone()
    w = F.apply(z)
    w.sum().backward()
    return w is z, z, z.grad_fn, z.is_leaf, x.grad


def _dirty_leaf(L):
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x
    F = _function(L, "AddOne_", forward, lambda ctx, g: g)
    x = _leaf(L)
    try:
        F.apply(x)
    except RuntimeError as e:
        print("error:", e)
    return x


def _dirty_not_returned(L):
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x.clone()
    F = _function(L, "AddOne_", forward, lambda ctx, g: g)
    return F.apply(_leaf(L).clone())


def _mark_dirty_of_a_number(L):
    def forward(ctx, x):
        ctx.mark_dirty(3)
        return x
    F = _function(L, "Bad", forward, lambda ctx, g: g)
    return F.apply(_leaf(L).clone())


def _dirty_without_grad(L):
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x
    F = _function(L, "AddOne_", forward, lambda ctx, g: g)
    p = L.zeros(2)
    return F.apply(p) is p, p


# ---------------------------------------------------------------------------- inputs, ctx
def _returns_input(L):
    F = _function(L, "Same", lambda ctx, x: x, lambda ctx, g: g * 5)
    x = _leaf(L)
    o = F.apply(x)
    o.sum().backward()
    return o is x, o, o.grad_fn, o.is_leaf, x.grad


def _returns_input_without_grad(L):
    F = _function(L, "Same", lambda ctx, x: x, lambda ctx, g: g)
    p = L.tensor([1.])
    o = F.apply(p)
    return o is p, o.requires_grad, o.grad_fn, o


def _non_tensor_inputs(L):
    def forward(ctx, x, n, flag, name):
        print("needs_input_grad:", ctx.needs_input_grad, n, flag, name)
        ctx.n = n
        return x * n

    def backward(ctx, g):
        return g * ctx.n, None, None, None
    F = _function(L, "Scale", forward, backward)
    x = _leaf(L)
    F.apply(x, 4, True, "s").sum().backward()
    return x.grad


def _needs_input_grad(L):
    seen = []

    def forward(ctx, a, b, c):
        return a * b * c

    def backward(ctx, g):
        seen.append(ctx.needs_input_grad)
        return g, (g if ctx.needs_input_grad[1] else None), None
    F = _function(L, "Prod", forward, backward)
    a, b, c = _leaf(L), L.tensor([3., 4.]), L.tensor([5., 6.], requires_grad=True)
    F.apply(a, b, c.detach()).sum().backward()
    with L.no_grad():
        r = F.apply(a, b, c)
    return seen, a.grad, r, r.requires_grad


def _ctx_is_the_node(L):
    def forward(ctx, x):
        print(type(ctx), ctx, ctx.needs_input_grad)
        return x.clone()
    F = _function(L, "Ctx", forward, lambda ctx, g: g)
    y = F.apply(_leaf(L))
    F.apply(L.ones(1))
    return y.grad_fn, y.grad_fn.next_functions, y.grad_fn.needs_input_grad, F.apply


def _saved_output_has_the_node(L):
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        print("saved:", y, y.grad_fn)
        return g * y
    F = _function(L, "Exp", forward, backward)
    x = _leaf(L, (0., 1.))
    F.apply(x).sum().backward()
    return x.grad


def _saved_variables_warns(L):
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2

    def backward(ctx, g):
        (x,) = ctx.saved_variables
        return g * 2
    F = _function(L, "Twice", forward, backward)
    x = _leaf(L)
    F.apply(x).sum().backward()
    return x.grad


def _vjp_instead_of_backward(L):
    F = _function(L, "Twice", lambda ctx, x: x * 2, vjp=lambda ctx, g: g * 2)
    x = _leaf(L)
    F.apply(x).sum().backward()
    return x.grad


def _node_not_callable(L):
    F = _function(L, "Twice", lambda ctx, x: x * 2, lambda ctx, g: g * 2)
    return F.apply(_leaf(L)).grad_fn(L.ones(2))


def _instantiated(L):
    F = _function(L, "Twice", lambda ctx, x: x * 2, lambda ctx, g: g * 2)
    return type(F()).__name__, L.autograd.Function, F.__mro__[1], L.autograd.function.Function is L.autograd.Function


def _no_output_needs_grad(L):
    F = _function(L, "Three", lambda ctx, x: 3, lambda ctx, g: g)
    return F.apply(_leaf(L))


# ---------------------------------------------------------------------------- torch's errors
def _wrong_shape(L):
    F = _function(L, "Bad", lambda ctx, x: x.clone(), lambda ctx, g: L.ones(10))
    F.apply(L.ones(5, 5, requires_grad=True)).sum().backward()


def _shape_that_sums_down(L):
    F = _function(L, "Wide", lambda ctx, x: x.clone(), lambda ctx, g: L.ones(2, 3))
    x = L.ones(3, requires_grad=True)
    F.apply(x).sum().backward()
    return x.grad


def _wrong_dtype(L):
    F = _function(L, "Dbl", lambda ctx, x: x.clone(), lambda ctx, g: g.double() * 2)
    x = _leaf(L)
    F.apply(x).sum().backward()
    return x.grad, x.grad.dtype


def _too_many_gradients(L):
    F = _function(L, "Bad2", lambda ctx, x: x.clone(), lambda ctx, g: (g, g))
    F.apply(_leaf(L)).sum().backward()


def _extra_nones_allowed(L):
    F = _function(L, "Extra", lambda ctx, x: x.clone(), lambda ctx, g: (g * 3, None, None))
    x = _leaf(L)
    F.apply(x).sum().backward()
    return x.grad


def _backward_returns_none(L):
    F = _function(L, "Nothing", lambda ctx, x: x * 2, lambda ctx, g: None)
    x = _leaf(L)
    F.apply(x).sum().backward()
    return x.grad


def _backward_returns_not_a_tensor(L):
    out = []
    for name, result in (("Five", lambda ctx, g: 5), ("AList", lambda ctx, g: [g])):
        F = _function(L, name, lambda ctx, x: x * 2, result)
        try:
            F.apply(_leaf(L)).sum().backward()
        except RuntimeError as e:
            out.append(str(e))
    return out


def _errors_raised_inside(L):
    def bad_forward(ctx, x):
        raise ValueError("bad forward")

    def bad_backward(ctx, g):
        raise ValueError("bad backward")
    out = []
    for F in (_function(L, "BadF", bad_forward, lambda ctx, g: g), _function(L, "BadB", lambda ctx, x: x * 2, bad_backward)):
        try:
            F.apply(_leaf(L)).sum().backward()
        except ValueError as e:
            out.append(str(e))
    return out, L.is_grad_enabled()


def _gradient_for_a_number(L):
    F = _function(L, "ByK", lambda ctx, x, k: x * k, lambda ctx, g: (g, g))
    F.apply(_leaf(L), 2).sum().backward()


def _both_backward_and_vjp(L):
    F = _function(L, "Both", lambda ctx, x: x.clone(), lambda ctx, g: g, vjp=lambda ctx, g: g)
    y = F.apply(_leaf(L))
    print("forward ran:", y)
    y.sum().backward()


def _no_backward(L):
    F = _function(L, "NoBackward", lambda ctx, x: x.clone())
    F.apply(_leaf(L)).sum().backward()


def _saved_after_backward(L):
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2
    F = _function(L, "Twice", forward, lambda ctx, g: g * 2)
    y = F.apply(_leaf(L))
    y.sum().backward()
    return y.grad_fn.saved_tensors


def _save_a_number(L):
    def forward(ctx, x):
        ctx.save_for_backward(x, 3)
        return x * 2
    F = _function(L, "Twice", forward, lambda ctx, g: g * 2)
    return F.apply(_leaf(L))


# ---------------------------------------------------------------------------- once_differentiable
def _once_differentiable(L):
    from importlib import import_module
    once_differentiable = import_module(f"{L.__name__}.autograd.function").once_differentiable

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 2

    @once_differentiable
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        print("inside:", g.requires_grad, L.is_grad_enabled())
        return 2 * x * g
    F = _function(L, "Square", forward, backward)
    q = L.tensor(3., requires_grad=True)
    (g1,) = L.autograd.grad(F.apply(q), q, create_graph=True)
    seed = L.tensor(1., requires_grad=True)
    (g2,) = L.autograd.grad(F.apply(q), q, seed, create_graph=True)
    print(g1, g1.requires_grad, g2, g2.grad_fn.name(), g2.grad_fn)
    g2.backward()


CASES = {
    "two_outputs": _two_outputs,
    "graph_of_two_outputs": _graph_of_two_outputs,
    "one_output_used": _one_output_used,
    "outputs_with_non_tensors": _outputs_with_non_tensors,
    "one_tuple": _one_tuple,
    "same_tensor_twice": _same_tensor_twice,
    "input_twice": _input_twice,
    "input_among_outputs_with_a_hook": _input_among_outputs_with_a_hook,
    "integer_output": _integer_output,
    "not_materialized": _not_materialized,
    "output_gradients_sum": _used_twice_output_gradients_sum,
    "hook_on_second_output": _hook_on_second_output,
    "multi_output_create_graph": _multi_output_create_graph,
    "setup_context": _setup_context,
    "setup_context_two_outputs": _setup_context_two_outputs,
    "keyword_arguments": _keyword_arguments,
    "non_differentiable": _non_differentiable,
    "non_differentiable_single": _non_differentiable_single,
    "mark_non_differentiable_of_a_number": _mark_non_differentiable_of_a_number,
    "dirty": _dirty,
    "dirty_leaf": _dirty_leaf,
    "dirty_not_returned": _dirty_not_returned,
    "mark_dirty_of_a_number": _mark_dirty_of_a_number,
    "dirty_without_grad": _dirty_without_grad,
    "returns_input": _returns_input,
    "returns_input_without_grad": _returns_input_without_grad,
    "non_tensor_inputs": _non_tensor_inputs,
    "needs_input_grad": _needs_input_grad,
    "ctx_is_the_node": _ctx_is_the_node,
    "saved_output_has_the_node": _saved_output_has_the_node,
    "saved_variables_warns": _saved_variables_warns,
    "vjp_instead_of_backward": _vjp_instead_of_backward,
    "node_not_callable": _node_not_callable,
    "instantiated": _instantiated,
    "no_output_needs_grad": _no_output_needs_grad,
    "wrong_shape": _wrong_shape,
    "shape_that_sums_down": _shape_that_sums_down,
    "wrong_dtype": _wrong_dtype,
    "too_many_gradients": _too_many_gradients,
    "extra_nones_allowed": _extra_nones_allowed,
    "backward_returns_none": _backward_returns_none,
    "backward_returns_not_a_tensor": _backward_returns_not_a_tensor,
    "errors_raised_inside": _errors_raised_inside,
    "gradient_for_a_number": _gradient_for_a_number,
    "both_backward_and_vjp": _both_backward_and_vjp,
    "no_backward": _no_backward,
    "saved_after_backward": _saved_after_backward,
    "save_a_number": _save_a_number,
    "once_differentiable": _once_differentiable,
}


@pytest.mark.parametrize("name", CASES)
def test_same_as_torch(name):
    same(CASES[name])


def test_multi_output_function_traces_and_plays():
    """A Function with two outputs, recorded and played: each output's node and the Function's own
    node are drawn under the Function's name, and the gradient is torch's (9, 15)."""
    def forward(ctx, x):
        return x * 3, x + 1
    Two = _function(lab, "Two", forward, lambda ctx, g1, g2: g1 * 3 + g2)
    with lab.trace() as t:
        x = lab.tensor([1., 2.], requires_grad=True)
        a, b = Two.apply(x)
        (a * b).sum().backward()
    assert x.grad.tolist() == [9., 15.]
    names = [e.name for e in t.events if type(e).__name__ == "NodeEvent"]
    assert names.count("TwoBackward") == 3 and names[0] == "SumBackward0"
    player = lab.Player(t)
    assert player._scene["steps"]
    assert type(t).from_json(t.to_json()).to_json() == t.to_json()
