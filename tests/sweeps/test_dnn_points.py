import numpy as np
import pytest

import fractalsgd as fs
from fractalsgd.sweeps import load_sweep, run_sweep

pytest.importorskip("torch")

TINY = {
    "sweep": {"kind": "dnn", "name": "tiny"},
    "base": {
        "model": "fc",
        "model_kwargs": {"depth": 1, "width": 8},
        "dataset": "gauss",
        "gauss_n": 64,
        "steps": 20,
        "window": 10,
        "batch_size": 16,
        "sketch_dim": 8,
        "probe_size": 8,
        "probe_every": 10,
        "grad_samples": 10,
        "increment_samples": 10,
        "checkpoint_every": 10,
    },
    "grid": {"lr": [0.1]},
}


def test_dnn_point_trains_summarises_and_resumes(tmp_path):
    ds = run_sweep(TINY, tmp_path, scheduler="none", progress=False, log=lambda *a: None)
    assert ds["status"].values[0] == "ok", ds["error"].values[0]
    traj = fs.load(tmp_path / str(ds["file"].values[0]))
    assert traj.attrs["source"] == "dnn" and traj.sizes["t_w"] == 2
    # the summary is the fit of the recorder's exact TAMSD of the first / last window
    from fractalsgd.analysis import fit_power_law

    for tag, i in (("early", 0), ("late", -1)):
        ref = fit_power_law(traj["tamsd"].isel(t_w=i))
        assert ds[f"msd_exponent_{tag}"].values[0] == ref["exponent"].values
    np.testing.assert_allclose(
        ds["final_loss"].values[0], traj["minibatch_loss"].values[-20:].mean()
    )
    assert ds["final_probe_loss"].values[0] == traj["probe_loss"].values[-1]
    assert not list((tmp_path / "points").glob("*.ckpt"))  # checkpoint removed when done
    again = run_sweep(TINY, tmp_path, scheduler="none", progress=False, log=lambda *a: None)
    np.testing.assert_array_equal(again["final_loss"].values, ds["final_loss"].values)


def test_dnn_keys_are_checked():
    with pytest.raises(ValueError, match="unknown configuration key 'lrate' for kind 'dnn'"):
        load_sweep({**TINY, "grid": {"lrate": [0.1]}}).expand()
    with pytest.raises(ValueError, match="unknown configuration key 'out' for kind 'dnn'"):
        load_sweep({**TINY, "grid": {"out": ["x.nc"]}}).expand()
    p = load_sweep(TINY).expand()[0]
    assert p.config["momentum"] == 0.0 and p.config["device"] == "auto"
