"""Grid minima, basins, transition states and tree barriers against independent answers."""

import heapq

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import breadth_first_order, minimum_spanning_tree

from fractalsgd.energy import LandscapeNetwork, disconnectivity, grid_minima, grid_transition_states
from fractalsgd.energy.grid import _neighbour, _offsets
from fractalsgd.energy.potentials import Cosine, DoubleWell


def _edges(shape, periodic, connectivity):
    """All neighbouring cell pairs (u, v), built independently of the basin code."""
    idx = np.arange(int(np.prod(shape))).reshape(shape)
    us, vs = [], []
    if len(shape) == 1:
        steps = [(1,)]
    elif connectivity == 4:
        steps = [(0, 1), (1, 0)]
    else:
        steps = [(0, 1), (1, 0), (1, 1), (1, -1)]
    for cell in np.ndindex(*shape):
        for s in steps:
            nb = tuple(c + d for c, d in zip(cell, s))
            if periodic:
                nb = tuple(c % n for c, n in zip(nb, shape))
            elif any(c < 0 or c >= n for c, n in zip(nb, shape)):
                continue
            if nb != cell:
                us.append(idx[cell])
                vs.append(idx[nb])
    return np.array(us), np.array(vs)


def _brute_minimax(z, periodic, connectivity, sources):
    """Bottleneck Dijkstra over cells: lowest possible highest cell on any path."""
    zf = z.ravel()
    u, v = _edges(z.shape, periodic, connectivity)
    adj = [[] for _ in range(zf.size)]
    for a, b in zip(u, v):
        adj[a].append(b)
        adj[b].append(a)
    out = []
    for s in sources:
        best = np.full(zf.size, np.inf)
        best[s] = zf[s]
        heap = [(zf[s], s)]
        while heap:
            e, x = heapq.heappop(heap)
            if e > best[x]:
                continue
            for y in adj[x]:
                ey = max(e, zf[y])
                if ey < best[y]:
                    best[y] = ey
                    heapq.heappush(heap, (ey, y))
        out.append(best)
    return np.array(out)


def _brute_minima(z, periodic, connectivity):
    """Local minima in the (value, flat index) order, by direct comparison."""
    zf = z.ravel()
    u, v = _edges(z.shape, periodic, connectivity)
    is_min = np.ones(zf.size, bool)
    for a, b in zip(u, v):
        if (zf[a], a) < (zf[b], b):
            is_min[b] = False
        else:
            is_min[a] = False
    return np.flatnonzero(is_min)


CASES = [
    ((40,), False, 8),
    ((40,), True, 8),
    ((12, 11), False, 8),
    ((12, 11), True, 8),
    ((12, 11), False, 4),
    ((9, 13), True, 4),
]


@pytest.mark.parametrize("shape,periodic,conn", CASES)
@pytest.mark.parametrize("ties", [False, True])
def test_barriers_equal_brute_force_minimax(shape, periodic, conn, ties):
    rng = np.random.default_rng(hash((shape, periodic, conn, ties)) % 2**32)
    z = rng.integers(0, 6, size=shape).astype(float) if ties else rng.normal(size=shape)
    net = LandscapeNetwork.from_grid(z, periodic=periodic, connectivity=conn)
    np.testing.assert_array_equal(net.minima_index, _brute_minima(z, periodic, conn))
    np.testing.assert_array_equal(net.energy, z.ravel()[net.minima_index])
    tree = disconnectivity(net)
    got = tree.merge_energies()
    ref = _brute_minimax(z, periodic, conn, net.minima_index)[:, net.minima_index]
    np.testing.assert_array_equal(got, ref)
    # single-pair queries agree with the matrix
    for a in range(0, net.n_minima, 3):
        for b in range(0, net.n_minima, 2):
            assert tree.barrier(a, b) == ref[a, b] - net.energy[a]


def test_basins_follow_steepest_descent():
    rng = np.random.default_rng(5)
    z = rng.normal(size=(15, 17))
    m = grid_minima(z)
    zf, lab = z.ravel(), m.basin.ravel()
    u, v = _edges(z.shape, False, 8)
    # each non-minimum cell flows to its lowest neighbour and shares its basin
    for c in range(zf.size):
        nbs = np.concatenate([v[u == c], u[v == c]])
        low = nbs[np.argmin(zf[nbs])]
        if zf[low] < zf[c]:
            assert lab[c] == lab[low]
        else:
            assert c in m.index
    assert m.size.sum() == z.size
    np.testing.assert_array_equal(np.bincount(lab), m.size)
    # the lowest saddle between adjacent basins, by direct enumeration of boundary pairs
    ts = grid_transition_states(z, minima=m)
    best = {}
    for a, b in zip(u, v):
        la, lb = lab[a], lab[b]
        if la != lb:
            key = (min(la, lb), max(la, lb))
            best[key] = min(best.get(key, np.inf), max(zf[a], zf[b]))
    assert len(best) == len(ts)
    for (a, b), idx, e in zip(ts.pair, ts.index, ts.energy):
        assert best[(a, b)] == e == zf[idx]


