"""Helpers shared by the studies: provenance, saving, comparing with committed outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from ..schema import result
from ..store import load, save


def study_result(
    study: str,
    scale: str,
    result_type: str,
    data_vars,
    coords=None,
    *,
    config=None,
    seed=None,
    **attrs,
) -> xr.Dataset:
    """A result Dataset carrying the study name, scale, configuration and seed."""
    return result(
        data_vars,
        coords,
        config=config,
        seed=seed,
        study=study,
        scale=scale,
        result_type=result_type,
        **attrs,
    )


def write(ds: xr.Dataset, out_dir, name: str) -> Path:
    """Save ``ds`` as ``out_dir/name.nc`` (atomic, validated) and return the path."""
    return save(ds, Path(out_dir) / f"{name}.nc")


def same_numbers(a: xr.Dataset, b: xr.Dataset, *, rtol: float = 1e-6, atol: float = 1e-9):
    """Compare the numeric data of two study outputs; return a list of differences (empty if
    they agree). Attributes that change from run to run (``created``) are ignored."""
    diffs = []
    if set(a.data_vars) != set(b.data_vars):
        diffs.append(f"variables differ: {sorted(a.data_vars)} vs {sorted(b.data_vars)}")
        return diffs
    for name in a.data_vars:
        va, vb = a[name], b[name]
        if va.dims != vb.dims or va.shape != vb.shape:
            diffs.append(f"{name}: shape {va.dims}{va.shape} vs {vb.dims}{vb.shape}")
            continue
        if np.issubdtype(va.dtype, np.number) and np.issubdtype(vb.dtype, np.number):
            x, y = np.asarray(va.values, float), np.asarray(vb.values, float)
            if not np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=True):
                err = np.nanmax(np.abs(x - y))
                diffs.append(f"{name}: max abs difference {err:.3g}")
        elif not np.array_equal(va.values, vb.values):
            diffs.append(f"{name}: values differ")
    return diffs


def reproduces(path, new: xr.Dataset, **tol) -> list[str]:
    """Differences between a committed output file and a freshly computed Dataset."""
    return same_numbers(load(path), new, **tol)
