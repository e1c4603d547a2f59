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


def test_figures_for_all_tail_result_types(tmp_path):
    """Every result type of the tails toolkit survives save/load and draws a PNG, and
    `fractalsgd plot` dispatches on it."""
    import subprocess
    import sys

    from fractalsgd import load, save
    from fractalsgd.analysis import (
        loss_bursts,
        loss_spectrum,
        msl_vs_distance,
        tail_index_over_time,
    )
    from fractalsgd.plotting import draw

    rng = np.random.default_rng(5)
    walk = np.cumsum(rng.standard_t(1.5, size=(1, 3001, 4)), axis=1)
    loss = np.cumsum(rng.normal(size=3001)) + 0.1 * rng.standard_cauchy(3001)
    ds = trajectory(walk, loss=loss)
    results = [
        jump_lengths(ds),
        msl_vs_distance(ds, max_pairs=100_000),
        loss_bursts(ds),
        tail_index_over_time(ds, window=1000, n_boot=10),
        loss_spectrum(loss),
    ]
    for res in results:
        kind = res.attrs["result_type"]
        p = save(res, tmp_path / f"{kind}.nc")
        back = load(p)
        assert back.attrs["result_type"] == kind
        draw(back, tmp_path / f"{kind}.png")
        assert (tmp_path / f"{kind}.png").stat().st_size > 1000
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "fractalsgd",
            "plot",
            tmp_path / "jump_lengths.nc",
            "--out",
            tmp_path / "cli.png",
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "cli.png").stat().st_size > 1000
