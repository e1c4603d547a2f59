import numpy as np
import pytest

import fractalsgd as fs
from fractalsgd.analysis import fit_crossover
from fractalsgd.processes import bm, fbm, ou
from fractalsgd.sweeps import msd_exponents, trajectory_summary, walker_summary


def test_ballistic_motion_even_and_uneven_snapshots():
    t = np.arange(401)
    v = np.array([[0.3, -0.4], [1.0, 2.0]])
    x = t[None, :, None] * v[:, None, :]  # (walker, time, coord): MSD = |v|^2 tau^2 exactly
    s = msd_exponents(fs.trajectory(x.astype(float)))
    for k in ("msd_exponent", "beta1", "beta2"):
        assert s[k] == pytest.approx(2.0, abs=1e-9), k
        assert s[f"{k}_lo"] - 1e-9 <= s[k] <= s[f"{k}_hi"] + 1e-9
    assert 1 <= s["tau0"] <= 100  # lags go up to max_lag_fraction 0.25 of 400 steps
    # uneven (log-spaced) snapshots: ensemble MSD from the first one, same exponent
    steps = np.concatenate([[0], np.unique(np.round(np.geomspace(1, 10_000, 60)))])
    xs = steps[None, :, None] * v[:, None, :]
    s = msd_exponents(fs.trajectory(xs, step=steps.astype(np.int64)))
    assert s["msd_exponent"] == pytest.approx(2.0, abs=1e-9)
    # too short for a fit: NaN, not an exception
    s = msd_exponents(fs.trajectory(np.zeros((1, 5, 1)) + np.arange(5.0)[:, None]))
    assert np.isnan(s["msd_exponent"]) and np.isnan(s["tau0_hi"])


def test_crossover_of_ou_matches_the_fit_to_its_exact_msd():
    # OU: MSD(tau) = (2 d D / theta) (1 - exp(-theta tau)): diffusive, then saturating.
    # The same two-regime fit applied to the exact curve (independent of the simulation)
    # must fall inside the 95 % bootstrap intervals of the simulated summary.
    theta, D, dim = 0.05, 1.0, 2
    ds = ou(64, 2000, dim, theta=theta, D=D, stationary=True, seed=7)
    s = msd_exponents(ds)
    lags = np.unique(np.round(np.geomspace(1, 500, 64)))
    exact = 2 * dim * D / theta * (1 - np.exp(-theta * lags))
    c = fit_crossover(exact, (1, 500), n_breaks=1, lags=lags)
    ref = {
        "beta1": c["slope"].values[0],
        "beta2": c["slope"].values[1],
        "tau0": c["tau0"].values[0],
    }
    for k, v in ref.items():
        assert s[f"{k}_lo"] <= v <= s[f"{k}_hi"], (k, v, s[f"{k}_lo"], s[f"{k}_hi"])
    assert ref["beta1"] > 0.7 and ref["beta2"] < 0.4  # a real crossover, not a straight line


@pytest.mark.parametrize(
    "process, expected, tol",
    [
        # BM: TAMSD relative sd at lag k is about sqrt(4k / (3T)) per walker and coordinate
        # (ergodicity-breaking parameter of BM); with 64 x 2 series at k = T/4 that is ~0.05,
        # spread over ln(256) = 5.5 of log-lag: slope sd ~0.01-0.02 (0.011 measured over 30
        # other seeds), so 0.05 is > 2.5 sd.
        (lambda: bm(64, 1024, 2, seed=3), 1.0, 0.05),
        (lambda: fbm(64, 1024, 0.25, 2, seed=4), 0.5, 0.05),
        # H = 3/4: the TAMSD variance decays more slowly (log-corrected), allow 0.08
        (lambda: fbm(64, 1024, 0.75, 2, seed=5), 1.5, 0.08),
    ],
)
def test_null_models_known_exponents(process, expected, tol):
    s = trajectory_summary(process())
    assert s["msd_exponent"] == pytest.approx(expected, abs=tol)
    # no crossover in these processes: both regimes carry the same exponent. Over 30 other
    # seeds the sd of beta1 was <= 0.007 and of beta2 (few, noisy long lags) <= 0.055:
    # tolerances 0.03 and 0.2 are >= 3.6 sd.
    assert s["beta1"] == pytest.approx(expected, abs=0.03)
    assert s["beta2"] == pytest.approx(expected, abs=0.2)


def test_losses_success_and_diverged_walkers():
    t = np.arange(50.0)
    x = np.stack([t[:, None] * [1.0, 0.0]] * 4)  # four ballistic walkers
    x[2, 30:] = np.inf  # a diverged walker
    loss = np.ones((4, 50))
    loss[:, -1] = [0.5, 1.5, np.nan, 0.9]
    ds = fs.trajectory(x, loss=loss, source="walker")
    s = trajectory_summary(ds, success_loss=1.0)
    assert s["msd_exponent"] == pytest.approx(2.0, abs=1e-9)  # diverged walker left out
    assert s["rms_displacement"] == pytest.approx(49.0)
    assert s["final_loss_mean"] == pytest.approx((0.5 + 1.5 + 0.9) / 3)
    assert s["final_loss_std"] == pytest.approx(np.std([0.5, 1.5, 0.9], ddof=1))
    assert s["final_loss_min"] == 0.5
    assert s["success_rate"] == 0.5  # 2 of 4; the diverged walker counts as a failure
    assert np.isnan(trajectory_summary(ds)["success_rate"])


def test_walker_summary_success_against_the_global_minimum():
    ds = fs.trajectory(
        np.random.default_rng(0).normal(size=(2, 20, 2)),
        loss=[[10.0] * 19 + [9.05], [10.0] * 19 + [9.2]],
        source="walker",
    )
    cfg = {"landscape": {"name": "cone", "dim": 2, "slope": 0.5, "offset": 9.0}}
    # cone minimum is the offset, 9.0: 9.05 is within 0.1 of it, 9.2 is not
    assert walker_summary(ds, cfg, success_tol=0.1)["success_rate"] == 0.5
    assert walker_summary(ds, cfg, success_tol=0.3)["success_rate"] == 1.0
    assert walker_summary(ds, cfg, success_loss=9.0)["success_rate"] == 0.0
    with pytest.raises(ValueError, match="not both"):
        walker_summary(ds, cfg, success_loss=1.0, success_tol=0.1)
    w = {"landscape": {"name": "weierstrass"}}
    with pytest.raises(ValueError, match="known global minimum"):
        walker_summary(ds, w, success_tol=0.1)
