"""The example traces the tests, fixtures and benchmarks share, each written once.

``classic()`` is the README's first example (``z = w * x + b``, two backwards that work, a
third that fails; ``classic_with_tensors()`` returns its tensors too, made by autograd_lab or
torch); ``lesson2_dag()`` lesson 2's DAG; ``everything()`` hooks, retain_grad, zero_(),
autograd.grad and an optimizer step; ``regression(k)`` a loss summed over k points; ``mlp(sizes)``
a micrograd-style MLP. ``EXAMPLES`` names the small ones.

``mlp((3, 4, 4, 1))`` is the classic micrograd exercise: scalar neurons whose weights are kept in
Python lists, ``act = b + sum(wi * xi)``, tanh on the hidden layers, one sample, a squared error,
``backward()``. Only ``autograd_lab`` is imported, so benchmarks can run these against any version.
"""
from __future__ import annotations

import random

import autograd_lab
import autograd_lab as lab


def classic_with_tensors(backwards: int = 3, catch_errors: bool = True, lab=autograd_lab):
    """The classic example and its tensors ``(w, x, b, y, z)``: y = w * x, z = y + b, then ``backwards``
    calls of z.backward(). With more than one, the first has retain_graph=True and the others not:
    by default (three) w.grad is 3, then 6, and the third fails (the graph is freed). ``lab`` makes the
    tensors: autograd_lab, or ``torch`` (the trace then records real torch). The source lines are the
    README's (``w = lab.tensor(2.0, requires_grad=True)`` ... ``z.backward()``)."""
    with autograd_lab.trace(catch_errors=catch_errors) as t:
        w = lab.tensor(2.0, requires_grad=True)
        x = lab.tensor(3.0)
        b = lab.tensor(1.0, requires_grad=True)
        y = w * x
        z = y + b
        if backwards > 1:
            z.backward(retain_graph=True)
        for _ in range(backwards - (backwards > 1)):
            z.backward()
    return t, (w, x, b, y, z)


def classic(backwards: int = 3, catch_errors: bool = True):
    """The classic example's trace (``classic_with_tensors``): the README's first example by default."""
    return classic_with_tensors(backwards, catch_errors)[0]


def everything():
    """Hooks, retain_grad, zero_(), autograd.grad, an SGD step, zero_grad(), a value used twice."""
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        x = lab.tensor(3.0)
        y = w * x
        y.retain_grad()
        y.register_hook(lambda g: g * 2)
        z = y + 1
        z.backward()
        w.grad.zero_()
        lab.autograd.grad(w * w, w)
        opt = lab.optim.SGD([w], lr=0.1)
        opt.step()
        opt.zero_grad()
        a = lab.tensor(1.0, requires_grad=True)
        a2 = a + a
        a3 = a2 * a2
        a3.backward()
    return t


def regression(k: int):
    """A loss summed over k data points: about 11 graph nodes per point."""
    with lab.trace() as t:
        w = lab.tensor(0.5, requires_grad=True)
        b = lab.tensor(0.1, requires_grad=True)
        loss = lab.tensor(0.0)
        for i in range(k):
            x = lab.tensor(float(i))
            err = w * x + b - 2.0 * i
            loss = loss + err**2
        loss.backward()
    return t


def lesson2_dag():
    """Lesson 2's DAG: y is used twice (z = y * y + b), then backward."""
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        x = lab.tensor(3.0)
        b = lab.tensor(1.0, requires_grad=True)
        y = w * x
        z = y * y + b
        z.backward()
    return t


def mlp(sizes=(3, 4, 4, 1), seed=0):
    """A micrograd-style MLP of scalar neurons (weights kept in lists), one sample, squared error, backward."""
    rnd = random.Random(seed)
    with lab.trace() as t:
        layers = [[([lab.tensor(rnd.uniform(-1, 1), requires_grad=True) for _ in range(nin)],
                    lab.tensor(0.0, requires_grad=True)) for _ in range(nout)]
                  for nin, nout in zip(sizes, sizes[1:])]
        xs = [lab.tensor(v) for v in (2.0, 3.0, -1.0, 0.5)[:sizes[0]]]
        for li, layer in enumerate(layers):
            outs = []
            for w, b in layer:
                act = b
                for wi, xi in zip(w, xs):
                    act = act + wi * xi
                outs.append(act.tanh() if li < len(layers) - 1 else act)
            xs = outs
        loss = (xs[0] - 1.0) ** 2
        loss.backward()
    return t


EXAMPLES = {"classic": classic, "lesson2_dag": lesson2_dag, "everything": everything,
            "regression3": lambda: regression(3), "mlp_3_2_1": lambda: mlp((3, 2, 1))}
"""The small example traces by name: what cross-checks (Python vs the front end, core vs torch) run on."""


def nn_sequential_batch(seed: int = 0):
    """Issue 20's first model in real torch: ``nn.Sequential(Linear(4, 8), ReLU(), Linear(8, 1))`` on a
    batch of 5, ``.pow(2).mean().backward()``. Returns the trace and ``(net, x, loss)``."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    with lab.trace() as t:
        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        x = torch.randn(5, 4)
        loss = net(x).pow(2).mean()
        loss.backward()
    return t, (net, x, loss)


def nn_small_cnn(seed: int = 0):
    """Issue 20's small CNN in real torch: ``conv`` = Conv2d(1, 4, 3), BatchNorm2d(4), ReLU, MaxPool2d(2);
    ``head`` = Linear(36, 3); ``F.cross_entropy`` on a batch of 2 8×8 images. Returns the trace and
    ``(conv, head, x, loss)``."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    torch.manual_seed(seed)
    with lab.trace() as t:
        conv = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2))
        head = nn.Linear(36, 3)
        x = torch.randn(2, 1, 8, 8)
        target = torch.tensor([0, 2])
        loss = F.cross_entropy(head(conv(x).flatten(1)), target)
        loss.backward()
    return t, (conv, head, x, loss)
