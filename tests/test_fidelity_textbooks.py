"""Cells from other autograd chapters, run as a notebook runs them, side by side with torch 2.13.

Each snippet (``tests/support/textbook_snippets.py``: our own cells on the topics of PyTorch's autograd
tutorial and notes, d2l's chapter and forum questions) runs once with ``torch`` bound to real torch and
once to autograd_lab (``tests/support/textbook_probe.py``): every expression's repr, what it prints, its
warnings and the exception that ends it must be the same lines. What is left out of the subset must say
so clearly (an AttributeError or NotImplementedError that says "teaching subset"), not give a wrong
value or an error from inside numpy.
"""
from __future__ import annotations

import pytest

import autograd_lab
from tests.support.requirements import require_torch
from tests.support.textbook_probe import transcript
from tests.support.textbook_snippets import LEFT_OUT, SNIPPETS

torch = require_torch()


@pytest.mark.parametrize("code", SNIPPETS.values(), ids=SNIPPETS.keys())
def test_cell_shows_what_torch_shows(code):
    ours, theirs = transcript(code, autograd_lab), transcript(code, torch)
    assert ours == theirs


def test_probe_shows_values_warnings_and_the_error_that_ends_a_cell():
    cell = """
        x = torch.tensor([1., 2.], requires_grad=True)
        y = x * 2
        y
        print("sum", y.sum().item())
        None
        y.sum();
        y.sum().backward()
        y.grad
        y.backward()
        x * 100
    """
    lines = transcript(cell, autograd_lab)
    assert lines[0] == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    assert lines[1] == "sum 6.0"
    assert lines[2].startswith("<UserWarning>: The .grad attribute of a Tensor that is not a leaf Tensor")
    assert lines[3] == "<RuntimeError>: grad can be implicitly created only for scalar outputs"
    assert len(lines) == 4  # (the cell stopped at the error; None and the value before ';' showed nothing)
    assert lines == transcript(cell, torch)


@pytest.mark.parametrize("name", [k for k in LEFT_OUT if k != "float32_matmul_last_bit"])
def test_what_is_left_out_says_so(name):
    last = transcript(LEFT_OUT[name], autograd_lab)[-1]
    assert last.startswith(("<AttributeError>", "<NotImplementedError>")), last
    assert "teaching subset of PyTorch" in last
    assert transcript(LEFT_OUT[name], torch)[-1:] != [last]  # (torch runs it, or fails otherwise)


def test_float32_products_differ_from_torch_by_round_off_only():
    ours = eval(transcript(LEFT_OUT["float32_matmul_last_bit"], autograd_lab)[-1])
    theirs = eval(transcript(LEFT_OUT["float32_matmul_last_bit"], torch)[-1])
    assert [v for row in ours for v in row] == pytest.approx([v for row in theirs for v in row], rel=1e-6)
