"""Random numbers: after the same seed, autograd_lab draws PyTorch 2.13's own CPU numbers, bit for bit.

Every check runs the same calls with ``torch`` and with ``autograd_lab`` after the same
``manual_seed`` and compares the arrays bit for bit (dtype, values, signs of zero). The calls
cover both of PyTorch's normal paths (below 16 values: a scalar Box-Muller with a cached second
value; from 16 on: blocks of 16, the last one redrawn when the size is not a multiple of 16), both
float dtypes, whole numbers, permutations, in-place fills, ``nn.Linear``'s default initialisation,
explicit generators and the saved state, and a generator's state carried across many calls.
"""
from __future__ import annotations

import time

import numpy as np
import pytest

import autograd_lab as lab
from tests.support.requirements import require_torch

torch = require_torch()

SEEDS = list(range(24)) + [123456789, 2 ** 32 + 7, 2 ** 63 + 11, -5]


def _bits(t) -> tuple:
    a = t.detach().numpy() if hasattr(t, "detach") else t.numpy()
    return str(a.dtype), a.shape, a.tobytes()


def _both(program, seed):
    """``program(L)`` run after ``L.manual_seed(seed)`` for both libraries: the lists of tensors."""
    out = []
    for L in (torch, lab):
        L.manual_seed(seed)
        out.append([_bits(t) for t in program(L)])
    return out


def _assert_same(program, seed):
    theirs, ours = _both(program, seed)
    assert len(theirs) == len(ours)
    for i, (a, b) in enumerate(zip(theirs, ours)):
        assert a == b, f"call {i} after manual_seed({seed}) differs from torch"


