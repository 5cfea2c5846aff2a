"""The operations, by family. Importing this package declares them all (see ``function.declare``);
the order here is the order of the "supported" list."""
from . import special  # noqa: F401  (first: the others use its operand helper)
from . import arithmetic, reductions, elementwise, extrema, shapes, linalg, combine, losses  # noqa: F401
from . import everyday  # noqa: F401  (in-place twins, all/any/eq/isin/allclose, var, var_mean)
from . import random_fills  # noqa: F401  (uniform_, normal_: PyTorch's random numbers, rng.py)
from . import view_ops  # noqa: F401  (narrow, select, split, chunk, unbind, fill_, zero_, copy_, detach_)
from . import extras  # noqa: F401  (repeat, cumsum, contiguous, bmm, // and % without grad)
