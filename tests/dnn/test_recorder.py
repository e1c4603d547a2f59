"""The recorder against float64 brute force from stored snapshots (issue 7, 'Done when')."""

import math

import numpy as np
import pytest
import torch
import xarray as xr

from fractalsgd import load, schema
from fractalsgd.dnn.recorder import TrajectoryRecorder, log_spaced_steps, window_tamsd


def _tiny(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(5, 7), torch.nn.BatchNorm1d(7), torch.nn.ReLU(), torch.nn.Linear(7, 3)
    )


def _data():
    g = torch.Generator().manual_seed(1)
    return torch.randn(64, 5, generator=g), torch.randint(0, 3, (64,), generator=g)


def _run(rec_kwargs, n_steps, model=None, start=0, rec=None, opt=None, hook=None):
    model = model or _tiny()
    opt = opt or torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    x, y = _data()
    rec = rec or TrajectoryRecorder(model, optimizer=opt, **rec_kwargs)
    for t in range(start + 1, n_steps + 1):
        idx = torch.randint(0, 64, (16,), generator=torch.Generator().manual_seed(t))
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        if hook:
            hook(t, model, loss)
        rec.on_step(loss)
    return model, opt, rec


def _bf_tamsd(s):
    w = s.shape[0]
    return np.array(
        [np.mean([np.sum((s[i + l] - s[i]) ** 2) for i in range(w - l)]) for l in range(1, w)]
    )


def test_window_tamsd_exact_despite_a_large_offset():
    # float32 random walk sitting far from the origin: |x|^2 >> MSD(1), the cancellation
    # case. Reference: float64 double loop on the same float32 numbers.
    g = torch.Generator().manual_seed(0)
    steps = 1e-3 * torch.randn(50, 400, generator=g, dtype=torch.float64)
    x = (100.0 + steps.cumsum(0)).to(torch.float32)
    got = window_tamsd(x, chunk_elems=50 * 64)  # several column chunks
    ref = _bf_tamsd(x.double().numpy())
    assert np.allclose(got, ref, rtol=1e-9, atol=0)
    with pytest.raises(ValueError, match="at least 2 rows"):
        window_tamsd(x[:1])


def test_recorder_equals_offline_computation_from_snapshots(tmp_path):
    n, w = 95, 20
    x, y = _data()
    probe = (x[:16], y[:16])
    grads = {}

    def hook(t, model, loss):
        grads[t] = torch.cat([p.grad.reshape(-1) for p in model.parameters()]).clone()

    model, opt, rec = _run(
        dict(window=w, sketch_dim=16, sketch_every=3, grad_samples=10, increment_samples=8,
             probe=probe, probe_every=10, snapshot_steps=range(n + 1), per_layer=True,
             aging_tw=[3, 50], aging_lags=30, out=tmp_path / "r.nc"),
        n, hook=hook,
    )  # fmt: skip
    ds = rec.finish()
    on_disk = load(tmp_path / "r.nc")
    assert on_disk.attrs["status"] == "completed" and on_disk.attrs["source"] == "dnn"
    xr.testing.assert_equal(on_disk.drop_attrs(), ds.drop_attrs())
    s = ds.snapshot.values.astype(np.float64)  # theta(0..95), float32 values
    assert s.shape == (n + 1, rec.P)
    # windows t_w = 1, 21, 41, 61 complete (81..100 is not): exact TAMSD
    full = [tw for tw in ds.t_w.values if np.isfinite(ds.tamsd.sel(t_w=tw)).any()]
    assert full == [1, 21, 41, 61]
    for tw in full:
        ref = _bf_tamsd(s[tw : tw + w])
        got = ds.tamsd.sel(t_w=tw).values[: w - 1]
        # float32 accuracy demanded; float64 accumulation gives ~1e-12
        assert np.allclose(got, ref, rtol=1e-10, atol=0)
        assert np.isnan(ds.tamsd.sel(t_w=tw).values[w - 1 :]).all()
    # independent implementation: the analysis toolkit's FFT TAMSD on the snapshots
    from fractalsgd.analysis.msd import tamsd as offline_tamsd

    off = offline_tamsd(s[None, 1:81], window=w).values[0]  # windows of theta(1..80)
    assert np.allclose(ds.tamsd.sel(t_w=full).values[:, : w - 1], off, rtol=1e-10)
    for tw in (3, 50):
        ref = np.array([np.sum((s[tw + l] - s[tw]) ** 2) for l in range(1, 31)])
        assert np.allclose(ds.aging_msd.sel(t_w=tw).values, ref, rtol=1e-12)
    dif = s[1:] - s[:-1]
    assert np.allclose(ds.step_length.values, np.sqrt((dif**2).sum(1)), rtol=1e-12)
    assert np.allclose(ds.weight_norm.values, np.linalg.norm(s[1:], axis=1), rtol=1e-12)
    assert np.allclose(ds.distance_from_init.values, np.linalg.norm(s[1:] - s[0], axis=1),
                       rtol=1e-12)  # fmt: skip
    assert np.allclose(ds.grad_norm.values, [float(grads[t].double().norm())
                       for t in range(1, n + 1)], rtol=1e-12)  # fmt: skip
    assert np.all(ds.lr.values == 0.2)
    # per layer: squares add up to the totals
    assert np.allclose((ds.step_length_layer**2).sum("layer"), ds.step_length**2, rtol=1e-12)
    assert list(ds.layer.values) == [n for n, _ in model.named_parameters()]
    # samples: components of g(t_w) and of theta(t_w) - theta(t_w - 1)
    for tw in full:
        gs = ds.grad_sample.sel(t_w=tw).values[:10]
        assert np.isin(gs, grads[tw].numpy()).all()
        inc = ds.increment_sample.sel(t_w=tw).values[:8]
        d = s[tw] - s[tw - 1]  # float32 rounding of exact differences: rel. error < 6e-8
        assert all(np.min(np.abs(d - v)) <= 1e-7 * abs(v) for v in inc)
    # the sketch: S(theta(t) - theta(0)) every 3 steps, t = 0 included
    assert list(ds.step.values) == list(range(0, n + 1, 3))
    sk = rec.sketcher(torch.from_numpy(s[ds.step.values] - s[0])).numpy().astype(np.float32)
    assert np.allclose(ds.position.values[0], sk, rtol=1e-6, atol=1e-7)
    # loss(walker, time): minibatch loss evaluated at theta(step)
    assert ds.loss.values[0, 1] == ds.minibatch_loss.sel(iteration=4).values
    # probe loss at theta(t): recompute with the snapshots (train-mode BN, buffers intact)
    assert list(ds.probe_step.values) == list(range(0, 91, 10))
    m2 = _tiny()
    for t in (0, 40, 90):
        torch.nn.utils.vector_to_parameters(torch.from_numpy(s[t]).float(), m2.parameters())
        m2.train()
        with torch.no_grad():
            ref = torch.nn.functional.cross_entropy(m2(probe[0]), probe[1]).item()
        assert ds.probe_loss.sel(probe_step=t).item() == pytest.approx(ref, rel=1e-6)
    schema.validate(ds)


