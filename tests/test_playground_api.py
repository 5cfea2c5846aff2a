"""The playground allows issue 13's API: creation functions, math as module functions, cat/stack,
expand, optim.Adam. Each call gives what the same code gives run directly; each size bomb is
refused with the limit message before anything is allocated."""
from __future__ import annotations

import contextlib
import io

import pytest

import autograd_lab
from autograd_lab.playground import Limits, RejectedCode, run

# Programs that print; run directly (with the package as `torch`) they must print the same.
ALLOWED = [
    "g = torch.manual_seed(0)\nprint(torch.randn(3))",
    "g = torch.manual_seed(1)\nprint(torch.rand(2, 3))",
    "g = torch.manual_seed(2)\nprint(torch.randn(size=(2,)))",
    "g = torch.manual_seed(3)\nprint(torch.randint(0, 5, (4,)))",
    "g = torch.manual_seed(4)\nprint(torch.randint(5, (2, 2)))",
    "print(torch.empty(3).shape)",
    "print(torch.arange(4.))",
    "print(torch.arange(1, 7, 2))",
    "print(torch.arange(0, 1, 0.25))",
    "print(torch.linspace(0, 1, 5))",
    "print(torch.full((2,), 3.))",
    "print(torch.full((2, 2), 7))",
    "print(torch.eye(3))",
    "print(torch.eye(2, 3))",
    "x = torch.ones(2, 3)\nprint(torch.full_like(x, 2.), torch.zeros_like(x).shape)",
    "g = torch.manual_seed(5)\nx = torch.ones(2)\nprint(torch.rand_like(x), torch.randn_like(x), torch.empty_like(x).shape)",
    "x = torch.tensor([1., 2.])\nprint(torch.cat([x, x]))",
    "x = torch.tensor([1., 2.])\nprint(torch.stack([x, x], dim=1))",
    "a = torch.tensor([1., -2.], requires_grad=True)\nb = torch.tensor([3., 4.])\n"
    "y = torch.add(a, b) + torch.sub(a, b) + torch.mul(a, b) + torch.div(a, b)\ny.sum().backward()\nprint(y, a.grad)",
    "a = torch.tensor([1., -2.], requires_grad=True)\ny = torch.maximum(a, torch.zeros(2)) + torch.minimum(a, torch.ones(2))\n"
    "y.sum().backward()\nprint(y, a.grad)",
    "a = torch.tensor([1., -2.], requires_grad=True)\ny = torch.where(a > 0, a, a * 3)\ny.sum().backward()\nprint(y, a.grad)",
    "a = torch.tensor([1., 2.], requires_grad=True)\nm = torch.tensor([[1., 2.], [3., 4.]])\n"
    "y = torch.dot(a, a) + torch.mv(m, a).sum() + torch.mm(m, m).sum()\ny.backward()\nprint(y, a.grad)",
    "x = torch.tensor([[1.], [2.]], requires_grad=True)\ny = x.expand(-1, 3)\ny.sum().backward()\nprint(y, x.grad)",
    "x = torch.tensor([1., 2.], requires_grad=True)\nopt = torch.optim.Adam([x], lr=0.1)\n"
    "for i in range(3):\n    opt.zero_grad()\n    (x * x).sum().backward()\n    opt.step()\nprint(x)",
]


