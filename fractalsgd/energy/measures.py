"""Summary measures for comparing energy landscapes (networks of minima and saddles).

* :func:`minima_per_band` - number of minima per energy band;
* :func:`barrier_distribution` - escape barriers (lowest saddle around each minimum) or
  minimax barriers to the global minimum;
* :func:`funnel_fraction` - fraction of minima whose lowest-barrier (minimax) path to the
  global minimum descends monotonically through minima of ever lower energy: a
  "monotonic sequence basin" measure of how funnelled a landscape is (Berry & Kunz,
  PRL 74, 3951 (1995); Wales, *Energy Landscapes*, CUP 2003, ch. 8);
* :func:`first_passage` - first-passage statistics of walkers to the global basin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .disconnectivity import DisconnectivityTree, disconnectivity
from .network import LandscapeNetwork

__all__ = [
    "minima_per_band",
    "barrier_distribution",
    "merge_energy_to",
    "funnel_fraction",
    "FirstPassage",
    "first_passage",
    "grid_basin_lookup",
    "quench_basin_lookup",
]


def _tree(network) -> DisconnectivityTree:
    if isinstance(network, DisconnectivityTree):
        return network
    if isinstance(network, LandscapeNetwork):
        return disconnectivity(network)
    raise ValueError(f"network: expected a LandscapeNetwork, got {type(network).__name__}")


def minima_per_band(network: LandscapeNetwork, bands=10):
    """Counts of minima per energy band: ``bands`` equal bands from the lowest to the
    highest minimum, or explicit increasing band edges. Returns (edges, counts)."""
    e = network.energy
    if np.ndim(bands) == 0:
        nb = int(bands)
        if nb < 1:
            raise ValueError(f"bands must be >= 1, got {bands}")
        hi = e.max() if e.max() > e.min() else e.min() + 1.0
        edges = np.linspace(e.min(), hi, nb + 1)
    else:
        edges = np.asarray(bands, dtype=np.float64)
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError("bands: expected at least 2 strictly increasing edges")
    counts, _ = np.histogram(e, bins=edges)
    return edges, counts


def merge_energy_to(tree: DisconnectivityTree, target: int) -> np.ndarray:
    """Merge energy of every minimum with ``target`` (inf if never joined), in O(n)."""
    target = tree._check(target, "target")
    n, k = tree.n, tree.merge_energy.size
    order = tree.leaf_order()
    pos = np.empty(n, dtype=np.int64)
    pos[order] = np.arange(n)
    lo = np.concatenate([pos, np.zeros(k, np.int64)])
    hi = np.concatenate([pos + 1, np.zeros(k, np.int64)])
    for j, (c0, c1) in enumerate(tree.children):
        lo[n + j], hi[n + j] = min(lo[c0], lo[c1]), max(hi[c0], hi[c1])
    out_sorted = np.full(n, np.inf)
    x = target
    out_sorted[pos[target]] = tree.network.energy[target]
    while tree.parent[x] >= 0:
        p = tree.parent[x]
        c0, c1 = tree.children[p - n]
        other = c1 if c0 == x else c0
        out_sorted[lo[other] : hi[other]] = tree.node_energy[p]
        x = p
    return out_sorted[pos]


def barrier_distribution(network: LandscapeNetwork, kind: str = "escape") -> np.ndarray:
    """Barrier heights per minimum.

    ``kind="escape"``: lowest transition state touching each minimum minus its energy
    (NaN for an isolated minimum). ``kind="global"``: minimax barrier from each minimum to
    the global minimum (0 for the global minimum itself, inf where disconnected).
    """
    if kind == "escape":
        e = network.energy
        best = np.full(network.n_minima, np.inf)
        for c in (0, 1):
            np.minimum.at(best, network.ts_pair[:, c], network.ts_energy)
        out = best - e
        out[~np.isfinite(best)] = np.nan
        return out
    if kind == "global":
        tree = _tree(network)
        return merge_energy_to(tree, network.global_minimum) - network.energy
    raise ValueError(f"kind must be 'escape' or 'global', got {kind!r}")


def funnel_fraction(network: LandscapeNetwork):
    """Fraction of minima (global minimum excluded) whose minimax path to the global
    minimum visits minima of strictly decreasing energy. Returns (fraction, mask (n,)).

    The minimax path is the path in the minimum spanning tree of the transition states
    (Kruskal order of :func:`disconnectivity`); minima not connected to the global minimum
    are outside the funnel.
    """
    tree = _tree(network)
    net = tree.network
    n, g = net.n_minima, net.global_minimum
    if n == 1:
        return 1.0, np.ones(1, dtype=bool)
    p = net.ts_pair[tree.ts_used]
    adj: list[list[int]] = [[] for _ in range(n)]
    for a, b in p.tolist():
        adj[a].append(b)
        adj[b].append(a)
    mask = np.zeros(n, dtype=bool)
    mask[g] = True
    seen = np.zeros(n, dtype=bool)
    seen[g] = True
    stack = [g]
    e = net.energy
    while stack:
        x = stack.pop()
        for y in adj[x]:
            if not seen[y]:
                seen[y] = True
                mask[y] = mask[x] and e[x] < e[y]
                stack.append(y)
    others = np.arange(n) != g
    return float(mask[others].mean()), mask


@dataclass
class FirstPassage:
    """First passage of walkers into a target basin.

    ``step`` (walker,): first recorded step at which each walker is in the basin (-1 if
    never); ``time_index`` likewise as snapshot index; ``fraction``: fraction that reached
    it; ``survival`` (time,): fraction not yet arrived at each snapshot; ``steps`` (time,).
    """

    step: np.ndarray
    time_index: np.ndarray
    fraction: float
    survival: np.ndarray
    steps: np.ndarray
    target: int

    @property
    def mean_step(self) -> float:
        """Mean first-passage step over walkers that arrived (NaN if none)."""
        ok = self.step >= 0
        return float(self.step[ok].mean()) if ok.any() else float("nan")

    @property
    def median_step(self) -> float:
        ok = self.step >= 0
        return float(np.median(self.step[ok])) if ok.any() else float("nan")


def grid_basin_lookup(Z, extent=None, periodic: bool = False, connectivity: int = 8):
    """A callable mapping positions (n, ndim) to the grid basin (minimum number) of the
    nearest grid node; ``extent`` as in :meth:`LandscapeNetwork.from_grid`."""
    from .grid import grid_minima

    m = grid_minima(Z, periodic, connectivity)
    shape = m.basin.shape
    nd = len(shape)

    def lookup(x):
        x = np.asarray(x, dtype=np.float64).reshape(-1, nd)
        idx = []
        for d, n in enumerate(reversed(shape)):  # x -> last axis
            if extent is None:
                f = x[:, d]
            else:
                lo, hi = float(extent[2 * d]), float(extent[2 * d + 1])
                f = (x[:, d] - lo) / (hi - lo) * (n - 1)
            i = np.rint(f).astype(np.int64)
            i = np.mod(i, n) if periodic else np.clip(i, 0, n - 1)
            idx.append(i)
        return m.basin[tuple(reversed(idx))]

    return lookup


def quench_basin_lookup(landscape, network: LandscapeNetwork, tol: float = 1e-3, **quench_kw):
    """A callable mapping positions to the network minimum they quench to (-1 if none
    within ``tol``) for continuous landscapes."""
    from .continuous import quench

    if network.position is None:
        raise ValueError("network has no minimum positions")
    kw = {"method": "fire"}
    kw.update(quench_kw)

    def lookup(x):
        q = quench(landscape, np.asarray(x, dtype=np.float64).reshape(-1, landscape.dim), **kw)
        d = np.linalg.norm(q.x[:, None, :] - network.position[None], axis=2)
        j = np.argmin(d, axis=1)
        return np.where(d[np.arange(j.size), j] < tol, j, -1)

    return lookup


def first_passage(trajectory, basin_of, target: int) -> FirstPassage:
    """First-passage statistics of walkers into basin ``target``.

    ``trajectory``: a schema Dataset (``position(walker, time, coord)``, ``step``) or an
    array (walker, time, dim); ``basin_of``: callable positions (n, dim) -> basin numbers
    (:func:`grid_basin_lookup`, :func:`quench_basin_lookup`); ``target``: usually
    ``network.global_minimum``.
    """
    import xarray as xr

    if isinstance(trajectory, xr.Dataset):
        if "position" not in trajectory:
            raise ValueError("trajectory: Dataset has no variable 'position'")
        p = trajectory["position"].transpose("walker", "time", "coord").values
        steps = (
            np.asarray(trajectory["step"].values, dtype=np.int64)
            if "step" in trajectory.coords
            else np.arange(p.shape[1])
        )
    else:
        p = np.asarray(trajectory, dtype=np.float64)
        if p.ndim == 2:
            p = p[None]
        steps = np.arange(p.shape[1] if p.ndim == 3 else 0)
    if p.ndim != 3 or p.shape[1] == 0:
        raise ValueError(f"trajectory: expected positions (walker, time, dim), got {p.shape}")
    bad = ~np.isfinite(p)
    if bad.any():
        w, t, _ = np.argwhere(bad)[0]
        raise ValueError(f"trajectory: non-finite position at walker {w}, time index {t}")
    W, T, D = p.shape
    lab = np.asarray(basin_of(p.reshape(-1, D))).reshape(W, T)
    hit = lab == int(target)
    reached = hit.any(axis=1)
    ti = np.where(reached, np.argmax(hit, axis=1), -1)
    st = np.where(reached, steps[np.maximum(ti, 0)], -1)
    arrived = np.zeros(T)
    if reached.any():
        arrived = np.cumsum(np.bincount(ti[reached], minlength=T)) / W
    return FirstPassage(st, ti, float(reached.mean()), 1.0 - arrived, steps, int(target))
