"""What published PyTorch autograd lessons do, run with both libraries side by side.

Each case is written in our own words: it makes the same API calls in the same situations as
the source it names (not its text), prints what that lesson prints, and must print, return, raise
and warn exactly what PyTorch 2.13 does (memory addresses aside). Where a lesson draws random
numbers, the case seeds them first (``manual_seed``): autograd_lab draws PyTorch's own numbers.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from tests.support.api_side_by_side import same

BLITZ = "pytorch/tutorials beginner_source/blitz/autograd_tutorial.py"
QS = "pytorch/tutorials beginner_source/basics/autogradqs_tutorial.py"
YT = "pytorch/tutorials beginner_source/introyt/autogradyt_tutorial.py"
POLY = "pytorch/tutorials beginner_source/examples_autograd/polynomial_autograd.py"
POLY_FN = "pytorch/tutorials beginner_source/examples_autograd/polynomial_custom_function.py"
LEAF = "pytorch/tutorials beginner_source/understanding_leaf_vs_nonleaf_tutorial.py"
NOTE = "pytorch docs/source/notes/autograd.rst (Autograd mechanics)"
DOC = "pytorch docstring of "
D2L = "d2l-en chapter_preliminaries/autograd.md (PyTorch tab)"

CASES = {}


def case(source):
    def deco(fn):
        CASES[f"{fn.__name__}"] = (source, fn)
        return fn
    return deco


# ---------------------------------------------------------------------------- blitz
@case(BLITZ)
def blitz_vector_backward(torch):
    a = torch.tensor([2., 3.], requires_grad=True)
    b = torch.tensor([6., 4.], requires_grad=True)
    q = 3 * a ** 3 - b ** 2
    q.backward(gradient=torch.tensor([1., 1.]))
    print(9 * a ** 2 == a.grad)
    print(-2 * b == b.grad)
    print(q, a.grad, b.grad)


@case(BLITZ)
def blitz_which_need_gradients(torch):
    x, y = torch.rand(5, 5), torch.rand(5, 5)
    z = torch.rand((5, 5), requires_grad=True)
    print(f"Does `a` require gradients?: {(x + y).requires_grad}")
    print(f"Does `b` require gradients?: {(x + z).requires_grad}")


@case(BLITZ)
def blitz_freeze_then_new_head(torch):
    nn, optim = torch.nn, torch.optim
    model = nn.Sequential(nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 3))
    for p in model.parameters():
        p.requires_grad = False
    model.head = nn.Linear(3, 2)        # a new layer: trainable
    opt = optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
    print([(n, p.requires_grad) for n, p in model.named_parameters()])
    print(opt)
    out = model.head(model(torch.ones(5, 6)))
    print(out.grad_fn, out.shape)


# ---------------------------------------------------------------------------- autogradqs
@case(QS)
def quickstart_logistic_unit(torch):
    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3), requires_grad=True)
    b = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    print(f"Gradient function for z = {z.grad_fn}")
    print(f"Gradient function for loss = {loss.grad_fn}")
    loss.backward()
    print(w.grad)
    print(b.grad)
    print(z.requires_grad)
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    print(z.requires_grad)
    z = torch.matmul(x, w) + b
    print(z.detach().requires_grad)


@case(QS)
def quickstart_backward_twice_accumulates(torch):
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"First call\n{inp.grad}")
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nSecond call\n{inp.grad}")
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nCall after zeroing gradients\n{inp.grad}")


# ---------------------------------------------------------------------------- introyt
@case(YT)
def introyt_sine_graph(torch):
    a = torch.linspace(0., 2. * math.pi, steps=25, requires_grad=True)
    print(a)
    b = torch.sin(a)
    print(b)
    c = 2 * b
    print(c)
    d = c + 1
    print(d.shape, d.grad_fn)  # (its values: float32 sin differs from PyTorch's in the last bit near 0)
    out = d.sum()
    print(out)
    print("d:", d.grad_fn)
    print(d.grad_fn.next_functions)
    print(d.grad_fn.next_functions[0][0].next_functions)
    print(d.grad_fn.next_functions[0][0].next_functions[0][0].next_functions)
    print(d.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0].next_functions)
    print("c:", c.grad_fn, "b:", b.grad_fn, "a:", a.grad_fn)
    out.backward()
    print(a.grad)
    print(a.detach().numpy().shape, a.grad.detach().numpy().dtype)


class _Tiny:
    """The tutorial's two-layer model, with weights from fixed numbers instead of the random init."""

    @staticmethod
    def build(torch):
        class TinyModel(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.layer1 = torch.nn.Linear(10, 6)
                self.relu = torch.nn.ReLU()
                self.layer2 = torch.nn.Linear(6, 3)

            def forward(self, x):
                return self.layer2(self.relu(self.layer1(x)))

        model = TinyModel()
        with torch.no_grad():
            for i, p in enumerate(model.parameters()):
                p.data = torch.tensor(np.cos(np.arange(p.numel()) * 0.37 + i).reshape(tuple(p.shape)) * 0.3,
                                      dtype=torch.float32)
        return model


@case(YT)
def introyt_training_step(torch):
    model = _Tiny.build(torch)
    x = torch.tensor(np.sin(np.arange(40)).reshape(4, 10), dtype=torch.float32)
    ideal = torch.tensor(np.cos(np.arange(12)).reshape(4, 3), dtype=torch.float32)
    print(model)
    print(model.layer2.weight[0][0:5])
    print(model.layer2.weight.grad)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.001)
    prediction = model(x)
    loss = (ideal - prediction).pow(2).sum()
    print(loss)
    loss.backward()
    print(model.layer2.weight[0][0:5])
    print(model.layer2.weight.grad[0][0:5])
    optimizer.step()
    print(model.layer2.weight[0][0:5])
    print(model.layer2.weight.grad[0][0:5])
    for _ in range(0, 5):
        prediction = model(x)
        loss = (ideal - prediction).pow(2).sum()
        loss.backward()
    print(model.layer2.weight.grad[0][0:5])
    optimizer.zero_grad(set_to_none=False)
    print(model.layer2.weight.grad[0][0:5])