def _sequence(L):
    """Many calls after one seed: the state (and randn's cached normal) carries from call to call."""
    return [
        L.rand(3), L.randn(5), L.randn(1), L.randn(2, 9), L.rand(17, dtype=L.float64),
        L.randn(33, dtype=L.float64), L.randn(3, dtype=L.float64), L.randn(16), L.randn(15), L.randn(47),
        L.randint(0, 10, (7,)), L.randint(-3, 2 ** 40, (4,)), L.randint(5, (3, 2)), L.randint(0, 2 ** 28, (5,)),
        L.randperm(12), L.randperm(1), L.randperm(0), L.randperm(100),
        L.rand(4, 4), L.rand(2, 3, dtype=L.float64), L.randn(100), L.randn(1000, dtype=L.float64),
        L.rand_like(L.zeros(20)), L.randn_like(L.zeros(2, 3)), L.randn_like(L.zeros(40, dtype=L.float64)),
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_sequence_of_random_calls_after_a_seed_gives_torchs_numbers(seed):
    _assert_same(_sequence, seed)


@pytest.mark.parametrize("n", [1, 2, 7, 15, 16, 17, 31, 32, 33, 255, 1000, 4097])
@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_randn_and_rand_of_every_size_below_and_above_16(n, dt):
    for seed in (0, 1, 99):
        _assert_same(lambda L: [L.randn(n, dtype=getattr(L, dt)), L.rand(n, dtype=getattr(L, dt)),
                                L.randn(n, dtype=getattr(L, dt))], seed)


def _fills(L):
    out = []
    for shape, dt, kind, args in [((5, 6), "float32", "uniform_", (-2.5, 3.25)),
                                  ((40,), "float64", "uniform_", (-0.7, 1.3)),
                                  ((3,), "float32", "uniform_", (10.0, 10.5)),
                                  ((40,), "float32", "normal_", (2.0, 0.3)),
                                  ((40,), "float64", "normal_", (-1.0, 3.7)),
                                  ((7,), "float32", "normal_", (1.5, 2.0)),
                                  ((5,), "float64", "normal_", (-0.3, 7.1)),
                                  ((2, 3), "float64", "normal_", (0.0, 1.0))]:
        t = L.zeros(*shape, dtype=getattr(L, dt))
        assert getattr(t, kind)(*args) is t
        out.append(t)
    return out


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_uniform_and_normal_in_place_fills(seed):
    _assert_same(_fills, seed)


def _inits(L):
    nn = L.nn
    out = []
    for args, kw in [((4, 3), {}), ((20, 7), {}), ((3, 2), {"dtype": L.float64}), ((1, 1), {}), ((5, 2), {"bias": False})]:
        lin = nn.Linear(*args, **kw)
        out += [lin.weight] + ([lin.bias] if lin.bias is not None else [])
    for fn, kw in [(nn.init.kaiming_uniform_, {}), (nn.init.kaiming_uniform_, {"a": 0.1, "mode": "fan_out"}),
                   (nn.init.kaiming_uniform_, {"nonlinearity": "relu"}), (nn.init.xavier_uniform_, {"gain": 0.5}),
                   (nn.init.xavier_normal_, {}), (nn.init.uniform_, {"a": -1.0, "b": 2.0}),
                   (nn.init.normal_, {"mean": 1.0, "std": 0.5})]:
        w = L.empty(30, 8)
        fn(w, **kw)
        out.append(w)
    return out


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_linear_layers_and_nn_init_start_from_torchs_weights(seed):
    _assert_same(_inits, seed)


def test_float16_draws_as_torch_does():
    """float16 computes in float32, and its normal draws uniforms for whole blocks of 16 only."""
    def program(L):
        h = L.float16
        out = [L.rand(40, dtype=h), L.randn(5, dtype=h), L.randn(37, dtype=h), L.randn(64, dtype=h), L.rand(4)]
        t = L.zeros(20, dtype=h)
        t.normal_(1.0, 0.5)
        u = L.zeros(20, dtype=h)
        u.uniform_(-2, 3)
        return out + [t, u, L.nn.Linear(5, 3, dtype=h).weight, L.rand(3)]
    for seed in range(10):
        _assert_same(program, seed)


def test_linear_4_3_after_seed_0_prints_what_torch_prints():
    texts = []
    for L in (torch, lab):
        L.manual_seed(0)
        lin = L.nn.Linear(4, 3)
        texts.append((repr(lin.weight), repr(lin.bias), repr(L.randn(2, 3)), repr(L.rand(2))))
    assert texts[0] == texts[1]


def test_a_generator_of_its_own_leaves_the_default_stream_alone():
    def program(L):
        g = L.Generator().manual_seed(7)
        a = L.rand(5, generator=g)
        b = L.randn(20)                    # the default stream, seeded by the test
        c = L.randn(3, generator=g)
        d = L.randint(0, 9, (4,), generator=g)
        e = L.randperm(6, generator=g)
        t = L.zeros(18)
        t.normal_(generator=g)
        return [a, b, c, d, e, t, L.rand(2)]
    for seed in (0, 3):
        _assert_same(program, seed)
    assert lab.Generator().initial_seed() == torch.Generator().initial_seed() == 67280421310721


def test_seeds_are_read_as_torch_reads_them():
    for s in (0, 5, -1, -2 ** 63, 2 ** 64 - 1, 3.9):
        assert lab.manual_seed(s).initial_seed() == torch.manual_seed(s).initial_seed()
        assert lab.initial_seed() == torch.initial_seed()
    for s in (2 ** 64, -2 ** 63 - 1):
        with pytest.raises(ValueError) as theirs:
            torch.manual_seed(s)
        with pytest.raises(ValueError) as ours:
            lab.manual_seed(s)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(RuntimeError, match="manual_seed expected a long, but got float"):
        lab.Generator().manual_seed(1.5)
    s = lab.seed()
    assert lab.initial_seed() == s and 0 <= s < 2 ** 64


def test_the_saved_state_is_torchs_and_restores_the_stream():
    for seed in (0, 11):
        states = []
        for L in (torch, lab):
            L.manual_seed(seed)
            fresh = L.get_rng_state()
            L.randn(3)  # leaves a cached normal
            L.rand(700)  # past one regeneration of the 624 words
            states.append((fresh.numpy().tobytes(), L.get_rng_state().numpy().tobytes()))
        assert states[0] == states[1]
        saved = lab.get_rng_state()
        first = lab.randn(5).tolist()
        lab.set_rng_state(saved)
        assert lab.randn(5).tolist() == first
        torch.set_rng_state(torch.tensor(np.frombuffer(saved.numpy().tobytes(), np.uint8)))
        assert torch.randn(5).tolist() == first


def test_torchs_checks_of_the_fills():
    for L in (torch, lab):
        for call, exc in [(lambda: L.zeros(3, dtype=L.int64).uniform_(), NotImplementedError),
                          (lambda: L.zeros(3, dtype=L.int32).normal_(), NotImplementedError),
                          (lambda: L.zeros(3).uniform_(1, 0), RuntimeError),
                          (lambda: L.zeros(3).normal_(0, -1), RuntimeError),
                          (lambda: L.zeros(3, requires_grad=True).uniform_(), RuntimeError)]:
            with pytest.raises(exc):
                call()
    msgs = []
    for L in (torch, lab):
        row = []
        for call in (lambda: L.zeros(3, dtype=L.int64).uniform_(), lambda: L.zeros(3).normal_(0, -1),
                     lambda: L.zeros(2, requires_grad=True).normal_()):
            try:
                call()
            except Exception as e:  # noqa: BLE001 - the message is what is compared
                row.append(str(e))
        msgs.append(row)
    assert msgs[0] == msgs[1]
    w = lab.zeros(2, requires_grad=True)
    with lab.no_grad():
        w.uniform_()
    assert w.requires_grad and w.grad_fn is None and (w.detach().numpy() != 0).all()


def test_a_hundred_thousand_numbers_take_well_under_a_second():
    lab.manual_seed(0)
    start = time.perf_counter()
    lab.randn(100_000)
    lab.rand(100_000)
    lab.randint(0, 10, (100_000,))
    took = time.perf_counter() - start
    assert took < 1.0, took


def test_dataloader_shuffle_and_random_split_give_torchs_orders():
    def program(L):
        D = L.utils.data
        ds = D.TensorDataset(L.arange(23), L.arange(23) * 2)
        loader = D.DataLoader(ds, batch_size=5, shuffle=True)
        out = [b[0] for _ in range(3) for b in loader]            # three passes, each a new order
        out.append(L.randn(3))                                     # the stream moved as torch's did
        g = L.Generator().manual_seed(100)
        out += [b[1] for b in D.DataLoader(ds, batch_size=4, shuffle=True, generator=g)]
        out += [L.tensor(list(p.indices)) for p in D.random_split(range(10), [3, 7])]
        out += [L.tensor(list(p.indices)) for p in D.random_split(range(30), [0.3, 0.3, 0.4],
                                                                 generator=L.Generator().manual_seed(42))]
        out.append(L.tensor(list(D.RandomSampler(range(9)))))
        return out + [L.rand(2)]
    for seed in range(8):
        _assert_same(program, seed)


def test_torch_normal_with_numbers_and_a_size_as_d2l_uses_it():
    def program(L):
        features = L.normal(0, 1, (1000, 2))                 # d2l's synthetic data
        noise = L.normal(0, 0.01, (1000,))
        w = L.normal(0, 0.01, size=(2, 1), requires_grad=True)
        return [features, noise, w, L.normal(2., 3., size=(7,), dtype=L.float64), L.normal(1, 2, [3, 17]), L.rand(2)]
    for seed in range(10):
        _assert_same(program, seed)
    w = lab.normal(0, 0.01, size=(2, 1), requires_grad=True)
    assert w.requires_grad and w.is_leaf and w.dtype is lab.float32
