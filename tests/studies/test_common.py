import numpy as np
import pytest
from scipy.stats import binom

from fractalsgd.studies import _common as c


def test_wilson_edges_closed_form():
    # k = 0: upper limit z^2 / (n + z^2); k = n: lower limit n / (n + z^2)
    z2 = 1.959963984540054**2
    lo, hi = c.wilson_interval(0, 10)
    assert lo == 0 and hi == pytest.approx(z2 / (10 + z2), rel=1e-12)
    lo, hi = c.wilson_interval(10, 10)
    assert hi == pytest.approx(1) and lo == pytest.approx(10 / (10 + z2), rel=1e-12)
    # textbook value (Newcombe 1998, table I): 81/263 -> 0.2553 .. 0.3662
    lo, hi = c.wilson_interval(81, 263)
    assert (round(float(lo), 4), round(float(hi), 4)) == (0.2553, 0.3662)


def test_wilson_exact_coverage():
    # exact coverage for p = 0.3, n = 50 by summing the binomial pmf over covering k;
    # Wilson's coverage oscillates around the nominal 0.95 within about +-0.02 here
    n, p = 50, 0.3
    k = np.arange(n + 1)
    lo, hi = c.wilson_interval(k, np.full_like(k, n))
    cover = binom.pmf(k, n, p)[(lo <= p) & (p <= hi)].sum()
    assert 0.93 < cover < 0.97
    with pytest.raises(ValueError, match="0 <= k <= n"):
        c.wilson_interval(5, 3)


def test_bootstrap_ci_matches_normal_theory():
    # mean of n = 400 N(0, 1) samples: CI half-width -> 1.96 / sqrt(400) = 0.098; the
    # percentile bootstrap with 2000 resamples reproduces it to about 5 % (Monte Carlo
    # error of the quantiles plus the sample-sd error 1/sqrt(2n) = 3.5 %), so 12 % is 3 sigma
    x = np.random.default_rng(1).normal(size=400)
    est, lo, hi = c.bootstrap_ci(x)
    assert est == pytest.approx(x.mean())
    half = (hi - lo) / 2
    assert half == pytest.approx(1.96 * x.std(ddof=1) / 20, rel=0.12)
    assert np.isnan(c.bootstrap_ci([np.nan])[0])
    assert np.isnan(c.bootstrap_ci([1.0])[1])


def test_first_passage():
    v = np.array([[5.0, 3.0, 1.0, 0.5], [5.0, 5.0, 5.0, 5.0], [0.0, 9.0, 9.0, 9.0]])
    fpt = c.first_passage(v, 1.0, steps=[0, 10, 20, 30])
    np.testing.assert_array_equal(fpt, [20.0, np.nan, 0.0])


def test_diffusion_statement():
    s = c.diffusion_statement(1.3, (1.1, 1.5), 0.7, (0.6, 0.8), 120, what="walkers")
    assert s.startswith("walkers: superdiffusion turns into subdiffusion")
    s = c.diffusion_statement(1.05, (0.9, 1.2), 0.7, (0.6, 0.8))
    assert "no superdiffusion" in s


def test_reference_tamsd_loads():
    ref = c.reference_tamsd()
    assert ref.sizes["t_w"] == 12 and int(ref.t_w[0]) == 1 and ref.attrs["window"] == 1000
    # the first point of the file: t_w = 1, tau = 1
    assert float(ref.sel(t_w=1, lag=1)) == pytest.approx(0.06576350681)
    # its log-slope between tau = 100 and 1000 at t_w = 1 is about 1.27 (reference README)
    r = ref.sel(t_w=1)
    r = r.dropna("lag")
    a, b = r.sel(lag=100, method="nearest"), r.sel(lag=1000, method="nearest")
    slope = np.log(float(b) / float(a)) / np.log(float(b.lag) / float(a.lag))
    assert slope == pytest.approx(1.27, abs=0.05)
