import numpy as np
import pytest
import xarray as xr

from fractalsgd.analysis import (
    fit_crossover,
    fit_power_law,
    local_exponent,
    read_tamsd_csv,
    tamsd,
)
from fractalsgd.processes import fbm

REF = "/work/shared/reference/dnn_tamsd_ly_gong.csv"


def broken(lag, tau0, b1, b2, K=1.0):
    return np.where(lag < tau0, K * lag**b1, K * tau0 ** (b1 - b2) * lag**b2)


def test_local_exponent_exact_on_power_laws():
    lag = np.arange(1, 2001)
    m = 3.0 * lag**1.3
    b = local_exponent(m, lags=lag)
    np.testing.assert_allclose(b.values, 1.3, rtol=1e-12)
    assert b["lag"].values[-1] == 1980  # tau + 20 <= 2000
    bl = local_exponent(m, lags=lag, method="loglog", width=0.3)
    np.testing.assert_allclose(bl.values, 1.3, rtol=1e-10)
    # the paper's finite difference, by hand, on a broken power law
    m2 = broken(lag.astype(float), 100.0, 1.5, 0.5)
    b2 = local_exponent(m2, lags=lag, delta=20)
    tau = 90
    want = (np.log(m2[tau + 19]) - np.log(m2[tau - 1])) / np.log((tau + 20) / tau)
    assert b2.sel(lag=tau).item() == pytest.approx(want, rel=1e-12)
    assert b2.sel(lag=10).item() == pytest.approx(1.5) and b2.sel(lag=500).item() == pytest.approx(
        0.5
    )


def test_local_exponent_interpolates_log_spaced_lags():
    lag = np.unique(np.round(np.logspace(0, 4, 80))).astype(int)
    b = local_exponent(xr.DataArray(2 * lag**0.8, dims="lag", coords={"lag": lag}))
    np.testing.assert_allclose(b.values, 0.8, rtol=1e-10)  # exact for a pure power law


def test_fit_power_law_exact_and_single_curve_ci():
    lag = np.arange(1, 1001)
    fit = fit_power_law(5.0 * lag**0.6, lags=lag)
    assert fit["exponent"].item() == pytest.approx(0.6, rel=1e-12)
    assert fit["prefactor"].item() == pytest.approx(5.0, rel=1e-12)
    # single noisy curve: CI from the block bootstrap contains the truth
    rng = np.random.default_rng(0)
    noise = np.convolve(rng.normal(0, 0.05, 1100), np.ones(20) / np.sqrt(20), "valid")[:1000]
    fit = fit_power_law(5.0 * lag**0.6 * np.exp(noise), lags=lag)
    lo, hi = fit["exponent_ci"].values
    assert lo < 0.6 < hi and hi - lo < 0.2
    assert "moving-block" in fit.attrs["ci_method"]


@pytest.mark.parametrize("H", [0.25, 0.5, 0.75])
def test_fbm_exponent_2H_within_bootstrap_ci(H):
    ds = fbm(100, 1024, H, D=0.5, seed=int(H * 100))
    r = tamsd(ds, lags=np.arange(1, 101))
    fit = fit_power_law(r, (1, 100), n_boot=400, seed=1)
    lo, hi = fit["exponent_ci"].values
    assert lo < 2 * H < hi, (lo, hi)
    assert hi - lo < 0.1  # informative, not a vacuous interval
    plo, phi = fit["prefactor_ci"].values
    assert plo < 1.0 < phi  # 2 D = 1
    assert fit.attrs["ci_method"].startswith("bootstrap over walker")


def test_fit_crossover_recovers_known_breakpoint():
    lag = np.arange(1, 1000)
    m = broken(lag.astype(float), 60.0, 1.4, 0.7, K=0.01)
    fit = fit_crossover(m, lags=lag)
    np.testing.assert_allclose(fit["slope"].values, [1.4, 0.7], atol=0.01)
    # grid resolution: data lags and midpoints, 20 per decade -> within 1/40 decade
    assert abs(np.log10(fit["tau0"].item() / 60.0)) <= 1 / 40 + 1e-9
    rng = np.random.default_rng(1)
    m3 = broken(lag.astype(float), 30.0, 0.7, 1.3) * np.where(lag > 300, (lag / 300.0) ** -0.5, 1)
    m3 = m3 * np.exp(rng.normal(0, 0.01, lag.size))
    auto = fit_crossover(m3, lags=lag, n_breaks="auto")
    assert auto["n_breaks"].item() == 2
    np.testing.assert_allclose(auto["slope"].values, [0.7, 1.3, 0.8], atol=0.05)
    lo, hi = auto["slope_ci"].values[1]
    assert lo < 1.3 < hi
    t_lo, t_hi = auto["tau0_ci"].values[1]
    g = 10 ** (1 / 40)  # breakpoints live on a grid of 1/40 decade
    assert t_lo / g <= 300 <= t_hi * g


def test_fit_crossover_bootstrap_over_walkers_keeps_other_dims():
    rng = np.random.default_rng(2)
    lag = np.arange(1, 500)
    base = broken(lag.astype(float), 50.0, 1.5, 0.5)
    curves = base * np.exp(rng.normal(0, 0.05, (20, 2, 1)))  # walker-to-walker amplitude
    da = xr.DataArray(curves, dims=("walker", "t_w", "lag"), coords={"lag": lag, "t_w": [0, 9]})
    fit = fit_crossover(da)
    assert fit["slope"].dims == ("t_w", "segment")
    np.testing.assert_allclose(fit["slope"].values, [[1.5, 0.5]] * 2, atol=0.01)
    assert fit.attrs["ci_method"].startswith("bootstrap over walker")


def test_reference_dnn_curve_super_then_subdiffusive():
    c = read_tamsd_csv(REF).sel(t_w=1)
    # three regimes (about 0.7, then > 1, then < 1): up to two breakpoints, chosen by BIC
    fit = fit_crossover(c, n_breaks="auto")
    assert fit["n_breaks"].item() == 2
    s, ci = fit["slope"].values, fit["slope_ci"].values
    assert s[0] < 1 and ci[1, 0] > 1 and ci[2, 1] < 1  # sub, super (CI above 1), sub
    tau = fit["tau0"].values
    assert 10 < tau[0] < 200 and 1000 < tau[1] < 30000
    # the paper's two-regime fit on intermediate-to-long lags
    two = fit_crossover(c, lag_range=(100, 1e5))
    (b1_lo, _), (_, b2_hi) = two["slope_ci"].values
    assert b1_lo > 1 and b2_hi < 1
    assert np.all(np.isfinite(two["tau0_ci"].values))


def test_bad_input():
    lag = np.arange(1, 50)
    with pytest.raises(ValueError, match="only 2 lag"):
        fit_power_law(lag**1.0, lags=lag, lag_range=(10, 11))
    with pytest.raises(ValueError, match="non-positive value 0 at lag 3"):
        fit_power_law(np.where(lag == 3, 0.0, lag), lags=lag)
    with pytest.raises(ValueError, match="needs a 'lag' dimension"):
        local_exponent(xr.DataArray(np.ones(5), dims="x"))
    with pytest.raises(ValueError, match="method must be"):
        local_exponent(lag * 1.0, lags=lag, method="spline")
    with pytest.raises(ValueError, match="cannot hold 3 segments"):
        fit_crossover(lag * 1.0, lags=lag, lag_range=(1, 4), n_breaks=2)
    with pytest.raises(ValueError, match="sample_dim 'seed'"):
        fit_power_law(xr.DataArray(lag * 1.0, dims="lag", coords={"lag": lag}), sample_dim="seed")
