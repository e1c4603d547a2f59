"""Step lengths, displacements and jump-length distributions."""

import numpy as np
import pytest

from fractalsgd.analysis import displacements, jump_lengths, step_lengths
from fractalsgd.schema import trajectory


def test_step_lengths_known_path():
    x = np.array([[0.0, 0.0], [3.0, 4.0], [3.0, 4.0], [0.0, 0.0]])
    ds = trajectory(x, step=[0, 10, 20, 40])
    sl = step_lengths(ds)
    assert sl.dims == ("walker", "time")
    assert sl.values.tolist() == [[5.0, 0.0, 5.0]]
    assert sl["step"].values.tolist() == [10, 20, 40]


def test_displacements_lag_and_rescale():
    rng = np.random.default_rng(0)
    x = np.cumsum(rng.normal(size=(3, 200, 2)), axis=1)
    d = displacements(x, lag=5)
    np.testing.assert_allclose(d.values, x[:, 5:] - x[:, :-5])
    r = displacements(x, lag=5, rescale=True)
    assert np.mean(np.sum(r.values**2, axis=2)) == pytest.approx(1.0)
    # Brownian: MSD(lag) = lag * dim = 10 within sampling error (600 overlapping pairs)
    assert r.attrs["msd"] == pytest.approx(10.0, rel=0.25)
    with pytest.raises(ValueError, match=r"displacements: lag must be in \[1, 199\], got 0"):
        displacements(x, lag=0)
    bad = x.copy()
    bad[1, 7, 0] = np.nan
    with pytest.raises(ValueError, match="walker 1, time index 7"):
        step_lengths(bad)


def test_jump_lengths_levy_flight():
    # 1-D flight with Pareto jump lengths, density exponent 2.5 (tail index 1.5):
    # sd = 1.5 / sqrt(n_tail) ~ 0.015 for the ~1e4 tail points; 4 sd + bias allowance
    rng = np.random.default_rng(3)
    n = 10_000
    jumps = rng.choice([-1.0, 1.0], n) * (1 - rng.random(n)) ** (-1 / 1.5)
    x = np.r_[0.0, np.cumsum(jumps)]
    ds = jump_lengths(x)
    assert ds.attrs["result_type"] == "jump_lengths"
    assert abs(ds.attrs["alpha"] - 2.5) < 4 * ds.attrs["sigma"] + 0.02
    ccdf = ds["ccdf"].values
    assert ccdf[0] == 1.0 and np.all(np.diff(ccdf) <= 0)
