"""autograd_lab: PyTorch's automatic differentiation, small enough to watch.

A pure-Python autograd core with PyTorch's names (``tensor``, ``backward``, ``grad_fn``,
``next_functions``, ``AccumulateGrad`` ...) that records every step as events, and a
player that animates them on the computation graph::

    import autograd_lab as lab
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        z = w * 3 + 1
        z.backward()
    lab.Player(t)

The viewer (``Player``, ``Playground``, ``exercises``) is imported lazily, so
``import autograd_lab`` costs little more than ``import numpy``.
"""
from __future__ import annotations

from .core.tensor import (Size, Tensor, bool_, dtype, equal, float32, float64, int64, is_tensor, ones, ones_like,
                          tensor, zeros, zeros_like)
from .core import autograd, optim
from .core.factories import (Generator, accelerator, arange, as_tensor, default_generator, empty, empty_like, eye, from_numpy, full,
                             full_like, get_default_device, initial_seed, linspace, manual_seed, rand, rand_like, randint,
                             randint_like, randn, randn_like, randperm, seed, set_default_device)
from .core.factories import get_rng_state, logspace, normal, set_rng_state  # PyTorch's random stream (core/rng.py), logspace
from .core.dtypes import float16, int8, int16, int32, uint8
from .core._format import set_printoptions
from .core.device import backends, cuda, device
from .core.function import module_functions as _module_functions
from .record.events import Trace, register_player as _register_player, trace
from .core.node import AccumulateGrad, Node
from .core.grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                             set_grad_enabled)
from .core.inference import is_inference
from .narration import get_language, set_language

float = float32  # noqa: A001  (torch.float)
double = float64
long = int64
bool = bool_  # noqa: A001
half = float16
int = int32  # noqa: A001
short = int16

__version__ = "0.1.0"

# autograd_lab.exp(x), autograd_lab.sin(x) ...: the functions the op declarations make (core/ops/)
globals().update(_module_functions())

__all__ = [
    "Tensor", "tensor", "zeros", "ones", "zeros_like", "ones_like", "is_tensor",
    "dtype", "float32", "float64", "int64", "bool_", "Size",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "autograd", "optim", "Node", "AccumulateGrad",
    "trace", "Trace", "Player", "Playground", "exercises",
    "full", "full_like", "empty", "empty_like", "eye", "arange", "linspace", "rand", "rand_like", "randn",
    "randn_like", "randint", "randint_like", "from_numpy", "as_tensor", "manual_seed", "seed", "initial_seed",
    "Generator", "default_generator", "device", "cuda", "backends", "float", "double", "long", "bool",
    "inference_mode", "is_inference_mode_enabled", "is_inference", "nn", "accelerator", "equal",
    "set_language", "get_language",
    # PyTorch's names added for the older and everyday API
    "float16", "int32", "int16", "int8", "uint8", "half", "int", "short", "randperm", "set_default_device",
    "get_default_device", "set_printoptions", "FloatTensor", "DoubleTensor",
    "LongTensor", "BoolTensor", "IntTensor", "ShortTensor", "CharTensor", "ByteTensor",
    "get_rng_state", "set_rng_state", "logspace", "normal",
]

# The viewer's names load on first use (``import autograd_lab`` stays as cheap as numpy).
_LAZY = {"Player": ("view.player", "Player"), "Playground": ("playground", "Playground")}
_LAZY_MODULES = {"nn": "core.nn", "utils": "core.utils", "linalg": "core.linalg", "exercises": "lessons.exercises", "playground": "playground", "player": "view.player",
                 "graph": "view.graph", "scene": "view.scene"}


class _AliasFinder:
    """``import autograd_lab.nn.functional as F``, ``from autograd_lab.autograd.graph import Node``: PyTorch's
    module paths, served by the core modules (loaded on first use)."""

    ALIASES = {"autograd_lab.nn": "autograd_lab.core.nn", "autograd_lab.nn.functional": "autograd_lab.core.nn_functional",
               "autograd_lab.autograd": "autograd_lab.core.autograd", "autograd_lab.optim": "autograd_lab.core.optim",
               "autograd_lab.autograd.graph": "autograd_lab.core.autograd_graph",
               "autograd_lab.autograd.function": "autograd_lab.core.custom_function",
               "autograd_lab.autograd.functional": "autograd_lab.core.autograd_functional",
               "autograd_lab.autograd.profiler": "autograd_lab.core.autograd_profiler",
               "autograd_lab.autograd.variable": "autograd_lab.core.variable",
               "autograd_lab.utils": "autograd_lab.core.utils", "autograd_lab.linalg": "autograd_lab.core.linalg", "autograd_lab.utils.data": "autograd_lab.core.utils_data"}
    _specs: dict = {}  # alias name -> the core module's own spec

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name not in cls.ALIASES:
            return None
        import importlib.util
        return importlib.util.spec_from_loader(name, cls)

    @classmethod
    def create_module(cls, spec):
        import importlib
        module = importlib.import_module(cls.ALIASES[spec.name])
        cls._specs[spec.name] = module.__spec__
        return module

    @classmethod
    def exec_module(cls, module):
        # the import system has just given the core module the alias's spec; its own spec goes back, so
        # that ``__spec__.parent`` and ``__package__`` agree (else its relative imports warn: ImportWarning)
        for name, spec in cls._specs.items():
            if module.__spec__ is not None and module.__spec__.name == name:
                module.__spec__ = spec


import sys as _sys  # noqa: E402

# (the builtins ``any``/``all`` are shadowed here by torch.any/torch.all: none is used below)
if not [f for f in _sys.meta_path if f is _AliasFinder or type(f).__name__ == "_AliasFinder"]:
    _sys.meta_path.append(_AliasFinder)


def _player(trace, **kwargs):
    """``Trace.play``'s widget: the view's Player, loaded on first use (the record never imports the view)."""
    return __getattr__("Player")(trace, **kwargs)


_register_player(_player)


def __getattr__(name: str):
    import importlib
    if name.endswith("Tensor") and name != "Tensor":  # the typed constructors: FloatTensor, LongTensor ...
        types = importlib.import_module(".core.legacy_types", __name__).TYPES
        if name in types:
            return types[name]
    if name in _LAZY:
        mod, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{mod}", __name__), attr)
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{_LAZY_MODULES[name]}", __name__)
    from .core.messages import missing_attribute
    raise missing_attribute("module 'autograd_lab'", name)
