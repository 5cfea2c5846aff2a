"""``torch.device`` and the accelerator modules: autograd_lab runs on the CPU only
(``cuda.is_available()`` is False, as on a machine without a GPU)."""
from __future__ import annotations

import types


class device:
    """``torch.device("cpu")``: the only device autograd_lab has."""

    __slots__ = ("type", "index")

    def __init__(self, type: "str | device" = "cpu", index: int | None = None):  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index  # noqa: A001
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({type.__class__.__name__})")
        name, _, idx = type.partition(":")
        if name not in _DEVICE_TYPES:
            raise RuntimeError(f"Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, "
                               f"maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of "
                               f"device string: {type}")
        self.type = name
        self.index = int(idx) if idx else index

    def __repr__(self) -> str:
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla",
                 "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
CPU = device("cpu")


def check_device(d) -> None:
    """Only the CPU exists here: any other device is refused with what PyTorch says without CUDA."""
    if d is None:
        return
    d = device(d) if not isinstance(d, device) else d
    if d.type == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")
    if d.type != "cpu":
        raise RuntimeError(f"autograd_lab runs on the CPU only; device '{d}' is not available")


def _no_accelerator(name):
    return types.SimpleNamespace(is_available=lambda: False, device_count=lambda: 0, __name__=name)


cuda = _no_accelerator("cuda")
cuda.manual_seed = cuda.manual_seed_all = lambda seed: None
mps = _no_accelerator("mps")
backends = types.SimpleNamespace(mps=mps, cuda=types.SimpleNamespace(is_built=lambda: False))


