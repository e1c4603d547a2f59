import numpy as np
import pytest
import xarray as xr

from fractalsgd import load
from fractalsgd.dnn.train import Diverged, TrainConfig, train

TINY = dict(model="fc", dataset="digits", image_size=8, channels=1, batch_size=32,
            window=10, sketch_dim=32, probe_size=64, probe_every=5, grad_samples=50,
            increment_samples=50, quiet=True, threads=1)  # fmt: skip


def test_resnet14_on_digits_learns_and_writes_a_valid_trajectory(tmp_path):
    out = tmp_path / "r.nc"
    ds = train(model="resnet14", dataset="digits", image_size=8, steps=24, window=8,
               batch_size=64, lr=0.1, sketch_dim=64, probe_size=128, probe_every=8,
               grad_samples=1000, increment_samples=500, snapshots=4, quiet=True,
               threads=1, out=str(out))  # fmt: skip
    disk = load(out)
    xr.testing.assert_equal(disk.drop_attrs(), ds.drop_attrs())
    assert disk.attrs["status"] == "completed" and disk.attrs["n_parameters"] == 175_258
    assert ds.sizes == {**ds.sizes, "iteration": 24, "time": 25, "coord": 64, "t_w": 3,
                        "lag": 7, "sample": 1000}  # fmt: skip
    assert list(ds.t_w.values) == [1, 9, 17] and np.isfinite(ds.tamsd).all()
    assert list(ds.snapshot_step.values) == [0, 1, 5, 24]  # log-spaced incl. 0 and the end
    # plain SGD, constant lr: every step moves by lr * ||g|| (momentum 0, weight decay 0)
    assert np.allclose(ds.step_length, 0.1 * ds.grad_norm, rtol=1e-5)
    # it learns: the fixed probe-set loss at step 24 is below the one at the start
    # (chance level ln 10 = 2.30; the output layer starts near zero)
    assert ds.probe_loss.values[0] == pytest.approx(np.log(10), abs=0.05)
    assert ds.probe_loss.values[-1] < ds.probe_loss.values[0] - 0.3


def test_epochs_and_schedule(tmp_path):
    ds = train(**TINY, epochs=1, lr=0.05, schedule="step")
    assert ds.sizes["iteration"] == int(np.ceil(1497 / 32))  # last partial batch kept
    lr = ds.lr.values
    n = lr.size
    assert lr[0] == 0.05 and lr[-1] == pytest.approx(0.05 * 0.01)
    assert np.all(lr[np.arange(1, n + 1) <= n / 2] == 0.05)


def test_same_seed_same_run_other_seed_other_run():
    a = train(**TINY, steps=12, seed=1)
    b = train(**TINY, steps=12, seed=1)
    c = train(**TINY, steps=12, seed=2)
    xr.testing.assert_identical(a.drop_attrs(), b.drop_attrs())
    assert not np.array_equal(a.minibatch_loss.values, c.minibatch_loss.values)


@pytest.mark.parametrize(
    "kw,msg",
    [
        (dict(steps=5, window=10), "window 10 is larger than the run"),
        (dict(steps=20, batch_size=5000), "larger than the 1497 training images"),
        (dict(steps=20, model="resnet15"), "unknown model"),
        (dict(steps=20, dataset="imagenet"), "unknown dataset"),
        (dict(steps=20, epochs=1), "exactly one of steps and epochs"),
        (dict(steps=20, probe_size=301), "probe_size must be in 0..300"),
        (dict(steps=20, lr=-1.0), "lr must be a positive"),
        (dict(steps=20, checkpoint_every=5), "need a checkpoint path"),
    ],
)
def test_bad_configuration_fails_before_training(kw, msg, tmp_path):
    cfg = {**TINY, **kw, "out": str(tmp_path / "x.nc")}
    with pytest.raises(ValueError, match=msg):
        train(**cfg)
    assert not (tmp_path / "x.nc").exists()


def test_divergence_saves_partial_output(tmp_path):
    out = tmp_path / "d.nc"
    with pytest.raises(Diverged, match="diverged at step"):
        train(TrainConfig(**{**TINY, "steps": 40, "lr": 1e4, "out": str(out)}))
    ds = load(out)
    assert ds.attrs["status"] == "diverged"
    assert ds.sizes["iteration"] == ds.attrs["diverged_step"] - 1


def test_final_checkpoint_holds_the_final_weights(tmp_path):
    import torch

    from fractalsgd.dnn.checkpoint import load_checkpoint

    ckpt = tmp_path / "run.ckpt"
    ds = train(**TINY, steps=12, snapshots=2, params="all", checkpoint=str(ckpt))
    model, meta = load_checkpoint(ckpt, expect_model="fc")
    assert meta["state"]["step"] == 12
    final = torch.cat([p.detach().flatten() for p in model.parameters() if p.requires_grad])
    snap = ds["snapshot"].sel(snapshot_step=12).values
    np.testing.assert_array_equal(final.numpy(), snap)


@pytest.mark.parametrize("total, n", [(12, 2), (12, 4), (1000, 10), (1, 2)])
def test_log_spaced_snapshot_steps_include_both_ends(total, n):
    from fractalsgd.dnn.recorder import log_spaced_steps

    s = log_spaced_steps(total, n)
    assert s[0] == 0 and s[-1] == total and np.all(np.diff(s) > 0) and len(s) <= n
