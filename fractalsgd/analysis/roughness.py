"""Landscape roughness: MSL vs distance, Hurst exponents, graph and surface dimensions, spectra.

* ``msl_vs_distance``: MSL(dr) = <(L(j) - L(i))^2> binned by dr = ||theta(j) - theta(i)||,
  MSL ~ dr^(2H) (Chen, Qu & Gong 2022).
* ``hurst``: DFA (Peng et al. 1994), variogram / second-order structure function,
  Higuchi (1988) curve length, Haar wavelet (Abry & Veitch 1998) on 1-D profiles.
* ``fractal_dimension``: box dimension of the graph of a function by the variation method
  (Dubuc et al. 1989, Phys. Rev. A 39:1500) or by box counting of the graph, both with
  x and y normalised to [0, 1]; D = 2 - H for self-affine profiles.
* ``surface_dimension``: same for z = Z(x, y) on a grid (D = 3 - H).
* ``loss_spectrum``: Welch power spectral density and its slope, PSD ~ f^-b
  (fBm: b = 2H + 1).
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from .tails import Estimate, _samples

__all__ = [
    "msl_vs_distance",
    "hurst",
    "fractal_dimension",
    "surface_dimension",
    "loss_spectrum",
]


def _ols(lx: np.ndarray, ly: np.ndarray, level: float = 0.95, w=None):
    """Slope, intercept and the t-interval of the slope of ly on lx (weighted if w)."""
    from scipy.stats import t as student

    lx = np.asarray(lx, float)
    ly = np.asarray(ly, float)
    w = np.ones_like(lx) if w is None else np.asarray(w, float)
    W = w.sum()
    mx, my = (w * lx).sum() / W, (w * ly).sum() / W
    sxx = (w * (lx - mx) ** 2).sum()
    slope = (w * (lx - mx) * (ly - my)).sum() / sxx
    icpt = my - slope * mx
    k = lx.size
    if k > 2:
        res = ly - icpt - slope * lx
        s2 = (w * res**2).sum() / (k - 2) / (W / k)
        se = math.sqrt(s2 / (sxx / (W / k)))
        q = float(student.ppf(0.5 + level / 2, k - 2))
        ci = (slope - q * se, slope + q * se)
    else:
        se, ci = math.nan, (math.nan, math.nan)
    return slope, icpt, se, ci


def _profile(profile, name: str, min_n: int = 32) -> np.ndarray:
    if isinstance(profile, xr.DataArray):
        profile = profile.values
    y = np.asarray(profile, dtype=np.float64)
    if y.ndim != 1:
        raise ValueError(f"{name}: profile must be 1-D, got shape {y.shape}")
    return _samples(y, name, min_n=min_n)


def _log_scales(lo: int, hi: int, num: int) -> np.ndarray:
    if hi < lo:
        return np.array([], dtype=int)
    return np.unique(np.round(np.geomspace(lo, hi, num)).astype(int))


def _dfa(y: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """DFA-1 fluctuation F(s) of profile y: rms residual of linear fits in windows of s."""
    n = y.size
    F = np.empty(scales.size)
    for k, s in enumerate(scales):
        m = n // s
        # windows from both ends so no sample is ignored (Kantelhardt et al. 2002)
        segs = np.concatenate([y[: m * s].reshape(m, s), y[n - m * s :].reshape(m, s)])
        t = np.arange(s) - (s - 1) / 2
        tt = (t * t).sum()
        mu = segs.mean(axis=1, keepdims=True)
        b = (segs * t).sum(axis=1, keepdims=True) / tt
        r = segs - mu - b * t
        F[k] = math.sqrt(np.mean(r * r))
    return F


def _variogram(y: np.ndarray, lags: np.ndarray) -> np.ndarray:
    return np.array([np.mean((y[lag:] - y[:-lag]) ** 2) for lag in lags])


def _higuchi(y: np.ndarray, ks: np.ndarray) -> np.ndarray:
    """Higuchi (1988) mean normalised curve length L(k) ~ k^-D."""
    n = y.size
    L = np.empty(ks.size)
    for idx, k in enumerate(ks):
        lm = []
        for m in range(k):
            sub = y[m::k]
            nm = sub.size - 1
            if nm < 1:
                continue
            lm.append(np.abs(np.diff(sub)).sum() * (n - 1) / (nm * k) / k)
        L[idx] = np.mean(lm)
    return L


def _haar(y: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Mean square difference of adjacent, non-overlapping block means of size 2^j."""
    out = np.empty(levels.size)
    for idx, j in enumerate(levels):
        s = 2**j
        m = (y.size // (2 * s)) * 2
        a = y[: m * s].reshape(m, s).mean(axis=1)
        d = a[1::2] - a[0::2]
        out[idx] = np.mean(d * d)
    return out


def hurst(
    profile,
    method: str = "dfa",
    *,
    scales=None,
    level: float = 0.95,
) -> Estimate:
    """Hurst exponent H of a 1-D profile (a fBm-like path: a loss along a line, a cut).

    Scaling laws fitted by least squares in log-log over ``scales`` (default log-spaced):

    * ``"dfa"``: F(s) ~ s^H, DFA-1 of the profile itself (no further integration), windows
      s = 10 .. n/8.
    * ``"variogram"``: <(y(t+l) - y(t))^2> ~ l^(2H), l = 1 .. n/64.
    * ``"higuchi"``: curve length L(k) ~ k^-(2-H), k = 1 .. 64 (at most n/16).
    * ``"wavelet"``: Haar detail variance (difference of adjacent block means of size
      2^j) ~ 2^(2Hj), j = 2 .. log2(n) - 4, with the log-bias correction and weights of
      Abry & Veitch (1998); on fBm of 2^14 points it reads H about 0.02 low.

    The interval is the t-interval of the fitted slope: it ignores the correlation of the
    fluctuations across scales and is therefore a lower bound on the uncertainty.
    """
    methods = ("dfa", "variogram", "higuchi", "wavelet")
    if method not in methods:
        raise ValueError(f"hurst: method must be one of {methods}, got {method!r}")
    name = f"hurst({method})"
    y = _profile(profile, name, min_n=64)
    n = y.size
    if scales is not None:
        sc = np.unique(np.asarray(scales, dtype=int))
        if sc.size < 3 or sc[0] < 1:
            raise ValueError(f"{name}: needs at least 3 positive scales, got {sc.tolist()}")
    if scales is not None and sc.max() > n // 4:
        raise ValueError(f"{name}: scales must be <= n/4 = {n // 4}, got {int(sc.max())}")
    if method == "dfa":
        sc = _log_scales(10, n // 8, 20) if scales is None else sc
        stat = _dfa(y, sc)
        slope_to_h = 1.0
    elif method == "variogram":
        sc = _log_scales(1, max(n // 64, 8), 20) if scales is None else sc
        stat = _variogram(y, sc)
        slope_to_h = 0.5
    elif method == "higuchi":
        sc = _log_scales(1, min(64, n // 16), 20) if scales is None else sc
        stat = _higuchi(y, sc)
        slope_to_h = None
    else:
        sc = np.arange(2, int(math.log2(n)) - 3) if scales is None else sc
        stat = _haar(y, sc)
        slope_to_h = 0.5
    ok = stat > 0
    if ok.sum() < 3:
        raise ValueError(f"{name}: fewer than 3 scales with non-zero fluctuation")
    base = 2.0**sc if method == "wavelet" else sc.astype(float)
    ly = np.log(stat[ok])
    w = None
    if method == "wavelet":
        # Abry & Veitch (1998): with n_j Gaussian details, E ln(mean d^2) = ln E d^2
        # + psi(n_j/2) - ln(n_j/2), Var = psi'(n_j/2): remove the bias, weight by 1/Var
        from scipy.special import polygamma, psi

        nj = (n // (2 * 2 ** sc[ok])).astype(float)
        ly = ly - (psi(nj / 2) - np.log(nj / 2))
        w = 1.0 / polygamma(1, nj / 2)
    slope, _, _, ci = _ols(np.log(base[ok]), ly, level, w=w)
    if slope_to_h is None:  # Higuchi: slope = -D = H - 2
        h, hci = slope + 2, (ci[0] + 2, ci[1] + 2)
    else:
        h, hci = slope * slope_to_h, (ci[0] * slope_to_h, ci[1] * slope_to_h)
    return Estimate(
        float(h),
        (float(hci[0]), float(hci[1])),
        method,
        n,
        level,
        {"scales": sc, "fluctuation": stat},
    )


def _osc_sliding(y: np.ndarray, k: int) -> np.ndarray:
    from scipy.ndimage import maximum_filter1d, minimum_filter1d

    size = 2 * k + 1
    return maximum_filter1d(y, size, mode="nearest") - minimum_filter1d(y, size, mode="nearest")


def fractal_dimension(
    profile,
    method: str = "variation",
    *,
    scales=None,
    level: float = 0.95,
) -> Estimate:
    """Box dimension D of the graph {(t, y(t))} of a sampled function, in [1, 2].

    Both axes are normalised to [0, 1] (t by the sample count, y by its range), so a box
    of side eps is the same size in t and y.

    * ``"variation"`` (default; Dubuc et al. 1989): v(eps) = mean over t of the
      oscillation max - min of y on [t - eps, t + eps]; v ~ eps^(2 - D).
    * ``"boxcount"``: columns of width eps = k / (n - 1); each column, including the sample
      it shares with the next so that the graph stays connected, needs
      max(1, ceil(osc / eps)) boxes; N(eps) ~ eps^-D.

    Scales k (samples) default to 16 log-spaced values in max(2, n/4096) .. n/16. The
    oscillation of a sampled path underestimates that of the continuous one most at small
    k (a maximum over few samples), which biases D low: for Weierstrass profiles with
    n = 2^16 the bias is about -0.05 (variation) and -0.08 (boxcount) at H = 0.3, less at
    larger H. Use long profiles.
    """
    if method not in ("variation", "boxcount"):
        raise ValueError(
            f"fractal_dimension: method must be 'variation' or 'boxcount', got {method!r}"
        )
    name = f"fractal_dimension({method})"
    y = _profile(profile, name, min_n=128)
    n = y.size
    y = (y - y.min()) / (y.max() - y.min())
    if scales is None:
        ks = _log_scales(max(2, n // 4096), max(n // 16, 8), 16)
    else:
        ks = np.unique(np.asarray(scales, int))
    if ks.size < 3 or ks[0] < 1 or ks[-1] > (n - 1) // 2:
        raise ValueError(
            f"{name}: needs at least 3 scales in [1, {(n - 1) // 2}], got {ks.tolist()}"
        )
    eps = ks / (n - 1)
    stat = np.empty(ks.size)
    for i, k in enumerate(ks):
        if method == "variation":
            stat[i] = np.mean(_osc_sliding(y, int(k)))
        else:
            m = (n - 1) // k
            idx = np.arange(m)[:, None] * k + np.arange(k + 1)[None, :]
            seg = y[idx]
            osc = seg.max(axis=1) - seg.min(axis=1)
            boxes = np.maximum(1.0, np.ceil(osc / eps[i] - 1e-12)).sum()
            rest = (n - 1) - m * k  # a last partial column
            if rest > 0:
                tail = y[m * k :]
                boxes += max(1.0, math.ceil((tail.max() - tail.min()) / eps[i] - 1e-12))
            stat[i] = boxes
    slope, _, _, ci = _ols(np.log(eps), np.log(stat), level)
    if method == "variation":
        d, dci = 2 - slope, (2 - ci[1], 2 - ci[0])
    else:
        d, dci = -slope, (-ci[1], -ci[0])
    return Estimate(
        float(d),
        (float(dci[0]), float(dci[1])),
        method,
        n,
        level,
        {"scales": ks, "statistic": stat, "hurst": 2 - d},
    )


def _cell_osc(z: np.ndarray, k: int) -> np.ndarray:
    """max - min of z over the (k+1) x (k+1) cells [ik, ik+k] x [jk, jk+k] (shared borders)."""
    from scipy.ndimage import maximum_filter1d, minimum_filter1d

    # a window of k+1 starting at index p: origin -(k+1)//2 shifts the centred filter
    org = -((k + 1) // 2)
    mx = maximum_filter1d(
        maximum_filter1d(z, k + 1, axis=0, origin=org, mode="nearest"),
        k + 1,
        axis=1,
        origin=org,
        mode="nearest",
    )
    mn = minimum_filter1d(
        minimum_filter1d(z, k + 1, axis=0, origin=org, mode="nearest"),
        k + 1,
        axis=1,
        origin=org,
        mode="nearest",
    )
    m0 = (z.shape[0] - 1) // k
    m1 = (z.shape[1] - 1) // k
    return (mx - mn)[: m0 * k : k, : m1 * k : k]


def surface_dimension(
    Z,
    method: str = "variogram",
    *,
    scales=None,
    level: float = 0.95,
) -> Estimate:
    """Fractal dimension D of the graph of a surface z = Z(i, j) on a square-pixel grid.

    * ``"variogram"`` (default): <(Z(p + r e) - Z(p))^2> ~ r^(2H) along both grid axes,
      r = 1 .. min(shape)/16, D = 3 - H.
    * ``"boxcount"``: x, y scaled so the grid spans [0, 1], z by its range; cells of k x k
      pixels (including their shared border) need max(1, ceil(osc / eps)) cubes of side
      eps = k / (N - 1); N(eps) ~ eps^-D.

    ``details["hurst"]`` = 3 - D.
    """
    if method not in ("variogram", "boxcount"):
        raise ValueError(
            f"surface_dimension: method must be 'variogram' or 'boxcount', got {method!r}"
        )
    name = f"surface_dimension({method})"
    if isinstance(Z, xr.DataArray):
        Z = Z.values
    z = np.asarray(Z, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"{name}: Z must be 2-D, got shape {z.shape}")
    if min(z.shape) < 64:
        raise ValueError(f"{name}: needs a grid of at least 64 x 64, got {z.shape}")
    _samples(z, name, min_n=1)
    nmin = min(z.shape)
    if method == "variogram":
        rs = (
            _log_scales(1, nmin // 16, 16) if scales is None else np.unique(np.asarray(scales, int))
        )
        v = np.array(
            [
                0.5 * (np.mean((z[r:, :] - z[:-r, :]) ** 2) + np.mean((z[:, r:] - z[:, :-r]) ** 2))
                for r in rs
            ]
        )
        slope, _, _, ci = _ols(np.log(rs), np.log(v), level)
        h, hci = slope / 2, (ci[0] / 2, ci[1] / 2)
        d, dci = 3 - h, (3 - hci[1], 3 - hci[0])
        stat = v
    else:
        zn = (z - z.min()) / (z.max() - z.min())
        if scales is None:
            rs = _log_scales(max(2, nmin // 256), max(nmin // 8, 8), 12)
        else:
            rs = np.unique(np.asarray(scales, int))
        N = nmin - 1
        stat = np.empty(rs.size)
        for i, k in enumerate(rs):
            eps = k / N
            osc = _cell_osc(zn, int(k))
            stat[i] = np.maximum(1.0, np.ceil(osc / eps - 1e-12)).mean()
        eps = rs / N
        # N(eps) = (1/eps)^2 * mean number of cubes per column, so that the partial border
        # columns left over when k does not divide the grid do not bias the count
        counts = stat / eps**2
        slope, _, _, ci = _ols(np.log(eps), np.log(counts), level)
        d, dci = -slope, (-ci[1], -ci[0])
        stat = counts
    return Estimate(
        float(d),
        (float(dci[0]), float(dci[1])),
        method,
        int(z.size),
        level,
        {"scales": rs, "statistic": stat, "hurst": 3 - d},
    )


def _pairs(T: int, max_pairs: int, rng):
    """All index pairs i < j, or max_pairs random ones (uniform over pairs)."""
    total = T * (T - 1) // 2
    if total <= max_pairs:
        i, j = np.triu_indices(T, 1)
        return i, j
    i = rng.integers(0, T, max_pairs)
    j = rng.integers(0, T - 1, max_pairs)
    j = np.where(j >= i, j + 1, j)
    return np.minimum(i, j), np.maximum(i, j)


def _pair_distances(xw: np.ndarray, i: np.ndarray, j: np.ndarray, chunk_elems: int = 2**24):
    """||xw[j] - xw[i]|| for index pairs, in chunks of at most ``chunk_elems`` floats so that
    DNN-sized coordinates (P ~ 1e5-1e6) never materialise a pairs x P array."""
    P = xw.shape[1]
    out = np.empty(i.size)
    step = max(1, chunk_elems // max(P, 1))
    for s in range(0, i.size, step):
        d = xw[j[s : s + step]] - xw[i[s : s + step]]
        out[s : s + step] = np.sqrt(np.einsum("ij,ij->i", d, d))
    return out


def msl_vs_distance(
    positions,
    loss=None,
    *,
    bins: int | np.ndarray = 30,
    log_bins: bool = True,
    max_pairs: int = 1_000_000,
    fit_range=None,
    min_count: int = 10,
    level: float = 0.95,
    seed=0,
) -> xr.Dataset:
    """Mean squared loss difference against distance, MSL(dr) = <(L(j) - L(i))^2>.

    ``positions``: schema Dataset with ``position`` and ``loss`` (walker, DNN or null
    model), or an array (time, coord) / (walker, time, coord) with ``loss`` given as
    (time,) / (walker, time). Pairs (i < j) of snapshots of the same walker are binned by
    dr = ||x(j) - x(i)|| (``bins`` log- or linearly spaced edges, or explicit edges); all
    pairs are used up to ``max_pairs`` per walker, beyond that a uniform random subset
    (distances are computed in chunks, so P ~ 1e6 parameters is fine memory-wise; the cost
    is O(pairs * P)).
    H comes from MSL ~ dr^(2H) fitted in log-log over bins with at least ``min_count``
    pairs inside ``fit_range`` = (dr_lo, dr_hi); its interval is the walker bootstrap
    (>= 5 walkers, 200 resamples) or else the t-interval of the slope (pairs overlap, so
    that one is optimistic). Returns a result Dataset over dim ``bin``
    (``result_type = "msl_vs_distance"``; attrs ``H``, ``H_low``, ``H_high``).
    """
    from ..schema import result
    from ._input import as_positions

    p = as_positions(positions, name="msl_vs_distance", min_time=3)
    x = p.x
    attrs = p.attrs
    if loss is None:
        if not isinstance(positions, xr.Dataset) or "loss" not in positions:
            raise ValueError(
                "msl_vs_distance: needs loss (a Dataset variable or the loss argument)"
            )
        L = np.asarray(positions["loss"].transpose("walker", "time").values, dtype=float)
    else:
        L = np.asarray(loss, dtype=float)
        if L.ndim == 1:
            L = L[None]
    if L.shape != x.shape[:2]:
        raise ValueError(f"msl_vs_distance: loss has shape {L.shape}, positions need {x.shape[:2]}")
    if not np.all(np.isfinite(L)):
        w, t = np.argwhere(~np.isfinite(L))[0]
        raise ValueError(f"msl_vs_distance: non-finite loss at walker {w}, time index {t}")
    rng = np.random.default_rng(seed)
    W, T, _ = x.shape
    drs, dl2s, wid = [], [], []
    for w in range(W):
        i, j = _pairs(T, int(max_pairs), rng)
        drs.append(_pair_distances(x[w], i, j))
        dl2s.append((L[w, j] - L[w, i]) ** 2)
        wid.append(np.full(i.size, w))
    dr = np.concatenate(drs)
    dl2 = np.concatenate(dl2s)
    wid = np.concatenate(wid)
    pos = dr > 0
    dr, dl2, wid = dr[pos], dl2[pos], wid[pos]
    if dr.size < 3:
        raise ValueError(f"msl_vs_distance: needs at least 3 pairs at distance > 0, got {dr.size}")
    if np.ndim(bins) == 0:
        nb = int(bins)
        if nb < 3:
            raise ValueError(f"msl_vs_distance: bins must be >= 3, got {bins}")
        lo, hi = dr.min(), dr.max()
        edges = (
            np.geomspace(lo, hi * (1 + 1e-12), nb + 1)
            if log_bins
            else np.linspace(lo, hi * (1 + 1e-12), nb + 1)
        )
    else:
        edges = np.asarray(bins, dtype=float)
    nbin = edges.size - 1
    b = np.searchsorted(edges, dr, side="right") - 1
    inside = (b >= 0) & (b < nbin)

    def table(sel):
        bb = b[sel]
        cnt = np.bincount(bb, minlength=nbin)
        with np.errstate(invalid="ignore", divide="ignore"):
            msl = np.bincount(bb, weights=dl2[sel], minlength=nbin) / cnt
            mdr = np.exp(np.bincount(bb, weights=np.log(dr[sel]), minlength=nbin) / cnt)
        return cnt, msl, mdr

    cnt, msl, mdr = table(inside)
    m2 = np.bincount(b[inside], weights=dl2[inside] ** 2, minlength=nbin)
    with np.errstate(invalid="ignore", divide="ignore"):
        sem = np.sqrt(np.maximum(m2 / cnt - msl**2, 0) / np.maximum(cnt - 1, 1))
    lo_f, hi_f = (-np.inf, np.inf) if fit_range is None else map(float, fit_range)

    def fit(cnt_, msl_, mdr_):
        use = (cnt_ >= min_count) & (msl_ > 0) & (mdr_ >= lo_f) & (mdr_ <= hi_f)
        if use.sum() < 3:
            return math.nan, (math.nan, math.nan), use
        s, _, _, ci = _ols(np.log(mdr_[use]), np.log(msl_[use]), level)
        return s / 2, (ci[0] / 2, ci[1] / 2), use

    H, hci, use = fit(cnt, msl, mdr)
    if math.isnan(H):
        raise ValueError(
            f"msl_vs_distance: fewer than 3 bins with >= {min_count} pairs in the fit range"
        )
    ci_method = "slope t-interval"
    if W >= 5:
        # per-walker bin sums; a bootstrap resample of walkers is a weighted sum of them
        sel = inside
        key = wid[sel] * nbin + b[sel]
        cw = np.bincount(key, minlength=W * nbin).reshape(W, nbin)
        sw = np.bincount(key, weights=dl2[sel], minlength=W * nbin).reshape(W, nbin)
        lw = np.bincount(key, weights=np.log(dr[sel]), minlength=W * nbin).reshape(W, nbin)
        vals = []
        for _ in range(200):
            wt = np.bincount(rng.integers(0, W, W), minlength=W).astype(float)
            c = wt @ cw
            with np.errstate(invalid="ignore", divide="ignore"):
                ms = (wt @ sw) / c
                md = np.exp((wt @ lw) / c)
            h, _, _ = fit(c, ms, md)
            vals.append(h)
        vals = np.asarray(vals)
        vals = vals[np.isfinite(vals)]
        q = (1 - level) / 2
        hci = tuple(np.quantile(vals, [q, 1 - q]))
        ci_method = "walker bootstrap"
    return result(
        {
            "msl": ("bin", msl),
            "msl_sem": ("bin", sem),
            "count": ("bin", cnt.astype(np.int64)),
            "used_in_fit": ("bin", use.astype(np.int8)),
        },
        coords={
            "distance": ("bin", mdr),
            "edge_low": ("bin", edges[:-1]),
            "edge_high": ("bin", edges[1:]),
        },
        inputs=attrs or None,
        config={
            "bins": np.ndim(bins) and list(edges) or int(bins),
            "log_bins": log_bins,
            "max_pairs": max_pairs,
            "min_count": min_count,
            "fit_range": None if fit_range is None else list(fit_range),
        },
        seed=seed,
        result_type="msl_vs_distance",
        H=float(H),
        H_low=float(hci[0]),
        H_high=float(hci[1]),
        level=level,
        ci_method=ci_method,
    )


def loss_spectrum(
    loss,
    *,
    fs: float = 1.0,
    nperseg: int | None = None,
    fit_range=None,
    n_fit_bins: int = 20,
    level: float = 0.95,
) -> xr.Dataset:
    """Power spectral density of a loss series (Welch, Hann window, linear detrend).

    The slope b of PSD ~ f^-b is fitted by least squares of log PSD averaged in
    ``n_fit_bins`` log-spaced frequency bins within ``fit_range`` = (f_lo, f_hi)
    (default: 4 / nperseg * fs .. fs / 4). fBm profile: b = 2H + 1; white noise: b = 0.
    ``nperseg`` defaults to min(n, 4096). Returns a result Dataset over ``freq`` with
    attrs ``slope``, ``slope_low``, ``slope_high``; ``result_type = "loss_spectrum"``.
    """
    from scipy.signal import welch

    from ..schema import result

    if isinstance(loss, xr.Dataset):
        loss = loss["loss"].values
    y = _profile(np.asarray(loss, dtype=float).reshape(-1), "loss_spectrum", min_n=64)
    nps = min(y.size, 4096) if nperseg is None else int(nperseg)
    if nps < 16 or nps > y.size:
        raise ValueError(f"loss_spectrum: nperseg must be in [16, {y.size}], got {nperseg}")
    f, P = welch(y, fs=fs, nperseg=nps, detrend="linear", window="hann")
    f, P = f[1:], P[1:]
    lo, hi = (4 * fs / nps, fs / 4) if fit_range is None else map(float, fit_range)
    use = (f >= lo) & (f <= hi) & (P > 0)
    if use.sum() < 3:
        raise ValueError("loss_spectrum: fewer than 3 frequencies in the fit range")
    edges = np.geomspace(f[use].min(), f[use].max() * (1 + 1e-12), n_fit_bins + 1)
    bidx = np.searchsorted(edges, f[use], side="right") - 1
    cnt = np.bincount(bidx, minlength=n_fit_bins)
    ok = cnt > 0
    lf = np.bincount(bidx, weights=np.log(f[use]), minlength=n_fit_bins)[ok] / cnt[ok]
    lp = np.bincount(bidx, weights=np.log(P[use]), minlength=n_fit_bins)[ok] / cnt[ok]
    slope, icpt, _, ci = _ols(lf, lp, level)
    return result(
        {"psd": ("freq", P), "used_in_fit": ("freq", use.astype(np.int8))},
        coords={"freq": f},
        config={"fs": fs, "nperseg": nps, "fit_range": [lo, hi]},
        result_type="loss_spectrum",
        slope=float(-slope),
        slope_low=float(-ci[1]),
        slope_high=float(-ci[0]),
        intercept=float(icpt),
        level=level,
    )
