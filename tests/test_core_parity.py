"""The core against real PyTorch 2.13: one snippet, run through both, must look the same.

Each case (``tests/support/parity_cases.py``) is a small program written against ``lab``. It is run once with
``lab = autograd_lab`` and once with ``lab = torch`` (``tests/support/parity.py``), and everything it
leaves behind is compared: reprs, ``grad_fn`` names and the ``next_functions`` graph,
dtypes, shapes, flags, values, the exception that stopped it (type and message) and the
warnings it raised. Adding a case is adding one string.

Behaviour that only shows once per process (PyTorch's ``TORCH_WARN_ONCE``) is compared in
fresh interpreters at the end of this file.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import autograd_lab
from tests.support.requirements import require_torch
from tests.support.parity import run
from tests.support.parity_cases import CASES

torch = require_torch()
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("code", CASES.values(), ids=CASES.keys())
def test_same_as_torch(code):
    ours = run(code, autograd_lab)
    theirs = run(code, torch)
    assert ours.error == theirs.error
    assert ours.warnings == theirs.warnings
    assert ours.names == theirs.names


def test_cases_cover_every_node_name():
    """Every backward node the issue lists appears in at least one case's graph."""
    required = {"AddBackward0", "SubBackward0", "RsubBackward1", "MulBackward0", "DivBackward0", "ReciprocalBackward0",
                "NegBackward0", "PowBackward0", "PowBackward1", "PowBackward2", "ExpBackward0", "LogBackward0",
                "TanhBackward0", "SigmoidBackward0", "ReluBackward0", "SqrtBackward0", "SumBackward0", "SumBackward1",
                "MeanBackward0", "MeanBackward1", "ViewBackward0", "UnsafeViewBackward0", "CloneBackward0",
                "TBackward0", "PermuteBackward0", "DotBackward0", "MvBackward0", "MmBackward0",
                "torch::autograd::AccumulateGrad"}
    seen = set()

    def walk(d):
        if isinstance(d, dict):
            for v in d.values():
                walk(v)
        elif isinstance(d, tuple):
            if len(d) == 2 and isinstance(d[0], str) and d[0] in required:
                seen.add(d[0])
            for v in d:
                walk(v)

    for code in CASES.values():
        walk(run(code, autograd_lab).names)
    assert required - seen == set()


# ---------------------------------------------------------------------- once-per-process warnings
ONCE_SCRIPT = """
import json, sys, warnings
lib = sys.argv[1]
if lib == "torch":
    import torch as lab
else:
    sys.path.insert(0, {root!r})
    import autograd_lab as lab
out = []
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
{body}
print(json.dumps({{"out": out, "warnings": [[w.category.__name__, str(w.message)] for w in caught]}}))
"""

ONCE_CASES = {
    "backward_create_graph_warns_once": """
w = lab.tensor(2.0, requires_grad=True)
(w ** 3).backward(create_graph=True)
(w ** 3).backward(create_graph=True)
v = lab.tensor(2.0, requires_grad=True)
(v * v).backward(create_graph=True)
g = lab.autograd.grad(v ** 3, v, create_graph=True)
out.append(repr(w.grad))
""",
    "T_on_1d_and_3d_warns_once": """
v = lab.tensor([1., 2.], requires_grad=True)
out.append(repr(v.T))
out.append(repr(v.T.shape))
out.append(repr(lab.ones(2, 3, 4).T.shape))
out.append(repr(lab.ones(2, 2).T))
""",
    "T_on_0d_warns_once": """
s = lab.tensor(2., requires_grad=True)
out.append(repr(s.T))
out.append(repr(s.T))
out.append(repr(lab.ones(3).T))
""",
}


@pytest.mark.parametrize("body", ONCE_CASES.values(), ids=ONCE_CASES.keys())
def test_once_per_process_warnings(body):
    script = ONCE_SCRIPT.format(root=str(ROOT), body=textwrap.indent(textwrap.dedent(body), "    "))
    results = []
    for lib in ("autograd_lab", "torch"):
        proc = subprocess.run([sys.executable, "-c", script, lib], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert results[0] == results[1]
