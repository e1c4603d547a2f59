"""Numba kernels of the FFT TAMSD (private; see :func:`fractalsgd.analysis.msd.tamsd`)."""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def _fill_block(x, b0, b1, n_win, window, c0, c1, buf, sq, mu):
    """Centre and transpose windows into the zero-padded FFT buffer, in one pass each.

    For batch item k = b - b0 (walker w, window j): buf[k, c, t] = x[w, j W + t, c0 + c]
    - mean_t, and sq[k, t] += sum_c buf[k, c, t]^2. Returns -1, or the batch item whose
    mean is not finite (the caller locates the bad value and raises).
    """
    nc = c1 - c0
    for k in range(b1 - b0):
        w = (b0 + k) // n_win
        t0 = ((b0 + k) % n_win) * window
        for c in range(nc):
            mu[c] = 0.0
        for t in range(window):
            for c in range(nc):
                mu[c] += x[w, t0 + t, c0 + c]
        for c in range(nc):
            mu[c] /= window
            if not np.isfinite(mu[c]):
                return k
        for t in range(window):
            acc = 0.0
            for c in range(nc):
                v = x[w, t0 + t, c0 + c] - mu[c]
                buf[k, c, t] = v
                acc += v * v
            sq[k, t] += acc
    return -1


@nb.njit(cache=True)
def _power_sum(spec, out):
    """out[k, f] += sum_c |spec[k, c, f]|^2."""
    for k in range(spec.shape[0]):
        for c in range(spec.shape[1]):
            for f in range(spec.shape[2]):
                z = spec[k, c, f]
                out[k, f] += z.real * z.real + z.imag * z.imag
