"""Benchmark: minima + transition states + disconnectivity tree of a 512x512 surface.

fractalsgd.energy against pele's DisconnectivityGraph (GPL-3; never a dependency of
fractalsgd) on the same network, in the same process, with the same energy levels. pele is
looked for in ``--pele-site`` (default: /tmp/pele-env, made by
``python3 -m venv /tmp/pele-env && /tmp/pele-env/bin/pip install pele``); its site-packages
are appended to sys.path so fractalsgd's numpy/scipy stay in front. Without pele the tree is
checked against an independent reference instead: superbasins at each level as connected
components (scipy.sparse.csgraph) of all transition states below the level.

Checks that the superbasins (groups of >= 2 minima) at every level are identical, then
prints times and ratios. Run: python benchmarks/bench_disconnectivity.py [--size 512]
"""

from __future__ import annotations

import argparse
import glob
import sys
import time

import numpy as np


def _timeit(fn, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _pele_groups(tree, levels):
    """{level index: set of frozensets of minima ids (size >= 2)} from pele's tree.

    pele drops nodes with a single branch, so the group of a minimum at level k is the
    minima set of its highest ancestor whose level is <= k.
    """
    nodes = []  # (ilevel, frozenset)
    stack = [tree]
    while stack:
        t = stack.pop()
        if t.is_leaf():
            continue
        if not t.data.get("children_not_connected", False):
            ids = frozenset(m.mid for m in t.get_minima())
            nodes.append((t.data["ilevel"], ids))
        stack.extend(t.get_branches())
    groups = {}
    for k in range(len(levels)):
        best = {}
        for lev, ids in nodes:
            if lev <= k:
                for m in ids:
                    if m not in best or best[m][0] < lev:
                        best[m] = (lev, ids)
        groups[k] = {ids for _, ids in best.values() if len(ids) >= 2}
    return groups


def _our_groups(tree):
    out = {}
    for k, L in enumerate(tree.levels):
        lab = tree.components(L)
        gs = {}
        for i, c in enumerate(lab):
            if c >= 0:
                gs.setdefault(int(c), []).append(i)
        out[k] = {frozenset(v) for v in gs.values() if len(v) >= 2}
    return out


def _reference_groups(net, levels):
    """Independent: connected components of all transition states below each level."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    out = {}
    for k, L in enumerate(levels):
        sel = net.ts_energy < L
        p = net.ts_pair[sel]
        g = coo_matrix((np.ones(p.shape[0]), (p[:, 0], p[:, 1])), shape=(net.n_minima,) * 2)
        _, lab = connected_components(g, directed=False)
        gs = {}
        for i in np.flatnonzero(net.energy < L):
            gs.setdefault(int(lab[i]), []).append(int(i))
        out[k] = {frozenset(v) for v in gs.values() if len(v) >= 2}
    return out


def _import_pele(site):
    paths = glob.glob(f"{site}/lib/python*/site-packages") if site else []
    for p in paths:
        if p not in sys.path:
            sys.path.append(p)
    try:
        import networkx as nx
        from pele.utils.disconnectivity_graph import DisconnectivityGraph
    except Exception as exc:  # noqa: BLE001 - any failure means "no pele"
        return None, None, f"{type(exc).__name__}: {exc}"
    return nx, DisconnectivityGraph, None


class _Min:
    __slots__ = ("energy", "mid")

    def __init__(self, e, i):
        self.energy, self.mid = e, i

    def id(self):
        return self.mid

    def __lt__(self, other):
        return self.mid < other.mid


class _TS:
    __slots__ = ("energy", "minimum1", "minimum2")

    def __init__(self, e, m1, m2):
        self.energy, self.minimum1, self.minimum2 = e, m1, m2


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--hurst", type=float, default=0.95)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n-levels", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pele-site", default="/tmp/pele-env")
    args = ap.parse_args(argv)

    from fractalsgd.energy import LandscapeNetwork, disconnectivity
    from fractalsgd.landscapes import SpectralSurface

    surf = SpectralSurface(size=args.size, hurst=args.hurst, seed=args.seed, periodic=False)
    Z = np.asarray(surf.grid)
    LandscapeNetwork.from_grid(Z[:16, :16])  # warm-up

    def pipeline():
        net = LandscapeNetwork.from_grid(Z)
        tree = disconnectivity(net, n_levels=args.n_levels)
        tree.layout()
        return net, tree

    t_pipe, (net, tree) = _timeit(pipeline, args.repeat)
    t_grid, _ = _timeit(lambda: LandscapeNetwork.from_grid(Z), args.repeat)

    def our_tree():
        tr = disconnectivity(net, n_levels=args.n_levels)
        tr.layout()
        return tr

    t_tree, _ = _timeit(our_tree, args.repeat)
    print(
        f"surface: spectral {args.size}x{args.size}, H={args.hurst}, seed={args.seed}: "
        f"{net.n_minima} minima, {net.n_ts} transition states, {args.n_levels} levels"
    )
    print(f"fractalsgd minima + transition states: {t_grid:.3f} s")
    print(f"fractalsgd tree + layout:              {t_tree:.3f} s")
    print(f"fractalsgd whole pipeline:             {t_pipe:.3f} s (target < 1 s)")

    ours = _our_groups(tree)
    nx, DG, why = _import_pele(args.pele_site)
    if DG is None:
        print(f"pele not importable ({why}); comparing with an independent reference")
        ref = _reference_groups(net, tree.levels)
        same = all(ours[k] == ref[k] for k in ours)
        print(f"superbasins at all {len(ours)} levels identical to reference: {same}")
        return 0 if same else 1

    mins = [_Min(float(e), i) for i, e in enumerate(net.energy)]

    def pele_tree():
        g = nx.Graph()
        g.add_nodes_from(mins)
        for e, (a, b) in zip(net.ts_energy.tolist(), net.ts_pair.tolist()):
            g.add_edge(mins[a], mins[b], ts=_TS(e, mins[a], mins[b]))
        dg = DG(g, nlevels=args.n_levels, center_gmin=True)
        dg.set_energy_levels(list(tree.levels))
        dg.calculate()
        return dg

    t_pele, dg = _timeit(pele_tree, max(1, args.repeat - 1))
    theirs = _pele_groups(dg.tree_graph, tree.levels)
    same = all(ours[k] == theirs[k] for k in ours)
    print(f"pele DisconnectivityGraph (graph + calculate): {t_pele:.3f} s")
    print(f"superbasins at all {len(ours)} levels identical to pele: {same}")
    print(f"ratio tree (pele / fractalsgd): {t_pele / t_tree:.1f}x (target >= 2x)")
    print(f"ratio whole pipeline (pele tree / fractalsgd pipeline): {t_pele / t_pipe:.1f}x")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
