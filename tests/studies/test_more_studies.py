import json

import numpy as np
import pytest

import fractalsgd as fs
from fractalsgd import studies


@pytest.fixture(scope="module")
def phase_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("pd")
    studies.run("toy_phase_diagram", "smoke", out, progress=False)
    return out


@pytest.fixture(scope="module")
def phase(phase_dir):
    return fs.load(phase_dir / "summary.nc")


def test_phase_diagram_outputs(phase):
    assert list(phase.family.values) == ["weierstrass_d2", "weierstrass_d10", "spectral_d2"]
    assert phase.beta1.dims == ("family", "hurst", "noise", "lr", "noise_kind")
    assert phase.attrs["fractalsgd_version"] == fs.__version__
    # success is a fraction of 16 walkers, inside its Wilson interval
    s = phase.success.values
    assert np.allclose(s * 16, np.round(s * 16))
    assert np.all((phase.success_lo <= phase.success + 1e-12).values)
    # the reference energy is no higher than anything reached, and below the start
    assert np.all(phase.e_ref < phase.e_start)


def test_phase_diagram_spectral_reference_is_grid_minimum(phase):
    from fractalsgd.studies.toy_phase_diagram import landscape

    land, boundary = landscape("spectral_d2", 0.3, 0)
    assert boundary == "periodic"
    assert float(phase.e_ref.sel(family="spectral_d2", hurst=0.3)) == pytest.approx(land.grid.min())


def test_phase_diagram_points_are_the_walker_runs(phase_dir, phase):
    # every point file is the walker run the old in-process loop made: same landscape,
    # seed and settings -> the same trajectory, bit for bit
    from fractalsgd import simulate
    from fractalsgd.studies.toy_phase_diagram import CONFIGS, landscape, points_of
    from fractalsgd.sweeps.spec import config_hash

    cfg = CONFIGS["smoke"]
    pts, index, _ = points_of(cfg)
    assert len(pts) == 3 * 2 * 2 * 1 * 2  # family x hurst x noise x lr x noise_kind
    i = index.index((2, 1, 1, 0, 1))  # spectral, H 0.8, noise 0.05, levy
    sweep = phase_dir / "scratch" / "sweep"
    from fractalsgd.sweeps.runner import point_path
    from fractalsgd.sweeps.spec import load_sweep

    p = load_sweep({"sweep": {"kind": "walker"}, "points": [pts[i]]}).expand()[0]
    assert p.hash == config_hash("walker", p.config)
    got = fs.load(point_path(sweep, p))
    land, boundary = landscape("spectral_d2", 0.8, cfg["seed"] + 1)
    ref = simulate(land, 16, 300, 0.02, 0.05, noise_kind="levy", boundary=boundary, seed=0,
                   progress=False)  # fmt: skip
    np.testing.assert_array_equal(got["position"].values, ref["position"].values)
    np.testing.assert_array_equal(got["loss"].values, ref["loss"].values)


def test_phase_diagram_resumes_from_its_scratch_sweep(phase_dir, phase, monkeypatch, capsys):
    from fractalsgd.studies._common import same_numbers
    from fractalsgd.sweeps import kinds

    pts = sorted((phase_dir / "scratch" / "sweep" / "points").glob("p-*.nc"))
    assert len(pts) == 24
    before = {p.name: p.stat().st_mtime_ns for p in pts}

    def boom(*a, **k):
        raise RuntimeError("a finished point ran again")

    monkeypatch.setattr(kinds, "run_walker", boom)  # any point that runs now fails
    studies.run("toy_phase_diagram", "smoke", phase_dir, progress=True)
    log = capsys.readouterr().out
    assert "24 points, 24 done before, 0 to run" in log
    assert {p.name: p.stat().st_mtime_ns for p in pts} == before
    assert same_numbers(fs.load(phase_dir / "summary.nc"), phase, rtol=0, atol=0) == []


def test_phase_diagram_failing_point_is_one_line(tmp_path, monkeypatch):
    from fractalsgd.sweeps import kinds

    def boom(*a, **k):
        raise RuntimeError("walker exploded")

    monkeypatch.setattr(kinds, "run_walker", boom)
    with pytest.raises(ValueError, match=r"^toy_phase_diagram: point 0 \(\w+\) failed: "
                       r"RuntimeError: walker exploded$"):  # fmt: skip
        studies.run("toy_phase_diagram", "smoke", tmp_path, progress=False)


