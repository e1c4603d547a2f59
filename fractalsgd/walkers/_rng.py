"""Private per-walker random streams for the Numba engine.

Each walker owns a xoshiro256** state (Blackman & Vigna 2021, ACM TOMS 47:36) seeded by
splitmix64 from (seed, walker index), so a walker's stream never depends on how walkers
are spread over threads. Normals: Box-Muller (both outputs used; the fast sin/cos of
the landscape kernels). Symmetric alpha-stable with unit scale: Chambers, Mallows &
Stuck (1976, JASA 71:340),
X = sin(a V) / cos(V)^(1/a) * (cos((1 - a) V) / W)^((1 - a)/a), V ~ U(-pi/2, pi/2),
W ~ Exp(1); characteristic function E exp(iuX) = exp(-|u|^a) (a = 2: N(0, 2)).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, uint64

from ..landscapes._kernels import _cos_fast, _sin_fast

_GOLDEN = uint64(0x9E3779B97F4A7C15)
_M1 = uint64(0xBF58476D1CE4E5B9)
_M2 = uint64(0x94D049BB133111EB)
_TWO53 = 1.0 / 9007199254740992.0


@njit(inline="always", cache=True)
def _rotl(x, k):
    return (x << uint64(k)) | (x >> uint64(64 - k))


@njit(inline="always", cache=True)
def _splitmix(x):
    x = x + _GOLDEN
    z = x
    z = (z ^ (z >> uint64(30))) * _M1
    z = (z ^ (z >> uint64(27))) * _M2
    return x, z ^ (z >> uint64(31))


@njit(cache=True)
def _seed_states(seed, n):
    """(n, 4) xoshiro256** states; walker w's stream depends on (seed, w) only."""
    out = np.empty((n, 4), dtype=np.uint64)
    s0 = uint64(seed)
    for w in range(n):
        x, _ = _splitmix(s0 ^ (uint64(w) * _M2))
        x, _ = _splitmix(x ^ _M1)
        for j in range(4):
            x, z = _splitmix(x)
            out[w, j] = z
    return out


@njit(inline="always", cache=True)
def _next(s):
    result = _rotl(s[1] * uint64(5), 7) * uint64(9)
    t = s[1] << uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return result


@njit(inline="always", cache=True)
def _uniform(s):
    """U(0, 1), 53 random bits, never 0."""
    return (np.float64(_next(s) >> uint64(11)) + 0.5) * _TWO53


@njit(cache=True)
def _fill_normal(s, out):
    n = out.size
    i = 0
    while i < n:
        r = math.sqrt(-2.0 * math.log(_uniform(s)))
        th = 2.0 * math.pi * _uniform(s)
        out[i] = r * _cos_fast(th)
        if i + 1 < n:
            out[i + 1] = r * _sin_fast(th)
        i += 2


@njit(cache=True)
def _fill_stable(s, out, alpha):
    for i in range(out.size):
        v = math.pi * (_uniform(s) - 0.5)
        if alpha == 1.0:
            out[i] = math.tan(v)
            continue
        w = -math.log(_uniform(s))
        out[i] = (
            math.sin(alpha * v)
            / math.cos(v) ** (1.0 / alpha)
            * (math.cos((1.0 - alpha) * v) / w) ** ((1.0 - alpha) / alpha)
        )
