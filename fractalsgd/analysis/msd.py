"""Mean squared displacements: time-averaged (FFT, exact, windowed), ensemble and aging.

Definitions (../shared/SCIENCE.md; Metzler, Jeon, Cherstvy & Barkai, PCCP 16, 24128,
2014): for a path x(t) in R^d recorded at steps s_0 < s_1 < ...,

* TAMSD  delta^2(lag) = mean over all pairs (i, j) with s_j - s_i = lag of |x_j - x_i|^2;
* EAMSD  <|x(t) - x(t0)|^2> averaged over walkers;
* aging (single-reference) MSD  Delta(t_w, t_w + tau) = |x(t_w + tau) - x(t_w)|^2.

Lags and waiting times are in *steps* (the ``step`` coordinate), never in snapshot
indices. With evenly spaced snapshots (spacing s) every multiple of s is an exact lag.
With uneven snapshots a lag is reported only where at least one pair of snapshots is
exactly ``lag`` steps apart, and its value averages exactly those pairs (masked FFT on
the integer step grid); ``n_pairs`` says how many pairs each value rests on.

Window convention: ``window=W`` cuts every trajectory into consecutive, non-overlapping
windows of W snapshots (an incomplete last window is dropped) and the coordinate ``t_w``
holds the ``step`` of each window's first snapshot. A DNN run whose snapshot k is the
weight after optimiser step k (k = 0 the initial weights) has t_w = 0, 1000, 2000, ...;
the paper numbers snapshots from 1 and writes the same windows as t_w = 1, 1001, ...
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft
import xarray as xr

from ..schema import provenance, result
from ._input import Positions, as_positions
from ._msd_kernels import _fill_block, _power_sum

__all__ = ["tamsd", "eamsd", "aging_msd", "read_tamsd_csv", "analyze_msd", "DEFAULT_MAX_BYTES"]

#: working-memory bound (bytes) of one FFT block in :func:`tamsd`; blocks of a few MiB stay
#: in cache and run about twice as fast as one big block (benchmarks/bench_msd.py)
DEFAULT_MAX_BYTES = 16 * 2**20


def _result_attrs(inputs: dict, **config) -> dict:
    attrs = provenance("analysis", config, kind="result")
    for key in ("source", "config", "seed", "created"):
        if key in inputs:
            attrs[f"input_{key}"] = inputs[key]
    return attrs


def _check_finite_block(block, w0: int, t0: int, c0: int, name: str = "x") -> None:
    bad = ~np.isfinite(block)
    if bad.any():
        w, t, c = np.argwhere(bad)[0]
        raise ValueError(
            f"{name}: non-finite value at walker {w0 + w}, time index {t0 + t}, coord {c0 + c}"
        )


def _spacing(step: np.ndarray) -> int | None:
    d = np.diff(step)
    if d.size == 0:
        return 1
    return int(d[0]) if np.all(d == d[0]) else None


def _check_lags(lags, name: str = "lags") -> np.ndarray:
    arr = np.atleast_1d(np.asarray(lags))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d sequence of positive integers")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must hold integers (steps), got {arr[:5]}")
    arr = arr.astype(np.int64)
    if np.any(arr < 1):
        raise ValueError(f"{name} must be >= 1 step, got {int(arr.min())}")
    return np.unique(arr)


def _batches(n_batch: int, n_time: int, n_coord: int, nfft: int, max_bytes: int):
    """Split (batch, coord) so that one FFT block stays below ``max_bytes``."""
    per_series = 8 * (n_time + 3 * nfft)  # float64 input + complex spectrum + scratch
    cb = max(1, min(n_coord, max_bytes // max(1, per_series)))
    bb = max(1, min(n_batch, max_bytes // max(1, per_series * cb)))
    return bb, cb


def _even_core(pos: Positions, window: int, max_bytes: int) -> np.ndarray:
    """Exact TAMSD for all index lags 0..W-1 of every (walker, window): (walker, n_win, W).

    delta^2(m) = [S1(m) - 2 S2(m)] / (W - m) with S2(m) = sum_c sum_i x_i x_{i+m}
    (Wiener-Khinchin: irfft of the coordinate-summed power spectrum, zero padded to
    >= 2W so the correlation is linear, not circular) and S1(m) = sum_{i<W-m} |x_i|^2 +
    sum_{i>=m} |x_i|^2 (cumulative sums). Each window is centred first (TAMSD is
    translation invariant; centring removes the cancellation from large offsets).
    Coordinates are processed in blocks so memory stays below ``max_bytes``.
    """
    x = pos.x
    n_walker, n_time, n_coord = x.shape
    n_win = n_time // window
    nfft = sfft.next_fast_len(2 * window, real=True)
    n_batch = n_walker * n_win
    bb, cb = _batches(n_batch, window, n_coord, nfft, max_bytes)
    out = np.empty((n_batch, window))
    m = np.arange(window)
    for b0 in range(0, n_batch, bb):
        b1 = min(n_batch, b0 + bb)
        s2 = np.zeros((b1 - b0, window))
        sq = np.zeros((b1 - b0, window))
        for c0 in range(0, n_coord, cb):
            c1 = min(n_coord, c0 + cb)
            # zero-padded, centred, time-last block (numba: one pass, no temporaries)
            buf = np.zeros((b1 - b0, c1 - c0, nfft))
            bad = _fill_block(x, b0, b1, n_win, window, c0, c1, buf, sq, np.empty(c1 - c0))
            if bad >= 0:
                w, j = divmod(b0 + bad, n_win)
                seg = x[w, j * window : (j + 1) * window, c0:c1]
                _check_finite_block(seg[None], w, j * window, c0)
                raise ValueError(f"x: values too large to average in walker {w}")
            spec = sfft.rfft(buf, axis=2, overwrite_x=True)
            del buf
            power = np.zeros((b1 - b0, spec.shape[2]))
            _power_sum(spec, power)
            del spec
            s2 += sfft.irfft(power, n=nfft, axis=1)[:, :window]
        cs = np.concatenate([np.zeros((b1 - b0, 1)), np.cumsum(sq, axis=1)], axis=1)
        s1 = cs[:, window - m] + (cs[:, window : window + 1] - cs[:, m])
        out[b0:b1] = (s1 - 2 * s2) / (window - m)
    out[:, 0] = 0.0
    np.maximum(out, 0.0, out=out)  # round-off can leave -1e-17 where the exact value is 0
    return out.reshape(n_walker, n_win, window)


def _masked_core(pos: Positions, window: int, max_bytes: int):
    """Exact TAMSD on the integer step grid with a snapshot mask, per (walker, window).

    With m_g = 1 where a snapshot exists: numerator(l) = sum_g m_g m_{g+l}
    (|x_g|^2 + |x_{g+l}|^2 - 2 x_g . x_{g+l}), count(l) = sum_g m_g m_{g+l}; each term is a
    linear correlation computed by FFT. Returns (msd, count) of shape (walker, n_win, G)
    with G the largest step span of a window + 1.
    """
    x, step = pos.x, pos.step
    n_walker, n_time, n_coord = x.shape
    n_win = n_time // window
    spans = [int(step[(j + 1) * window - 1] - step[j * window]) for j in range(n_win)]
    G = max(spans) + 1
    nfft = sfft.next_fast_len(2 * G, real=True)
    bb, cb = _batches(n_walker, G, n_coord, nfft, max_bytes)
    num = np.zeros((n_walker, n_win, G))
    cnt = np.zeros((n_win, G))

    def corr(a, b):  # sum_g a_g b_{g+l}, l = 0..G-1, along the last axis
        fa = sfft.rfft(a, n=nfft, axis=-1)
        fb = sfft.rfft(b, n=nfft, axis=-1)
        return sfft.irfft(np.conj(fa) * fb, n=nfft, axis=-1)[..., :G]

    for j in range(n_win):
        idx = slice(j * window, (j + 1) * window)
        g = step[idx] - step[j * window]
        mask = np.zeros(G)
        mask[g] = 1.0
        cnt[j] = np.rint(corr(mask, mask))
        for w0 in range(0, n_walker, bb):
            w1 = min(n_walker, w0 + bb)
            s2 = np.zeros((w1 - w0, G))
            sq = np.zeros((w1 - w0, G))
            for c0 in range(0, n_coord, cb):
                c1 = min(n_coord, c0 + cb)
                seg = np.asarray(x[w0:w1, idx, c0:c1], dtype=np.float64)
                _check_finite_block(seg, w0, j * window, c0)
                seg = seg - seg.mean(axis=1, keepdims=True)
                grid = np.zeros((w1 - w0, c1 - c0, G))
                grid[:, :, g] = seg.transpose(0, 2, 1)
                sq[:, g] += np.einsum("wtc,wtc->wt", seg, seg)
                f = sfft.rfft(grid, n=nfft, axis=2)
                del grid
                s2 += sfft.irfft((f.real**2 + f.imag**2).sum(axis=1), n=nfft, axis=1)[:, :G]
            num[w0:w1, j] = corr(sq, mask[None]) + corr(mask[None], sq) - 2 * s2
    with np.errstate(invalid="ignore", divide="ignore"):
        msd = np.where(cnt[None] > 0, num / np.maximum(cnt[None], 1), np.nan)
    msd[..., 0] = 0.0
    np.maximum(msd, 0.0, out=msd, where=np.isfinite(msd))
    return msd, cnt


def tamsd(x, lags=None, window: int | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES):
    """Time-averaged MSD per walker, exact, by FFT in O(T log T) per coordinate.

    delta^2(lag) = 1/n_pairs sum_{s_j - s_i = lag} |x_j - x_i|^2 (SCIENCE.md; He et al.,
    PRL 101, 058101, 2008). ``x``: trajectory Dataset, DataArray or numpy (time,),
    (time, coord) or (walker, time, coord). ``lags`` in steps (default: every lag that
    has pairs, 1 .. span of the window). ``window=W``: consecutive windows of W snapshots
    (the paper's W = 1000), result dims (walker, t_w, lag); otherwise (walker, lag).
    Work is batched over walkers, windows and coordinate blocks so working memory stays
    below ``max_bytes`` (float32 input is converted to float64 block by block).

    Returns a DataArray ``tamsd`` with coordinates ``lag`` (int64 steps), ``t_w`` (step of
    each window's first snapshot) and ``n_pairs`` (pairs averaged per value).
    """
    pos = as_positions(x, name="x", min_time=2, check_finite=False)
    n_walker, n_time, _ = pos.x.shape
    if window is None:
        W = n_time
    else:
        if isinstance(window, bool) or not isinstance(window, (int, np.integer)):
            raise ValueError(f"window must be an integer number of snapshots, got {window!r}")
        W = int(window)
        if W < 2:
            raise ValueError(f"window must be >= 2 snapshots, got {W}")
        if W > n_time:
            raise ValueError(f"window={W} exceeds the trajectory length ({n_time} snapshots)")
    max_bytes = int(max_bytes)
    if max_bytes < 1:
        raise ValueError(f"max_bytes must be positive, got {max_bytes}")
    n_win = n_time // W
    t_w = pos.step[np.arange(n_win) * W]
    s = _spacing(pos.step)
    if s is not None:
        all_lags = s * np.arange(1, W, dtype=np.int64)
        if lags is None:
            sel = all_lags
        else:
            sel = _check_lags(lags)
            if sel[-1] > all_lags[-1]:
                raise ValueError(
                    f"lag {int(sel[-1])} exceeds the {'window' if window else 'trajectory'} "
                    f"span of {int(all_lags[-1])} steps"
                )
            if np.any(sel % s):
                bad = int(sel[np.argmax(sel % s != 0)])
                raise ValueError(f"lag {bad} is not a multiple of the snapshot spacing {s}")
        full = _even_core(pos, W, max_bytes)
        vals = full[..., sel // s]
        n_pairs = np.broadcast_to(W - sel // s, (n_win, sel.size)).astype(np.int64)
    else:
        full, cnt = _masked_core(pos, W, max_bytes)
        G = cnt.shape[1]
        every = np.flatnonzero(np.all(cnt[:, 1:] > 0, axis=0)) + 1
        if lags is None:
            sel = every.astype(np.int64)
            if sel.size == 0:
                raise ValueError("x: no lag has pairs of snapshots in every window")
        else:
            sel = _check_lags(lags)
            if sel[-1] >= G:
                raise ValueError(f"lag {int(sel[-1])} exceeds the window span of {G - 1} steps")
            missing = cnt[:, sel] == 0
            if missing.any():
                j, k = np.argwhere(missing)[0]
                raise ValueError(
                    f"lag {int(sel[k])}: no pair of snapshots exactly that many steps apart "
                    f"in window {j} (t_w={int(t_w[j])}); snapshots are unevenly spaced"
                )
        vals = full[..., sel]
        n_pairs = cnt[:, sel].astype(np.int64)
    coords = {
        "walker": np.arange(n_walker, dtype=np.int64),
        "lag": sel,
    }
    attrs = _result_attrs(pos.attrs, analysis="tamsd", window=window, evenly_spaced=s is not None)
    attrs["definition"] = "mean over pairs (i, j), s_j - s_i = lag, of |x_j - x_i|^2"
    if window is None:
        return xr.DataArray(
            vals[:, 0],
            dims=("walker", "lag"),
            coords={**coords, "n_pairs": ("lag", n_pairs[0])},
            name="tamsd",
            attrs=attrs,
        )
    attrs["t_w_convention"] = "step of the first snapshot of each window"
    return xr.DataArray(
        vals,
        dims=("walker", "t_w", "lag"),
        coords={**coords, "t_w": t_w.astype(np.int64), "n_pairs": (("t_w", "lag"), n_pairs)},
        name="tamsd",
        attrs=attrs,
    )


def _sq_disp(x: np.ndarray, ref: np.ndarray, t_idx: np.ndarray, cb: int = 4096) -> np.ndarray:
    """|x[:, t] - ref|^2 summed over coordinates, coordinate blocks of ``cb``."""
    out = np.zeros((x.shape[0], t_idx.size))
    for c0 in range(0, x.shape[2], cb):
        d = np.asarray(x[:, t_idx, c0 : c0 + cb], dtype=np.float64) - ref[:, None, c0 : c0 + cb]
        out += np.einsum("wtc,wtc->wt", d, d)
    return out


def eamsd(x, t0: int = 0):
    """Ensemble-averaged MSD <|x(t) - x(t0)|^2> over walkers, against lag = t - t0 (steps).

    ``t0`` is a step value that must be recorded. Returns DataArray ``eamsd(lag)`` for
    every snapshot after t0 (coordinate ``lag`` in steps) with ``n_walkers`` in attrs.
    """
    pos = as_positions(x, name="x", min_time=2)
    step = pos.step
    k = np.flatnonzero(step == int(t0))
    if k.size == 0:
        raise ValueError(f"t0={t0} is not a recorded step (steps {step[0]}..{step[-1]})")
    k = int(k[0])
    if k >= step.size - 1:
        raise ValueError(f"t0={t0} is the last recorded step: no later snapshot")
    t_idx = np.arange(k + 1, step.size)
    d2 = _sq_disp(pos.x, pos.x[:, k], t_idx).mean(axis=0)
    attrs = _result_attrs(pos.attrs, analysis="eamsd", t0=int(t0))
    attrs["n_walkers"] = int(pos.x.shape[0])
    attrs["definition"] = "mean over walkers of |x(t0 + lag) - x(t0)|^2"
    return xr.DataArray(
        d2, dims=("lag",), coords={"lag": step[t_idx] - step[k]}, name="eamsd", attrs=attrs
    )


def aging_msd(x, t_w=None, lags=None):
    """Single-reference (aging) MSD Delta(t_w, t_w + tau) = |x(t_w + tau) - x(t_w)|^2.

    For each waiting time in ``t_w`` (recorded steps; default the first step) and each
    lag tau in ``lags`` (steps; default every recorded offset after the smallest t_w) the
    displacement from the single reference snapshot at t_w, per walker (no averaging
    over time origins, and no broadcasting across waiting times: each row uses its own
    reference). Entries whose t_w + tau was not recorded are NaN, and only those.
    Returns DataArray ``aging_msd(walker, t_w, lag)``.
    """
    pos = as_positions(x, name="x", min_time=2)
    step = pos.step
    tw = np.atleast_1d(np.asarray(step[0] if t_w is None else t_w))
    if tw.ndim != 1 or tw.size == 0:
        raise ValueError("t_w must be a step or a 1-d sequence of steps")
    if not np.all(tw == np.round(tw)):
        raise ValueError(f"t_w must hold integer steps, got {tw[:5]}")
    tw = tw.astype(np.int64)
    ref = np.searchsorted(step, tw)
    bad = (ref >= step.size) | (step[np.minimum(ref, step.size - 1)] != tw)
    if bad.any():
        raise ValueError(f"t_w={int(tw[np.argmax(bad)])} is not a recorded step")
    if lags is None:
        sel = np.unique(np.concatenate([step[step > t] - t for t in tw]))
        if sel.size == 0:
            raise ValueError("t_w: no snapshot after the waiting time(s)")
    else:
        sel = _check_lags(lags)
        if sel[-1] > step[-1] - tw.min():
            raise ValueError(
                f"lag {int(sel[-1])} exceeds the trajectory (last step {int(step[-1])}, "
                f"t_w={int(tw.min())})"
            )
    out = np.full((pos.x.shape[0], tw.size, sel.size), np.nan)
    for i, (t, r) in enumerate(zip(tw, ref)):
        target = t + sel
        j = np.searchsorted(step, target)
        ok = (j < step.size) & (step[np.minimum(j, step.size - 1)] == target)
        if ok.any():
            out[:, i, ok] = _sq_disp(pos.x, pos.x[:, r], j[ok])
    attrs = _result_attrs(pos.attrs, analysis="aging_msd")
    attrs["definition"] = "|x(t_w + lag) - x(t_w)|^2, single reference per t_w"
    return xr.DataArray(
        out,
        dims=("walker", "t_w", "lag"),
        coords={"walker": np.arange(pos.x.shape[0]), "t_w": tw, "lag": sel},
        name="aging_msd",
        attrs=attrs,
    )


def read_tamsd_csv(path) -> xr.DataArray:
    """Read a TAMSD table with columns t_w, window, tau, tamsd (e.g. the reference
    ../shared/reference/dnn_tamsd_ly_gong.csv) as DataArray ``tamsd(t_w, lag)``.

    Lags absent for a waiting time are NaN. The window length goes to attrs["window"].
    """
    data = np.genfromtxt(path, delimiter=",", names=True)
    need = ("t_w", "window", "tau", "tamsd")
    if data.dtype.names is None or any(n not in data.dtype.names for n in need):
        raise ValueError(f"{path}: expected columns {', '.join(need)}")
    tw = np.unique(data["t_w"]).astype(np.int64)
    lag = np.unique(data["tau"]).astype(np.int64)
    out = np.full((tw.size, lag.size), np.nan)
    out[np.searchsorted(tw, data["t_w"]), np.searchsorted(lag, data["tau"])] = data["tamsd"]
    windows = np.unique(data["window"])
    attrs = _result_attrs({"source": "external"}, analysis="read_tamsd_csv", path=str(path))
    attrs["window"] = int(windows[0]) if windows.size == 1 else str(windows.tolist())
    return xr.DataArray(
        out, dims=("t_w", "lag"), coords={"t_w": tw, "lag": lag}, name="tamsd", attrs=attrs
    )


def _crossover_vars(fit, prefix: str, tw_dim: str) -> dict:
    out = {}
    for name in ("slope", "slope_ci", "tau0", "tau0_ci", "n_breaks"):
        v = fit[name]
        dims = tuple(tw_dim if d == "t_w" else d for d in v.dims)
        out[f"{prefix}{name}"] = (dims, v.values)
    return out


def _fit_or_fewer(fit_crossover, curves, fit_range, n_breaks, notes, what, **kw):
    """fit_crossover, falling back to fewer breakpoints when the curves are too short."""
    tried = [n_breaks] + [k for k in (1, 0) if n_breaks == "auto" or k < n_breaks]
    for k in tried:
        try:
            fit = fit_crossover(curves, fit_range, n_breaks=k, **kw)
        except ValueError as exc:
            if "cannot hold" not in str(exc) or k == 0:
                raise
            continue
        if k != n_breaks:
            notes.append(f"{what}: too few lags for n_breaks={n_breaks}, fitted {k}")
        return fit
    raise AssertionError("unreachable")  # pragma: no cover


def _delta_for(lag: np.ndarray, delta: int, notes: list, what: str) -> int:
    span = int(lag[-1] - lag[0])
    if delta < span:
        return delta
    new = max(1, span // 2)
    notes.append(f"{what}: delta={delta} >= lag span {span}, used delta={new}")
    return new


def analyze_msd(
    ds,
    window: int | None = None,
    *,
    delta: int = 20,
    n_breaks=1,
    fit_range=None,
    n_boot: int = 200,
    seed=0,
    max_bytes: int = DEFAULT_MAX_BYTES,
):
    """The standard MSD analysis of a trajectory (what ``fractalsgd analyze`` writes).

    Windowed TAMSD per walker and its walker mean, local exponent beta (``delta``),
    aging MSD from each window start, a crossover fit per window (on the walker-mean
    TAMSD; bootstrap over walkers when there are several), and the EAMSD when there are
    several walkers. A DNN recorder file that already holds exact full-weight
    ``tamsd(t_w, lag)`` / ``aging_msd(t_w, lag)`` gets the same exponent and crossover
    analysis of those, as ``recorded_*`` variables on dims ``rec_t_w``, ``rec_lag``.
    Returns a result Dataset with ``result_type="msd"``.
    """
    from .exponents import fit_crossover, local_exponent

    if not isinstance(ds, xr.Dataset):
        from ..schema import trajectory

        ds = trajectory(ds)
    pos = as_positions(ds, name="x", min_time=2, check_finite=False)
    n_walker = pos.x.shape[0]
    d2 = tamsd(ds, window=window if window is not None else pos.x.shape[1], max_bytes=max_bytes)
    lag = d2["lag"].values
    mean = d2.mean("walker")
    notes: list[str] = []
    dl = _delta_for(lag, delta, notes, "tamsd")
    beta = local_exponent(d2.where(d2 > 0), delta=dl).reindex(lag=lag)
    beta_mean = local_exponent(mean, delta=dl).reindex(lag=lag)
    curves = d2 if n_walker > 1 else d2.isel(walker=0)  # fit dims: (t_w, segment)
    fit = _fit_or_fewer(
        fit_crossover, curves, fit_range, n_breaks, notes, "tamsd", n_boot=n_boot, seed=seed
    )
    tws = d2["t_w"].values
    ag = aging_msd(ds, t_w=tws)
    data = {
        "tamsd": (("walker", "t_w", "lag"), d2.values),
        "n_pairs": (("t_w", "lag"), d2["n_pairs"].values),
        "tamsd_mean": (("t_w", "lag"), mean.values),
        "beta": (("walker", "t_w", "lag"), beta.values),
        "beta_mean": (("t_w", "lag"), beta_mean.values),
        "aging_msd": (("walker", "t_w", "aging_lag"), ag.values),
        "aging_msd_mean": (("t_w", "aging_lag"), ag.mean("walker").values),
        **_crossover_vars(fit, "", "t_w"),
    }
    coords = {
        "walker": np.arange(n_walker),
        "t_w": tws,
        "lag": lag,
        "aging_lag": ag["lag"].values,
        "segment": fit["segment"].values,
        "break": fit["break"].values,
        "bound": ["lo", "hi"],
    }
    if n_walker > 1:
        e = eamsd(ds, t0=int(pos.step[0]))
        data["eamsd"] = (("eamsd_lag",), e.values)
        coords["eamsd_lag"] = e["lag"].values
    if "tamsd" in ds.data_vars and set(ds["tamsd"].dims) == {"t_w", "lag"}:
        rec = ds["tamsd"].transpose("t_w", "lag").astype(float)
        keep = rec.notnull().any("lag")
        rec = rec.isel(t_w=np.flatnonzero(keep.values))
        if rec.sizes["t_w"]:
            rlag = rec["lag"].values[rec.notnull().any("t_w").values]
            rd = _delta_for(rlag, delta, notes, "recorded_tamsd")
            rb = local_exponent(rec, delta=rd).reindex(lag=rec["lag"].values)
            rf = _fit_or_fewer(
                fit_crossover, rec, fit_range, n_breaks, notes, "recorded_tamsd",
                n_boot=n_boot, seed=seed,
            )  # fmt: skip
            data["recorded_tamsd"] = (("rec_t_w", "rec_lag"), rec.values)
            data["recorded_beta"] = (("rec_t_w", "rec_lag"), rb.values)
            data.update(_crossover_vars(rf, "recorded_", "rec_t_w"))
            coords["rec_t_w"] = rec["t_w"].values
            coords["rec_lag"] = rec["lag"].values
            if "aging_msd" in ds.data_vars and ds["aging_msd"].dims == ("t_w", "lag"):
                ra = ds["aging_msd"].isel(t_w=np.flatnonzero(keep.values))
                data["recorded_aging_msd"] = (("rec_t_w", "rec_lag"), ra.values.astype(float))
    return result(
        data,
        coords=coords,
        inputs=ds,
        config={
            "window": window,
            "delta": delta,
            "n_breaks": n_breaks,
            "fit_range": fit_range,
            "n_boot": n_boot,
            "seed": seed,
        },
        seed=seed,
        result_type="msd",
        ci_method=fit.attrs["ci_method"],
        notes="; ".join(notes) if notes else "none",
        t_w_convention="step of the first snapshot of each window",
    )
