"""Loss bursts: moving variance, avalanches and duration statistics on planted signals."""

import numpy as np
import pytest

from fractalsgd.analysis import avalanches, loss_bursts, moving_variance
from fractalsgd.schema import trajectory


def test_moving_variance_brute_force():
    x = np.random.default_rng(0).normal(5.0, 2.0, 500)
    mv = moving_variance(x, 100)
    ref = np.array([np.var(x[t - 99 : t + 1]) for t in range(99, 500)])
    assert np.isnan(mv[:99]).all()
    np.testing.assert_allclose(mv[99:], ref, rtol=1e-9)
    with pytest.raises(ValueError, match=r"window must be in \[2, 500\]"):
        moving_variance(x, 1000)


def test_avalanches_planted_runs():
    s = np.array([0, 2, 3, 0, 0, 5, 0, 1, 1, 1, 0, 4], dtype=float)
    start, dur, size = avalanches(s, 0.5)
    assert start.tolist() == [1, 5, 7, 11]
    assert dur.tolist() == [2, 1, 3, 1]
    assert size.tolist() == [5.0, 5.0, 3.0, 4.0]


def planted_loss(durations, seed=0):
    """A loss whose |dL| is 1 on runs of the given durations and 0.01 in the gaps of 1-3."""
    rng = np.random.default_rng(seed)
    parts = []
    for d in durations:
        parts.append(np.full(int(rng.integers(1, 4)), 0.01))
        parts.append(np.ones(int(d)))
    parts.append(np.full(2, 0.01))
    dl = np.concatenate(parts)
    signs = rng.choice([-1.0, 1.0], dl.size)
    return np.r_[10.0, 10.0 + np.cumsum(signs * dl)], dl


def test_loss_bursts_recovers_planted_avalanches():
    durations = [3, 1, 7, 2, 2, 5, 1, 1, 4, 9, 2, 3]
    loss, dl = planted_loss(durations)
    res = loss_bursts(loss, window=10)
    # threshold std(|dL|) of a two-level signal lies strictly between the levels
    assert res.attrs["threshold"] == pytest.approx(np.std(dl))
    assert 0.01 < res.attrs["threshold"] < 1
    assert res["duration"].values.tolist() == durations
    np.testing.assert_allclose(res["size"].values, durations)
    np.testing.assert_allclose(res["abs_dloss"].values, dl, atol=1e-12)
    assert res.attrs["result_type"] == "loss_bursts"
    assert res.attrs["n_avalanches"] == len(durations)


def test_duration_power_law():
    # durations drawn from zipf(2.2) (a discrete power law, xmin = 1); the CSN fit of the
    # recovered durations has Fisher sd ~0.02 at ~3000 avalanches: 4 sd
    d = np.random.default_rng(1).zipf(2.2, 3000)
    d = d[d < 500]
    loss, _ = planted_loss(d, seed=2)
    res = loss_bursts(loss)
    assert res["duration"].values.tolist() == d.tolist()
    a, s = res.attrs["duration_alpha"], res.attrs["duration_sigma"]
    assert abs(a - 2.2) < 4 * s + 0.03


def test_loss_bursts_dataset_and_bad_input():
    loss, _ = planted_loss([2, 3, 4, 5] * 30)
    ds = trajectory(np.zeros((loss.size, 1)), loss=loss)
    res = loss_bursts(ds, window=50)
    assert res["duration"].values.tolist() == [2, 3, 4, 5] * 30
    assert res["iteration"].values[0] == 1
    with pytest.raises(ValueError, match=r"loss_bursts: needs at least 101 samples, got 50"):
        loss_bursts(np.arange(50.0))
    with pytest.raises(ValueError, match="loss_bursts: samples must be finite"):
        loss_bursts(np.r_[np.arange(200.0), np.nan])
