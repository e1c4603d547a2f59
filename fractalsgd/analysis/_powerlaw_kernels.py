"""Numba kernels for the power-law KS scan (private)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _ks_scan_continuous(lxs, suffix_log, cand, lxmin):
    """alpha and KS distance D for each candidate tail start index in ``cand``.

    ``lxs`` = ln of the samples sorted ascending,
    ``suffix_log[i] = sum_{j >= i} lxs[j]``. For a tail x_(i..n-1) with xmin = xs[i]
    and m = n - i points (CSN 2009, eq. 3.1), ln xmin = ``lxmin[c]`` (= lxs[i] in a scan):
    alpha = 1 + m / (sum ln x - m ln xmin); D = max_j |F_emp - F_fit| with
    F_fit(x) = 1 - (x / xmin)^(1 - alpha), checked on both sides of each jump of F_emp.
    """
    n = lxs.size
    nc = cand.size
    alpha = np.empty(nc)
    dist = np.empty(nc)
    for c in range(nc):
        i = cand[c]
        m = n - i
        lx = lxmin[c]
        denom = suffix_log[i] - m * lx
        if denom <= 0.0:
            alpha[c] = np.nan
            dist[c] = np.inf
            continue
        a = 1.0 + m / denom
        e = 1.0 - a
        d = 0.0
        for j in range(i, n):
            f = 1.0 - math.exp(e * (lxs[j] - lx))
            hi = (j - i + 1) / m - f
            lo = f - (j - i) / m
            if hi > d:
                d = hi
            if lo > d:
                d = lo
        alpha[c] = a
        dist[c] = d
    return alpha, dist
