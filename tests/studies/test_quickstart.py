import json

import numpy as np
import pytest

import fractalsgd as fs
from fractalsgd import studies
from fractalsgd.studies import _common as c

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("qs")
    paths = studies.run("quickstart", "smoke", out, progress=False)
    return out, paths


def test_quickstart_smoke_outputs_validate(smoke_run):
    out, paths = smoke_run
    assert {p.name for p in paths} == {"summary.nc", "summary.png"}
    ds = fs.load(out / "summary.nc")
    for key in ("config", "seed", "fractalsgd_version", "created"):
        assert key in ds.attrs
    assert ds.attrs["fractalsgd_version"] == fs.__version__
    cfg = json.loads(ds.attrs["config"])
    assert cfg["dnn"]["model"] == "resnet14" and cfg["walkers"]["lr"] == 0.02
    assert ds.attrs["study"] == "quickstart" and ds.attrs["scale"] == "smoke"
    for src in ("dnn", "walkers"):
        s = ds.attrs[f"statement_{src}"]
        assert "beta1 =" in s and ("turns into" in s or "no " in s)
    # the PNG is a real image
    assert (out / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_quickstart_numbers_are_consistent(smoke_run):
    out, _ = smoke_run
    ds = fs.load(out / "summary.nc")
    # smoke: DNN windows of 30 steps over 60 steps, walker windows of 100 over 400
    np.testing.assert_array_equal(ds.t_w.sel(source="dnn").values[:2], [1, 31])
    np.testing.assert_array_equal(ds.t_w.sel(source="walkers").values, [1, 101, 201, 301])
    w = ds.sel(source="walkers")
    # TAMSD is positive and increasing with the lag at short lags; intervals are ordered
    # and tau0 lies inside the lag range 1..99 of a 100-step window
    t = w.tamsd.isel(window=0).dropna("lag").values
    assert np.all(t > 0) and t[1] > t[0]
    for k in ("beta1", "beta2", "tau0"):
        assert np.all(w[k + "_lo"].values <= w[k + "_hi"].values), k
    assert np.all((w.tau0 > 1) & (w.tau0 < 99))
    # beta(tau) is the paper's finite difference of the stored mean TAMSD (delta = 20)
    lag = w.lag.values
    b = np.log(t[20] / t[0]) / np.log(lag[20] / lag[0])
    assert float(w.beta.isel(window=0).sel(lag=lag[0])) == pytest.approx(b, rel=1e-9)


def test_quickstart_smoke_reproduces(smoke_run, tmp_path):
    out, _ = smoke_run
    studies.run("quickstart", "smoke", tmp_path, progress=False)
    assert c.reproduces(out / "summary.nc", fs.load(tmp_path / "summary.nc")) == []
