"""The backward engine's options and grad mode, side by side with torch 2.13.

Each case runs the same lines with ``autograd_lab`` and with ``torch``
(``tests/support/api_side_by_side``) and compares what they print, return (by repr), raise and
warn: ``backward(inputs=...)``, ``autograd.grad``'s checks, which hooks fire, what requires grad
under ``create_graph=True``, the grad-mode objects as decorators (functions, generators,
coroutines, classes), and ``inference_mode``'s inference tensors. Below the table: a trace of
``backward(inputs=...)`` plays in a Player.
"""
from __future__ import annotations

import asyncio

import pytest

import autograd_lab as lab
from tests.support.api_side_by_side import same


def _graph(L):
    """x (2 values) and w (a number), both leaves, and y = x * w, z = y.sum()."""
    x = L.tensor([1., 2.], requires_grad=True)
    w = L.tensor(3., requires_grad=True)
    y = x * w
    return x, w, y, y.sum()


def _attempts(*calls):
    """Each call's result or its error, as text (several checks in one case)."""
    out = []
    for call in calls:
        try:
            out.append(repr(call()))
        except (RuntimeError, TypeError) as e:
            out.append(f"{type(e).__name__}: {e}")
    return out


# ---------------------------------------------------------------------------- backward(inputs=...)
def _inputs_one_leaf(L):
    x, w, y, z = _graph(L)
    z.backward(inputs=[x])
    return x.grad, w.grad


def _inputs_a_tensor(L):
    x, w, y, z = _graph(L)
    z.backward(inputs=w)
    return x.grad, w.grad


def _inputs_accumulate(L):
    x, w, y, z = _graph(L)
    z.backward(inputs=[w], retain_graph=True)
    z.backward(inputs=[w, x])
    return x.grad, w.grad


def _inputs_non_leaf(L):
    x, w, y, z = _graph(L)
    z.backward(inputs=[y])
    return y.grad, x.grad, w.grad


def _inputs_errors(L):
    x, w, y, z = _graph(L)
    return _attempts(lambda: z.backward(inputs=[], retain_graph=True),
                     lambda: z.backward(inputs=[L.tensor(1.)], retain_graph=True),
                     lambda: z.backward(inputs=[3], retain_graph=True))


def _inputs_unused(L):
    x, w, y, z = _graph(L)
    u = L.tensor(1., requires_grad=True)
    r = L.autograd.backward(z, inputs=[u])
    return r, u.grad, x.grad


def _inputs_with_hooks(L):
    x, w, y, z = _graph(L)
    x.register_hook(lambda g: g * 10)
    w.register_post_accumulate_grad_hook(lambda t: print("post accumulate on w"))
    z.backward(inputs=[x])
    return x.grad, w.grad


def _inputs_create_graph(L):
    x, w, y, z = _graph(L)
    (x * x * w).sum().backward(inputs=[x], create_graph=True)
    return x.grad, x.grad.requires_grad, w.grad


# ---------------------------------------------------------------------------- autograd.grad
def _grad_empty_inputs(L):
    x, w, y, z = _graph(L)
    return _attempts(lambda: L.autograd.grad(z, []), lambda: L.autograd.grad(z, ()))


def _prehook_of_an_input_node(L):
    a = L.tensor(2., requires_grad=True)
    b = a * 2
    c = b * 3
    d = c + a
    b.grad_fn.register_prehook(lambda g: print("pre-hook of b's node"))
    c.grad_fn.register_prehook(lambda g: print("pre-hook of c's node"))
    first = L.autograd.grad(d, [c], retain_graph=True)
    second = L.autograd.grad(d, [b], retain_graph=True)
    d.backward()
    return first, second, a.grad


def _tensor_hook_of_an_input(L):
    a = L.tensor(2., requires_grad=True)
    b = a * 2
    c = b * 3
    b.register_hook(lambda g: print("tensor hook of b:", g))
    return L.autograd.grad(c, [b])


