"""Exponents of MSD curves: local exponent, power-law fit, crossover (breakpoint) fit.

All functions take an MSD DataArray with a ``lag`` dimension (from :func:`tamsd`,
:func:`eamsd`, :func:`aging_msd`, :func:`read_tamsd_csv`) or a 1-d numpy array with
``lags``. Fits are least squares of ln MSD on ln lag. Lags are thinned to at most
``points_per_decade`` per decade (nearest recorded lags to a log grid) so that the many
long lags of a linear lag grid do not outweigh the short ones on log axes.

Confidence intervals (percentile, level ``ci``):

* several curves along ``sample_dim`` (walkers; or windows if asked): bootstrap over that
  dimension - resample curves with replacement, refit the mean curve;
* a single curve: moving-block bootstrap of the log-log residuals (block length
  ~ sqrt(n) points) around the fitted model, which keeps the strong correlation of MSD
  estimates at neighbouring lags inside each block. This reflects noise and misfit of
  the curve, not seed-to-seed variation: prefer several walkers/seeds where possible.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..schema import result

__all__ = ["local_exponent", "fit_power_law", "fit_crossover"]


def _as_curves(msd, lags=None) -> xr.DataArray:
    if isinstance(msd, xr.Dataset):
        for name in ("tamsd", "eamsd", "aging_msd", "msd"):
            if name in msd:
                msd = msd[name]
                break
        else:
            raise ValueError("msd: Dataset has no variable tamsd, eamsd, aging_msd or msd")
    if not isinstance(msd, xr.DataArray):
        arr = np.asarray(msd, dtype=float)
        if arr.ndim != 1:
            raise ValueError(f"msd: numpy input must be 1-d (one curve), got shape {arr.shape}")
        lag = np.arange(1, arr.size + 1) if lags is None else np.asarray(lags, dtype=float)
        if lag.shape != arr.shape:
            raise ValueError(f"lags: shape {lag.shape} does not match msd shape {arr.shape}")
        msd = xr.DataArray(arr, dims=("lag",), coords={"lag": lag})
    if "lag" not in msd.dims:
        raise ValueError(f"msd: needs a 'lag' dimension, got dims {msd.dims}")
    lag = np.asarray(msd["lag"].values, dtype=float)
    if np.any(lag <= 0) or np.any(np.diff(lag) <= 0):
        raise ValueError("msd: lags must be positive and increasing")
    return msd.transpose(..., "lag")


def _check_positive(m: xr.DataArray) -> xr.DataArray:
    vals = np.asarray(m.values, dtype=float)
    lag = m["lag"].values
    bad = np.isfinite(vals) & (vals <= 0)
    if bad.any():
        where = np.argwhere(bad)[0]
        raise ValueError(
            f"msd: non-positive value {vals[tuple(where)]:g} at lag {lag[where[-1]]:g} "
            "(log-log analysis needs MSD > 0; restrict lag_range)"
        )
    if np.isinf(vals).any():
        raise ValueError("msd: infinite values")
    return m


def local_exponent(
    msd, delta: int = 20, *, method: str = "difference", width: float = 0.2, lags=None
) -> xr.DataArray:
    """Local exponent beta(tau) of an MSD curve.

    ``method="difference"`` (the paper): beta(tau) = [ln m(tau+delta) - ln m(tau)] /
    [ln(tau+delta) - ln tau], for every tau with tau + delta <= largest lag. Where
    tau + delta is not itself a recorded lag, ln m is interpolated linearly in ln tau.
    ``method="loglog"``: least-squares slope of ln m on ln tau over the lags within
    ``width`` decades centred on tau (at least 3 points). NaN in the MSD (lags not
    recorded) gives NaN beta there. Returns DataArray ``beta`` with the MSD's other dims.
    """
    m = _check_positive(_as_curves(msd, lags))
    if method not in ("difference", "loglog"):
        raise ValueError(f"method must be 'difference' or 'loglog', got {method!r}")
    if method == "difference" and not delta > 0:
        raise ValueError(f"delta must be > 0, got {delta}")
    if method == "loglog" and not width > 0:
        raise ValueError(f"width must be > 0 decades, got {width}")
    lag = np.asarray(m["lag"].values, dtype=float)
    y = np.log(np.asarray(m.values, dtype=float))
    fn = _local_diff if method == "difference" else _local_loglog
    par = delta if method == "difference" else width
    if np.isfinite(y).all():
        beta, keep = fn(lag, y, par)
        if not keep.any():
            raise ValueError(f"delta={delta} is not smaller than the lag range {lag[-1]:g}")
    else:  # curves recorded on different lags (NaN elsewhere): one by one, finite lags only
        flat = y.reshape(-1, lag.size)
        out = np.full(flat.shape, np.nan)
        for i, row in enumerate(flat):
            ok = np.isfinite(row)
            if ok.sum() >= 2:
                b, k = fn(lag[ok], row[ok], par)
                out[i, np.flatnonzero(ok)[k]] = b
        keep = np.isfinite(out).any(axis=0)
        if not keep.any():
            raise ValueError(f"delta={delta} is not smaller than the lag range of any curve")
        beta = out.reshape(y.shape)[..., keep]
    out_lag = m["lag"].values[keep]
    coords = {k: v for k, v in m.coords.items() if "lag" not in v.dims}
    coords["lag"] = out_lag
    attrs = dict(m.attrs)
    attrs.update(analysis="local_exponent", method=method)
    if method == "difference":
        attrs["delta"] = delta
    else:
        attrs["width_decades"] = width
    return xr.DataArray(beta, dims=m.dims, coords=coords, name="beta", attrs=attrs)


def _local_diff(lag, y, delta):
    u = np.log(lag)
    keep = lag + delta <= lag[-1]
    if not keep.any():
        return np.zeros(y.shape[:-1] + (0,)), keep
    tgt = np.log(lag[keep] + delta)
    j = np.clip(np.searchsorted(u, tgt), 1, u.size - 1)
    frac = (tgt - u[j - 1]) / (u[j] - u[j - 1])
    y_t = y[..., j - 1] + frac * (y[..., j] - y[..., j - 1])
    return (y_t - y[..., keep]) / (tgt - u[keep]), keep


def _local_loglog(lag, y, width):
    u = np.log(lag)
    h = 0.5 * width * np.log(10)
    lo = np.searchsorted(u, u - h - 1e-12, side="left")
    hi = np.searchsorted(u, u + h + 1e-12, side="right")

    def csum(a):
        return np.concatenate([np.zeros(a.shape[:-1] + (1,)), np.cumsum(a, axis=-1)], -1)

    n = (hi - lo).astype(float)
    su, suu = csum(u), csum(u * u)
    sy, suy = csum(y), csum(y * u)
    Su, Suu = su[hi] - su[lo], suu[hi] - suu[lo]
    Sy, Suy = sy[..., hi] - sy[..., lo], suy[..., hi] - suy[..., lo]
    den = n * Suu - Su * Su
    ok = (n >= 3) & (den > 1e-300)
    with np.errstate(invalid="ignore", divide="ignore"):
        beta = (n * Suy - Su * Sy) / np.where(ok, den, 1.0)
    return beta[..., ok], ok


# ----------------------------------------------------------------------------- fitting


def _thin(u: np.ndarray, points_per_decade) -> np.ndarray:
    """Indices of the lags (log values u, increasing) nearest to a log grid."""
    if points_per_decade is None or u.size <= 3:
        return np.arange(u.size)
    v = u / np.log(10)
    grid = np.arange(v[0], v[-1] + 0.5 / points_per_decade, 1.0 / points_per_decade)
    return np.unique(np.abs(v[None, :] - grid[:, None]).argmin(axis=1))


def _select(m: xr.DataArray, lag_range) -> xr.DataArray:
    lag = np.asarray(m["lag"].values, dtype=float)
    if lag_range is not None:
        lo, hi = lag_range
        if not (lo > 0 and hi > lo):
            raise ValueError(f"lag_range must be (lo, hi) with 0 < lo < hi, got {lag_range}")
        keep = (lag >= lo) & (lag <= hi)
    else:
        keep = np.ones(lag.size, bool)
    idx = np.flatnonzero(keep)
    if idx.size < 3:
        raise ValueError(f"lag_range {lag_range}: only {idx.size} lag(s) in range, need at least 3")
    return m.isel(lag=idx)


def _sample_dim(m: xr.DataArray, sample_dim):
    if sample_dim == "auto":
        return "walker" if "walker" in m.dims and m.sizes["walker"] > 1 else None
    if sample_dim is None:
        return None
    if sample_dim not in m.dims or sample_dim == "lag":
        raise ValueError(f"sample_dim {sample_dim!r} is not a non-lag dimension of msd {m.dims}")
    return sample_dim


def _kept(m: xr.DataArray, sdim) -> list:
    return [d for d in m.dims if d not in ("lag", sdim)]


def _groups(m: xr.DataArray, sdim):
    """Yield (index dict over kept dims, array (n_samples, n_lag)) for each kept curve."""
    kept = _kept(m, sdim)
    mm = m.transpose(*kept, *([sdim] if sdim else []), "lag")
    shape = [m.sizes[d] for d in kept]
    for ix in np.ndindex(*shape):
        arr = np.asarray(mm.values[ix], dtype=float)
        if sdim is None:
            arr = arr[None]
        yield dict(zip(kept, ix)), arr


def _ols(u, y):
    """Slope, intercept of y = a + b u (y may be (..., n))."""
    uc = u - u.mean()
    b = (y * uc).sum(-1) / (uc * uc).sum()
    a = y.mean(-1) - b * u.mean()
    return b, a


def _block_resample(rng, resid: np.ndarray, n_boot: int) -> np.ndarray:
    n = resid.size
    L = max(2, int(round(np.sqrt(n))))
    L = min(L, n)
    nb = -(-n // L)
    starts = rng.integers(0, n - L + 1, (n_boot, nb))
    idx = (starts[..., None] + np.arange(L)).reshape(n_boot, -1)[:, :n]
    return resid[idx]


def _boot_curves(rng, arr: np.ndarray, n_boot: int) -> np.ndarray:
    """Mean curves of ``n_boot`` resamples (with replacement) of the rows of ``arr``."""
    k = arr.shape[0]
    idx = rng.integers(0, k, (n_boot, k))
    return arr[idx].mean(axis=1)


def _clean(u: np.ndarray, arr: np.ndarray, points_per_decade, where, lag_range):
    """Drop lags that are not finite in every curve, thin to a log grid, check >= 3."""
    ok = np.flatnonzero(np.isfinite(arr).all(axis=0))
    ok = ok[_thin(u[ok], points_per_decade)]
    if ok.size < 3:
        raise ValueError(
            f"msd{where}: only {ok.size} finite lag(s) in lag_range {lag_range}, need 3"
        )
    return u[ok], arr[:, ok]


def fit_power_law(
    msd,
    lag_range=None,
    *,
    sample_dim="auto",
    n_boot: int = 1000,
    ci: float = 0.95,
    seed=0,
    points_per_decade: float | None = 20,
    lags=None,
) -> xr.Dataset:
    """Fit MSD = K lag^beta over ``lag_range`` (inclusive, in steps) with a confidence interval.

    Least squares of ln MSD on ln lag (lags thinned to ``points_per_decade``). With
    several curves along ``sample_dim`` (``"auto"``: walkers, when more than one) the
    fit is to their mean and the interval is a bootstrap over them; other non-lag dims
    (e.g. ``t_w``) are kept and fitted one by one; a single curve gets a moving-block
    residual bootstrap (module docstring). Returns Dataset with ``exponent``,
    ``prefactor`` and their ``*_ci`` (dim ``bound`` = lo, hi); attrs say the CI method.
    """
    if not 0 < ci < 1:
        raise ValueError(f"ci must lie in (0, 1), got {ci}")
    if n_boot < 10:
        raise ValueError(f"n_boot must be >= 10, got {n_boot}")
    m = _as_curves(msd, lags)
    sdim = _sample_dim(m, sample_dim)
    m = _select(m, lag_range)
    _check_positive(m if sdim is None else m.mean(sdim))
    u_all = np.log(np.asarray(m["lag"].values, dtype=float))
    rng = np.random.default_rng(seed)
    q = [(1 - ci) / 2, (1 + ci) / 2]
    rows = []
    kept = _kept(m, sdim)
    for ix, arr in _groups(m, sdim):
        u, arr = _clean(u_all, arr, points_per_decade, f" at {ix}" if ix else "", lag_range)
        y = np.log(arr.mean(axis=0))
        b, a = _ols(u, y)
        if arr.shape[0] > 1:
            yb = np.log(_boot_curves(rng, arr, n_boot))
        else:
            resid = y - (a + b * u)
            yb = (a + b * u)[None] + _block_resample(rng, resid, n_boot)
        bb, ab = _ols(u, yb)
        rows.append((b, np.exp(a), np.quantile(bb, q), np.exp(np.quantile(ab, q))))
    shape = [m.sizes[d] for d in kept]
    exp_ = np.array([r[0] for r in rows]).reshape(shape)
    pre = np.array([r[1] for r in rows]).reshape(shape)
    eci = np.array([r[2] for r in rows]).reshape(shape + [2])
    pci = np.array([r[3] for r in rows]).reshape(shape + [2])
    coords = {d: m[d].values for d in kept if d in m.coords}
    coords["bound"] = ["lo", "hi"]
    method = (
        f"bootstrap over {sdim} (n={m.sizes[sdim]})"
        if sdim
        else "moving-block bootstrap of log-log residuals (single curve)"
    )
    lr = [float(m["lag"].values[0]), float(m["lag"].values[-1])]
    return result(
        {
            "exponent": (tuple(kept), exp_),
            "prefactor": (tuple(kept), pre),
            "exponent_ci": (tuple(kept) + ("bound",), eci),
            "prefactor_ci": (tuple(kept) + ("bound",), pci),
        },
        coords=coords,
        inputs=m.attrs,
        config={
            "lag_range": lr,
            "ci": ci,
            "n_boot": n_boot,
            "seed": seed,
            "points_per_decade": points_per_decade,
        },
        result_type="power_law_fit",
        ci_method=method,
        ci_level=ci,
        lag_range=lr,
    )


# ---------------------------------------------------------------- segmented regression


def _design(u: np.ndarray, bps: np.ndarray) -> np.ndarray:
    """Design matrices (P, n, 2 + k) of y = a + b (u - mean u) + sum_k c_k (u - bp_k)_+."""
    uc = u - u.mean()
    P = len(bps)
    cols = [np.ones((P, u.size)), np.broadcast_to(uc, (P, u.size))]
    for k in range(bps.shape[1]):
        cols.append(np.maximum(u[None, :] - bps[:, k : k + 1], 0.0))
    return np.stack(cols, axis=-1)


class _Segmented:
    """Exhaustive breakpoint search for many curves on one lag grid.

    For every candidate set the design matrix X_p has an orthonormal basis Q_p (QR), so
    SSE_p(y) = |y|^2 - |Q_p^T y|^2 for all candidates and curves in one contraction.
    """

    def __init__(self, u: np.ndarray, n_breaks: int, cands: np.ndarray | None):
        self.u, self.k, self.cands = u, n_breaks, cands
        if n_breaks:
            q = np.linalg.qr(_design(u, cands))[0]  # (P, n, p)
            self.p = q.shape[2]
            self.qflat = np.ascontiguousarray(q.transpose(1, 0, 2).reshape(u.size, -1))

    def fit(self, y: np.ndarray):
        """y (B, n) -> sse (B,), slopes (B, k+1), breakpoints (B, k), intercepts (B,)."""
        u = self.u
        if self.k == 0:
            b, a = _ols(u, y)
            sse = ((y - (a[:, None] + b[:, None] * u)) ** 2).sum(-1)
            return sse, b[:, None], np.zeros((y.shape[0], 0)), a + b * u.mean()
        sse = np.empty((y.shape[0], len(self.cands)))
        yy = (y * y).sum(-1)[:, None]
        for p0 in range(0, len(self.cands), 4096):  # bounded memory
            p1 = min(len(self.cands), p0 + 4096)
            proj = (y @ self.qflat[:, p0 * self.p : p1 * self.p]).reshape(len(y), -1, self.p)
            sse[:, p0:p1] = yy - (proj * proj).sum(-1)
        best = sse.argmin(axis=1)
        bps = self.cands[best]
        X = _design(u, bps)  # (B, n, p)
        xtx = np.einsum("bni,bnj->bij", X, X)
        coef = np.linalg.solve(xtx, np.einsum("bni,bn->bi", X, y)[..., None])[..., 0]
        slopes = np.cumsum(coef[:, 1:], axis=1)
        return sse[np.arange(len(y)), best], slopes, bps, coef[:, 0]


#: most breakpoint positions searched (per breakpoint) for 1 and 2 breakpoints
_MAX_GRID = {1: 400, 2: 120}


def _candidates(u: np.ndarray, n_breaks: int, min_points: int) -> np.ndarray:
    """Breakpoint grid: data points and midpoints (at most ``_MAX_GRID`` positions, evenly
    thinned), each segment holding >= min_points points."""
    grid = np.sort(np.concatenate([u, 0.5 * (u[1:] + u[:-1])]))
    cap = _MAX_GRID[n_breaks]  # bounded work and memory for dense lag grids
    if grid.size > cap:
        grid = np.unique(grid[np.linspace(0, grid.size - 1, cap).round().astype(int)])
    below = np.searchsorted(u, grid, side="right")  # points with u <= bp
    if n_breaks == 1:
        ok = (below >= min_points) & (u.size - below >= min_points)
        return grid[ok][:, None]
    g1, g2 = np.meshgrid(np.arange(grid.size), np.arange(grid.size), indexing="ij")
    g1, g2 = g1.ravel(), g2.ravel()
    nb1, nb2 = below[g1], below[g2]
    ok = (g2 > g1) & (nb1 >= min_points) & (nb2 - nb1 >= min_points) & (u.size - nb2 >= min_points)
    return np.stack([grid[g1[ok]], grid[g2[ok]]], axis=1)


def fit_crossover(
    msd,
    lag_range=None,
    *,
    n_breaks=1,
    max_breaks: int = 2,
    sample_dim="auto",
    n_boot: int = 200,
    ci: float = 0.95,
    seed=0,
    points_per_decade: float | None = 20,
    min_points: int = 4,
    lags=None,
) -> xr.Dataset:
    """Objective crossover fit: continuous piecewise power law on log-log axes.

    ln MSD = a + b ln tau + sum_k c_k (ln tau - ln tau_k)_+ with breakpoints tau_k found by
    exhaustive search over a grid (every thinned lag and midpoint - at most 400 positions
    for one breakpoint, 120 per breakpoint for two - each segment holding >= ``min_points``
    lags; with the default 20 lags per decade the resolution is 1/40 decade, and the
    intervals of tau_k are on that grid), coefficients by least squares. The segment exponents are
    beta_1 = b, beta_2 = b + c_1, ... ``n_breaks=1`` is the paper's two-regime fit
    (beta1 below tau0, beta2 above). ``n_breaks="auto"`` compares 0..``max_breaks``
    breakpoints by BIC = n ln(SSE/n) + p ln n (p = 2 + 2 k): curves with three regimes,
    such as the reference DNN curve (about 0.7, then > 1, then < 1), then get two
    breakpoints; alternatively restrict ``lag_range``. Correlated residuals make BIC
    lean towards more breakpoints, which ``max_breaks`` caps.

    Confidence intervals as in :func:`fit_power_law` (bootstrap over ``sample_dim`` or a
    moving-block residual bootstrap for one curve), with the number of breakpoints held
    at the selected value. Returns Dataset with ``slope(..., segment)``,
    ``slope_ci(..., segment, bound)``, ``tau0(..., break)`` (breakpoints tau_k in steps),
    ``tau0_ci(..., break, bound)``, ``n_breaks`` and ``bic(..., model)``; segments or breakpoints
    beyond a curve's selected count are NaN.
    """
    if not 0 < ci < 1:
        raise ValueError(f"ci must lie in (0, 1), got {ci}")
    if n_boot < 10:
        raise ValueError(f"n_boot must be >= 10, got {n_boot}")
    if n_breaks == "auto":
        models = list(range(0, int(max_breaks) + 1))
    elif n_breaks in (0, 1, 2):
        models = [int(n_breaks)]
    else:
        raise ValueError(f"n_breaks must be 0, 1, 2 or 'auto', got {n_breaks!r}")
    if max_breaks not in (0, 1, 2):
        raise ValueError(f"max_breaks must be 0, 1 or 2, got {max_breaks!r}")
    m = _as_curves(msd, lags)
    sdim = _sample_dim(m, sample_dim)
    m = _select(m, lag_range)
    _check_positive(m if sdim is None else m.mean(sdim))
    u_all = np.log(np.asarray(m["lag"].values, dtype=float))
    rng = np.random.default_rng(seed)
    q = [(1 - ci) / 2, (1 + ci) / 2]
    nmax = max(models)
    recs = []
    kept = _kept(m, sdim)
    for ix, arr in _groups(m, sdim):
        u, arr = _clean(u_all, arr, points_per_decade, f" at {ix}" if ix else "", lag_range)
        y = np.log(arr.mean(axis=0))
        n = u.size
        bic = np.full(3, np.nan)
        fits = {}
        for k in models:
            if k > 0:
                cands = _candidates(u, k, min_points)
                if cands.size == 0:
                    if len(models) == 1:
                        raise ValueError(
                            f"msd at {ix}: {n} lags cannot hold {k + 1} segments of "
                            f">= {min_points} lags; widen lag_range or lower min_points"
                        )
                    continue
            else:
                cands = None
            seg = _Segmented(u, k, cands)
            sse, slopes, bps, a = (v[0] for v in seg.fit(y[None]))
            fits[k] = (seg, slopes, bps, a)
            bic[k] = n * np.log(max(float(sse), 1e-300) / n) + (2 + 2 * k) * np.log(n)
        kbest = models[0] if len(models) == 1 else int(np.nanargmin(bic))
        seg, slopes, bps, a = fits[kbest]
        if arr.shape[0] > 1:
            yb = np.log(_boot_curves(rng, arr, n_boot))
        else:
            fitted = _model(u, a, slopes, bps)
            yb = fitted[None] + _block_resample(rng, y - fitted, n_boot)
        bs_all, bp_all = [], []
        for c0 in range(0, n_boot, 50):  # bounded memory of the batched solve
            _, s_b, p_b, _ = seg.fit(yb[c0 : c0 + 50])
            bs_all.append(s_b)
            bp_all.append(p_b)
        s_b = np.concatenate(bs_all)
        p_b = np.concatenate(bp_all)
        recs.append(
            (
                kbest,
                slopes,
                np.exp(bps),
                np.quantile(s_b, q, axis=0).T,
                np.exp(np.quantile(p_b, q, axis=0).T) if kbest else np.zeros((0, 2)),
                bic,
            )
        )
    shape = [m.sizes[d] for d in kept]
    P = len(recs)
    slope = np.full((P, nmax + 1), np.nan)
    slope_ci = np.full((P, nmax + 1, 2), np.nan)
    bp = np.full((P, max(nmax, 1)), np.nan)
    bp_ci = np.full((P, max(nmax, 1), 2), np.nan)
    nb = np.zeros(P, dtype=np.int64)
    bics = np.full((P, 3), np.nan)
    for i, (k, s, b, sci, bci, bic) in enumerate(recs):
        nb[i] = k
        slope[i, : k + 1] = s
        slope_ci[i, : k + 1] = sci
        bp[i, :k] = b
        bp_ci[i, :k] = bci
        bics[i] = bic
    kd = tuple(kept)
    coords = {d: m[d].values for d in kept if d in m.coords}
    coords.update(
        bound=["lo", "hi"],
        segment=np.arange(nmax + 1),
        **{"break": np.arange(max(nmax, 1))},
        model=np.arange(3),
    )
    method = (
        f"bootstrap over {sdim} (n={m.sizes[sdim]})"
        if sdim
        else "moving-block bootstrap of log-log residuals (single curve)"
    )
    lr = [float(m["lag"].values[0]), float(m["lag"].values[-1])]
    return result(
        {
            "slope": (kd + ("segment",), slope.reshape(shape + [nmax + 1])),
            "slope_ci": (kd + ("segment", "bound"), slope_ci.reshape(shape + [nmax + 1, 2])),
            "tau0": (kd + ("break",), bp.reshape(shape + [max(nmax, 1)])),
            "tau0_ci": (kd + ("break", "bound"), bp_ci.reshape(shape + [max(nmax, 1), 2])),
            "n_breaks": (kd, nb.reshape(shape)),
            "bic": (kd + ("model",), bics.reshape(shape + [3])),
        },
        coords=coords,
        inputs=m.attrs,
        config={
            "lag_range": lr,
            "n_breaks": n_breaks,
            "ci": ci,
            "n_boot": n_boot,
            "seed": seed,
            "points_per_decade": points_per_decade,
            "min_points": min_points,
        },
        result_type="crossover_fit",
        ci_method=method,
        ci_level=ci,
        lag_range=lr,
    )


def _model(u, a, slopes, bps):
    """ln MSD of the continuous piecewise model (intercept a at the centred u)."""
    y = a + slopes[0] * (u - u.mean())
    for k in range(len(bps)):
        y = y + (slopes[k + 1] - slopes[k]) * np.maximum(u - bps[k], 0.0)
    return y
