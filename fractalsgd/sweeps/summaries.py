"""Per-point summaries: a few scalars per trajectory, merged into the sweep summary.

* MSD exponents, with :mod:`fractalsgd.analysis` doing the work. With evenly spaced
  snapshots the time-averaged MSD per walker, ``dr2(tau) = <|x(t+tau) - x(t)|^2>_t``
  (Chen, Qu & Gong 2022, eq. 1; :func:`fractalsgd.analysis.tamsd`), at log-spaced lags
  up to ``max_lag_fraction`` of the run; otherwise (log-spaced records) the ensemble MSD
  from the first snapshot (:func:`fractalsgd.analysis.eamsd`).
* ``msd_exponent`` (+ ``_lo`` / ``_hi``): one power law over those lags
  (:func:`fractalsgd.analysis.fit_power_law`);
* ``beta1``, ``beta2``, ``tau0`` (+ ``_lo`` / ``_hi``): the two-regime fit, a continuous
  broken power law with an objective breakpoint (:func:`fractalsgd.analysis.fit_crossover`,
  ``n_breaks=1``). Intervals are 95 % bootstrap intervals over walkers (a block bootstrap
  of residuals for a single curve).
* Losses: ``final_loss_mean``, ``final_loss_std``, ``final_loss_min`` over walkers, and
  ``success_rate`` = fraction of walkers whose final loss is <= ``success_loss`` (NaN if no
  threshold is given).
* Walker points (:func:`walker_summary`) add ``diverged_fraction`` and, with
  ``success_tol``, count a walker as successful when its final loss is within
  ``success_tol`` of the landscape's known global minimum (``global_minimum``).
* DNN points (:func:`dnn_summary`) fit the recorder's exact windowed TAMSD of the full
  weight vector: ``*_early`` for the first window (t_w = 1), ``*_late`` for the last, plus
  the final minibatch and probe losses.
"""

from __future__ import annotations

import numpy as np

__all__ = ["msd_exponents", "trajectory_summary", "walker_summary", "dnn_summary"]

_EXPONENT_KEYS = ("msd_exponent", "beta1", "beta2", "tau0")


def _with_ci(out: dict, key: str, value, ci) -> None:
    out[key] = float(value)
    out[f"{key}_lo"], out[f"{key}_hi"] = (float(c) for c in np.asarray(ci).ravel()[:2])


def msd_exponents(ds, *, max_lag_fraction: float = 0.25, n_lags: int = 64, seed: int = 0):
    """MSD exponent and two-regime fit of a trajectory, with 95 % intervals (see module doc).

    Walkers with non-finite positions (diverged) are left out. Keys: ``msd_exponent``,
    ``beta1``, ``beta2``, ``tau0``, each with ``_lo`` / ``_hi``; NaN when the run is too
    short for a fit (fewer than 8 lags).
    """
    from ..analysis import eamsd, fit_crossover, fit_power_law, tamsd

    if not 0 < max_lag_fraction <= 1:
        raise ValueError(f"max_lag_fraction must be in (0, 1], got {max_lag_fraction}")
    out = {}
    for k in _EXPONENT_KEYS:
        out.update({k: np.nan, f"{k}_lo": np.nan, f"{k}_hi": np.nan})
    pos = np.asarray(ds["position"].values, dtype=np.float64)
    ok = np.all(np.isfinite(pos), axis=(1, 2))
    step = ds["step"].values
    if ok.sum() == 0 or step.size < 3:
        return out
    traj = ds.isel(walker=np.flatnonzero(ok))
    d = np.diff(step)
    span = int(step[-1] - step[0])
    top = max(1, int(span * max_lag_fraction))
    if np.all(d == d[0]):
        lags = np.unique(np.round(np.geomspace(d[0], max(d[0], top), n_lags) / d[0]) * d[0])
        msd = tamsd(traj, lags=lags.astype(np.int64))
    else:
        msd = eamsd(traj, t0=int(step[0]))
        msd = msd.sel(lag=msd["lag"] <= max(top, int(msd["lag"][0])))
    if msd.sizes["lag"] < 8:
        return out
    lag_range = (float(msd["lag"][0]), float(msd["lag"][-1]))
    p = fit_power_law(msd, lag_range, seed=seed)
    _with_ci(out, "msd_exponent", p["exponent"].values, p["exponent_ci"].values)
    c = fit_crossover(msd, lag_range, n_breaks=1, seed=seed)
    _with_ci(out, "beta1", c["slope"].values[0], c["slope_ci"].values[0])
    _with_ci(out, "beta2", c["slope"].values[1], c["slope_ci"].values[1])
    _with_ci(out, "tau0", c["tau0"].values[0], c["tau0_ci"].values[0])
    return out


def trajectory_summary(
    ds,
    config=None,
    *,
    success_loss: float | None = None,
    max_lag_fraction: float = 0.25,
    n_lags: int = 64,
) -> dict:
    """Scalars of one trajectory Dataset: MSD exponents, crossover, final losses, success."""
    out = msd_exponents(ds, max_lag_fraction=max_lag_fraction, n_lags=n_lags)
    pos = np.asarray(ds["position"].values, dtype=np.float64)
    ok = np.all(np.isfinite(pos), axis=(1, 2))
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
    n_lags: int = 64,
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


def dnn_summary(ds, config=None, *, final_steps: int = 100) -> dict:
    """Summary of a training run recorded by :class:`fractalsgd.dnn.recorder.TrajectoryRecorder`.

    From ``tamsd(t_w, lag)`` (exact, all parameters; Chen, Qu & Gong 2022, eq. 1) of the
    first and the last complete window: ``msd_exponent``, ``beta1``, ``beta2``, ``tau0``
    (with ``_lo`` / ``_hi``) suffixed ``_early`` / ``_late`` (NaN without a complete
    window); ``final_loss`` = mean minibatch loss over the last ``final_steps`` steps;
    ``final_probe_loss``; ``mean_step_length``.
    """
    from ..analysis import fit_crossover, fit_power_law

    out = {}
    for tag, i in (("early", 0), ("late", -1)):
        vals = dict.fromkeys(
            [f"{k}{b}" for k in _EXPONENT_KEYS for b in ("", "_lo", "_hi")], np.nan
        )
        if "tamsd" in ds.data_vars and ds.sizes.get("t_w", 0) and ds.sizes.get("lag", 0) >= 8:
            m = ds["tamsd"].isel(t_w=i)
            p = fit_power_law(m)
            _with_ci(vals, "msd_exponent", p["exponent"].values, p["exponent_ci"].values)
            c = fit_crossover(m, n_breaks=1)
            _with_ci(vals, "beta1", c["slope"].values[0], c["slope_ci"].values[0])
            _with_ci(vals, "beta2", c["slope"].values[1], c["slope_ci"].values[1])
            _with_ci(vals, "tau0", c["tau0"].values[0], c["tau0_ci"].values[0])
        out.update({f"{k}_{tag}": v for k, v in vals.items()})
    if "minibatch_loss" in ds.data_vars and ds["minibatch_loss"].size:
        out["final_loss"] = float(np.nanmean(ds["minibatch_loss"].values[-final_steps:]))
    if "probe_loss" in ds.data_vars and ds["probe_loss"].size:
        out["final_probe_loss"] = float(ds["probe_loss"].values[-1])
    if "step_length" in ds.data_vars and ds["step_length"].size:
        out["mean_step_length"] = float(np.nanmean(ds["step_length"].values))
    return out
