"""The MSD figure (``result_type`` "msd", written by ``fractalsgd analyze``): the layout of
Chen, Qu & Gong (2022), Fig. 2 - log-log TAMSD per waiting time t_w with reference slopes
1 and 2, the local exponent beta(tau) coloured by t_w, and the aging MSD."""

from __future__ import annotations

import numpy as np

from . import figure


def _curves(ds):
    """(label, t_w, lag, tamsd, beta, aging_lag, aging, tau0) preferring the exact recorded
    full-weight curves of a DNN run over the sketch."""
    if "recorded_tamsd" in ds.data_vars:
        ag = ds["recorded_aging_msd"].values if "recorded_aging_msd" in ds else None
        return (
            "recorded TAMSD (all weights, exact)",
            ds["rec_t_w"].values,
            ds["rec_lag"].values,
            ds["recorded_tamsd"].values,
            ds["recorded_beta"].values,
            ds["rec_lag"].values,
            ag,
            ds["recorded_tau0"].values,
        )
    return (
        f"TAMSD (mean of {ds.sizes['walker']} walker(s))",
        ds["t_w"].values,
        ds["lag"].values,
        ds["tamsd_mean"].values,
        ds["beta_mean"].values,
        ds["aging_lag"].values,
        ds["aging_msd_mean"].values,
        ds["tau0"].values,
    )


@figure("msd")
def plot_msd(ds, fig):
    """Three panels: TAMSD per t_w (log-log, slopes 1 and 2), beta(tau), aging MSD."""
    import matplotlib as mpl

    label, tw, lag, msd, beta, alag, aging, tau0 = _curves(ds)
    cmap = mpl.colormaps["viridis"]
    norm = mpl.colors.Normalize(vmin=float(tw.min()), vmax=float(max(tw.max(), tw.min() + 1)))
    axes = fig.subplots(1, 3)
    ax = axes[0]
    for i, t in enumerate(tw):
        ok = np.isfinite(msd[i]) & (msd[i] > 0)
        ax.loglog(lag[ok], msd[i, ok], color=cmap(norm(t)), lw=1)
        for t0 in tau0[i][np.isfinite(tau0[i])]:
            j = np.argmin(np.abs(lag - t0))
            if ok[j]:
                ax.plot(lag[j], msd[i, j], "o", color=cmap(norm(t)), ms=3)
    good = np.isfinite(msd) & (msd > 0)
    if good.any():
        l0 = float(lag[np.argmax(good.any(axis=0))])
        m0 = float(np.nanmin(np.where(good, msd, np.nan)[:, np.argmax(good.any(axis=0))]))
        ref = np.array([l0, float(lag[good.any(axis=0)].max())])
        ax.loglog(ref, m0 * (ref / l0), "k--", lw=0.8, label="slope 1")
        ax.loglog(ref, m0 * (ref / l0) ** 2, "k:", lw=0.8, label="slope 2")
        ax.legend(loc="upper left", fontsize=8)
    ax.set_xlabel("lag tau (steps)")
    ax.set_ylabel("TAMSD")
    ax.set_title(label, fontsize=9)
    ax = axes[1]
    for i, t in enumerate(tw):
        ax.semilogx(lag, beta[i], color=cmap(norm(t)), lw=1)
    ax.axhline(1.0, color="k", lw=0.8, ls="--")
    fin = beta[np.isfinite(beta)]
    if fin.size:  # the last lags of a window rest on few pairs: keep them from the y-scale
        lo, hi = np.percentile(fin, [2, 95])
        ax.set_ylim(min(0.0, lo - 0.1), max(2.2, hi + 0.1))
    ax.set_xlabel("lag tau (steps)")
    ax.set_ylabel("local exponent beta(tau)")
    ax.set_title("beta(tau), coloured by t_w", fontsize=9)
    fig.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, label="t_w (step)")
    ax = axes[2]
    if aging is not None:
        for i, t in enumerate(tw):
            ok = np.isfinite(aging[i]) & (aging[i] > 0)
            ax.loglog(alag[ok], aging[i, ok], color=cmap(norm(t)), lw=1)
    ax.set_xlabel("tau (steps)")
    ax.set_ylabel("Delta(t_w, t_w + tau)")
    ax.set_title("aging MSD (single reference)", fontsize=9)
    fig.tight_layout()


@figure("ergodicity")
def plot_ergodicity(ds, fig):
    """EB(lag) with its jackknife error, and the amplitude-scatter distribution of
    xi = delta^2 / <delta^2> (first window when windowed)."""
    axes = fig.subplots(1, 2)
    eb, se = ds["eb"], ds["eb_se"]
    if "t_w" in eb.dims:
        eb, se = eb.isel(t_w=0), se.isel(t_w=0)
    lag = ds["lag"].values
    ax = axes[0]
    ax.errorbar(lag, eb.values, yerr=se.values, fmt="o-", ms=3, label="EB (jackknife s.e.)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("lag (steps)")
    ax.set_ylabel("EB")
    ax.set_title("ergodicity-breaking parameter", fontsize=9)
    ax.legend(fontsize=8)
    ax = axes[1]
    xi = ds["xi"]
    if "t_w" in xi.dims:
        xi = xi.isel(t_w=0)
    for j, lg in enumerate(lag[: min(4, lag.size)]):
        ax.hist(xi.values[:, j], bins=30, density=True, histtype="step", label=f"lag {lg}")
    ax.set_xlabel("xi = delta^2 / <delta^2>")
    ax.set_ylabel("density")
    ax.set_title("amplitude scatter", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()


@figure("msd_vs_contour")
def plot_msd_vs_contour(ds, fig):
    """TAMSD against mean contour length, log-log, with slopes 1 (random walk) and 2
    (straight path)."""
    ax = fig.subplots(1, 1)
    s, m = ds["contour"].values, ds["tamsd"].values
    for w in range(min(8, s.shape[0])):
        ok = (s[w] > 0) & (m[w] > 0)
        ax.loglog(s[w, ok], m[w, ok], lw=1)
    ok = (s > 0) & (m > 0)
    if ok.any():
        s0, m0 = s[ok].min(), m[ok].min()
        ref = np.array([s0, s[ok].max()])
        ax.loglog(ref, m0 * ref / s0, "k--", lw=0.8, label="slope 1")
        ax.loglog(ref, m0 * (ref / s0) ** 2, "k:", lw=0.8, label="slope 2 (straight)")
        ax.legend(fontsize=8)
    ax.set_xlabel("contour length s")
    ax.set_ylabel("TAMSD")
    ax.set_title("MSD against contour length", fontsize=9)


@figure("transverse")
def plot_transverse(ds, fig):
    """Transverse excursion h^2 against squared end-to-end distance of random fragments."""
    ax = fig.subplots(1, 1)
    r2 = ds["end_to_end"].values ** 2
    h2 = ds["transverse"].values
    ok = (r2 > 0) & (h2 > 0)
    ax.loglog(r2[ok], h2[ok], ".", ms=3, alpha=0.5)
    ax.set_xlabel("end-to-end distance^2")
    ax.set_ylabel("max squared distance from chord")
    ax.set_title(f"transverse excursion ({int(ok.sum())} fragments)", fontsize=9)
