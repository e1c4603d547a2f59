"""Private per-walker random streams for the Numba engine.

Each walker owns a xoshiro256** state (Blackman & Vigna 2021, ACM TOMS 47:36) seeded by
splitmix64 from (seed, walker index), so a walker's stream never depends on how walkers
are spread over threads. Normals: the 128-layer ziggurat
(Marsaglia & Tsang 2000). Symmetric alpha-stable with unit scale: Chambers, Mallows &
Stuck (1976, JASA 71:340),
X = sin(a V) / cos(V)^(1/a) * (cos((1 - a) V) / W)^((1 - a)/a), V ~ U(-pi/2, pi/2),
W ~ Exp(1); characteristic function E exp(iuX) = exp(-|u|^a) (a = 2: N(0, 2)).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, uint64

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


def _ziggurat_tables(c=128, r=3.442619855899, v=9.91256303526217e-3):
    """Layer edges X[0..c] and ratios X[i+1]/X[i] of the 128-layer normal ziggurat
    (Marsaglia & Tsang 2000, J. Stat. Softw. 5(8); double-precision form of Doornik 2005)."""
    x = np.zeros(c + 1)
    f = math.exp(-0.5 * r * r)
    x[0] = v / f
    x[1] = r
    for i in range(2, c):
        x[i] = math.sqrt(-2.0 * math.log(v / x[i - 1] + f))
        f = math.exp(-0.5 * x[i] * x[i])
    return x, x[1:] / x[:-1]


_ZX, _ZR = _ziggurat_tables()
_ZTAIL = 3.442619855899


@njit(inline="always", cache=True)
def _normal(s):
    """One standard normal by the ziggurat: one 64-bit draw gives the layer (7 low bits)
    and a signed uniform (53 high bits); ~99% of draws are accepted at the first test."""
    while True:
        b = _next(s)
        i = np.int64(b & uint64(127))
        u = 2.0 * (np.float64(b >> uint64(11)) + 0.5) * _TWO53 - 1.0
        if abs(u) < _ZR[i]:
            return u * _ZX[i]
        if i == 0:  # the tail beyond R (Marsaglia 1964)
            while True:
                t = math.log(_uniform(s)) / _ZTAIL
                y = math.log(_uniform(s))
                if -2.0 * y >= t * t:
                    return t - _ZTAIL if u < 0 else _ZTAIL - t
        x = u * _ZX[i]
        f0 = math.exp(-0.5 * (_ZX[i] * _ZX[i] - x * x))
        f1 = math.exp(-0.5 * (_ZX[i + 1] * _ZX[i + 1] - x * x))
        if f1 + _uniform(s) * (f0 - f1) < 1.0:
            return x


@njit(cache=True)
def _fill_normal(s, out):
    for i in range(out.size):
        out[i] = _normal(s)


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
