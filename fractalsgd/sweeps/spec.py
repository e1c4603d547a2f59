"""Sweep specifications: base configuration + grid and/or explicit list, expanded to points.

A sweep is read from a TOML file or a dict with the tables

* ``[sweep]``: ``kind`` (a point kind, see :mod:`fractalsgd.sweeps.kinds`), optional
  ``name``;
* ``[base]``: the configuration shared by every point;
* ``[grid]``: ``key = [v1, v2, ...]`` - the cartesian product over all grid keys. Keys may be
  dotted (``"landscape.hurst"`` or TOML's nested ``landscape.hurst``) to reach nested
  configuration tables;
* ``[[points]]``: an explicit list of overrides (tied values, e.g. batch and lr together);
* ``[summary]``: options of the per-point summary (e.g. ``success_loss``).

With both a grid and a list, every listed point is combined with every grid point, so the
summary has dims ``(point, *grid_keys)``; with only a grid its dims are the grid keys, with
only a list the single dim ``point``.

Each point's full configuration (defaults of its kind filled in) is hashed by
:func:`config_hash`: canonical JSON (sorted keys, integral floats written as ints) under
SHA-256, so the same configuration always lands in the same file, whatever the order of keys
or the spelling ``1`` / ``1.0`` of a number.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "Sweep",
    "Point",
    "load_sweep",
    "config_hash",
    "canonical_json",
    "POINT_DIM",
    "HASH_VERSION",
]

#: the dimension of an explicit list of points in the summary
POINT_DIM = "point"
#: bumped only if the hashing rule changes (it is part of every hash)
HASH_VERSION = 1
_TABLES = ("sweep", "base", "grid", "points", "summary")
_SWEEP_KEYS = ("kind", "name")


def _plain(obj: Any, where: str) -> Any:
    """Configuration values as plain JSON-able Python (numpy scalars/arrays converted)."""
    if isinstance(obj, Mapping):
        out = {}
        for k, v in obj.items():
            if not isinstance(k, str):
                raise ValueError(f"{where}: configuration keys must be strings, got {k!r}")
            out[k] = _plain(v, f"{where}.{k}")
        return out
    if isinstance(obj, (list, tuple)):
        return [_plain(v, where) for v in obj]
    if isinstance(obj, np.ndarray):
        return _plain(obj.tolist(), where)
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        if isinstance(obj, float) and not math.isfinite(obj):
            raise ValueError(f"{where}: non-finite number {obj!r} in configuration")
        return obj
    raise ValueError(
        f"{where}: unsupported configuration value of type {type(obj).__name__} "
        "(use numbers, strings, booleans, lists and tables)"
    )


def _canonical(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {k: _canonical(obj[k]) for k in sorted(obj)}
    if isinstance(obj, (list, tuple)):
        return [_canonical(v) for v in obj]
    if isinstance(obj, float) and obj.is_integer() and abs(obj) < 2**53:
        return int(obj)
    return obj


def canonical_json(obj: Any) -> str:
    """Canonical JSON of a configuration: sorted keys, no spaces, integral floats as ints."""
    return json.dumps(_canonical(_plain(obj, "config")), sort_keys=True, separators=(",", ":"))


def config_hash(kind: str, config: Mapping[str, Any], length: int = 16) -> str:
    """Stable hash of a point: SHA-256 of ``{"kind", "config", "v"}`` in canonical JSON.

    >>> a = config_hash("walker", {"lr": 0.1, "seed": 1})
    >>> a == config_hash("walker", {"seed": 1.0, "lr": 0.1})
    True
    """
    text = canonical_json({"kind": kind, "config": dict(config), "v": HASH_VERSION})
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested grid tables to dotted keys; leaves are the value lists."""
    out = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def set_key(config: dict, key: str, value: Any, where: str) -> None:
    """Set a (dotted) key in a nested configuration, in place."""
    parts = key.split(".")
    node = config
    for i, part in enumerate(parts[:-1]):
        sub = node.get(part)
        if sub is None:
            sub = node[part] = {}
        elif not isinstance(sub, dict):
            raise ValueError(
                f"{where}: key {key!r} reaches into {'.'.join(parts[: i + 1])!r}, "
                f"which is {sub!r}, not a table"
            )
        node = sub
    node[parts[-1]] = copy.deepcopy(value)


def _merge(config: dict, overrides: Mapping[str, Any], where: str) -> None:
    """Deep-merge ``overrides`` (nested tables and/or dotted keys) into ``config``, in place."""
    for k, v in overrides.items():
        if isinstance(v, Mapping):
            node = config
            for part in k.split("."):
                sub = node.get(part)
                if not isinstance(sub, dict):  # absent, or a scalar replaced by a table
                    sub = node[part] = {}
                node = sub
            _merge(node, v, where)
        else:
            set_key(config, k, v, where)


def _label(value: Any) -> Any:
    """A coordinate label for a value: itself if scalar, else its canonical JSON."""
    if isinstance(value, (bool, int, float, str)):
        return value
    return canonical_json(value)


@dataclass(frozen=True)
class Point:
    """One point of a sweep: its position in the summary and its full configuration."""

    index: tuple[int, ...]
    config: dict
    hash: str
    labels: dict = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return f"p-{self.hash}.nc"


