"""A subsampled randomised Hadamard transform (SRHT): a fast Johnson-Lindenstrauss sketch.

S x = k^{-1/2} R H D x, with D a diagonal of random signs (P' x P', x zero-padded to
P' = 2^ceil(log2 P)), H the unnormalised Walsh-Hadamard matrix (H^T H = P' I), applied by
the fast transform in O(P' log P') operations, and R the selection of k of its P' rows,
drawn uniformly without replacement (Ailon & Chazelle 2009; Tropp 2011). No P x k matrix
is ever formed: the sketch needs P signs and k indices.

Properties (S is linear): E ||S x||^2 = ||x||^2. After H D, the squared entries of a fixed
vector are flattened to about ||x||^2 / P' each, so ||S x||^2 / ||x||^2 is, to leading
order, a normalised sum of k near-independent chi^2_1 terms: its relative standard
deviation is about sqrt(2 / k) (times the finite-population factor sqrt(1 - k / P')), i.e.
4.4 % for k = 1024, and distances ||S(a - b)|| are distorted by about sqrt(1 / (2 k))
(2.2 %). Tropp (2011) bounds the worst case over n vectors by eps with
k = O(eps^-2 log n log P).

The distortion is random over the draw of S, not over the vectors: with one fixed S,
strongly correlated vectors (the differences along one trajectory lie close to a few
directions) share nearly the same factor, so a sketched MSD curve may be off by a common
factor of order 1 +- sqrt(2 / k) while its shape (exponents) is kept. Averaging over
several seeds removes that factor.
"""

from __future__ import annotations

import math

import numpy as np
import torch

__all__ = ["SRHTSketch", "fwht"]


_H_CACHE: dict = {}


def _hadamard(f: int, dtype, device) -> torch.Tensor:
    key = (f, dtype, str(device))
    if key not in _H_CACHE:
        h = torch.ones((1, 1), dtype=dtype, device=device)
        while h.shape[0] < f:
            h = torch.cat([torch.cat([h, h], 1), torch.cat([h, -h], 1)], 0)
        _H_CACHE[key] = h
    return _H_CACHE[key]


def fwht(x: torch.Tensor, max_factor: int = 64) -> torch.Tensor:
    """Unnormalised fast Walsh-Hadamard transform (Sylvester order) over the last dim.

    Uses H_n = H_f1 (x) H_f2 (x) ... (Kronecker factors of size <= ``max_factor``): each
    factor is one small matrix product along one axis of the reshaped vector, followed by
    a cyclic rotation of the axes, O(n sum f_i) operations in a few large kernels.
    """
    n = x.shape[-1]
    if n < 1 or n & (n - 1):
        raise ValueError(f"fwht needs a power-of-two length, got {n}")
    lead = x.shape[:-1]
    y = x.reshape(-1, n)
    b = y.shape[0]
    m = n.bit_length() - 1
    kmax = max_factor.bit_length() - 1
    while m > 0:
        f = 1 << min(m, kmax)
        y = torch.matmul(_hadamard(f, y.dtype, y.device), y.reshape(b, f, n // f))
        y = y.transpose(1, 2).reshape(b, n)
        m -= min(m, kmax)
    return y.reshape(*lead, n)


class SRHTSketch:
    """The SRHT ``S: R^P -> R^k`` (see module docstring), fixed by ``seed``.

    ``sketch(x)`` accepts ``(P,)`` or ``(B, P)`` tensors and returns ``(k,)`` / ``(B, k)``
    in ``dtype`` (float64 by default, so that differences of nearby sketches stay exact to
    float64 rounding).
    """

    def __init__(self, dim_in: int, k: int = 1024, seed: int = 0, device=None,
                 dtype=torch.float64):  # fmt: skip
        if dim_in < 1 or k < 1:
            raise ValueError(f"sketch needs dim_in >= 1 and k >= 1, got {dim_in}, {k}")
        self.dim_in = int(dim_in)
        self.k = int(k)
        self.padded = 1 << max(0, math.ceil(math.log2(max(self.dim_in, self.k))))
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x5EE7]))
        signs = rng.integers(0, 2, self.dim_in) * 2 - 1
        rows = np.sort(rng.choice(self.padded, size=self.k, replace=False))
        self.dtype = dtype
        self.signs = torch.as_tensor(signs, dtype=dtype, device=device)
        self.rows = torch.as_tensor(rows, dtype=torch.long, device=device)
        self.scale = 1.0 / math.sqrt(self.k)

    def sketch(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] != self.dim_in:
            raise ValueError(f"sketch expects last dim {self.dim_in}, got {tuple(x.shape)}")
        z = x.to(self.dtype) * self.signs
        if self.padded > self.dim_in:
            z = torch.nn.functional.pad(z, (0, self.padded - self.dim_in))
        return fwht(z)[..., self.rows] * self.scale

    __call__ = sketch

    def describe(self) -> str:
        return (
            f"SRHT sketch k={self.k} of P={self.dim_in} (padded {self.padded}): "
            "S x = k^-1/2 R H D x; squared-distance distortion rel. std ~ sqrt(2/k)"
        )
