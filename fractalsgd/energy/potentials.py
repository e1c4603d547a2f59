"""Analytic test potentials with the landscape interface (``energy``, ``gradient``, ``dim``).

All take positions ``x`` of shape (n, dim) (a single point of shape (dim,) is accepted) and
return energies of shape (n,) and gradients of shape (n, dim), like
:mod:`fractalsgd.landscapes`. Their minima, saddles and barriers are known in closed form,
which is what the energy-landscape tools are tested against.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DoubleWell", "Cosine", "MuellerBrown"]


def _points(x, dim: int) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1 and a.shape[0] == dim:
        a = a[None]
    if a.ndim != 2 or a.shape[1] != dim:
        raise ValueError(f"x: expected shape (n, {dim}), got {np.shape(x)}")
    return a


class DoubleWell:
    """V(x) = h (x_0^2 - 1)^2 + (k/2) sum_{i>0} x_i^2.

    Minima at x_0 = +-1 (others 0) with V = 0, the saddle at the origin with V = h: the
    barrier is exactly ``h``.
    """

    def __init__(self, height: float = 1.0, dim: int = 1, stiffness: float = 1.0):
        if not height > 0:
            raise ValueError(f"height must be > 0, got {height}")
        if int(dim) < 1:
            raise ValueError(f"dim must be >= 1, got {dim}")
        self.height = float(height)
        self.dim = int(dim)
        self.stiffness = float(stiffness)

    def energy(self, x) -> np.ndarray:
        x = _points(x, self.dim)
        return self.height * (x[:, 0] ** 2 - 1.0) ** 2 + 0.5 * self.stiffness * np.sum(
            x[:, 1:] ** 2, axis=1
        )

    def gradient(self, x) -> np.ndarray:
        x = _points(x, self.dim)
        g = self.stiffness * x.copy()
        g[:, 0] = 4.0 * self.height * x[:, 0] * (x[:, 0] ** 2 - 1.0)
        return g

    def describe(self) -> dict:
        return {"name": "double_well", "height": self.height, "dim": self.dim}


class Cosine:
    """V(x) = A sum_i (1 - cos(2 pi x_i / L)).

    Minima on the lattice L Z^dim with V = 0; first-order saddles at one coordinate
    L/2 (mod L) and the others on the lattice, V = 2A: the barrier between adjacent minima
    (and the minimax barrier between any two) is exactly ``2 A``.
    """

    def __init__(self, amplitude: float = 1.0, period: float = 1.0, dim: int = 2):
        if not amplitude > 0 or not period > 0:
            raise ValueError("amplitude and period must be > 0")
        self.amplitude = float(amplitude)
        self.period = float(period)
        self.dim = int(dim)

    def energy(self, x) -> np.ndarray:
        x = _points(x, self.dim)
        return self.amplitude * np.sum(1.0 - np.cos(2 * np.pi * x / self.period), axis=1)

    def gradient(self, x) -> np.ndarray:
        x = _points(x, self.dim)
        k = 2 * np.pi / self.period
        return self.amplitude * k * np.sin(k * x)

    def describe(self) -> dict:
        return {"name": "cosine", "amplitude": self.amplitude, "period": self.period}


class MuellerBrown:
    """The Mueller-Brown potential (K. Mueller, L. D. Brown, Theor. Chim. Acta 53, 75 (1979)).

    V(x, y) = sum_k A_k exp(a_k (x - x0_k)^2 + b_k (x - x0_k)(y - y0_k) + c_k (y - y0_k)^2)
    with A = (-200, -100, -170, 15), a = (-1, -1, -6.5, 0.7), b = (0, 0, 11, 0.6),
    c = (-10, -10, -6.5, 0.7), x0 = (1, 0, -0.5, -1), y0 = (0, 0.5, 1.5, 1).
    Three minima (``MINIMA``) and two first-order saddles (``SADDLES``), values from
    Newton refinement of grad V = 0 (tests check them).
    """

    A = np.array([-200.0, -100.0, -170.0, 15.0])
    a = np.array([-1.0, -1.0, -6.5, 0.7])
    b = np.array([0.0, 0.0, 11.0, 0.6])
    c = np.array([-10.0, -10.0, -6.5, 0.7])
    x0 = np.array([1.0, 0.0, -0.5, -1.0])
    y0 = np.array([0.0, 0.5, 1.5, 1.0])
    MINIMA = np.array([[-0.558224, 1.441726], [0.623499, 0.028038], [-0.050011, 0.466694]])
    SADDLES = np.array([[-0.822002, 0.624313], [0.212487, 0.292988]])
    dim = 2

    def _terms(self, x):
        x = _points(x, 2)
        dx = x[:, :1] - self.x0
        dy = x[:, 1:] - self.y0
        e = self.A * np.exp(self.a * dx**2 + self.b * dx * dy + self.c * dy**2)
        return dx, dy, e

    def energy(self, x) -> np.ndarray:
        return self._terms(x)[2].sum(axis=1)

    def gradient(self, x) -> np.ndarray:
        dx, dy, e = self._terms(x)
        gx = (e * (2 * self.a * dx + self.b * dy)).sum(axis=1)
        gy = (e * (self.b * dx + 2 * self.c * dy)).sum(axis=1)
        return np.stack([gx, gy], axis=1)

    def describe(self) -> dict:
        return {"name": "mueller_brown"}
