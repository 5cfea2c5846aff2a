"""Creation functions, dtype conversions, devices and formatting, side by side with PyTorch 2.13."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_lab as lab
from tests.support.api_side_by_side import same

CASES = {
    "Tensor_data": lambda L: L.Tensor([1, 2]),
    "Tensor_sizes": lambda L: (L.Tensor(2, 3).shape, L.Tensor(2).dtype),
    "arange": lambda L: (L.arange(5), L.arange(1, 4), L.arange(0, 1, 0.25), L.arange(1., 4.), L.arange(5, 0, -2)),
    "arange_bad_step": lambda L: L.arange(0, 1, -1),
    "linspace": lambda L: (L.linspace(0, 1, 5), L.linspace(-1, 1, steps=3, dtype=L.float64), L.linspace(0, 1, 1)),
    "full": lambda L: (L.full((2,), 3), L.full((2, 2), 3.), L.full([1], True), L.full((2,), 1.5, requires_grad=True)),
    "eye": lambda L: (L.eye(2), L.eye(2, 3), L.eye(3, dtype=L.float64)),
    "empty_shape": lambda L: (L.empty(2, 3).shape, L.empty((4,)).dtype),
    "zeros_ones_kw": lambda L: (L.zeros(2, dtype=L.float64, requires_grad=True), L.ones((2, 3)).shape,
                                L.zeros(L.Size([2, 1])).shape, L.ones(2, device="cpu")),
    "like": lambda L: (L.zeros_like(L.tensor([1, 2])), L.ones_like(L.tensor([1., 2.])), L.full_like(L.ones(2), 7),
                       L.rand_like(L.ones(2)).shape, L.randn_like(L.ones(2, dtype=L.float64)).dtype,
                       L.empty_like(L.ones(3)).shape, L.randint_like(L.ones(2), 5).dtype),
    "random_shapes_dtypes": lambda L: (L.rand(2, 3).shape, L.randn((4,)).dtype, L.randint(0, 10, (3,)).dtype,
                                       L.randint(5, (2, 2)).shape, L.rand(2, dtype=L.float64).dtype,
                                       L.randn(3, requires_grad=True).requires_grad),
    "randn_long": lambda L: L.randn(2, dtype=L.long),
    "conversions": lambda L: (L.tensor([1.7, -2.2]).long(), L.tensor([1, 2]).float(), L.tensor([1, 2]).double(),
                              L.tensor([1., 2.]).to(L.float64), L.tensor([1., 2.]).to("cpu"),
                              L.tensor([1., 2.]).to(L.device("cpu"), L.float64), L.tensor([0., 2.]).bool(),
                              L.tensor([1., 2.], requires_grad=True).double(),
                              L.tensor([1., 2.], requires_grad=True).long()),
    "from_numpy": lambda L: (L.from_numpy(np.arange(3)), L.from_numpy(np.ones(2)), L.from_numpy(np.zeros(2, np.float32))),
    "device": lambda L: (L.device("cpu"), str(L.device("cpu")), L.tensor(1.).device, L.ones(2).cpu(),
                         L.tensor(1.).device == L.device("cpu"), L.cuda.is_available()),
    "format_0d": lambda L: (f"{L.tensor(2.5)}", f"{L.tensor(3)}", "{:.3f}".format(L.tensor(2.5)),
                            f"{L.tensor(2.5, requires_grad=True)}", f"{L.tensor([2.5])}", f"loss: {L.tensor(0.25):>8.4f}"),
}


@pytest.mark.parametrize("name", CASES)
def test_same_as_torch(name):
    same(CASES[name])


def test_manual_seed_repeats_our_stream():
    lab.manual_seed(3)
    a = (lab.randn(4), lab.rand(2), lab.randint(0, 100, (3,)))
    lab.manual_seed(3)
    b = (lab.randn(4), lab.rand(2), lab.randint(0, 100, (3,)))
    assert [x.tolist() for x in a] == [x.tolist() for x in b]
    lab.manual_seed(4)
    assert lab.randn(4).tolist() != a[0].tolist()
    r = lab.rand(1000)
    assert 0 <= r.numpy().min() and r.numpy().max() < 1


def test_cuda_is_refused_as_without_a_gpu():
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        lab.ones(2, device="cuda")
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        lab.ones(2).to("cuda")


def test_from_numpy_shares_memory():
    a = np.zeros(3)
    t = lab.from_numpy(a)
    a[0] = 5
    assert t[0].item() == 5
