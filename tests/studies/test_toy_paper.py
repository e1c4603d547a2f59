import json

import numpy as np
import pytest

import fractalsgd as fs
from fractalsgd import studies
from fractalsgd.studies import _common as c
from fractalsgd.studies import toy_paper


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("tp")
    studies.run("toy_paper", "smoke", out, progress=False)
    return out, fs.load(out / "summary.nc")


def test_outputs_validate_and_carry_provenance(smoke):
    out, ds = smoke
    cfg = json.loads(ds.attrs["config"])
    # the published settings are kept at every scale (SCIENCE.md)
    assert (cfg["lr"], cfg["noise"], cfg["boundary"]) == (0.02, 0.01, "redraw")
    assert ds.attrs["fractalsgd_version"] == fs.__version__ and ds.attrs["seed"] == 0
    assert list(ds.surface.values) == ["fractal", "shuffled", "cone"]
    assert (out / "summary.png").read_bytes()[:4] == b"\x89PNG"
    assert "fractal is" in ds.attrs["statement_success"]


def test_cone_first_passage_matches_drift(smoke):
    # On the cone L = 9 + |x|/2 the walker drifts to the apex at lr * slope = 0.01 per step
    # (noise 0.01 only broadens it). Success by distance r = 0.05 needs (d - 0.05) / 0.01
    # steps from a start at distance d; for uniform starts in [-1, 1]^2 the median d is
    # sqrt(2/pi) = 0.798 (P(|x| < r) = pi r^2 / 4), so the median FPT is about 74.8 steps.
    # Its sampling error with n = 30 walkers: 1 / (2 f(d_med) sqrt(n)) / 0.01 with
    # f = pi d / 2 = 1.25 -> 7.3 steps; 3 sigma = 22 steps.
    _, ds = smoke
    cone = ds.sel(surface="cone")
    med = float(cone.fpt_median_arrived.sel(criterion="dist_r_0.05"))
    assert med == pytest.approx((np.sqrt(2 / np.pi) - 0.05) / 0.01, abs=22)
    # everyone reaches the apex region well before the end (max distance sqrt(2): 137 steps)
    assert float(cone.success.sel(criterion="loss_eps_0.05").isel(t=-1)) == 1.0


def test_success_statistics_consistent(smoke):
    _, ds = smoke
    s = ds.success
    # success curves are CDFs: non-decreasing in t, within [0, 1], inside their bands
    assert np.all(np.diff(s.values, axis=-1) >= 0)
    assert np.all((ds.success_lo <= s + 1e-12) & (s <= ds.success_hi + 1e-12))
    # the Wilson interval of the final rate brackets it
    end = s.isel(t=-1)
    lo, hi = ds.success_final_wilson_lo, ds.success_final_wilson_hi
    assert np.all((lo <= end + 1e-12) & (end <= hi + 1e-12))
    # paired difference = difference of the rates (same number of walkers per realisation)
    d = ds.success_diff.sel(control="cone")
    np.testing.assert_allclose(d, end.sel(surface="fractal") - end.sel(surface="cone"))


def test_smoke_reproduces(smoke, tmp_path):
    out, ds = smoke
    studies.run("toy_paper", "smoke", tmp_path, progress=False)
    assert c.reproduces(out / "summary.nc", fs.load(tmp_path / "summary.nc")) == []


def test_surfaces_are_the_published_ones():
    cfg = toy_paper.CONFIGS["quick"]
    land, (lo, hi) = toy_paper.make_surface("cone", 0, cfg)
    assert land.energy(np.zeros(2)) == 9.0 and hi == pytest.approx(9 + np.sqrt(2) / 2)
    frac, (lo, hi) = toy_paper.make_surface("fractal", 3, {**cfg, "levels": 6})
    assert frac.describe()["water_level"] == -0.1 and lo == frac.grid.min()
