import json

import numpy as np
import pytest

import fractalsgd as fs
from fractalsgd import studies
from fractalsgd.studies import dnn_msd

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def msd(tmp_path_factory):
    out = tmp_path_factory.mktemp("dm")
    studies.run("dnn_msd", "smoke", out, progress=False)
    return fs.load(out / "summary.nc")


@pytest.fixture(scope="module")
def vs(tmp_path_factory):
    out = tmp_path_factory.mktemp("dw")
    studies.run("dnn_vs_walkers", "smoke", out, progress=False)
    return fs.load(out / "summary.nc")


def test_dnn_msd_outputs(msd):
    assert json.loads(msd.attrs["config"])["train"]["lr"] == 0.1
    assert list(msd.model.values) == ["resnet14", "resnet14_noshort"]
    assert msd.sizes["seed"] == 2 and msd.attrs["fractalsgd_version"] == fs.__version__
    # the table: seed mean of the per-run fits, t interval brackets the mean
    np.testing.assert_allclose(msd.beta1_mean, msd.beta1.mean("seed"))
    assert np.all((msd.beta1_lo <= msd.beta1_mean) & (msd.beta1_mean <= msd.beta1_hi))
    # tau0 is averaged geometrically
    np.testing.assert_allclose(msd.tau0_mean, np.exp(np.log(msd.tau0).mean("seed")))


def test_seed_interval_is_student_t():
    # three values 1, 2, 3: mean 2, sd 1, t_{0.975, 2} = 4.3027 -> half-width 2.484
    m, lo, hi = dnn_msd.seed_interval(np.array([[1.0], [2.0], [3.0]]))
    assert m[0] == 2 and hi[0] - m[0] == pytest.approx(4.302653 / np.sqrt(3), rel=1e-5)


def test_dnn_vs_walkers_null_models_and_reference(vs):
    src = list(vs.source.values)
    assert src[:2] == ["dnn", "dnn_late"] and "walkers_matched" in src
    # Brownian motion: TAMSD exponent 1; fBm: 2H - inside the fitted short-lag interval
    bm = vs.sel(source="bm")
    assert float(bm.beta1_lo) <= 1 <= float(bm.beta1_hi)
    fbm = next(s for s in src if s.startswith("fbm_H"))
    two_h = 2 * float(fbm.split("H")[1])
    f = vs.sel(source=fbm)
    assert float(f.beta1_lo) <= two_h <= float(f.beta1_hi)
    # reference curve, t_w = 1: its log-slopes are about 0.67 (lags 1-10), 0.95 (10-100)
    # and 1.27 (100-1000) (shared/reference/README.md): a two-regime fit must put beta1
    # inside [0.67, 0.95] and beta2 inside [0.95, 1.27]
    r = vs.sel(source="reference")
    assert 0.67 <= float(r.beta1) <= 0.95 and 0.95 <= float(r.beta2) <= 1.27
    # the chosen walkers are the candidate nearest to the DNN's (beta1, beta2)
    d = vs.sel(source="dnn")
    dist = (vs.cand_beta1 - d.beta1) ** 2 + (vs.cand_beta2 - d.beta2) ** 2
    best = int(np.argmin(dist.values))
    assert f"momentum {float(vs.cand_momentum[best])}" in vs.attrs["matched_walkers"]
