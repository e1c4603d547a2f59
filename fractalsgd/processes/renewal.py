"""Renewal processes: subdiffusive CTRW and Levy walk, sampled at integer steps."""

from __future__ import annotations

import numpy as np

from ._common import build, check_int, check_pos, rng_of

__all__ = ["ctrw", "levy_walk"]


def _renewal_times(rng, n_walkers: int, horizon: float, alpha: float, t_min: float):
    """Cumulative Pareto renewal times T_1 < T_2 < ... per walker, covering ``horizon``.

    Waiting times tau = t_min U^(-1/alpha), psi(tau) = alpha t_min^alpha tau^(-1-alpha).
    Returns an array (n_walkers, K) whose last column exceeds ``horizon`` for every walker.
    """
    k = 64
    waits = t_min * rng.random((n_walkers, k)) ** (-1.0 / alpha)
    while True:
        times = np.cumsum(waits, axis=1)
        if np.all(times[:, -1] > horizon):
            return times, waits
        more = t_min * rng.random((n_walkers, waits.shape[1])) ** (-1.0 / alpha)
        waits = np.concatenate([waits, more], axis=1)


def ctrw(
    n_walkers: int,
    n_steps: int,
    alpha: float,
    dim: int = 1,
    *,
    sigma: float = 1.0,
    t_min: float = 1.0,
    seed=None,
):
    """Continuous-time random walk with Pareto waiting times, sampled at steps 0..n_steps.

    Waiting times psi(tau) ~ tau^(-1-alpha) (tau >= t_min, 0 < alpha < 1, infinite mean);
    jumps N(0, sigma^2) per coordinate; a renewal at t = 0 (non-aged start). For
    t >> t_min the ensemble MSD grows as d sigma^2 t^alpha / (t_min^alpha
    Gamma(1-alpha) Gamma(1+alpha)), while the time-averaged MSD of a run of length T is
    linear in lag: <delta^2(lag)> ~ lag / T^(1-alpha) (weak ergodicity breaking;
    He, Burov, Metzler & Barkai, PRL 101, 058101, 2008).
    """
    n_walkers = check_int("n_walkers", n_walkers, 1)
    n_steps = check_int("n_steps", n_steps, 1)
    dim = check_int("dim", dim, 1)
    alpha = check_pos("alpha", alpha)
    if alpha >= 1:
        raise ValueError(f"alpha must lie in (0, 1) for a subdiffusive CTRW, got {alpha!r}")
    sigma = check_pos("sigma", sigma)
    t_min = check_pos("t_min", t_min)
    rng = rng_of(seed)
    times, _ = _renewal_times(rng, n_walkers, n_steps, alpha, t_min)
    t = np.arange(n_steps + 1, dtype=float)
    x = np.empty((n_walkers, n_steps + 1, dim))
    for w in range(n_walkers):
        n_jumps = np.searchsorted(times[w], t, side="right")
        jumps = rng.normal(0.0, sigma, (int(n_jumps[-1]), dim))
        path = np.concatenate([np.zeros((1, dim)), np.cumsum(jumps, axis=0)])
        x[w] = path[n_jumps]
    return build(
        x,
        "ctrw",
        seed,
        n_walkers=n_walkers,
        n_steps=n_steps,
        dim=dim,
        alpha=alpha,
        sigma=sigma,
        t_min=t_min,
    )


def _directions(rng, n: int, dim: int) -> np.ndarray:
    u = rng.standard_normal((n, dim))
    return u / np.linalg.norm(u, axis=1, keepdims=True)


def levy_walk(
    n_walkers: int,
    n_steps: int,
    gamma: float,
    dim: int = 1,
    *,
    v: float = 1.0,
    t_min: float = 1.0,
    seed=None,
):
    """Levy walk: flights of constant speed v in uniformly random directions, durations
    Pareto psi(tau) ~ tau^(-1-gamma) (tau >= t_min), sampled at steps 0..n_steps.

    MSD ~ t^2 (ballistic) for 0 < gamma < 1, ~ t^(3-gamma) for 1 < gamma < 2 and ~ t for
    gamma > 2 (Zaburdaev, Denisov & Klafter, RMP 87, 483, 2015).
    """
    n_walkers = check_int("n_walkers", n_walkers, 1)
    n_steps = check_int("n_steps", n_steps, 1)
    dim = check_int("dim", dim, 1)
    gamma = check_pos("gamma", gamma)
    v = check_pos("v", v)
    t_min = check_pos("t_min", t_min)
    rng = rng_of(seed)
    ends, waits = _renewal_times(rng, n_walkers, n_steps, gamma, t_min)
    t = np.arange(n_steps + 1, dtype=float)
    x = np.empty((n_walkers, n_steps + 1, dim))
    for w in range(n_walkers):
        k = np.searchsorted(ends[w], t, side="right")  # flight index in progress at t
        n_fl = int(k[-1]) + 1
        vel = v * _directions(rng, n_fl, dim)
        starts = np.concatenate([[0.0], ends[w, : n_fl - 1]])
        start_pos = np.concatenate(
            [np.zeros((1, dim)), np.cumsum(vel[:-1] * waits[w, : n_fl - 1, None], axis=0)]
        )
        x[w] = start_pos[k] + vel[k] * (t - starts[k])[:, None]
    return build(
        x,
        "levy_walk",
        seed,
        n_walkers=n_walkers,
        n_steps=n_steps,
        dim=dim,
        gamma=gamma,
        v=v,
        t_min=t_min,
    )
