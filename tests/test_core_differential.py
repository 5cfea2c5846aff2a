"""Differential check (issue 10, item 13): random small programs run in autograd_lab and in torch 2.13,
compared on node names, the engine's order (every node's pre-hook logs its name) and gradients."""
from __future__ import annotations

import random

import numpy as np
import pytest
import torch

import autograd_lab as lab

UNARY = ["({x}).exp()", "({x}).tanh()", "({x}).sigmoid()", "({x}).sin()", "({x}).cos()", "({x}).abs()",
         "({x}).relu()", "(({x}) * ({x}) + 1).sqrt()", "(({x}) * ({x}) + 1).log()", "({x}) ** 2", "-({x})",
         "lab.sin({x})", "({x}) * 0.5", "2 - ({x})"]
BINARY = ["({x}) + ({y})", "({x}) - ({y})", "({x}) * ({y})", "({x}) / (({y}) * ({y}) + 1)"]


def make_program(seed: int) -> str:
    rng = random.Random(seed)
    shape = rng.choice(["2.0", "[1.5, -0.5, 2.0]"])
    lines = [f"a = lab.tensor({shape}, requires_grad=True)",
             f"b = lab.tensor({shape.replace('2.0', '0.7')}, requires_grad=True)",
             "c = lab.tensor(0.3, requires_grad=True)"]
    names = ["a", "b", "c"]
    for i in range(rng.randint(3, 8)):
        if rng.random() < 0.5:
            expr = rng.choice(UNARY).format(x=rng.choice(names))
        else:
            x, y = rng.choice(names), rng.choice(names)
            expr = rng.choice(BINARY).format(x=x, y=y)
        lines.append(f"v{i} = {expr}")
        names.append(f"v{i}")
    tail = rng.sample(names[3:], k=min(len(names) - 3, rng.randint(1, 3)))
    lines.append("out = (" + " + ".join(f"({n}).sum()" for n in tail) + ")")
    lines.append("order = []\nlog_all(out, order)")
    if rng.random() < 0.5:
        lines.append("grads = [None if g is None else g.tolist() for g in "
                     "lab.autograd.grad(out, [a, b, c], allow_unused=True)]")
    else:
        lines.append("out.backward()\ngrads = [None if t.grad is None else t.grad.tolist() for t in (a, b, c)]")
    return "\n".join(lines) + "\n"


def _log_all(root, order):
    """A pre-hook on every node reachable from ``root``: the order the engine runs them in."""
    seen, stack = set(), [root.grad_fn]
    while stack:
        n = stack.pop()
        if n is None or n in seen:
            continue
        seen.add(n)
        n.register_prehook(lambda g, name=n.name(): order.append(name))
        stack.extend(m for m, _ in n.next_functions)


def _run(L, program):
    ns = {"lab": L, "log_all": _log_all}
    exec(program, ns)
    names = {k: v.grad_fn.name() if v.grad_fn is not None else None
             for k, v in ns.items() if k[0] == "v" and k[1:].isdigit()}
    return names, ns["order"], ns["grads"]


@pytest.mark.parametrize("seed", range(60))
def test_random_program_matches_torch(seed):
    program = make_program(seed)
    (n1, o1, g1), (n2, o2, g2) = _run(lab, program), _run(torch, program)
    assert n1 == n2, program
    assert o1 == o2, program
    for x, y in zip(g1, g2):
        assert (x is None) == (y is None), program
        if x is not None:
            np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6, err_msg=program)