def test_larger_grid_against_minimum_spanning_tree():
    """200x200: minimax from the bottleneck of the cell-graph MST (scipy), 25 sources."""
    rng = np.random.default_rng(11)
    z = rng.normal(size=(200, 200))
    net = LandscapeNetwork.from_grid(z)
    tree = disconnectivity(net)
    u, v = _edges_fast(z.shape)
    zf = z.ravel()
    w = np.maximum(zf[u], zf[v]) - zf.min() + 1.0  # scipy drops zero weights
    mst = minimum_spanning_tree(coo_matrix((w, (u, v)), shape=(zf.size, zf.size))).tocsr()
    mst = mst + mst.T
    src = rng.choice(net.n_minima, 25, replace=False)
    m = tree.merge_energies()
    for s in src:
        order, pred = breadth_first_order(mst, net.minima_index[s], directed=False)
        bott = np.empty(zf.size)
        bott[order[0]] = zf[order[0]]
        for x in order[1:]:
            bott[x] = max(bott[pred[x]], zf[x])
        np.testing.assert_array_equal(m[s], bott[net.minima_index])


def _edges_fast(shape):
    us, vs = [], []
    for off in _offsets(2, 8, half=True):
        nb = _neighbour(shape, off, False).ravel()
        ok = nb >= 0
        us.append(np.flatnonzero(ok))
        vs.append(nb[ok])
    return np.concatenate(us), np.concatenate(vs)


def test_double_well_and_cosine_grids_give_analytic_barriers():
    h = 0.7
    x = np.linspace(-2, 2, 401)  # contains -1, 0, 1 exactly
    dw = DoubleWell(height=h)
    net = LandscapeNetwork.from_grid(dw.energy(x[:, None]), extent=(-2, 2))
    assert net.n_minima == 2
    np.testing.assert_allclose(net.position[:, 0], [-1, 1], atol=1e-12)
    assert abs(disconnectivity(net).barrier(0, 1) - h) < 1e-12
    cos = Cosine(amplitude=0.5, period=1.0, dim=2)
    g = np.linspace(-1.5, 1.5, 61)  # spacing 0.05: minima and saddles on the grid
    X, Y = np.meshgrid(g, g)
    Z = cos.energy(np.stack([X.ravel(), Y.ravel()], 1)).reshape(X.shape)
    net = LandscapeNetwork.from_grid(Z, extent=(-1.5, 1.5, -1.5, 1.5))
    assert net.n_minima == 9  # lattice points -1, 0, 1 in each coordinate
    np.testing.assert_allclose(np.sort(net.position[:, 0]), np.repeat([-1.0, 0, 1], 3), atol=1e-12)
    b = disconnectivity(net).barriers()
    off = ~np.eye(9, dtype=bool)
    np.testing.assert_allclose(b[off], 2 * 0.5, atol=1e-12)


@pytest.mark.parametrize(
    "z,msg",
    [
        (np.array([]), "empty"),
        (np.zeros((0, 4)), "empty"),
        (np.ones((4, 4)), "constant"),
        (np.array([[0.0, 1.0], [np.nan, 2.0]]), "non-finite value at index (1, 0)"),
        (np.zeros((2, 2, 2)), "1-D or 2-D"),
    ],
)
def test_bad_grids(z, msg):
    with pytest.raises(ValueError, match=msg.replace("(", r"\(").replace(")", r"\)")):
        grid_minima(z)
    with pytest.raises(ValueError):
        LandscapeNetwork.from_grid(z)


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import arrays
except ImportError:  # pragma: no cover - hypothesis is a dev dependency
    given = None

if given is not None:

    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(
        z=st.one_of(
            arrays(
                np.int8, st.tuples(st.integers(2, 7), st.integers(2, 7)), elements=st.integers(0, 4)
            ),
            arrays(np.int8, st.tuples(st.integers(2, 30)), elements=st.integers(0, 4)),
        ),
        periodic=st.booleans(),
        conn=st.sampled_from([4, 8]),
    )
    def test_property_barriers_equal_brute_force(z, periodic, conn):
        """Arbitrary small integer grids (many ties and plateaus): minima and all pairwise
        merge energies equal the brute-force answers."""
        if np.all(z == z.flat[0]):
            return
        z = z.astype(float)
        net = LandscapeNetwork.from_grid(z, periodic=periodic, connectivity=conn)
        np.testing.assert_array_equal(net.minima_index, _brute_minima(z, periodic, conn))
        ref = _brute_minimax(z, periodic, conn, net.minima_index)[:, net.minima_index]
        np.testing.assert_array_equal(disconnectivity(net).merge_energies(), ref)
