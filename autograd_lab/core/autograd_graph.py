"""``autograd.graph``: the ``Node`` type of ``grad_fn`` objects and ``saved_tensors_hooks``.

    with autograd.graph.saved_tensors_hooks(pack, unpack):
        y = a * b          # pack(t) runs for each tensor the node saves; unpack(packed) at backward
"""
from __future__ import annotations

from . import node as _node
from .node import Node

__all__ = ["Node", "saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks"]


class saved_tensors_hooks:  # noqa: N801 - PyTorch's name
    """Within the block, every value an operation saves for backward goes through ``pack_hook(tensor)``;
    backward gets it back through ``unpack_hook(packed)``."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        _node.pack_hooks.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        _node.pack_hooks.pop()
        return False


class save_on_cpu(saved_tensors_hooks):  # noqa: N801
    """Everything is on the CPU already: the values are kept as they are."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda"):
        super().__init__(lambda t: t, lambda t: t)


class disable_saved_tensors_hooks:  # noqa: N801
    def __init__(self, error_message: str):
        self.error_message = error_message

    def __enter__(self):
        self._prev = list(_node.pack_hooks)
        _node.pack_hooks.clear()
        return self

    def __exit__(self, *exc):
        _node.pack_hooks[:] = self._prev
        return False


def increment_version(tensor) -> None:
    """Mark ``tensor`` as changed in place (saved copies of it become stale)."""
    _node._bump(tensor, tensor._array(), tensor._data)
