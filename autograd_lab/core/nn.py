"""A small ``torch.nn``: ``Module``, ``Parameter``, ``Linear``, ``Sequential``, ``ReLU``/``Tanh``/``Sigmoid``,
``MSELoss``, ``CrossEntropyLoss``, and ``nn.functional`` (``F``). A batched ``Linear`` records
``AddmmBackward0`` with ``TBackward0``, as PyTorch builds it."""
from __future__ import annotations

import math
import sys
import warnings
from collections import OrderedDict

import numpy as np

from . import nn_functional as functional
from . import recording as _rec
from . import rng
from .factories import default_generator
from .function import apply
from .grad_mode import no_grad
from .ops.special import MakeLeaf
from .tensor import Tensor, tensor

__all__ = ["Module", "Parameter", "Linear", "Sequential", "ReLU", "LeakyReLU", "Softplus", "GELU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax", "L1Loss",
           "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "Identity", "Flatten", "functional", "init"]


class _ParameterMeta(type):
    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj._x is not None and obj._x.param


class Parameter(metaclass=_ParameterMeta):
    """``nn.Parameter(t)``: a leaf tensor that requires grad and that a Module lists in ``parameters()``.
    (It is a Tensor marked as a parameter: ``isinstance(p, nn.Parameter)`` is True, ``type(p)`` is Tensor.)"""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            data = tensor(np.zeros((0,), dtype=np.float32))
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): data must be a Tensor, not {type(data).__name__}")
        return _parameter(data._array(), requires_grad)  # shares the tensor's memory, as in PyTorch


def _parameter(arr: np.ndarray, requires_grad: bool = True) -> Tensor:
    """A new leaf (one event when traced) marked as a parameter."""
    p = apply(MakeLeaf, arr, bool(requires_grad))
    p._extra().param = True
    return p


