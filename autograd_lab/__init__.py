"""autograd_lab: PyTorch-style autograd you can watch (placeholder, core lands next)."""
