"""The walker engine: many walkers doing (momentum) gradient descent plus noise.

:func:`simulate` is also available as ``fractalsgd.simulate``.
"""

from .engine import record_steps, rerun, simulate

__all__ = ["simulate", "rerun", "record_steps"]
