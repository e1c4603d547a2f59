"""Control landscapes: flat, quadratic, cone (the paper's "convex"), cosine.

The shuffled-pixel "random" control of the paper lives in :mod:`.grids`
(:class:`~fractalsgd.landscapes.grids.ShuffledControl`), beside the grid surfaces it uses.
"""

from __future__ import annotations

import numpy as np

from . import _kernels as K
from ._base import Landscape, check_int, check_range

__all__ = ["Flat", "Quadratic", "Cone", "Cosine"]


class Flat(Landscape):
    """U(x) = 0: free diffusion (MSD = dim * noise^2 * t exactly)."""

    name = "flat"
    kind = K.FLAT

    def __init__(self, dim: int = 2):
        self.dim = check_int("Flat", "dim", dim, 1)

    def describe(self):
        return {"name": self.name, "dim": self.dim}


class Quadratic(Landscape):
    """U(x) = k/2 * ||x||^2, grad U = k x; global minimum 0 at the origin.

    Gaussian noise with momentum 0 gives per coordinate the AR(1) process
    x' = (1 - lr k) x + noise xi, stationary variance noise^2 / (1 - (1 - lr k)^2).
    """

    name = "quadratic"
    kind = K.QUADRATIC

    def __init__(self, dim: int = 2, k: float = 1.0):
        self.dim = check_int("Quadratic", "dim", dim, 1)
        self.k = check_range("Quadratic", "k", k, 0.0, lo_open=True)
        self.global_minimum = (np.zeros(self.dim), 0.0)

    def kernel_args(self):
        p, v, a, b = super().kernel_args()
        return np.array([self.k]), v, a, b

    def describe(self):
        return {"name": self.name, "dim": self.dim, "k": self.k}


class Cone(Landscape):
    """U(x) = offset + slope * ||x||: the paper's "convex" control (offset 9, slope 1/2).

    The gradient slope * x / ||x|| is set to 0 at the apex.
    """

    name = "cone"
    kind = K.CONE

    def __init__(self, dim: int = 2, slope: float = 0.5, offset: float = 9.0):
        self.dim = check_int("Cone", "dim", dim, 1)
        self.slope = check_range("Cone", "slope", slope, 0.0, lo_open=True)
        self.offset = check_range("Cone", "offset", offset)
        self.global_minimum = (np.zeros(self.dim), self.offset)

    def kernel_args(self):
        p, v, a, b = super().kernel_args()
        return np.array([self.slope, self.offset]), v, a, b

    def describe(self):
        return {"name": self.name, "dim": self.dim, "slope": self.slope, "offset": self.offset}


class Cosine(Landscape):
    """U(x) = amplitude * sum_i (1 - cos(2 pi x_i / period)): one length scale of roughness.

    Minima 0 on the lattice period * Z^dim (the origin is reported as global minimum).
    """

    name = "cosine"
    kind = K.COSINE

    def __init__(self, dim: int = 2, amplitude: float = 1.0, period: float = 1.0):
        self.dim = check_int("Cosine", "dim", dim, 1)
        self.amplitude = check_range("Cosine", "amplitude", amplitude, 0.0, lo_open=True)
        self.period = check_range("Cosine", "period", period, 0.0, lo_open=True)
        self.global_minimum = (np.zeros(self.dim), 0.0)

    def kernel_args(self):
        p, v, a, b = super().kernel_args()
        return np.array([self.amplitude, self.period]), v, a, b

    def describe(self):
        return {
            "name": self.name,
            "dim": self.dim,
            "amplitude": self.amplitude,
            "period": self.period,
        }
