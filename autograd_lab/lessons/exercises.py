"""Exercises for the lessons, as notebooks use them: ``lab.exercises.check(...)``, ``Predict``,
``same_in_pytorch``, ``start_lesson``. The parts live by concern: ``runner`` (time-limited runs,
errors in words), ``judges`` (the code exercises and ``check``), ``predict`` (predict-then-reveal),
``parity`` (the same lines in PyTorch), ``order`` (cells run out of order), ``feedback``.

    >>> from autograd_lab import exercises as ex
    >>> ex.check("zero_between", answer)            # runs answer(), says what is wrong in words
    >>> ex.check("zero_between", answer, hint=True)  # ... and gives a hint; never the answer itself
    >>> ex.Predict("w.grad after the second backward()?", answer=6, trace=t, reveal=("accumulate", "w", 2))
    >>> ex.same_in_pytorch("w = torch.tensor(2.0, requires_grad=True)\\nprint(w * 3)")
"""
from __future__ import annotations

from .feedback import Feedback
from .judges import EXERCISES, Exercise, check, hint
from .order import _name_error_handler, start_lesson  # noqa: F401 - the handler, for the tests
from .parity import Parity, same_in_pytorch
from .predict import Predict, event_index
from .runner import TIMEOUT, Run, explain_error, run_answer

__all__ = ["EXERCISES", "TIMEOUT", "Exercise", "Feedback", "Parity", "Predict", "Run", "check", "event_index",
           "explain_error", "hint", "run_answer", "same_in_pytorch", "start_lesson"]
