"""The operations, by family. Importing this package declares them all (see ``function.declare``);
the order here is the order of the "supported" list."""
from . import special  # noqa: F401  (first: the others use its operand helper)
from . import arithmetic, reductions, elementwise, shapes, linalg  # noqa: F401