@case(YT)
def introyt_turning_autograd_off(torch):
    a = torch.ones(2, 3, requires_grad=True)
    print(a)
    b1 = 2 * a
    print(b1)
    a.requires_grad = False
    b2 = 2 * a
    print(b2)
    a = torch.ones(2, 3, requires_grad=True) * 2
    b = torch.ones(2, 3, requires_grad=True) * 3
    c1 = a + b
    print(c1)
    with torch.no_grad():
        c2 = a + b
    print(c2)
    c3 = a * b
    print(c3)

    def add_tensors1(x, y):
        return x + y

    @torch.no_grad()
    def add_tensors2(x, y):
        return x + y

    print(add_tensors1(a, b))
    print(add_tensors2(a, b))
    x = torch.rand(5, requires_grad=True)
    y = x.detach()
    print(x.requires_grad, y.requires_grad, x.shape == y.shape)


@case(YT)
def introyt_inplace_on_leaf(torch):
    a = torch.linspace(0., 2. * math.pi, steps=25, requires_grad=True)
    a.mul_(2)


@case(YT)
def introyt_doubling_until_large(torch):
    x = torch.tensor([0.3, -1.2, 0.05], requires_grad=True)
    y = x * 2
    while y.data.norm() < 1000:
        y = y * 2
    print(y)
    v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
    y.backward(v)
    print(x.grad)


