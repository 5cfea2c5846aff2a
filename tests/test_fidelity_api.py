"""The older and the everyday PyTorch API, and the checks PyTorch makes, side by side with torch 2.13.

Each case runs the same lines with ``autograd_lab`` and with ``torch`` (``tests/support/api_side_by_side``)
and compares what they print, return (by repr), raise and warn. What cannot be the same (random orders,
the profiler) is checked by behaviour below the table.
"""
from __future__ import annotations

import copy
import subprocess
import sys
import warnings

import numpy as np
import pytest

import autograd_lab as lab
from tests.support.api_side_by_side import same


def _grad_after(L, make, *xs):
    """``make(*xs).sum().backward()`` and the gradients of ``xs`` (leaves made here from lists)."""
    leaves = [L.tensor(x, requires_grad=True) for x in xs]
    make(*leaves).sum().backward()
    return [t.grad for t in leaves]


def _variable(L):
    Variable = L.autograd.Variable
    t = L.tensor([1., 2.])
    v = Variable(t, requires_grad=True)
    (v * v).sum().backward()
    grad_data = v.grad.data.zero_()
    return (type(v).__name__, v, v.data, v is t, Variable(t), Variable(), Variable(L.tensor(3.), True), grad_data,
            v.grad, isinstance(t, Variable), isinstance(3, Variable), Variable, Variable(v * 2), Variable.__name__)


def _set(obj, name, value):
    setattr(obj, name, value)


def _printed(L, options, *tensors):
    """The reprs of ``tensors`` under ``set_printoptions(**options)`` (the defaults restored after)."""
    L.set_printoptions(**options)
    try:
        return "\n".join(repr(t) for t in tensors)
    finally:
        L.set_printoptions(profile="default")


def _loader(L, **kw):
    data = L.utils.data
    X, y = L.arange(10.).reshape(5, 2), L.arange(5)
    loader = data.DataLoader(data.TensorDataset(X, y), **kw)
    return len(loader), list(loader)


def _out(L):
    out = L.empty(2)
    r = L.add(L.tensor([1., 2.]), 1, out=out)
    resized = L.sin(L.tensor([0., 0., 0.]), out=L.empty(1))
    return r is out, out, resized


def _deepcopy(L):
    a = L.tensor([1., 2.], requires_grad=True)
    (a * a).sum().backward()
    b = copy.deepcopy(a)
    m = L.nn.Linear(2, 1)
    m2 = copy.deepcopy(m)
    return (b, b is a, b.is_leaf, b.grad, b.grad is a.grad, m2, m2.weight is m.weight,
            bool((m2.weight == m.weight).all()), m2.weight.requires_grad, repr(m2.weight).split("\n")[0])


def _del_grad(L):
    a = L.tensor([1., 2.], requires_grad=True)
    (a * 3).sum().backward()
    before = a.grad
    del a.grad
    return before, a.grad


def _numpy_in_no_grad(L):
    a = L.tensor([1., 2.], requires_grad=True)
    with L.no_grad():
        return a.numpy(), (a * 2).numpy()


def _post_accumulate_hook_returning(L, result):
    w = L.tensor([1., 2.], requires_grad=True)
    w.register_post_accumulate_grad_hook(lambda t: result(L, t))
    (w * 3).sum().backward()
    return w


def _pack_hook_modifying_its_input(L, make):
    def pack(t):
        t.add_(1)
        return t
    a = L.tensor([1., 2.], requires_grad=True)
    x = make(a)
    with L.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        return x * x if x is not a else a * a


def _call_a_node(L):
    w = L.tensor([1., 2.], requires_grad=True)
    y, z, s = w * 3, w * w, w.sum()
    outcomes = []
    for node, args in ((y.grad_fn, (L.ones(2),)), (y.grad_fn, ()), (y.grad_fn, (L.ones(2), L.ones(2))),
                       (y.grad_fn, (1.0,)), (y.grad_fn, (None,)), (z.grad_fn, (L.ones(2),)),
                       (s.grad_fn, (L.tensor(2.),)), (s.grad_fn, (L.ones(3),))):
        try:
            outcomes.append(repr(node(*args)))
        except (TypeError, RuntimeError) as e:
            outcomes.append(f"{type(e).__name__}: {e}")
    return outcomes


