"""Cells of the kind a student meets in other autograd chapters, written for this project.

Topics follow PyTorch's autograd tutorial and notes ("A Gentle Introduction to torch.autograd",
"Autograd mechanics", "Learning PyTorch with Examples", the ``torch.autograd`` API page, the themes of
``test/test_autograd.py``), d2l's "Automatic Differentiation" chapter and the questions students ask
about autograd on forums; the code is our own. Each is run by ``tests/support/textbook_probe.py`` with ``torch`` bound to real
torch and to autograd_lab. A cell cannot ``import torch...`` (that would import real torch): it
reaches ``torch.nn.functional`` as ``torch.nn.functional``.
"""
from __future__ import annotations

SNIPPETS = {
    # ------------------------------------------------------------------ d2l-style first steps
    "arange_float": """
        x = torch.arange(4.0)
        x
        x.requires_grad_(True)
        x.grad
        y = 2 * torch.dot(x, x)
        y
        y.backward()
        x.grad
        x.grad == 4 * x
    """,
    "grad_zero_then_sum": """
        x = torch.arange(4.0, requires_grad=True)
        (2 * torch.dot(x, x)).backward()
        x.grad.zero_()
        y = x.sum()
        y.backward()
        x.grad
    """,
    "non_scalar_backward_error": """
        x = torch.arange(4.0, requires_grad=True)
        y = x * x
        y
        y.backward()
    """,
    "non_scalar_backward_gradient": """
        x = torch.arange(4.0, requires_grad=True)
        y = x * x
        y.backward(gradient=torch.ones(len(y)))
        x.grad
        x.grad.zero_()
        y = x * x
        y.sum().backward()
        x.grad
    """,
    "detach_constant": """
        x = torch.arange(4.0, requires_grad=True)
        y = x * x
        u = y.detach()
        u
        z = u * x
        z.sum().backward()
        x.grad == u
        x.grad.zero_()
        y.sum().backward()
        x.grad == 2 * x
    """,
    "control_flow": """
        def grow(t):
            steps = 0
            while t.abs() < 50:
                t = t * 3
                steps += 1
            return (t if t > 0 else -t), steps

        w = torch.tensor(-0.4, requires_grad=True)
        out, n = grow(w)
        out, n
        out.backward()
        w.grad
        w.grad == out / w
        out.grad_fn
        out.grad_fn.next_functions
    """,
    # ------------------------------------------------------------------ gentle introduction
    "gentle_q": """
        a = torch.tensor([2., 3.], requires_grad=True)
        b = torch.tensor([6., 4.], requires_grad=True)
        Q = 3*a**3 - b**2
        Q
        external_grad = torch.tensor([1., 1.])
        Q.backward(gradient=external_grad)
        a.grad
        b.grad
        9*a**2 == a.grad
        -2*b == b.grad
    """,
    "requires_grad_propagates": """
        x = torch.rand(5, 5)
        y = torch.rand(5, 5)
        z = torch.rand((5, 5), requires_grad=True)
        a = x + y
        print(f"Does `a` require gradients?: {a.requires_grad}")
        b = x + z
        print(f"Does `b` require gradients?: {b.requires_grad}")
        b.grad_fn
        a.grad_fn
    """,
    "grad_fn_chain": """
        a = torch.tensor([1., 2.], requires_grad=True)
        b = torch.tensor([3., 4.], requires_grad=True)
        c = (a * b).exp().sum()
        c.grad_fn
        c.grad_fn.next_functions
        c.grad_fn.next_functions[0][0].next_functions
        c.grad_fn.next_functions[0][0].next_functions[0][0].next_functions
        c.grad_fn.name()
    """,
    # ------------------------------------------------------------------ .grad of a non-leaf
    "non_leaf_grad_warning": """
        x = torch.tensor([1., 2., 3.], requires_grad=True)
        y = x * 2
        z = y.sum()
        z.backward()
        y.is_leaf
        y.grad
        x.grad
    """,
    "retain_grad": """
        x = torch.tensor([1., 2., 3.], requires_grad=True)
        y = x ** 2
        y.retain_grad()
        y.retains_grad
        z = y.mean()
        z.backward()
        y.grad
        x.grad
    """,
    "backward_twice": """
        x = torch.tensor(3., requires_grad=True)
        y = x.exp() * x
        y.backward()
        x.grad
        y.backward()
    """,
    "backward_retain_graph_accumulates": """
        x = torch.tensor(3., requires_grad=True)
        y = x ** 3
        y.backward(retain_graph=True)
        x.grad
        y.backward()
        x.grad
    """,
    # ------------------------------------------------------------------ grad mode
    "no_grad": """
        x = torch.ones(3, requires_grad=True)
        with torch.no_grad():
            y = x * 2
        y
        y.requires_grad
        torch.is_grad_enabled()
        @torch.no_grad()
        def double(t):
            return t * 2
        double(x).requires_grad
        with torch.enable_grad():
            z = x * 2
        z.grad_fn
        torch.set_grad_enabled(False)
        (x + 1).requires_grad
        torch.set_grad_enabled(True)
        (x + 1).requires_grad
    """,
    "inference_mode": """
        x = torch.ones(2, requires_grad=True)
        with torch.inference_mode():
            y = x * 3
        y
        y.requires_grad
        y.is_inference()
    """,
    "requires_grad_int_error": """
        torch.tensor([1, 2, 3], requires_grad=True)
    """,
    "requires_grad_int_arange_error": """
        x = torch.arange(4)
        x.dtype
        x.requires_grad_()
    """,
    "requires_grad_non_leaf_error": """
        x = torch.ones(2, requires_grad=True)
        y = x * 2
        y.requires_grad_(False)
    """,
    # ------------------------------------------------------------------ in-place and leaves
    "leaf_inplace_error": """
        w = torch.ones(3, requires_grad=True)
        w += 1
    """,
    "leaf_view_inplace_error": """
        w = torch.ones(3, requires_grad=True)
        w[0] = 5.
    """,
    "inplace_saved_error": """
        a = torch.tensor([1., 2.], requires_grad=True)
        b = a.sigmoid()
        c = b * 2
        b.mul_(3)
        c.sum().backward()
        b.sum().backward()
    """,
    "inplace_exp_saved_error": """
        a = torch.tensor([1., 2.], requires_grad=True)
        b = a.exp()
        b.add_(1)
        b.sum().backward()
    """,
    "data_vs_detach": """
        a = torch.tensor([1., 2., 3.], requires_grad=True)
        out = a.sigmoid()
        c = out.data
        c.zero_()
        out
        out.sum().backward()
        a.grad
        b = torch.tensor([1., 2., 3.], requires_grad=True)
        out = b.sigmoid()
        d = out.detach()
        d.zero_()
        out.sum().backward()
    """,
    "update_under_no_grad": """
        w = torch.tensor([1., -1.], requires_grad=True)
        loss = (w ** 2).sum()
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
        w
        w.grad.zero_()
        w.grad = None
        w.grad
    """,
    # ------------------------------------------------------------------ higher order and autograd.grad
    "second_derivative": """
        x = torch.tensor(2., requires_grad=True)
        y = x ** 3
        dy, = torch.autograd.grad(y, x, create_graph=True)
        dy
        d2y, = torch.autograd.grad(dy, x)
        d2y
    """,
    "autograd_grad_grad_outputs": """
        x = torch.tensor([1., 2., 3.], requires_grad=True)
        y = x ** 2
        torch.autograd.grad(y, x, grad_outputs=torch.ones_like(y))
        torch.autograd.grad(x.sin().sum(), [x])
        torch.autograd.grad(y, x)
    """,
    "autograd_grad_unused": """
        x = torch.tensor(1., requires_grad=True)
        u = torch.tensor(2., requires_grad=True)
        y = x * 3
        torch.autograd.grad(y, [x, u], retain_graph=True, allow_unused=True)
        torch.autograd.grad(y, [x, u], retain_graph=True, allow_unused=True, materialize_grads=True)
        torch.autograd.grad(y, [x, u])
    """,
    "grad_of_grad_backward": """
        x = torch.tensor(1.5, requires_grad=True)
        y = torch.sin(x)
        g, = torch.autograd.grad(y, x, create_graph=True)
        g
        g.backward()
        x.grad
        x.grad == -torch.sin(x)
    """,
    "vjp_non_scalar": """
        torch.manual_seed(0)
        x = torch.randn(3, requires_grad=True)
        y = x * 2
        while y.data.norm() < 1000:
            y = y * 2
        y
        v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
        y.backward(v)
        x.grad
    """,
    "functional_jacobian_hessian": """
        def f(x):
            return x ** 2 + x.sin()
        x = torch.tensor([0.5, 1.0])
        torch.autograd.functional.jacobian(f, x)
        torch.autograd.functional.hessian(lambda t: (t ** 3).sum(), x)
        torch.autograd.functional.vjp(f, x, torch.ones(2))
        torch.autograd.functional.jvp(f, x, torch.ones(2))
    """,
    # ------------------------------------------------------------------ ops and their gradients
    "norm_and_dot": """
        x = torch.tensor([3., 4.], requires_grad=True)
        n = x.norm()
        n
        n.backward()
        x.grad
        torch.norm(torch.tensor([[1., 2.], [3., 4.]]))
        torch.linalg.norm(torch.tensor([3., 4.]))
        torch.dot(torch.tensor([1, 2]), torch.tensor([3, 4]))
    """,
    "reductions_dim_keepdim": """
        A = torch.arange(6, dtype=torch.float32).reshape(2, 3).requires_grad_()
        A
        A.sum(dim=0)
        A.sum(dim=1, keepdim=True)
        A.mean(axis=0)
        s = A.sum(dim=1, keepdim=True)
        (A / s).sum().backward()
        A.grad
        A.cumsum(dim=0)
        A.max(dim=1)
    """,
    "broadcast_grad": """
        a = torch.ones(3, 1, requires_grad=True)
        b = torch.arange(4.0, requires_grad=True)
        c = a * b
        c.shape
        c.sum().backward()
        a.grad
        b.grad
    """,
    "clamp_where": """
        x = torch.tensor([-2., -0.5, 0.5, 2.], requires_grad=True)
        y = x.clamp(min=-1, max=1)
        y
        y.sum().backward()
        x.grad
        x.grad = None
        z = torch.where(x > 0, x ** 2, -x)
        z
        z.sum().backward()
        x.grad
    """,
    "max_ties": """
        x = torch.tensor([1., 3., 3., 2.], requires_grad=True)
        m = x.max()
        m
        m.backward()
        x.grad
        torch.argmax(x)
        x.grad = None
        v, i = x.max(dim=0)
        v, i
        v.backward()
        x.grad
    """,
    "relu_at_zero": """
        x = torch.tensor([-1., 0., 1.], requires_grad=True)
        torch.relu(x).sum().backward()
        x.grad
        x.grad = None
        x.abs().sum().backward()
        x.grad
    """,
    "indexing_grad": """
        x = torch.arange(6.0, requires_grad=True)
        y = x[1:4] * 2
        y
        z = x[[0, 0, 5]]
        z
        (y.sum() + z.sum()).backward()
        x.grad
        x[x > 2]
    """,
    "stack_cat": """
        a = torch.tensor([1., 2.], requires_grad=True)
        b = torch.tensor([3., 4.], requires_grad=True)
        s = torch.stack([a, b])
        s
        c = torch.cat([a, b * 2])
        c
        (s.sum() + (c ** 2).sum()).backward()
        a.grad, b.grad
        torch.stack([a, b], dim=1).shape
    """,
    "matmul_batch": """
        torch.manual_seed(1)
        A = torch.randn(2, 3, 4, requires_grad=True)
        B = torch.randn(4, 5)
        C = A @ B
        C.shape
        C.grad_fn
        D = torch.matmul(A, torch.randn(2, 4, 2))
        D.grad_fn
        torch.mm(torch.ones(2, 3), torch.ones(3, 2))
        torch.bmm(torch.ones(2, 1, 3), torch.ones(2, 3, 1))
        torch.mm(torch.ones(2, 3), torch.ones(2, 3))
    """,
    "mm_vector": """
        W = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
        x = torch.tensor([1., -1.])
        y = W @ x
        y
        y.grad_fn
        torch.mv(W, x)
        (x @ W).sum().backward()
        W.grad
    """,
    "softmax_family": """
        logits = torch.tensor([[1., 2., 3.], [1., 1., 1.]], requires_grad=True)
        p = torch.softmax(logits, dim=1)
        p
        lp = torch.nn.functional.log_softmax(logits, dim=-1)
        lp
        lp[0, 2].backward()
        logits.grad
        p.sum(dim=1)
    """,
    "losses": """
        F = torch.nn.functional
        pred = torch.tensor([0.5, 1.5, 2.0], requires_grad=True)
        target = torch.tensor([1., 1., 1.])
        loss = F.mse_loss(pred, target)
        loss
        loss.backward()
        pred.grad
        logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]], requires_grad=True)
        labels = torch.tensor([0, 2])
        ce = F.cross_entropy(logits, labels)
        ce
        ce.backward()
        logits.grad
        F.cross_entropy(logits, labels, reduction='none')
        F.nll_loss(F.log_softmax(logits, dim=1), labels)
    """,
    "linear_sgd_step": """
        torch.manual_seed(0)
        model = torch.nn.Linear(3, 1)
        model
        model.weight
        model.bias
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        opt
        x = torch.tensor([[1., 2., 3.], [0., -1., 1.]])
        y = torch.tensor([[1.], [0.]])
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss
        opt.zero_grad()
        loss.backward()
        model.weight.grad
        opt.step()
        model.weight
        opt.zero_grad(set_to_none=True)
        model.weight.grad
    """,
    "sequential_training_loop": """
        torch.manual_seed(42)
        net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
        net
        loss_fn = torch.nn.MSELoss()
        opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
        X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
        Y = torch.tensor([[0.], [1.], [1.], [0.]])
        for step in range(5):
            opt.zero_grad()
            loss = loss_fn(net(X), Y)
            loss.backward()
            opt.step()
            print(f"step {step}: loss {loss.item():.4f}")
        [p.shape for p in net.parameters()]
        sum(p.numel() for p in net.parameters())
    """,
    # ------------------------------------------------------------------ tensors as values
    "tensor_dtypes": """
        torch.tensor([1, 2, 3])
        torch.tensor([1, 2, 3]).dtype
        torch.tensor([True, False])
        torch.tensor([1.5, 2.], dtype=torch.float64)
        torch.tensor([1, 2]) / 2
        torch.tensor([1, 2]) // 2
        torch.tensor([1, 2]) * 1.5
        torch.tensor([1, 2], dtype=torch.int32) + torch.tensor([1., 2.], dtype=torch.float64)
        torch.tensor(3)
        torch.tensor(3.5, requires_grad=True)
        torch.tensor([[1., 2.], [3., 4.]], dtype=torch.float64, requires_grad=True)
    """,
    "item_tolist": """
        x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
        x.sum().item()
        x.tolist()
        x[0, 1].item()
        x.item()
    """,
    "numpy_requires_grad_error": """
        x = torch.ones(2, requires_grad=True)
        x.detach().numpy()
        x.numpy()
    """,
    "grad_fn_reprs": """
        x = torch.tensor([1., 2., 3., 4.], requires_grad=True)
        x + 1
        x - 1
        1 - x
        x * x
        x / 2
        2 / x
        -x
        x ** 2
        x.exp()
        x.log()
        x.sum()
        x.mean()
        x.view(2, 2)
        x.reshape(2, 2)
        x.t() if x.dim() < 2 else None
        x.unsqueeze(0)
        x.view(2, 2).T
        x[0]
        x[1:]
        x.sigmoid()
        x.tanh()
        x.relu()
        x.clone()
        x.pow(3).sqrt()
        x.view(2, 2).transpose(0, 1).contiguous()
    """,
    "tensor_print_big": """
        torch.manual_seed(3)
        x = torch.randn(4, 6, requires_grad=True)
        print(x)
        x * 1000
        torch.arange(2000.0)
        torch.tensor([1e-8, 1., 1e8])
    """,
    "hooks": """
        x = torch.tensor([1., 2.], requires_grad=True)
        y = x * 3
        h = y.register_hook(lambda g: print("grad at y:", g))
        y.sum().backward()
        h.remove()
        x.grad
    """,
    "custom_function": """
        class Exp(torch.autograd.Function):
            @staticmethod
            def forward(ctx, i):
                result = i.exp()
                ctx.save_for_backward(result)
                return result

            @staticmethod
            def backward(ctx, grad_output):
                result, = ctx.saved_tensors
                return grad_output * result

        x = torch.tensor([0., 1.], requires_grad=True)
        y = Exp.apply(x)
        y
        y.sum().backward()
        x.grad
    """,
    "zero_grad_manual": """
        w = torch.tensor([1., 2.], requires_grad=True)
        for i in range(3):
            loss = (w * 3).sum()
            loss.backward()
            print(w.grad)
        w.grad.zero_()
        w.grad
        w.grad.data.zero_()
    """,
    "gradient_is_none_leaf_false": """
        a = torch.tensor(2.0, requires_grad=True)
        b = a * 2
        c = b.detach()
        c.requires_grad
        c.is_leaf
        (c * a).backward()
        a.grad
        c.grad
    """,
    "expand_repeat_grad": """
        x = torch.tensor([[1.], [2.]], requires_grad=True)
        e = x.expand(2, 3)
        e
        r = x.repeat(1, 3)
        r
        (e * r).sum().backward()
        x.grad
    """,
    "mean_of_ints_error": """
        torch.tensor([1, 2, 3]).mean()
    """,
    "type_mismatch_matmul": """
        torch.ones(2, 2) @ torch.ones(2, 2, dtype=torch.float64)
    """,
    "shape_mismatch": """
        torch.ones(2, 3) + torch.ones(3, 2)
    """,
    "zeros_like_ones_like": """
        x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
        torch.zeros_like(x)
        torch.ones_like(x, requires_grad=True)
        torch.full((2,), 7.)
        torch.eye(2)
        torch.linspace(0, 1, 5)
        torch.zeros(2, 3).shape
        torch.empty(0)
    """,

    # ------------------------------------------------------------------ more from forums and test suites
    "freeze_parameters": """
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))
        for p in net[0].parameters():
            p.requires_grad_(False)
        [p.requires_grad for p in net.parameters()]
        out = net(torch.ones(4, 3)).sum()
        out.backward()
        net[0].weight.grad
        net[2].weight.grad
        [name for name, p in net.named_parameters() if p.requires_grad]
        net.eval()
        net.training
    """,
    "parameter_repr_state_dict": """
        p = torch.nn.Parameter(torch.tensor([1., 2.]))
        p
        p.requires_grad
        p * 2
        torch.manual_seed(0)
        lin = torch.nn.Linear(2, 2)
        list(lin.state_dict().keys())
        lin.weight.shape, lin.bias.shape
        lin.weight.grad is None
    """,
    "tensor_hook_changes_grad": """
        x = torch.tensor([1., 2., 3.], requires_grad=True)
        x.register_hook(lambda g: g * 10)
        (x ** 2).sum().backward()
        x.grad
        y = torch.tensor(2., requires_grad=True)
        z = y * y
        z.register_hook(lambda g: print('dz', g))
        w = z * 3
        w.backward()
        y.grad
    """,
    "grad_accumulates": """
        x = torch.tensor(1., requires_grad=True)
        for _ in range(3):
            (x * 2).backward()
        x.grad
        x.grad.zero_()
        (x ** 2).backward()
        x.grad
    """,
    "clone_detach_and_copy_warning": """
        x = torch.tensor([1., 2.], requires_grad=True)
        y = x.clone().detach()
        y.requires_grad, y.is_leaf
        z = torch.tensor(x)
        z
        x.detach_() if False else None
        w = x.clone()
        w.grad_fn
        w.sum().backward()
        x.grad
    """,
    "from_numpy_shares": """
        import numpy as np
        a = np.array([1., 2., 3.])
        t = torch.from_numpy(a)
        t
        a[0] = 10.
        t
        t.dtype
        t.requires_grad_()
        (t * 2).sum().backward()
        t.grad
    """,
    "view_of_transpose_error": """
        x = torch.arange(6.).reshape(2, 3)
        y = x.t()
        y.is_contiguous()
        y.reshape(6)
        y.view(6)
    """,
    "squeeze_unsqueeze_grad": """
        x = torch.tensor([[1.], [2.]], requires_grad=True)
        y = x.squeeze()
        y
        z = y.unsqueeze(0) * torch.tensor([[3., 4.]])
        z
        z.sum().backward()
        x.grad
        x.squeeze(1).shape, x.unsqueeze(-1).shape
    """,
    "argmax_dim_keepdim": """
        x = torch.tensor([[1., 5., 2.], [7., 0., 7.]])
        x.argmax()
        x.argmax(dim=1)
        x.argmax(dim=1, keepdim=True)
        x.max(dim=0).values
        x.max(dim=1, keepdim=True)
        torch.max(x, torch.tensor(3.))
        x.min(), x.min(dim=1).indices
    """,
    "elementwise_max_ties_grad": """
        a = torch.tensor([1., 2., 3.], requires_grad=True)
        b = torch.tensor([3., 2., 1.], requires_grad=True)
        m = torch.maximum(a, b)
        m
        m.sum().backward()
        a.grad, b.grad
        a.grad = None
        torch.min(a).backward()
        a.grad
    """,
    "gather_masked_fill": """
        x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
        idx = torch.tensor([[0], [1]])
        g = x.gather(1, idx)
        g
        g.sum().backward()
        x.grad
        y = x.masked_fill(x > 2, 0.)
        y
    """,
    "nn_functional_activations": """
        F = torch.nn.functional
        x = torch.tensor([-2., 0., 2.], requires_grad=True)
        F.relu(x)
        torch.sigmoid(x)
        F.softplus(x)
        F.leaky_relu(x, 0.1)
        torch.nn.Sigmoid()(x)
        torch.nn.LeakyReLU(0.2)(x)
    """,
    "bce_losses": """
        F = torch.nn.functional
        p = torch.tensor([0.9, 0.2, 0.6], requires_grad=True)
        y = torch.tensor([1., 0., 1.])
        loss = F.binary_cross_entropy(p, y)
        loss
        loss.backward()
        p.grad
        z = torch.tensor([2., -1., 0.5], requires_grad=True)
        F.binary_cross_entropy_with_logits(z, y)
        torch.nn.BCEWithLogitsLoss()(z, y)
        F.binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.]))
    """,
    "gradcheck_double": """
        torch.manual_seed(0)
        x = torch.randn(3, dtype=torch.double, requires_grad=True)
        torch.autograd.gradcheck(lambda t: (t.sin() * t).sum(), (x,))
        torch.autograd.gradgradcheck(lambda t: (t ** 3).sum(), (x,))
        y = torch.randn(3, requires_grad=True)
        torch.autograd.gradcheck(lambda t: t * t, (y,))
    """,
    "adam_step": """
        torch.manual_seed(0)
        w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        opt = torch.optim.Adam([w], lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            loss = (w ** 2).sum()
            loss.backward()
            opt.step()
        w
        opt.param_groups[0]['lr']
        opt.param_groups[0]['betas']
    """,
    "sum_multiple_dims_and_mean_dim": """
        x = torch.arange(24.).reshape(2, 3, 4).requires_grad_()
        x.sum(dim=(0, 2))
        x.mean(dim=-1).shape
        x.sum((1, 2), keepdim=True).shape
        torch.std(x)
        x.var(dim=0).shape
        x.sum(dim=(0, 2)).sum().backward()
        x.grad.shape
    """,
    "int_ops_and_promotion": """
        a = torch.tensor([1, 2, 3])
        a * 2
        a + 0.5
        a.float().mean()
        a.sum()
        a.sum().dtype
        (a > 1).sum()
        (a == 2).float()
        a.to(torch.float64) * torch.tensor(2.)
        torch.tensor([1, 2], dtype=torch.uint8) - 3
        a.dtype, a.float().dtype, a.double().dtype, a.long().dtype
    """,
    "empty_like_and_randn_seed": """
        torch.manual_seed(7)
        torch.rand(2, 3)
        torch.randn(3)
        torch.randint(0, 10, (4,))
        torch.randn(2, 2, requires_grad=True)
        torch.normal(0., 1., size=(2,))
    """,
    "no_grad_param_update_loop": """
        torch.manual_seed(1)
        X = torch.randn(8, 2)
        true_w = torch.tensor([2., -3.4])
        y = X @ true_w + 4.2
        w = torch.zeros(2, requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        for epoch in range(3):
            l = ((X @ w + b - y) ** 2 / 2).mean()
            l.backward()
            with torch.no_grad():
                for p in (w, b):
                    p -= 0.1 * p.grad
                    p.grad.zero_()
            print(f'epoch {epoch + 1}, loss {l.item():f}')
        w, b
    """,
    "second_order_tanh_chain": """
        x = torch.linspace(-1, 1, 5, requires_grad=True)
        y = torch.tanh(x)
        dy, = torch.autograd.grad(y.sum(), x, create_graph=True)
        dy
        d2y, = torch.autograd.grad(dy.sum(), x, create_graph=True)
        d2y
        d3y, = torch.autograd.grad(d2y.sum(), x)
        d3y
    """,
    "backward_on_int_and_no_grad_tensor": """
        x = torch.tensor([1., 2.])
        y = (x * 2).sum()
        y.requires_grad
        y.backward()
    """,
    "retain_graph_autograd_grad_error": """
        x = torch.tensor(2., requires_grad=True)
        y = x.exp()
        torch.autograd.grad(y, x)
        torch.autograd.grad(y, x)
    """,
    "inplace_on_leaf_under_no_grad_and_version": """
        x = torch.ones(3, requires_grad=True)
        x._version
        with torch.no_grad():
            x.mul_(2)
        x._version
        x
        y = x * x
        y.sum().backward()
        x.grad
    """,
    # ------------------------------------------------------------------ everyday ops and masks
    "attrs": """
        x = torch.arange(6.).view(2, 3)
        x.size(), x.size(1), x.numel(), x.dim(), x.shape[0], len(x), x.type()
        [r for r in x]
        x.item()
    """,
    "einsum_outer": """
        a = torch.tensor([1., 2.], requires_grad=True)
        b = torch.tensor([3., 4., 5.])
        torch.outer(a, b)
        torch.outer(a, b).sum().backward()
        a.grad
    """,
    "flatten": """
        x = torch.ones(2, 3, 4, requires_grad=True)
        x.flatten()
        torch.flatten(x, 1).shape
        torch.nn.Flatten()(x).shape
        x.view(-1).grad_fn
        x.view(2, -1).shape
    """,
    "unary_misc": """
        x = torch.tensor([-1., 0., 2.], requires_grad=True)
        torch.sign(x)
        torch.log1p(x + 1)
        torch.exp2(x) if hasattr(torch, 'exp2') else None
        torch.pow(2, x)
        torch.square(x)
        torch.rsqrt(x + 2)
        x.abs().sum().backward()
        x.grad
    """,
    "post_acc_hook": """
        w = torch.tensor([1., 2.], requires_grad=True)
        h = w.register_post_accumulate_grad_hook(lambda p: print('accumulated', p.grad))
        (w * 3).sum().backward()
        w.grad_fn is None, w.is_leaf
    """,
    "new_tensor_and_type": """
        x = torch.tensor([1., 2.])
        x.new_tensor([3, 4])
        x.new_zeros(2, 2)
        x.new_ones(3)
        x.type(torch.float64)
        x.to('cpu')
        x.device
        x.cpu().numpy()
    """,
    "relu_inplace_leaf": """
        x = torch.tensor([-1., 2.], requires_grad=True)
        x.relu_()
    """,
    "relu_inplace_nonleaf": """
        x = torch.tensor([-1., 2.], requires_grad=True)
        y = x * 1
        y.relu_()
        y.sum().backward()
        x.grad
    """,
    "min_max_keepdim_grad": """
        x = torch.tensor([[1., 4.], [3., 2.]], requires_grad=True)
        v, i = x.max(dim=1, keepdim=True)
        v, i
        v.sum().backward()
        x.grad
        torch.amax(x, dim=0)
    """,
    "arange_linspace_variants": """
        torch.arange(5)
        torch.arange(1, 4)
        torch.arange(0, 1, 0.25)
        torch.linspace(-1, 1, steps=5)
        torch.arange(3, dtype=torch.float32, requires_grad=True)
        torch.zeros(2, 2, dtype=torch.int64, requires_grad=True)
    """,
    "scalar_math": """
        x = torch.tensor(3., requires_grad=True)
        y = x ** 2 + 2 * x + 1
        y
        y.backward()
        x.grad
        float(x), int(x), x.item()
        math.sqrt(x)
    """,
    "tensor_compare_bool": """
        x = torch.tensor([1., 2., 3.])
        (x > 1) & (x < 3)
        ~(x > 1)
        (x > 1) | (x < 2)
        x[(x > 1) & (x < 3)]
        torch.all(x > 0), torch.any(x > 2)
    """,
    "clamp_min_max_grad": """
        x = torch.tensor([-1., 0.5, 2.], requires_grad=True)
        x.clamp_min(0).sum().backward()
        x.grad
        torch.clamp(x, max=1.)
        x.clip(0, 1)
    """,
    "linear_layer_manual": """
        torch.manual_seed(0)
        W = torch.randn(3, 2, requires_grad=True)
        b = torch.zeros(2, requires_grad=True)
        X = torch.randn(4, 3)
        out = torch.sigmoid(X @ W + b)
        out.shape
        out.grad_fn
        out.grad_fn.next_functions
        loss = -(out.log()).mean()
        loss
        loss.backward()
        W.grad.shape, b.grad
    """,
    "cross_entropy_manual": """
        def softmax(X):
            X_exp = torch.exp(X)
            partition = X_exp.sum(1, keepdim=True)
            return X_exp / partition
        X = torch.tensor([[1., 2., 0.5], [0.1, 0.2, 0.3]])
        p = softmax(X)
        p
        y = torch.tensor([1, 2])
        -torch.log(p[range(len(p)), y])
        (p.argmax(axis=1) == y).float().mean()
    """,
    # ------------------------------------------------------------------ engine, nn and printing corners
    "inplace_view_chain": """
        x = torch.ones(4, requires_grad=True)
        y = x * 2
        v = y[1:3]
        v.mul_(10)
        y
        y.grad_fn
        v.grad_fn
        y.sum().backward()
        x.grad
    """,
    "requires_grad_attribute_set": """
        x = torch.ones(2)
        x.requires_grad = True
        x
        y = x.sum() * 3
        y.requires_grad = False
    """,
    "grad_none_after_zero_grad_module": """
        torch.manual_seed(0)
        m = torch.nn.Linear(2, 1)
        m(torch.ones(1, 2)).sum().backward()
        m.weight.grad
        m.zero_grad()
        m.weight.grad
    """,
    "backward_non_scalar_with_ones_like": """
        x = torch.linspace(0, 1, 4, requires_grad=True)
        y = torch.sin(x) * x
        y.backward(torch.ones_like(y))
        x.grad
        torch.allclose(x.grad, torch.cos(x) * x + torch.sin(x))
    """,
    "double_grad_with_backward_create_graph": """
        x = torch.tensor(2., requires_grad=True)
        y = x ** 4
        y.backward(create_graph=True)
        x.grad
        g = x.grad
        x.grad = None
        g.backward()
        x.grad
    """,
    "nn_module_custom": """
        class MLP(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = torch.nn.Linear(3, 4)
                self.out = torch.nn.Linear(4, 2)
            def forward(self, X):
                return self.out(torch.relu(self.hidden(X)))
        torch.manual_seed(0)
        net = MLP()
        net
        y = net(torch.ones(2, 3))
        y
        y.grad_fn
        len(list(net.parameters()))
        net.hidden.weight.shape
    """,
    "mse_reduction_and_l1": """
        F = torch.nn.functional
        a = torch.tensor([1., 2., 3.], requires_grad=True)
        b = torch.tensor([1.5, 2., 2.])
        F.mse_loss(a, b, reduction='sum')
        F.mse_loss(a, b, reduction='none')
        F.l1_loss(a, b)
        torch.nn.L1Loss()(a, b).backward()
        a.grad
        F.mse_loss(a, torch.ones(2))
    """,
    "cross_entropy_probs_and_ignore": """
        F = torch.nn.functional
        logits = torch.tensor([[1., 2., 3.], [3., 2., 1.]], requires_grad=True)
        F.cross_entropy(logits, torch.tensor([2, 0]), reduction='sum')
        F.cross_entropy(logits, torch.tensor([2, -100]))
        F.cross_entropy(logits, torch.tensor([2, 3]))
    """,
    "print_formats": """
        torch.set_printoptions(precision=2)
        torch.tensor([1.23456, 2.5])
        torch.set_printoptions(precision=4)
        torch.tensor([[1e-5, 1.], [100., 3.]])
        torch.tensor([0.1, 0.2], dtype=torch.float64) * 3
        torch.tensor([float('inf'), float('nan'), -1.])
        torch.zeros(0, 3)
        torch.tensor([[True], [False]])
        torch.tensor(-0.)
    """,
    "expand_as_and_broadcast_to": """
        x = torch.tensor([[1.], [2.]], requires_grad=True)
        y = x.expand_as(torch.ones(2, 3))
        y
        torch.broadcast_to(x, (2, 2))
        (y * 2).sum().backward()
        x.grad
    """,
    "chunk_split_unbind": """
        x = torch.arange(6., requires_grad=True)
        a, b = x.chunk(2)
        a, b
        p, q, r = torch.split(x, [1, 2, 3])
        r
        u = x.view(2, 3).unbind(0)
        u[1]
        (a.sum() + r.prod()).backward()
        x.grad
    """,
    "where_scalar_and_nan_grad": """
        x = torch.tensor([-1., 0., 4.], requires_grad=True)
        y = torch.where(x > 0, torch.sqrt(x), torch.zeros_like(x))
        y
        y.sum().backward()
        x.grad
    """,
    "detach_inplace_error": """
        a = torch.tensor([1., 2.], requires_grad=True)
        b = a * 2
        c = b.detach()
        c.add_(1)
        b
        b.sum().backward()
        a.grad
    """,
    "leaf_grad_setter_errors": """
        x = torch.ones(2, requires_grad=True)
        x.grad = torch.ones(3)
    """,
    "dataloader_loop": """
        torch.manual_seed(0)
        X = torch.arange(10.).view(5, 2)
        y = torch.arange(5.)
        ds = torch.utils.data.TensorDataset(X, y)
        len(ds), ds[1]
        dl = torch.utils.data.DataLoader(ds, batch_size=2, shuffle=True)
        for xb, yb in dl:
            print(xb.tolist(), yb.tolist())
    """,
    "sort_topk": """
        x = torch.tensor([3., 1., 2.], requires_grad=True)
        v, i = torch.sort(x)
        v, i
        v[0].backward()
        x.grad
        torch.topk(torch.tensor([1., 4., 2., 8.]), 2)
    """,
    "gelu": """
        x = torch.tensor([-2., 0., 2.], requires_grad=True)
        torch.nn.functional.gelu(x)
        torch.nn.GELU(approximate='tanh')(x).sum().backward()
        x.grad
    """,
    "optimizer_state_dict": """
        w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        opt = torch.optim.Adam([w], lr=0.1)
        opt.state_dict()
        (w ** 2).sum().backward()
        opt.step()
        opt.state_dict()['state']
    """,
    # ------------------------------------------------------------------ the themes of PyTorch's own autograd tests
    "node_hooks": """
        x = torch.tensor([1., 2.], requires_grad=True)
        y = x.exp()
        z = y.sum()
        y.grad_fn.register_hook(lambda gi, go: print('exp hook', gi, go))
        y.grad_fn.register_prehook(lambda go: print('exp prehook', go))
        z.backward()
        x.grad
    """,
    "saved_tensor_hooks": """
        def pack(t):
            print('pack', t.shape)
            return t
        def unpack(t):
            print('unpack', t.shape)
            return t
        x = torch.tensor([1., 2.], requires_grad=True)
        with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = x * x
        y.sum().backward()
        x.grad
    """,
    "autograd_backward_fn": """
        a = torch.tensor([1., 2.], requires_grad=True)
        b = a * 3
        c = a ** 2
        torch.autograd.backward([b, c], [torch.ones(2), torch.tensor([1., 0.5])])
        a.grad
        torch.autograd.backward(b.sum())
    """,
    "saved_attributes": """
        x = torch.tensor([1., 2.], requires_grad=True)
        y = x * torch.tensor([3., 4.])
        y.grad_fn._saved_other
        y.grad_fn._saved_self
        z = x.pow(3)
        z.grad_fn._saved_exponent
        w = x.exp()
        w.grad_fn._saved_result
        w.grad_fn._saved_result is w
        (w.sum()).backward()
        w.grad_fn._saved_result
    """,
    "grad_of_grad_norm_penalty": """
        torch.manual_seed(0)
        w = torch.randn(3, requires_grad=True)
        x = torch.tensor([1., 2., 3.])
        loss = (w * x).sum() ** 2
        g, = torch.autograd.grad(loss, w, create_graph=True)
        penalty = g.pow(2).sum()
        penalty.backward()
        w.grad
    """,
    "custom_function_mark_non_diff": """
        class SortIdx(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                idx = x.argmax()
                ctx.mark_non_differentiable(idx)
                ctx.save_for_backward(x)
                return x * 2, idx
            @staticmethod
            def backward(ctx, g, gi):
                return g * 2
        x = torch.tensor([1., 3., 2.], requires_grad=True)
        y, i = SortIdx.apply(x)
        y, i
        i.requires_grad
        y.sum().backward()
        x.grad
    """,
    "leaf_checks": """
        a = torch.rand(3, requires_grad=True)
        a.is_leaf
        b = torch.rand(3, requires_grad=True) + 2
        b.is_leaf
        c = torch.rand(3) * 2
        c.is_leaf
        d = torch.rand(3).requires_grad_()
        d.is_leaf
        e = torch.rand(3, requires_grad=True).double()
        e.is_leaf
    """,
    "no_grad_inside_function_graph": """
        x = torch.tensor([1., 2.], requires_grad=True)
        with torch.no_grad():
            y = x * 2
        z = y * x
        z.grad_fn.next_functions
        z.sum().backward()
        x.grad
        torch.is_grad_enabled()
    """,
}

# What differs from torch 2.13 on purpose (the README's "How it differs" says why); the probe shows these,
# and tests/test_fidelity_textbooks.py checks that the ones left out of the subset say so clearly.
LEFT_OUT = {
    # matrix products are numpy's BLAS: the last bit of a float32 product can differ from PyTorch's kernels
    "float32_matmul_last_bit": """
        torch.manual_seed(42)
        net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
        X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
        net(X).tolist()
    """,
    # not in the teaching subset: a clear error that names it
    "optimizer_load_state_dict": """
        w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        opt = torch.optim.SGD([w], lr=0.1)
        opt.load_state_dict(opt.state_dict())
    """,
    "linalg_inv": """
        torch.linalg.inv(torch.tensor([[2., 0.], [0., 4.]]))
    """,
    "floor_divide_with_grad": """
        x = torch.tensor([5., -5.], requires_grad=True)
        x // 2
    """,
    "einsum": """
        torch.einsum('i,j->ij', torch.tensor([1., 2.]), torch.tensor([3., 4.]))
    """,
    "detect_anomaly": """
        with torch.autograd.set_detect_anomaly(True):
            x = torch.tensor([0.], requires_grad=True)
            (x.sqrt() * 0).sum().backward()
    """,
}
