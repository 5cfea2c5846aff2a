"""``torch.autograd.profiler``: ``profile()`` is accepted so that code written with it runs, but
autograd_lab measures nothing (its operations are numpy calls in Python, and their times would say
nothing about PyTorch's kernels). It says so once."""
from __future__ import annotations

import warnings

NOTE = ("autograd_lab does not profile: torch.autograd.profiler.profile() runs the code inside it "
        "unchanged and records no times (use real PyTorch to measure).")
_said = False


class _NoEvents(list):
    """What the profile's event queries return: no events, and the note as the table."""

    def table(self, *args, **kwargs) -> str:
        return NOTE

    def __str__(self) -> str:
        return NOTE


class profile:
    """A context manager that records nothing (see the module's note)."""

    def __init__(self, enabled: bool = True, *args, **kwargs) -> None:
        self.enabled = enabled

    def __enter__(self):
        global _said
        if self.enabled and not _said:
            _said = True
            warnings.warn(NOTE, UserWarning, stacklevel=2)
        return self

    def __exit__(self, *exc) -> bool:
        return False

    def key_averages(self, *args, **kwargs) -> _NoEvents:
        return _NoEvents()

    def events(self) -> _NoEvents:
        return _NoEvents()

    def table(self, *args, **kwargs) -> str:
        return NOTE

    def __str__(self) -> str:
        return NOTE


class record_function:
    """``with record_function("name"):`` labels a region for the profiler: nothing to do here."""

    def __init__(self, name: str, args=None) -> None:
        self.name = name

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False


profile.__module__ = record_function.__module__ = "torch.autograd.profiler"