@dataclass
class Sweep:
    """A parsed, validated sweep specification (see the module docstring)."""

    kind: str
    base: dict = field(default_factory=dict)
    grid: dict = field(default_factory=dict)
    points: list = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    name: str = "sweep"

    def __post_init__(self):
        from .kinds import get_point_kind

        if not isinstance(self.kind, str) or not self.kind:
            raise ValueError("sweep: 'kind' must name a point kind, e.g. kind = \"walker\"")
        if not isinstance(self.name, str):
            raise ValueError(f"sweep: 'name' must be a string, got {self.name!r}")
        self.base = _plain(self.base, "base")
        self.summary = _plain(self.summary, "summary")
        if not isinstance(self.base, dict):
            raise ValueError("base: must be a table of configuration keys")
        if not isinstance(self.grid, Mapping):
            raise ValueError("grid: must be a table of key = [values]")
        grid = _flatten(_plain(self.grid, "grid"))
        for key, values in grid.items():
            if not isinstance(values, list):
                raise ValueError(f"grid: {key!r} must be a list of values, got {values!r}")
            if not values:
                raise ValueError(f"grid: {key!r} is empty (give at least one value)")
            labels = [_label(v) for v in values]
            if len(set(map(json.dumps, labels))) != len(labels):
                raise ValueError(f"grid: {key!r} repeats a value: {values!r}")
        self.grid = grid
        if not isinstance(self.points, list):
            raise ValueError("points: must be a list of tables ([[points]] in TOML)")
        pts = []
        for i, p in enumerate(self.points):
            if not isinstance(p, Mapping):
                raise ValueError(f"points[{i}]: must be a table, got {p!r}")
            pts.append(_plain(p, f"points[{i}]"))
        self.points = pts
        for i, p in enumerate(pts):
            for key in _flatten(p):
                clash = [g for g in grid if g == key or g.startswith(key + ".")]
                clash += [g for g in grid if key.startswith(g + ".")]
                if clash:
                    raise ValueError(
                        f"points[{i}]: key {key!r} is also swept in grid ({clash[0]!r})"
                    )
        self.point_kind = get_point_kind(self.kind)
        self.point_kind.check_summary_options(self.summary)
        self._points = None

    # -- expansion -------------------------------------------------------------------
    @property
    def dims(self) -> tuple[str, ...]:
        """Dims of the summary: ``point`` (explicit list) first, then the grid keys."""
        return ((POINT_DIM,) if self.points else ()) + tuple(self.grid)

    @property
    def shape(self) -> tuple[int, ...]:
        return ((len(self.points),) if self.points else ()) + tuple(
            len(v) for v in self.grid.values()
        )

    def expand(self) -> list[Point]:
        """All points, in C order over :attr:`dims`, each validated and hashed."""
        if self._points is not None:
            return self._points
        lists = [list(enumerate(self.points))] if self.points else []
        lists += [list(enumerate(v)) for v in self.grid.values()]
        out, seen = [], {}
        for combo in itertools.product(*lists):
            idx = tuple(i for i, _ in combo)
            where = "point " + ", ".join(f"{d}[{i}]" for d, i in zip(self.dims, idx))
            config = copy.deepcopy(self.base)
            labels = {}
            parts = list(combo)
            if self.points:
                i, over = parts.pop(0)
                _merge(config, over, f"points[{i}]")
            for key, (_, value) in zip(self.grid, parts):
                set_key(config, key, value, f"grid {key!r}")
                labels[key] = _label(value)
            config = self.point_kind.resolve(config, where)
            h = config_hash(self.kind, config)
            if h in seen:
                raise ValueError(
                    f"{where} has the same configuration as point {seen[h]} "
                    "(duplicate points in the sweep)"
                )
            seen[h] = idx
            out.append(Point(idx, config, h, labels))
        if not out:
            raise ValueError("sweep has no points: give a [grid] and/or [[points]]")
        self._points = out
        return out

    def to_dict(self) -> dict:
        return {
            "sweep": {"kind": self.kind, "name": self.name},
            "base": self.base,
            "grid": self.grid,
            "points": self.points,
            "summary": self.summary,
        }

    @property
    def identity(self) -> str:
        """Hash of the whole specification (kind, base, grid, list; not the summary options)."""
        spec = {"kind": self.kind, "base": self.base, "grid": self.grid, "points": self.points}
        return hashlib.sha256(canonical_json(spec).encode()).hexdigest()[:16]


def load_sweep(source) -> Sweep:
    """A :class:`Sweep` from a TOML file path or a dict.

    The dict (or file) has the tables ``sweep`` (``kind``, ``name``), ``base``, ``grid``,
    ``points`` and ``summary``; anything else is refused with one line.
    """
    if isinstance(source, Sweep):
        return source
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such sweep file")
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML ({exc})") from None
        default_name = path.stem
    elif isinstance(source, Mapping):
        data = dict(source)
        default_name = "sweep"
    else:
        raise ValueError(f"a sweep is a TOML file path or a dict, got {type(source).__name__}")
    unknown = [k for k in data if k not in _TABLES]
    if unknown:
        raise ValueError(f"sweep: unknown table {unknown[0]!r} (expected {', '.join(_TABLES)})")
    head = data.get("sweep", {})
    if not isinstance(head, Mapping):
        raise ValueError("sweep: [sweep] must be a table with 'kind' and optional 'name'")
    bad = [k for k in head if k not in _SWEEP_KEYS]
    if bad:
        raise ValueError(
            f"sweep: unknown key {bad[0]!r} in [sweep] (expected {', '.join(_SWEEP_KEYS)})"
        )
    if "kind" not in head:
        raise ValueError('sweep: [sweep] needs kind = "walker" | "process" | "dnn" | ...')
    if not data.get("grid") and not data.get("points"):
        raise ValueError("sweep has no points: give a [grid] and/or [[points]]")
    return Sweep(
        kind=head["kind"],
        name=head.get("name", default_name),
        base=data.get("base", {}),
        grid=data.get("grid", {}),
        points=data.get("points", []),
        summary=data.get("summary", {}),
    )