class Module:
    """Base of every layer and model: holds parameters and submodules, ``__call__`` runs ``forward``."""

    def __init__(self, *args, **kwargs):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        # the module stack (core/recording.py), and the recorder in effect told of the call
        stack = _rec.module_stack
        rec = _rec.active
        stack.append(self)
        out = None
        try:
            if rec is not None:
                rec.enter_module(self)
            out = self.forward(*args, **kwargs)
            return out
        finally:
            stack.pop()
            if rec is not None:
                rec.exit_module(self, out)

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign module before Module.__init__() call")
        params, modules = self.__dict__["_parameters"], self.__dict__["_modules"]
        if isinstance(value, Parameter):
            modules.pop(name, None)
            self.__dict__.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            params.pop(name, None)
            self.__dict__.pop(name, None)
            modules[name] = value
        elif name in params:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' (torch.nn.Parameter "
                                "or None expected)")
            params[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        d = self.__dict__
        if name in d.get("_parameters", {}):
            return d["_parameters"][name]
        if name in d.get("_modules", {}):
            return d["_modules"][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for store in (self._parameters, self._modules):
            if name in store:
                del store[name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param) -> None:
        self._parameters[name] = param

    def add_module(self, name: str, module) -> None:
        self._modules[name] = module

    def named_parameters(self, prefix: str = "", recurse: bool = True):
        seen = set()
        for mod_prefix, mod in (self.named_modules(prefix) if recurse else [(prefix, self)]):
            for name, p in mod._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mod_prefix}.{name}" if mod_prefix else name), p

    def parameters(self, recurse: bool = True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_modules(self, prefix: str = ""):
        yield prefix, self
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        yield from self._modules.items()

    def children(self):
        yield from self._modules.values()

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if p._grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p._grad.zero_()

    def train(self, mode: bool = True):
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def state_dict(self):
        return OrderedDict((n, p.detach()) for n, p in self.named_parameters())

    def load_state_dict(self, state_dict, strict: bool = True):
        own = dict(self.named_parameters())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}: missing keys {missing}, "
                               f"unexpected keys {unexpected}")
        with no_grad():
            for k, v in state_dict.items():
                if k in own:
                    _rec.before_write()
                    own[k]._array()[...] = np.asarray(v._data)

    def to(self, *args, **kwargs):
        from .device import check_device
        for a in list(args) + list(kwargs.values()):
            if isinstance(a, str) or type(a).__name__ == "device":
                check_device(a)
            else:
                raise NotImplementedError("Module.to(dtype) is not supported in autograd_lab")
        return self

    def cpu(self):
        return self

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, m in self._modules.items():
            body = repr(m).replace("\n", "\n  ")
            lines.append(f"({name}): {body}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = f"{type(self).__name__}(" + (f"\n  {extra}" if extra else "")
        return head + "\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self):
        return sorted(set(object.__dir__(self)) | set(self._parameters) | set(self._modules))


def _uniform(shape, bound, np_dtype):
    """``uniform_(-bound, bound)`` values of ``shape`` (PyTorch's numbers: ``rng.py``)."""
    np_dtype = np_dtype if np_dtype in (np.float64, np.float16) else np.float32
    return rng.uniform(default_generator, int(np.prod(shape)), np_dtype, -bound, bound).reshape(shape)


class Linear(Module):
    """``y = x @ weight.T + bias``; weight (out_features, in_features), initialised as PyTorch does,
    to PyTorch's numbers (``kaiming_uniform_(weight, a=sqrt(5))``, bias uniform in +-1/sqrt(in_features))."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None):
        super().__init__()
        from .device import check_device
        check_device(device)
        self.in_features, self.out_features = in_features, out_features
        np_dtype = dtype.np if dtype is not None else np.float32
        w_bound = _kaiming_uniform_bound(in_features, math.sqrt(5))
        self.weight = _parameter(_uniform((out_features, in_features), w_bound, np_dtype).astype(np_dtype))
        if bias:
            bound = 1 / math.sqrt(in_features) if in_features > 0 else 0
            self.bias = _parameter(_uniform((out_features,), bound, np_dtype).astype(np_dtype))
        else:
            self.register_parameter("bias", None)

    def forward(self, input):
        return functional.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """Modules applied one after the other: ``Sequential(Linear(2, 4), ReLU(), Linear(4, 1))``."""

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(modules):
                self.add_module(str(i), m)

    def forward(self, input):
        for m in self._modules.values():
            input = m(input)
        return input

    def __getitem__(self, i):
        mods = list(self._modules.values())
        if isinstance(i, slice):
            return Sequential(*mods[i])
        return mods[i]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self


def _activation(name, fn):
    def forward(self, input):
        return fn(input)
    return type(name, (Module,), {"forward": forward, "__doc__": f"``nn.{name}()``: applies ``{fn.__name__}``"})


class ReLU(Module):
    """``nn.ReLU()``: applies ``relu`` (in place with ``inplace=True``, as ``relu_``)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return functional.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


Tanh = _activation("Tanh", functional.tanh)
Sigmoid = _activation("Sigmoid", functional.sigmoid)


class LeakyReLU(Module):
    """``nn.LeakyReLU(negative_slope)``: applies ``leaky_relu``."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return functional.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """``nn.GELU(approximate)``: applies ``gelu``."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return functional.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """``nn.Softplus(beta, threshold)``: applies ``softplus``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return functional.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={float(self.beta)}, threshold={float(self.threshold)}"


class Identity(Module):
    def forward(self, input):
        return input


class Flatten(Module):
    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Softmax(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return functional.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    def forward(self, input):
        return functional.log_softmax(input, self.dim)


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__()
        self.reduction = reduction


class MSELoss(_Loss):
    def forward(self, input, target):
        return functional.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    def forward(self, input, target):
        return functional.l1_loss(input, target, reduction=self.reduction)


class CrossEntropyLoss(_Loss):
    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(reduction=reduction)
        self.ignore_index, self.label_smoothing, self.weight = ignore_index, label_smoothing, weight

    def forward(self, input, target):
        return functional.cross_entropy(input, target, self.weight, ignore_index=self.ignore_index,
                                        reduction=self.reduction, label_smoothing=self.label_smoothing)


class BCEWithLogitsLoss(_Loss):
    def forward(self, input, target):
        return functional.binary_cross_entropy_with_logits(input, target, reduction=self.reduction)


class BCELoss(_Loss):
    def forward(self, input, target):
        return functional.binary_cross_entropy(input, target, reduction=self.reduction)


class NLLLoss(CrossEntropyLoss):
    def forward(self, input, target):
        return functional.nll_loss(input, target, self.weight, ignore_index=self.ignore_index,
                                   reduction=self.reduction)


def _kaiming_uniform_bound(fan: int, a: float = 0.0, nonlinearity: str = "leaky_relu") -> float:
    """``kaiming_uniform_``'s bound, computed in the order PyTorch computes it."""
    if fan == 0:
        return 0.0
    std = _Init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return math.sqrt(3.0) * std


def _fans(t) -> tuple:
    if t.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = int(np.prod(tuple(t.shape)[2:])) if t.dim() > 2 else 1
    return t.shape[1] * receptive, t.shape[0] * receptive


class _Init:
    """``nn.init``: in-place initialisers (PyTorch's numbers for the same seed)."""

    @staticmethod
    def zeros_(t):
        with no_grad():
            _rec.before_write()
            t._array()[...] = 0
        return t

    @staticmethod
    def ones_(t):
        with no_grad():
            _rec.before_write()
            t._array()[...] = 1
        return t

    @staticmethod
    def constant_(t, val):
        with no_grad():
            _rec.before_write()
            t._array()[...] = val
        return t

    @staticmethod
    def uniform_(t, a=0.0, b=1.0, generator=None):
        with no_grad():
            return t.uniform_(a, b, generator=generator)

    @staticmethod
    def normal_(t, mean=0.0, std=1.0, generator=None):
        with no_grad():
            return t.normal_(mean, std, generator=generator)

    @staticmethod
    def calculate_gain(nonlinearity, param=None):
        if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                            "conv_transpose3d", "sigmoid"):
            return 1
        if nonlinearity == "tanh":
            return 5.0 / 3
        if nonlinearity == "relu":
            return math.sqrt(2.0)
        if nonlinearity == "leaky_relu":
            if param is None:
                slope = 0.01
            elif isinstance(param, (int, float)) and not isinstance(param, bool):
                slope = param
            else:
                raise ValueError(f"negative_slope {param} not a valid number")
            return math.sqrt(2.0 / (1 + slope ** 2))
        if nonlinearity == "selu":
            return 3.0 / 4
        raise ValueError(f"Unsupported nonlinearity {nonlinearity}")

    @staticmethod
    def kaiming_uniform_(t, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
        if 0 in tuple(t.shape):
            warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
            return t
        fan_in, fan_out = _fans(t)
        bound = _kaiming_uniform_bound(fan_in if mode == "fan_in" else fan_out, a, nonlinearity)
        return _Init.uniform_(t, -bound, bound, generator)

    @staticmethod
    def xavier_uniform_(t, gain=1.0, generator=None):
        bound = math.sqrt(3.0) * _xavier_std(t, gain)
        return _Init.uniform_(t, -bound, bound, generator)

    @staticmethod
    def xavier_normal_(t, gain=1.0, generator=None):
        return _Init.normal_(t, 0.0, _xavier_std(t, gain), generator)


def _xavier_std(t, gain: float) -> float:
    fan_in, fan_out = _fans(t)
    return gain * math.sqrt(2.0 / float(fan_in + fan_out))


init = _Init()

sys.modules.setdefault("autograd_lab.nn", sys.modules[__name__])
__path__: list = []  # nn.functional is found by autograd_lab._AliasFinder
sys.modules.setdefault("autograd_lab.nn.functional", functional)


def __getattr__(name: str):
    from .messages import missing_attribute
    raise missing_attribute("module 'autograd_lab.nn'", name)
