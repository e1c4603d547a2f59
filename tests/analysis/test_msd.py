import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fractalsgd as fs
from fractalsgd.analysis import aging_msd, eamsd, read_tamsd_csv, tamsd
from fractalsgd.processes import bm

REF = "/work/shared/reference/dnn_tamsd_ly_gong.csv"


def brute_tamsd(x, step):
    """Independent double loop: mean over pairs with step difference = lag."""
    acc = {}
    for i in range(len(step)):
        for j in range(i + 1, len(step)):
            acc.setdefault(int(step[j] - step[i]), []).append(float(((x[j] - x[i]) ** 2).sum()))
    return {k: np.mean(v) for k, v in acc.items()}, {k: len(v) for k, v in acc.items()}


def _assert_matches(r, x, step, walker=0, **sel):
    ref, cnt = brute_tamsd(x, step)
    got = r.sel(walker=walker, **sel)
    for lag in got["lag"].values:
        assert got.sel(lag=lag).item() == pytest.approx(ref[int(lag)], rel=1e-10)
        n = got["n_pairs"].sel(lag=lag).item()
        assert n == cnt[int(lag)]


def test_fft_equals_brute_force_even():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 64, 5)).cumsum(1) + 1e3  # large offset: centring must cope
    r = tamsd(x)
    assert r.dims == ("walker", "lag") and r.sizes["lag"] == 63
    for w in range(3):
        _assert_matches(r, x[w], np.arange(64), walker=w)


def test_fft_equals_brute_force_chunked_float32_and_stride():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 40, 7)).cumsum(1).astype(np.float32)
    ds = fs.trajectory(x, step=np.arange(40) * 5)
    r = tamsd(ds, max_bytes=3000)  # forces one coordinate per FFT block
    assert list(r["lag"].values[:3]) == [5, 10, 15]
    _assert_matches(r, x[1].astype(float), np.arange(40) * 5, walker=1)
    sub = tamsd(ds, lags=[10, 195])
    assert sub.sel(walker=0, lag=195).item() == pytest.approx(
        float(((x[0, 39] - x[0, 0].astype(float)) ** 2).sum()), rel=1e-10
    )


def test_fft_equals_brute_force_windows():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 95, 3)).cumsum(1)
    ds = fs.trajectory(x, step=np.arange(95) + 1)  # 1-based steps like the paper
    r = tamsd(ds, window=30)
    assert r.dims == ("walker", "t_w", "lag")
    assert list(r["t_w"].values) == [1, 31, 61]  # incomplete last window dropped
    for j, tw in enumerate([1, 31, 61]):
        _assert_matches(r, x[1, j * 30 : (j + 1) * 30], np.arange(30), walker=1, t_w=tw)


def test_fft_equals_brute_force_uneven():
    rng = np.random.default_rng(4)
    step = np.sort(rng.choice(300, 60, replace=False))
    x = rng.normal(size=(2, 60, 3)).cumsum(1)
    r = tamsd(fs.trajectory(x, step=step))
    ref, _ = brute_tamsd(x[0], step)
    assert set(r["lag"].values.tolist()) == set(ref)  # exactly the lags that have pairs
    _assert_matches(r, x[0], step)
    missing = sorted(set(range(1, 300)) - set(ref))[0]
    with pytest.raises(ValueError, match=f"lag {missing}: no pair"):
        tamsd(fs.trajectory(x, step=step), lags=[missing])
    # windows on uneven snapshots: each window on its own grid
    rw = tamsd(fs.trajectory(x, step=step), window=20, lags=[step[1] - step[0]])
    assert rw.sizes["t_w"] == 3


@settings(max_examples=25, deadline=None)
@given(
    n_walker=st.integers(1, 3),
    n_time=st.integers(2, 40),
    n_coord=st.integers(1, 4),
    gaps=st.lists(st.integers(1, 4), min_size=39, max_size=39),
    seed=st.integers(0, 2**31 - 1),
)
def test_fft_equals_brute_force_property(n_walker, n_time, n_coord, gaps, seed):
    x = np.random.default_rng(seed).normal(size=(n_walker, n_time, n_coord)).cumsum(1)
    step = np.concatenate([[0], np.cumsum(gaps[: n_time - 1])])
    r = tamsd(fs.trajectory(x, step=step))
    ref, _ = brute_tamsd(x[-1], step)
    assert set(r["lag"].values.tolist()) == set(ref)  # exactly the lags that have pairs
    got = r.isel(walker=-1)
    for lag in got["lag"].values:
        assert got.sel(lag=lag).item() == pytest.approx(ref[int(lag)], rel=1e-9, abs=1e-12)


