"""Where the real-torch recorder was before it moved to ``record/torch/`` (README's
``record.torch_recorder.trace_torch_snippet``): kept so that code written against it runs."""
from .torch.recorder import CHANGED_LATER, TorchRecorder, torch_available  # noqa: F401
from .torch.snippet import trace_torch_snippet  # noqa: F401
