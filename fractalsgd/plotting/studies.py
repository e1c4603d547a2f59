"""Figures of the studies (``fractalsgd plot data/<study>/<file>.nc`` draws them too)."""

from __future__ import annotations

import numpy as np

from . import figure


def _tw_colours(n):
    import matplotlib.pyplot as plt

    return plt.cm.viridis(np.linspace(0, 0.9, max(n, 1)))


def msd_panel(ax, tamsd, title, *, guides=True):
    """Log-log TAMSD per waiting time (rows of ``tamsd(t_w, lag)``), with slopes 1 and 2."""
    lags = np.asarray(tamsd["lag"], float)
    cols = _tw_colours(tamsd.sizes["t_w"])
    for c, tw in zip(cols, tamsd["t_w"].values):
        y = np.asarray(tamsd.sel(t_w=tw), float)
        ok = np.isfinite(y) & (y > 0)
        if ok.any():
            ax.loglog(lags[ok], y[ok], color=c, lw=1.2, label=f"$t_w$={int(tw)}")
    if guides:
        y = np.asarray(tamsd.isel(t_w=0), float)
        ok = np.isfinite(y) & (y > 0)
        if ok.sum() > 1:
            l0, y0 = lags[ok][0], y[ok][0]
            lx = np.array([l0, lags[ok][-1]])
            ax.loglog(lx, y0 * (lx / l0), "k--", lw=0.8, label="slope 1")
            ax.loglog(lx, y0 * (lx / l0) ** 2, "k:", lw=0.8, label="slope 2")
    ax.set_xlabel(r"lag $\tau$ (steps)")
    ax.set_ylabel(r"TAMSD $\overline{\delta^2}(\tau; t_w)$")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=6, ncol=2)


def beta_panel(ax, beta, title, *, tau0=None):
    """Local exponent beta(tau) per waiting time, with the line beta = 1."""
    lags = np.asarray(beta["lag"], float)
    cols = _tw_colours(beta.sizes["t_w"])
    for i, (c, tw) in enumerate(zip(cols, beta["t_w"].values)):
        y = np.asarray(beta.sel(t_w=tw), float)
        ok = np.isfinite(y)
        ax.semilogx(lags[ok], y[ok], color=c, lw=1.2, label=f"$t_w$={int(tw)}")
        if tau0 is not None and np.isfinite(tau0[i]):
            ax.axvline(tau0[i], color=c, lw=0.6, ls="--")
    ax.axhline(1, color="k", lw=0.8)
    ax.set_xlabel(r"lag $\tau$ (steps)")
    ax.set_ylabel(r"local exponent $\beta(\tau)$")
    ax.set_title(title, fontsize=10)


def per_source(ds, src):
    """One source of a stacked study summary as a Dataset over (t_w, lag)."""
    sub = ds.sel(source=src)
    sub = sub.isel(window=np.flatnonzero(np.isfinite(sub["t_w"].values)))
    sub = sub.assign_coords(t_w=("window", sub["t_w"].values.astype(np.int64)))
    sub = sub.swap_dims(window="t_w").drop_vars("window")
    return sub.dropna("lag", how="all", subset=["tamsd"])


@figure("quickstart_summary")
def plot_quickstart(ds, fig):
    """TAMSD per t_w and beta(tau) for the DNN and the walkers, verdicts underneath."""
    sources = [str(s) for s in ds["source"].values]
    axes = fig.subplots(1, 2 * len(sources))
    for k, src in enumerate(sources):
        sub = per_source(ds, src)
        msd_panel(axes[2 * k], sub["tamsd"], f"{src}: windowed TAMSD")
        beta_panel(
            axes[2 * k + 1],
            sub["beta"],
            f"{src}: " + r"$\beta(\tau)$, dashed: fitted $\tau_0$",
            tau0=np.asarray(sub["tau0"], float),
        )
    lines = [str(ds.attrs[f"statement_{s}"]) for s in sources if f"statement_{s}" in ds.attrs]
    fig.tight_layout()
    fig.text(0.01, -0.01, "\n".join(lines), fontsize=8, va="top", ha="left")