def test_probe_does_not_touch_batchnorm_buffers():
    model = _tiny()
    x, y = _data()
    rec = TrajectoryRecorder(model, window=5, probe=(x, y), probe_every=1, sketch_dim=4,
                             grad_samples=0, increment_samples=0)  # fmt: skip
    before = [b.clone() for b in model.buffers()]
    rec._probe_loss()
    assert all(torch.equal(a, b) for a, b in zip(before, model.buffers()))


def test_state_dict_resume_is_identical():
    kw = dict(window=7, sketch_dim=8, grad_samples=5, increment_samples=5, snapshot_steps=[0, 9])
    x, y = _data()
    kw["probe"] = (x[:8], y[:8])
    kw["probe_every"] = 4
    _, _, full = _run(kw, 30)
    ref = full.finish()
    model, opt, rec = _run(kw, 17)
    state = rec.state_dict()
    msd, osd = model.state_dict(), opt.state_dict()
    m2 = _tiny(seed=5)  # a different init: everything must come from the state
    m2.load_state_dict(msd)
    o2 = torch.optim.SGD(m2.parameters(), lr=0.2, momentum=0.9)
    o2.load_state_dict(osd)
    r2 = TrajectoryRecorder(m2, optimizer=o2, **kw)
    r2.load_state_dict(state)
    _run(kw, 30, model=m2, start=17, rec=r2, opt=o2)
    xr.testing.assert_identical(r2.finish().drop_attrs(), ref.drop_attrs())


def test_divergence_is_recorded(tmp_path):
    model = _tiny()
    rec = TrajectoryRecorder(model, window=4, sketch_dim=4, grad_samples=0,
                             increment_samples=0, out=tmp_path / "d.nc")  # fmt: skip
    for _ in range(6):
        assert rec.on_step(torch.tensor(1.0), lr=0.1)
    assert not rec.on_step(torch.tensor(math.nan), lr=0.1)
    ds = load(tmp_path / "d.nc")
    assert ds.attrs["status"] == "diverged" and ds.attrs["diverged_step"] == 7
    assert ds.sizes["iteration"] == 7 and np.isnan(ds.minibatch_loss.values[-1])
    with pytest.raises(RuntimeError, match="diverged"):
        rec.on_step(1.0)


def test_parameter_selection_and_bad_options():
    model = _tiny()
    rec = TrajectoryRecorder(model, window=3, sketch_dim=4, params="exclude_bn",
                             grad_samples=0, increment_samples=0)  # fmt: skip
    assert rec.P == (5 * 7 + 7) + (7 * 3 + 3)
    with pytest.raises(ValueError, match="window must be >= 2"):
        TrajectoryRecorder(model, window=1)
    with pytest.raises(ValueError, match="grad_samples must be in"):
        TrajectoryRecorder(model, window=3, grad_samples=10_000)
    with pytest.raises(ValueError, match="params must be"):
        TrajectoryRecorder(model, window=3, params="some")
    assert list(log_spaced_steps(1000, 5)) == [0, 1, 10, 100, 1000]
