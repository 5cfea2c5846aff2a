"""``torch.utils``: only ``torch.utils.data`` (see utils_data.py), loaded on first use."""
from __future__ import annotations

import importlib
import sys

__path__: list = []  # utils.data is found by autograd_lab._AliasFinder


def __getattr__(name: str):
    if name == "data":
        mod = importlib.import_module(f"{__package__}.utils_data")
        sys.modules.setdefault("autograd_lab.utils.data", mod)
        return mod
    raise AttributeError(f"module 'autograd_lab.utils' has no attribute '{name}'")
