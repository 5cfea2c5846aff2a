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


# ----------------------------------------------------------------------------- nn models
# The three models of a teacher's first nn lesson, recorded in real torch (or, where the core has the
# modules, in autograd_lab.nn: ``lab=autograd_lab``). Each returns its trace; torch is imported only
# when called.

def sequential_mlp(lab=None):
    """``net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))`` on a batch of 5,
    ``net(x).pow(2).mean().backward()``: real torch by default, ``lab=autograd_lab`` for the core."""
    if lab is None:
        import torch as lab
    nn = lab.nn
    lab.manual_seed(0)
    with autograd_lab.trace() as t:
        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        x = lab.randn(5, 4)
        net(x).pow(2).mean().backward()
    return t


def nn_training_loop(steps: int = 20, lab=None):
    """``model = nn.Linear(3, 1)`` trained by ``optim.SGD`` for ``steps`` iterations on a batch of 8 (MSE
    loss, ``zero_grad``, ``backward``, ``step``): real torch by default, ``lab=autograd_lab`` for the core."""
    if lab is None:
        import torch as lab
    nn = lab.nn
    lab.manual_seed(0)
    with autograd_lab.trace() as t:
        model = nn.Linear(3, 1)
        opt = lab.optim.SGD(model.parameters(), lr=0.1)
        x, y = lab.randn(8, 3), lab.randn(8, 1)
        for _ in range(steps):
            opt.zero_grad()
            loss = (model(x) - y).pow(2).mean()
            loss.backward()
            opt.step()
    return t


def small_cnn():
    """A small CNN in real torch: ``conv`` (Conv2d, BatchNorm2d, ReLU, MaxPool2d) and ``head`` (Linear),
    F.cross_entropy, backward."""
    import torch
    from torch import nn
    import torch.nn.functional as F
    torch.manual_seed(0)
    with autograd_lab.trace() as t:
        conv = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2))
        head = nn.Linear(36, 3)
        x = torch.randn(2, 1, 8, 8)
        y = torch.tensor([0, 2])
        logits = head(conv(x).flatten(1))
        loss = F.cross_entropy(logits, y)
        loss.backward()
    return t


def transformer_block():
    """One transformer block in real torch: ``ln1``, ``attn`` (a ``qkv`` Linear, causal masked softmax
    attention by matmul, ``proj``), ``ln2``, ``mlp`` (Linear-GELU-Linear), residuals; backward."""
    import torch
    from torch import nn
    torch.manual_seed(0)

    class Attention(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.qkv = nn.Linear(d, 3 * d)
            self.proj = nn.Linear(d, d)

        def forward(self, x):
            T = x.shape[1]
            q, k, v = self.qkv(x).chunk(3, dim=-1)
            att = q @ k.transpose(-2, -1) / k.shape[-1] ** 0.5
            mask = torch.tril(torch.ones(T, T))
            att = att.masked_fill(mask == 0, float("-inf")).softmax(dim=-1)
            return self.proj(att @ v)

    class Block(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.ln1 = nn.LayerNorm(d)
            self.attn = Attention(d)
            self.ln2 = nn.LayerNorm(d)
            self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

        def forward(self, x):
            x = x + self.attn(self.ln1(x))
            return x + self.mlp(self.ln2(x))

    with autograd_lab.trace() as t:
        block = Block(8)
        x = torch.randn(1, 4, 8)
        out = block(x)
        out.pow(2).mean().backward()
    return t


MODELS = {"sequential_mlp": sequential_mlp, "small_cnn": small_cnn, "transformer_block": transformer_block}
"""The three nn models by name (real torch): what the module-grouping tests and browser tests share."""


# ---- real torch at real size: recording cost (benchmarks/bench_recording.py, tests/test_torch_recorder_robust.py)
def _block_or_not(traced: bool):
    import contextlib
    return lab.trace() if traced else contextlib.nullcontext()


def transformer_block_module(d: int = 32, seed: int = 0):
    """One pre-norm transformer block of real torch (imported here): ``ln1``, a ``qkv`` Linear, causal
    masked softmax attention by matmul, ``proj``, ``ln2``, an ``mlp`` of Linear-GELU-Linear, two residuals."""
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1 = nn.LayerNorm(d)
            self.qkv = nn.Linear(d, 3 * d)
            self.proj = nn.Linear(d, d)
            self.ln2 = nn.LayerNorm(d)
            self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

        def forward(self, x):
            T = x.shape[1]
            q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
            att = q @ k.transpose(-2, -1) / d ** 0.5
            mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
            att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
            x = x + self.proj(att @ v)
            return x + self.mlp(self.ln2(x))

    torch.manual_seed(seed)
    return Block()


def run_transformer_block(block, x, traced: bool = True):
    """Forward and backward of ``block`` on ``x`` (batch, T, d), recorded or not: (trace or None, loss)."""
    with _block_or_not(traced) as t:
        out = block(x)
        loss = out.pow(2).mean()
        loss.backward()
    return t, loss


def polynomial_fit(steps: int = 2000, traced: bool = True, seed: int = 0):
    """PyTorch's polynomial-fit tutorial ("Learning PyTorch with Examples", tensors and autograd), in
    real torch: fit a + b x + c x^2 + d x^3 to sin(x) on 2,000 points by plain gradient descent, the
    update under no_grad(), the gradients then cleared. Returns (trace or None, the four weights,
    the loss noted every 100 steps)."""
    import math

    import torch
    torch.manual_seed(seed)
    with _block_or_not(traced) as t:
        x = torch.linspace(-math.pi, math.pi, 2000)
        y = torch.sin(x)
        a = torch.randn((), requires_grad=True)
        b = torch.randn((), requires_grad=True)
        c = torch.randn((), requires_grad=True)
        d = torch.randn((), requires_grad=True)
        lr = 1e-6
        losses = []
        for step in range(steps):
            y_pred = a + b * x + c * x ** 2 + d * x ** 3
            loss = (y_pred - y).pow(2).sum()
            if step % 100 == 99:
                losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                a -= lr * a.grad
                b -= lr * b.grad
                c -= lr * c.grad
                d -= lr * d.grad
                a.grad = None
                b.grad = None
                c.grad = None
                d.grad = None
    return t, (a, b, c, d), losses


def polynomial_tutorial(steps: int = 2000):
    """PyTorch's polynomial-fit tutorial recorded in real torch (``polynomial_fit``): its trace only."""
    return polynomial_fit(steps)[0]


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
