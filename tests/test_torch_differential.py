"""Differential test: each parity case and each lesson's "same in real PyTorch" snippet is
recorded twice, with autograd_lab's core and with real torch (record/torch/), and the two
traces are compared step by step (tests/support/torch_differential.py says what is compared).

Every case that differs must be listed in KNOWN (and explained in docs/real-torch.md); a
listed case that starts to agree fails too, so the list stays exact.
"""
from __future__ import annotations

import pytest

import torch  # noqa: E402,F401  (a test dependency: missing, the test fails and does not skip)

from tests.support.parity_cases import CASES  # noqa: E402
from tests.support.torch_differential import both, diff, lesson_snippets  # noqa: E402

CORE_NAME = "core: a different node name than torch's"
INNER_VALUE = "torch: an inner node of a composite op has no tensor Python can read (value '<not visible>')"
NODE_HOOKS = "torch: hooks registered on a grad_fn node (register_prehook/register_hook) are not seen"
HOOK_ERROR_NODE = "torch: an error raised by a node's post-hook is shown at that node (core: no node)"
DOUBLE_BACKWARD_OPS = "core: create_graph=True records the backward's own ops; in torch they are made in C++"

KNOWN = {
    "parity:indexing_iteration_values": CORE_NAME,
    "parity:name_add_mul_scalars": INNER_VALUE,
    "parity:name_rdiv_reciprocal": INNER_VALUE,
    "parity:name_reshape_views": INNER_VALUE,
    "parity:saved_attribute_names": INNER_VALUE,
    "parity:nan_inf_reciprocal": INNER_VALUE,
    "parity:hooks_order": NODE_HOOKS,
    "parity:hook_prehook_replaces": NODE_HOOKS,
    "parity:hook_posthook_replaces": NODE_HOOKS,
    "parity:hook_acc_node_args": NODE_HOOKS,
    "parity:hook_post_drops_one_path": NODE_HOOKS,
    "parity:hook_error_pre_size": NODE_HOOKS,
    "parity:hook_error_post_size": NODE_HOOKS,
    "parity:hook_error_post_replaces_none": NODE_HOOKS,
    "parity:hook_error_post_count": HOOK_ERROR_NODE,
    "parity:hook_error_post_type": HOOK_ERROR_NODE,
    "parity:hook_error_post_list": HOOK_ERROR_NODE,
    "parity:create_graph_cube": DOUBLE_BACKWARD_OPS,
    "parity:create_graph_tanh": DOUBLE_BACKWARD_OPS,
    "parity:create_graph_sigmoid_relu_exp": DOUBLE_BACKWARD_OPS,
    "parity:create_graph_backward": DOUBLE_BACKWARD_OPS,
    "parity:create_graph_backward_twice": DOUBLE_BACKWARD_OPS,
    "parity:create_graph_ops": DOUBLE_BACKWARD_OPS,
    "parity:create_graph_sum_dims": DOUBLE_BACKWARD_OPS,
}

SNIPPETS = {f"parity:{k}": (v, "lab") for k, v in CASES.items()}
SNIPPETS.update({f"lesson:{k}": (v, "torch") for k, v in lesson_snippets().items()})


def test_every_lesson_has_a_snippet():
    assert len([k for k in SNIPPETS if k.startswith("lesson:")]) >= 8


@pytest.mark.parametrize("case", sorted(SNIPPETS))
def test_core_and_torch_record_the_same_steps(case):
    src, var = SNIPPETS[case]
    core, real = both(src, var)
    assert real, "the torch run recorded nothing"
    d = diff(core, real)
    if case in KNOWN:
        assert d is not None, f"{case} now agrees: remove it from KNOWN and docs/real-torch.md"
    else:
        assert d is None, f"{case}: step {d[0]}: core {d[1]!r}, torch {d[2]!r}"


def test_known_differences_are_documented():
    import pathlib
    doc = (pathlib.Path(__file__).resolve().parent.parent / "docs" / "real-torch.md").read_text()
    for case in KNOWN:
        assert case.split(":", 1)[1] in doc, case
