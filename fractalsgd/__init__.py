"""fractalsgd: anomalous diffusion of SGD in deep networks and of walkers on fractal landscapes.

Public API (plain numpy / xarray in and out):

* :func:`trajectory`, :func:`validate`, :class:`SchemaError` - the trajectory data model
  (:mod:`fractalsgd.schema`);
* :func:`save`, :func:`load` - atomic NetCDF I/O (:mod:`fractalsgd.store`);
* :func:`simulate` - the Numba walker engine (:mod:`fractalsgd.walkers`), imported lazily.

Importing fractalsgd never imports torch (only :mod:`fractalsgd.dnn` does).
"""

from ._version import __version__
from .schema import SchemaError, result, trajectory, validate
from .store import load, save

__all__ = [
    "__version__",
    "SchemaError",
    "trajectory",
    "result",
    "validate",
    "save",
    "load",
    "simulate",
]


def __getattr__(name):
    if name == "simulate":
        from .walkers import simulate

        return simulate
    raise AttributeError(f"module 'fractalsgd' has no attribute {name!r}")
