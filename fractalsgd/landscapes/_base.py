"""The landscape interface shared by every family."""

from __future__ import annotations

import numpy as np

from . import _kernels as K

_EMPTY1 = np.zeros(1)
_EMPTY2 = np.zeros((1, 1))


def check_range(owner, name, value, lo=None, hi=None, *, lo_open=False, hi_open=False):
    """Return ``float(value)`` or raise ValueError naming the parameter and its range."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: {name} must be a number, got {value!r}") from None
    bad = not np.isfinite(x)
    if lo is not None:
        bad |= x <= lo if lo_open else x < lo
    if hi is not None:
        bad |= x >= hi if hi_open else x > hi
    if bad:
        left = ("(" if lo_open else "[") + ("-inf" if lo is None else f"{lo:g}")
        right = ("inf" if hi is None else f"{hi:g}") + (")" if hi_open or hi is None else "]")
        raise ValueError(f"{owner}: {name} must be in {left}, {right}, got {value!r}")
    return x


def check_int(owner, name, value, lo, hi=None):
    """Return ``int(value)`` or raise ValueError naming the parameter and its range."""
    try:
        ok = not isinstance(value, bool) and float(value).is_integer()
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"{owner}: {name} must be an integer, got {value!r}")
    n = int(value)
    if n < lo or (hi is not None and n > hi):
        rng = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise ValueError(f"{owner}: {name} must be an integer {rng}, got {value!r}")
    return n


class Landscape:
    """A potential U on R^dim.

    ``energy(x)`` and ``gradient(x)`` take x of shape (n, dim) (or (dim,)) and return
    shape (n,) / (n, dim) (or a scalar / (dim,)). ``describe()`` gives the JSON-able
    configuration that :func:`fractalsgd.landscapes.from_config` rebuilds it from.
    ``domain`` is ``(lo, hi)`` arrays for landscapes defined on a box (grids), else None.
    ``global_minimum`` is ``(position, value)`` where known, else None.
    """

    name = "landscape"
    kind = K.FLAT
    dim: int
    domain = None
    global_minimum = None
    #: relative cost of one gradient evaluation per coordinate (sizes engine chunks)
    cost = 1

    def kernel_args(self):
        """(p, v, a, b): the float64 arrays the Numba dispatcher reads for this landscape."""
        return np.zeros(1), _EMPTY1, _EMPTY2, _EMPTY2

    def describe(self) -> dict:
        raise NotImplementedError

    def _points(self, x):
        x = np.asarray(x, dtype=np.float64)
        single = x.ndim == 1
        x2 = np.atleast_2d(x)
        if x2.ndim != 2 or x2.shape[1] != self.dim:
            raise ValueError(
                f"{self.name}: x must have shape (n, {self.dim}) or ({self.dim},), got {x.shape}"
            )
        return np.ascontiguousarray(x2), single

    def energy(self, x):
        """U(x) for each row of x."""
        x2, single = self._points(x)
        out = np.empty(x2.shape[0])
        K._energy_many(self.kind, *self.kernel_args(), x2, out)
        return out[0] if single else out

    def gradient(self, x):
        """grad U(x) for each row of x (analytic, or exact for the interpolant)."""
        x2, single = self._points(x)
        out = np.empty_like(x2)
        K._grad_many(self.kind, *self.kernel_args(), x2, out)
        return out[0] if single else out

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.describe().items() if k != "name")
        return f"{type(self).__name__}({args})"
