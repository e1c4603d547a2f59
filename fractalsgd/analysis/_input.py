"""Input coercion shared by all analyses: schema Dataset, DataArray or numpy -> arrays."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import xarray as xr


@dataclass
class Positions:
    """Positions as a float array of shape (walker, time, coord), with their steps."""

    x: np.ndarray
    step: np.ndarray
    attrs: dict = field(default_factory=dict)

    @property
    def evenly_spaced(self) -> bool:
        d = np.diff(self.step)
        return d.size == 0 or bool(np.all(d == d[0]))


def as_positions(x, *, name: str = "x", min_time: int = 2, check_finite: bool = True) -> Positions:
    """Coerce a trajectory to :class:`Positions`.

    Accepts a schema Dataset (``position`` and ``step``), a DataArray with dims
    (walker, time, coord) / (time, coord), or numpy of shape (time,), (time, coord) or
    (walker, time, coord). Raises ValueError naming the problem and where it is
    (walker and time index of the first non-finite value).
    """
    attrs: dict = {}
    step = None
    if isinstance(x, xr.Dataset):
        if "position" not in x:
            raise ValueError(f"{name}: Dataset has no variable 'position'")
        attrs = dict(x.attrs)
        if "step" in x.coords:
            step = np.asarray(x["step"].values, dtype=np.int64)
        x = x["position"]
    if isinstance(x, xr.DataArray):
        if step is None and "step" in x.coords and x["step"].dims == ("time",):
            step = np.asarray(x["step"].values, dtype=np.int64)
        if "walker" in x.dims and "time" in x.dims and "coord" in x.dims:
            x = x.transpose("walker", "time", "coord")
        attrs = attrs or dict(x.attrs)
        x = x.values
    arr = np.asarray(x)
    if arr.ndim == 1:
        arr = arr[None, :, None]
    elif arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3:
        raise ValueError(
            f"{name}: expected shape (time,), (time, coord) or (walker, time, coord), "
            f"got {np.shape(x)}"
        )
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    n_walker, n_time, n_coord = arr.shape
    if n_walker == 0:
        raise ValueError(f"{name}: zero walkers")
    if n_coord == 0:
        raise ValueError(f"{name}: zero coordinates")
    if n_time < min_time:
        raise ValueError(f"{name}: needs at least {min_time} time points, got {n_time}")
    if check_finite:
        bad = ~np.isfinite(arr)
        if bad.any():
            w, t, c = np.argwhere(bad)[0]
            raise ValueError(
                f"{name}: non-finite value at walker {w}, time index {t}, coord {c} "
                f"({int(bad.sum())} non-finite values in all)"
            )
    if step is None:
        step = np.arange(n_time, dtype=np.int64)
    if step.shape != (n_time,):
        raise ValueError(f"{name}: step has shape {step.shape}, expected ({n_time},)")
    return Positions(arr, step, attrs)
