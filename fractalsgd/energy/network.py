"""A database of minima and transition states, saved and loaded as NetCDF."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["LandscapeNetwork", "RESULT_TYPE"]

RESULT_TYPE = "landscape_network"


def _opt_array(a, shape_first: int, name: str, dtype=np.float64):
    if a is None:
        return None
    a = np.asarray(a, dtype=dtype)
    if a.shape[:1] != (shape_first,):
        raise ValueError(f"{name}: expected {shape_first} rows, got shape {a.shape}")
    return a


@dataclass
class LandscapeNetwork:
    """Minima (``energy``, ``basin_size``, ``position``, ``minima_index``) and transition
    states (``ts_energy``, ``ts_pair``: the two minima each joins, ``ts_position``,
    ``ts_index``).

    Minima are numbered 0..n-1 (rows of the minima arrays) everywhere: in ``ts_pair``, in
    :func:`~fractalsgd.energy.disconnectivity` and in the summary measures. For grid
    networks ``minima_index`` / ``ts_index`` hold flat C-order grid indices of the cells
    (-1 for continuous landscapes) and ``grid_shape`` the grid's shape.
    """

    energy: np.ndarray
    ts_energy: np.ndarray
    ts_pair: np.ndarray
    basin_size: np.ndarray | None = None
    position: np.ndarray | None = None
    ts_position: np.ndarray | None = None
    minima_index: np.ndarray | None = None
    ts_index: np.ndarray | None = None
    grid_shape: tuple | None = None
    extent: tuple | None = None
    config: dict = field(default_factory=dict)

    def __post_init__(self):
        e = np.asarray(self.energy, dtype=np.float64)
        if e.ndim != 1 or e.size == 0:
            raise ValueError(f"energy: expected a non-empty 1-D array, got shape {e.shape}")
        if not np.all(np.isfinite(e)):
            raise ValueError(
                f"energy: non-finite value at minimum {int(np.argmin(np.isfinite(e)))}"
            )
        n = e.size
        self.energy = e
        te = np.asarray(self.ts_energy, dtype=np.float64).reshape(-1)
        tp = np.asarray(self.ts_pair)
        if tp.size == 0:
            tp = np.empty((0, 2), dtype=np.int64)
        if tp.ndim != 2 or tp.shape[1] != 2 or tp.shape[0] != te.size:
            raise ValueError(f"ts_pair: expected shape ({te.size}, 2), got {tp.shape}")
        if not np.issubdtype(tp.dtype, np.integer):
            if not np.all(tp == np.round(tp)):
                raise ValueError("ts_pair: minima numbers must be integers")
        tp = tp.astype(np.int64)
        if not np.all(np.isfinite(te)):
            raise ValueError(
                f"ts_energy: non-finite value at transition state {int(np.argmin(np.isfinite(te)))}"
            )
        bad = np.flatnonzero((tp < 0) | (tp >= n))
        if bad.size:
            t, k = divmod(int(bad[0]), 2)
            raise ValueError(
                f"transition state {t} names minimum {int(tp[t, k])}, but the network has "
                f"{n} minima (0..{n - 1})"
            )
        loops = np.flatnonzero(tp[:, 0] == tp[:, 1])
        if loops.size:
            raise ValueError(
                f"transition state {int(loops[0])} joins minimum {int(tp[loops[0], 0])} to itself"
            )
        lower = te < np.maximum(e[tp[:, 0]], e[tp[:, 1]]) - 1e-9 * (1 + np.abs(te))
        if lower.any():
            t = int(np.argmax(lower))
            raise ValueError(
                f"transition state {t} (energy {te[t]:.6g}) lies below minimum "
                f"{int(tp[t, np.argmax(e[tp[t]])])} it joins"
            )
        self.ts_energy, self.ts_pair = te, tp
        m = te.size
        if self.basin_size is None:
            self.basin_size = np.ones(n, dtype=np.int64)
        self.basin_size = _opt_array(self.basin_size, n, "basin_size", np.int64)
        self.position = _opt_array(self.position, n, "position")
        self.ts_position = _opt_array(self.ts_position, m, "ts_position")
        if self.minima_index is None:
            self.minima_index = np.full(n, -1, dtype=np.int64)
        if self.ts_index is None:
            self.ts_index = np.full(m, -1, dtype=np.int64)
        self.minima_index = _opt_array(self.minima_index, n, "minima_index", np.int64)
        self.ts_index = _opt_array(self.ts_index, m, "ts_index", np.int64)
        if self.grid_shape is not None:
            self.grid_shape = tuple(int(s) for s in self.grid_shape)
        if self.extent is not None:
            self.extent = tuple(float(v) for v in self.extent)

    # ------------------------------------------------------------------ basics
    @property
    def n_minima(self) -> int:
        return int(self.energy.size)

    @property
    def n_ts(self) -> int:
        return int(self.ts_energy.size)

    @property
    def global_minimum(self) -> int:
        """Number of the lowest minimum (lowest number among equal energies)."""
        return int(np.argmin(self.energy))

    def __repr__(self) -> str:
        return f"LandscapeNetwork({self.n_minima} minima, {self.n_ts} transition states)"

    # ------------------------------------------------------------------ grids
    @classmethod
    def from_grid(
        cls,
        Z,
        periodic: bool = False,
        connectivity: int = 8,
        extent=None,
        config: dict | None = None,
    ) -> LandscapeNetwork:
        """Network of a 1-D or 2-D grid in one call (:mod:`fractalsgd.energy.grid` rules).

        ``extent`` = (x0, x1) for 1-D or (x0, x1, y0, y1) for 2-D (cell centres at the
        ends, x along the last axis, matplotlib ``imshow`` order) gives positions in
        landscape coordinates; without it positions are grid indices.
        """
        from .grid import _check_grid, _minima, _ranks, _transition_states

        z = _check_grid(Z, periodic, connectivity)
        rank, order = _ranks(z)
        mins = _minima(z, periodic, connectivity, rank)
        ts = _transition_states(z, periodic, connectivity, rank, order, mins)
        cfg = {
            "grid_shape": list(z.shape),
            "periodic": bool(periodic),
            "connectivity": connectivity,
        }
        cfg.update(config or {})
        return cls(
            energy=mins.energy,
            ts_energy=ts.energy,
            ts_pair=ts.pair,
            basin_size=mins.size,
            position=grid_positions(mins.index, z.shape, extent),
            ts_position=grid_positions(ts.index, z.shape, extent),
            minima_index=mins.index,
            ts_index=ts.index,
            grid_shape=z.shape,
            extent=extent,
            config=cfg,
        )

    @classmethod
    def from_landscape(cls, landscape, periodic: bool = False, connectivity: int = 8):
        """Network of a grid landscape (an object with ``.grid`` and ``.extent``)."""
        grid = getattr(landscape, "grid", None)
        if grid is None:
            raise ValueError(
                f"{type(landscape).__name__} has no .grid: use basin_hopping/explore for "
                "continuous landscapes"
            )
        cfg = {}
        if hasattr(landscape, "describe"):
            cfg["landscape"] = landscape.describe()
        return cls.from_grid(
            np.asarray(grid), periodic, connectivity, getattr(landscape, "extent", None), cfg
        )

    # ------------------------------------------------------------------ I/O
    def to_dataset(self, inputs=None):
        """The network as a result Dataset (``result_type = "landscape_network"``)."""
        from ..schema import result

        dv: dict[str, Any] = {
            "energy": ("minimum", self.energy),
            "basin_size": ("minimum", self.basin_size),
            "minima_index": ("minimum", self.minima_index),
            "ts_energy": ("ts", self.ts_energy),
            "ts_pair": (("ts", "end"), self.ts_pair),
            "ts_index": ("ts", self.ts_index),
        }
        if self.position is not None:
            pos = self.position
            dv["position"] = (("minimum", "dim"), pos.reshape(self.n_minima, -1))
        if self.ts_position is not None:
            d = self.ts_position.shape[-1] if self.ts_position.ndim > 1 else 1
            dv["ts_position"] = (("ts", "dim"), self.ts_position.reshape(self.n_ts, d))
        attrs = {"result_type": RESULT_TYPE, "n_minima": self.n_minima, "n_ts": self.n_ts}
        if self.grid_shape is not None:
            attrs["grid_shape"] = json.dumps(list(self.grid_shape))
        if self.extent is not None:
            attrs["extent"] = json.dumps(list(self.extent))
        return result(dv, inputs=inputs, config=self.config, **attrs)

    @classmethod
    def from_dataset(cls, ds) -> LandscapeNetwork:
        """Rebuild a network from :meth:`to_dataset` output (validates it)."""
        from ..schema import config_of

        if ds.attrs.get("result_type") != RESULT_TYPE:
            raise ValueError(
                f"dataset has result_type {ds.attrs.get('result_type')!r}, expected {RESULT_TYPE!r}"
            )
        for v in ("energy", "ts_energy", "ts_pair"):
            if v not in ds:
                raise ValueError(f"landscape network dataset lacks variable {v!r}")

        def get(name):
            return np.asarray(ds[name].values) if name in ds else None

        gs = ds.attrs.get("grid_shape")
        ex = ds.attrs.get("extent")
        return cls(
            energy=get("energy"),
            ts_energy=get("ts_energy"),
            ts_pair=get("ts_pair").reshape(-1, 2),
            basin_size=get("basin_size"),
            position=get("position"),
            ts_position=get("ts_position"),
            minima_index=get("minima_index"),
            ts_index=get("ts_index"),
            grid_shape=tuple(json.loads(gs)) if gs else None,
            extent=tuple(json.loads(ex)) if ex else None,
            config=config_of(ds),
        )

    def save(self, path, inputs=None):
        """Write the network to NetCDF (atomic, :func:`fractalsgd.store.save`)."""
        from ..store import save

        return save(self.to_dataset(inputs), path)

    @classmethod
    def load(cls, path) -> LandscapeNetwork:
        """Read a network written by :meth:`save`."""
        from ..store import load

        return cls.from_dataset(load(path))


def grid_positions(flat_index, shape, extent=None) -> np.ndarray:
    """Positions (k, ndim) of grid cells: indices (x = last axis first) or extent coordinates."""
    idx = np.unravel_index(np.asarray(flat_index, dtype=np.int64), shape)
    cols = [np.asarray(i, dtype=np.float64) for i in reversed(idx)]  # x = column, y = row
    if extent is not None:
        ex = [float(v) for v in extent]
        if len(ex) != 2 * len(shape):
            raise ValueError(
                f"extent: expected {2 * len(shape)} numbers for a {len(shape)}-D grid, "
                f"got {len(ex)}"
            )
        for d, n in enumerate(reversed(shape)):
            lo, hi = ex[2 * d], ex[2 * d + 1]
            cols[d] = lo + (hi - lo) * cols[d] / max(n - 1, 1)
    return np.stack(cols, axis=1)
