"""Setting ``requires_grad`` (attribute or ``requires_grad_``) on leaves, non-leaves, tensors made
under no_grad and integer tensors: the same outcome as torch 2.13 (the same lines run in both)."""
from __future__ import annotations

import pytest
import torch

import autograd_lab as lab


REQUIRES_GRAD_CASES = ["y.requires_grad_(True)", "y.requires_grad_()", "y.requires_grad_(False)",
                       "y.requires_grad = True", "y.requires_grad = False", "n.requires_grad = True",
                       "n.requires_grad_(True)", "n.requires_grad = False", "i.requires_grad = True",
                       "i.requires_grad_(True)", "i.requires_grad_(False)", "i.requires_grad = False",
                       "w.requires_grad = False", "w.requires_grad_(False)"]


def _requires_grad_outcome(L, code):
    w = L.tensor(2.0, requires_grad=True)
    y = w * 3
    with L.no_grad():
        n = w * 3
    i = L.tensor([1, 2])
    try:
        exec(code)
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return "ok", (w.requires_grad, y.requires_grad, n.requires_grad, i.requires_grad, y.is_leaf, n.is_leaf)


@pytest.mark.parametrize("code", REQUIRES_GRAD_CASES)
def test_setting_requires_grad_as_pytorch(code):
    assert _requires_grad_outcome(lab, code) == _requires_grad_outcome(torch, code)