def _materialized_zeros_create_graph(L):
    x = L.tensor([1., 2.], requires_grad=True)
    u = L.tensor(1., requires_grad=True)
    g = L.autograd.grad((x * 2).sum(), [x, u], create_graph=True, materialize_grads=True)
    return g, [t.requires_grad for t in g]


def _materialized_zeros(L):
    x = L.tensor([1., 2.], requires_grad=True)
    u = L.tensor(1., requires_grad=True)
    g = L.autograd.grad((x * 2).sum(), [x, u], materialize_grads=True)
    return g, [t.requires_grad for t in g]


def _create_graph_through_saved_tensor_hooks(L):
    x = L.tensor([1., 2.], requires_grad=True)
    with L.autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda t: t):
        q = (x * x).sum()
    (g,) = L.autograd.grad(q, x, create_graph=True)
    (gg,) = L.autograd.grad(g.sum(), x)
    return g, g.requires_grad, gg


def _create_graph_constants(L):
    x = L.tensor([1., 2.], requires_grad=True)
    w = L.tensor(3., requires_grad=True)
    return (L.autograd.grad((x * w).sum(), [x], create_graph=True),
            L.autograd.grad((x * 2).sum(), [x], create_graph=True))


def _create_graph_grads_of_leaves_and_retained(L):
    x = L.tensor([1., 2.], requires_grad=True)
    (x * 2).sum().backward(create_graph=True)
    constant = (x.grad, x.grad.requires_grad)
    x.grad = None
    y = x * x
    y.retain_grad()
    y.sum().backward(create_graph=True)
    return constant, y.grad, y.grad.requires_grad, x.grad


def _create_graph_hook_and_non_leaf(L):
    x = L.tensor([1., 2.], requires_grad=True)
    y = x * x
    z = x * 3
    z.register_hook(lambda g: g * x)
    return L.autograd.grad(y.sum(), y, create_graph=True), L.autograd.grad(z.sum(), x, create_graph=True)


