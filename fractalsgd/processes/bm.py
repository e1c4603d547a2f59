"""Brownian motion, scaled Brownian motion and the Ornstein-Uhlenbeck process (exact)."""

from __future__ import annotations

import numpy as np

from ._common import build, check_int, check_pos, rng_of

__all__ = ["bm", "sbm", "ou"]


def bm(n_walkers: int, n_steps: int, dim: int = 1, *, D: float = 1.0, seed=None):
    """Brownian motion sampled at steps 0..n_steps, started at the origin.

    Increments are i.i.d. N(0, 2D) per coordinate, so <|x(t) - x(0)|^2> = 2 D d t
    exactly (d = ``dim``). Returns a trajectory Dataset (source="process").
    """
    n_walkers = check_int("n_walkers", n_walkers, 1)
    n_steps = check_int("n_steps", n_steps, 1)
    dim = check_int("dim", dim, 1)
    D = check_pos("D", D)
    rng = rng_of(seed)
    x = np.zeros((n_walkers, n_steps + 1, dim))
    x[:, 1:] = np.cumsum(rng.normal(0.0, np.sqrt(2 * D), (n_walkers, n_steps, dim)), axis=1)
    return build(x, "bm", seed, n_walkers=n_walkers, n_steps=n_steps, dim=dim, D=D)


def sbm(n_walkers: int, n_steps: int, alpha: float, dim: int = 1, *, K: float = 1.0, seed=None):
    """Scaled Brownian motion, diffusivity D(t) = alpha K t^(alpha-1).

    Independent Gaussian increments with variance 2K[(t+1)^alpha - t^alpha] per coordinate,
    so the ensemble MSD is 2 K d t^alpha exactly (Lim & Muniandy 2002; Jeon et al.,
    PCCP 16, 15811, 2014). Its time-averaged MSD is linear in lag (weakly non-ergodic).
    """
    n_walkers = check_int("n_walkers", n_walkers, 1)
    n_steps = check_int("n_steps", n_steps, 1)
    dim = check_int("dim", dim, 1)
    alpha = check_pos("alpha", alpha)
    K = check_pos("K", K)
    rng = rng_of(seed)
    t = np.arange(n_steps + 1, dtype=float)
    sd = np.sqrt(2 * K * np.diff(t**alpha))
    inc = rng.normal(0.0, 1.0, (n_walkers, n_steps, dim)) * sd[None, :, None]
    x = np.zeros((n_walkers, n_steps + 1, dim))
    x[:, 1:] = np.cumsum(inc, axis=1)
    return build(x, "sbm", seed, n_walkers=n_walkers, n_steps=n_steps, dim=dim, alpha=alpha, K=K)


def ou(
    n_walkers: int,
    n_steps: int,
    dim: int = 1,
    *,
    theta: float = 0.05,
    D: float = 1.0,
    stationary: bool = False,
    seed=None,
):
    """Ornstein-Uhlenbeck process dx = -theta x dt + sqrt(2D) dW, sampled exactly (dt = 1).

    x(t+1) = x(t) e^(-theta) + sqrt(D/theta (1 - e^(-2 theta))) xi. Started at 0 the
    ensemble MSD is d (D/theta)(1 - e^(-2 theta t)); started stationary
    (``stationary=True``) the TAMSD is 2 d (D/theta)(1 - e^(-theta lag)): both saturate.
    """
    n_walkers = check_int("n_walkers", n_walkers, 1)
    n_steps = check_int("n_steps", n_steps, 1)
    dim = check_int("dim", dim, 1)
    theta = check_pos("theta", theta)
    D = check_pos("D", D)
    rng = rng_of(seed)
    a = np.exp(-theta)
    s = np.sqrt(D / theta * (1 - a * a))
    x = np.zeros((n_walkers, n_steps + 1, dim))
    if stationary:
        x[:, 0] = rng.normal(0.0, np.sqrt(D / theta), (n_walkers, dim))
    noise = rng.normal(0.0, s, (n_walkers, n_steps, dim))
    for t in range(n_steps):
        x[:, t + 1] = a * x[:, t] + noise[:, t]
    return build(
        x,
        "ou",
        seed,
        n_walkers=n_walkers,
        n_steps=n_steps,
        dim=dim,
        theta=theta,
        D=D,
        stationary=bool(stationary),
    )
