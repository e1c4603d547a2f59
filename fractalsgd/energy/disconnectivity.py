"""Disconnectivity trees: superbasins merging as the energy level rises.

Becker & Karplus, J. Chem. Phys. 106, 1495 (1997); Wales, Miller & Walsh, Nature 394, 758
(1998). Transition states are added in increasing energy (ties: lower transition-state
number first) and minima joined by union-find (Kruskal's algorithm): every union is a node
of a binary merge tree at the energy of that transition state. The minimax barrier between
two minima (the lowest possible highest transition state on any path joining them) is the
energy of their lowest common ancestor in that tree (bottleneck property of the minimum
spanning tree).

Levels for drawing: at level L the superbasins are the groups of minima with energy < L
joined by transition states with energy < L (pele's convention).
"""

from __future__ import annotations

import warnings

import numpy as np

from .network import LandscapeNetwork

__all__ = ["DisconnectivityTree", "disconnectivity", "kruskal_merges"]


def kruskal_merges(n: int, ts_energy, ts_pair):
    """Merge tree by Kruskal's algorithm.

    Returns (merge_energy (k,), children (k, 2) node ids, ts_used (k,)) where leaves are
    nodes 0..n-1 and merge j creates node n + j; k = n - (number of components).
    """
    ts_energy = np.asarray(ts_energy, dtype=np.float64)
    order = np.argsort(ts_energy, kind="stable")
    pairs = np.asarray(ts_pair, dtype=np.int64)[order].tolist()
    parent = list(range(n))
    node = list(range(n))  # tree node id of each union-find root
    energies, children, used = [], [], []
    nxt = n
    for t, (a, b) in zip(order.tolist(), pairs):
        ra = a
        while parent[ra] != ra:
            parent[ra] = parent[parent[ra]]
            ra = parent[ra]
        rb = b
        while parent[rb] != rb:
            parent[rb] = parent[parent[rb]]
            rb = parent[rb]
        if ra == rb:
            continue
        energies.append(ts_energy[t])
        children.append((node[ra], node[rb]))
        used.append(t)
        parent[rb] = ra
        node[ra] = nxt
        nxt += 1
        if nxt == 2 * n - 1:
            break
    return (
        np.asarray(energies, dtype=np.float64),
        np.asarray(children, dtype=np.int64).reshape(-1, 2),
        np.asarray(used, dtype=np.int64),
    )


