"""Quench, basin hopping, NEB and explore on analytic potentials with known answers."""

import numpy as np
import pytest
from scipy.optimize import root

from fractalsgd.energy import (
    Cosine,
    DoubleWell,
    LandscapeNetwork,
    MuellerBrown,
    basin_hopping,
    connect,
    disconnectivity,
    explore,
    hessian,
    quench,
)

MB = MuellerBrown()


def _stationary(x0):
    """Newton refinement of grad V = 0 (scipy root, analytic gradient): independent of NEB."""
    r = root(lambda p: MB.gradient(p[None])[0], x0, tol=1e-12)
    assert np.linalg.norm(MB.gradient(r.x[None])) < 1e-9
    return r.x


# literature values (Mueller & Brown 1979; e.g. Bitzek/Henkelman NEB tutorials), rounded
LIT_MINIMA = np.array([[-0.558, 1.442], [0.623, 0.028], [-0.050, 0.467]])
LIT_MIN_E = np.array([-146.70, -108.17, -80.77])
LIT_SADDLES = np.array([[-0.822, 0.624], [0.212, 0.293]])
LIT_SADDLE_E = np.array([-40.66, -72.25])


def test_mueller_brown_reference_points():
    """The class constants are stationary points of the right type and match literature."""
    for x, lit, e in zip(MB.MINIMA, LIT_MINIMA, LIT_MIN_E):
        xs = _stationary(x)
        np.testing.assert_allclose(xs, x, atol=2e-6)
        np.testing.assert_allclose(xs, lit, atol=1e-3)
        assert abs(MB.energy(xs[None])[0] - e) < 0.01
        assert np.all(np.linalg.eigvalsh(hessian(MB, xs)) > 0)
    for x, lit, e in zip(MB.SADDLES, LIT_SADDLES, LIT_SADDLE_E):
        xs = _stationary(x)
        np.testing.assert_allclose(xs, x, atol=2e-6)
        np.testing.assert_allclose(xs, lit, atol=1e-3)
        assert abs(MB.energy(xs[None])[0] - e) < 0.01
        w = np.linalg.eigvalsh(hessian(MB, xs))
        assert w[0] < 0 < w[1]


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    for pot in (MB, DoubleWell(0.7, dim=3), Cosine(0.3, 2.0, dim=3)):
        x = rng.uniform(-1, 1, (5, pot.dim))
        h = 1e-6
        fd = np.stack(
            [
                (pot.energy(x + h * np.eye(pot.dim)[i]) - pot.energy(x - h * np.eye(pot.dim)[i]))
                / (2 * h)
                for i in range(pot.dim)
            ],
            axis=1,
        )
        np.testing.assert_allclose(pot.gradient(x), fd, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("method", ["lbfgs", "fire"])
def test_quench_finds_mueller_brown_minima(method):
    start = MB.MINIMA + np.array([[0.05, -0.04], [-0.06, 0.05], [0.04, 0.06]])
    q = quench(MB, start, method=method, gtol=1e-7)
    assert q.converged.all()
    exact = np.array([_stationary(x) for x in MB.MINIMA])
    # |dx| <= |grad| / lambda_min(H); lambda_min >= 100 at these minima, so 1e-7/100 << 1e-6
    np.testing.assert_allclose(q.x, exact, atol=1e-6)
    np.testing.assert_allclose(q.energy, MB.energy(exact), atol=1e-9)


def test_neb_climbing_image_finds_mueller_brown_saddles():
    exact = np.array([_stationary(x) for x in MB.SADDLES])
    c = connect(MB, MB.MINIMA[0], MB.MINIMA[2])
    assert len(c.ts) == 1
    ts = c.ts[0]
    np.testing.assert_allclose(ts.x, exact[0], atol=1e-6)
    assert abs(ts.energy - MB.energy(exact[:1])[0]) < 1e-8
    assert ts.n_negative == 1
    np.testing.assert_allclose(ts.x_minus, MB.MINIMA[0], atol=1e-5)
    np.testing.assert_allclose(ts.x_plus, MB.MINIMA[2], atol=1e-5)
    # from the deepest minimum to the shallow one the band passes the intermediate minimum:
    # connect must split it and return both saddles in order
    c = connect(MB, MB.MINIMA[0], MB.MINIMA[1])
    assert len(c.ts) == 2 and c.minima.shape == (3, 2)
    np.testing.assert_allclose(c.minima[1], MB.MINIMA[2], atol=1e-5)
    np.testing.assert_allclose([t.x for t in c.ts], exact, atol=1e-6)
    assert abs(c.barrier - MB.energy(exact[:1])[0]) < 1e-8


def test_neb_analytic_barriers():
    h = 0.37
    c = connect(DoubleWell(h, dim=3, stiffness=2.0), [-1, 0, 0], [1, 0, 0])
    assert len(c.ts) == 1
    np.testing.assert_allclose(c.ts[0].x, 0.0, atol=1e-8)
    assert abs(c.ts[0].energy - h) < 1e-10
    A = 0.25
    cos = Cosine(A, 1.0, dim=2)
    c = connect(cos, [0.0, 0.0], [1.0, 0.0])
    np.testing.assert_allclose(c.ts[0].x, [0.5, 0.0], atol=1e-8)
    assert abs(c.ts[0].energy - 2 * A) < 1e-10


def test_basin_hopping_finds_all_mueller_brown_minima():
    # step 1.0: the deep basin A lies ~1.1 from B, so moves of +-1 per coordinate reach it
    r = basin_hopping(
        MB,
        n_steps=60,
        step_size=1.0,
        temperature=20.0,
        seed=3,
        x0=[0.6, 0.0],
        bounds=([-1.5, -0.5], [1.2, 2.0]),
    )
    assert r.energy.size >= 3
    for m in MB.MINIMA:
        assert np.min(np.linalg.norm(r.x - m, axis=1)) < 1e-4
    np.testing.assert_allclose(r.global_minimum, MB.MINIMA[0], atol=1e-4)
    assert np.all(np.diff(r.energy) >= 0)
    assert 0 < r.acceptance <= 1
    # same seed, same chain
    r2 = basin_hopping(
        MB,
        n_steps=60,
        step_size=1.0,
        temperature=20.0,
        seed=3,
        x0=[0.6, 0.0],
        bounds=([-1.5, -0.5], [1.2, 2.0]),
    )
    np.testing.assert_array_equal(r.chain, r2.chain)


def test_explore_builds_the_visited_network():
    # a path sampled from the shallow minimum C over B to the deep minimum A
    path = (
        np.concatenate(
            [
                np.linspace(MB.MINIMA[1], MB.MINIMA[2], 6),
                np.linspace(MB.MINIMA[2], MB.MINIMA[0], 6)[1:],
            ]
        )
        + 0.02
    )
    net, assign = explore(MB, path[None], return_assignment=True)
    assert net.n_minima == 3 and net.n_ts == 2
    order = [np.argmin(np.linalg.norm(net.position - m, axis=1)) for m in MB.MINIMA]
    np.testing.assert_allclose(net.position[order], MB.MINIMA, atol=1e-4)
    assert assign[0, 0] == order[1] and assign[0, -1] == order[0]
    tree = disconnectivity(net)
    e_s1 = MB.energy(MB.SADDLES[:1])[0]
    # minimax from C to A passes the higher saddle S1
    assert abs(tree.merge_energy_of(order[1], order[0]) - e_s1) < 1e-6
    assert abs(tree.barrier(order[1], order[0]) - (e_s1 - net.energy[order[1]])) < 1e-6
    assert net.basin_size.sum() == path.shape[0]


def test_bad_input():
    with pytest.raises(ValueError, match="expected shape"):
        quench(MB, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="method"):
        quench(MB, np.zeros(2), method="newton")
    with pytest.raises(ValueError, match="same minimum"):
        connect(MB, MB.MINIMA[0], MB.MINIMA[0])
    with pytest.raises(ValueError, match="non-finite"):
        quench(MB, [np.nan, 0.0])
    with pytest.raises(ValueError, match="temperature"):
        basin_hopping(MB, 5, 0.1, 0.0, seed=0)
    with pytest.raises(ValueError, match="time index 2"):
        p = np.zeros((1, 4, 2))
        p[0, 2, 1] = np.inf
        explore(MB, p)
    assert isinstance(LandscapeNetwork, type)


def test_explore_walker_trajectories_on_cosine_lattice():
    """Walkers from fractalsgd.simulate hop between cosine wells: every minimum found is a
    lattice point, every saddle lies half-way between adjacent ones at exactly 2 A."""
    import fractalsgd as fs
    from fractalsgd.landscapes import Cosine as CosineLandscape

    A = 0.05
    land = CosineLandscape(dim=2, amplitude=A, period=1.0)
    ds = fs.simulate(land, 2, 400, lr=0.05, noise=0.08, seed=1, progress=False, start=np.zeros(2))
    net = explore(land, ds, every=10)
    assert net.n_minima >= 4 and net.n_ts >= net.n_minima - 1
    np.testing.assert_allclose(net.position, np.rint(net.position), atol=1e-4)
    np.testing.assert_allclose(net.energy, 0.0, atol=1e-9)
    np.testing.assert_allclose(net.ts_energy, 2 * A, atol=1e-9)
    ends = net.position[net.ts_pair]
    np.testing.assert_allclose(net.ts_position, ends.mean(axis=1), atol=1e-4)
    np.testing.assert_allclose(np.abs(ends[:, 0] - ends[:, 1]).sum(axis=1), 1.0, atol=1e-4)
    assert disconnectivity(net).n_components == 1
