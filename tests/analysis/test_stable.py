"""Alpha-stable sampling and fitting against scipy's stable law and analytic special cases."""

import math

import numpy as np
import pytest
from scipy import stats

from fractalsgd.analysis import _stable_table as T
from fractalsgd.analysis import fit_stable, stable_rvs
from fractalsgd.analysis.stable import _negloglik, _std_s0_logpdf_factory


def test_table_special_cases():
    q = np.asarray(T.QUANTILES)
    i1 = T.ALPHAS.index(1.0)
    # S0(1, 0) is the standard Cauchy law: quantile tan(pi (p - 1/2))
    np.testing.assert_allclose(q[i1, 0], np.tan(np.pi * (np.asarray(T.PROBS) - 0.5)), atol=1e-7)
    # S(2, ., 1, 0) is N(0, 2): nu_alpha = (z95 - z05) / (z75 - z25) = 2.4387
    g = q[-1, 0]
    assert (g[4] - g[0]) / (g[3] - g[1]) == pytest.approx(2.438664, abs=1e-5)
    assert np.all(np.diff(q, axis=2) > 0)


@pytest.mark.parametrize(("alpha", "beta"), [(1.5, 0.5), (0.8, -0.7), (1.0, 0.3)])
def test_rvs_matches_scipy_cdf(alpha, beta):
    x = stable_rvs(alpha, beta, 1.0, 0.0, size=20_000, seed=8)
    stats.levy_stable.parameterization = "S1"
    cdf = stats.levy_stable.cdf(np.quantile(x, [0.05, 0.25, 0.5, 0.75, 0.95]), alpha, beta)
    # empirical quantile levels have sd sqrt(p(1-p)/n) <= 0.0036; allow 4 sd
    np.testing.assert_allclose(cdf, [0.05, 0.25, 0.5, 0.75, 0.95], atol=0.015)


def test_fft_density_matches_scipy():
    stats.levy_stable.parameterization = "S0"
    z = np.array([-30.0, -3.0, -0.5, 0.0, 0.7, 4.0, 25.0])
    for a, b in [(1.5, 0.5), (1.2, -0.3), (1.0, 0.4), (1.9, 0.0)]:
        ours = _std_s0_logpdf_factory(a, b)(z.copy())
        ref = stats.levy_stable.logpdf(z, a, b)
        # densities agree to 1 % (the FFT grid aliases the mass beyond +-500 onto the
        # grid, which matters only far in the tails)
        np.testing.assert_allclose(np.exp(ours), np.exp(ref), rtol=1e-2)
    stats.levy_stable.parameterization = "S1"


@pytest.mark.parametrize(("alpha", "beta"), [(1.2, 0.0), (1.5, 0.5), (1.8, 0.0), (0.9, -0.5)])
def test_mcculloch_recovers_parameters(alpha, beta):
    n = 10_000
    x = stable_rvs(alpha, beta, 2.0, 1.0, size=n, seed=21)
    fit = fit_stable(x, n_boot=100)
    # McCulloch's sd of alpha at n = 1e4 is ~0.02 (bootstrap half-width / 1.96): 3.5 sd
    assert abs(fit.alpha.value - alpha) < 0.07
    assert fit.alpha.low < alpha < fit.alpha.high
    assert abs(fit.beta.value - beta) < 0.15
    assert fit.scale.value == pytest.approx(2.0, rel=0.05)
    if abs(alpha - 1) > 0.2:  # S1 location is ill-conditioned near alpha = 1
        assert fit.loc.value == pytest.approx(1.0, abs=0.25)


def test_gaussian_is_alpha_two():
    x = np.random.default_rng(0).normal(3.0, 2.0, 10_000)
    fit = fit_stable(x, n_boot=50)
    assert fit.alpha.value > 1.9
    # N(mu, s^2) = S(2, 0, s / sqrt 2, mu)
    assert fit.scale.value == pytest.approx(2.0 / math.sqrt(2), rel=0.05)
    assert fit.loc.value == pytest.approx(3.0, abs=0.1)


def test_ml_refinement():
    x = stable_rvs(1.5, 0.5, 1.0, 0.0, size=5000, seed=4)
    fit = fit_stable(x, method="ml")
    # ML sd of alpha at n = 5000 ~ 0.02; the Wald interval is +-1.96 sd
    assert abs(fit.alpha.value - 1.5) < 0.07
    assert 0.0 < fit.alpha.high - fit.alpha.low < 0.15
    assert abs(fit.beta.value - 0.5) < 0.15
    assert fit.scale.value == pytest.approx(1.0, rel=0.05)
    # ML maximises the likelihood: it is at least that of the McCulloch starting point
    q = fit_stable(x, n_boot=0)

    def nll(f):
        return _negloglik(
            np.array([f.alpha.value, f.beta.value, math.log(f.scale.value), f.loc0]), x
        )

    assert nll(fit) <= nll(q) + 1e-6


def test_fit_stable_bad_input():
    with pytest.raises(
        ValueError, match=r"fit_stable\(quantile\): needs at least 20 samples, got 5"
    ):
        fit_stable(np.arange(5.0))
    with pytest.raises(ValueError, match="all 30 samples are equal"):
        fit_stable(np.ones(30))
    with pytest.raises(ValueError, match="interquartile range is zero"):
        fit_stable(np.r_[np.zeros(30), np.arange(5.0)])
    with pytest.raises(ValueError, match="alpha must be in"):
        stable_rvs(2.5)
