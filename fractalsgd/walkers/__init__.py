"""The walker engine: many walkers doing (momentum) gradient descent plus noise.

:func:`simulate` is also available as ``fractalsgd.simulate``.
"""

from .engine import record_steps, simulate

__all__ = ["simulate", "record_steps"]