def test_dnn_tails_gaussian_control_and_heavy_gradients(tmp_path):
    pytest.importorskip("torch")
    studies.run("dnn_tails", "smoke", tmp_path, progress=False)
    ds = fs.load(tmp_path / "summary.nc")
    # the Gaussian control through the same estimators: alpha = 2 inside the intervals
    # (McCulloch's estimate is capped at 2, so the upper bound may equal 2 exactly)
    g = ds.sel(quantity="gaussian_control")
    assert np.all(g.alpha_lo <= 2 + 1e-9) and np.all(g.alpha_hi >= 1.9)
    # the loss-burst series has one entry per step change: steps - 1
    assert ds.sizes["iteration"] == 120 - 1
    assert ds.attrs["n_avalanches"] == int(
        (ds.duration_count * 1).sum()
    )  # every avalanche counted once


def test_radial_fraction_exact():
    from fractalsgd.studies._common import radial_fraction

    # steps along the weight vector are fully radial, orthogonal ones (norm change
    # sqrt(r^2 + s^2) - r) nearly not: theta = (3, 0) -> (4, 0) -> (4, 1)
    frac = radial_fraction([1.0, 1.0, 1.0], [3.0, 4.0, np.hypot(4, 1)])
    assert np.isnan(frac[0]) and frac[1] == 1.0
    assert frac[2] == pytest.approx((np.hypot(4, 1) - 4) ** 2)


def test_dnn_grid_studies_smoke(tmp_path):
    pytest.importorskip("torch")
    studies.run("dnn_batch_lr", "smoke", tmp_path, progress=False)
    ds = fs.load(tmp_path / "summary.nc")
    assert list(ds.run.values) == [
        "resnet14_b32_lr0.1",
        "resnet14_noshort_b32_lr0.1",
        "resnet14_b32_lr0.01",
    ]
    np.testing.assert_array_equal(ds.t_w.values, [1, 31])
    # per-step series of each run: 60 steps; the fit intervals are ordered
    assert ds.sizes["iteration"] == 60
    assert np.all(ds.beta1_lo <= ds.beta1_hi) and np.all(ds.tau0_lo <= ds.tau0_hi)
    # the runs went through the sweep, one point file each, with one torch thread
    pts = sorted((tmp_path / "scratch" / "sweep" / "points").glob("p-*.nc"))
    assert len(pts) == 3
    for p in pts:
        assert json.loads(fs.load(p).attrs["sweep_config"])["threads"] == 1


def test_toy_landscape_graphs_smoke(tmp_path):
    paths = studies.run("toy_landscape_graphs", "smoke", tmp_path, progress=False)
    assert {p.name for p in paths} == {"summary.nc", "summary.png", "disconnectivity.png"}
    ds = fs.load(tmp_path / "summary.nc")
    cone = ds.sel(surface="cone")
    # the cone sampled on a grid has exactly one minimum: a perfect funnel, one basin,
    # every walker in the global basin
    assert float(cone.n_minima) == 1 and float(cone.funnel) == 1
    assert float(cone.visited) == 1 and float(cone.reach_global) == 1
    # the fractal surface is rugged: many minima, and the walkers see several basins
    frac = ds.sel(surface="fractal")
    assert np.all(frac.n_minima_each > 10) and float(frac.visited) > 1


def test_dnn_landscape_smoke(tmp_path):
    pytest.importorskip("torch")
    studies.run("dnn_landscape", "smoke", tmp_path, progress=False)
    ds = fs.load(tmp_path / "summary.nc")
    # H of MSL ~ dr^(2H) inside its interval; the contour length grows with the lag
    assert ds.attrs["msl_H_probe_lo"] <= ds.attrs["msl_H_probe"] <= ds.attrs["msl_H_probe_hi"]
    assert np.all(np.diff(ds.contour_length.values) > 0)
    # the line passes through the trained weights: the centre point is the same loss
    # at every span (t = 0)
    centre = ds.line_loss.isel(point=ds.sizes["point"] // 2).values
    np.testing.assert_allclose(centre, centre[0], rtol=1e-5)
