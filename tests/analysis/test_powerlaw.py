"""CSN power-law fits and tail comparisons against closed forms and brute force."""

import math

import numpy as np
import pytest
from scipy import integrate, stats

from fractalsgd.analysis import compare_tails, fit_powerlaw
from fractalsgd.analysis.powerlaw import _log_tpl_norm


def pareto(alpha, n, xmin=1.0, seed=0):
    """Continuous power law p(x) = (alpha-1)/xmin (x/xmin)^-alpha, x >= xmin."""
    rng = np.random.default_rng(seed)
    return xmin * (1 - rng.random(n)) ** (-1 / (alpha - 1))


def brute_D(tail, alpha, xmin):
    return stats.kstest(tail, lambda x: 1 - (x / xmin) ** (1 - alpha)).statistic


def test_fixed_xmin_closed_form():
    x = pareto(2.5, 10_000, seed=1)
    fit = fit_powerlaw(x, xmin=1.0)
    mle = 1 + x.size / np.sum(np.log(x))  # CSN eq. 3.1
    assert fit.alpha == pytest.approx(mle, rel=1e-12)
    assert fit.sigma == pytest.approx((mle - 1) / math.sqrt(x.size), rel=1e-12)
    assert fit.n_tail == 10_000
    assert fit.D == pytest.approx(brute_D(x, mle, 1.0), abs=1e-12)
    # sd = (alpha-1)/sqrt(n) = 0.015: 4 sd
    assert abs(fit.alpha - 2.5) < 0.06


def test_xmin_found_on_non_power_law_body():
    rng = np.random.default_rng(3)
    body = rng.uniform(0.1, 3.0, 20_000)  # flat body below 3
    tail = pareto(2.2, 20_000, xmin=3.0, seed=4)
    x = np.r_[body, tail]
    fit = fit_powerlaw(x)
    # every xmin >= 3 starts an exact power-law tail, so KS may pick any of them; it must
    # not pick one inside the flat body, nor throw away most of the tail
    assert 2.95 <= fit.xmin <= 4.0
    assert abs(fit.alpha - 2.2) < 4 * fit.sigma + 0.02
    assert fit.D == pytest.approx(brute_D(fit.tail, fit.alpha, fit.xmin), abs=1e-12)
    lo, hi = fit.ci
    assert lo < fit.alpha < hi


def test_exact_scan_is_brute_force_minimum():
    x = np.r_[np.random.default_rng(5).uniform(0.5, 2, 150), pareto(2.0, 150, 2.0, seed=6)]
    fit = fit_powerlaw(x, scan="exact", min_tail=10)
    xs = np.sort(x)
    best = (np.inf, None)
    for i in range(xs.size - 10 + 1):
        t = xs[i:]
        a = 1 + t.size / np.sum(np.log(t / t[0]))
        d = brute_D(t, a, t[0])
        if d < best[0]:
            best = (d, t[0])
    assert fit.D == pytest.approx(best[0], abs=1e-12)
    assert fit.xmin == best[1]
    grid = fit_powerlaw(x, n_candidates=20)
    assert grid.D >= fit.D - 1e-15


def test_discrete_zipf():
    # numpy's zipf(a) has P(k) = k^-a / zeta(a), k >= 1: a discrete power law with xmin = 1
    x = np.random.default_rng(7).zipf(2.5, 20_000).astype(float)
    fit = fit_powerlaw(x, xmin=1, discrete=True)
    # Fisher sd ~ 0.012 at n = 2e4: 4 sd
    assert abs(fit.alpha - 2.5) < 0.05
    assert 0.005 < fit.sigma < 0.03
    # the MLE is a maximum of the exact log-likelihood
    from scipy.special import zeta

    def ll(a):
        return -a * np.log(x).sum() - x.size * np.log(zeta(a, 1.0))

    assert ll(fit.alpha) >= max(ll(fit.alpha - 1e-3), ll(fit.alpha + 1e-3))
    free = fit_powerlaw(x, discrete=True)
    assert abs(free.alpha - 2.5) < 4 * free.sigma + 0.02


def test_truncated_normalisation():
    # a = 0: int_xmin^inf e^(-lam x) dx = e^(-lam xmin) / lam
    assert _log_tpl_norm(0.0, 0.3, 2.0) == pytest.approx(-0.6 - math.log(0.3), rel=1e-9)
    ref = integrate.quad(lambda x: x**-1.7 * math.exp(-0.05 * x), 1.5, np.inf)[0]
    assert _log_tpl_norm(1.7, 0.05, 1.5) == pytest.approx(math.log(ref), rel=1e-8)


def test_gaussian_not_heavy_tailed():
    x = np.abs(np.random.default_rng(8).normal(size=10_000))
    cmp = compare_tails(x)
    assert not cmp.heavy_tailed
    assert cmp.preferred != "power_law"


def test_exponential_not_heavy_tailed():
    x = np.random.default_rng(9).exponential(size=10_000)
    assert not compare_tails(x).heavy_tailed


def test_stable_heavy_tailed():
    from fractalsgd.analysis import stable_rvs

    x = np.abs(stable_rvs(1.5, 0.0, 1.0, size=10_000, seed=12))
    cmp = compare_tails(x)
    assert cmp.heavy_tailed
    # the tail of |S_1.5| is ~ x^-2.5 in density
    assert abs(cmp.fit.alpha - 2.5) < 4 * cmp.fit.sigma + 0.1


def test_pareto_heavy_tailed():
    cmp = compare_tails(pareto(2.5, 5_000, seed=10))
    assert cmp.heavy_tailed
    assert cmp.preferred == "power_law"
    assert cmp.tests["exponential"]["R"] > 0
    assert cmp.tests["truncated_power_law"]["nested"]


def test_fit_powerlaw_bad_input():
    with pytest.raises(
        ValueError, match=r"fit_powerlaw: samples must be positive, found 1 values <= 0"
    ):
        fit_powerlaw(np.r_[-1.0, np.arange(1.0, 30.0)])
    with pytest.raises(ValueError, match=r"fit_powerlaw: needs at least 10 samples, got 4"):
        fit_powerlaw([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(
        ValueError, match=r"fit_powerlaw\(discrete\): discrete samples must be integers"
    ):
        fit_powerlaw(np.linspace(1, 5, 30), discrete=True)
    with pytest.raises(ValueError, match="all 30 samples are equal"):
        fit_powerlaw(np.ones(30))
    with pytest.raises(ValueError, match="NaN"):
        fit_powerlaw(np.r_[np.nan, np.arange(1.0, 30.0)])