class _Gradcheck:
    """autograd.gradcheck / gradgradcheck on a few functions, a wrong backward among them."""

    @staticmethod
    def run(L):
        x = L.tensor([1., 2.], dtype=L.float64, requires_grad=True)
        m = L.tensor([[1., 2.], [3., 4.]], dtype=L.float64, requires_grad=True).t()  # (not contiguous)

        class Bad(L.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def backward(ctx, g):
                return g * 3

        results = [L.autograd.gradcheck(L.sin, (x,)), L.autograd.gradcheck(lambda a: a * 2, x),
                   L.autograd.gradgradcheck(L.sin, (x,)), L.autograd.gradcheck(lambda a, b: (a @ b, a.sum()), (m, m)),
                   L.autograd.gradgradcheck(lambda a, b: (a @ b).tanh(), (m, m)),
                   L.autograd.gradgradcheck(lambda a: a.exp(), (x,), (L.ones(2, dtype=L.float64, requires_grad=True),)),
                   L.autograd.gradcheck(L.sin, (L.tensor([1., 2.], requires_grad=True),), eps=1e-3, atol=1e-2),
                   L.autograd.gradcheck(Bad.apply, (x,), raise_exception=False), x, m]
        for bad in (lambda: L.autograd.gradcheck(Bad.apply, (x,)), lambda: L.autograd.gradcheck(L.sin, (L.ones(2),))):
            try:
                bad()
            except (RuntimeError, ValueError) as e:
                results.append(f"{type(e).__name__}: {e}")
        return results


def _inplace_twins(L):
    y = L.tensor([0.5, -1.], requires_grad=True) * 1
    y2 = L.tensor([0.5, -1.], requires_grad=True) * 1
    y3 = L.tensor([0.5, -2.], requires_grad=True) * 1
    return (y.sin_(), L.sigmoid_(y), L.nn.functional.relu_(y), y.relu_(), L.relu_(y),
            L.nn.functional.relu(y, inplace=True), L.exp_(y2), y2.tanh_(), L.abs_(y2), y2.neg_(),
            L.square_(y2), y2.clamp_(min=0, max=0.5), y3.pow_(3), L.reciprocal_(y3), y3.cos_(), L.log_(y3.abs_()),
            y3.sqrt_(), L.tan_(y3))


CASES = {
    # ---- the old API
    "Variable": _variable,
    "Variable_volatile": lambda L: L.autograd.Variable(L.tensor([1., 2.]), volatile=True),
    "Variable_volatile_and_requires_grad": lambda L: L.autograd.Variable(L.tensor([1.]), True, True),
    "Variable_of_a_list": lambda L: L.autograd.Variable([1., 2.]),
    "Variable_of_ints_requiring_grad": lambda L: L.autograd.Variable(L.tensor([1, 2]), requires_grad=True),
    "Variable_importable": lambda L: __import__(L.__name__ + ".autograd", fromlist=["Variable"]).Variable(
        L.ones(1), requires_grad=True),
    "typed_constructors": lambda L: (L.FloatTensor, type(L.FloatTensor), L.FloatTensor([1, 2]), L.LongTensor([1.5, 2]),
                                     L.DoubleTensor([1, 2]), L.BoolTensor([1, 0]), L.FloatTensor(2, 3).shape,
                                     L.FloatTensor(L.Size([2, 3])).shape, L.FloatTensor((2, 3)), L.FloatTensor(),
                                     L.IntTensor([1]), L.HalfTensor([1]), L.ByteTensor([1]), L.FloatTensor.__name__),
    "typed_isinstance": lambda L: (isinstance(L.tensor([1.]), L.FloatTensor), isinstance(L.tensor([1]), L.FloatTensor),
                                   isinstance(L.tensor([1]), L.LongTensor), isinstance(3, L.FloatTensor),
                                   isinstance(L.tensor([1.], dtype=L.float64), L.DoubleTensor)),
    "typed_of_a_tensor": lambda L: (L.FloatTensor(L.tensor([1., 2.])), L.Tensor(L.tensor([1, 2]))),
    "typed_of_another_dtype": lambda L: L.FloatTensor(L.tensor([1, 2])),
    "typed_of_a_number": lambda L: L.FloatTensor(3.5),
    "typed_bad_size": lambda L: L.FloatTensor(2, 3.0),
    "typed_requires_grad_refused": lambda L: L.FloatTensor([1.], requires_grad=True),
    "tensor_type": lambda L: (L.tensor([1.]).type(), L.tensor([1]).type(), L.tensor([1]).type(L.FloatTensor),
                              L.tensor([1]).type(L.float64), L.tensor([1.]).type("torch.IntTensor"),
                              L.tensor([True]).type()),
    "tensor_type_bad_name": lambda L: L.tensor([1.]).type("torch.Foo"),
    # ---- printing
    "printoptions_precision": lambda L: _printed(L, dict(precision=2), L.tensor([1.12345, 2.]),
                                                 L.tensor([[0.333333]], requires_grad=True)),
    "printoptions_threshold_edgeitems": lambda L: _printed(L, dict(threshold=5, edgeitems=2), L.arange(10),
                                                           L.arange(12.).reshape(4, 3)),
    "printoptions_sci_mode": lambda L: (_printed(L, dict(sci_mode=True), L.tensor([1.5, 2.])),
                                        _printed(L, dict(sci_mode=False), L.tensor([1e-5, 1e5]))),
    "printoptions_linewidth": lambda L: _printed(L, dict(linewidth=30), L.arange(12.) / 7,
                                                 L.arange(6.).requires_grad_() * 2),
    "printoptions_profiles": lambda L: (_printed(L, dict(profile="short"), L.tensor([1.12345] * 7)),
                                        _printed(L, dict(profile="full"), L.arange(1200).shape),
                                        _printed(L, dict(edgeitems=0, threshold=3), L.arange(5))),
    "printoptions_back_to_default": lambda L: (_printed(L, dict(precision=1), L.ones(1)), repr(L.tensor([1.12345]))),
    # ---- the everyday API
    "set_default_device": lambda L: (L.set_default_device("cpu"), L.ones(1), L.set_default_device(None)),
    "randperm": lambda L: (L.randperm(5).dtype, sorted(L.randperm(6).tolist()), L.randperm(0), L.randperm(3).shape,
                           L.randperm(4, dtype=L.float32).dtype),
    "randperm_negative": lambda L: L.randperm(-1),
    "dataset": lambda L: (lambda ds: (len(ds), ds[1], ds[-1]))(
        L.utils.data.TensorDataset(L.arange(6.).reshape(3, 2), L.arange(3))),
    "dataset_size_mismatch": lambda L: L.utils.data.TensorDataset(L.ones(3), L.ones(2)),
    "dataloader_batches": lambda L: _loader(L, batch_size=2),
    "dataloader_drop_last": lambda L: _loader(L, batch_size=2, drop_last=True),
    "dataloader_default_batch": lambda L: _loader(L),
    "dataloader_unbatched": lambda L: _loader(L, batch_size=None),
    "dataloader_bad_batch": lambda L: _loader(L, batch_size=0),
    "dataloader_keeps_the_graph": lambda L: next(iter(L.utils.data.DataLoader(
        L.utils.data.TensorDataset(L.ones(3, 2, requires_grad=True) * 2), batch_size=2))),
    "collate_numbers_tuples_dicts": lambda L: (
        list(L.utils.data.DataLoader([(1, 2.0)] * 3, batch_size=2)),
        list(L.utils.data.DataLoader([{"a": 1, "b": [1., 2.]}] * 2, batch_size=2)),
        list(L.utils.data.DataLoader([np.ones(2, np.float32)] * 2, batch_size=2)),
        list(L.utils.data.DataLoader(L.arange(5.), batch_size=2)),
        list(L.utils.data.DataLoader(["a", "b", "c"], batch_size=2))),
    "dataloader_attributes": lambda L: (lambda ds: (L.utils.data.DataLoader(ds).dataset is ds,
                                                    L.utils.data.DataLoader(ds, batch_size=3).batch_size,
                                                    type(L.utils.data.DataLoader(ds, shuffle=True).sampler).__name__,
                                                    len(L.utils.data.DataLoader(ds, batch_size=2, shuffle=True))))(
        L.utils.data.TensorDataset(L.ones(5))),
    "random_split": lambda L: (lambda ds: (
        [(type(p).__name__, len(p), p.dataset is ds, type(p.indices).__name__) for p in L.utils.data.random_split(ds, [7, 3])],
        [len(p) for p in L.utils.data.random_split(ds, [0.5, 0.3, 0.2])],
        [len(p) for p in L.utils.data.random_split(range(10), [0.33, 0.33, 0.34])],
        sorted(sum((p.indices for p in L.utils.data.random_split(ds, [4, 6])), [])),
        L.utils.data.Subset(ds, [1, 3])[1], len(L.utils.data.random_split(ds, [0.99, 0.01, 0.0])[2])))(
        L.utils.data.TensorDataset(L.arange(10.))),
    "random_split_bad_lengths": lambda L: L.utils.data.random_split(range(10), [5, 4]),
    "custom_dataset": lambda L: list(L.utils.data.DataLoader(
        type("D", (L.utils.data.Dataset,), {"__len__": lambda self: 3,
                                            "__getitem__": lambda self, i: (L.tensor(float(i)), i)})(), batch_size=2)),
    "inplace_twins": _inplace_twins,
    "inplace_twins_grad": lambda L: _grad_after(
        L, lambda x: (lambda y: (y.sin_(), y.sigmoid_(), y)[-1])(x * 1), [0.5, -1.]),
    "inplace_twin_grads_2": lambda L: (
        _grad_after(L, lambda x: (lambda y: (y.relu_(), y.mul_(3), y.square_(), y)[-1])(x * 1), [0.5, -1., 2.]),
        _grad_after(L, lambda x: L.tanh_(x * 2), [0.3, -0.2]),
        _grad_after(L, lambda x: (x * 1).clamp_(min=-0.5), [0.3, -1.2])),
    "inplace_twin_on_a_leaf": lambda L: L.sin_(L.tensor([1.], requires_grad=True)),
    "inplace_twin_without_grad": lambda L: (lambda t: (L.sin_(t), t.abs_(), t))(L.tensor([0.5, -2.])),
    "expand_as": lambda L: (L.tensor([1., 0.]).expand_as(L.ones(3, 2)),
                            (L.tensor([[1.], [2.]], requires_grad=True) * 1).expand_as(L.ones(2, 3))),
    "all_any": lambda L: (lambda a: (a.all(), (a > 1).all(), (a > 1).any(dim=0), L.all(a > 0), L.any(a > 3),
                                     (a > 1).any(1, keepdim=True), (a > 2).all(dim=-1), L.tensor([]).all()))(
        L.tensor([[1., 2.], [3., 4.]], requires_grad=True)),
    "all_bad_dim": lambda L: L.tensor([1., 0.]).all(1),
    "eq_and_friends": lambda L: (lambda a, b: (L.eq(a, 1.), a.eq(b), a.ne(b), L.gt(a, 2), a.le(b), L.lt(b, a),
                                               L.ge(a, 3)))(L.tensor([[1., 2.], [3., 4.]]), L.tensor([1., 0.])),
    "allclose": lambda L: (lambda a: (L.allclose(a, a + 1e-9), L.allclose(a, L.tensor([1., 0.])),
                                      a.allclose(a + 0.05, atol=0.1), L.allclose(a, a * (1 + 1e-6)),
                                      L.allclose(L.tensor([float("nan")]), L.tensor([float("nan")]), equal_nan=True)))(
        L.tensor([[1., 2.], [3., 4.]])),
    "allclose_dtypes": lambda L: L.allclose(L.tensor([1.]), L.tensor([1])),
    "isin": lambda L: (L.isin(L.tensor([1, 2, 3]), L.tensor([2, 5])), L.isin(L.tensor([[1., 2.]]), 2.),
                       L.isin(L.tensor([1, 2, 3]), L.tensor([2, 5]), invert=True)),
    "var_mean": lambda L: (lambda a: (L.var_mean(a), L.var_mean(a, dim=0), L.var_mean(a, 1, keepdim=True),
                                      L.var_mean(a, unbiased=False), L.var_mean(a, correction=0), a.var(),
                                      L.var(a, 0), a.var(1, keepdim=True)))(
        L.tensor([[1., 2.], [3., 5.]], requires_grad=True)),
    "var_mean_grad": lambda L: _grad_after(L, lambda a: (lambda v, m: v * 3 + m)(*L.var_mean(a, dim=0)),
                                           [[1., 2.], [3., 5.], [0., -1.]]),
    "var_second_derivative": lambda L: (lambda a: L.autograd.grad(
        L.autograd.grad(a.var(1).sum(), a, create_graph=True)[0].pow(2).sum(), a))(
        L.tensor([[1., 2., 4.], [3., 5., 0.]], requires_grad=True)),
    "L1Loss": lambda L: (lambda a: (L.nn.L1Loss(), L.nn.L1Loss()(a, L.zeros(2, 2)),
                                    L.nn.functional.l1_loss(a, L.zeros(2, 2), reduction="sum"),
                                    L.nn.L1Loss(reduction="none")(a, L.ones(2, 2)),
                                    _grad_after(L, lambda x: L.nn.L1Loss()(x, L.ones(3)), [0., 2., 1.5])))(
        L.tensor([[1., -2.], [3., 4.]], requires_grad=True)),
    "L1Loss_broadcast_warns": lambda L: L.nn.functional.l1_loss(L.ones(2, 2, requires_grad=True), L.zeros(2)),
    "grad_of_parameters_generator": lambda L: (lambda lin: L.autograd.grad(
        (lin(L.ones(3, 2)) ** 2).sum(), lin.parameters()))(_linear(L)),
    "grad_of_a_generator_of_outputs": lambda L: (lambda w: L.autograd.grad((o for o in [(w * 3).sum()]), [w]))(
        L.tensor([1., 2.], requires_grad=True)),
    "grad_inputs_not_tensors": lambda L: L.autograd.grad(L.tensor(1., requires_grad=True) * 2, [1.0]),
    "grad_inputs_not_iterable": lambda L: L.autograd.grad(L.tensor(1., requires_grad=True) * 2, 1.0),
    # ---- the small things
    "type_of_a_node": lambda L: (lambda y: (type(y.grad_fn), type(y.grad_fn.next_functions[0][0]), type(y)))(
        L.tensor([1.], requires_grad=True) * 2),
    "grad_mode_objects": lambda L: (type(L.no_grad()), L.set_grad_enabled(True), type(L.enable_grad()),
                                    type(L.inference_mode()), str(L.no_grad()).split(" at ")[0]),
    # ---- checks torch makes
    "post_accumulate_hook_returning_a_tensor": lambda L: _post_accumulate_hook_returning(L, lambda L, t: t * 2),
    "post_accumulate_hook_returning_a_number": lambda L: _post_accumulate_hook_returning(L, lambda L, t: 5),
    "post_accumulate_hook_returning_its_tensor": lambda L: _post_accumulate_hook_returning(
        L, lambda L, t: t.sub_(t.grad)),
    "pack_hook_modifying_a_leaf": lambda L: _pack_hook_modifying_its_input(L, lambda a: a),
    "pack_hook_modifying_a_result": lambda L: _pack_hook_modifying_its_input(L, lambda a: a * 1),
    "call_a_node": _call_a_node,
    "expand_errors": lambda L: [_error(lambda: L.ones(*s).expand(*t)) for s, t in
                                (((3,), (2,)), ((3, 1), (3, 2, 4)), ((2, 3), (4,)), ((2, 1), (-1, 5)), ((2,), (3, -1)))],
    "gradcheck": _Gradcheck.run,
    "own_grad": lambda L: (lambda x: _set(x, "grad", x))(L.ones(2, requires_grad=True)),
    "data_set_to_ints": lambda L: _set(L.tensor([1., 2.], requires_grad=True), "data", L.tensor([1, 2])),
    "data_set_to_another_shape_and_dtype": lambda L: (lambda a: (_set(a, "data", L.tensor([3., 4., 5.],
                                                                                        dtype=L.float64)), a))(
        L.tensor([1., 2.], requires_grad=True)),
    "numpy_requires_grad": lambda L: L.tensor([1., 2.], requires_grad=True).numpy(),
    "numpy_in_no_grad": _numpy_in_no_grad,
    "del_grad": _del_grad,
    "deepcopy": _deepcopy,
    "deepcopy_non_leaf": lambda L: copy.deepcopy(L.tensor([1.], requires_grad=True) * 2),
    "copy_copy": lambda L: copy.copy(L.tensor([1., 2.])),
    "out_argument": _out,
    "out_argument_more": lambda L: (L.sum(L.tensor([1., 2.]), 0, out=L.empty(())),
                                    L.matmul(L.ones(2, 2), L.ones(2), out=L.empty(2)),
                                    L.mul(L.tensor([1, 2]), 3, out=L.empty(2, dtype=L.long))),
    "out_argument_with_grad": lambda L: L.add(L.tensor([1., 2.], requires_grad=True), 1, out=L.empty(2)),
    "out_argument_with_grad_mul": lambda L: L.mul(L.tensor([1., 2.], requires_grad=True), 2, out=L.empty(2)),
    "out_argument_in_no_grad": lambda L: (lambda a, o: (L.no_grad().__enter__(), L.add(a, 1, out=o),
                                                        L.set_grad_enabled(True), o))(
        L.tensor([1., 2.], requires_grad=True), L.empty(2)),
    "small_dtypes": lambda L: tuple((L.tensor([1, 2], dtype=d), L.tensor([], dtype=d), L.tensor([1, 2], dtype=d).type(),
                                     d.is_floating_point, L.tensor([1., 2.]).to(d), L.zeros(2, dtype=d))
                                    for d in (L.int8, L.int16, L.int32, L.uint8, L.float16)),
    "small_dtypes_arithmetic": lambda L: (L.tensor([1.5, 2.25], dtype=L.float16) * 3,
                                          L.tensor([100, 1], dtype=L.int8) * 2,
                                          L.tensor([1, 2], dtype=L.uint8) + L.tensor([1, 2], dtype=L.int8),
                                          L.tensor([1, 2], dtype=L.int32) / 2, L.tensor([1, 2], dtype=L.int32) * 2.5,
                                          L.tensor([1.], dtype=L.float16, requires_grad=True),
                                          L.half, L.int, L.short, L.uint8, L.int8),
    "small_dtypes_from_numpy": lambda L: (L.from_numpy(np.arange(3, dtype=np.int32)),
                                          L.tensor(np.ones(2, dtype=np.uint8)), L.tensor(np.ones(2, np.float16))),
    "small_dtype_methods": lambda L: (lambda t: (t.int(), t.half(), t.short(), t.char(), t.byte(),
                                                 (t * 2).int(), t.half().requires_grad))(
        L.tensor([1.7, -2.], requires_grad=True)),
    "ReLU_inplace": lambda L: (lambda x: (L.nn.ReLU(inplace=True), L.nn.ReLU(), L.nn.ReLU(True)(x), x,
                                          L.nn.Sequential(L.nn.Linear(1, 1), L.nn.ReLU(inplace=True))[1]))(
        L.tensor([-1., 2.], requires_grad=True) * 1),
    "small_dtype_requires_grad": lambda L: L.tensor([1, 2], dtype=L.int32, requires_grad=True),
}


def _error(f):
    try:
        return f().shape
    except RuntimeError as e:
        return str(e)


def _linear(L):
    lin = L.nn.Linear(2, 1)
    with L.no_grad():
        lin.weight[...] = L.tensor([[0.5, -1.]])
        lin.bias[...] = L.tensor([0.25])
    return lin


@pytest.mark.parametrize("name", CASES)
def test_same_as_torch(name):
    same(CASES[name])


def test_import_aliases_load_without_import_warning():
    """``import autograd_lab.nn as nn`` (and the others) then a relative import inside them: no ImportWarning
    (the alias used to leave the core module with a spec whose parent disagreed with its package)."""
    code = ("import warnings; warnings.simplefilter('error')\n"
            "import autograd_lab.nn as nn, autograd_lab.nn.functional as F\n"
            "from autograd_lab.utils.data import DataLoader, TensorDataset\n"
            "from autograd_lab.autograd import Variable\n"
            "import autograd_lab.autograd.profiler as profiler\n"
            "nn.Linear(2, 1).to('cpu')\n"
            "assert nn.__spec__.parent == nn.__package__, (nn.__spec__, nn.__package__)\n"
            "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


@pytest.mark.parametrize("line", ["float(w * 2)", "'%.2f' % (w * 2)"])
def test_float_of_a_tensor_requiring_grad_warns_once_as_torch(line):
    """PyTorch 2.13 warns at the first such conversion of the process only (TORCH_WARN_ONCE); int() never."""
    def run(lib):
        code = (f"import warnings, {lib} as L\nwarnings.simplefilter('always')\n"
                "w = L.tensor(2., requires_grad=True)\n"
                f"int(w); {line}; {line}; float(w)\n")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return [ln.split(": ", 1)[1] if ": " in ln else ln for ln in out.stderr.splitlines()]
    from tests.support.requirements import require_torch
    require_torch()
    ours, theirs = run("autograd_lab"), run("torch")
    assert ours == theirs and len([ln for ln in ours if "Converting a tensor" in ln]) == 1


def test_shuffle_draws_a_new_order_from_the_seeded_stream():
    data = lab.utils.data
    ds = data.TensorDataset(lab.arange(20))
    lab.manual_seed(5)
    first = [b[0].tolist() for b in data.DataLoader(ds, batch_size=7, shuffle=True)]
    second = [b[0].tolist() for b in data.DataLoader(ds, batch_size=7, shuffle=True)]
    lab.manual_seed(5)
    again = [b[0].tolist() for b in data.DataLoader(ds, batch_size=7, shuffle=True)]
    assert first == again and first != second
    assert [len(b) for b in first] == [7, 7, 6]
    assert sorted(sum(first, [])) == list(range(20))


def test_randperm_is_a_permutation_of_the_seeded_stream():
    lab.manual_seed(1)
    a = lab.randperm(50).tolist()
    lab.manual_seed(1)
    assert lab.randperm(50).tolist() == a != list(range(50))
    assert sorted(a) == list(range(50))


def test_profiler_runs_the_code_and_says_once_that_it_does_not_profile():
    from autograd_lab.core import autograd_profiler
    autograd_profiler._said = False
    w = lab.tensor([1., 2.], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with lab.autograd.profiler.profile() as prof:
            y = (w * 2).sum()
        with lab.autograd.profiler.profile():
            y.backward()
    assert [str(c.message) for c in caught] == [autograd_profiler.NOTE]
    assert "does not profile" in prof.key_averages().table() and w.grad.tolist() == [2., 2.]


def test_default_device_other_than_cpu_is_refused():
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        lab.set_default_device("cuda")
    assert lab.get_default_device() == lab.device("cpu")


def test_player_labels_keep_the_default_print_options():
    from autograd_lab.core._format import format_value
    lab.set_printoptions(precision=1)
    try:
        assert repr(lab.tensor([0.123])) == "tensor([0.1])"
        assert format_value(np.asarray([0.123])) == "[0.1230]"
    finally:
        lab.set_printoptions(profile="default")