@case(YT)
def introyt_functional_api(torch):
    def exp_adder(x, y):
        return 2 * x.exp() + 3 * y

    inputs = (torch.tensor([0.7]), torch.tensor([0.2]))
    print(inputs)
    print(torch.autograd.functional.jacobian(exp_adder, inputs))
    inputs = (torch.tensor([0.1, 0.5, 0.9]), torch.tensor([0.3, 0.2, 0.6]))
    print(torch.autograd.functional.jacobian(exp_adder, inputs))

    def do_some_doubling(x):
        y = x * 2
        while y.data.norm() < 1000:
            y = y * 2
        return y

    inputs = torch.tensor([0.5, -0.25, 1.0])
    my_gradients = torch.tensor([0.1, 1.0, 0.0001])
    print(torch.autograd.functional.vjp(do_some_doubling, inputs, v=my_gradients))
    print(torch.autograd.functional.hessian(lambda x: (x ** 3).sum() + x.prod(), torch.tensor([1., 2.])))


# ---------------------------------------------------------------------------- polynomials
def _poly_setup(torch):
    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    dtype = torch.float
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype, device=torch.device(device))
    y = torch.sin(x)
    return device, dtype, x, y


@case(POLY)
def polynomial_autograd(torch):
    device, dtype, x, y = _poly_setup(torch)
    print(f"Using {device} device")
    a, b, c, d = (torch.full((), v, dtype=dtype, device=device, requires_grad=True) for v in (0.1, 0.9, -0.05, -0.1))
    learning_rate = 1e-6
    for t in range(300):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            print(t, f"{loss.item():.2f}")
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    print("Result: y = {:.4f} + {:.4f} x + {:.4f} x^2 + {:.4f} x^3".format(*(round(p.item(), 4) + 0.0 for p in (a, b, c, d))))
    print(y_pred.grad_fn, loss.grad_fn)


@case(POLY)
def polynomial_autograd_random_start(torch):
    """The tutorial as written: random initial weights (seeded here), the loss every 100 steps."""
    torch.manual_seed(0)
    device, dtype, x, y = _poly_setup(torch)
    a, b, c, d = (torch.randn((), device=device, dtype=dtype, requires_grad=True) for _ in range(4))
    print(a, b, c, d)
    learning_rate = 1e-6
    for t in range(500):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            print(t, loss.item())
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= learning_rate * p.grad
                p.grad = None
    print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")


@case(BLITZ)
def blitz_random_tensors_and_a_seeded_model(torch):
    torch.manual_seed(1)
    x, z = torch.rand(5, 5), torch.rand((5, 5), requires_grad=True)
    print(x, z)
    model = torch.nn.Sequential(torch.nn.Linear(6, 4), torch.nn.ReLU(), torch.nn.Linear(4, 3))
    print(model[0].weight, model[2].bias)
    print(model(torch.randn(2, 6)))


@case(POLY_FN)
def polynomial_custom_function(torch):
    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    device, dtype, x, y = _poly_setup(torch)
    a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    for t in range(300):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            print(t, f"{loss.item():.3f}")
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= learning_rate * p.grad
                p.grad = None
    # (the numbers, rounded: their last float32 digits depend on the order of the sums)
    print("Result: y = {:.4f} + {:.4f} * P3({:.4f} + {:.4f} x)".format(*(round(p.item(), 4) + 0.0 for p in (a, b, c, d))))
    node = y_pred.grad_fn.next_functions[1][0].next_functions[1][0]
    print(node.name(), node, node.next_functions)


# ---------------------------------------------------------------------------- leaf vs non-leaf
def _leaf_setup(torch):
    x = torch.tensor([[0.5, -1.0, 2.0, 0.25, -0.75, 1.5, 0.0, 1.0]])
    W = torch.tensor(np.linspace(-1, 1, 32, dtype=np.float32).reshape(8, 4), requires_grad=True)
    b = torch.tensor([0.1, -0.1, 0.2, 0.0], requires_grad=True)
    ref = torch.tensor([[0.5, 0.0, 1.0, 0.25]])
    z = x @ W + b
    y = torch.nn.functional.relu(z)
    loss = torch.nn.functional.mse_loss(y, ref)
    return dict(x=x, W=W, b=b, z=z, y=y, loss=loss)


