"""The ops' declarations (core/function.py: declare, unary) and what is derived from them."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import autograd_lab as lab
from autograd_lab.core import function as F
from autograd_lab.playground.allowlist import _RULES

# The narration's op names as they were hand-kept before the declarations (record/events.py's
# _OP_NAMES): the declarations must give the same.
OLD_LABELS = {
    "AddBackward0": "add", "SubBackward0": "sub", "RsubBackward1": "rsub", "MulBackward0": "mul",
    "DivBackward0": "div", "NegBackward0": "neg", "ReciprocalBackward0": "reciprocal",
    "PowBackward0": "pow", "PowBackward1": "pow", "PowBackward2": "pow", "ExpBackward0": "exp",
    "LogBackward0": "log", "TanhBackward0": "tanh", "SigmoidBackward0": "sigmoid",
    "ReluBackward0": "relu", "SqrtBackward0": "sqrt", "SumBackward0": "sum", "SumBackward1": "sum",
    "MeanBackward0": "mean", "MeanBackward1": "mean", "ViewBackward0": "reshape",
    "UnsafeViewBackward0": "reshape", "ReshapeAliasBackward0": "reshape", "CloneBackward0": "clone",
    "ExpandBackward0": "expand", "TBackward0": "t", "PermuteBackward0": "T", "DotBackward0": "matmul",
    "MvBackward0": "matmul", "MmBackward0": "matmul", "SelectBackward0": "index", "SliceBackward0": "index",
    "AliasBackward0": "index", "ToCopyBackward0": "to",
    "AddInplace": "add_", "SubInplace": "sub_", "MulInplace": "mul_", "DivInplace": "div_"}


def test_op_label_keeps_the_narration_names():
    assert {k: F.op_label(k) for k in OLD_LABELS} == OLD_LABELS
    assert F.op_label("SinBackward0") == "sin" and F.op_label("MulBackward1") == "MulBackward1"
    y = lab.tensor(2.0, requires_grad=True) * 3
    assert F.op_label(y.grad_fn) == "mul" and F.op_label(type(y.grad_fn)) == "mul"


@pytest.mark.parametrize("name, node", [("sin", "SinBackward0"), ("cos", "CosBackward0"), ("abs", "AbsBackward0")])
def test_new_ops_everywhere_from_one_declaration(name, node):
    assert name in _RULES["tensor"].methods                       # playground
    assert name in F.supported_text()                             # the "supported" message
    x = lab.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    for y in (getattr(x, name)(), getattr(lab, name)(x)):         # method and module function
        assert y.grad_fn.name() == node
    with lab.trace() as t:
        getattr(x, name)()
    assert [e.op for e in t.events if e.kind == "op"] == [name]   # narration label
    with pytest.raises(TypeError) as ours:
        getattr(lab, name)(2.0)
    with pytest.raises(TypeError) as theirs:
        getattr(torch, name)(2.0)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name", ["sin", "cos", "abs"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_new_ops_match_torch_at_zero_and_kinks(name, dtype):
    """Values, first and second derivatives (abs at 0 included: PyTorch's gradient there is 0),
    and the nodes create_graph builds."""
    vals = [-2.0, -0.0, 0.0, 1e-30, 1.5]
    res = []
    for L in (lab, torch):
        x = L.tensor(vals, requires_grad=True, dtype=getattr(L, dtype))
        y = getattr(x, name)()
        (g,) = L.autograd.grad(y.sum(), x, create_graph=True)
        chain = [g.grad_fn.name()] + [n.name() for n, _ in g.grad_fn.next_functions if n is not None]
        (g2,) = L.autograd.grad(g.sum(), x, allow_unused=True)
        g2 = np.zeros(len(vals)) if g2 is None or (L is torch and g2._is_zerotensor()) else g2.detach().numpy()
        res.append((y.detach().numpy(), g.detach().numpy(), g2, chain, repr(y.dtype)))
    (y1, g1, h1, c1, d1), (y2, g2, h2, c2, d2) = res
    assert c1 == c2 and d1 == d2
    np.testing.assert_allclose(y1, y2, rtol=1e-6)
    np.testing.assert_allclose(g1, g2, rtol=1e-6)
    np.testing.assert_allclose(h1, h2, rtol=1e-6, atol=1e-7)


def test_abs_of_integers_and_the_unsupported_operators():
    assert repr(abs(lab.tensor([1, -2]))) == repr(abs(torch.tensor([1, -2])))
    assert repr(lab.tensor([1, -2]).sin()) == repr(torch.tensor([1, -2]).sin())
    with pytest.raises(AttributeError, match="teaching subset.*Supported operations: .*sin, cos, abs"):
        lab.ones(2).erfinv()


def test_every_tensor_method_is_in_the_class_body():
    """Tensor's methods live in its class dict (none attached later), __hash__ once."""
    import ast
    from pathlib import Path
    src = (Path(F.__file__).parent / "tensor.py").read_text()
    tree = ast.parse(src)
    for node in tree.body:  # nothing at module level assigns to Tensor.<attr>
        if isinstance(node, ast.Assign):
            for t in node.targets:
                assert not (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "Tensor")
    assert src.count("def __hash__") == 1 and "__hash__ =" not in src
    for name in F.tensor_methods():
        assert name in lab.Tensor.__dict__, name
