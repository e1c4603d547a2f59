"""Figures for heavy tails, intermittency and roughness results (fractalsgd.analysis)."""

from __future__ import annotations

import numpy as np

from . import figure


@figure("powerlaw_fit")
@figure("jump_lengths")
def plot_ccdf(ds, fig):
    """Log-log CCDF P(X >= x) of the samples with the fitted CSN power-law tail."""
    ax = fig.add_subplot(1, 1, 1)
    x = ds["x"].values
    ax.loglog(x, ds["ccdf"].values, ".", ms=3, color="0.3", label="data")
    fit = ds["fit_ccdf"].values
    ok = np.isfinite(fit)
    a, xm = float(ds.attrs["alpha"]), float(ds.attrs["xmin"])
    ax.loglog(
        x[ok],
        fit[ok],
        "-",
        color="C3",
        label=f"power law: alpha = {a:.3f} +- {float(ds.attrs['sigma']):.3f}",
    )
    ax.axvline(
        xm, color="C3", ls=":", lw=1, label=f"xmin = {xm:.3g} (n_tail = {ds.attrs['n_tail']})"
    )
    kind = "jump length" if ds.attrs.get("result_type") == "jump_lengths" else "x"
    if "lag" in ds.attrs:
        kind += f" (lag {ds.attrs['lag']})"
    ax.set_xlabel(kind)
    ax.set_ylabel("P(X >= x)")
    ax.set_title(f"CCDF with CSN fit, KS D = {float(ds.attrs['D']):.3g}", fontsize=9)
    ax.legend(fontsize=8)


@figure("msl_vs_distance")
def plot_msl(ds, fig):
    """Mean squared loss difference against distance, with the fitted dr^(2H)."""
    ax = fig.add_subplot(1, 1, 1)
    d = ds["distance"].values
    m = ds["msl"].values
    sem = ds["msl_sem"].values
    ok = np.isfinite(m) & (m > 0)
    ax.errorbar(d[ok], m[ok], yerr=sem[ok], fmt="o", ms=3, color="0.3", label="MSL")
    use = ok & (ds["used_in_fit"].values > 0)
    if use.sum() >= 2:
        c = np.exp(np.mean(np.log(m[use]) - 2 * ds.attrs["H"] * np.log(d[use])))
        xx = np.geomspace(d[use].min(), d[use].max(), 50)
        ax.loglog(
            xx,
            c * xx ** (2 * ds.attrs["H"]),
            "-",
            color="C3",
            label=(f"H = {ds.attrs['H']:.3f} [{ds.attrs['H_low']:.3f}, {ds.attrs['H_high']:.3f}]"),
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("distance ||theta(j) - theta(i)||")
    ax.set_ylabel("<(L(j) - L(i))^2>")
    ax.set_title("mean squared loss difference vs distance", fontsize=9)
    ax.legend(fontsize=8)


def _ccdf(v):
    v = np.sort(np.asarray(v, dtype=float))
    return v, 1.0 - np.arange(v.size) / v.size


@figure("loss_bursts")
def plot_bursts(ds, fig):
    """|dL| with the avalanche threshold, its moving variance, and the avalanche
    duration and size distributions (duration CCDF with the fitted power law)."""
    it = ds["iteration"].values
    ax1 = fig.add_subplot(1, 3, 1)
    ax1.plot(it, ds["abs_dloss"].values, lw=0.5, color="0.4", label="|dL|")
    ax1.axhline(ds.attrs["threshold"], color="C3", lw=1, label="threshold")
    ax1.plot(
        it,
        np.sqrt(ds["moving_variance"].values),
        color="C0",
        lw=1,
        label=f"moving std ({ds.attrs['window']})",
    )
    ax1.set_xlabel("step")
    ax1.set_yscale("log")
    ax1.legend(fontsize=7)
    ax2 = fig.add_subplot(1, 3, 2)
    ax3 = fig.add_subplot(1, 3, 3)
    dur = ds["duration"].values
    if dur.size:
        v, c = _ccdf(dur)
        ax2.loglog(v, c, ".", ms=3, color="0.3", label=f"{dur.size} avalanches")
        a = float(ds.attrs.get("duration_alpha", np.nan))
        if np.isfinite(a):
            from scipy.special import zeta

            xm = float(ds.attrs["duration_xmin"])
            frac = float(ds.attrs["duration_n_tail"]) / dur.size
            xx = np.unique(np.round(np.geomspace(xm, v.max(), 40)))
            ax2.loglog(
                xx,
                frac * zeta(a, xx) / zeta(a, xm),
                "-",
                color="C3",
                label=f"alpha = {a:.2f} (xmin = {xm:g})",
            )
        sv, sc = _ccdf(ds["size"].values)
        ax3.loglog(sv, sc, ".", ms=3, color="0.3")
    ax2.set_xlabel("duration (steps)")
    ax2.set_ylabel("P(T >= t)")
    ax2.legend(fontsize=7)
    ax3.set_xlabel("size (sum of |dL|)")
    ax3.set_ylabel("P(S >= s)")


@figure("tail_index_over_time")
def plot_alpha_tw(ds, fig):
    """Tail index alpha against waiting time t_w with its bootstrap interval."""
    ax = fig.add_subplot(1, 1, 1)
    tw = ds["t_w"].values
    a = ds["alpha"].values
    ax.fill_between(tw, ds["alpha_low"].values, ds["alpha_high"].values, color="C0", alpha=0.3)
    ax.plot(tw, a, "o-", ms=3, color="C0")
    ax.axhline(2.0, color="0.5", ls=":", lw=1)
    ax.set_xlabel("t_w (step)")
    ax.set_ylabel(f"alpha ({ds.attrs.get('method', '')})")
    ax.set_title("tail index against waiting time", fontsize=9)


@figure("loss_spectrum")
def plot_spectrum(ds, fig):
    """Welch power spectral density of the loss with the fitted f^-b."""
    ax = fig.add_subplot(1, 1, 1)
    f = ds["freq"].values
    p = ds["psd"].values
    ax.loglog(f, p, lw=0.7, color="0.4")
    use = ds["used_in_fit"].values > 0
    b = ds.attrs["slope"]
    ax.loglog(
        f[use],
        np.exp(ds.attrs["intercept"]) * f[use] ** (-b),
        color="C3",
        label=f"b = {b:.3f} [{ds.attrs['slope_low']:.3f}, {ds.attrs['slope_high']:.3f}]",
    )
    ax.set_xlabel("frequency (1/step)")
    ax.set_ylabel("PSD")
    ax.legend(fontsize=8)
