"""Hurst exponents, graph / surface dimensions, MSL and spectra on profiles with known H."""

import numpy as np
import pytest

from fractalsgd.analysis import (
    fractal_dimension,
    hurst,
    loss_spectrum,
    msl_vs_distance,
    surface_dimension,
)
from fractalsgd.schema import trajectory


def fbm(n, H, seed):
    """Exact fBm B_H(0..n) by Davies-Harte circulant embedding of fractional Gaussian noise."""
    k = np.arange(n + 1)
    g = 0.5 * ((k + 1.0) ** (2 * H) - 2 * k ** (2 * H) + np.abs(k - 1.0) ** (2 * H))
    c = np.r_[g, g[-2:0:-1]]
    lam = np.fft.fft(c).real
    assert lam.min() > -1e-8  # embedding is valid for all H in (0, 1)
    rng = np.random.default_rng(seed)
    z = rng.normal(size=c.size) + 1j * rng.normal(size=c.size)
    w = np.fft.fft(np.sqrt(np.maximum(lam, 0) / c.size) * z)
    return np.r_[0.0, np.cumsum(w.real[:n])]


def weierstrass(H, n=2**16, gamma=1.5, seed=0):
    """SCIENCE.md profile sum_n gamma^(-nH) (1 - cos(gamma^n x + phi_n)), x in [0, 2 pi],
    terms up to the sampling (Nyquist) frequency; graph box dimension 2 - H."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 2 * np.pi, n)
    N = int(np.log(n / 2) / np.log(gamma))
    phi = rng.uniform(0, 2 * np.pi, N)
    return sum(gamma ** (-k * H) * (1 - np.cos(gamma**k * x + phi[k])) for k in range(N))


def spectral_surface(n, H, seed):
    """Fourier-filtered fBm surface: amplitude |k|^-(H+1), so D = 3 - H."""
    rng = np.random.default_rng(seed)
    f = np.fft.fftfreq(n)
    k = np.hypot(f[:, None], f[None, :])
    k[0, 0] = 1.0
    amp = k ** (-(H + 1))
    amp[0, 0] = 0.0
    return np.fft.ifft2(amp * (rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)))).real


@pytest.mark.parametrize("H", [0.3, 0.5, 0.7])
def test_hurst_fbm(H):
    # over 10 seeds at n = 2^14 the sd of dfa / variogram is 0.010-0.017: 0.05 is > 3 sd
    y = fbm(2**14, H, seed=int(10 * H))
    for method in ("dfa", "variogram"):
        est = hurst(y, method)
        assert abs(est.value - H) < 0.05, (method, est)
        assert est.low < est.value < est.high
    # Higuchi (sd 0.015) and Haar wavelet (sd 0.02, bias -0.015 to -0.025): looser
    assert abs(hurst(y, "higuchi").value - H) < 0.06
    assert abs(hurst(y, "wavelet").value - H) < 0.08


def test_dfa_brute_force_fluctuation():
    y = fbm(512, 0.5, 1)
    est = hurst(y, "dfa", scales=[16, 32, 64])
    s = 32
    segs = [y[i * s : (i + 1) * s] for i in range(512 // s)]
    segs += [y[513 - (i + 1) * s : 513 - i * s] for i in range(512 // s)]
    t = np.arange(s)
    res = [seg - np.polyval(np.polyfit(t, seg, 1), t) for seg in segs]
    F = np.sqrt(np.mean(np.concatenate(res) ** 2))
    assert est.details["fluctuation"][1] == pytest.approx(F, rel=1e-10)


@pytest.mark.parametrize("H", [0.3, 0.5, 0.7])
def test_weierstrass_graph_dimension(H):
    # issue requirement: D = 2 - H within 0.1 (measured bias of the sampled graph at
    # n = 2^16: -0.05 variation, -0.08 boxcount at H = 0.3, smaller at larger H)
    y = weierstrass(H)
    for method in ("variation", "boxcount"):
        est = fractal_dimension(y, method)
        assert abs(est.value - (2 - H)) < 0.1, (method, est)


def test_smooth_graph_has_dimension_one():
    y = np.sin(np.linspace(0, 6, 2**14))
    assert fractal_dimension(y).value == pytest.approx(1.0, abs=0.03)
    assert fractal_dimension(y, "boxcount").value == pytest.approx(1.0, abs=0.05)


def test_surface_dimension():
    for H in (0.3, 0.7):
        z = spectral_surface(256, H, seed=1)
        # variogram: D = 3 - H; sd over seeds ~0.02 at 256^2
        assert abs(surface_dimension(z).value - (3 - H)) < 0.1
    # box counting: exactly 2 for a plane; for rough surfaces biased low (the sampled
    # oscillation undercounts, about -0.15 at H = 0.3) but correctly ordered
    xx, yy = np.meshgrid(np.linspace(0, 1, 256), np.linspace(0, 1, 256))
    assert surface_dimension(0.3 * xx + 0.2 * yy, "boxcount").value == pytest.approx(2.0, abs=0.02)
    d3 = surface_dimension(spectral_surface(256, 0.3, 2), "boxcount").value
    d7 = surface_dimension(spectral_surface(256, 0.7, 2), "boxcount").value
    assert 2.4 < d3 < 2.75 and 2.1 < d7 < 2.35 and d3 > d7 + 0.2


def test_msl_vs_distance_known_H():
    # walker moving at constant speed along a line over a fBm landscape: MSL = c dr^(2H)
    H = 0.35
    n = 1500
    loss = fbm(n - 1, H, seed=3)
    pos = np.c_[np.arange(n) * 0.01, np.zeros(n)]
    ds = trajectory(pos, loss=loss)
    res = msl_vs_distance(ds, bins=25, fit_range=(0.02, 1.5), max_pairs=2_000_000)
    assert res.attrs["result_type"] == "msl_vs_distance"
    assert abs(res.attrs["H"] - H) < 0.05
    assert res.attrs["H_low"] < res.attrs["H"] < res.attrs["H_high"]
    # brute force for one bin
    i, j = np.triu_indices(n, 1)
    dr = np.abs(i - j) * 0.01
    dl2 = (loss[j] - loss[i]) ** 2
    b = 10
    lo, hi = res["edge_low"].values[b], res["edge_high"].values[b]
    sel = (dr >= lo) & (dr < hi)
    assert res["msl"].values[b] == pytest.approx(dl2[sel].mean(), rel=1e-9)
    assert res["count"].values[b] == sel.sum()


def test_msl_walker_bootstrap_and_bad_input():
    walkers = [fbm(999, 0.6, seed=s) for s in range(6)]
    pos = np.repeat(np.arange(1000.0)[None, :, None], 6, axis=0)
    res = msl_vs_distance(pos, loss=np.array(walkers), fit_range=(1, 100), max_pairs=200_000)
    assert res.attrs["ci_method"] == "walker bootstrap"
    assert res.attrs["H_low"] < 0.6 < res.attrs["H_high"]
    with pytest.raises(ValueError, match="msl_vs_distance: needs loss"):
        msl_vs_distance(pos)
    bad = np.array(walkers)
    bad[2, 5] = np.nan
    with pytest.raises(ValueError, match="non-finite loss at walker 2, time index 5"):
        msl_vs_distance(pos, loss=bad)


def test_loss_spectrum_slopes():
    rng = np.random.default_rng(4)
    white = loss_spectrum(rng.normal(size=2**15))
    assert white.attrs["result_type"] == "loss_spectrum"
    # ~100 Welch segments averaged per frequency: slope sd ~0.02
    assert abs(white.attrs["slope"]) < 0.1
    brown = loss_spectrum(np.cumsum(rng.normal(size=2**15)))
    assert abs(brown.attrs["slope"] - 2.0) < 0.15
    assert brown.attrs["slope_low"] < brown.attrs["slope"] < brown.attrs["slope_high"]


def test_roughness_bad_input():
    with pytest.raises(ValueError, match=r"hurst\(dfa\): needs at least 64 samples, got 10"):
        hurst(np.arange(10.0))
    with pytest.raises(ValueError, match=r"hurst\(variogram\): all 100 samples are equal"):
        hurst(np.ones(100), "variogram")
    with pytest.raises(ValueError, match=r"hurst\(dfa\): scales must be <= n/4 = 25"):
        hurst(np.random.default_rng(0).normal(size=100), scales=[4, 8, 50])
    with pytest.raises(ValueError, match="profile must be 1-D"):
        fractal_dimension(np.ones((20, 20)))
    with pytest.raises(
        ValueError, match=r"surface_dimension\(variogram\): needs a grid of at least"
    ):
        surface_dimension(np.ones((10, 10)))


def test_pair_distances_chunked():
    from fractalsgd.analysis.roughness import _pair_distances

    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 1000))
    i, j = np.triu_indices(50, 1)
    ref = np.linalg.norm(x[j] - x[i], axis=1)
    np.testing.assert_allclose(_pair_distances(x, i, j, chunk_elems=3000), ref, rtol=1e-12)
