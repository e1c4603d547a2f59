"""Power-law tails by Clauset, Shalizi & Newman (2009, SIAM Rev. 51:661; "CSN").

``fit_powerlaw`` fits p(x) = (alpha - 1)/xmin (x/xmin)^-alpha (continuous) or
p(x) = x^-alpha / zeta(alpha, xmin) (discrete, Hurwitz zeta) to the tail x >= xmin, with
xmin chosen to minimise the Kolmogorov-Smirnov distance D between the tail and its fit.
The samples are sorted once; suffix sums of ln x give every candidate's MLE alpha in O(1)
and one pass over the tail gives its D (a numba kernel), so a scan of a log-spaced
candidate grid costs O(n * n_candidates) instead of the O(n^2) of an exact scan.

``compare_tails`` runs CSN's likelihood-ratio tests (Vuong 1989 for non-nested
alternatives, chi^2_1 for the nested truncated power law) against exponential, lognormal
and truncated power-law tails on the same x >= xmin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .tails import _samples

__all__ = ["PowerLawFit", "TailComparison", "fit_powerlaw", "compare_tails"]


@dataclass(frozen=True)
class PowerLawFit:
    """CSN fit of a power-law tail.

    ``alpha`` exponent of the density, ``xmin`` start of the tail, ``D`` KS distance,
    ``sigma`` standard error of alpha (continuous: (alpha - 1)/sqrt(n_tail), CSN eq. 3.2;
    discrete: inverse Fisher information), ``n_tail`` points >= xmin out of ``n``.
    ``scan_xmin`` / ``scan_D`` hold the candidates tried and their distances.
    """

    alpha: float
    xmin: float
    D: float
    sigma: float
    n_tail: int
    n: int
    discrete: bool
    scan_xmin: np.ndarray = field(repr=False)
    scan_D: np.ndarray = field(repr=False)
    tail: np.ndarray = field(repr=False)

    @property
    def ci(self) -> tuple[float, float]:
        """95 % Wald interval of alpha."""
        return (self.alpha - 1.959964 * self.sigma, self.alpha + 1.959964 * self.sigma)

    def ccdf(self, x) -> np.ndarray:
        """Fitted P(X >= x | X >= xmin) (1 below xmin)."""
        x = np.asarray(x, dtype=np.float64)
        if self.discrete:
            from scipy.special import zeta

            xc = np.maximum(np.ceil(x), self.xmin)
            return zeta(self.alpha, xc) / zeta(self.alpha, self.xmin)
        return np.where(
            x < self.xmin, 1.0, (np.maximum(x, self.xmin) / self.xmin) ** (1 - self.alpha)
        )

    def logpdf(self, x) -> np.ndarray:
        """ln p(x) of the fitted tail law for x >= xmin."""
        x = np.asarray(x, dtype=np.float64)
        if self.discrete:
            from scipy.special import zeta

            return -self.alpha * np.log(x) - math.log(zeta(self.alpha, self.xmin))
        return math.log((self.alpha - 1) / self.xmin) - self.alpha * np.log(x / self.xmin)

    def to_dataset(self, samples=None, *, max_points: int = 2000, result_type="powerlaw_fit"):
        """Result Dataset with the empirical CCDF of ``samples`` (or of the tail) and the fit."""
        from ..schema import result

        x = np.sort(np.asarray(samples if samples is not None else self.tail, dtype=float))
        n = x.size
        emp = 1.0 - np.arange(n) / n  # P(X >= x_(k))
        keep = np.unique(np.round(np.geomspace(1, n, min(max_points, n))).astype(int) - 1)
        xs, cc = x[keep], emp[keep]
        frac = self.n_tail / n if samples is not None else 1.0
        fitted = np.where(xs >= self.xmin, frac * self.ccdf(xs), np.nan)
        return result(
            {"ccdf": ("point", cc), "fit_ccdf": ("point", fitted)},
            coords={"x": ("point", xs)},
            config={"discrete": self.discrete},
            result_type=result_type,
            alpha=self.alpha,
            xmin=self.xmin,
            D=self.D,
            sigma=self.sigma,
            n_tail=self.n_tail,
            n=self.n,
            discrete=int(self.discrete),
        )


def _candidates(xs: np.ndarray, xmin, n_candidates: int, scan: str, min_tail: int):
    """Indices into sorted xs of candidate tail starts (first occurrence of each value)."""
    n = xs.size
    last = n - min_tail  # the tail must keep >= min_tail points
    if scan == "exact":
        starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    else:
        lo, hi = xs[0], xs[max(last, 0)]
        grid = np.geomspace(lo, hi, n_candidates) if hi > lo else np.array([lo])
        starts = np.unique(np.searchsorted(xs, grid, side="left"))
    return starts[starts <= last]


def _zeta_mle(S: np.ndarray, m: np.ndarray, xmin: np.ndarray, a_hi: float = 30.0):
    """Discrete MLE: solve -S/m = d/da ln zeta(a, xmin) by vectorised bisection (CSN 3.5)."""
    from scipy.special import zeta

    target = -S / m
    h = 1e-6

    def dlogz(a):
        return (np.log(zeta(a + h, xmin)) - np.log(zeta(a - h, xmin))) / (2 * h)

    lo = np.full(S.shape, 1.0 + 1e-4)
    hi = np.full(S.shape, a_hi)
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        # score(a) = target - dlogz(a) is decreasing in a (concave log-likelihood)
        pos = target - dlogz(mid) > 0
        lo = np.where(pos, mid, lo)
        hi = np.where(pos, hi, mid)
    return 0.5 * (lo + hi)


def _discrete_scan(xs: np.ndarray, cand: np.ndarray, xmin=None):
    from scipy.special import zeta

    n = xs.size
    lx = np.log(xs)
    suffix = np.cumsum(lx[::-1])[::-1]
    m = (n - cand).astype(float)
    xmins = xs[cand] if xmin is None else np.full(cand.size, xmin)
    alphas = _zeta_mle(suffix[cand], m, xmins)
    uniq, first = np.unique(xs, return_index=True)
    D = np.empty(cand.size)
    for c, (i, a, xm) in enumerate(zip(cand, alphas, xmins)):
        sel = uniq >= xm
        u = uniq[sel]
        # empirical P(X <= u) within the tail: (index of first element > u - i) / m
        nle = np.r_[first[sel][1:], n] - i
        fit = 1.0 - zeta(a, u + 1.0) / zeta(a, xm)
        D[c] = np.max(np.abs(nle / m[c] - fit))
    return alphas, D


def _discrete_sigma(alpha: float, xmin: float, m: int) -> float:
    from scipy.special import zeta

    h = 1e-4
    lz = [math.log(zeta(alpha + k * h, xmin)) for k in (-1, 0, 1)]
    info = (lz[2] - 2 * lz[1] + lz[0]) / h**2  # Var of ln X under the fit
    return 1.0 / math.sqrt(m * info) if info > 0 else math.nan


def fit_powerlaw(
    samples,
    xmin=None,
    discrete: bool = False,
    *,
    n_candidates: int = 100,
    scan: str = "grid",
    refine: bool = True,
    min_tail: int = 10,
) -> PowerLawFit:
    """Fit a power-law tail p(x) ~ x^-alpha for x >= xmin (CSN 2009).

    ``xmin`` fixed, or ``None`` to choose it by minimum KS distance: over ``n_candidates``
    log-spaced values between min(x) and the value leaving ``min_tail`` points in the tail
    (``scan="grid"``, default), then, with ``refine``, over every distinct sample value
    between the grid neighbours of the best one; or over every distinct value
    (``scan="exact"``, O(n^2), as ``powerlaw.Fit``). ``discrete=True`` fits integer data
    >= 1 with the Hurwitz-zeta law. Samples must be positive and finite.
    """
    name = "fit_powerlaw" + ("(discrete)" if discrete else "")
    if scan not in ("grid", "exact"):
        raise ValueError(f"{name}: scan must be 'grid' or 'exact', got {scan!r}")
    x = _samples(samples, name, min_n=max(int(min_tail), 2), positive=True)
    if discrete and np.any(x != np.round(x)):
        raise ValueError(f"{name}: discrete samples must be integers >= 1")
    if n_candidates < 2:
        raise ValueError(f"{name}: n_candidates must be >= 2, got {n_candidates}")
    xs = np.sort(x)
    n = xs.size
    if xmin is not None:
        xmin = float(xmin)
        if discrete and (xmin < 1 or xmin != round(xmin)):
            raise ValueError(f"{name}: xmin must be an integer >= 1, got {xmin}")
        if xmin <= 0 or xmin > xs[-1]:
            raise ValueError(f"{name}: xmin must be in (0, max(samples)={xs[-1]:g}], got {xmin}")
        i0 = int(np.searchsorted(xs, xmin, side="left"))
        if n - i0 < 2:
            raise ValueError(f"{name}: needs at least 2 samples >= xmin={xmin:g}, got {n - i0}")
        cand = np.array([i0])
    else:
        cand = _candidates(xs, xmin, n_candidates, scan, int(min_tail))
        if cand.size == 0:
            raise ValueError(f"{name}: needs at least {min_tail} samples in the tail, got {n}")

    def scan_at(idx):
        if discrete:
            return _discrete_scan(xs, idx, None if xmin is None else float(xmin))
        from ._powerlaw_kernels import _ks_scan_continuous

        lxs = np.log(xs)
        suffix = np.cumsum(lxs[::-1])[::-1].copy()
        lxmin = np.full(idx.size, math.log(xmin)) if xmin is not None else lxs[idx]
        return _ks_scan_continuous(lxs, suffix, idx.astype(np.int64), lxmin)

    alphas, D = scan_at(cand)
    best = int(np.argmin(D))
    if xmin is None and scan == "grid" and refine and cand.size > 1:
        # zoom in: between the grid neighbours of the best candidate, try up to
        # n_candidates distinct values (evenly spaced by rank); repeat until every
        # distinct value in the bracket has been tried
        starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
        starts = starts[starts <= n - min_tail]
        for _ in range(8):
            lo = cand[max(best - 1, 0)]
            hi = cand[min(best + 1, cand.size - 1)]
            extra = starts[(starts > lo) & (starts < hi)]
            extra = np.setdiff1d(extra, cand)
            if extra.size == 0:
                break
            if extra.size > n_candidates:
                pick = np.round(np.linspace(0, extra.size - 1, n_candidates)).astype(int)
                extra = extra[np.unique(pick)]
            a2, d2 = scan_at(extra)
            cand = np.r_[cand, extra]
            alphas = np.r_[alphas, a2]
            D = np.r_[D, d2]
            order = np.argsort(cand)
            cand, alphas, D = cand[order], alphas[order], D[order]
            best = int(np.argmin(D))
    i = int(cand[best])
    if xmin is not None:
        i = i0
    m = n - i
    a = float(alphas[best])
    xm = float(xmin) if xmin is not None else float(xs[i])
    sig = _discrete_sigma(a, xm, m) if discrete else (a - 1) / math.sqrt(m)
    return PowerLawFit(
        a,
        xm,
        float(D[best]),
        float(sig),
        int(m),
        int(n),
        bool(discrete),
        xs[cand],
        np.asarray(D),
        xs[i:],
    )


# ---------------------------------------------------------------- alternatives


def _ll_exponential(t: np.ndarray, xmin: float):
    lam = 1.0 / np.mean(t - xmin) if np.mean(t - xmin) > 0 else math.inf
    return np.log(lam) - lam * (t - xmin), {"lambda": float(lam)}


def _ll_lognormal(t: np.ndarray, xmin: float):
    from scipy.optimize import minimize
    from scipy.special import log_ndtr

    lt = np.log(t)
    lxm = math.log(xmin)

    def pointwise(p):
        mu, ls = p
        s = math.exp(ls)
        return (
            -lt
            - 0.5 * math.log(2 * np.pi)
            - ls
            - (lt - mu) ** 2 / (2 * s * s)
            - log_ndtr((mu - lxm) / s)
        )

    p0 = np.array([np.mean(lt), math.log(max(np.std(lt), 1e-3))])
    res = minimize(
        lambda p: -np.sum(pointwise(p)),
        p0,
        method="Nelder-Mead",
        options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 4000},
    )
    return pointwise(res.x), {"mu": float(res.x[0]), "sigma": float(math.exp(res.x[1]))}


def _log_tpl_norm(a: float, lam: float, xmin: float) -> float:
    """ln of int_xmin^inf x^-a e^(-lam x) dx, via x = xmin e^u (smooth integrand)."""
    from scipy.integrate import quad

    z = lam * xmin
    # integrand exp((1-a) u - z e^u), shifted by its maximum for stability
    umax = math.log((1 - a) / z) if a < 1 else 0.0
    umax = max(umax, 0.0)
    fmax = (1 - a) * umax - z * math.exp(umax)

    def integrand(u):
        e = (1 - a) * u - z * math.exp(min(u, 700.0)) - fmax
        return math.exp(e) if e > -700 else 0.0

    val, _ = quad(integrand, 0, np.inf, limit=200)
    return (1 - a) * math.log(xmin) + fmax + math.log(val)


def _ll_truncated(t: np.ndarray, xmin: float, alpha0: float):
    from scipy.optimize import minimize

    lt = np.log(t)
    slt, st, m = lt.sum(), t.sum(), t.size

    def nll(p):
        a, llam = p
        lam = math.exp(llam)
        return a * slt + lam * st + m * _log_tpl_norm(a, lam, xmin)

    best = None
    for llam0 in (
        math.log(1e-3 / np.mean(t)),
        math.log(0.1 / np.mean(t)),
        math.log(1 / np.mean(t)),
    ):
        r = minimize(
            nll,
            np.array([alpha0, llam0]),
            method="Nelder-Mead",
            bounds=[(0.0, 20.0), (math.log(1e-12 / t.max()), math.log(1e3 / xmin))],
            options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 2000},
        )
        if best is None or r.fun < best.fun:
            best = r
    a, lam = float(best.x[0]), float(math.exp(best.x[1]))
    return -a * lt - lam * t - _log_tpl_norm(a, lam, xmin), {"alpha": a, "lambda": lam}


@dataclass(frozen=True)
class TailComparison:
    """Likelihood-ratio tests of a power-law tail against alternatives (CSN 2009, sec. 5).

    ``tests[name] = {"R": log-likelihood ratio (power law - alternative; > 0 favours the
    power law), "p": significance of the sign of R, "nested": bool, "params": fitted
    alternative parameters}``. ``heavy_tailed`` is True when the power law beats the
    exponential tail significantly (R > 0 and p < significance); ``preferred`` names the
    model no other model beats significantly ("power_law" when none does, "inconclusive"
    when the tests contradict each other).
    """

    fit: PowerLawFit
    tests: dict
    significance: float
    heavy_tailed: bool
    preferred: str

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}: R={v['R']:.3g} p={v['p']:.3g}" for k, v in self.tests.items())
        return (
            f"TailComparison(alpha={self.fit.alpha:.3g}, xmin={self.fit.xmin:.3g}, "
            f"n_tail={self.fit.n_tail}; {parts}; heavy_tailed={self.heavy_tailed}, "
            f"preferred={self.preferred})"
        )


def compare_tails(
    samples,
    fit: PowerLawFit | None = None,
    alternatives=("exponential", "lognormal", "truncated_power_law"),
    *,
    significance: float = 0.1,
    **fit_kwargs,
) -> TailComparison:
    """Vuong / likelihood-ratio tests of the power-law tail against ``alternatives``.

    Fits the power law with :func:`fit_powerlaw` (unless ``fit`` is given), then each
    alternative by maximum likelihood on the same tail x >= xmin. Non-nested
    (exponential, lognormal): R = sum_i l_i, l_i = ln p_pl(x_i) - ln p_alt(x_i),
    p = erfc(|R| / (sqrt(2 n) s_l)) (Vuong 1989; CSN eq. 5.4). Nested (truncated power
    law): p = erfc(sqrt(|R|)) from 2|R| ~ chi^2_1. Continuous fits only.
    """
    from scipy.special import erfc

    known = ("exponential", "lognormal", "truncated_power_law")
    for alt in alternatives:
        if alt not in known:
            raise ValueError(f"compare_tails: unknown alternative {alt!r}; known: {known}")
    if fit is None:
        fit = fit_powerlaw(samples, **fit_kwargs)
    if fit.discrete:
        raise ValueError("compare_tails: only continuous fits are supported (discrete=False)")
    t = np.asarray(fit.tail, dtype=float)
    if t.size < 10:
        raise ValueError(f"compare_tails: needs at least 10 tail samples, got {t.size}")
    ll_pl = fit.logpdf(t)
    tests = {}
    for alt in alternatives:
        if alt == "exponential":
            ll, params = _ll_exponential(t, fit.xmin)
        elif alt == "lognormal":
            ll, params = _ll_lognormal(t, fit.xmin)
        else:
            ll, params = _ll_truncated(t, fit.xmin, fit.alpha)
        d = ll_pl - ll
        R = float(d.sum())
        nested = alt == "truncated_power_law"
        if nested:
            R = min(R, 0.0)  # the power law is the lam -> 0 limit: R <= 0 up to optimiser error
            p = float(erfc(math.sqrt(abs(R))))
        else:
            s = float(np.std(d))
            p = float(erfc(abs(R) / (math.sqrt(2 * t.size) * s))) if s > 0 else 1.0
        tests[alt] = {"R": R, "p": p, "nested": nested, "params": params}
    exp = tests.get("exponential")
    heavy = bool(exp is not None and exp["R"] > 0 and exp["p"] < significance)
    winners = [k for k, v in tests.items() if v["R"] < 0 and v["p"] < significance]
    if not winners:
        preferred = "power_law"
    elif len(winners) == 1:
        preferred = winners[0]
    else:
        # several alternatives beat the power law: the one with the largest likelihood wins
        preferred = max(winners, key=lambda k: -tests[k]["R"])
    return TailComparison(fit, tests, significance, heavy, preferred)
