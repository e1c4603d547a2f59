"""Exact minima, catchment basins and transition states of 1-D and 2-D grids.

Definitions (all exact, no tolerances):

* Cells are totally ordered by (value, flat C-order index): equal values are broken by the
  lower flat index, so every result is deterministic.
* Neighbourhood: 1-D grids use the 2 nearest cells; 2-D grids the 8 surrounding cells
  (``connectivity=8``, the default, so diagonal moves count) or the 4 edge-sharing cells
  (``connectivity=4``). With ``periodic=True`` indices wrap around.
* A local minimum is a cell lower (in that order) than all its neighbours. Every cell
  flows to its lowest neighbour if that is lower than itself (steepest descent on the
  grid); its basin is the minimum it reaches.
* The transition state between two adjacent basins a and b is the lowest saddle on their
  shared boundary: over all neighbouring cell pairs (u in a, v in b), the pair minimising
  max(Z_u, Z_v); the saddle is the higher cell of that pair.

With these definitions the minimax energy of the lowest path between two minima over
grid cells (the highest cell on the path) equals the minimax over the basin graph whose
edges are these transition states (the watershed / bottleneck-spanning-tree result, e.g.
Najman & Schmitt, IEEE TPAMI 18, 1163 (1996)), which is what the disconnectivity tree uses.
Flat plateaus hold one minimum per "upper-left-most" plateau cell; such minima are joined by
transition states of zero height.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["GridMinima", "GridTransitionStates", "grid_minima", "grid_transition_states"]

_BIG = np.iinfo(np.int64).max


@dataclass(frozen=True)
class GridMinima:
    """Minima of a grid, numbered 0..n-1 in increasing flat index.

    ``index``: flat C-order index of each minimum; ``energy``: its value; ``basin``: array
    of Z's shape with the number of the minimum each cell flows to; ``size``: cells per
    basin.
    """

    index: np.ndarray
    energy: np.ndarray
    basin: np.ndarray
    size: np.ndarray

    def __len__(self) -> int:
        return int(self.index.size)


@dataclass(frozen=True)
class GridTransitionStates:
    """Lowest saddle between each pair of adjacent basins, sorted by ``pair``.

    ``pair``: (m, 2) minima numbers a < b; ``index``: flat index of the saddle cell;
    ``energy``: its value.
    """

    pair: np.ndarray
    index: np.ndarray
    energy: np.ndarray

    def __len__(self) -> int:
        return int(self.index.size)


def _check_grid(Z, periodic: bool, connectivity: int) -> np.ndarray:
    z = np.asarray(Z)
    if z.ndim not in (1, 2):
        raise ValueError(f"Z: expected a 1-D or 2-D array, got shape {z.shape}")
    if z.size == 0:
        raise ValueError(f"Z: empty grid (shape {z.shape})")
    if not (np.issubdtype(z.dtype, np.floating) or np.issubdtype(z.dtype, np.integer)):
        raise ValueError(f"Z: expected real numbers, got dtype {z.dtype}")
    z = z.astype(np.float64, copy=False)
    bad = ~np.isfinite(z)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"Z: non-finite value at index {where} ({int(bad.sum())} non-finite cells)"
        )
    if z.size < 2 or np.all(z == z.flat[0]):
        raise ValueError(f"Z: constant grid (shape {z.shape}) has no well-defined minima")
    if connectivity not in (4, 8):
        raise ValueError(f"connectivity must be 4 or 8, got {connectivity}")
    return z


def _offsets(ndim: int, connectivity: int, half: bool):
    if ndim == 1:
        offs = [(1,), (-1,)]
    elif connectivity == 4:
        offs = [(0, 1), (1, 0), (0, -1), (-1, 0)]
    else:
        offs = [(0, 1), (1, -1), (1, 0), (1, 1), (0, -1), (-1, 1), (-1, 0), (-1, -1)]
    return offs[: len(offs) // 2] if half else offs


def _neighbour(shape, off, periodic):
    """Flat neighbour index of every cell for offset ``off`` (-1 where off the grid)."""
    idx = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    if periodic:
        return np.roll(idx, tuple(-o for o in off), axis=tuple(range(len(shape))))
    out = np.full(shape, -1, dtype=np.int64)
    src = tuple(slice(max(o, 0), n + min(o, 0)) for o, n in zip(off, shape))
    dst = tuple(slice(max(-o, 0), n + min(-o, 0)) for o, n in zip(off, shape))
    out[dst] = idx[src]
    return out


def _ranks(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(z.ravel(), kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size, dtype=np.int64)
    return rank, order


def grid_minima(Z, periodic: bool = False, connectivity: int = 8) -> GridMinima:
    """Every local minimum of a 1-D or 2-D grid and its steepest-descent basin.

    See the module docstring for the neighbourhood and tie-breaking rules. Raises
    ValueError for empty, constant or non-finite grids.
    """
    z = _check_grid(Z, periodic, connectivity)
    return _minima(z, periodic, connectivity, _ranks(z)[0])


def _minima(z, periodic, connectivity, rank) -> GridMinima:
    shape = z.shape
    n = z.size
    best = np.arange(n, dtype=np.int64)
    best_rank = rank.copy()
    for off in _offsets(z.ndim, connectivity, half=False):
        nb = _neighbour(shape, off, periodic).ravel()
        ok = nb >= 0
        r = np.full(n, _BIG, dtype=np.int64)
        r[ok] = rank[nb[ok]]
        lower = r < best_rank
        best[lower] = nb[lower]
        best_rank[lower] = r[lower]
    # pointer jumping: every cell to the minimum its descent path ends in
    ptr = best
    while True:
        nxt = ptr[ptr]
        if np.array_equal(nxt, ptr):
            break
        ptr = nxt
    minima = np.flatnonzero(ptr == np.arange(n))
    label_of = np.full(n, -1, dtype=np.int64)
    label_of[minima] = np.arange(minima.size)
    basin = label_of[ptr]
    size = np.bincount(basin, minlength=minima.size).astype(np.int64)
    return GridMinima(minima, z.ravel()[minima], basin.reshape(shape), size)


def grid_transition_states(
    Z, periodic: bool = False, connectivity: int = 8, minima: GridMinima | None = None
) -> GridTransitionStates:
    """The lowest saddle between each pair of adjacent basins (see the module docstring).

    Pass ``minima`` (from :func:`grid_minima` with the same arguments) to reuse it.
    """
    z = _check_grid(Z, periodic, connectivity)
    rank, order = _ranks(z)
    if minima is None:
        minima = _minima(z, periodic, connectivity, rank)
    elif minima.basin.shape != z.shape:
        raise ValueError(f"minima: basin shape {minima.basin.shape} != Z shape {z.shape}")
    return _transition_states(z, periodic, connectivity, rank, order, minima)


def _transition_states(z, periodic, connectivity, rank, order, minima):
    lab = minima.basin.ravel()
    nmin = len(minima)
    codes, wranks = [], []
    cells = np.arange(z.size, dtype=np.int64)
    for off in _offsets(z.ndim, connectivity, half=True):
        nb = _neighbour(z.shape, off, periodic).ravel()
        ok = nb >= 0
        u, v = cells[ok], nb[ok]
        la, lb = lab[u], lab[v]
        diff = la != lb
        u, v, la, lb = u[diff], v[diff], la[diff], lb[diff]
        codes.append(np.minimum(la, lb) * nmin + np.maximum(la, lb))
        wranks.append(np.maximum(rank[u], rank[v]))
    code = np.concatenate(codes) if codes else np.empty(0, np.int64)
    wr = np.concatenate(wranks) if wranks else np.empty(0, np.int64)
    if code.size == 0:
        e = np.empty(0, np.int64)
        return GridTransitionStates(np.empty((0, 2), np.int64), e, np.empty(0))
    srt = np.lexsort((wr, code))
    code, wr = code[srt], wr[srt]
    first = np.ones(code.size, dtype=bool)
    first[1:] = code[1:] != code[:-1]
    code, wr = code[first], wr[first]
    saddle = order[wr]
    pair = np.stack([code // nmin, code % nmin], axis=1)
    return GridTransitionStates(pair, saddle, z.ravel()[saddle])
