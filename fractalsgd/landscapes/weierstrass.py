"""Random-phase Weierstrass-Mandelbrot potentials."""

from __future__ import annotations

import numpy as np

from . import _kernels as K
from ._base import Landscape, check_int, check_range

__all__ = ["Weierstrass"]


class Weierstrass(Landscape):
    r"""U(x) = A sum_i sum_{n<N} gamma^{-nH} (cos phi_in - cos(gamma^n y_i + phi_in)) + k/2 |x|^2.

    y = R x with R a Haar-random rotation when ``rotate`` (else y = x), phases phi_in
    uniform on [0, 2 pi) drawn from ``seed``; U(0) = 0. As N -> inf each coordinate's
    graph has box dimension 2 - H (Berry & Lewis 1980, Proc. R. Soc. A 370:459).
    Gradient, exact: dU/dy_i = A sum_n gamma^{n(1-H)} sin(gamma^n y_i + phi_in);
    grad U = R^T dU/dy + k x. ``confine`` = k > 0 adds the quadratic term so that a
    global minimum exists (its position is not known in closed form: global_minimum None).
    """

    name = "weierstrass"
    kind = K.WEIERSTRASS

    def __init__(
        self,
        dim: int = 2,
        hurst: float = 0.5,
        gamma: float = 1.5,
        n_terms: int = 20,
        amplitude: float = 1.0,
        seed: int = 0,
        rotate: bool = False,
        confine: float = 0.0,
    ):
        own = "Weierstrass"
        self.dim = check_int(own, "dim", dim, 1)
        self.hurst = check_range(own, "hurst", hurst, 0.0, 1.0, lo_open=True)
        self.gamma = check_range(own, "gamma", gamma, 1.0, lo_open=True)
        self.n_terms = check_int(own, "n_terms", n_terms, 1)
        self.amplitude = check_range(own, "amplitude", amplitude, 0.0, lo_open=True)
        self.seed = check_int(own, "seed", seed, 0)
        self.rotate = bool(rotate)
        self.confine = check_range(own, "confine", confine, 0.0)
        if self.gamma ** (self.n_terms - 1) > 1e12:
            raise ValueError(
                f"{own}: gamma^(n_terms-1) must stay <= 1e12 (frequencies beyond double "
                f"precision), got {self.gamma:g}^{self.n_terms - 1}"
            )
        self.cost = self.n_terms
        rng = np.random.default_rng(self.seed)
        self.phases = rng.uniform(0.0, 2.0 * np.pi, size=(self.n_terms, self.dim))
        if self.rotate:
            q, r = np.linalg.qr(rng.standard_normal((self.dim, self.dim)))
            self.rotation = np.ascontiguousarray(q * np.sign(np.diag(r)))  # Haar (Mezzadri 2007)
        else:
            self.rotation = np.eye(1)
        n = np.arange(self.n_terms)
        freq = self.gamma**n
        ew = self.amplitude * self.gamma ** (-n * self.hurst)
        gw = ew * freq
        const = float(np.sum(ew[:, None] * np.cos(self.phases)))
        self._p = np.array([self.amplitude, self.confine, float(self.rotate), const])
        self._v = np.concatenate([freq, gw, ew])

    def kernel_args(self):
        return self._p, self._v, self.phases, self.rotation

    def describe(self):
        return {
            "name": self.name,
            "dim": self.dim,
            "hurst": self.hurst,
            "gamma": self.gamma,
            "n_terms": self.n_terms,
            "amplitude": self.amplitude,
            "seed": self.seed,
            "rotate": self.rotate,
            "confine": self.confine,
        }
