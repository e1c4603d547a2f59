"""Alpha-stable laws: sampling (Chambers-Mallows-Stuck) and fitting (McCulloch quantiles, ML).

Parameterisations follow Nolan (2020, *Univariate Stable Distributions*): S1 (the default,
as ``scipy.stats.levy_stable``) with characteristic function
exp(-|c t|^a [1 - i b sign(t) tan(pi a / 2)] + i d1 t) for a != 1, and S0, continuous in a,
with location d0 = d1 + b c tan(pi a / 2) (a != 1) or d0 = d1 + b (2/pi) c ln c (a = 1).

The McCulloch (1986) estimator inverts the quantile ratios

    nu_a = (x_.95 - x_.05) / (x_.75 - x_.25),   nu_b = (x_.95 + x_.05 - 2 x_.5) / (x_.95 - x_.05)

through tables of standard-law quantiles computed for this package by
``_stable_table_gen.py`` (numerical inversion of scipy's stable CDF on a grid
a in [0.5, 2] step 0.05, b in [0, 1] step 0.1), interpolated by bicubic splines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .tails import Estimate, _samples

__all__ = ["StableFit", "fit_stable", "stable_rvs"]


def stable_rvs(alpha, beta=0.0, scale=1.0, loc=0.0, size=1, seed=None) -> np.ndarray:
    """Samples of S1(alpha, beta, scale, loc) by Chambers, Mallows & Stuck (1976).

    Weron (1996) form: with V ~ U(-pi/2, pi/2), W ~ Exp(1), B = arctan(b tan(pi a/2)) / a,
    S = (1 + b^2 tan^2(pi a/2))^(1/(2a)), X = S sin(a(V+B)) / cos(V)^(1/a)
    * [cos(V - a(V+B)) / W]^((1-a)/a); for a = 1, X = (2/pi)[(pi/2 + bV) tan V
    - b ln((pi/2) W cos V / (pi/2 + bV))].
    """
    a, b = float(alpha), float(beta)
    if not 0 < a <= 2:
        raise ValueError(f"stable_rvs: alpha must be in (0, 2], got {alpha}")
    if not -1 <= b <= 1:
        raise ValueError(f"stable_rvs: beta must be in [-1, 1], got {beta}")
    if not scale > 0:
        raise ValueError(f"stable_rvs: scale must be > 0, got {scale}")
    rng = np.random.default_rng(seed)
    v = rng.uniform(-np.pi / 2, np.pi / 2, size)
    w = rng.exponential(1.0, size)
    if a == 1.0:
        hp = np.pi / 2 + b * v
        x = (2 / np.pi) * (hp * np.tan(v) - b * np.log((np.pi / 2) * w * np.cos(v) / hp))
        return scale * x + (2 / np.pi) * b * scale * math.log(scale) + loc
    t = b * math.tan(np.pi * a / 2)
    bb = math.atan(t) / a
    s = (1 + t * t) ** (1 / (2 * a))
    x = (
        s
        * np.sin(a * (v + bb))
        / np.cos(v) ** (1 / a)
        * (np.cos(v - a * (v + bb)) / w) ** ((1 - a) / a)
    )
    return scale * x + loc


class _Tables:
    """Bicubic splines of ln nu_a, nu_b, ln phi3 = ln(q75 - q25) and the S0 median."""

    _inst = None

    def __init__(self):
        from scipy.interpolate import RectBivariateSpline

        from . import _stable_table as T

        a = np.asarray(T.ALPHAS)
        b = np.asarray(T.BETAS)
        q = np.asarray(T.QUANTILES)  # (alpha, beta, prob) for probs .05 .25 .5 .75 .95
        nu_a = (q[..., 4] - q[..., 0]) / (q[..., 3] - q[..., 1])
        nu_b = (q[..., 4] + q[..., 0] - 2 * q[..., 2]) / (q[..., 4] - q[..., 0])
        self.a_lo, self.a_hi = float(a[0]), float(a[-1])
        self.lnu_a = RectBivariateSpline(a, b, np.log(nu_a))
        self.nu_b = RectBivariateSpline(a, b, nu_b)
        self.lphi3 = RectBivariateSpline(a, b, np.log(q[..., 3] - q[..., 1]))
        self.med = RectBivariateSpline(a, b, q[..., 2])
        self.nu_a_min = float(nu_a[-1, 0])  # Gaussian: 2.4387

    @classmethod
    def get(cls):
        if cls._inst is None:
            cls._inst = cls()
        return cls._inst


def _bisect(f, lo, hi, target, increasing: bool, iters: int = 40):
    """Vectorised bisection of f(x) = target on [lo, hi]; clamps to the ends."""
    lo = np.full_like(target, lo)
    hi = np.full_like(target, hi)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        above = f(mid) > target
        if increasing:
            hi = np.where(above, mid, hi)
            lo = np.where(above, lo, mid)
        else:
            lo = np.where(above, mid, lo)
            hi = np.where(above, hi, mid)
    return 0.5 * (lo + hi)


def _mcculloch(q: np.ndarray):
    """McCulloch estimates from quantile rows q[..., (.05, .25, .5, .75, .95)] (vectorised).

    Returns alpha, beta, scale, loc0 (S0 location).
    """
    T = _Tables.get()
    q = np.atleast_2d(q)
    nu_a = (q[:, 4] - q[:, 0]) / (q[:, 3] - q[:, 1])
    nu_b = (q[:, 4] + q[:, 0] - 2 * q[:, 2]) / (q[:, 4] - q[:, 0])
    sgn = np.where(nu_b < 0, -1.0, 1.0)
    tb = np.abs(nu_b)
    ln_a = np.log(np.maximum(nu_a, T.nu_a_min))
    beta = np.zeros_like(nu_a)
    alpha = np.full_like(nu_a, 1.5)
    for _ in range(12):
        alpha = _bisect(lambda x, b=beta: T.lnu_a.ev(x, b), T.a_lo, T.a_hi, ln_a, increasing=False)
        beta = _bisect(lambda y, a=alpha: T.nu_b.ev(a, y), 0.0, 1.0, tb, increasing=True)
    beta = np.where(alpha >= T.a_hi - 1e-9, 0.0, beta)
    scale = (q[:, 3] - q[:, 1]) / np.exp(T.lphi3.ev(alpha, beta))
    loc0 = q[:, 2] - scale * sgn * T.med.ev(alpha, beta)
    return alpha, sgn * beta, scale, loc0


def _s0_to_s1(alpha, beta, scale, loc0):
    alpha = np.asarray(alpha, dtype=float)
    near1 = np.abs(alpha - 1.0) < 1e-12
    t = np.where(near1, 0.0, np.tan(np.pi * np.where(near1, 0.5, alpha) / 2))
    return np.where(
        near1, loc0 - beta * (2 / np.pi) * scale * np.log(scale), loc0 - beta * scale * t
    )


_PROBS = np.array([0.05, 0.25, 0.5, 0.75, 0.95])


def _std_s0_logpdf_factory(alpha: float, beta: float, half_width: float = 500.0, n: int = 2**16):
    """ln f of the standard S0(alpha, beta, 1, 0) law by FFT inversion of its ch.f.

    f(x) = (1/2pi) int exp(-|t|^a [1 + i b sign(t) tan(pi a/2)(|t|^(1-a) - 1)]) e^(-itx) dt
    (a != 1; a = 1 uses i b (2/pi) sign(t) ln|t|), on [-half_width, half_width); beyond it,
    the tail f(x) ~ a C_a (1 +- b) |x|^(-a-1), C_a = sin(pi a/2) Gamma(a) / pi
    (Nolan 2020, Thm 1.2). Mittnik, Doganoglu & Chenyao (1999) use the same FFT route.
    """
    dx = 2 * half_width / n
    x = -half_width + dx * np.arange(n)
    t = 2 * np.pi * np.fft.fftfreq(n, d=dx)
    at = np.abs(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        if abs(alpha - 1.0) < 1e-9:
            corr = beta * (2 / np.pi) * np.sign(t) * np.where(at > 0, np.log(at), 0.0)
            psi = -at * (1 + 1j * corr)
        elif alpha >= 2.0:
            psi = -(at**2) + 0j
        else:
            tn = math.tan(np.pi * alpha / 2)
            psi = -(at**alpha) * (
                1 + 1j * beta * np.sign(t) * tn * (np.where(at > 0, at ** (1 - alpha), 0.0) - 1)
            )
    phi = np.exp(psi)
    # f(x_j) = (1/2pi) sum_k phi(t_k) e^{-i t_k x_j} dt, x_j = x_0 + j dx
    f = np.real(np.fft.fft(phi * np.exp(-1j * t * x[0]))) * (t[1] - t[0]) / (2 * np.pi)
    floor = 1e-300
    logf = np.log(np.maximum(f, floor))
    if alpha < 2.0:
        ca = math.sin(np.pi * alpha / 2) * math.gamma(alpha) / np.pi
        tail_r = math.log(max(alpha * ca * (1 + beta), floor))
        tail_l = math.log(max(alpha * ca * (1 - beta), floor))
    else:
        tail_r = tail_l = None

    def logpdf(z):
        out = np.interp(z, x, logf)
        if tail_r is not None:
            hi = z >= x[-1]
            lo = z <= x[0]
            out[hi] = tail_r - (alpha + 1) * np.log(z[hi])
            out[lo] = tail_l - (alpha + 1) * np.log(-z[lo])
        else:
            out = -(z**2) / 4 - 0.5 * math.log(4 * np.pi)
        return out

    return logpdf


def _negloglik(theta, x):
    alpha, beta, lscale, loc0 = theta
    scale = math.exp(lscale)
    lp = _std_s0_logpdf_factory(alpha, beta)((x - loc0) / scale)
    return -(np.sum(lp) - x.size * lscale)


@dataclass(frozen=True)
class StableFit:
    """Fitted S(alpha, beta, scale, loc); ``loc`` in S1 (scipy's), ``loc0`` in S0."""

    alpha: Estimate
    beta: Estimate
    scale: Estimate
    loc: Estimate
    loc0: float
    method: str
    n: int

    def params(self) -> tuple[float, float, float, float]:
        """(alpha, beta, scale, loc) in S1, as ``scipy.stats.levy_stable`` takes them."""
        return (self.alpha.value, self.beta.value, self.scale.value, self.loc.value)

    def __repr__(self) -> str:
        return (
            f"StableFit({self.method}, n={self.n}: alpha={self.alpha.value:.4g} "
            f"[{self.alpha.low:.4g}, {self.alpha.high:.4g}], beta={self.beta.value:.3g}, "
            f"scale={self.scale.value:.4g}, loc={self.loc.value:.4g})"
        )


def fit_stable(
    samples,
    method: str = "quantile",
    *,
    n_boot: int = 200,
    level: float = 0.95,
    seed=0,
) -> StableFit:
    """Fit an alpha-stable law S(alpha, beta, scale, loc) to 1-D ``samples``.

    ``method="quantile"``: McCulloch (1986) quantile estimator, alpha in [0.5, 2]; the
    intervals are percentile bootstraps with ``n_boot`` resamples (vectorised, ~0.2 s at
    n = 1e4). ``method="ml"``: maximum likelihood started from the McCulloch estimate, with
    the density computed by FFT of the characteristic function (Mittnik et al. 1999) and
    Wald intervals from the observed information (numerical Hessian; the ``loc`` interval
    is the S0 location's, shifted; at alpha = 2 beta is not identified and the intervals
    are NaN). Needs >= 20 samples. Near alpha = 1 the S1 location is ill-conditioned
    (tan(pi alpha / 2) diverges); ``loc0`` (S0) stays well defined.
    """
    if method not in ("quantile", "ml"):
        raise ValueError(f"fit_stable: method must be 'quantile' or 'ml', got {method!r}")
    name = f"fit_stable({method})"
    x = _samples(samples, name, min_n=20)
    n = x.size
    q = np.quantile(x, _PROBS)
    if q[3] - q[1] <= 0 or q[4] - q[0] <= 0:
        raise ValueError(f"{name}: interquartile range is zero; more than half the samples tie")
    a, b, c, d0 = (float(v[0]) for v in _mcculloch(q))
    z = (1 - level) / 2
    if method == "quantile":
        if n_boot > 0:
            rng = np.random.default_rng(seed)
            qs = np.empty((n_boot, 5))
            chunk = max(1, int(2e6 // n))
            for s in range(0, n_boot, chunk):
                m = min(chunk, n_boot - s)
                qs[s : s + m] = np.quantile(x[rng.integers(0, n, (m, n))], _PROBS, axis=1).T
            ok = (qs[:, 3] > qs[:, 1]) & (qs[:, 4] > qs[:, 0])
            ba, bb, bc, bd0 = _mcculloch(qs[ok])
            bd1 = _s0_to_s1(ba, bb, bc, bd0)
            cis = [tuple(np.quantile(v, [z, 1 - z])) for v in (ba, bb, bc, bd1)]
        else:
            cis = [(math.nan, math.nan)] * 4
        vals = (a, b, c, float(_s0_to_s1(a, b, c, d0)))
        loc0 = d0
    else:
        from scipy.optimize import minimize
        from scipy.stats import norm

        x0 = np.array([min(max(a, 0.55), 1.99), min(max(b, -0.99), 0.99), math.log(c), d0])
        bounds = [(0.5, 2.0), (-1.0, 1.0), (None, None), (None, None)]
        res = minimize(
            _negloglik,
            x0,
            args=(x,),
            method="Nelder-Mead",
            bounds=bounds,
            options={"xatol": 1e-4, "fatol": 1e-3, "maxiter": 2000},
        )
        th = res.x
        cov = _inverse_hessian(lambda p: _negloglik(p, x), th, bounds)
        se = np.sqrt(np.clip(np.diag(cov), 0, None)) if cov is not None else np.full(4, np.nan)
        k = float(norm.ppf(1 - z))
        a, b, c, loc0 = float(th[0]), float(th[1]), math.exp(th[2]), float(th[3])
        d1 = float(_s0_to_s1(a, b, c, loc0))
        vals = (a, b, c, d1)
        cis = [
            (max(a - k * se[0], 0.0), min(a + k * se[0], 2.0)),
            (max(b - k * se[1], -1.0), min(b + k * se[1], 1.0)),
            (c * math.exp(-k * se[2]), c * math.exp(k * se[2])),
            (d1 - k * se[3], d1 + k * se[3]),  # S0 location error; S1 adds beta/scale terms
        ]
    names = ("alpha", "beta", "scale", "loc")
    ests = [
        Estimate(float(v), (float(lo), float(hi)), f"{method}:{nm}", n, level)
        for v, (lo, hi), nm in zip(vals, cis, names)
    ]
    return StableFit(*ests, loc0=float(loc0), method=method, n=n)


def _inverse_hessian(f, th, bounds):
    """Inverse of the central-difference Hessian of f at th (None if not positive definite)."""
    k = th.size
    h = np.array([1e-3, 1e-3, 1e-3, 1e-3]) * np.maximum(1.0, np.abs(th))
    # step inward from active bounds
    th = th.copy()
    for i, (lo, hi) in enumerate(bounds):
        if lo is not None:
            th[i] = max(th[i], lo + 2 * h[i])
        if hi is not None:
            th[i] = min(th[i], hi - 2 * h[i])
    H = np.empty((k, k))
    f0 = f(th)
    for i in range(k):
        for j in range(i, k):
            ei = np.zeros(k)
            ej = np.zeros(k)
            ei[i] = h[i]
            ej[j] = h[j]
            if i == j:
                H[i, i] = (f(th + ei) - 2 * f0 + f(th - ei)) / h[i] ** 2
            else:
                H[i, j] = H[j, i] = (
                    f(th + ei + ej) - f(th + ei - ej) - f(th - ei + ej) + f(th - ei - ej)
                ) / (4 * h[i] * h[j])
    try:
        np.linalg.cholesky(H)
        return np.linalg.inv(H)
    except np.linalg.LinAlgError:
        return None