def _direct(source: str) -> list[str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(source, {"torch": autograd_lab})  # noqa: S102  (our own test programs)
    return out.getvalue().splitlines()


@pytest.mark.parametrize("source", ALLOWED)
def test_new_api_runs_in_the_playground_as_directly(source):
    expected = _direct(source)
    assert expected  # every program prints something
    assert run(source).printed == expected


SIZE = "tensors can hold at most 10,000 numbers; this tensor would have shape {shape}"
BOMBS = [
    ("torch.arange(10**9)", "(1000000000,)"),
    ("torch.arange(0, 10**12, 2)", "(500000000000,)"),
    ("torch.arange(0, 1e15, 1e-15)", None),
    ("torch.full((10**6, 10**6), 1)", "(1000000, 1000000)"),
    ("torch.full(size=(10**5, 10**5), fill_value=1)", "(100000, 100000)"),
    ("torch.randn(10**5, 10**5)", "(100000, 100000)"),
    ("torch.randn(size=(10**5, 10**5))", "(100000, 100000)"),
    ("torch.rand(10**9)", "(1000000000,)"),
    ("torch.empty(10**9)", "(1000000000,)"),
    ("torch.randint(0, 5, (10**5, 10**5))", "(100000, 100000)"),
    ("torch.randint(0, 5, size=(10**9,))", "(1000000000,)"),
    ("torch.eye(10**5)", "(100000, 100000)"),
    ("torch.eye(2, 10**9)", "(2, 1000000000)"),
    ("torch.linspace(0, 1, 10**9)", "(1000000000,)"),
    ("torch.linspace(0, 1, steps=10**9)", "(1000000000,)"),
    ("x = torch.ones(1)\ny = x.expand(10**9)", "(1000000000,)"),
    ("x = torch.ones(2, 1)\ny = x.expand(-1, 10**9)", "(2, 1000000000)"),
]


@pytest.mark.parametrize(("source", "shape"), BOMBS)
def test_size_bombs_are_refused_before_allocation(source, shape):
    with pytest.raises(RejectedCode) as info:
        run(source)
    if shape is None:
        assert "tensors can hold at most 10,000 numbers; this tensor would have shape" in str(info.value)
    else:
        assert SIZE.format(shape=shape) in str(info.value)


@pytest.mark.parametrize(("source", "message"), [
    ("a = torch.ones(10000).reshape(10000, 1)\nb = torch.ones(10000).reshape(1, 10000)\nc = torch.mm(a, b)",
     "tensors can hold at most 10,000 numbers; (10000, 1) @ (1, 10000) would have 100,000,000"),
    ("a = torch.ones(10000).reshape(10000, 1)\nb = torch.ones(10000).reshape(1, 10000)\nc = torch.matmul(a, b)",
     "tensors can hold at most 10,000 numbers; (10000, 1) @ (1, 10000) would have 100,000,000"),
    ("a = torch.ones(10000).reshape(10000, 1)\nb = torch.ones(10000)\nc = torch.add(a, b)",
     "tensors can hold at most 10,000 numbers; (10000, 1) with (10000,) would have shape (10000, 10000)"),
    ("a = torch.ones(10000).reshape(10000, 1)\nb = torch.ones(10000)\nc = torch.maximum(a, b)",
     "tensors can hold at most 10,000 numbers; (10000, 1) with (10000,) would have shape (10000, 10000)"),
    ("a = torch.ones(10000).reshape(10000, 1)\nb = torch.ones(10000)\nc = torch.where(a > 0, a, b)",
     "tensors can hold at most 10,000 numbers; this tensor would have shape (10000, 10000)"),
    ("a = torch.ones(10000)\nc = torch.pow(a, 10**6)", "exponents can be at most 1000"),
])
def test_results_of_module_functions_are_checked_before_they_are_computed(source, message):
    with pytest.raises(RejectedCode) as info:
        run(source)
    assert message in str(info.value)


def test_cat_and_stack_results_are_bounded():
    # a program's list literal is counted when it is made ([x, x] of 6,000 each is refused there);
    # the check of cat/stack bounds the joined result whatever list reaches it
    with pytest.raises(RejectedCode) as info:
        run("x = torch.ones(6000)\ny = torch.cat([x, x])")
    assert "a tensor or list can hold at most 10,000 numbers" in str(info.value)
    from autograd_lab.playground.limits import _Breach, _check_joined
    x = autograd_lab.ones(60)
    _check_joined(None, ([x],), {}, Limits(elements=100))
    for args, kwargs in ((([x, x],), {}), ((), {"tensors": (x, x)})):
        with pytest.raises(_Breach, match="a tensor or list can hold at most 100 numbers"):
            _check_joined(None, args, kwargs, Limits(elements=100))


def test_generator_from_manual_seed_offers_nothing():
    with pytest.raises(RejectedCode) as info:
        run("g = torch.manual_seed(0)\ng.seed()")
    assert "seed" in str(info.value)


def test_refusal_lists_the_new_functions():
    with pytest.raises(RejectedCode) as info:
        run("x = torch.erfinv(1.0)")
    for name in ("randn()", "arange()", "linspace()", "full()", "cat()", "manual_seed()", "optim.Adam()"):
        assert name in info.value.hint or name in str(info.value), name
    assert "from_numpy" not in str(info.value)


def test_from_numpy_is_not_offered():
    with pytest.raises(RejectedCode):
        run("x = torch.from_numpy([1.0])")


NN = [
    "g = torch.manual_seed(0)\nmodel = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1),\n"
    "                            torch.nn.Sigmoid())\nx = torch.ones(4, 2)\ny = torch.zeros(4, 1)\n"
    "opt = torch.optim.Adam(model.parameters(), lr=0.1)\nfor i in range(3):\n    opt.zero_grad()\n"
    "    loss = torch.nn.MSELoss()(model(x), y)\n    loss.backward()\n    opt.step()\nprint(loss)\nprint(model)",
    "g = torch.manual_seed(1)\nm = torch.nn.Linear(2, 3)\nprint(m.weight.shape, m.bias.shape, m.in_features, m.out_features)\n"
    "y = torch.nn.ReLU()(m(torch.ones(2)))\ny.sum().backward()\nprint(y, m.weight.grad)\nm.zero_grad()\nprint(m.weight.grad)",
    "x = torch.tensor([-1., 2.], requires_grad=True)\nF = torch.nn.functional\n"
    "y = F.relu(x) + F.tanh(x) + F.sigmoid(x) + F.softmax(x, dim=0) + F.log_softmax(x, dim=0)\n"
    "loss = F.mse_loss(y, torch.zeros(2))\nloss.backward()\nprint(loss, x.grad)",
]


@pytest.mark.parametrize("source", NN)
def test_small_nn_runs_in_the_playground_as_directly(source):
    expected = _direct(source)
    assert expected
    assert run(source).printed == expected


@pytest.mark.parametrize(("source", "message"), [
    ("m = torch.nn.Linear(10**4, 10**4)",
     "tensors can hold at most 10,000 numbers; this layer's weight would have shape (10000, 10000)"),
    ("m = torch.nn.Linear(in_features=2, out_features=10**9)",
     "tensors can hold at most 10,000 numbers; this layer's weight would have shape (1000000000, 2)"),
    ("m = torch.nn.Linear(1, 10000)\nx = torch.ones(10000, 1)\ny = m(x)",
     "tensors can hold at most 10,000 numbers; this tensor would have shape (10000, 10000)"),
    ("m = torch.nn.Sequential(torch.nn.Linear(1, 10000))\nx = torch.ones(10000, 1)\ny = m(x)",
     "tensors can hold at most 10,000 numbers; this tensor would have shape (10000, 10000)"),
    ("s = torch.nn.ReLU()\nfor i in range(60):\n    s = torch.nn.Sequential(s, s)\ny = s(torch.ones(2))",
     "a model can run at most 500 layers, each use of a layer counted"),
    ("s = torch.nn.Linear(2, 2)\nfor i in range(60):\n    s = torch.nn.Sequential(s, s, s)\nprint(s)",
     "a model can run at most 500 layers, each use of a layer counted"),
    ("a = torch.ones(10000).reshape(10000, 1)\nl = torch.nn.functional.mse_loss(a, torch.ones(10000))",
     "tensors can hold at most 10,000 numbers; (10000, 1) with (10000,) would have shape (10000, 10000)"),
])
def test_nn_sizes_are_checked_first(source, message):
    with pytest.raises(RejectedCode) as info:
        run(source)
    assert message in str(info.value)


@pytest.mark.parametrize("source", [
    "m = torch.nn.Linear(2, 3)\nm.forward(torch.ones(2))",
    "m = torch.nn.Linear(2, 3)\nm.state_dict()",
    "m = torch.nn.Linear(2, 3)\nm.training = False",
    "m = torch.nn.Linear(2, 3)\nm.__class__",
    "m = torch.nn.Linear(2, 3)\nm._parameters",
    "x = torch.nn.Module()",
    "x = torch.nn.functional.cross_entropy",
    "x = torch.nn.init",
])
def test_nn_offers_only_what_the_allow_list_names(source):
    with pytest.raises(RejectedCode):
        run(source)