def test_brownian_msd_is_2Ddt():
    D, d, N, T = 0.7, 3, 400, 512
    ds = bm(N, T, dim=d, D=D, seed=5)
    r = tamsd(ds, lags=[1, 4, 16, 64])
    mean = r.mean("walker").values
    lag = r["lag"].values
    # Var of one walker's TAMSD ~ (2Dd lag)^2 * EB/d-ish, EB <= 4 lag/(3 (T - lag)) per
    # coordinate; the mean of N walkers has relative s.e. sqrt(4 lag / (3 (T-lag) d N)).
    rel_se = np.sqrt(4 * lag / (3 * (T - lag) * d * N))
    assert np.all(np.abs(mean / (2 * D * d * lag) - 1) < 5 * rel_se)
    e = eamsd(ds)
    t = np.array([10, 100, 512])
    # |x(t)|^2 / (2Dt) is chi^2_d: relative s.e. of the mean = sqrt(2 / (d N))
    rel = e.sel(lag=t).values / (2 * D * d * t) - 1
    assert np.all(np.abs(rel) < 5 * np.sqrt(2 / (d * N)))


def test_eamsd_and_aging_single_reference():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(4, 30, 2)).cumsum(1)
    step = np.arange(30) * 2
    ds = fs.trajectory(x, step=step)
    e = eamsd(ds, t0=10)
    assert e["lag"].values[0] == 2
    assert e.sel(lag=8).item() == pytest.approx(((x[:, 9] - x[:, 5]) ** 2).sum(-1).mean())
    a = aging_msd(ds, t_w=[0, 20, 40])
    assert a.dims == ("walker", "t_w", "lag")
    # each row has its own reference snapshot (no broadcasting across t_w)
    for i, tw in enumerate([0, 20, 40]):
        k = tw // 2
        for lag in (2, 10, 18):
            want = ((x[:, k + lag // 2] - x[:, k]) ** 2).sum(-1)
            np.testing.assert_allclose(a.isel(t_w=i).sel(lag=lag).values, want, rtol=1e-12)
    # NaN exactly where t_w + lag was not recorded
    assert np.isnan(a.sel(t_w=40, lag=20).values).all()
    assert np.isfinite(a.sel(t_w=40, lag=18).values).all()
    assert np.isfinite(a.sel(t_w=0).values).all()
    with pytest.raises(ValueError, match="t_w=3 is not a recorded step"):
        aging_msd(ds, t_w=[3])
    with pytest.raises(ValueError, match="t0=5 is not a recorded step"):
        eamsd(ds, t0=5)


def test_bad_input():
    x = np.random.default_rng(0).normal(size=(3, 20, 2))
    bad = x.copy()
    bad[2, 7, 1] = np.nan
    with pytest.raises(ValueError, match="walker 2, time index 7"):
        tamsd(bad)
    bad = x.copy()
    bad[1, 13, 0] = np.inf
    with pytest.raises(ValueError, match="walker 1, time index 13"):
        tamsd(bad, window=5, max_bytes=100)
    with pytest.raises(ValueError, match="zero walkers"):
        tamsd(np.zeros((0, 10, 2)))
    with pytest.raises(ValueError, match="expected shape"):
        tamsd(np.zeros((2, 3, 4, 5)))
    with pytest.raises(ValueError, match="lag 20 exceeds"):
        tamsd(x, lags=[1, 20])
    with pytest.raises(ValueError, match="window=21 exceeds"):
        tamsd(x, window=21)
    with pytest.raises(ValueError, match="at least 2 time points"):
        tamsd(np.zeros((1, 1, 2)))
    with pytest.raises(ValueError, match="lag 3 is not a multiple"):
        tamsd(fs.trajectory(x, step=np.arange(20) * 2), lags=[3])
    with pytest.raises(ValueError, match="lags must be >= 1"):
        tamsd(x, lags=[0, 1])


def test_memory_is_bounded():
    # 2 x 2000 x 400 float32 = 6.4 MB input; 2 MB blocks: the working set stays a few
    # blocks, far below one float64 spectrum of the whole input (~ 52 MB).
    x = np.random.default_rng(0).normal(size=(2, 2000, 400)).astype(np.float32)
    tracemalloc.start()
    r = tamsd(x, window=500, max_bytes=2 * 2**20)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 12 * 2**20, peak
    ref = tamsd(x[:, 500:1000].astype(np.float64))
    np.testing.assert_allclose(r.isel(t_w=1).values, ref.values, rtol=1e-10)


def test_read_reference_csv():
    c = read_tamsd_csv(REF)
    assert c.dims == ("t_w", "lag") and c.sizes["t_w"] == 12
    assert c.attrs["window"] == 1000
    assert c.sel(t_w=1, lag=1).item() == pytest.approx(0.06576350681)
    assert c.sel(t_w=1).notnull().sum().item() == 698
