"""Private Numba kernel of the walker engine: one chunk of steps for all walkers.

Update (per walker, per step t): v <- momentum v - lr grad U(x); x' = x + v + noise xi;
boundary rule on x'; x <- x'. With the periodic rule x is kept unwrapped (so
displacements stay meaningful) and U is evaluated at x wrapped into the box. Walkers
run in parallel (prange) and each draws from its own stream, so results do not depend
on the number of threads.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ..landscapes._kernels import _energy_one, _grad_into
from ._rng import _fill_normal, _fill_stable

NONE, REFLECT, PERIODIC, REDRAW = 0, 1, 2, 3
GAUSSIAN, LEVY = 0, 1
#: redraws of the noise before a step that keeps leaving the box is clipped onto it
MAX_REDRAW = 1000


@njit(inline="always", cache=True)
def _draw(s, xi, noise_kind, alpha):
    if noise_kind == LEVY:
        _fill_stable(s, xi, alpha)
    else:
        _fill_normal(s, xi)


@njit(inline="always", cache=True)
def _inside(xn, lo, hi):
    for i in range(xn.size):
        if not (xn[i] >= lo[i] and xn[i] <= hi[i]):
            return False
    return True


@njit(inline="always", cache=True)
def _wrap(x, lo, hi, out):
    """out = x wrapped into [lo, hi) coordinate-wise."""
    for i in range(x.size):
        L = hi[i] - lo[i]
        out[i] = x[i] - math.floor((x[i] - lo[i]) / L) * L


@njit(parallel=True, cache=True, fastmath={"contract"})
def _run_chunk(
    kind, p, v, a, b,
    x, vel, states, alive, div_step,
    t0, t1, lr, mom, noise, noise_kind, alpha, boundary, lo, hi,
    snap_steps, j0, pos_out, loss_out, steplen, path, n_taken, redraws, clipped,
):  # fmt: skip
    """Advance every live walker from step t0 to t1, recording snapshots and step lengths
    (``steplen[t - t0 - 1, w]``, NaN once a walker has diverged)."""
    n_w, dim = x.shape
    n_snap = snap_steps.size
    for w in prange(n_w):
        if not alive[w]:
            for t in range(t1 - t0):
                steplen[t, w] = np.nan
            continue
        g = np.empty(dim)
        w1 = np.empty(dim)
        w2 = np.empty(dim)
        xi = np.empty(dim)
        xn = np.empty(dim)
        xe = np.empty(dim)  # periodic: the position wrapped into the box
        s = states[w]
        xw = x[w]
        vw = vel[w]
        j = j0
        for t in range(t0 + 1, t1 + 1):
            if boundary == PERIODIC:
                _wrap(xw, lo, hi, xe)
                _grad_into(kind, p, v, a, b, xe, g, w1, w2)
            else:
                _grad_into(kind, p, v, a, b, xw, g, w1, w2)
            for i in range(dim):
                vw[i] = mom * vw[i] - lr * g[i]
            if noise != 0.0:
                _draw(s, xi, noise_kind, alpha)
            else:
                xi[:] = 0.0
            for i in range(dim):
                xn[i] = xw[i] + vw[i] + noise * xi[i]
            if boundary == REDRAW:
                tries = 0
                while not _inside(xn, lo, hi) and tries < MAX_REDRAW and noise != 0.0:
                    _draw(s, xi, noise_kind, alpha)
                    for i in range(dim):
                        xn[i] = xw[i] + vw[i] + noise * xi[i]
                    tries += 1
                redraws[w] += tries
                if not _inside(xn, lo, hi):  # still outside after MAX_REDRAW tries: clip
                    clipped[w] += 1
                    for i in range(dim):
                        xn[i] = min(max(xn[i], lo[i]), hi[i])
            elif boundary == REFLECT:
                for i in range(dim):
                    L = hi[i] - lo[i]
                    q = (xn[i] - lo[i]) / L
                    if q < 0.0 or q > 1.0:
                        m = math.floor(q)
                        r = (xn[i] - lo[i]) - m * L
                        if m % 2 != 0:
                            r = L - r
                            vw[i] = -vw[i]
                        xn[i] = lo[i] + r
            sl = 0.0
            finite = True
            for i in range(dim):
                d = xn[i] - xw[i]
                sl += d * d
                finite &= math.isfinite(xn[i])
            if not finite:
                alive[w] = False
                div_step[w] = t
                for tt in range(t - t0 - 1, t1 - t0):
                    steplen[tt, w] = np.nan
                break
            sl = math.sqrt(sl)
            steplen[t - t0 - 1, w] = sl
            path[w] += sl
            n_taken[w] += 1
            for i in range(dim):
                xw[i] = xn[i]
            if j < n_snap and snap_steps[j] == t:
                for i in range(dim):
                    pos_out[w, j, i] = xw[i]
                if boundary == PERIODIC:
                    _wrap(xw, lo, hi, xe)
                    loss_out[w, j] = _energy_one(kind, p, v, a, b, xe)
                else:
                    loss_out[w, j] = _energy_one(kind, p, v, a, b, xw)
                j += 1


@njit(parallel=True, cache=True)
def _step_means(steplen, n, out):
    """out[t] = mean over walkers of the non-NaN steplen[t, :] (NaN if none), t < n."""
    n_w = steplen.shape[1]
    for t in prange(n):
        acc = 0.0
        c = 0
        for w in range(n_w):
            v = steplen[t, w]
            if v == v:
                acc += v
                c += 1
        out[t] = acc / c if c > 0 else np.nan
