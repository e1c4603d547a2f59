"""Ergodicity breaking, amplitude scatter, non-Gaussian parameter, velocity autocorrelation.

Definitions (Metzler, Jeon, Cherstvy & Barkai, PCCP 16, 24128, 2014; Rahman, Phys. Rev.
136, A405, 1964):

* EB(lag) = <(delta^2)^2> / <delta^2>^2 - 1, moments over walkers of the per-walker
  TAMSD delta^2(lag); amplitude scatter xi = delta^2 / <delta^2>;
* alpha_2(lag) = d <|dr|^4> / ((d + 2) <|dr|^2>^2) - 1 over all displacements
  dr = x(t + lag) - x(t) (walkers and time origins), zero for Gaussian displacements;
* C_v(k) = <v(t) . v(t + k)>, v(t) = [x(t + s) - x(t)] / s for snapshot spacing s.
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft
import xarray as xr

from ..schema import result
from ._input import as_positions
from .msd import _check_lags, _result_attrs, _spacing, tamsd

__all__ = [
    "ergodicity_breaking",
    "eb_brownian",
    "non_gaussian_parameter",
    "velocity_autocorrelation",
]


def eb_brownian(lag, n_time: int, dim: int = 1) -> np.ndarray:
    """Exact EB of discrete Brownian motion with ``n_time`` snapshots (unit spacing).

    delta^2(m) = 1/n sum_{i<n} (S_{i+m} - S_i)^2 with n = n_time - m Gaussian-increment
    sums, Cov(S_{i+m} - S_i, S_{j+m} - S_j) = (m - |i - j|)_+ per unit variance, so
    EB(m) = 2 sum_{i,j<n} (m - |i - j|)_+^2 / (m^2 n^2) / d. EB(1) = 2 / (d (n_time - 1));
    for 1 << m << n_time, EB ~ 4 m / (3 d n_time) (Deng & Barkai, PRE 79, 011112, 2009).
    """
    lags = np.atleast_1d(np.asarray(lag, dtype=np.int64))
    out = np.empty(lags.size)
    for i, m in enumerate(lags):
        n = n_time - m
        if m < 1 or n < 1:
            raise ValueError(f"lag {m} must lie in 1..{n_time - 1}")
        k = np.arange(1, min(m, n))
        s = n * m**2 + 2 * np.sum((n - k) * (m - k) ** 2.0)
        out[i] = 2 * s / (m**2 * n**2) / dim
    return out if np.ndim(lag) else out[0]


def ergodicity_breaking(x, lag, *, window: int | None = None) -> xr.Dataset:
    """Ergodicity-breaking parameter EB(lag) over walkers, and the amplitude scatter.

    ``lag``: a lag or a sequence of lags in steps; ``window``: as in :func:`tamsd`
    (then EB per window t_w). Needs >= 2 walkers. ``eb_se`` is the jackknife (leave one
    walker out) standard error. Returns Dataset ``eb(lag)``, ``eb_se(lag)``,
    ``xi(walker, lag)`` = delta^2 / <delta^2> (with a t_w dim when windowed) and
    ``tamsd``; ``result_type="ergodicity"``.
    """
    lags = _check_lags(lag, "lag")
    d2 = tamsd(x, lags=lags, window=window)
    n = d2.sizes["walker"]
    if n < 2:
        raise ValueError("x: ergodicity breaking needs at least 2 walkers")
    v = d2.values
    m1, m2 = v.mean(axis=0), (v * v).mean(axis=0)
    if np.any(m1 <= 0):
        raise ValueError("x: TAMSD is zero for every walker at some lag (no motion)")
    eb = m2 / m1**2 - 1
    loo1 = (n * m1 - v) / (n - 1)
    loo2 = (n * m2 - v * v) / (n - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        jk = loo2 / loo1**2 - 1
    se = np.sqrt((n - 1) / n * ((jk - jk.mean(axis=0)) ** 2).sum(axis=0))
    other = d2.dims[1:]
    coords = {k: c for k, c in d2.coords.items() if k != "n_pairs"}
    return result(
        {
            "eb": (other, eb),
            "eb_se": (other, se),
            "xi": (d2.dims, v / m1),
            "tamsd": (d2.dims, v),
        },
        coords=coords,
        inputs=d2.attrs and {k[6:]: v for k, v in d2.attrs.items() if k.startswith("input_")},
        config={"lag": lags, "window": window},
        result_type="ergodicity",
        definition="EB = <(delta^2)^2>/<delta^2>^2 - 1 over walkers; xi = delta^2/<delta^2>",
    )


def _pairs(step: np.ndarray, lag: int):
    """Index pairs (i, j) with step[j] - step[i] == lag."""
    j = np.searchsorted(step, step + lag)
    ok = (j < step.size) & (step[np.minimum(j, step.size - 1)] == step + lag)
    return np.flatnonzero(ok), j[ok]


def non_gaussian_parameter(x, lag) -> xr.DataArray:
    """Non-Gaussian parameter alpha_2(lag) = d <|dr|^4> / ((d+2) <|dr|^2>^2) - 1.

    Averages over all walkers and all time origins with a snapshot exactly ``lag`` steps
    later. Gaussian displacements give 0; Laplace jumps in 1-d give 1 at lag 1.
    Returns DataArray ``alpha2(lag)``.
    """
    pos = as_positions(x, name="x", min_time=2)
    lags = _check_lags(lag, "lag")
    d = pos.x.shape[2]
    out = np.empty(lags.size)
    for k, L in enumerate(lags):
        i, j = _pairs(pos.step, int(L))
        if i.size == 0:
            raise ValueError(f"lag {int(L)}: no pair of snapshots that many steps apart")
        r2 = ((pos.x[:, j] - pos.x[:, i]) ** 2).sum(axis=2)
        m2 = r2.mean()
        if m2 == 0:
            raise ValueError(f"lag {int(L)}: all displacements are zero")
        out[k] = d * (r2 * r2).mean() / ((d + 2) * m2 * m2) - 1
    attrs = _result_attrs(pos.attrs, analysis="non_gaussian_parameter")
    attrs["definition"] = "d <|dr|^4> / ((d+2) <|dr|^2>^2) - 1"
    return xr.DataArray(out, dims=("lag",), coords={"lag": lags}, name="alpha2", attrs=attrs)


def velocity_autocorrelation(x, max_lag: int | None = None, *, normalize: bool = False):
    """Velocity autocorrelation C_v(k) = <v(t) . v(t+k)> over walkers and time origins.

    v(t) = [x(t+s) - x(t)] / s on evenly spaced snapshots (spacing s steps); all pairs
    (t, t+k) are averaged exactly (FFT, zero padded). ``max_lag`` in steps (default: all).
    ``normalize=True`` divides by C_v(0). Returns DataArray ``vacf(lag)``, lag = 0, s, ...
    """
    pos = as_positions(x, name="x", min_time=3)
    s = _spacing(pos.step)
    if s is None:
        raise ValueError("x: velocity autocorrelation needs evenly spaced snapshots")
    v = np.diff(pos.x, axis=1) / s
    n = v.shape[1]
    K = n if max_lag is None else int(max_lag) // s + 1
    if not 1 <= K <= n:
        raise ValueError(f"max_lag {max_lag} must lie in 0..{(n - 1) * s} steps")
    nfft = sfft.next_fast_len(2 * n, real=True)
    acc = np.zeros(n)
    for c in range(v.shape[2]):
        f = sfft.rfft(v[:, :, c], n=nfft, axis=1)
        acc += sfft.irfft((f.real**2 + f.imag**2).sum(axis=0), n=nfft)[:n]
    cv = acc[:K] / (v.shape[0] * (n - np.arange(K)))
    if normalize:
        if cv[0] == 0:
            raise ValueError("x: zero velocity everywhere, cannot normalize")
        cv = cv / cv[0]
    attrs = _result_attrs(pos.attrs, analysis="velocity_autocorrelation", normalize=normalize)
    return xr.DataArray(
        cv, dims=("lag",), coords={"lag": s * np.arange(K)}, name="vacf", attrs=attrs
    )
