import numpy as np
import pytest

import fractalsgd as fs
from fractalsgd.analysis.ergodicity import (
    eb_brownian,
    ergodicity_breaking,
    non_gaussian_parameter,
    velocity_autocorrelation,
)
from fractalsgd.processes import bm, ctrw, fbm, fgn_autocovariance


def test_eb_brownian_theory():
    T = 1001
    assert eb_brownian(1, T) == pytest.approx(2 / (T - 1), rel=1e-14)
    # brute force over the covariance (m - |i - j|)_+ of the n = T - m lag-m increments
    m, n = 7, 40
    i = np.arange(n)
    cov = np.maximum(m - np.abs(i[:, None] - i[None]), 0.0)
    assert eb_brownian(m, n + m) == pytest.approx(2 * (cov**2).sum() / (m * n) ** 2, rel=1e-13)
    T = 100_000
    for lag in (30, 100):  # 1 << lag << T: EB -> 4 lag / (3 T) up to O(1/lag, lag/T)
        assert eb_brownian(lag, T) == pytest.approx(4 * lag / (3 * T), rel=2 / lag + 2 * lag / T)
    assert eb_brownian(5, 50, dim=3) == pytest.approx(eb_brownian(5, 50) / 3)


def test_eb_of_brownian_motion_matches_exact_value():
    N, T = 2000, 200
    lags = [1, 5, 20]
    res = ergodicity_breaking(bm(N, T, seed=1), lags)
    want = eb_brownian(lags, T + 1)
    eb, se = res["eb"].values, res["eb_se"].values
    assert np.all(np.abs(eb - want) < 5 * se), (eb, want, se)
    assert res["eb"].sel(lag=1).item() == pytest.approx(2 / T, rel=5 * se[0] / want[0])
    np.testing.assert_allclose(res["xi"].mean("walker").values, 1.0, rtol=1e-12)
    assert res.attrs["result_type"] == "ergodicity"


def test_eb_of_brownian_motion_intermediate_lag():
    # 1 << lag << T: EB -> 4 lag / (3 T). Simulated EB against the asymptote, allowing
    # 5 jackknife s.e. plus the exact finite-size deviation |EB_exact - 4 lag/(3T)|
    N, T, lag = 1500, 3000, 60
    res = ergodicity_breaking(bm(N, T, seed=9), [lag])
    asym = 4 * lag / (3 * T)
    dev = abs(eb_brownian(lag, T + 1) - asym)
    assert dev < 0.05 * asym
    assert abs(res["eb"].item() - asym) < 5 * res["eb_se"].item() + dev


def test_ctrw_amplitude_scatter_is_broad():
    # weak ergodicity breaking: EB stays O(1) (Mittag-Leffler scatter), BM's is ~ 1/T
    res = ergodicity_breaking(ctrw(300, 5000, 0.5, seed=2), [10])
    eb_bm = eb_brownian(10, 5001)
    # Mittag-Leffler with alpha = 1/2: EB = 2 G(1+a)^2 / G(1+2a) - 1 = pi/2 - 1 = 0.571
    assert res["eb"].item() > 100 * eb_bm
    assert abs(res["eb"].item() - (np.pi / 2 - 1)) < 5 * res["eb_se"].item() + 0.05


def test_non_gaussian_parameter():
    rng = np.random.default_rng(3)
    lap = np.cumsum(rng.laplace(size=(50, 4001, 1)), axis=1)
    a = non_gaussian_parameter(lap, [1, 400])
    # Laplace: kurtosis 6 -> alpha2 = 6/3 - 1 = 1 at lag 1; the CLT Gaussianises long lags.
    # s.e. of the 4th-moment ratio from 2e5 Laplace samples is ~0.04
    assert a.sel(lag=1).item() == pytest.approx(1.0, abs=0.2)
    assert abs(a.sel(lag=400).item()) < 0.1
    g = non_gaussian_parameter(bm(100, 1000, dim=3, seed=4), [1, 10])
    # Gaussian: 0; s.e. of d<r^4>/((d+2)<r^2>^2) from 1e5 chi^2_3 samples ~ 0.01
    assert np.all(np.abs(g.values) < 0.05)
    with pytest.raises(ValueError, match="lag 3: no pair"):
        non_gaussian_parameter(fs.trajectory(lap[:, :10], step=np.arange(10) * 2), 3)


def test_velocity_autocorrelation():
    H, D, N, T = 0.3, 0.5, 400, 500
    ds = fbm(N, T, H, dim=2, D=D, seed=5)
    c = velocity_autocorrelation(ds, max_lag=10)
    want = 2 * D * 2 * fgn_autocovariance(np.arange(11), H)
    # s.e. of a mean over N*T*d ~ 4e5 increments of variance ~ (2D)^2: ~0.003
    np.testing.assert_allclose(c.values, want, atol=0.02)
    x = np.random.default_rng(6).normal(size=(2, 30, 3))
    v = np.diff(x, axis=1)
    brute = np.mean([np.sum(v[w, t] * v[w, t + 4]) for w in range(2) for t in range(25)])
    assert velocity_autocorrelation(x).sel(lag=4).item() == pytest.approx(brute, rel=1e-12)
    assert velocity_autocorrelation(x, normalize=True).sel(lag=0).item() == pytest.approx(1.0)


def test_bad_input():
    with pytest.raises(ValueError, match="at least 2 walkers"):
        ergodicity_breaking(np.random.default_rng(0).normal(size=(1, 20, 2)), 1)
    with pytest.raises(ValueError, match="lag 50 exceeds"):
        ergodicity_breaking(np.random.default_rng(0).normal(size=(3, 20, 2)), 50)
    with pytest.raises(ValueError, match="evenly spaced"):
        velocity_autocorrelation(fs.trajectory(np.zeros((5, 1)), step=[0, 1, 3, 4, 9]))