def _create_graph_custom_function(L):
    class Square(L.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return 2 * a * g
    x = L.tensor([1., 2.], requires_grad=True)
    (g,) = L.autograd.grad(Square.apply(x).sum(), x, create_graph=True)
    return g, L.autograd.grad(g.sum(), x)


# ---------------------------------------------------------------------------- grad mode as decorators
def _generator_under_no_grad(L):
    @L.no_grad()
    def steps():
        for _ in range(2):
            yield L.is_grad_enabled()
    it = steps()
    return next(it), L.is_grad_enabled(), next(it), list(steps()), L.is_grad_enabled()


def _generator_under_enable_grad(L):
    @L.enable_grad()
    def steps(x):
        yield (x * 2).requires_grad
        yield (x * 3).requires_grad
    x = L.tensor(1., requires_grad=True)
    with L.no_grad():
        it = steps(x)
        first = next(it)
        between = (x * 4).requires_grad
        second = next(it)
    return first, between, second


def _generator_send_and_return(L):
    @L.no_grad()
    def echo():
        got = yield "ready"
        while got is not None:
            got = yield (got, L.is_grad_enabled())
        return "finished"
    it = echo()
    out = [next(it), it.send(1), it.send(2)]
    try:
        it.send(None)
    except StopIteration as e:
        out.append(e.value)
    return out, L.is_grad_enabled()


def _generator_throw_and_close(L):
    @L.no_grad()
    def guarded():
        try:
            yield 1
        except ValueError:
            yield ("caught", L.is_grad_enabled())
        finally:
            print("closing with grad", L.is_grad_enabled())
    it = guarded()
    first = next(it)
    caught = it.throw(ValueError("x"))
    it.close()
    return first, caught, L.is_grad_enabled()


def _coroutine_under_no_grad(L):
    @L.no_grad()
    async def work():
        await asyncio.sleep(0)
        return L.is_grad_enabled()
    return asyncio.run(work())


def _set_grad_enabled_as_decorator(L):
    @L.set_grad_enabled(False)
    def f(x):
        return (x * 2).requires_grad, L.is_grad_enabled()
    outside = L.is_grad_enabled()
    return outside, f(L.tensor(1., requires_grad=True)), L.is_grad_enabled()


def _set_grad_enabled_decorating_a_generator(L):
    @L.set_grad_enabled(False)
    def steps():
        yield L.is_grad_enabled()
        yield L.is_grad_enabled()
    it = steps()
    return next(it), L.is_grad_enabled(), next(it)


def _decorator_without_parentheses(L):
    @L.no_grad
    def f():
        return L.is_grad_enabled()

    @L.inference_mode
    def g():
        return L.is_grad_enabled(), L.is_inference_mode_enabled()
    return f(), g(), f.__name__, g.__name__


def _no_grad_on_a_class(L):
    @L.no_grad()
    class Model:
        def __init__(self):
            self.grad_on = L.is_grad_enabled()
    return Model().grad_on, Model


def _decorated_keeps_name_and_doc(L):
    @L.no_grad()
    def step(a, b=2):
        """One step."""
        return a + b
    return step.__name__, step.__doc__, step(1), L.no_grad.__call__


def _enable_grad_inside_no_grad(L):
    with L.no_grad():
        @L.enable_grad()
        def f():
            return L.is_grad_enabled()
        return f(), L.is_grad_enabled()


def _grad_mode_objects(L):
    return (L.no_grad(), L.enable_grad(), L.set_grad_enabled(True), L.inference_mode(), L.inference_mode(False))


# ---------------------------------------------------------------------------- inference tensors
def _inference_tensors(L):
    x = L.tensor([1., 2.], requires_grad=True)
    with L.inference_mode():
        a = L.ones(2)
        b = x * 2
        e = x.detach()
        c = a > 0
        print(a.is_inference(), b.is_inference(), b.requires_grad, e.is_inference(), c.is_inference(),
              L.is_inference_mode_enabled(), L.is_grad_enabled())
    return x.is_inference(), a.is_inference(), L.is_inference(a), (a * 1).is_inference(), a.clone().is_inference()


def _inference_inplace(L):
    with L.inference_mode():
        a = L.ones(2)
        a.add_(1)
    outcome = _attempts(lambda: a.add_(1), lambda: a.mul_(2))
    return outcome, a


def _views_of_inference_tensors(L):
    with L.inference_mode():
        a = L.ones(3)
    x = L.ones(3)
    with L.inference_mode():
        v = x.view(3)
        s = x[1:]
    return (a.view(3).is_inference(), a[1:].is_inference(), a.detach().is_inference(), a.t().is_inference(),
            (a + 0).is_inference(), v.is_inference(), s.is_inference(), _attempts(lambda: a.zero_()))


def _inference_saved_for_backward(L):
    x = L.tensor([1., 2.], requires_grad=True)
    with L.inference_mode():
        a = L.ones(2)
    return _attempts(lambda: x * a, lambda: a.mul(x), lambda: x + a, lambda: x.exp() * a, lambda: L.exp(a),
                     lambda: a * 2)


def _inference_requires_grad(L):
    with L.inference_mode():
        a = L.ones(2)
        p = L.ones(2, requires_grad=True)
        print(p.requires_grad, p.is_inference(), p.is_leaf)
    outcome = _attempts(lambda: a.requires_grad_(), lambda: a.requires_grad_(False))
    (p * 2).sum().backward()
    return outcome, p.grad


def _enable_grad_inside_inference_mode(L):
    x = L.tensor([1., 2.], requires_grad=True)
    with L.inference_mode():
        with L.enable_grad():
            h = x * 2
            print(h.requires_grad, h.is_inference(), L.is_grad_enabled())
        print(L.is_grad_enabled())
    with L.inference_mode(False):
        f = L.ones(1)
        print(f.is_inference(), L.is_inference_mode_enabled(), L.is_grad_enabled())
    return L.is_grad_enabled(), (x * 2).requires_grad


def _inference_mode_decorator(L):
    @L.inference_mode()
    def g():
        return L.ones(1).is_inference(), L.is_grad_enabled()
    with L.no_grad():
        made = L.ones(1).is_inference()
    return g(), made


def _is_inference_of_a_number(L):
    return L.is_inference(3)


def _inference_layer(L):
    with L.inference_mode():
        lin = L.nn.Linear(2, 1)
        out = lin(L.ones(2))
    return lin.weight.is_inference(), out.is_inference(), out.requires_grad


CASES = {
    "inputs_one_leaf": _inputs_one_leaf,
    "inputs_a_tensor": _inputs_a_tensor,
    "inputs_accumulate": _inputs_accumulate,
    "inputs_non_leaf": _inputs_non_leaf,
    "inputs_errors": _inputs_errors,
    "inputs_unused": _inputs_unused,
    "inputs_with_hooks": _inputs_with_hooks,
    "inputs_create_graph": _inputs_create_graph,
    "grad_empty_inputs": _grad_empty_inputs,
    "prehook_of_an_input_node": _prehook_of_an_input_node,
    "tensor_hook_of_an_input": _tensor_hook_of_an_input,
    "materialized_zeros_create_graph": _materialized_zeros_create_graph,
    "materialized_zeros": _materialized_zeros,
    "create_graph_through_saved_tensor_hooks": _create_graph_through_saved_tensor_hooks,
    "create_graph_constants": _create_graph_constants,
    "create_graph_grads_of_leaves_and_retained": _create_graph_grads_of_leaves_and_retained,
    "create_graph_hook_and_non_leaf": _create_graph_hook_and_non_leaf,
    "create_graph_custom_function": _create_graph_custom_function,
    "generator_under_no_grad": _generator_under_no_grad,
    "generator_under_enable_grad": _generator_under_enable_grad,
    "generator_send_and_return": _generator_send_and_return,
    "generator_throw_and_close": _generator_throw_and_close,
    "coroutine_under_no_grad": _coroutine_under_no_grad,
    "set_grad_enabled_as_decorator": _set_grad_enabled_as_decorator,
    "set_grad_enabled_decorating_a_generator": _set_grad_enabled_decorating_a_generator,
    "decorator_without_parentheses": _decorator_without_parentheses,
    "no_grad_on_a_class": _no_grad_on_a_class,
    "decorated_keeps_name_and_doc": _decorated_keeps_name_and_doc,
    "enable_grad_inside_no_grad": _enable_grad_inside_no_grad,
    "grad_mode_objects": _grad_mode_objects,
    "inference_tensors": _inference_tensors,
    "inference_inplace": _inference_inplace,
    "views_of_inference_tensors": _views_of_inference_tensors,
    "inference_saved_for_backward": _inference_saved_for_backward,
    "inference_requires_grad": _inference_requires_grad,
    "enable_grad_inside_inference_mode": _enable_grad_inside_inference_mode,
    "inference_mode_decorator": _inference_mode_decorator,
    "is_inference_of_a_number": _is_inference_of_a_number,
    "inference_layer": _inference_layer,
}


@pytest.mark.parametrize("name", CASES)
def test_same_as_torch(name):
    same(CASES[name])
    assert lab.is_grad_enabled() and not lab.is_inference_mode_enabled()  # (each case leaves the mode as found)


def test_backward_with_inputs_traces_and_plays():
    """backward(inputs=[w]) recorded and played: only w's AccumulateGrad adds into a .grad."""
    with lab.trace() as t:
        w = lab.tensor(2., requires_grad=True)
        v = lab.tensor(3., requires_grad=True)
        y = w * v + w
        y.backward(inputs=[w])
    assert w.grad.item() == 4. and v.grad is None
    kinds = [type(e).__name__ for e in t.events]
    assert kinds.count("AccumulateEvent") == 1 and kinds[-1] == "DoneEvent"
    assert lab.Player(t)._scene["steps"]
