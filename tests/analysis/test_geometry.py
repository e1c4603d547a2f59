import numpy as np
import pytest

from fractalsgd.analysis.ergodicity import eb_brownian
from fractalsgd.analysis.geometry import contour_length, msd_vs_contour, transverse_excursion
from fractalsgd.processes import bm


def test_contour_length_and_straight_line():
    t = np.arange(50.0)
    line = np.stack([3 * t, 4 * t], axis=1)  # speed 5
    s = contour_length(line)
    np.testing.assert_allclose(s.values[0], 5 * t)
    r = msd_vs_contour(line, lags=[1, 7, 30])
    # straight path: dr^2 = s^2 exactly
    np.testing.assert_allclose(r["tamsd"].values, r["contour"].values ** 2, rtol=1e-10)
    np.testing.assert_allclose(r["contour"].values[0], [5, 35, 150])


def test_msd_vs_contour_brute_force():
    x = np.random.default_rng(1).normal(size=(2, 40, 3)).cumsum(1)
    r = msd_vs_contour(x)
    c = contour_length(x).values
    m = 9
    assert r["contour"].sel(walker=1, lag=m).item() == pytest.approx(
        np.mean(c[1, m:] - c[1, :-m]), rel=1e-12
    )
    # Brownian (D = 1, d = 2): <dr^2> = 4 lag and s = lag E|step| = lag sqrt(pi)
    # (Rayleigh steps of scale sqrt(2D)), so dr^2 ~ s: a random walk is not tortuous
    N, T = 20, 4000
    lags = np.array([10, 1000])
    b = msd_vs_contour(bm(N, T, dim=2, seed=2), lags=lags)
    # contour: mean of ~N T Rayleigh steps, relative s.e. ~ 0.52 / sqrt(N T) < 0.002
    np.testing.assert_allclose(b["contour"].mean("walker").values / lags, np.sqrt(np.pi), 0.01)
    rel_se = np.sqrt(eb_brownian(lags, T + 1, dim=2) / N)  # s.e. of the walker mean TAMSD
    rel = b["tamsd"].mean("walker").values / (4 * lags) - 1
    assert np.all(np.abs(rel) < 5 * rel_se)


def test_transverse_excursion_known_shapes():
    t = np.arange(60.0)
    line = np.stack([t, 2 * t, -t], axis=1)
    r = transverse_excursion(line, fragment=(10, 50), n_fragments=30)
    np.testing.assert_allclose(r["transverse"].values, 0.0, atol=1e-9)
    np.testing.assert_allclose(r["end_to_end"].values, np.sqrt(6) * (r["length"].values - 1))
    # a right-angle corner: (0,0) -> (L,0) -> (L,L); the corner is L/sqrt(2) from the chord
    L = 20
    path = np.concatenate(
        [
            np.stack([np.arange(L), np.zeros(L)], 1),
            np.stack([np.full(L + 1, L), np.arange(L + 1)], 1),
        ]
    ).astype(float)
    r = transverse_excursion(path, fragment=2 * L + 1, n_fragments=1)
    assert r["transverse"].item() == pytest.approx(L**2 / 2)
    assert r["end_to_end"].item() == pytest.approx(L * np.sqrt(2))
    assert r.attrs["result_type"] == "transverse"


def test_transverse_bad_input():
    with pytest.raises(ValueError, match="exceeds the trajectory"):
        transverse_excursion(np.zeros((30, 2)), fragment=(50, 100))
    with pytest.raises(ValueError, match="fragment must be >= 3"):
        transverse_excursion(np.zeros((30, 2)), fragment=2)
