"""The one trajectory data model of fractalsgd, shared by walkers, DNNs and null models.

A trajectory is an :class:`xarray.Dataset` with

* dims ``walker`` (ensemble member, seed or run), ``time`` (recorded snapshot) and
  ``coord`` (a coordinate of position / parameter space);
* data variable ``position(walker, time, coord)`` (floating point);
* coordinate ``step(time)``: int64 optimiser or integrator step of each snapshot,
  strictly increasing (snapshots need not be evenly spaced);
* optional ``loss(walker, time)``;
* optional per-step series (every optimiser step, not only the snapshots) on a dimension
  of their own, :data:`STEP_DIM` = ``"iteration"``, whose coordinate holds the step
  numbers. (It cannot be called ``step``: xarray forbids a dimension that shares its name
  with the ``step(time)`` coordinate.)

Attributes carry provenance (:data:`PROVENANCE_ATTRS`): ``fractalsgd_version``,
``source`` (one of :data:`SOURCES`), ``created`` (ISO 8601 UTC), ``config`` (the full
configuration as a JSON string), ``seed`` and ``schema_version``. ``kind`` is
``"trajectory"`` here and ``"result"`` for analysis results (MSD tables, fits,
landscapes), which carry the same provenance so that every number can be traced to its
inputs (see :func:`result`).
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from ._version import __version__

SCHEMA_VERSION = "1.0"
DIMS = ("walker", "time", "coord")
STEP_DIM = "iteration"
SOURCES = ("walker", "dnn", "process", "external", "analysis")
KINDS = ("trajectory", "result")
PROVENANCE_ATTRS = (
    "fractalsgd_version",
    "source",
    "created",
    "config",
    "seed",
    "schema_version",
    "kind",
)

__all__ = [
    "SchemaError",
    "SCHEMA_VERSION",
    "DIMS",
    "STEP_DIM",
    "SOURCES",
    "provenance",
    "trajectory",
    "result",
    "validate",
    "config_of",
]


class SchemaError(ValueError):
    """A dataset or file does not follow the fractalsgd schema; the message says why."""


def _json_default(obj: Any):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, tuple)):
        return list(obj)
    return str(obj)


def _seed_attr(seed: Any) -> int | str:
    if seed is None:
        return "none"
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return int(seed)
    return json.dumps(seed, default=_json_default)


def provenance(
    source: str,
    config: Mapping[str, Any] | str | None = None,
    seed: Any = None,
    kind: str = "trajectory",
    **extra: Any,
) -> dict[str, Any]:
    """Provenance attributes for a new dataset.

    ``config`` is stored as a JSON string (a mapping is serialised, numpy scalars and
    arrays become plain JSON), ``seed`` as an int (or JSON / ``"none"`` otherwise).
    """
    if source not in SOURCES:
        raise SchemaError(f"source must be one of {SOURCES}, got {source!r}")
    if kind not in KINDS:
        raise SchemaError(f"kind must be one of {KINDS}, got {kind!r}")
    if config is None:
        config = {}
    if not isinstance(config, str):
        config = json.dumps(dict(config), sort_keys=True, default=_json_default)
    attrs = {
        "fractalsgd_version": __version__,
        "source": source,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "config": config,
        "seed": _seed_attr(seed),
        "schema_version": SCHEMA_VERSION,
        "kind": kind,
    }
    attrs.update(extra)
    return attrs


def config_of(ds: xr.Dataset) -> dict[str, Any]:
    """The configuration stored in ``ds.attrs['config']`` as a dict."""
    try:
        return json.loads(ds.attrs.get("config", "{}"))
    except (TypeError, json.JSONDecodeError) as exc:
        raise SchemaError(f"attribute 'config' is not valid JSON: {exc}") from None


def trajectory(
    positions,
    step=None,
    loss=None,
    *,
    source: str = "external",
    config: Mapping[str, Any] | str | None = None,
    seed: Any = None,
    coord_names=None,
    **attrs: Any,
) -> xr.Dataset:
    """Build a trajectory Dataset from an array of shape (time, coord) or (walker, time, coord).

    ``step`` defaults to ``0..T-1``; ``loss`` has shape (time,) or (walker, time).
    Extra keyword arguments become attributes.

    >>> ds = trajectory(np.zeros((5, 2)))
    >>> dict(ds.sizes)
    {'walker': 1, 'time': 5, 'coord': 2}
    """
    x = np.asarray(positions)
    if x.ndim == 2:
        x = x[None]
    if x.ndim != 3:
        raise SchemaError(
            f"positions must have shape (time, coord) or (walker, time, coord), got {x.shape}"
        )
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    n_walker, n_time, n_coord = x.shape
    if step is None:
        step = np.arange(n_time, dtype=np.int64)
    step = np.asarray(step)
    if step.shape != (n_time,):
        raise SchemaError(f"step must have shape ({n_time},), got {step.shape}")
    if not np.issubdtype(step.dtype, np.integer):
        if not np.all(np.asarray(step) == np.round(step)):
            raise SchemaError("step must hold integers")
    step = step.astype(np.int64)
    coords: dict[str, Any] = {
        "walker": np.arange(n_walker, dtype=np.int64),
        "step": ("time", step),
    }
    if coord_names is not None:
        names = np.asarray(coord_names)
        if names.shape != (n_coord,):
            raise SchemaError(f"coord_names must have length {n_coord}, got {names.shape}")
        coords["coord"] = names
    data_vars: dict[str, Any] = {"position": (DIMS, x)}
    if loss is not None:
        lo = np.asarray(loss)
        if lo.ndim == 1:
            lo = lo[None]
        if lo.shape != (n_walker, n_time):
            raise SchemaError(
                f"loss must have shape ({n_time},) or ({n_walker}, {n_time}), got {np.shape(loss)}"
            )
        if not np.issubdtype(lo.dtype, np.floating):
            lo = lo.astype(np.float64)
        data_vars["loss"] = (("walker", "time"), lo)
    ds = xr.Dataset(data_vars, coords=coords)
    ds.attrs.update(provenance(source, config, seed, kind="trajectory"))
    ds.attrs.update(attrs)
    validate(ds)
    return ds


def result(
    data_vars: Mapping[str, Any],
    coords: Mapping[str, Any] | None = None,
    *,
    inputs: xr.Dataset | Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | str | None = None,
    seed: Any = None,
    **attrs: Any,
) -> xr.Dataset:
    """Build an analysis-result Dataset with provenance (``kind="result"``).

    ``inputs`` (the analysed Dataset, or its attrs) is summarised in ``input_source``,
    ``input_config``, ``input_seed`` and ``input_created`` so a result can be traced back.
    """
    ds = xr.Dataset(data_vars, coords=coords)
    ds.attrs.update(provenance("analysis", config, seed, kind="result"))
    if inputs is not None:
        ia = inputs.attrs if isinstance(inputs, xr.Dataset) else dict(inputs)
        for key in ("source", "config", "seed", "created"):
            if key in ia:
                ds.attrs[f"input_{key}"] = ia[key]
    ds.attrs.update(attrs)
    return ds


def _missing_attrs(ds: xr.Dataset) -> list[str]:
    return [a for a in PROVENANCE_ATTRS if a not in ds.attrs]


def validate(ds: xr.Dataset) -> xr.Dataset:
    """Check ``ds`` against the schema; return it unchanged or raise :class:`SchemaError`.

    Trajectories (``kind == "trajectory"``) are checked in full; results
    (``kind == "result"``) need the provenance attributes only.
    """
    if not isinstance(ds, xr.Dataset):
        raise SchemaError(f"expected an xarray.Dataset, got {type(ds).__name__}")
    missing = _missing_attrs(ds)
    if missing:
        raise SchemaError(f"missing provenance attribute(s): {', '.join(missing)}")
    if ds.attrs["kind"] not in KINDS:
        raise SchemaError(f"attribute 'kind' must be one of {KINDS}, got {ds.attrs['kind']!r}")
    if ds.attrs["source"] not in SOURCES:
        raise SchemaError(
            f"attribute 'source' must be one of {SOURCES}, got {ds.attrs['source']!r}"
        )
    if str(ds.attrs["schema_version"]).split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise SchemaError(
            f"schema_version {ds.attrs['schema_version']!r} is not compatible with {SCHEMA_VERSION}"
        )
    config_of(ds)
    if ds.attrs["kind"] == "result":
        return ds
    if "position" not in ds.data_vars:
        raise SchemaError("trajectory has no data variable 'position'")
    pos = ds["position"]
    if pos.dims != DIMS:
        raise SchemaError(f"'position' must have dims {DIMS}, got {pos.dims}")
    if not np.issubdtype(pos.dtype, np.floating):
        raise SchemaError(f"'position' must be floating point, got {pos.dtype}")
    if "step" not in ds.coords:
        raise SchemaError("trajectory has no coordinate 'step'")
    step = ds["step"]
    if step.dims != ("time",):
        raise SchemaError(f"coordinate 'step' must have dims ('time',), got {step.dims}")
    if step.dtype != np.int64:
        raise SchemaError(f"coordinate 'step' must be int64, got {step.dtype}")
    sv = step.values
    if sv.size > 1 and not np.all(np.diff(sv) > 0):
        bad = int(np.argmax(np.diff(sv) <= 0)) + 1
        raise SchemaError(f"coordinate 'step' must increase strictly (time index {bad})")
    if "loss" in ds.data_vars and ds["loss"].dims != ("walker", "time"):
        raise SchemaError(f"'loss' must have dims ('walker', 'time'), got {ds['loss'].dims}")
    if STEP_DIM in ds.dims and STEP_DIM not in ds.coords:
        raise SchemaError(f"per-step dimension {STEP_DIM!r} needs a coordinate of step numbers")
    return ds
