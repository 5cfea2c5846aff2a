"""Saved values as torch 2.13 handles them (the same lines run in both): a node's post-hook sees its
outputs and its saved values, which are released after it; an in-place change of a saved tensor
names PyTorch's version numbers in the error."""
from __future__ import annotations

import torch

import autograd_lab as lab


# ---------------------------------------------------------------------- post-hooks, then release


def _post_hook_sees(L):
    seen = []
    w = L.tensor(2.0, requires_grad=True)
    y = w * w
    node = y.grad_fn
    node.register_hook(lambda gi, go: seen.append((float(gi[0]), float(node._saved_self))))
    y.backward()
    try:
        node._saved_self
    except RuntimeError:
        seen.append("freed after")
    return seen


def test_a_post_hook_sees_the_outputs_and_the_saved_values_then_release():
    assert _post_hook_sees(lab) == _post_hook_sees(torch) == [(2.0, 2.0), "freed after"]
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        y = w * w
        y.grad_fn.register_hook(lambda gi, go: (gi[0] * 10, gi[1]))
        y.backward()
    kinds = [(e.kind, getattr(e, "name", None) or getattr(e, "which", None)) for e in t.events
             if e.kind in ("node", "hook", "release")]
    assert kinds == [("node", "MulBackward0"), ("hook", "hook"), ("release", "MulBackward0")]
    node, hook = [e for e in t.events if e.kind in ("node", "hook")]
    assert node.grad_inputs == (2.0, 2.0) and hook.grad_in == (2.0, 2.0) and hook.grad_out == (20.0, 2.0)
    assert float(w.grad) == 22.0


# ---------------------------------------------------------------------- version numbers


def _version_messages(L):
    msgs = set()
    for k in range(300):  # numpy scalars die and are born again at the same addresses
        x = L.tensor(2.0, requires_grad=True)
        y = x * 1
        z = y * y
        y.mul_(2)
        try:
            z.backward()
        except RuntimeError as e:
            msgs.add(str(e))
        w = L.tensor(float(k))
        w.add_(1)
        del x, y, z, w
    return msgs


def test_version_numbers_in_the_inplace_error_are_pytorchs():
    ours, theirs = _version_messages(lab), _version_messages(torch)
    assert len(theirs) == 1 and "is at version 1; expected version 0 instead" in next(iter(theirs))
    assert ours == theirs
