"""Summary measures: bands, barriers, funnel fraction, first passage."""

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import breadth_first_order, minimum_spanning_tree

import fractalsgd as fs
from fractalsgd.energy import (
    LandscapeNetwork,
    MuellerBrown,
    barrier_distribution,
    disconnectivity,
    first_passage,
    funnel_fraction,
    grid_basin_lookup,
    merge_energy_to,
    minima_per_band,
    quench_basin_lookup,
)


def test_minima_per_band():
    net = LandscapeNetwork([0.0, 0.1, 0.5, 0.9, 1.0], [1.2] * 4, [[0, i] for i in range(1, 5)])
    edges, counts = minima_per_band(net, bands=2)
    np.testing.assert_allclose(edges, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(counts, [2, 3])
    _, counts = minima_per_band(net, bands=[-1.0, 0.05, 2.0])
    np.testing.assert_array_equal(counts, [1, 4])


def test_barriers_escape_and_global():
    net = LandscapeNetwork([0.0, 2.0, 1.0], [3.0, 4.0], [[0, 1], [1, 2]])
    np.testing.assert_allclose(barrier_distribution(net, "escape"), [3.0, 1.0, 3.0])
    np.testing.assert_allclose(barrier_distribution(net, "global"), [0.0, 1.0, 3.0])
    rng = np.random.default_rng(1)
    z = rng.normal(size=(30, 30))
    grid_net = LandscapeNetwork.from_grid(z)
    tree = disconnectivity(grid_net)
    m = tree.merge_energies()
    for t in (0, grid_net.global_minimum, grid_net.n_minima - 1):
        np.testing.assert_array_equal(merge_energy_to(tree, t), m[:, t])


def _funnel_brute(net):
    """Path to the global minimum in scipy's minimum spanning tree, checked for descent."""
    n = net.n_minima
    g = net.global_minimum
    w = net.ts_energy - net.ts_energy.min() + 1.0
    mst = minimum_spanning_tree(coo_matrix((w, tuple(net.ts_pair.T)), shape=(n, n)))
    _, pred = breadth_first_order(mst + mst.T, g, directed=False)
    ok = np.zeros(n, bool)
    for m in range(n):
        x, good = m, True
        while x != g:
            p = pred[x]
            good &= net.energy[p] < net.energy[x]
            x = p
        ok[m] = good
    return ok


def test_funnel_fraction():
    net = LandscapeNetwork([0.0, 2.0, 1.0], [3.0, 4.0], [[0, 1], [1, 2]])
    frac, mask = funnel_fraction(net)
    # path 2 -> 1 -> 0 climbs from E=1 to E=2: minimum 2 is outside the funnel
    np.testing.assert_array_equal(mask, [True, True, False])
    assert frac == 0.5
    rng = np.random.default_rng(7)
    for _ in range(3):
        z = rng.normal(size=(20, 20))  # continuous values: unique saddles, unique MST
        g = LandscapeNetwork.from_grid(z)
        frac, mask = funnel_fraction(g)
        np.testing.assert_array_equal(mask, _funnel_brute(g))
        assert frac == mask[np.arange(g.n_minima) != g.global_minimum].mean()
    # a perfect funnel: cone-like grid, every minimum sits in one basin
    x = np.linspace(-1, 1, 41)
    cone = np.abs(x)[None, :] + np.abs(x)[:, None] + 0.01 * np.cos(40 * x)[None, :]
    frac, _ = funnel_fraction(LandscapeNetwork.from_grid(cone))
    assert frac == 1.0


def test_first_passage_on_grid():
    z = np.array([3.0, 1.0, 2.0, 4.0, 0.0, 5.0])  # basins: cells 0-2 (min 1), 3-5 (min 4)
    net = LandscapeNetwork.from_grid(z, extent=(0.0, 5.0))
    lookup = grid_basin_lookup(z, extent=(0.0, 5.0))
    np.testing.assert_array_equal(lookup(np.array([[0.2], [2.4], [2.6], [5.0]])), [0, 0, 1, 1])
    pos = np.array([[0.0, 1.0, 3.2, 4.0], [1.0, 1.0, 2.0, 0.0]])[:, :, None]
    traj = fs.trajectory(pos, step=[0, 10, 20, 30])
    fp = first_passage(traj, lookup, net.global_minimum)
    np.testing.assert_array_equal(fp.step, [20, -1])
    np.testing.assert_array_equal(fp.time_index, [2, -1])
    assert fp.fraction == 0.5 and fp.mean_step == 20.0
    np.testing.assert_allclose(fp.survival, [1.0, 1.0, 0.5, 0.5])


def test_first_passage_continuous():
    mb = MuellerBrown()
    net = LandscapeNetwork(
        energy=mb.energy(mb.MINIMA),
        ts_energy=mb.energy(mb.SADDLES),
        ts_pair=[[0, 2], [1, 2]],
        position=mb.MINIMA,
    )
    lookup = quench_basin_lookup(mb, net)
    path = np.stack([mb.MINIMA[1] + 0.03, mb.MINIMA[2] + 0.03, mb.MINIMA[0] - 0.03])
    fp = first_passage(path[None], lookup, net.global_minimum)
    np.testing.assert_array_equal(fp.time_index, [2])
    with pytest.raises(ValueError, match="walker 0, time index 1"):
        bad = path.copy()
        bad[1, 0] = np.nan
        first_passage(bad[None], lookup, 0)
