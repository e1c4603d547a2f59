"""Jumps of a trajectory: per-step lengths and lag-tau displacements (for tail analyses)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ._input import as_positions

__all__ = ["step_lengths", "displacements", "jump_lengths"]


def step_lengths(x) -> xr.DataArray:
    """Euclidean length ||x(t+1) - x(t)|| of every recorded step, per walker.

    ``x``: schema Dataset, DataArray or numpy (time,), (time, coord), (walker, time, coord).
    Returns DataArray ``step_length(walker, time)`` with the ``step`` of the later snapshot;
    with unevenly spaced snapshots the lengths are between consecutive snapshots.
    """
    p = as_positions(x, name="step_lengths", min_time=2)
    d = np.linalg.norm(np.diff(p.x, axis=1), axis=2)
    return xr.DataArray(
        d,
        dims=("walker", "time"),
        coords={"walker": np.arange(d.shape[0]), "step": ("time", p.step[1:])},
        name="step_length",
        attrs={"long_name": "||x(t+1) - x(t)||"},
    )


def displacements(x, lag: int = 1, rescale: bool = False) -> xr.DataArray:
    """Displacement vectors x(t + lag) - x(t) over all start times (lag in snapshots).

    With ``rescale=True`` they are divided by sqrt(MSD(lag)), MSD(lag) = mean over walkers
    and start times of ||x(t+lag) - x(t)||^2, so that their mean squared norm is 1 (the
    rescaling used to pool jump statistics across lags). Returns DataArray
    ``displacement(walker, time, coord)`` indexed by the start snapshot's step.
    """
    lag = int(lag)
    p = as_positions(x, name="displacements", min_time=2)
    n_time = p.x.shape[1]
    if lag < 1 or lag >= n_time:
        raise ValueError(f"displacements: lag must be in [1, {n_time - 1}], got {lag}")
    d = p.x[:, lag:, :] - p.x[:, :-lag, :]
    attrs = {"lag": lag, "rescaled": int(bool(rescale))}
    if rescale:
        msd = float(np.mean(np.sum(d * d, axis=2)))
        if msd <= 0:
            raise ValueError(f"displacements: MSD at lag {lag} is 0; cannot rescale")
        d = d / np.sqrt(msd)
        attrs["msd"] = msd
    return xr.DataArray(
        d,
        dims=("walker", "time", "coord"),
        coords={"walker": np.arange(d.shape[0]), "step": ("time", p.step[:-lag])},
        name="displacement",
        attrs=attrs,
    )


def jump_lengths(x, lag: int = 1, **fit_kwargs) -> xr.Dataset:
    """Jump-length distribution with its CSN power-law tail, ready for ``fractalsgd plot``.

    Lengths ||x(t + lag) - x(t)|| pooled over walkers and start times (zero lengths are
    dropped), fitted with :func:`fractalsgd.analysis.fit_powerlaw`; returns the result
    Dataset of :meth:`PowerLawFit.to_dataset` with ``result_type = "jump_lengths"``.
    """
    from .powerlaw import fit_powerlaw

    d = displacements(x, lag)
    r = np.linalg.norm(d.values, axis=2).reshape(-1)
    r = r[r > 0]
    fit = fit_powerlaw(r, **fit_kwargs)
    ds = fit.to_dataset(r, result_type="jump_lengths")
    ds.attrs["lag"] = int(lag)
    return ds
