"""The snippets of the parity tests (``test_core_parity.py``), each a small program written
against ``lab``: run once with ``lab = autograd_lab`` and once with ``lab = torch``.

Kept apart from the test module so that other tests (``test_core_engine``'s check that numpy
stays quiet) can run them without importing torch.
"""
from __future__ import annotations

CLASSIC = """
w = lab.tensor(2.0, requires_grad=True)
x = lab.tensor(3.0)
b = lab.tensor(1.0, requires_grad=True)
y = w * x
z = y + b
"""

CASES = {
    # ------------------------------------------------------------------ the classic example
    "classic_forward": CLASSIC + "nf = z.grad_fn.next_functions\nnf2 = y.grad_fn.next_functions\n",
    "classic_backward": CLASSIC + "z.backward()\nwg = w.grad\nbg = b.grad\nxg = x.grad\n",
    "classic_attributes": CLASSIC + """
leaves = [t.is_leaf for t in (w, x, b, y, z)]
rg = [t.requires_grad for t in (w, x, b, y, z)]
fns = [t.grad_fn for t in (w, x, b)]
acc = z.grad_fn.next_functions[1][0]
acc_name = acc.name()
acc_var_is_b = acc.variable is b
acc_next = acc.next_functions
meta = z.grad_fn.metadata
""",
    "classic_accumulates_3_to_6": CLASSIC + """
z.backward()
first = w.grad.item()
y = w * x
z = y + b
z.backward()
wg, bg = w.grad, b.grad
""",
    "classic_backward_twice_fails": CLASSIC + "z.backward()\nz.backward()\n",
    "classic_retain_graph": CLASSIC + "z.backward(retain_graph=True)\nz.backward()\nwg = w.grad\n",
    "classic_nonleaf_grad_warns": CLASSIC + "z.backward()\nyg = y.grad\n",
    "classic_zero": CLASSIC + "z.backward()\nw.grad.zero_()\nwg = w.grad\n",
    "classic_autograd_grad": CLASSIC + "gy, gw = lab.autograd.grad(z, [y, w])\nwg = w.grad\n",

    # ------------------------------------------------------------------ node names
    "name_add_mul_scalars": """
a = lab.tensor(2.0, requires_grad=True)
r = [a + 2, 2 + a, a * 2, 2 * a, a - 2, 2 - a, a / 2, 2 / a, a ** 2, 2 ** a, -a]
names = [t.grad_fn.name() for t in r]
""",
    "name_rsub": "a = lab.tensor(2.0, requires_grad=True)\nb = 2 - a\nnf = b.grad_fn.next_functions\nal = b.grad_fn._saved_alpha\n",
    "name_rdiv_reciprocal": """
a = lab.tensor(2.0, requires_grad=True)
b = 2 / a
inner = b.grad_fn.next_functions[0][0]
saved_other = b.grad_fn._saved_other
saved_self = b.grad_fn._saved_self
recip = inner._saved_result
b.backward()
g = a.grad
""",
    "name_rpow": "a = lab.tensor([1., 2.], requires_grad=True)\nb = 2 ** a\nb.sum().backward()\ng = a.grad\n",
    "name_tensor_ops": """
a = lab.tensor([[1., 2.], [3., 4.]], requires_grad=True)
v = lab.tensor([1., -2.], requires_grad=True)
r = [a.exp(), a.log(), a.tanh(), a.sigmoid(), a.relu(), a.sqrt(), a.pow(2), a ** v, a.sum(), a.sum(0),
     a.sum(dim=1, keepdim=True), a.mean(), a.mean(0), a.reshape(4), a.t(), a.T, a @ a, a @ v, v @ v, a / v,
     a - v, a.matmul(a)]
names = [t.grad_fn.name() for t in r]
graphs = [t.grad_fn for t in r]
""",
    "name_reshape_views": """
a = lab.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
r = [a.reshape(3, 2), a.reshape(-1), a.reshape((1, 6)), a.t().reshape(6), a.t().reshape(3, 2), a.T.reshape(3, 2),
     a.T.reshape(1, 3, 2), a.t().reshape(3, 1, 2), a.t().reshape(-1, 1), a.reshape(6).reshape(2, 3)]
graphs = [t.grad_fn for t in r]
s = sum(t.sum() for t in r)
s.backward()
g = a.grad
""",
    "name_inplace_nonleaf": """
a = lab.tensor([1., 2.], requires_grad=True)
b = a * 2
b += 1
c = a * 2
c -= a
d = a * 2
d *= a
graphs = [t.grad_fn for t in (b, c, d)]
(b + c + d).sum().backward()
g = a.grad
""",

    # ------------------------------------------------------------------ next_functions
    "next_functions_constants": """
a = lab.tensor(2.0, requires_grad=True)
c = lab.tensor(3.0)
r = [a + c, c + a, a * 3, 3 * a, a + a, c * a, a - c, c - a, a / c, c / a, c ** a, a ** c]
nfs = [t.grad_fn.next_functions for t in r]
""",
    "next_functions_value_used_twice": """
a = lab.tensor(2.0, requires_grad=True)
b = a + a
c = b + b
nf = c.grad_fn.next_functions
same = nf[0][0] is nf[1][0]
c.backward()
g = a.grad
""",
    "accumulate_grad_reused": """
w = lab.tensor(2.0, requires_grad=True)
same = (w * 1).grad_fn.next_functions[0][0] is (w * 2).grad_fn.next_functions[0][0]
""",

    # ------------------------------------------------------------------ reprs
    "repr_scalars": """
r = [lab.tensor(7.), lab.tensor(0.5), lab.tensor(-0.0), lab.tensor(1e-5), lab.tensor(123456789.),
     lab.tensor(3.14159, dtype=lab.float64), lab.tensor(5), lab.tensor(True), lab.tensor(float('nan')),
     lab.tensor(float('-inf')), lab.tensor(2., requires_grad=True)]
""",
    "repr_vectors": """
r = [lab.tensor([0.5, 1.0]), lab.tensor([1., 2.]), lab.tensor([1, 2, -300]), lab.tensor([True, False]),
     lab.tensor([1e10, 1., float('nan'), float('inf'), -float('inf')]), lab.tensor([1e-10, 1., 0.]),
     lab.tensor([1e8, 1., 0.]), lab.tensor([1e9, 1., 0.]), lab.tensor([float('nan'), float('inf')]),
     lab.tensor([123456.789, 0.001]), lab.tensor([-0.0, 1.0]), lab.tensor([0.1, 0.25], dtype=lab.float64)]
""",
    "repr_empty": """
r = [lab.tensor([]), lab.zeros(2, 0), lab.zeros(0), lab.zeros(2, 0, requires_grad=True),
     lab.tensor([], dtype=lab.float64), lab.tensor([1, 2])[:0]]
""",
    "repr_2d": """
a = lab.tensor([[1.5, 2.], [3., 4.]], requires_grad=True)
b = a * 2
c = lab.tensor([[1.5e-5, 2.], [3., 4e6]], dtype=lab.float64, requires_grad=True) * 2
d = lab.tensor([[1, 2], [3, 4]])
e = lab.tensor(np.arange(8.).reshape(2, 2, 2), requires_grad=True) * 1.1
f = lab.tensor(np.arange(16.).reshape(2, 2, 2, 2), dtype=lab.float64, requires_grad=True)
""",
    "repr_long_lines": """
a = lab.ones(40, requires_grad=True) * 1.5
b = lab.ones(40, dtype=lab.float64, requires_grad=True) * 1.5
c = lab.tensor(np.arange(30.).reshape(3, 10)) * 1.123456 + 1000
d = lab.tensor(np.arange(30.).reshape(3, 10), requires_grad=True) * 1.123456 + 1000
e = lab.tensor(np.arange(9.).reshape(1, 9), requires_grad=True) * 1.123456 + 100000
f = lab.tensor(np.arange(11.), dtype=lab.float64, requires_grad=True) * 1.123456 + 100
""",
    "repr_large_summarised": """
a = lab.ones(2000, requires_grad=True) * 1.5
b = lab.tensor(np.arange(2000.).reshape(40, 50)) * 1.5
c = lab.tensor(np.arange(2000.).reshape(4, 5, 100)) * 1.5
d = lab.tensor(np.arange(1001))
e = lab.tensor(np.linspace(-1e4, 1e-3, 1500), requires_grad=True) * 1
""",
    "repr_size_dtype": """
r = [lab.tensor(2.0).shape, lab.zeros(2, 3).shape, lab.zeros(2, 3).dtype, lab.zeros(2, dtype=lab.float64).dtype,
     lab.tensor([1]).dtype, lab.float32, lab.float64, lab.tensor([True]).dtype, lab.zeros(3, 4).size(),
     lab.zeros(3, 4).size(1), lab.zeros(3, 4).ndim, lab.zeros(3, 4).shape[0], lab.Size([2, 3])]
""",
    "repr_nodes": CLASSIC + "r = [repr(z.grad_fn), repr(y.grad_fn), str(z.grad_fn.next_functions)]\n",
    "conversions": """
a = lab.tensor([[1., 2.], [3., 4.]]).tolist()
b = lab.tensor(2.5).item()
c = lab.tensor([2]).item()
d = lab.tensor([[2.]]).numpy()
e = lab.tensor([1, 2]).numpy()
f = lab.tensor(2.5, requires_grad=True).detach().numpy()
g = float(lab.tensor(2.5))
h = lab.tensor([1., 2.], dtype=lab.float64).numpy()
""",

    # ------------------------------------------------------------------ factories and dtypes
    "factories": """
a = lab.zeros(2, 3, requires_grad=True)
b = lab.ones(2)
c = lab.zeros_like(a)
d = lab.ones_like(a)
e = lab.zeros((2, 2))
f = lab.ones([3])
g = lab.zeros_like(lab.tensor([1, 2]))
h = lab.ones_like(lab.tensor([1.], dtype=lab.float64))
i = lab.zeros(2, 3, dtype=lab.float64, requires_grad=True)
j = lab.zeros(())
""",
    "tensor_from_numpy_keeps_float64": """
a = lab.tensor(np.array([1., 2.]))
b = lab.tensor(np.array(1.5))
c = lab.tensor(np.float64(1.5))
d = lab.tensor(np.float32(1.5))
e = lab.tensor(np.array([1., 2.], dtype=np.float32))
f = lab.tensor([np.float64(1.5), 2.0])
g = lab.tensor(np.array([1, 2]))
h = lab.tensor([1.5, 2])
i = lab.tensor(np.array([1., 2.]), dtype=lab.float32)
""",
    "dtype_promotion": """
r = [lab.tensor([1, 2]) + 1.5, lab.tensor([1, 2]) * lab.tensor(1.5, dtype=lab.float64),
     lab.tensor([1., 2.]) * lab.tensor(1.5, dtype=lab.float64), lab.tensor([1., 2.], dtype=lab.float64) * lab.tensor(1.5),
     lab.tensor([1, 2]) / 2, lab.tensor([1, 2]) * 2.0, lab.tensor([1, 2]) * 2, lab.tensor([1, 2]) ** 2,
     lab.tensor([1, 2]) ** 0.5, 2 ** lab.tensor([1, 2]), 2.0 ** lab.tensor([1, 2]),
     lab.tensor([1, 2]) + lab.tensor([1., 2.], dtype=lab.float64), lab.tensor([1, 2]) + lab.tensor(1., dtype=lab.float64),
     lab.tensor(1) + lab.tensor(1., dtype=lab.float64), lab.tensor(1.) + lab.tensor(1., dtype=lab.float64),
     lab.tensor([1., 2.], dtype=lab.float64) + 1.5, lab.tensor([1, 2]) / lab.tensor([2, 4]), lab.tensor(3) / 2,
     lab.tensor(True) + 1, lab.tensor([True]) * 2.5, lab.tensor([True, False]) + lab.tensor([True, True]),
     lab.tensor([1, 2]).sum(), lab.tensor([True, True]).sum(), lab.tensor([1, 2]) - 1, 1 - lab.tensor([1, 2]),
     lab.tensor([1, 2]).exp(), lab.tensor([1, 2]).sqrt(), lab.tensor([1, 2]).relu(), lab.tensor([1, 2]).sigmoid(),
     -lab.tensor([1, 2]), lab.tensor([1, 2]).tanh(), lab.tensor([1, 4]).log(), lab.tensor([1, 2]).reshape(2, 1),
     lab.tensor([[1, 2]]).t(), lab.tensor([1., 2.], dtype=lab.float64).sum(), lab.tensor([1., 2.], dtype=lab.float64).mean()]
""",
    "dtype_float64_grads": """
a = lab.tensor([1., 2.], dtype=lab.float64, requires_grad=True)
b = lab.tensor([3., 4.], requires_grad=True)
c = (a * b).sum()
c.backward()
ga, gb = a.grad, b.grad
d = lab.tensor(2.5, requires_grad=True, dtype=lab.float64)
e = d * lab.tensor([1., 2.], requires_grad=True)
""",
    "tensor_copy_construct_warns": "a = lab.tensor([1., 2.], requires_grad=True)\nb = lab.tensor(a)\nc = lab.tensor(a * 2, dtype=lab.float64)\n",
    "dtype_int_to_float_arg": "a = lab.tensor([1, 2], dtype=lab.float64)\nb = lab.tensor([1.5], dtype=lab.int64)\n",

    # ------------------------------------------------------------------ broadcasting
    "broadcast_backward": """
a = lab.ones(2, 1, requires_grad=True)
b = lab.tensor([1., 2., 3.], requires_grad=True)
r = [a + b, a - b, a * b, a / b, b - a, a ** b]
s = sum(t.sum() for t in r)
s.backward()
ga, gb = a.grad, b.grad
""",
    "broadcast_scalar_tensor": """
a = lab.tensor(2., requires_grad=True)
b = lab.tensor([[1., 2.], [3., 4.]], requires_grad=True)
c = (a * b + a - b / a).sum()
c.backward()
ga, gb = a.grad, b.grad
""",
    "broadcast_error_1d": "a = lab.tensor([1., 2.], requires_grad=True)\nc = a + lab.tensor([1., 2., 3.])\n",
    "broadcast_error_2d": "a = lab.ones(2, 3, requires_grad=True)\nc = a * lab.ones(4, 3)\n",
    "broadcast_error_3d": "a = lab.ones(2, 3, 4, requires_grad=True)\nc = a - lab.ones(5, 4)\n",
    "broadcast_error_trailing": "a = lab.tensor([[1., 2.], [3., 4.]])\nc = a / lab.tensor([1., 2., 3.])\n",
    "broadcast_error_pow": "a = lab.ones(2, requires_grad=True)\nc = a ** lab.ones(3)\n",
    "broadcast_error_inplace": "a = lab.ones(2)\na += lab.ones(3)\n",
    "broadcast_error_inplace_shape": "a = lab.ones(2)\na += lab.ones(2, 2)\n",

    # ------------------------------------------------------------------ reductions and shapes
    "reductions": """
a = lab.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
r = [a.sum(), a.sum(0), a.sum(1), a.sum(-1), a.sum(0, keepdim=True), a.sum((0, 1)), a.sum(dim=1),
     a.mean(), a.mean(0), a.mean(1, keepdim=True), a.mean(dim=-1)]
s = sum((t * (i + 1)).sum() for i, t in enumerate(r))
s.backward()
g = a.grad
saved = [a.sum(1).grad_fn._saved_dim, a.sum(1).grad_fn._saved_keepdim, a.sum().grad_fn._saved_self_sym_sizes,
         a.mean().grad_fn._saved_self_sym_numel, a.mean(1).grad_fn._saved_dim]
""",
    "reductions_0d": "a = lab.tensor(2., requires_grad=True)\nb = a.sum(0)\nc = a.mean(0)\nd = a.sum(-1)\n(b + c + d).backward()\ng = a.grad\n",
    "reduction_dim_error": "a = lab.ones(2, 3)\nb = a.sum(2)\n",
    "reduction_dim_error_neg": "a = lab.ones(2, 3)\nb = a.mean(-3)\n",
    "mean_of_int_error": "a = lab.tensor([1, 2]).mean()\n",
    "reshape_errors": "a = lab.ones(2, 3).reshape(4)\n",
    "reshape_two_inferred": "a = lab.ones(2, 3).reshape(-1, -1)\n",
    "reshape_negative_size": "a = lab.ones(2, 3).reshape(-2, 3)\n",
    "reshape_zero_size": "a = lab.ones(2, 3).reshape(-1, 0)\n",
    "reshape_empty": "a = lab.zeros(0, 3).reshape(3, 0)\nb = lab.zeros(0, 3).reshape(-1, 3, 0)\n",
    "transpose_shapes": """
a = lab.tensor([1., 2.], requires_grad=True)
b = a.t()
c = a.reshape(2, 1).t()
d = lab.tensor(1., requires_grad=True).t()
m = lab.ones(2, 3, requires_grad=True)
e = m.T
f = m.t()
saved = e.grad_fn._saved_dims
(b.sum() + c.sum() + d + (e * f.t().t().T).sum()).backward()
ga, gm = a.grad, m.grad
""",
    "t_of_3d_error": "a = lab.ones(2, 2, 2).t()\n",

    # indexing is outside the list; what the core offers is still PyTorch's
    "indexing": """
a = lab.tensor(np.arange(12.).reshape(3, 4), requires_grad=True)
r = [a[1:], a[:, 1:3], a[-2:], a[::2], a[0:10], a[1, 1], a[1], a[:, -1], a[:, :], a[..., 0], a[:], a[-1, 1:]]
saved = [[getattr(t.grad_fn, x) for x in dir(t.grad_fn) if x.startswith('_saved')] for t in r]
s = sum((t * (i + 1)).sum() for i, t in enumerate(r))
s.backward()
g = a.grad
""",
    "indexing_plain_tensors": "a = lab.tensor([1, 2, 3])\nb = a[1:]\nc = a[0]\nd = lab.tensor([[True, False]])[0]\ne = lab.ones(2, 2)[1]\n",
    "indexing_iteration_values": """
a = lab.tensor([[1., 2.], [3., 4.]], requires_grad=True)
rows = [r for r in a]
s = (rows[0] * rows[1]).sum()
s.backward()
g = a.grad
values = [r.detach() for r in rows]
del rows, s  # PyTorch iterates with unbind (UnbindBackward0), autograd_lab with SelectBackward0
""",
    "indexing_error_bounds": "a = lab.ones(3, 4)\nb = a[5]\n",
    "indexing_error_bounds_dim1": "a = lab.ones(3, 4)\nb = a[:, 7]\n",
    "indexing_error_too_many": "a = lab.ones(3, 4)\nb = a[1, 2, 3]\n",
    "indexing_error_0d": "a = lab.tensor(1.)\nb = a[0]\n",
    "indexing_error_negative_step": "a = lab.ones(3, 4)\nb = a[::-1]\n",
    "iteration_error_0d": "a = [t for t in lab.tensor(1.)]\n",

    # ------------------------------------------------------------------ matmul
    "matmul_kinds": """
m = lab.tensor([[1., 2.], [3., 4.], [5., 6.]], requires_grad=True)
n = lab.tensor([[1., 0., 2.], [0., 1., 3.]], requires_grad=True)
v = lab.tensor([1., -1.], requires_grad=True)
u = lab.tensor([2., 3.], requires_grad=True)
r = [m @ n, m @ v, v @ u, m.matmul(v), n @ m]
s = sum(t.sum() for t in r)
s.backward()
g = [m.grad, n.grad, v.grad, u.grad]
saved = [r[0].grad_fn._saved_self, r[0].grad_fn._saved_mat2, r[1].grad_fn._saved_self, r[1].grad_fn._saved_vec,
         r[2].grad_fn._saved_self, r[2].grad_fn._saved_tensor]
""",
    "matmul_error_mm": "c = lab.ones(2, 3) @ lab.ones(2, 3)\n",
    "matmul_error_mv": "c = lab.ones(3, 4) @ lab.ones(3)\n",
    "matmul_error_dot": "c = lab.ones(3) @ lab.ones(4)\n",
    "matmul_error_0d": "c = lab.tensor(2.) @ lab.ones(2)\n",
    "matmul_error_number": "c = lab.ones(3) @ 2\n",
    "matmul_error_dtypes_dot": "c = lab.tensor([1., 2.]) @ lab.tensor([1., 2.], dtype=lab.float64)\n",
    "matmul_error_dtypes_mm": "c = lab.ones(2, 3) @ lab.ones(3, 2, dtype=lab.float64)\n",
    "matmul_error_dtypes_mv": "c = lab.ones(2, 3) @ lab.ones(3, dtype=lab.float64)\n",
    "matmul_error_dtypes_mv_int": "c = lab.ones(2, 3, dtype=lab.float64) @ lab.tensor([1, 2, 3])\n",
    "matmul_error_dtypes_mm_int": "c = lab.ones(2, 3) @ lab.ones(3, 2).reshape(3, 2).sum(1).reshape(3, 1) @ lab.tensor([[1]])\n",
    "operand_list": "a = lab.ones(2) + [1, 2]\n",
    "operand_list_reflected": "a = [1, 2] * lab.ones(2)\n",
    "operand_string_sub": "a = 'x' - lab.ones(2)\n",
    "operand_string_pow": "a = lab.ones(2) ** 'x'\n",
    "operand_string_rpow": "a = 'x' ** lab.ones(2)\n",
    "operand_string_div": "a = 'x' / lab.ones(2)\n",
    "operand_none_inplace": "a = lab.ones(2)\na += None\n",
    "operand_method_list": "a = lab.ones(2).add([1, 2])\n",
    "operand_method_mul_": "a = lab.ones(2).mul_('x')\n",
    "operand_method_add_": "a = lab.ones(2).add_('x')\n",
    "operand_method_pow": "a = lab.ones(2).pow('x')\n",
    "operand_numpy_scalars": "a = lab.ones(2) * np.float32(2)\nb = np.float64(2) * lab.ones(2)\nc = lab.ones(2) + np.int64(3)\nd = lab.ones(2) ** np.float32(2)\n",
    "matmul_method_number": "c = lab.ones(2, 3).matmul(2)\n",
    "rmatmul_number": "c = 2 @ lab.ones(3)\n",

    # ------------------------------------------------------------------ errors
    "error_backward_no_grad_fn": "a = lab.tensor(2.0)\na.backward()\n",
    "error_backward_no_grad_fn_vector": "a = lab.tensor([2.0, 3.])\na.backward()\n",
    "error_backward_no_grad_fn_op": "a = lab.tensor(2.0)\nb = a * 2\nb.backward()\n",
    "error_implicit_grad_non_scalar": "a = lab.tensor([2.0, 3.], requires_grad=True)\nb = a * 3\nb.backward()\n",
    "error_gradient_shape": "a = lab.tensor([2.0, 1.], requires_grad=True)\nb = a * 3\nb.backward(lab.tensor([1., 2., 3.]))\n",
    "error_gradient_number": "x = lab.tensor(1., requires_grad=True)\ny = x * 2\ny.backward(2.0)\n",
    "error_gradient_string": "x = lab.tensor(1., requires_grad=True)\ny = x * 2\ny.backward('a')\n",
    "error_gradient_two": "x = lab.tensor(1., requires_grad=True)\ny = x * 2\ny.backward([lab.tensor(1.), lab.tensor(1.)])\n",
    "error_grad_outputs_number": "x = lab.tensor(1., requires_grad=True)\ny = x * 2\ng = lab.autograd.grad(y, x, grad_outputs=2.0)\n",
    "error_gradient_empty_list": "x = lab.tensor(1., requires_grad=True)\ny = x * 2\ny.backward([])\n",
    "gradient_in_a_list": "x = lab.tensor([1., 2.], requires_grad=True)\ny = x * 2\ny.backward([lab.tensor([1., 3.])])\ng = x.grad\n",
    "gradient_argument": "a = lab.tensor([2.0, 1.], requires_grad=True)\nb = a * 3\nb.backward(lab.tensor([1., 2.]))\ng = a.grad\n",
    "error_inplace_leaf_add": "a = lab.tensor([2.0, 3.], requires_grad=True)\na += 1\n",
    "error_inplace_leaf_mul": "a = lab.tensor([2.0, 3.], requires_grad=True)\na *= 2\n",
    "error_inplace_leaf_sub": "a = lab.tensor([2.0, 3.], requires_grad=True)\na -= lab.tensor([1., 1.])\n",
    "error_inplace_leaf_zero": "a = lab.tensor([2.0, 3.], requires_grad=True)\na.zero_()\n",
    "error_numpy_requires_grad": "a = lab.tensor([2.0, 3.], requires_grad=True)\na.numpy()\n",
    "error_numpy_nonleaf": "a = lab.tensor([2.0, 3.], requires_grad=True)\n(a * 2).numpy()\n",
    "error_item_many": "a = lab.tensor([2.0, 3.], requires_grad=True)\na.item()\n",
    "error_item_empty": "a = lab.tensor([])\na.item()\n",
    "error_requires_grad_int": "a = lab.tensor([2, 3], requires_grad=True)\n",
    "error_requires_grad_int_set": "a = lab.tensor([2, 3])\na.requires_grad = True\n",
    "error_requires_grad_int_method": "a = lab.tensor([2, 3])\na.requires_grad_()\n",
    "error_requires_grad_nonleaf": "a = lab.tensor([2., 3.], requires_grad=True)\nb = a * 2\nb.requires_grad = False\n",
    "requires_grad_nonleaf_true_ok": "a = lab.tensor([2., 3.], requires_grad=True)\nb = a * 2\nb.requires_grad_()\nc = b.requires_grad\n",
    "requires_grad_leaf_toggle": """
a = lab.tensor([2., 3.])
a.requires_grad = True
b = a * 2
a.requires_grad_(False)
c = a * 2
d = a.requires_grad_()
""",
    "error_grad_unused": "w = lab.tensor(2., requires_grad=True)\nv = lab.tensor(2., requires_grad=True)\ny = (w * 2).sum()\ng = lab.autograd.grad(y, [w, v])\n",
    "error_grad_input_no_grad": "w = lab.tensor(2., requires_grad=True)\nv = lab.tensor(2.)\ny = (w * 2).sum()\ng = lab.autograd.grad(y, [w, v])\n",
    "error_grad_output_no_grad": "w = lab.tensor(2., requires_grad=True)\ny = lab.tensor(2.)\ng = lab.autograd.grad(y, w)\n",
    "error_grad_non_scalar": "w = lab.tensor([2.0, 1.], requires_grad=True)\nx = w * 3\ng = lab.autograd.grad(x, w)\n",
    "error_autograd_grad_twice": "w = lab.tensor(2.0, requires_grad=True)\nx = w * w\ng = lab.autograd.grad(x, w)\nh = lab.autograd.grad(x, w)\n",
    "error_grad_assign_shape": "a = lab.tensor(2., requires_grad=True)\na.grad = lab.tensor([5.])\n",
    "error_grad_assign_dtype": "a = lab.tensor(2., requires_grad=True)\na.grad = lab.tensor(5., dtype=lab.float64)\n",
    "grad_assign": "a = lab.tensor(2., requires_grad=True)\na.grad = lab.tensor(5.)\nb = a * 2\nb.backward()\ng = a.grad\n",
    "error_len_0d": "a = len(lab.tensor(2.))\n",
    "error_bool_many": "a = bool(lab.tensor([1., 2.]))\n",
    "error_retain_grad_no_grad": "a = lab.ones(3)\na.retain_grad()\n",
    "error_hook_no_grad": "a = lab.ones(3)\na.register_hook(lambda g: g)\n",
    "error_inplace_int_with_float": "a = lab.tensor([1, 2])\na += 1.5\n",
    "error_inplace_int_mul_float": "a = lab.tensor([1, 2])\na *= 1.5\n",
    "error_bool_minus_bool": "a = lab.tensor([True, False]) - lab.tensor([True, True])\n",
    "error_inplace_int_div": "a = lab.tensor([1, 2])\na /= 2\n",
    "error_inplace_int_add_float64_tensor": "a = lab.tensor([1, 2])\na += lab.tensor([1., 2.], dtype=lab.float64)\n",
    "error_inplace_bool_add_int": "a = lab.tensor([True, False])\na += 1\n",
    "inplace_int_ok": "a = lab.tensor([1, 2])\na += 2\na *= lab.tensor([3, 4])\na -= 1\nb = lab.tensor([1., 2.])\nb += lab.tensor([1, 2])\nb *= lab.tensor(2., dtype=lab.float64)\n",

    # ------------------------------------------------------------------ graph release
    "release_saved_after_backward": "a = lab.tensor(2.0, requires_grad=True)\nb = a * 3\nb.backward()\ns = b.grad_fn._saved_self\n",
    "release_saved_other_after_backward": "a = lab.tensor(2.0, requires_grad=True)\nb = a * 3\nb.backward()\ns = b.grad_fn._saved_other\n",
    "release_retain_graph_keeps": "a = lab.tensor(2.0, requires_grad=True)\nb = a * 3\nb.backward(retain_graph=True)\ns = b.grad_fn._saved_self\no = b.grad_fn._saved_other\n",
    "release_additions_backward_twice": "a = lab.tensor(2.0, requires_grad=True)\nb = a + 3\nc = b + a\nc.backward()\nc.backward()\ng = a.grad\n",
    "release_sum_mean_backward_twice": "a = lab.ones(3, requires_grad=True)\nb = (a.sum() + a.mean()) - a.reshape(3, 1).sum()\nb.backward()\nb.backward()\ng = a.grad\n",
    "release_scalars_survive": """
a = lab.tensor(2.0, requires_grad=True)
b = a ** 2
c = 2 ** a
d = a.sum(0)
(b + c + d).backward()
e = b.grad_fn._saved_exponent
f = c.grad_fn._saved_self
h = d.grad_fn._saved_dim
""",
    "release_pow_exponent_tensor": "a = lab.tensor(2.0, requires_grad=True)\nc = 2 ** a\nc.backward()\nf = c.grad_fn._saved_exponent\n",
    "release_by_autograd_grad": "a = lab.tensor(2.0, requires_grad=True)\nb = a.exp()\ng = lab.autograd.grad(b, a)\ns = b.grad_fn._saved_result\n",
    "release_partial_graph": """
a = lab.tensor(2.0, requires_grad=True)
b = a.exp()
c = b * 3
g = lab.autograd.grad(c, b)
s = b.grad_fn._saved_result
""",
    "release_unreached_branch_kept": """
a = lab.tensor(2.0, requires_grad=True)
b = a.exp()
c = a.tanh()
b.backward()
s = c.grad_fn._saved_result
""",
    "release_double_backward_message": "a = lab.tensor([1., 2.], requires_grad=True)\nb = (a * a).sum()\nb.backward()\nb.backward()\n",

    # ------------------------------------------------------------------ saved values
    "saved_values": """
a = lab.tensor(2.0, requires_grad=True)
c = lab.tensor(3.0, requires_grad=True)
m = a * 3
saved = [m.grad_fn._saved_self, m.grad_fn._saved_other, (a * 2.5).grad_fn._saved_other, (a / 2).grad_fn._saved_other,
         (a * c).grad_fn._saved_self, (a.exp()).grad_fn._saved_result, (a ** 3).grad_fn._saved_self,
         (a ** 3).grad_fn._saved_exponent, (a ** 2.5).grad_fn._saved_exponent, (2 ** a).grad_fn._saved_self,
         (2 ** a).grad_fn._saved_exponent, (2 ** a).grad_fn._saved_result, (a ** c).grad_fn._saved_self,
         (a ** c).grad_fn._saved_exponent, (a ** c).grad_fn._saved_result, a.sigmoid().grad_fn._saved_result,
         a.relu().grad_fn._saved_result, a.sqrt().grad_fn._saved_result, a.log().grad_fn._saved_self,
         a.tanh().grad_fn._saved_result, (a + 1).grad_fn._saved_alpha, (a - c).grad_fn._saved_alpha,
         (a / c).grad_fn._saved_self, (a / c).grad_fn._saved_other]
same = [(a * c).grad_fn._saved_self is a, (a * c).grad_fn._saved_other is c]
e = a.exp()
same_result = e.grad_fn._saved_result is e
""",
    "saved_none_when_not_needed": """
a = lab.tensor(2.0, requires_grad=True)
c = lab.tensor(3.0)
m = a * c
s = m.grad_fn._saved_self
o = m.grad_fn._saved_other
m.backward()
s2 = m.grad_fn._saved_self
""",
    "saved_missing_attribute": "a = lab.ones(3, requires_grad=True)\nc = a.exp()\nx = c.grad_fn._saved_self\n",
    "saved_attribute_names": """
a = lab.ones(2, 3, requires_grad=True)
c = lab.ones(2, 3, requires_grad=True)
v = lab.ones(3, requires_grad=True)
k = lab.ones(4, 3)
r = [a + c, a - c, 2 - a, a * c, a / c, -a, 1 / a, a ** 2, a ** c, 2 ** a, a.exp(), a.log(), a.tanh(), a.sigmoid(),
     a.relu(), a.sqrt(), a.sum(), a.sum(1), a.mean(), a.mean(1), a.reshape(6), a.t(), a.T, a @ c.t(), a @ v,
     a[0] @ c[0], a.t().reshape(6), a + 1, a * 2, k @ a.t(), a.t().reshape(3, 1, 2), a[1], a[:, 1:]]
names = [[x for x in dir(t.grad_fn) if x.startswith("_saved")] for t in r]
values = [[getattr(t.grad_fn, x) for x in dir(t.grad_fn) if x.startswith("_saved")] for t in r]
""",
    "saved_shapes": """
a = lab.ones(2, 3, requires_grad=True)
r = [a.reshape(3, 2).grad_fn._saved_self_sym_sizes, a.sum().grad_fn._saved_self_sym_sizes,
     a.mean(1).grad_fn._saved_self_sym_sizes, a.mean(1).grad_fn._saved_keepdim]
""",

    # ------------------------------------------------------------------ hooks
    "hooks_order": """
log = []
w = lab.tensor(2.0, requires_grad=True)
x = lab.tensor(3.0)
y = w * x
z = y + 1
h1 = w.register_hook(lambda g: log.append(('w', repr(g))))
h2 = y.register_hook(lambda g: log.append(('y', repr(g))))
y.retain_grad()
h3 = y.register_hook(lambda g: log.append(('y2', repr(g))) or g * 10)
p = z.grad_fn.register_prehook(lambda go: log.append(('pre z', repr(go))))
q = z.grad_fn.register_hook(lambda gi, go: log.append(('post z', repr(gi), repr(go))))
r = y.grad_fn.register_prehook(lambda go: log.append(('pre y', repr(go))))
s = y.grad_fn.register_hook(lambda gi, go: log.append(('post y', repr(gi), repr(go))))
acc = y.grad_fn.next_functions[0][0]
t = acc.register_prehook(lambda go: log.append(('pre acc', repr(go))))
u = acc.register_hook(lambda gi, go: log.append(('post acc', repr(gi), repr(go))))
z.backward()
yg = y.grad
wg = w.grad
""",
    "hook_replaces_gradient": "w = lab.tensor(2.0, requires_grad=True)\nh = w.register_hook(lambda g: g * 10)\ny = w * 3\ny.backward()\nd = w.grad\n",
    "hook_removed": "w = lab.tensor(2.0, requires_grad=True)\ny = w * 3\nh = y.register_hook(lambda g: g * 10)\nh.remove()\ny.backward()\nd = w.grad\n",
    "hook_then_retain_grad": "w = lab.tensor(2.0, requires_grad=True)\ny = w * 3\nh = y.register_hook(lambda g: g * 10)\ny.retain_grad()\n(y * 1).backward()\nc = y.grad\nd = w.grad\n",
    "retain_grad_then_hook": "w = lab.tensor(2.0, requires_grad=True)\ny = w * 3\ny.retain_grad()\nh = y.register_hook(lambda g: g * 10)\n(y * 1).backward()\nc = y.grad\nd = w.grad\n",
    "retain_grad_accumulates": """
w = lab.tensor(2.0, requires_grad=True)
y = w * 3
y.retain_grad()
(y * 1).backward(retain_graph=True)
a = y.grad.item()
(y * 2).backward()
c = y.grad
d = w.grad
""",
    "retain_grad_flags": """
a = lab.ones(3, requires_grad=True)
c = a * 2
r = [c.retains_grad, a.retains_grad]
c.retain_grad()
a.retain_grad()
r2 = [c.retains_grad, a.retains_grad]
""",
    "hook_prehook_replaces": "a = lab.ones(3, requires_grad=True)\nb = a * 2\nh = b.grad_fn.register_prehook(lambda g: (lab.ones(3) * 5,))\nb.sum().backward()\ng = a.grad\n",
    "hook_posthook_replaces": "a = lab.ones(3, requires_grad=True)\nb = a * 2\nh = b.grad_fn.register_hook(lambda gi, go: (gi[0] * 5, None))\nb.sum().backward()\ng = a.grad\n",
    "hook_acc_node_args": "a = lab.ones(3, requires_grad=True)\nb = a * 2\nlog = []\nh = b.grad_fn.next_functions[0][0].register_hook(lambda gi, go: log.append((gi, go)))\nb.sum().backward()\ng = a.grad\n",
    "hook_post_accumulate": "a = lab.ones(3, requires_grad=True)\nlog = []\nh = a.register_post_accumulate_grad_hook(lambda t: log.append(repr(t.grad)))\n(a * 2).sum().backward()\n",
    "hook_error_returns_number": "a = lab.ones(3, requires_grad=True)\nh = a.register_hook(lambda g: 5)\n(a * 2).sum().backward()\n",
    "hook_error_changes_size": "a = lab.ones(3, requires_grad=True)\nb = a * 2\nh = b.register_hook(lambda g: lab.ones(2))\nb.sum().backward()\n",
    "hook_error_leaf_changes_size": "a = lab.ones(3, requires_grad=True)\nh = a.register_hook(lambda g: lab.ones(2))\n(a * 2).sum().backward()\n",
    "hook_error_post_count": "a = lab.ones(3, requires_grad=True)\nb = a * 2\nh = b.grad_fn.register_hook(lambda gi, go: (gi[0] * 5,))\nb.sum().backward()\n",
    "hook_error_pre_count": "a = lab.ones(3, requires_grad=True)\nb = a * 2\nh = b.grad_fn.register_prehook(lambda go: (go[0], go[0]))\nb.sum().backward()\n",
    "hook_error_pre_type": "a = lab.ones(3, requires_grad=True)\nb = a * 2\nh = b.grad_fn.register_prehook(lambda go: 5)\nb.sum().backward()\n",
    "hook_error_post_type": "a = lab.ones(3, requires_grad=True)\nb = a * 2\nh = b.grad_fn.register_hook(lambda gi, go: 5)\nb.sum().backward()\n",
    "hook_error_pre_size": "a = lab.ones(2, requires_grad=True)\nb = a * 2\nh = b.grad_fn.register_prehook(lambda go: (lab.ones(3),))\nb.sum().backward()\n",
    "hook_error_post_size": "a = lab.ones(2, requires_grad=True)\nb = a * 2\nh = b.grad_fn.register_hook(lambda gi, go: (lab.ones(3), None))\nb.sum().backward()\n",
    "hook_error_dtype": "a = lab.ones(2, requires_grad=True)\nb = a * 2\nh = b.register_hook(lambda g: lab.ones(2, dtype=lab.float64))\nb.sum().backward()\n",
    "hook_error_post_list": "a = lab.ones(2, requires_grad=True)\nb = a * 2\nh = b.grad_fn.register_hook(lambda gi, go: [gi[0], None])\nb.sum().backward()\n",
    "hook_error_post_replaces_none": "a = lab.ones(2, requires_grad=True)\nb = a * lab.ones(2)\nh = b.grad_fn.register_hook(lambda gi, go: (gi[0], lab.ones(2)))\nb.sum().backward()\n",
    "hook_pre_returns_none_entry": "a = lab.ones(2, requires_grad=True)\nb = a * 2\nh = b.grad_fn.register_prehook(lambda go: (None,))\nb.sum().backward()\ng = a.grad\n",
    "hook_named_function": "def double(g):\n    return lab.ones(3)\na = lab.ones(2, requires_grad=True)\nh = a.register_hook(double)\n(a * 2).sum().backward()\n",
    "hook_post_drops_one_path": """
a = lab.tensor(2., requires_grad=True)
b = a * 2
c = a * 3
d = b + c
h = b.grad_fn.register_hook(lambda gi, go: (None, None))
d.backward()
g = a.grad
""",
    "hook_pre_drops_everything": """
a = lab.tensor(2., requires_grad=True)
b = a.exp() * 2
h = b.grad_fn.register_prehook(lambda go: (None,))
b.backward()
g = a.grad
s = b.grad_fn.next_functions[0][0]._saved_result
""",
    "hook_handle_context": "w = lab.tensor(2.0, requires_grad=True)\nwith w.register_hook(lambda g: g * 10):\n    (w * 3).backward()\n(w * 3).backward()\ng = w.grad\n",

    # ------------------------------------------------------------------ autograd.grad
    "autograd_grad_nonleaf": "w = lab.tensor(2.0, requires_grad=True)\ny = w * 3\nz = y * y\ng = lab.autograd.grad(z, y)\n",
    "autograd_grad_mixed": "w = lab.tensor(2.0, requires_grad=True)\ny = w * 3\nz = y * y\ng = lab.autograd.grad(z, [y, w], retain_graph=True)\nwg = w.grad\ng2 = lab.autograd.grad(z, w)\n",
    "autograd_grad_then_backward_fails": "w = lab.tensor(2.0, requires_grad=True)\ny = w * 3\nz = y * y\ng = lab.autograd.grad(z, [w])\nz.backward()\n",
    "autograd_grad_allow_unused": "w = lab.tensor(2.0, requires_grad=True)\nv = lab.tensor(2.0, requires_grad=True)\nx = w * 3\ng = lab.autograd.grad(x, [w, v], allow_unused=True)\n",
    "autograd_grad_materialize": "w = lab.tensor(2.0, requires_grad=True)\nv = lab.tensor(2.0, requires_grad=True)\nx = w * 3\ng = lab.autograd.grad(x, [w, v], allow_unused=True, materialize_grads=True)\n",
    "autograd_grad_outputs": "w = lab.tensor([2.0, 1.], requires_grad=True)\nx = w * 3\ng = lab.autograd.grad(x, w, grad_outputs=lab.tensor([2., -1.]))\n",
    "autograd_grad_several_outputs": "w = lab.tensor(2.0, requires_grad=True)\ng = lab.autograd.grad([w * 3, w * w], w)\n",
    "autograd_grad_retain_graph": "w = lab.tensor(2.0, requires_grad=True)\nx = w.exp()\ng1 = lab.autograd.grad(x, w, retain_graph=True)\ng2 = lab.autograd.grad(x, w)\n",
    "autograd_grad_hooks_run": "log = []\nw = lab.tensor(2.0, requires_grad=True)\ny = w * 3\nh = y.register_hook(lambda g: log.append(repr(g)))\ny.retain_grad()\ng = lab.autograd.grad(y * 2, w)\nyg = y.grad\n",
    "autograd_backward_function": "w = lab.tensor(2.0, requires_grad=True)\nlab.autograd.backward([w * 3, w * w])\ng = w.grad\n",

    # ------------------------------------------------------------------ create_graph
    # Higher-order graphs: second-order graphs are compared whole (PyTorch's formulas use
    # scalar ops such as MulBackward1, DivBackward1, SubBackward1, Unsqueeze/Squeeze); past the
    # second order only values (see test_core_engine.test_known_differences_from_pytorch).
    "create_graph_cube": """
top = lambda t: (t.grad_fn.name(), [(n.name() if n else None, i) for n, i in t.grad_fn.next_functions])
w = lab.tensor(2.0, requires_grad=True)
x = w ** 3
g, = lab.autograd.grad(x, w, create_graph=True)
g2, = lab.autograd.grad(g, w, create_graph=True)
g3, = lab.autograd.grad(g2, w)
out = [repr(g), repr(g2), repr(g3), top(g), top(g2), g3.grad_fn]
""",
    "create_graph_tanh": """
top = lambda t: (t.grad_fn.name(), [(n.name() if n else None, i) for n, i in t.grad_fn.next_functions])
w = lab.tensor([0.5, -1.], requires_grad=True)
x = w.tanh().sum()
g, = lab.autograd.grad(x, w, create_graph=True)
g2, = lab.autograd.grad(g.sum(), w, create_graph=True)
g3, = lab.autograd.grad(g2.sum(), w)
out = [repr(g), repr(g2), repr(g3), top(g), top(g2)]
del g2
graph = g.grad_fn
saved = [graph._saved_output, graph._saved_grad_output]
""",
    "create_graph_sigmoid_relu_exp": """
top = lambda t: (t.grad_fn.name(), [(n.name() if n else None, i) for n, i in t.grad_fn.next_functions])
w = lab.tensor([0.5, -1., 2.], requires_grad=True)
gs, = lab.autograd.grad(w.sigmoid().sum(), w, create_graph=True)
gr, = lab.autograd.grad(w.relu().sum(), w, create_graph=True)
ge, = lab.autograd.grad(w.exp().sum(), w, create_graph=True)
gl, = lab.autograd.grad(w.log().sum(), w, create_graph=True)
graphs = [gs.grad_fn, gr.grad_fn, ge.grad_fn, gl.grad_fn]
second = [lab.autograd.grad(t.sum(), w, allow_unused=True) for t in (gs, ge, gl)]
gr2 = lab.autograd.grad(gr.sum(), w)
""",
    "create_graph_backward": """
top = lambda t: (t.grad_fn.name(), [(n.name() if n else None, i) for n, i in t.grad_fn.next_functions])
w = lab.tensor(2.0, requires_grad=True)
x = w ** 3
x.backward(create_graph=True)
g = w.grad
first = [repr(g), top(g)]
g.backward()
g2 = w.grad
second = [repr(g2), top(g2), g2 is g]
""",
    "create_graph_backward_twice": """
top = lambda t: (t.grad_fn.name(), [(n.name() if n else None, i) for n, i in t.grad_fn.next_functions])
w = lab.tensor(2.0, requires_grad=True)
(w ** 3).backward(create_graph=True)
(w ** 3).backward(create_graph=True)
g = w.grad
out = [repr(g), top(g)]
""",
    "create_graph_linear_grad_is_plain": "w = lab.tensor(2.0, requires_grad=True)\n(w * 3).backward(create_graph=True)\ng = w.grad\n",
    "create_graph_ops": """
a = lab.tensor([[1., 2.], [3., 4.]], requires_grad=True, dtype=lab.float64)
v = lab.tensor([0.5, -1.5], requires_grad=True, dtype=lab.float64)
y = (((a @ v).sigmoid() * (a.exp() / (1 + a)).sum(0) + (a.T @ v) ** 2 - (2 ** v) / (a.sqrt() @ v)).mean()
     + (v @ v).log() + (a.relu() * a.tanh()).mean(1).sum() + (a ** v).sum() + (1 / a).sum() - (a - v).mean(0).sum())
ga, gv = lab.autograd.grad(y, [a, v], create_graph=True)
h = lab.autograd.grad(ga.sum() + (gv * gv).sum(), [a, v], create_graph=True)
third = [t.detach() for t in lab.autograd.grad(h[0].sum() + h[1].sum(), [a, v])]
h = [t.detach() for t in h]
""",
    "create_graph_sum_dims": """
x = lab.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
g, = lab.autograd.grad((x.sum(1) ** 3).sum() + (x.mean(0) ** 2).sum() + x.sum() ** 2, x, create_graph=True)
h, = lab.autograd.grad((g * g).sum(), x, create_graph=True)
""",

    # ------------------------------------------------------------------ grad mode and in-place
    "no_grad_and_enable_grad": """
a = lab.tensor([1., 2.], requires_grad=True)
with lab.no_grad():
    b = a * 2
    with lab.enable_grad():
        c = a * 2
        e1 = lab.is_grad_enabled()
    e2 = lab.is_grad_enabled()
e3 = lab.is_grad_enabled()
""",
    "no_grad_inplace_leaf": """
a = lab.tensor([1., 2.], requires_grad=True)
with lab.no_grad():
    a -= 1
    a *= 2
    a += lab.tensor([1., 1.])
""",
    "no_grad_decorator": "@lab.no_grad()\ndef f(t):\n    return t * 2\na = lab.tensor(1., requires_grad=True)\nb = f(a)\n",
    "inplace_plain_tensor": "a = lab.tensor([1., 2.])\nb = a\na += 1\na *= lab.tensor([2., 3.])\na -= 0.5\nsame = b is a\n",
    "detach": """
a = lab.ones(3, requires_grad=True)
b = a.detach()
c = [b.requires_grad, b.is_leaf, b.grad_fn]
d = a.detach().requires_grad_()
e = (a * 2).detach()
""",
    "zero_grad_and_zero_": """
w = lab.tensor(2.0, requires_grad=True)
b = lab.tensor(1.0, requires_grad=True)
x = lab.tensor(3.)
for i in range(2):
    z = w * x + b
    z.backward()
g1, g2 = w.grad.item(), b.grad.item()
w.grad.zero_()
g3 = w.grad
opt = lab.optim.SGD([w, b], lr=0.1)
opt.zero_grad()
g4, g5 = w.grad, b.grad
""",
    "zero_grad_keep": """
w = lab.tensor(2.0, requires_grad=True)
(w * 3).backward()
opt = lab.optim.SGD([w], lr=0.1)
opt.zero_grad(set_to_none=False)
g = w.grad
""",
    "sgd_training_loop": """
w = lab.tensor(0.5, requires_grad=True)
b = lab.tensor(0.0, requires_grad=True)
xs = lab.tensor([1., 2., 3., 4.])
ys = lab.tensor([3., 5., 7., 9.])
opt = lab.optim.SGD([w, b], lr=0.05)
losses = []
for i in range(30):
    opt.zero_grad()
    loss = ((w * xs + b - ys) ** 2).mean()
    loss.backward()
    opt.step()
    losses.append(loss.item())
""",
    "sgd_manual_update": """
w = lab.tensor([0.5, -0.5], requires_grad=True)
x = lab.tensor([[1., 2.], [3., 4.]])
for i in range(5):
    loss = (x @ w).tanh().sum()
    loss.backward()
    with lab.no_grad():
        w -= 0.1 * w.grad
    w.grad.zero_()
""",
    "grad_is_plain_tensor": "a = lab.tensor(2., requires_grad=True)\nb = a * 2\nb.backward()\nflags = [a.grad.requires_grad, a.grad.is_leaf, a.grad.grad_fn]\n",

    # ------------------------------------------------------------------ version counter (in-place after save)
    "version_result_changed_under_no_grad": """
x = lab.ones(2, requires_grad=True)
y = x.exp()
with lab.no_grad():
    y += 1
y.sum().backward()
""",
    "version_result_changed_under_no_grad_0d": """
x = lab.tensor(1., requires_grad=True)
y = x.exp()
with lab.no_grad():
    y += 1
y.sum().backward()
""",
    "version_input_changed_twice": """
x = lab.ones(2, requires_grad=True)
z = lab.ones(2)
y = x * z
z += 1
z += 1
y.sum().backward()
""",
    "version_result_changed_by_recorded_op": """
x = lab.ones(2, requires_grad=True)
y = (x * 1).exp()
y += 1
y.sum().backward()
""",
    "version_nonleaf_input_changed_by_recorded_op": """
x = lab.ones(2, requires_grad=True)
m = x * 1
y = m * m
m += 1
y.sum().backward()
""",
    "version_nonleaf_input_changed_by_recorded_op_0d": """
x = lab.tensor(1., requires_grad=True)
m = x * 1
y = m * m
m += 1
y.sum().backward()
""",
    "version_leaf_changed_by_sgd_like_update": """
w = lab.ones(2, requires_grad=True)
y = (w * w).sum()
with lab.no_grad():
    w -= 0.1
y.backward()
""",
    "version_data_has_its_own_version": """
w = lab.tensor(2., requires_grad=True)
y = w * w
w.data += 1
y.backward()
g = w.grad
""",
    "scalar_leaf_numpy_shares_memory": """
w = lab.tensor(2., requires_grad=True)
n = w.detach().numpy()
n += 1
v = w * 1
""",
    "scalar_leaf_data_change_seen_by_retained_graph": """
w = lab.tensor(2., requires_grad=True)
y = w * w
y.backward(retain_graph=True)
w.data.mul_(2)
y.backward()
g = w.grad
""",
    "version_detach_shares_the_version": """
w = lab.tensor(2., requires_grad=True)
y = w * w
w.detach().zero_()
y.backward()
""",
    "version_saved_attribute_read_after_change": """
x = lab.ones(2, requires_grad=True)
y = x.exp()
with lab.no_grad():
    y += 1
s = y.grad_fn._saved_result
""",
    "version_sgd_loop_is_fine": """
w = lab.tensor([1., 2.], requires_grad=True)
opt = lab.optim.SGD([w], lr=0.1)
for i in range(3):
    opt.zero_grad()
    loss = (w * w).sum()
    loss.backward()
    opt.step()
g = w.grad
""",
    "version_sgd_steps_then_old_graph": """
w = lab.tensor([1., 2.], requires_grad=True)
opt = lab.optim.SGD([w], lr=0.1)
loss = (w * w).sum()
loss.backward(retain_graph=True)
for i in range(3):
    opt.step()
loss.backward()
""",
    "version_view_of_changed_tensor": """
x = lab.ones(2, 3, requires_grad=True)
a = lab.ones(2, 3)
v = a.t()
y = (x.t() * v).sum()
with lab.no_grad():
    a += 1
y.backward()
""",
    "version_change_through_a_view": """
x = lab.ones(2, 3, requires_grad=True)
a = lab.ones(2, 3)
y = (x * a).sum()
with lab.no_grad():
    a.t().reshape(6).zero_() if False else a.reshape(6).mul_(2)
y.backward()
""",
    "version_a_times_equal_a": """
x = lab.ones(2, requires_grad=True)
a = x * 1
b = a * 2
a *= a
b.sum().backward()
c = a.sum()
c.backward()
g = x.grad
""",
    "version_a_times_equal_a_0d": """
x = lab.tensor(1., requires_grad=True)
a = x * 1
b = a * 2
a *= a
b.sum().backward()
c = a.sum()
c.backward()
g = x.grad
""",
    "version_inplace_mul_by_leaf_is_fine": """
x = lab.ones(2, requires_grad=True)
y = x * 1
y *= x
y.sum().backward()
g = x.grad
""",

    # ------------------------------------------------------------------ NaN, inf and no warnings
    "nan_inf_sqrt": "x = lab.tensor([0.0, -1., float('nan'), float('inf')], requires_grad=True)\ny = x.sqrt()\ny.sum().backward()\ng = x.grad\n",
    "nan_inf_log": "x = lab.tensor([0.0, -1., float('nan'), float('inf')], requires_grad=True)\ny = x.log()\ny.sum().backward()\ng = x.grad\n",
    "nan_inf_log_scalar": "x = lab.tensor(0.0, requires_grad=True)\ny = x.log()\ny.backward()\ng = x.grad\n",
    "nan_inf_sqrt_scalar": "x = lab.tensor(0.0, requires_grad=True)\ny = x.sqrt()\ny.backward()\ng = x.grad\n",
    "nan_inf_relu": "x = lab.tensor([0.0, -1., float('nan'), float('inf'), -float('inf')], requires_grad=True)\ny = x.relu()\ny.sum().backward()\ng = x.grad\n",
    "nan_inf_tanh": "x = lab.tensor([0.0, -1., float('nan'), float('inf'), -float('inf')], requires_grad=True)\ny = x.tanh()\ny.sum().backward()\ng = x.grad\n",
    "nan_inf_sigmoid": "x = lab.tensor([0.0, -1., float('nan'), float('inf'), -float('inf'), 100., -100.], requires_grad=True)\ny = x.sigmoid()\ny.sum().backward()\ng = x.grad\n",
    "nan_inf_exp": "x = lab.tensor([0.0, -1., float('nan'), float('inf'), -float('inf'), 100.], requires_grad=True)\ny = x.exp()\ny.sum().backward()\ng = x.grad\n",
    "nan_inf_pow2": "x = lab.tensor([0.0, -1., 2., float('inf'), -float('inf'), float('nan')], requires_grad=True)\ny = x ** 2\ny.sum().backward()\ng = x.grad\n",
    "nan_inf_pow_half": "x = lab.tensor([0.0, -1., 2., float('inf'), -float('inf')], requires_grad=True)\ny = x ** 0.5\ny.sum().backward()\ng = x.grad\n",
    "nan_inf_pow_neg_half": "x = lab.tensor([0.0, -1., 2., float('inf'), -float('inf')], requires_grad=True)\ny = x ** -0.5\ny.sum().backward()\ng = x.grad\n",
    "nan_inf_pow_other": """
x = lab.tensor([0.0, -1., 2., -2.5, float('inf'), -float('inf')], requires_grad=True)
r = [x ** 3, x ** -1, x ** -2, x ** 1, x ** 0, x ** 1.5, x ** -3, x ** 2.5]
s = sum(t.sum() for t in r if True)
s.backward()
g = x.grad
""",
    "nan_inf_pow_zero_exponent_inf_grad": "x = lab.tensor([1., 2.], requires_grad=True)\ny = x ** 0\ny.backward(lab.tensor([float('inf'), 1.]))\ng = x.grad\n",
    "nan_inf_rpow": "x = lab.tensor([0.0, -1., 2., float('inf'), -float('inf')], requires_grad=True)\ny = 2 ** x\ny.sum().backward()\ng = x.grad\n",
    "nan_inf_rpow_zero_base": "x = lab.tensor([0.0, -1., 2.], requires_grad=True)\ny = 0 ** x\ny.sum().backward()\ng = x.grad\n",
    "nan_inf_rpow_negative_base": "x = lab.tensor([0.0, 1., 2., 0.5], requires_grad=True)\ny = (-2) ** x\ny.sum().backward()\ng = x.grad\n",
    "nan_inf_pow_tensors": """
x = lab.tensor([0.0, -1., 2., 0., 0.], requires_grad=True)
e = lab.tensor([0.0, 0., 2., 2., -1.], requires_grad=True)
y = x ** e
y.sum().backward()
g, ge = x.grad, e.grad
""",
    "nan_inf_reciprocal": "x = lab.tensor([0.0, -1., 2.], requires_grad=True)\ny = 1 / x\ny.sum().backward()\ng = x.grad\n",
    "nan_inf_div_zero": "x = lab.tensor([0.0, -1., 2.], requires_grad=True)\ny = x / 0\ny.sum().backward()\ng = x.grad\n",
    "nan_inf_div_tensors": """
x = lab.tensor([0.0, -1., 2., 1e30], requires_grad=True)
d = lab.tensor([0.0, 0., 1e-30, 1e30], requires_grad=True)
y = x / d
y.sum().backward()
g, gd = x.grad, d.grad
""",
    "nan_inf_mul": "x = lab.tensor([0.0, float('inf'), float('nan')], requires_grad=True)\nc = lab.tensor([float('inf'), 0., 1.], requires_grad=True)\ny = x * c\ny.sum().backward()\ng, gc = x.grad, c.grad\n",
    "nan_inf_mean_sum": "x = lab.tensor([1.0, float('inf'), 2.], requires_grad=True)\ny = x.mean() + x.sum()\ny.backward()\ng = x.grad\n",
    "overflow_exp_float32": "x = lab.tensor([88., 89., 1000.], requires_grad=True)\ny = x.exp()\ny.sum().backward()\ng = x.grad\n",
}
