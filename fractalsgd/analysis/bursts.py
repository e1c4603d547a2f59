"""Intermittency of the loss: |dL| bursts and avalanches (Chen, Qu & Gong 2022, Fig. 4)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from .tails import _samples

__all__ = ["loss_bursts", "moving_variance", "avalanches"]


def moving_variance(x, window: int = 100) -> np.ndarray:
    """Variance of x over the trailing ``window`` points (population variance, ddof 0).

    out[t] = var(x[t - window + 1 .. t]) for t >= window - 1, NaN before; computed from
    cumulative sums of the centred series.
    """
    x = np.asarray(x, dtype=np.float64)
    w = int(window)
    if w < 2 or w > x.size:
        raise ValueError(f"moving_variance: window must be in [2, {x.size}], got {window}")
    c = x - x.mean()
    s1 = np.cumsum(np.r_[0.0, c])
    s2 = np.cumsum(np.r_[0.0, c * c])
    m1 = (s1[w:] - s1[:-w]) / w
    m2 = (s2[w:] - s2[:-w]) / w
    out = np.full(x.size, np.nan)
    out[w - 1 :] = np.maximum(m2 - m1 * m1, 0.0)
    return out


def avalanches(signal, threshold: float):
    """Runs of consecutive points with signal > threshold.

    Returns (start index, duration, size) arrays; size = sum of the signal over the run.
    """
    s = np.asarray(signal, dtype=np.float64)
    above = s > threshold
    edges = np.diff(np.r_[0, above.astype(np.int8), 0])
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    cs = np.r_[0.0, np.cumsum(s)]
    return starts, ends - starts, cs[ends] - cs[starts]


def _loss_series(loss, walker: int):
    from ..schema import STEP_DIM

    attrs = {}
    steps = None
    if isinstance(loss, xr.Dataset):
        attrs = dict(loss.attrs)
        if "loss" not in loss:
            raise ValueError("loss_bursts: Dataset has no variable 'loss'")
        da = loss["loss"]
    elif isinstance(loss, xr.DataArray):
        da = loss
    else:
        arr = np.asarray(loss, dtype=np.float64)
        if arr.ndim == 2:
            arr = arr[walker]
        return arr.reshape(-1), None, attrs
    if "walker" in da.dims:
        da = da.isel(walker=walker)
    for dim in (STEP_DIM, "time"):
        if dim in da.dims:
            coord = "step" if dim == "time" and "step" in da.coords else dim
            if coord in da.coords:
                steps = np.asarray(da[coord].values)
    return np.asarray(da.values, dtype=np.float64).reshape(-1), steps, attrs


def loss_bursts(
    loss,
    *,
    window: int = 100,
    threshold="std",
    walker: int = 0,
    fit: bool = True,
    **fit_kwargs,
) -> xr.Dataset:
    """Loss bursts: |dL(t)|, its moving variance and the avalanches above a threshold.

    |dL(t)| = |L(t+1) - L(t)|; moving variance over ``window`` steps (paper: 100);
    avalanches = runs of consecutive steps with |dL| > threshold (paper: std(|dL|);
    ``threshold`` may also be a number). Avalanche durations (steps) and sizes (sum of |dL|
    over the run) are returned on dim ``avalanche``; with ``fit`` a discrete CSN power law
    is fitted to the durations (attrs ``duration_alpha``, ``duration_xmin``,
    ``duration_sigma``, ``duration_n_tail``; NaN when fewer than 10 avalanches).
    ``loss``: 1-D array, (walker, time) array, or a schema Dataset (per-step ``loss`` on
    dim ``iteration`` or ``loss(walker, time)``). ``result_type = "loss_bursts"``.
    """
    from ..schema import result
    from .powerlaw import fit_powerlaw

    L, steps, attrs = _loss_series(loss, walker)
    L = _samples(L, "loss_bursts", min_n=int(window) + 1, distinct=True)
    dl = np.abs(np.diff(L))
    if steps is None:
        steps = np.arange(L.size)
    steps = np.asarray(steps)[1:]
    mv = moving_variance(dl, window)
    thr = (
        float(np.std(dl)) if isinstance(threshold, str) and threshold == "std" else float(threshold)
    )
    start, dur, size = avalanches(dl, thr)
    out_attrs = {
        "threshold": thr,
        "window": int(window),
        "n_avalanches": int(dur.size),
        "duration_alpha": np.nan,
        "duration_xmin": np.nan,
        "duration_sigma": np.nan,
        "duration_n_tail": 0,
    }
    if fit and dur.size >= 10 and np.unique(dur).size > 1:
        f = fit_powerlaw(dur.astype(float), discrete=True, **fit_kwargs)
        out_attrs.update(
            duration_alpha=f.alpha,
            duration_xmin=f.xmin,
            duration_sigma=f.sigma,
            duration_n_tail=f.n_tail,
            duration_D=f.D,
        )
    return result(
        {
            "abs_dloss": ("iteration", dl),
            "moving_variance": ("iteration", mv),
            "avalanche_start": ("avalanche", steps[start] if start.size else start),
            "duration": ("avalanche", dur.astype(np.int64)),
            "size": ("avalanche", size),
        },
        coords={"iteration": steps.astype(np.int64)},
        inputs=attrs or None,
        config={"window": int(window), "threshold": threshold, "walker": walker},
        result_type="loss_bursts",
        **out_attrs,
    )