@case(LEAF)
def leaf_tutorial_flow(torch):
    F = torch.nn.functional
    x, W = torch.ones(1, 3), torch.ones(3, 2, requires_grad=True)
    b, y = torch.ones(1, 2, requires_grad=True), torch.ones(1, 2)
    z = (x @ W) + b
    loss = F.mse_loss(F.relu(z), y)
    print(f"{x.is_leaf=}")
    print(f"{z.is_leaf=}")
    print(f"{x.requires_grad=} {W.requires_grad=} {z.requires_grad=}")
    loss.backward()
    print(f"{W.grad=}")
    print(f"{b.grad=}")
    print(f"{x.grad=}")
    print(f"{z.grad=}")
    z = (x @ W) + b
    y_pred = F.relu(z)
    loss = F.mse_loss(y_pred, y)
    z.retain_grad()
    y_pred.retain_grad()
    loss.retain_grad()
    W.grad = None
    b.grad = None
    loss.backward()
    print(f"{W.grad=}")
    print(f"{z.grad=}")
    print(f"{y_pred.grad=}")
    print(f"{loss.grad=}")
    print(z.retains_grad, W.retains_grad)


@case(LEAF)
def leaf_retain_grad_without_requires_grad(torch):
    torch.ones(1, 3).retain_grad()


@case(LEAF)
def leaf_backward_without_grad(torch):
    x = torch.ones(1, 3)
    loss = torch.nn.functional.mse_loss(x @ torch.ones(3, 2), torch.ones(1, 2))
    loss.backward()


@case(LEAF)
def leaf_table(torch):
    t = _leaf_setup(torch)
    print(f"{'Tensor':<8}| {'is_leaf':<8}| {'requires_grad':<14}| {'retains_grad':<13}| grad_fn")
    for name, v in t.items():
        print(f"{name:<8}| {v.is_leaf!s:<8}| {v.requires_grad!s:<14}| {v.retains_grad!s:<13}| {v.grad_fn}")


@case(LEAF)
def leaf_grad_of_nonleaf_warns(torch):
    t = _leaf_setup(torch)
    t["loss"].backward()
    print(t["W"].grad, t["b"].grad)
    print(t["z"].grad)


@case(LEAF)
def leaf_retain_grad(torch):
    t = _leaf_setup(torch)
    for name in ("z", "y", "loss"):
        t[name].retain_grad()
    t["loss"].backward()
    for name, v in t.items():
        print(name, v.is_leaf, v.retains_grad, v.grad)


@case(LEAF)
def leaf_requires_grad_false_has_no_grad(torch):
    t = _leaf_setup(torch)
    t["loss"].backward()
    print(t["x"].grad, t["x"].is_leaf, t["x"].requires_grad)


# ---------------------------------------------------------------------------- autograd mechanics note
@case(NOTE)
def note_saved_self_and_result(torch):
    x = torch.tensor([0.5, -1.0, 2.0, 0.25, 1.5], requires_grad=True)
    y = x.pow(2)
    print(x.equal(y.grad_fn._saved_self))
    print(x is y.grad_fn._saved_self)
    y = x.exp()
    print(y.equal(y.grad_fn._saved_result))
    print(y is y.grad_fn._saved_result)


@case(NOTE)
def note_grad_modes(torch):
    x = torch.zeros(1, requires_grad=True)
    with torch.no_grad():
        y = x * 2
    print(y.requires_grad)
    is_train = False
    with torch.set_grad_enabled(is_train):
        y = x * 2
    print(y.requires_grad)
    torch.set_grad_enabled(True)
    y = x * 2
    print(y.requires_grad)
    torch.set_grad_enabled(False)
    y = x * 2
    print(y.requires_grad)
    torch.set_grad_enabled(True)
    with torch.inference_mode():
        z = x * 3
    print(z.requires_grad, torch.is_grad_enabled())


