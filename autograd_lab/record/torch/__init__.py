"""Recording real PyTorch into a ``Trace`` (docs/real-torch.md).

- ``recorder.py``: ``TorchRecorder``, started by ``Trace.__enter__`` when torch is imported: the
  forward side (a ``TorchFunctionMode``) and the queue;
- ``backward.py``: backward calls, node runs, AccumulateGrad, releases, errors, hooks;
- ``build.py``: the queued raw records built into events;
- ``vocab.py``: what those three share (the queue's markers, ``Ref``, ``Later``, node kinds);
- ``snippet.py``: ``trace_torch_snippet(src)``, for the lessons' real-PyTorch cells.

Nothing here imports torch: the recorder uses the torch module the user imported.
"""
