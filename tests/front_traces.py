"""Traces the front end's tests and benchmarks share: lesson 2's DAG and a micrograd-style MLP.

``mlp((3, 4, 4, 1))`` is the classic micrograd exercise: scalar neurons whose weights are kept in
Python lists, ``act = b + sum(wi * xi)``, tanh on the hidden layers, one sample, a squared error,
``backward()``. Only ``autograd_lab`` is imported, so benchmarks can run these against any version.
"""
from __future__ import annotations

import random

import autograd_lab as lab


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