class DisconnectivityTree:
    """The merge tree of a :class:`LandscapeNetwork` plus the levels it is drawn at.

    ``merge_energy``, ``children``, ``ts_used``: the exact binary merge tree (see
    :func:`kruskal_merges`); ``parent[node]`` (-1 for a root); ``levels``: ascending
    drawing levels; ``n_components``: number of disconnected trees.
    """

    def __init__(self, network: LandscapeNetwork, levels=None, n_levels: int = 20):
        if not isinstance(network, LandscapeNetwork):
            raise ValueError(f"network: expected a LandscapeNetwork, got {type(network).__name__}")
        self.network = network
        n = network.n_minima
        self.n = n
        self.merge_energy, self.children, self.ts_used = kruskal_merges(
            n, network.ts_energy, network.ts_pair
        )
        k = self.merge_energy.size
        self.parent = np.full(n + k, -1, dtype=np.int64)
        self.parent[self.children.ravel()] = np.repeat(np.arange(n, n + k), 2)
        self.node_energy = np.concatenate([network.energy, self.merge_energy])
        self.n_components = n - k
        self.levels = self._levels(levels, n_levels)

    # ------------------------------------------------------------ levels
    def _levels(self, levels, n_levels):
        if levels is not None:
            lv = np.asarray(levels, dtype=np.float64).reshape(-1)
            if lv.size == 0 or not np.all(np.isfinite(lv)) or np.any(np.diff(lv) <= 0):
                raise ValueError("levels: expected finite, strictly increasing energies")
            return lv
        if int(n_levels) < 1:
            raise ValueError(f"n_levels must be >= 1, got {n_levels}")
        n_levels = int(n_levels)
        emin = float(self.network.energy.min())
        emax = float(self.merge_energy.max()) if self.merge_energy.size else emin
        if emax <= emin:
            emax = emin + 1.0
        de = (emax - emin) / max(n_levels - 1, 1)
        # half a step above emin (global minimum present) .. half a step above emax (all merged)
        return emin + de * (np.arange(n_levels) + 0.5)

    def components(self, level: float) -> np.ndarray:
        """Superbasin label (0..) of each minimum at ``level``; -1 for minima with E >= level."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        net = self.network
        t = self.ts_used[net.ts_energy[self.ts_used] < level]
        p = net.ts_pair[t]
        g = coo_matrix((np.ones(t.size), (p[:, 0], p[:, 1])), shape=(self.n, self.n))
        _, lab = connected_components(g, directed=False)
        present = net.energy < level
        out = np.full(self.n, -1, dtype=np.int64)
        _, out[present] = np.unique(lab[present], return_inverse=True)
        return out

    # ------------------------------------------------------------ barriers
    def _check(self, a, name):
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)):
            raise ValueError(f"{name}: expected a minimum number, got {a!r}")
        if not 0 <= a < self.n:
            raise ValueError(f"{name}: minimum {a} does not exist (0..{self.n - 1})")
        return int(a)

    def merge_energy_of(self, a: int, b: int) -> float:
        """Energy at which minima a and b join (minimax transition state); inf if never."""
        a, b = self._check(a, "a"), self._check(b, "b")
        if a == b:
            return float(self.network.energy[a])
        anc = set()
        x = a
        while x >= 0:
            anc.add(x)
            x = self.parent[x]
        x = b
        while x >= 0:
            if x in anc:
                return float(self.node_energy[x])
            x = self.parent[x]
        return float("inf")

    def barrier(self, a: int, b: int) -> float:
        """Minimax barrier from minimum a to minimum b: merge energy minus E_a (inf if apart)."""
        return self.merge_energy_of(a, b) - float(self.network.energy[self._check(a, "a")])

    def leaf_order(self) -> np.ndarray:
        """Minima in depth-first order of the merge tree (every superbasin is contiguous)."""
        n, k = self.n, self.merge_energy.size
        roots = [r for r in range(n + k) if self.parent[r] < 0]
        out = []
        stack = roots[::-1]
        while stack:
            x = stack.pop()
            if x < n:
                out.append(x)
            else:
                c = self.children[x - n]
                stack.append(int(c[1]))
                stack.append(int(c[0]))
        return np.asarray(out, dtype=np.int64)

    def merge_energies(self) -> np.ndarray:
        """(n, n) matrix of merge energies (inf between disconnected trees; E_a on the diagonal)."""
        n = self.n
        order = self.leaf_order()
        pos = np.empty(n, dtype=np.int64)
        pos[order] = np.arange(n)
        lo = np.concatenate([pos, np.zeros(self.merge_energy.size, np.int64)])
        hi = np.concatenate([pos + 1, np.zeros(self.merge_energy.size, np.int64)])
        m = np.full((n, n), np.inf)
        for j, (c0, c1) in enumerate(self.children):
            a0, a1, b0, b1 = lo[c0], hi[c0], lo[c1], hi[c1]
            e = self.merge_energy[j]
            m[a0:a1, b0:b1] = e
            m[b0:b1, a0:a1] = e
            lo[n + j], hi[n + j] = min(a0, b0), max(a1, b1)
        m[np.arange(n), np.arange(n)] = self.network.energy[order]
        return m[np.ix_(pos, pos)]

    def barriers(self) -> np.ndarray:
        """(n, n) matrix of barriers from a (row) to b (column)."""
        return self.merge_energies() - self.network.energy[:, None]

    # ------------------------------------------------------------ drawing
    def layout(self, order_by: str = "energy", center_gmin: bool = True):
        """Nodes and x positions of the drawing.

        Returns a dict with ``x`` (n,) leaf positions (NaN for minima above the top level),
        ``segments`` list of ((x0, y0), (x1, y1)) lines, and ``leaf_segment`` (n, 2) indices of
        the two segments (slanted, vertical) ending at each minimum (-1 if not drawn).
        """
        if order_by not in ("energy", "size"):
            raise ValueError(f"order_by must be 'energy' or 'size', got {order_by!r}")
        net = self.network
        lv = self.levels
        K = lv.size
        de = lv[-1] - lv[-2] if K > 1 else max(abs(lv[0] - net.energy.min()), 1.0)
        comps = [self.components(L) for L in lv]
        top = comps[-1]
        n_top = int(top.max()) + 1 if (top >= 0).any() else 0
        # node: (level k, label); node ids
        node_ids: dict = {}
        node_y: list = []
        kids: list = []
        for k in range(K):
            for c in range(int(comps[k].max()) + 1 if (comps[k] >= 0).any() else 0):
                node_ids[(k, c)] = len(node_y)
                node_y.append(lv[k])
                kids.append([])
        root = None
        if n_top != 1:
            root = len(node_y)
            node_y.append(lv[-1] + de)
            kids.append([])
            for c in range(n_top):
                kids[root].append(("n", node_ids[(K - 1, c)]))
        else:
            root = node_ids[(K - 1, 0)]
        for k in range(K - 1):
            labs = comps[k]
            up = comps[k + 1]
            present = np.flatnonzero(labs >= 0)
            _, first = np.unique(labs[present], return_index=True)
            for c, i in enumerate(present[first]):
                kids[node_ids[(k + 1, int(up[i]))]].append(("n", node_ids[(k, c)]))
        # leaves: each minimum hangs from its node at the lowest level where it is present
        deepest = np.searchsorted(lv, net.energy, side="right")
        for i in range(self.n):
            k = int(deepest[i])
            if k < K:
                kids[node_ids[(k, int(comps[k][i]))]].append(("m", i))
        # subtree keys
        n_nodes = len(node_y)
        emin_node = np.full(n_nodes, np.inf)
        size_node = np.zeros(n_nodes, dtype=np.int64)
        has_g = np.zeros(n_nodes, dtype=bool)
        g = net.global_minimum
        post = []
        stack = [(root, False)]
        while stack:
            x, done = stack.pop()
            if done:
                post.append(x)
                continue
            stack.append((x, True))
            for kind, c in kids[x]:
                if kind == "n":
                    stack.append((c, False))
        for x in post:
            for kind, c in kids[x]:
                if kind == "n":
                    emin_node[x] = min(emin_node[x], emin_node[c])
                    size_node[x] += size_node[c]
                    has_g[x] |= has_g[c]
                else:
                    emin_node[x] = min(emin_node[x], net.energy[c])
                    size_node[x] += 1
                    has_g[x] |= c == g

        def key(item):
            kind, c = item
            if kind == "m":
                e, s, hg = net.energy[c], 1, c == g
            else:
                e, s, hg = emin_node[c], size_node[c], has_g[c]
            first = 0 if (center_gmin and hg) else 1
            return (first, e, -s) if order_by == "energy" else (first, -s, e)

        def size_of(item):
            return 1 if item[0] == "m" else int(size_node[item[1]])

        side_total = [0, 0]  # leaves placed left / right of the global minimum's branch

        def arrange(items):
            items = sorted(items, key=key)
            if center_gmin and key(items[0])[0] == 0:
                # branch with the global minimum in the middle; the others go to the side
                # with fewer leaves so far, so the global minimum ends up near the centre
                left: list = []
                right: list = []
                for it in items[1:]:
                    sd = 0 if side_total[0] <= side_total[1] else 1
                    side_total[sd] += size_of(it)
                    (left if sd == 0 else right).append(it)
                return left[::-1] + [items[0]] + right
            out: list = []
            for j, it in enumerate(items):  # best in the centre, then right, left, ...
                if j % 2 == 0:
                    out.append(it)
                else:
                    out.insert(0, it)
            return out

        x_leaf = np.full(self.n, np.nan)
        x_node = np.zeros(n_nodes)
        counter = [0]

        def place(x):  # recursion depth <= number of levels + 1
            xs = []
            for kind, c in arrange(kids[x]):
                if kind == "m":
                    x_leaf[c] = counter[0]
                    counter[0] += 1
                    xs.append(x_leaf[c])
                else:
                    place(c)
                    xs.append(x_node[c])
            x_node[x] = np.mean(xs) if xs else counter[0]

        place(root)
        segments = []
        leaf_segment = np.full((self.n, 2), -1, dtype=np.int64)
        for x in post:
            px, py = x_node[x], node_y[x]
            for kind, c in kids[x]:
                if kind == "n":
                    segments.append(((px, py), (x_node[c], node_y[c])))
                else:
                    cx, cy = x_leaf[c], net.energy[c]
                    ymid = max(cy, py - de)
                    segments.append(((px, py), (cx, ymid)))
                    segments.append(((cx, ymid), (cx, cy)))
                    leaf_segment[c] = (len(segments) - 2, len(segments) - 1)
        return {
            "x": x_leaf,
            "segments": segments,
            "leaf_segment": leaf_segment,
            "n_trees": n_top,
            "root_y": node_y[root],
        }

    def plot(
        self,
        ax=None,
        order_by: str = "energy",
        color=None,
        cmap: str = "viridis",
        center_gmin: bool = True,
        linewidth: float = 0.6,
        label_minima: bool = False,
        color_label: str | None = None,
    ):
        """Draw the disconnectivity graph on ``ax`` (a new figure if None) and return ax.

        ``order_by``: "energy" (lowest superbasins nearest the centre) or "size" (most
        minima); ``center_gmin``: the branch with the global minimum goes in the middle at
        every split; ``color``: a value per minimum colouring its branch (``color_label``
        names it on the colour bar). Disconnected
        networks are drawn as separate trees under a top node, with a warning and a note.
        """
        import matplotlib.pyplot as plt
        from matplotlib.collections import LineCollection

        if ax is None:
            _, ax = plt.subplots()
        lay = self.layout(order_by=order_by, center_gmin=center_gmin)
        segs = np.asarray(lay["segments"], dtype=float).reshape(-1, 2, 2)
        colors = np.zeros((len(segs), 4))
        colors[:, 3] = 1.0
        if color is not None:
            val = np.asarray(color, dtype=float).reshape(-1)
            if val.size != self.n:
                raise ValueError(
                    f"color: expected {self.n} values (one per minimum), got {val.size}"
                )
            ok = lay["leaf_segment"][:, 1] >= 0
            if ok.any():
                lo, hi = np.nanmin(val[ok]), np.nanmax(val[ok])
                norm = plt.Normalize(lo, hi if hi > lo else lo + 1)
                cm = plt.get_cmap(cmap)
                for j in (0, 1):
                    colors[lay["leaf_segment"][ok, j]] = cm(norm(val[ok]))
                sm = plt.cm.ScalarMappable(norm=norm, cmap=cm)
                ax.figure.colorbar(sm, ax=ax, label=color_label)
        ax.add_collection(LineCollection(segs, colors=colors, linewidths=linewidth))
        if len(segs):
            ax.set_xlim(segs[..., 0].min() - 1, segs[..., 0].max() + 1)
            ymin = self.network.energy.min()
            ax.set_ylim(
                ymin - 0.02 * (lay["root_y"] - ymin + 1e-12),
                lay["root_y"] + 0.02 * abs(lay["root_y"] - ymin),
            )
        ax.set_xticks([])
        ax.set_ylabel("energy")
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        if label_minima:
            for i in np.flatnonzero(np.isfinite(lay["x"])):
                ax.annotate(
                    str(i), (lay["x"][i], self.network.energy[i]), fontsize=6, ha="center", va="top"
                )
        if lay["n_trees"] > 1:
            msg = (
                f"network is disconnected: {lay['n_trees']} separate trees under a common top node"
            )
            warnings.warn(msg, stacklevel=2)
            ax.set_title(msg, fontsize=8)
        return ax


def disconnectivity(
    network: LandscapeNetwork, levels=None, n_levels: int = 20
) -> DisconnectivityTree:
    """The disconnectivity tree of ``network`` (see :class:`DisconnectivityTree`).

    ``levels``: ascending drawing levels; default ``n_levels`` levels from half a step above
    the global minimum to half a step above the highest merging transition state.
    """
    return DisconnectivityTree(network, levels=levels, n_levels=n_levels)
