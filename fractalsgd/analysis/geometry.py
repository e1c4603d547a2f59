"""Path geometry: contour length, MSD against contour length, transverse excursions.

SCIENCE.md: the contour length s(i, j) = sum_{k in (i, j]} |x(k) - x(k-1)|; the MSD is
read against s (a straight path has dr^2 = s^2, a random walk dr^2 ~ s); the transverse
excursion of a path fragment is the largest squared distance of its points from the
chord joining its ends, read against the end-to-end distance over random fragments of
50-100 snapshots (tortuosity of the path; Chen, Qu & Gong 2022, Fig. 5).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..schema import result
from ._input import as_positions
from .msd import _check_lags, _result_attrs, _spacing, tamsd

__all__ = ["contour_length", "msd_vs_contour", "transverse_excursion"]


def contour_length(x) -> xr.DataArray:
    """Cumulative path length s(t) = sum_{k <= t} |x(k) - x(k-1)|, s at the first
    snapshot = 0. Returns DataArray ``contour(walker, time)`` with the ``step`` coord."""
    pos = as_positions(x, name="x", min_time=2)
    seg = np.sqrt((np.diff(pos.x, axis=1) ** 2).sum(axis=2))
    s = np.concatenate([np.zeros((pos.x.shape[0], 1)), np.cumsum(seg, axis=1)], axis=1)
    attrs = _result_attrs(pos.attrs, analysis="contour_length")
    return xr.DataArray(
        s,
        dims=("walker", "time"),
        coords={"walker": np.arange(s.shape[0]), "step": ("time", pos.step)},
        name="contour",
        attrs=attrs,
    )


def msd_vs_contour(x, lags=None) -> xr.Dataset:
    """TAMSD dr^2(lag) with the mean contour length s(lag) = mean_i s(i, i + lag).

    Both averaged over the same time origins, per walker, on evenly spaced snapshots.
    Returns Dataset ``tamsd(walker, lag)``, ``contour(walker, lag)``
    (``result_type="msd_vs_contour"``): plot tamsd against contour.
    """
    pos = as_positions(x, name="x", min_time=2)
    s = _spacing(pos.step)
    if s is None:
        raise ValueError("x: msd_vs_contour needs evenly spaced snapshots")
    if lags is not None:
        lags = _check_lags(lags)
        if np.any(lags % s):
            raise ValueError(f"lags must be multiples of the snapshot spacing {s}")
        lags = lags // s
    d2 = tamsd(pos.x, lags=lags)  # index lags on the unit grid
    c = contour_length(pos.x).values
    N = c.shape[1]
    cc = np.concatenate([np.zeros((c.shape[0], 1)), np.cumsum(c, axis=1)], axis=1)
    m = d2["lag"].values
    # mean_{i < N-m} (c[i+m] - c[i]) = (sum_{i=m}^{N-1} c - sum_{i=0}^{N-m-1} c) / (N - m)
    mean_s = ((cc[:, N] - cc[:, m].T).T - cc[:, N - m]) / (N - m)
    return result(
        {"tamsd": (("walker", "lag"), d2.values), "contour": (("walker", "lag"), mean_s)},
        coords={"walker": np.arange(c.shape[0]), "lag": m * s},
        inputs=pos.attrs,
        result_type="msd_vs_contour",
    )


def transverse_excursion(x, fragment=(50, 100), n_fragments: int = 1000, *, seed=0):
    """Largest squared distance from the chord, for random path fragments.

    A fragment is ``L`` consecutive snapshots of one walker (``fragment`` = L, or (lo, hi)
    for L uniform in lo..hi), start uniform; for points p_k and chord a -> b,
    h^2 = max_k (|p_k - a|^2 - ((p_k - a) . u)^2), u = (b - a)/|b - a|. Returns Dataset
    over dim ``fragment``: ``transverse`` (h^2), ``end_to_end`` (|b - a|), ``length``
    (snapshots), ``walker``, ``start`` (time index); ``result_type="transverse"``.
    """
    pos = as_positions(x, name="x", min_time=3)
    if np.ndim(fragment) == 0:
        lo = hi = int(fragment)
    else:
        lo, hi = (int(v) for v in fragment)
    if lo < 3 or hi < lo:
        raise ValueError(f"fragment must be >= 3 snapshots (or lo <= hi), got {fragment}")
    n_walker, n_time, _ = pos.x.shape
    if hi > n_time:
        raise ValueError(f"fragment of {hi} snapshots exceeds the trajectory ({n_time})")
    if int(n_fragments) < 1:
        raise ValueError(f"n_fragments must be >= 1, got {n_fragments}")
    rng = np.random.default_rng(seed)
    L = rng.integers(lo, hi + 1, n_fragments)
    w = rng.integers(0, n_walker, n_fragments)
    start = (rng.random(n_fragments) * (n_time - L + 1)).astype(np.int64)
    h2 = np.empty(n_fragments)
    r = np.empty(n_fragments)
    for f in range(n_fragments):
        p = pos.x[w[f], start[f] : start[f] + L[f]].astype(np.float64)
        d = p - p[0]
        chord = d[-1]
        n2 = float(chord @ chord)
        r[f] = np.sqrt(n2)
        dist2 = (d * d).sum(axis=1)
        if n2 > 0:
            dist2 = dist2 - (d @ chord) ** 2 / n2
        h2[f] = max(0.0, float(dist2.max()))
    return result(
        {
            "transverse": ("fragment", h2),
            "end_to_end": ("fragment", r),
            "length": ("fragment", L),
            "walker": ("fragment", w),
            "start": ("fragment", start),
        },
        inputs=pos.attrs,
        config={"fragment": [lo, hi], "n_fragments": int(n_fragments), "seed": seed},
        seed=seed,
        result_type="transverse",
    )