@case(NOTE)
def note_model_eval_and_no_grad(torch):
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh())
    model.eval()
    print(model.training, [m.training for m in model])
    with torch.no_grad():
        out = model(torch.ones(4, 3))
    print(out.requires_grad, out.grad_fn)
    model.train()
    print(model(torch.ones(4, 3)).grad_fn, model[0].training)


@case(NOTE)
def note_inplace_saved_value_error(torch):
    a = torch.tensor([1., 2., 3.], requires_grad=True)
    b = a.exp()
    b.add_(1)
    b.sum().backward()


@case(NOTE)
def note_backward_hooks(torch):
    a = torch.tensor([1., 2.], requires_grad=True)
    b = a * 3
    b.register_hook(lambda g: print("tensor hook", g))
    b.grad_fn.register_prehook(lambda gO: print("prehook", gO))
    b.grad_fn.register_hook(lambda gI, gO: print("hook", gI, gO))
    a.register_post_accumulate_grad_hook(lambda p: print("post accumulate", p.grad))
    b.sum().backward()


@case(NOTE)
def note_saved_tensor_hooks(torch):
    def pack(t):
        print("pack", t)
        return t * 1

    def unpack(t):
        print("unpack", t)
        return t

    x = torch.tensor([1., 2.], requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = x.pow(2)
    y.sum().backward()
    print(x.grad)


# ---------------------------------------------------------------------------- docstrings
@case(DOC + "torch.no_grad")
def doc_no_grad(torch):
    x = torch.tensor([1.], requires_grad=True)
    with torch.no_grad():
        y = x * 2
    print(y.requires_grad)

    @torch.no_grad()
    def doubler(x):
        return x * 2
    print(doubler(x).requires_grad)

    @torch.no_grad
    def tripler(x):
        return x * 3
    print(tripler(x).requires_grad)
    with torch.no_grad():
        a = torch.nn.Parameter(torch.ones(4))
    print(a.requires_grad)


@case(DOC + "torch.enable_grad")
def doc_enable_grad(torch):
    x = torch.tensor([1.], requires_grad=True)
    with torch.no_grad():
        with torch.enable_grad():
            y = x * 2
    print(y.requires_grad)
    y.backward()
    print(x.grad)

    @torch.enable_grad()
    def doubler(x):
        return x * 2
    with torch.no_grad():
        z = doubler(x)
    print(z.requires_grad)

    @torch.enable_grad
    def tripler(x):
        return x * 3
    with torch.no_grad():
        z = tripler(x)
    print(z.requires_grad)


@case(DOC + "torch.set_grad_enabled")
def doc_set_grad_enabled(torch):
    x = torch.tensor([1.], requires_grad=True)
    is_train = False
    with torch.set_grad_enabled(is_train):
        y = x * 2
    print(y.requires_grad)
    _ = torch.set_grad_enabled(True)
    y = x * 2
    print(y.requires_grad)
    _ = torch.set_grad_enabled(False)
    y = x * 2
    print(y.requires_grad)
    torch.set_grad_enabled(True)


@case(DOC + "torch.inference_mode")
def doc_inference_mode(torch):
    x = torch.ones(1, 2, 3, requires_grad=True)
    with torch.inference_mode():
        y = x * x
    print(y.requires_grad)

    @torch.inference_mode()
    def func(x):
        return x * x
    print(func(x).requires_grad)

    @torch.inference_mode
    def doubler(x):
        return x * 2
    print(doubler(x).requires_grad)


@case(DOC + "Tensor.register_hook")
def doc_tensor_register_hook(torch):
    v = torch.tensor([0., 0., 0.], requires_grad=True)
    h = v.register_hook(lambda grad: grad * 2)
    v.backward(torch.tensor([1., 2., 3.]))
    print(v.grad)
    h.remove()


@case(DOC + "Tensor.register_post_accumulate_grad_hook")
def doc_post_accumulate_grad_hook(torch):
    v = torch.tensor([0., 0., 0.], requires_grad=True)
    lr = 0.01
    h = v.register_post_accumulate_grad_hook(lambda p: p.add_(p.grad, alpha=-lr))
    v.backward(torch.tensor([1., 2., 3.]))
    print(v)
    h.remove()


@case(DOC + "torch.autograd.graph.Node.register_hook")
def doc_node_register_hook(torch):
    a = torch.tensor([0., 0., 0.], requires_grad=True)
    b = a.clone()
    print(isinstance(b.grad_fn, torch.autograd.graph.Node))
    handle = b.grad_fn.register_hook(lambda gI, gO: (gO[0] * 2,))
    b.sum().backward(retain_graph=True)
    print(a.grad)
    handle.remove()
    a.grad = None
    b.sum().backward(retain_graph=True)
    print(a.grad)


@case(DOC + "torch.autograd.graph.Node.register_prehook")
def doc_node_register_prehook(torch):
    a = torch.tensor([0., 0., 0.], requires_grad=True)
    b = a.clone()
    handle = b.grad_fn.register_prehook(lambda gI: (gI[0] * 2,))
    b.sum().backward(retain_graph=True)
    print(a.grad)
    handle.remove()
    a.grad = None
    b.sum().backward(retain_graph=True)
    print(a.grad)


@case(DOC + "torch.autograd.graph.saved_tensors_hooks")
def doc_saved_tensors_hooks(torch):
    def pack_hook(x):
        print("Packing", x)
        return x

    def unpack_hook(x):
        print("Unpacking", x)
        return x

    a = torch.ones(5, requires_grad=True)
    b = torch.ones(5, requires_grad=True) * 2
    with torch.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
        y = a * b
    y.sum().backward()


@case(DOC + "torch.autograd.graph.Node (name, next_functions, metadata)")
def doc_node_api(torch):
    a = torch.tensor([1., 2.], requires_grad=True)
    b = (a * 2).sum()
    n = b.grad_fn
    print(n.name(), n.next_functions[0][0].name(), n.next_functions[0][0].next_functions)
    n.metadata["note"] = "hi"
    print(n.metadata, n.requires_grad if hasattr(n, "requires_grad") else None)


# ---------------------------------------------------------------------------- d2l
@case(D2L)
def d2l_dot_and_sum(torch):
    x = torch.arange(4.0)
    print(x)
    x.requires_grad_(True)
    print(x.grad)
    y = 2 * torch.dot(x, x)
    print(y)
    y.backward()
    print(x.grad)
    print(x.grad == 4 * x)
    x.grad.zero_()
    y = x.sum()
    y.backward()
    print(x.grad)


@case(D2L)
def d2l_non_scalar_and_detach(torch):
    x = torch.arange(4.0, requires_grad=True)
    y = x * x
    y.backward(gradient=torch.ones(len(y)))
    print(x.grad)
    x.grad.zero_()
    y = x * x
    u = y.detach()
    z = u * x
    z.sum().backward()
    print(x.grad == u)
    x.grad.zero_()
    y.sum().backward()
    print(x.grad == 2 * x)


@case(D2L)
def d2l_control_flow(torch):
    def f(a):
        b = a * 2
        while b.norm() < 1000:
            b = b * 2
        if b.sum() > 0:
            c = b
        else:
            c = 100 * b
        return c

    a = torch.randn(size=(), requires_grad=True)
    d = f(a)
    d.backward()
    print(a.grad == d / a)
    print(a.shape, d.grad_fn is not None)


@pytest.mark.parametrize("name", CASES)
def test_prints_what_pytorch_prints(name):
    source, fn = CASES[name]
    out = same(fn)
    assert out[0] or out[2], f"{name} ({source}) printed nothing"   # each case shows something
