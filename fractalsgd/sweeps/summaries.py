"""Per-point summaries: a few scalars per trajectory, merged into the sweep summary.

* MSD exponents. With evenly spaced snapshots the time-averaged MSD
  ``dr2(tau) = <|x(t+tau) - x(t)|^2>_{t, walkers}`` is used (Chen, Qu & Gong 2022, eq. 1,
  averaged over walkers); otherwise the ensemble MSD from the first snapshot,
  ``<|x(t) - x(t_0)|^2>``. Lags are log-spaced up to ``max_lag_fraction`` of the run.
* ``msd_exponent``: least-squares slope of ``ln dr2`` against ``ln tau``.
* ``beta1``, ``beta2``, ``tau0``: the two-regime fit ``dr2 ~ tau^beta1`` (tau < tau0),
  ``~ tau^beta2`` (tau > tau0) as a continuous broken line in log-log coordinates; the
  breakpoint minimises the residual sum of squares over the sampled lags (an objective
  version of the paper's by-eye crossover).
* Losses: ``final_loss_mean``, ``final_loss_std``, ``final_loss_min`` over walkers, and
  ``success_rate`` = fraction of walkers whose final loss is <= ``success_loss`` (NaN if no
  threshold is given).
* Walker points (:func:`walker_summary`) add ``diverged_fraction`` and, with
  ``success_tol``, count a walker as successful when its final loss is within
  ``success_tol`` of the landscape's known global minimum (``global_minimum``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["msd_curve", "fit_two_regime", "trajectory_summary", "walker_summary"]


def _lags(n_max: int, n_lags: int) -> np.ndarray:
    if n_max < 1:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.round(np.geomspace(1, n_max, n_lags)).astype(np.int64))


def msd_curve(positions, steps=None, *, max_lag_fraction: float = 0.25, n_lags: int = 32):
    """(lag in steps, MSD) of positions (walker, time, coord); see the module docstring."""
    x = np.asarray(positions, dtype=np.float64)
    if x.ndim == 2:
        x = x[None]
    if x.ndim != 3:
        raise ValueError(f"positions must be (walker, time, coord), got shape {x.shape}")
    n_time = x.shape[1]
    if x.shape[0] == 0:
        return np.zeros(0), np.zeros(0)
    steps = np.arange(n_time) if steps is None else np.asarray(steps, dtype=np.int64)
    if not 0 < max_lag_fraction <= 1:
        raise ValueError(f"max_lag_fraction must be in (0, 1], got {max_lag_fraction}")
    d = np.diff(steps)
    if n_time < 2:
        return np.zeros(0), np.zeros(0)
    if np.all(d == d[0]):
        ks = _lags(int((n_time - 1) * max_lag_fraction), n_lags)
        msd = np.array([np.mean(np.sum((x[:, k:] - x[:, :-k]) ** 2, axis=2)) for k in ks])
        return ks * d[0], msd
    # uneven snapshots: ensemble MSD from the first snapshot, at the recorded steps
    lag = steps[1:] - steps[0]
    keep = lag <= max(lag[0], max_lag_fraction * lag[-1])
    msd = np.mean(np.sum((x[:, 1:] - x[:, :1]) ** 2, axis=2), axis=0)
    return lag[keep], msd[keep]


def fit_two_regime(lag, msd, *, min_points: int = 3) -> dict:
    """Slope and continuous two-regime (broken power-law) fit of ``msd`` against ``lag``.

    Returns ``msd_exponent`` (one slope), ``beta1``, ``beta2`` and ``tau0``; NaN where there
    are too few positive points (``2 * min_points`` are needed for the broken line).
    """
    lag = np.asarray(lag, dtype=np.float64)
    msd = np.asarray(msd, dtype=np.float64)
    ok = (lag > 0) & (msd > 0) & np.isfinite(msd)
    x, y = np.log(lag[ok]), np.log(msd[ok])
    out = dict.fromkeys(("msd_exponent", "beta1", "beta2", "tau0"), np.nan)
    if x.size >= 2:
        out["msd_exponent"] = float(np.polyfit(x, y, 1)[0])
    if x.size < 2 * min_points:
        return out
    best = None
    for j in range(min_points - 1, x.size - min_points + 1):
        a = np.column_stack([np.ones_like(x), x, np.maximum(x - x[j], 0.0)])
        coef, *_ = np.linalg.lstsq(a, y, rcond=None)
        sse = float(np.sum((a @ coef - y) ** 2))
        if best is None or sse < best[0] - 1e-12 * max(1.0, abs(best[0])):
            best = (sse, j, coef)
    _, j, coef = best
    out.update(beta1=float(coef[1]), beta2=float(coef[1] + coef[2]), tau0=float(np.exp(x[j])))
    return out


def trajectory_summary(
    ds,
    config=None,
    *,
    success_loss: float | None = None,
    max_lag_fraction: float = 0.25,
    n_lags: int = 32,
) -> dict:
    """Scalars of one trajectory Dataset: MSD exponents, crossover, final losses, success."""
    pos = np.asarray(ds["position"].values, dtype=np.float64)
    steps = ds["step"].values if "step" in ds.coords else None
    ok = np.all(np.isfinite(pos), axis=(1, 2))  # diverged walkers are left out of the MSD
    lag, msd = msd_curve(pos[ok], steps, max_lag_fraction=max_lag_fraction, n_lags=n_lags)
    out = fit_two_regime(lag, msd)
    disp = np.sum((pos[ok, -1] - pos[ok, 0]) ** 2, axis=-1)
    out["rms_displacement"] = float(np.sqrt(np.mean(disp))) if disp.size else np.nan
    if "loss" in ds.data_vars:
        final = ds["loss"].values[:, -1].astype(np.float64)
        fin = final[np.isfinite(final)]
        out["final_loss_mean"] = float(np.mean(fin)) if fin.size else np.nan
        out["final_loss_std"] = float(np.std(fin, ddof=1)) if fin.size > 1 else np.nan
        out["final_loss_min"] = float(np.min(fin)) if fin.size else np.nan
        # every walker counts; a diverged one (NaN / inf loss) is a failure
        out["success_rate"] = (
            float(np.mean(final <= success_loss)) if success_loss is not None else np.nan
        )
    return out


def walker_summary(
    ds,
    config=None,
    *,
    success_loss: float | None = None,
    success_tol: float | None = None,
    max_lag_fraction: float = 0.25,
    n_lags: int = 32,
) -> dict:
    """:func:`trajectory_summary` plus ``diverged_fraction`` and the success rate against the
    landscape's global minimum (``success_tol``) or an absolute ``success_loss``."""
    if success_tol is not None and success_loss is not None:
        raise ValueError("summary: give success_loss or success_tol, not both")
    threshold = success_loss
    if success_tol is not None:
        from ..landscapes import from_config

        gmin = from_config(dict((config or {})["landscape"])).global_minimum
        if gmin is None:
            raise ValueError(
                "summary: success_tol needs a landscape with a known global minimum; "
                "use success_loss"
            )
        threshold = float(gmin[1]) + float(success_tol)
    out = trajectory_summary(
        ds, config, success_loss=threshold, max_lag_fraction=max_lag_fraction, n_lags=n_lags
    )
    if "diverged" in ds.data_vars:
        out["diverged_fraction"] = float(np.mean(ds["diverged"].values))
    return out
