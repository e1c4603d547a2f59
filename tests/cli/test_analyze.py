import subprocess
import sys

import numpy as np
import pytest

import fractalsgd as fs
from fractalsgd.analysis import fit_crossover
from fractalsgd.analysis.msd import analyze_msd, tamsd
from fractalsgd.processes import fbm


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "fractalsgd", *map(str, args)], capture_output=True, text=True
    )


def test_analyze_and_plot_roundtrip(tmp_path):
    ds = fbm(4, 1999, 0.75, dim=2, seed=1)
    src = fs.save(ds, tmp_path / "fbm.nc")
    out = tmp_path / "res.nc"
    r = _cli("analyze", src, "--out", out, "--window", 500, "--n-boot", 50)
    assert r.returncode == 0, r.stderr
    res = fs.load(out)
    assert res.attrs["result_type"] == "msd" and res.attrs["kind"] == "result"
    assert list(res["t_w"].values) == [0, 500, 1000, 1500]
    # the file holds exactly the library's TAMSD
    want = tamsd(ds, window=500)
    np.testing.assert_allclose(res["tamsd"].values, want.values, rtol=1e-12)
    np.testing.assert_allclose(res["tamsd_mean"].values, want.mean("walker").values)
    assert "eamsd" in res and res["slope"].dims == ("t_w", "segment")
    # the stored fit is the library's crossover fit of the same curves
    fit = fit_crossover(want, n_boot=50)
    np.testing.assert_allclose(res["slope"].values, fit["slope"].values)
    # fBm H = 0.75: exponent 1.5 at short lags, where 4 walkers x ~500 pairs average well
    # (long lags of a 500-snapshot window rest on few pairs and scatter widely)
    assert np.all(np.abs(res["slope"].values[:, 0] - 1.5) < 0.15)
    png = tmp_path / "fig.png"
    r = _cli("plot", out, "--out", png)
    assert r.returncode == 0, r.stderr
    assert png.stat().st_size > 10_000


def test_analyze_uses_recorded_tamsd(tmp_path):
    """A DNN recorder file: sketch positions plus exact tamsd(t_w, lag) / aging_msd."""
    W = 200
    x = fbm(1, 4 * W - 1, 0.7, dim=6, seed=2)["position"].values
    ds = fs.trajectory(x[:, ::2], step=np.arange(0, 4 * W, 2), source="dnn")
    rec = tamsd(x, window=W)[0]  # the exact curves the recorder would store
    ds = ds.assign_coords(t_w=rec["t_w"].values + 1, lag=rec["lag"].values)
    ds["tamsd"] = (("t_w", "lag"), rec.values)
    ds["aging_msd"] = (("t_w", "lag"), rec.values * 1.1)
    res = analyze_msd(ds, window=50, n_boot=50)
    np.testing.assert_array_equal(res["rec_t_w"].values, [1, 201, 401, 601])
    np.testing.assert_allclose(res["recorded_tamsd"].values, rec.values)
    assert res["recorded_slope"].dims == ("rec_t_w", "segment")
    assert np.all(np.isfinite(res["recorded_slope"].values))
    fit = fit_crossover(rec, n_boot=50)
    np.testing.assert_allclose(res["recorded_slope"].values, fit["slope"].values)
    assert np.all(np.abs(res["recorded_slope"].values[:, 0] - 1.4) < 0.15)  # fBm: 2H = 1.4
    assert res.sizes["t_w"] == 8 and list(res["lag"].values[:2]) == [2, 4]  # sketch
    png = tmp_path / "dnn.png"
    fs.save(res, tmp_path / "dnn_res.nc")
    r = _cli("plot", tmp_path / "dnn_res.nc", "--out", png)
    assert r.returncode == 0, r.stderr


def _one_line_exit2(r):
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr


def test_analyze_bad_window(tmp_path):
    x = np.random.default_rng(0).normal(size=(2, 100, 2))
    src = fs.save(fs.trajectory(x), tmp_path / "t.nc")
    r = _cli("analyze", src, "--out", tmp_path / "o.nc", "--window", 5000)
    _one_line_exit2(r)
    assert "window=5000 exceeds" in r.stderr
    with pytest.raises(ValueError, match="window must be >= 2"):
        analyze_msd(fs.trajectory(x), window=1)


def test_analyze_bad_files(tmp_path):
    x = np.random.default_rng(0).normal(size=(2, 50, 2))
    x[1, 17, 0] = np.nan
    src = fs.save(fs.trajectory(x), tmp_path / "nan.nc")
    r = _cli("analyze", src, "--out", tmp_path / "o.nc")
    _one_line_exit2(r)
    assert "walker 1, time index 17" in r.stderr
    res = fs.save(fs.result({"a": ("x", [1.0])}), tmp_path / "res.nc")
    r = _cli("analyze", res, "--out", tmp_path / "o.nc")
    _one_line_exit2(r)
    assert "not a trajectory" in r.stderr


def test_analyze_short_windows_fall_back(tmp_path):
    """A tiny run (9 lags per window): beta uses a smaller delta and the crossover fit
    falls back to one breakpoint; both are recorded in attrs['notes']."""
    x = fbm(2, 39, 0.6, dim=3, seed=3)["position"].values
    res = analyze_msd(fs.trajectory(x), window=10, n_breaks=2, n_boot=20)
    assert "delta=20 >= lag span 8, used delta=4" in res.attrs["notes"]
    assert "too few lags for n_breaks=2, fitted 1" in res.attrs["notes"]
    assert res["n_breaks"].values.tolist() == [1, 1, 1, 1]  # 9 lags: two segments of 4
    assert np.all(np.isfinite(res["slope"].values[:, 0]))
