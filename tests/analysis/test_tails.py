"""Tail-index estimators against known answers (Pareto, symmetric alpha-stable)."""

import numpy as np
import pytest

from fractalsgd.analysis import stable_rvs, tail_index, tail_index_over_time
from fractalsgd.schema import trajectory


def pareto_abs(alpha, n, seed):
    """Symmetric samples with P(|X| > x) = x^-alpha for x >= 1 (exact Pareto tail)."""
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], n) * (1 - rng.random(n)) ** (-1 / alpha)


@pytest.mark.parametrize("alpha", [1.2, 1.5, 1.8])
def test_mohammadi_symmetric_stable(alpha):
    # issue requirement: within 0.1 at n = 1e5. The estimator's sd here is
    # alpha^2 * sqrt(Var ln|S| / K2) / ln K1 ~ 0.01-0.04 (K1 = K2 = 316).
    x = stable_rvs(alpha, 0.0, 1.0, size=100_000, seed=11)
    est = tail_index(x, n_boot=50)
    assert abs(est.value - alpha) < 0.1
    assert est.details["block_size"] == 316
    assert est.low < est.value < est.high


def test_mohammadi_any_sample_size_and_vector_rows():
    x = stable_rvs(1.5, 0.0, 1.0, size=99_991, seed=3)  # prime: K1 does not divide K
    est = tail_index(x, n_boot=0)
    assert abs(est.value - 1.5) < 0.1
    assert np.isnan(est.low)
    # an (n, 1) array of vectors gives the same estimate as the flat samples
    assert tail_index(x[:, None], n_boot=0).value == pytest.approx(est.value, rel=1e-12)


def test_mohammadi_brute_force_formula():
    x = stable_rvs(1.3, 0.0, 1.0, size=400, seed=5)
    k1 = 20
    y = x.reshape(20, 20).sum(axis=1)
    inv = (np.mean(np.log(np.abs(y))) - np.mean(np.log(np.abs(x)))) / np.log(k1)
    assert tail_index(x, block_size=k1, n_boot=0).value == pytest.approx(1 / inv, rel=1e-12)


def test_hill_pareto():
    # Hill on an exact Pareto tail: sd = alpha / sqrt(k) = 1.5 / 100 = 0.015; 4 sd.
    x = pareto_abs(1.5, 100_000, 1)
    est = tail_index(x, "hill", k=10_000, n_boot=50)
    assert est.details["k"] == 10_000
    assert abs(est.value - 1.5) < 0.06
    assert est.low < 1.5 < est.high
    # brute-force Hill
    a = np.sort(np.abs(x))[::-1]
    h = np.mean(np.log(a[:10_000])) - np.log(a[10_000])
    assert est.value == pytest.approx(1 / h, rel=1e-12)
    # default k = floor(sqrt(n)); a fraction of n works too
    assert tail_index(x, "hill", n_boot=0).details["k"] == 316
    assert tail_index(x, "hill", k=0.05, n_boot=0).details["k"] == 5000


def test_pickands_pareto():
    # Pickands' asymptotic variance xi^2 (2^(2xi+1) + 1) / (2 (2^xi - 1) ln 2)^2 / k gives
    # sd(alpha) ~ 0.04 at k = 25,000 for alpha = 1.5; tolerance ~4 sd.
    x = pareto_abs(1.5, 100_000, 2)
    est = tail_index(x, "pickands", k=25_000, n_boot=30)
    assert abs(est.value - 1.5) < 0.15


def test_tail_index_bad_input():
    with pytest.raises(ValueError, match=r"tail_index\(hill\): needs at least 8 samples, got 3"):
        tail_index([1.0, 2.0, 3.0], "hill")
    with pytest.raises(ValueError, match=r"tail_index\(mohammadi\).*NaN.*index 2"):
        tail_index([1.0, 2.0, np.nan] + [1.0] * 10)
    with pytest.raises(ValueError, match=r"all 20 samples are equal"):
        tail_index(np.ones(20), "pickands")
    with pytest.raises(ValueError, match="method must be"):
        tail_index(np.arange(20.0), "foo")
    with pytest.raises(ValueError, match=r"k must be in \[2, 5\]"):
        tail_index(np.arange(1.0, 21.0), "pickands", k=6)


def test_tail_index_over_time_from_trajectory():
    # increments with alpha 1.2 in the first window, 1.8 in the second (100 coordinates,
    # 1000 steps each: 1e5 components per window, estimator sd <= 0.04)
    inc = np.concatenate(
        [
            stable_rvs(1.2, 0, 1e-3, size=(1000, 100), seed=1),
            stable_rvs(1.8, 0, 1e-3, size=(1000, 100), seed=2),
        ]
    )
    pos = np.concatenate([np.zeros((1, 100)), np.cumsum(inc, axis=0)])
    ds = trajectory(pos, seed=4)
    res = tail_index_over_time(ds, window=1000, n_samples=None, n_boot=20)
    assert res.attrs["result_type"] == "tail_index_over_time"
    assert res["t_w"].values.tolist() == [1, 1001]
    np.testing.assert_allclose(res["alpha"].values, [1.2, 1.8], atol=0.12)
    assert (res["n"].values == 100_000).all()
    # per-window sample lists
    groups = [stable_rvs(a, 0, 1, size=20_000, seed=7) for a in (1.1, 1.9)]
    res2 = tail_index_over_time(groups, t_w=[1, 1001], n_samples=5000, n_boot=0)
    assert (res2["n"].values == 5000).all()
    assert res2["alpha"].values[0] < res2["alpha"].values[1]
    # the paper's choice: alpha of an alpha-stable fit per window (McCulloch sd ~0.03 at
    # n = 5000, 4 sd)
    res3 = tail_index_over_time(groups, method="stable", n_boot=20)
    np.testing.assert_allclose(res3["alpha"].values, [1.1, 1.9], atol=0.12)


@pytest.mark.parametrize("alpha", [1.2, 2.0])
def test_mohammadi_interval_coverage(alpha):
    # 300 repetitions at n = 2000: if the true coverage is 0.95, the observed fraction has
    # sd sqrt(0.95 * 0.05 / 300) = 0.0126, so [0.90, 0.99] is > 3 sd on either side.
    from fractalsgd.analysis import stable_rvs

    hits = 0
    for seed in range(300):
        if alpha < 2:
            x = stable_rvs(alpha, 0, 1, 0, size=2000, seed=seed)
        else:
            x = np.random.default_rng(seed).standard_normal(2000)
        e = tail_index(x, seed=seed)
        assert e.ci[0] <= e.value <= e.ci[1]
        hits += e.ci[0] <= alpha <= e.ci[1]
    assert 0.90 <= hits / 300 <= 0.99
