"""Disconnectivity tree: merge energies, levels, layout and drawing."""

import warnings

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from fractalsgd.energy import LandscapeNetwork, disconnectivity


def _threshold_minimax(net):
    """Independent minimax: the lowest TS energy at which a and b share a component
    (connected components of all TS up to that energy; no union-find, no tree)."""
    n = net.n_minima
    out = np.full((n, n), np.inf)
    np.fill_diagonal(out, net.energy)
    for t in np.unique(net.ts_energy):
        p = net.ts_pair[net.ts_energy <= t]
        g = coo_matrix((np.ones(len(p)), (p[:, 0], p[:, 1])), shape=(n, n))
        _, lab = connected_components(g, directed=False)
        same = (lab[:, None] == lab[None, :]) & ~np.isfinite(out)
        out[same] = t
    return out


def _random_network(rng, n, m):
    e = rng.normal(size=n)
    pair = np.array([rng.choice(n, 2, replace=False) for _ in range(m)])
    ts = np.maximum(e[pair[:, 0]], e[pair[:, 1]]) + rng.exponential(1.0, m)
    return LandscapeNetwork(e, ts, pair)


@pytest.mark.parametrize("seed", range(6))
def test_merge_energies_equal_threshold_minimax(seed):
    rng = np.random.default_rng(seed)
    net = _random_network(rng, 15, 12 + 3 * seed)  # sparse ones are disconnected
    tree = disconnectivity(net)
    ref = _threshold_minimax(net)
    np.testing.assert_array_equal(tree.merge_energies(), ref)
    n_comp = connected_components(
        coo_matrix((np.ones(net.n_ts), tuple(net.ts_pair.T)), shape=(15, 15)), directed=False
    )[0]
    assert tree.n_components == n_comp
    for a in range(15):
        for b in range(15):
            assert tree.merge_energy_of(a, b) == ref[a, b]
            assert tree.barrier(a, b) == ref[a, b] - net.energy[a]


def test_hand_example_and_levels():
    net = LandscapeNetwork(
        energy=[0.0, 1.0, 2.0, 0.5],
        ts_energy=[3.0, 2.5, 4.0, 5.0],
        ts_pair=[[0, 1], [1, 2], [2, 3], [0, 3]],
    )
    tree = disconnectivity(net, levels=[0.7, 2.7, 3.5, 4.5])
    assert tree.merge_energy_of(1, 2) == 2.5
    assert tree.merge_energy_of(0, 2) == 3.0
    assert tree.barrier(3, 0) == 4.0 - 0.5
    assert tree.barrier(0, 3) == 4.0
    np.testing.assert_array_equal(tree.ts_used, [1, 0, 2])  # the (0, 3) TS at 5 is not needed
    np.testing.assert_array_equal(tree.components(0.7), [0, -1, -1, 1])
    np.testing.assert_array_equal(tree.components(2.7), [0, 1, 1, 2])
    np.testing.assert_array_equal(tree.components(3.5), [0, 0, 0, 1])
    np.testing.assert_array_equal(tree.components(4.5), [0, 0, 0, 0])
    # default levels: from half a step above the global minimum to above the top merge
    d = disconnectivity(net, n_levels=9)
    assert d.levels.size == 9 and d.levels[0] > 0.0 and d.levels[-1] > 4.0
    with pytest.raises(ValueError, match="minimum 7 does not exist"):
        tree.barrier(0, 7)
    with pytest.raises(ValueError, match="strictly increasing"):
        disconnectivity(net, levels=[1.0, 1.0])


def test_layout_centres_global_minimum():
    # a star: every minimum joins the global minimum 0 at its own energy
    n = 9
    e = np.concatenate([[0.0], np.arange(1, n) * 0.1])
    net = LandscapeNetwork(e, 1.0 + np.arange(1, n), [[0, i] for i in range(1, n)])
    tree = disconnectivity(net, n_levels=30)
    lay = tree.layout()
    np.testing.assert_array_equal(np.sort(lay["x"]), np.arange(n))
    # 8 single-minimum branches split 4 / 4 around the global minimum
    assert lay["x"][0] == (n - 1) / 2
    lay = tree.layout(order_by="size", center_gmin=False)
    np.testing.assert_array_equal(np.sort(lay["x"]), np.arange(n))


def test_plot_and_disconnected_networks():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    z = rng.normal(size=(25, 25))
    net = LandscapeNetwork.from_grid(z)
    tree = disconnectivity(net)
    fig, ax = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tree.plot(ax, color=net.basin_size)
    segs = ax.collections[0].get_segments()
    # leaves end at the minimum energies
    ends = np.array([s[-1][1] for s in segs])
    assert np.isin(net.energy, ends).all()
    plt.close(fig)
    two = LandscapeNetwork([0.0, 1.0, 0.2, 0.3], [2.0, 1.5], [[0, 1], [2, 3]])
    t2 = disconnectivity(two)
    assert t2.n_components == 2 and np.isinf(t2.barrier(0, 2))
    fig, ax = plt.subplots()
    with pytest.warns(UserWarning, match="disconnected: 2 separate trees"):
        t2.plot(ax)
    assert "disconnected" in ax.get_title()
    plt.close(fig)
    with pytest.raises(ValueError, match="color: expected 4 values"):
        t2.plot(color=[1.0, 2.0])
