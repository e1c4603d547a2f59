"""Shared argument checks and output construction for the null-model processes."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..schema import trajectory


def check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_pos(name: str, value, *, strict: bool = True) -> float:
    v = float(value)
    if not np.isfinite(v) or (v <= 0 if strict else v < 0):
        raise ValueError(f"{name} must be {'> 0' if strict else '>= 0'} and finite, got {value!r}")
    return v


def check_open(name: str, value, lo: float, hi: float) -> float:
    v = float(value)
    if not (lo < v < hi):
        raise ValueError(f"{name} must lie in ({lo:g}, {hi:g}), got {value!r}")
    return v


def rng_of(seed) -> np.random.Generator:
    return np.random.default_rng(seed)


def build(x: np.ndarray, process: str, seed, **config) -> xr.Dataset:
    """Wrap positions (walker, time, coord) at steps 0..T-1 in the trajectory schema."""
    cfg = {"process": process, **config}
    return trajectory(x, source="process", config=cfg, seed=seed, process=process)
