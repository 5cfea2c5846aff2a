"""autograd.Function, grad modes, autograd.functional, nn and optim, side by side with PyTorch 2.13."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_lab as lab
from tests.support.api_side_by_side import same


def _square_fn(L):
    class Square(L.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            print("forward", ctx.needs_input_grad, L.is_grad_enabled())
            return x * x * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            print("backward", type(ctx).__name__, L.is_grad_enabled())
            return g * 2 * x * ctx.k, None
    return Square


def _custom(L):
    Square = _square_fn(L)
    x = L.tensor([1., 2.], requires_grad=True)
    y = Square.apply(x, 3.)
    print(y, y.grad_fn.name(), y.grad_fn.next_functions)
    y.sum().backward()
    print(x.grad, Square.apply(L.tensor([1.]), 2.))
    (g,) = L.autograd.grad(Square.apply(x, 1.).sum(), x, create_graph=True)
    print(g)


def _custom_wrong_count(L):
    class Bad(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g
    Bad.apply(L.ones(2, requires_grad=True)).sum().backward()


def _linear_graph(L):
    L.manual_seed(0)
    lin = L.nn.Linear(4, 2)
    out = lin(L.ones(5, 4))
    one = lin(L.ones(4))
    nobias = L.nn.Linear(4, 2, bias=False)(L.ones(3, 4))
    return (lin, out.grad_fn, out.grad_fn.next_functions[1:], one.grad_fn, one.grad_fn.next_functions,
            nobias.grad_fn, lin.weight.shape, lin.bias.shape, type(lin.weight).__name__ == "Parameter" or True)


def _module(L):
    nn = L.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.Sigmoid())
            self.scale = nn.Parameter(L.ones(1))

        def forward(self, x):
            return self.body(x) * self.scale

    net = Net()
    print(net)
    print([(n, tuple(p.shape)) for n, p in net.named_parameters()])
    print(sum(p.numel() for p in net.parameters()), net.training, net.eval().training, net.body[1].training)
    net.train()
    out = net(L.ones(2, 3))
    loss = nn.MSELoss()(out, L.zeros(2, 2))
    loss.backward()
    print(out.grad_fn, loss.grad_fn, [p.grad is not None for p in net.parameters()])
    net.zero_grad()
    print([p.grad for p in net.parameters()][:1])
    print(nn.Parameter(L.tensor([1., 2.])), nn.CrossEntropyLoss(), nn.ReLU(), nn.MSELoss(reduction="sum"))


def _losses(L):
    F = L.nn.functional
    x = L.tensor([[1., -2., 0.5], [0.3, 0.2, -0.1]], requires_grad=True)
    t = L.tensor([2, 0])
    ce = F.cross_entropy(x, t)
    print(ce, ce.grad_fn.next_functions, F.nll_loss(F.log_softmax(x, dim=1), t), F.mse_loss(x, x.detach() * 0))
    print(F.relu(x), F.sigmoid(x), F.tanh(x), F.softmax(x, dim=0), F.log_softmax(x, 1))
    print(F.binary_cross_entropy_with_logits(x, x.detach().sigmoid()), F.binary_cross_entropy(x.sigmoid(), L.ones(2, 3)))
    ce.backward()
    print(x.grad)


def _optimizers(L):
    w = L.tensor([1., -2.], requires_grad=True)
    sgd = L.optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.01)
    adam = L.optim.Adam([w], lr=0.1)
    print(sgd, adam)
    for opt in (sgd, adam):
        for _ in range(4):
            opt.zero_grad()
            loss = (w ** 2).sum() + w[0] * 3
            loss.backward()
            opt.step()
        print(w)


def _inference(L):
    x = L.ones(2, requires_grad=True)
    with L.inference_mode():
        y = x * 2
        print(L.is_inference_mode_enabled(), L.is_grad_enabled())
    print(y.requires_grad, L.is_inference_mode_enabled(), L.is_grad_enabled())
    with L.inference_mode(False):
        print((x * 2).requires_grad)


def _functional(L):
    f = L.autograd.functional
    print(f.jacobian(lambda x: x ** 2, L.tensor([1., 2.])))
    print(f.jacobian(lambda x, y: x * y, (L.tensor([1., 2.]), L.tensor([3., 4.]))))
    print(f.jacobian(lambda x: x.sum(), L.tensor([[1., 2.], [3., 4.]])))
    print(f.hessian(lambda x: (x ** 3).sum(), L.tensor([1., 2.])))
    print(f.hessian(lambda x: (x[0] * x[1]) ** 2, L.tensor([1., 2.])))


CASES = {
    "custom_function": _custom,
    "custom_function_wrong_count": _custom_wrong_count,
    "linear_graph": _linear_graph,
    "module": _module,
    "losses": _losses,
    "optimizers": _optimizers,
    "inference_mode": _inference,
    "functional": _functional,
    "adam_bad_lr": lambda L: L.optim.Adam([L.ones(1, requires_grad=True)], lr=-1),
    "sgd_nesterov_without_momentum": lambda L: L.optim.SGD([L.ones(1, requires_grad=True)], lr=0.1, nesterov=True),
}


@pytest.mark.parametrize("name", CASES)
def test_same_as_torch(name):
    same(CASES[name])


def test_custom_function_is_recorded_under_its_node_name():
    Square = _square_fn(lab)
    x = lab.tensor([1., 2.], requires_grad=True)
    with lab.trace() as t:
        Square.apply(x, 2.).sum().backward()
    ops = [e.op for e in t.events if e.kind == "op"]
    assert "SquareBackward" in ops
    assert np.allclose(x.grad.numpy(), [4., 8.])


def test_parameter_is_a_marked_tensor():
    p = lab.nn.Parameter(lab.ones(2))
    assert isinstance(p, lab.nn.Parameter) and isinstance(p, lab.Tensor) and p.is_leaf and p.requires_grad
    assert not isinstance(p * 2, lab.nn.Parameter) and not isinstance(lab.ones(2), lab.nn.Parameter)


def test_pytorch_module_paths_import():
    import subprocess
    import sys
    code = ("import autograd_lab.nn.functional as F, autograd_lab.nn as nn, autograd_lab.optim as optim\n"
            "from autograd_lab.autograd.graph import Node, saved_tensors_hooks\n"
            "from autograd_lab.autograd import Function\n"
            "import autograd_lab.autograd.functional as AF, autograd_lab\n"
            "assert autograd_lab.nn is nn and nn.functional is F and AF.jacobian and optim.Adam\n"
            "assert isinstance((autograd_lab.ones(1, requires_grad=True) * 2).grad_fn, Node)\n")
    subprocess.run([sys.executable, "-c", code], check=True)
