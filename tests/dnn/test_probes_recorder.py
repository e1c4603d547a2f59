"""Probes on the output of the training recorder: PCA path surface, Hessian over training."""

import json

import numpy as np
import pytest
import torch

import fractalsgd as fs
from fractalsgd.cli import main
from fractalsgd.dnn import probes
from fractalsgd.dnn.checkpoint import save_checkpoint
from fractalsgd.dnn.data import get_dataset
from fractalsgd.dnn.models import build_model
from fractalsgd.dnn.probes._common import Batches, evaluate, trainable
from fractalsgd.dnn.train import train

MK = dict(num_classes=10, in_channels=1, image_size=8, depth=2, width=16)


@pytest.fixture(scope="module")
def run():
    torch.set_num_threads(1)
    return train(model="fc", dataset="digits", steps=60, snapshots=8, image_size=8,
                 channels=1, model_kwargs={"depth": 2, "width": 16}, batch_size=64,
                 quiet=True, window=20, sketch_dim=64, probe_size=0, grad_samples=50,
                 increment_samples=50, augment=False)  # fmt: skip


def _data(n=128):
    tr = get_dataset("digits", True, image_size=8, channels=1)
    return tr.batch(torch.arange(n), augment=False)


def _at(vec):  # a copy: vector_to_parameters would alias the recorder's array
    m = build_model("fc", **{k: v for k, v in MK.items()})
    torch.nn.utils.vector_to_parameters(torch.tensor(vec, dtype=torch.float32),
                                        m.parameters())  # fmt: skip
    return m


def test_trajectory_surface_from_recorder_snapshots(run):
    x, y = _data()
    model = build_model("fc", **MK)
    ds = probes.trajectory_surface(model, (x, y), run, n=5)
    snaps = run["snapshot"].values
    assert ds.sizes["snapshot"] == snaps.shape[0] == 8
    # the final snapshot is the centre: on the plane, residual 0, both losses equal
    assert ds["path_residual"].values[-1] == 0
    assert ds["path_loss"].values[-1] == ds["path_loss_true"].values[-1]
    # the true loss of the first snapshot is the loss of the network holding it
    l0 = evaluate(_at(snaps[0]).eval(), Batches((x, y)))[0]
    assert ds["path_loss_true"].values[0] == pytest.approx(l0, rel=1e-6)
    # explained variance of a 2-D plane through 8 snapshots: sums to <= 1
    assert 0 < ds.attrs["explained_variance"].sum() <= 1 + 1e-12


def test_hessian_over_training_from_recorder(run):
    x, y = _data(64)
    model = build_model("fc", **MK)
    ds = probes.hessian_over_training(run, model, (x, y), k=2, label="step")
    np.testing.assert_array_equal(ds["step"].values, run["snapshot_step"].values)
    final = _at(run["snapshot"].values[-1])
    ref = probes.hessian_eigs(final, (x, y), k=2)["eigenvalues"].values
    np.testing.assert_allclose(ds["eigenvalues"].values[-1], ref, rtol=1e-4)
    # training sharpens the loss from the paper's tiny-output initialisation
    assert ds["eigenvalues"].values[-1, 0] > ds["eigenvalues"].values[0, 0]


def test_cli_pca_and_hessian_over_training(run, tmp_path, capsys):
    traj = fs.save(run, tmp_path / "run.nc")
    model = _at(run["snapshot"].values[-1])
    ck = save_checkpoint(tmp_path / "c.pt", model, "fc", MK,
                         config=json.dumps({"dataset": "digits"}))  # fmt: skip
    out = tmp_path / "p.nc"
    assert main(["probe", str(ck), "--pca", str(traj), "--n", "5", "--samples", "64",
                 "--out", str(out)]) == 0  # fmt: skip
    ds = fs.load(out)
    assert ds.attrs["directions"] == "pca" and ds.sizes["snapshot"] == 8
    out = tmp_path / "h.nc"
    assert main(["probe", str(ck), "--hessian", "--snapshots", str(traj), "--k", "2",
                 "--samples", "64", "--out", str(out)]) == 0  # fmt: skip
    h = fs.load(out)
    assert h["eigenvalues"].shape == (8, 2) and "step" in h.coords
    assert main(["plot", str(out), "--out", str(tmp_path / "h.png")]) == 0
    nosnap = fs.save(run.drop_vars(["snapshot", "snapshot_step"]), tmp_path / "ns.nc")
    assert main(["probe", str(ck), "--pca", str(nosnap), "--out", str(out)]) == 2
    assert "holds no full parameter snapshots" in capsys.readouterr().err
    assert trainable(model)  # the model object is untouched by the CLI
