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


_SURF_COL = {"fractal": "C3", "shuffled": "C0", "cone": "C2"}


@figure("toy_paper")
def plot_toy_paper(ds, fig):
    """Pooled TAMSD, beta(tau), success S(t) with bands, final-loss distribution."""
    ax = fig.subplots(1, 4)
    lags = ds["lag"].values
    for s in ds["surface"].values:
        col = _SURF_COL.get(str(s), None)
        d = ds.sel(surface=s)
        ax[0].loglog(lags, d["tamsd"], color=col, label=str(s))
        ax[1].semilogx(lags, d["beta"], color=col, label=str(s))
        dc = d.sel(criterion="loss_eps_0.05")
        ax[2].plot(ds["t"], dc["success"], color=col, label=str(s))
        ax[2].fill_between(ds["t"], dc["success_lo"], dc["success_hi"], color=col, alpha=0.25)
        h = d["final_hist"].values
        x = np.append(ds["bin_edge_lo"].values, 1.0)
        ax[3].step(x, np.append(np.cumsum(h) / h.sum(), 1.0), where="post", color=col,
                   label=str(s))  # fmt: skip
    l0 = lags[0]
    y0 = float(ds["tamsd"].isel(surface=0, lag=0))
    ax[0].loglog(lags, y0 * lags / l0, "k--", lw=0.7, label="slope 1")
    ax[0].loglog(lags, y0 * (lags / l0) ** 2, "k:", lw=0.7, label="slope 2")
    ax[0].set(xlabel=r"lag $\tau$", ylabel="pooled TAMSD", title="MSD (all walkers)")
    ax[1].axhline(1, color="k", lw=0.7)
    ax[1].set_xlim(1, lags[-1] / 4)  # longer lags have few pairs (not fitted either)
    ax[1].set_ylim(-0.2, 2.5)
    ax[1].set(xlabel=r"lag $\tau$", ylabel=r"$\beta(\tau)$", title="local exponent")
    ax[2].set(xlabel="step t", ylabel="fraction succeeded",
              title="success: loss within 5% of range of min")  # fmt: skip
    ax[3].set(xlabel="final (L - L_min) / range", ylabel="CDF", title="final loss")
    for a in ax:
        a.legend(fontsize=7)
    fig.tight_layout()
    lines = [str(ds.attrs[k]) for k in sorted(ds.attrs) if k.startswith("statement")]
    fig.text(0.01, -0.01, "\n".join(lines), fontsize=7, va="top", ha="left")


@figure("dnn_msd")
def plot_dnn_msd(ds, fig):
    """Per model (rows): windowed TAMSD, beta(tau), aging MSD, whole-run view."""
    models = [str(m) for m in ds["model"].values]
    fig.set_size_inches(16, 3.6 * len(models))
    axes = np.atleast_2d(fig.subplots(len(models), 4))
    for r, m in enumerate(models):
        d = ds.sel(model=m)
        msd_panel(axes[r, 0], d["tamsd"].mean("seed"), f"{m}: windowed TAMSD (seed mean)")
        beta_panel(axes[r, 1], d["beta"], f"{m}: " + r"$\beta(\tau)$, dashed: $\tau_0$",
                   tau0=np.asarray(d["tau0_mean"], float))  # fmt: skip
        msd_panel(axes[r, 2], d["aging_msd"].dropna("lag", how="all"),
                  f"{m}: aging MSD " + r"$\Delta(t_w, t_w+\tau)$")  # fmt: skip
        axes[r, 2].set_ylabel(r"$\Delta(t_w, t_w+\tau)$ (seed mean)")
        a = axes[r, 3]
        for s in d["seed"].values:
            a.loglog(d["long_lag"], d["long_tamsd"].sel(seed=s), label=f"seed {int(s)}")
        lg = np.asarray(d["long_lag"], float)
        y0 = float(d["long_tamsd"].isel(seed=0, long_lag=0))
        a.loglog(lg, y0 * lg, "k--", lw=0.7, label="slope 1")
        a.loglog(lg, y0 * lg**2, "k:", lw=0.7, label="slope 2")
        a.set(xlabel=r"lag $\tau$", ylabel="TAMSD (sketch)", title=f"{m}: whole run")
        a.legend(fontsize=6)
    fig.tight_layout()
    lines = [str(ds.attrs[k]) for k in sorted(ds.attrs) if k.startswith("statement")]
    fig.text(0.01, -0.01, "\n".join(lines), fontsize=8, va="top", ha="left")


@figure("dnn_vs_walkers")
def plot_dnn_vs_walkers(ds, fig):
    """TAMSD (scaled to 1 at lag 1) and beta(tau) of every source; fitted exponents."""
    fig.set_size_inches(16, 4.5)
    ax = fig.subplots(1, 3)
    src = [str(s) for s in ds["source"].values]
    cols = {s: f"C{i}" for i, s in enumerate(src)}
    for s in src:
        d = ds.sel(source=s)
        t = d["tamsd"].dropna("lag")
        ls = "--" if s.startswith("reference") else "-"
        ax[0].loglog(t["lag"], t / float(t[0]), ls, color=cols[s], label=s)
        b = d["beta"].dropna("lag")
        ax[1].semilogx(b["lag"], b, ls, color=cols[s], label=s)
    lg = np.array([1.0, 1e3])
    ax[0].loglog(lg, lg, "k:", lw=0.7)
    ax[0].loglog(lg, lg**2, "k:", lw=0.7)
    ax[0].set(xlabel=r"lag $\tau$", ylabel=r"TAMSD / TAMSD($\tau$=1)",
              title="first window (dotted: slopes 1, 2)")  # fmt: skip
    ax[1].axhline(1, color="k", lw=0.7)
    ax[1].set(xlabel=r"lag $\tau$", ylabel=r"$\beta(\tau)$", title="local exponent")
    x = np.arange(len(src))
    for k, (name, off) in enumerate((("beta1", -0.15), ("beta2", 0.15))):
        v = ds[name].values
        err = np.abs(np.stack([v - ds[name + "_lo"].values, ds[name + "_hi"].values - v]))
        ax[2].errorbar(x + off, v, yerr=err, fmt="o^"[k], label=name, capsize=3)
    ax[2].axhline(1, color="k", lw=0.7)
    ax[2].set_xticks(x, src, rotation=40, ha="right", fontsize=7)
    ax[2].set(ylabel="fitted exponent (95% CI)", title="two-regime fit per source")
    for a in ax:
        a.legend(fontsize=6)
    fig.tight_layout()


@figure("dnn_tails")
def plot_dnn_tails(ds, fig):
    """alpha against t_w (both estimators, with the Gaussian control), |dL| with its moving
    variance, avalanche-duration distribution."""
    fig.set_size_inches(16, 4)
    ax = fig.subplots(1, 3)
    tw = ds["t_w"].values
    for q, col in zip(ds["quantity"].values, ("C3", "C0", "0.5")):
        for m, mk in zip(ds["estimator"].values, ("o-", "s--")):
            d = ds.sel(quantity=q, estimator=m)
            err = np.abs(np.stack([d.alpha - d.alpha_lo, d.alpha_hi - d.alpha]))
            ax[0].errorbar(tw, d.alpha, yerr=err, fmt=mk, color=col, capsize=2, ms=3,
                           label=f"{q} ({m})")  # fmt: skip
    ax[0].axhline(2, color="k", lw=0.7)
    ax[0].set(xlabel="$t_w$ (step)", ylabel=r"$\alpha$", title="tail index per window")
    ax[0].legend(fontsize=6)
    it = ds["iteration"].values
    ax[1].semilogy(it, ds["abs_dloss"], lw=0.5, label="|dL|")
    ax[1].semilogy(it, ds["moving_variance"], lw=1, label="moving variance")
    ax[1].axhline(ds.attrs["burst_threshold"], color="k", lw=0.7, ls="--", label="threshold")
    ax[1].set(xlabel="step", title="loss changes")
    ax[1].legend(fontsize=6)
    n = ds["duration_count"].values
    if n.sum():
        d = ds["duration"].values
        ccdf = n[::-1].cumsum()[::-1] / n.sum()
        ax[2].loglog(d, ccdf, "o", ms=3)
    ax[2].set(xlabel="avalanche duration (steps)", ylabel="P(D >= d)",
              title="avalanche durations")  # fmt: skip
    fig.tight_layout()
    fig.text(0.01, -0.01, ds.attrs["statement_tails"] + "\n" + ds.attrs["statement_bursts"],
             fontsize=8, va="top")  # fmt: skip


@figure("toy_phase_diagram")
def plot_toy_phase_diagram(ds, fig):
    """Rows: families; columns: beta1, beta2, success (Gaussian) and beta1, success (Levy)
    over Hurst x noise at the largest learning rate."""
    fams = [str(f) for f in ds["family"].values]
    cols = [("beta1", "gaussian"), ("beta2", "gaussian"), ("success", "gaussian"),
            ("beta1", "levy"), ("success", "levy")]  # fmt: skip
    cols = [(v, k) for v, k in cols if k in ds["noise_kind"].values]
    fig.set_size_inches(3.4 * len(cols), 2.8 * len(fams))
    ax = np.atleast_2d(fig.subplots(len(fams), len(cols)))
    lr = ds["lr"].values[-1]
    for r, f in enumerate(fams):
        for j, (v, k) in enumerate(cols):
            z = ds[v].sel(family=f, noise_kind=k, lr=lr).transpose("hurst", "noise").values
            vmin, vmax = (0, 1) if v == "success" else (0, 2)
            cmap = "viridis" if v == "success" else "RdBu_r"
            a = ax[r, j]
            a.imshow(z, origin="lower", aspect="auto", vmin=vmin, vmax=vmax, cmap=cmap)
            for (i, jj), val in np.ndenumerate(z):
                a.text(jj, i, f"{val:.2f}", ha="center", va="center", fontsize=6)
            a.set_xticks(range(ds.sizes["noise"]), [f"{x:g}" for x in ds["noise"].values],
                         fontsize=6)  # fmt: skip
            a.set_yticks(range(ds.sizes["hurst"]), [f"{x:g}" for x in ds["hurst"].values],
                         fontsize=6)  # fmt: skip
            a.set_title(f"{f}: {v} ({k}, lr {lr:g})", fontsize=8)
            a.set_xlabel("noise", fontsize=7)
            a.set_ylabel("H", fontsize=7)
    fig.tight_layout()
    lines = [str(ds.attrs[k]) for k in sorted(ds.attrs) if k.startswith("statement")]
    fig.text(0.01, -0.01, "\n".join(lines), fontsize=8, va="top")


@figure("dnn_grid")
def plot_dnn_grid(ds, fig):
    """First-window TAMSD per run, and beta1 / beta2 / tau0 per run and window."""
    runs = [str(r) for r in ds["run"].values]
    fig.set_size_inches(18, 4.5)
    ax = fig.subplots(1, 4)
    for i, r in enumerate(runs):
        t = ds["tamsd"].sel(run=r).isel(window=0).dropna("lag")
        ax[0].loglog(t["lag"], t / float(t[0]), color=f"C{i % 10}", label=r)
    lg = np.array([1.0, float(ds["lag"].max())])
    ax[0].loglog(lg, lg, "k:", lw=0.7)
    ax[0].loglog(lg, lg**2, "k:", lw=0.7)
    ax[0].set(xlabel=r"lag $\tau$", ylabel=r"TAMSD / TAMSD(1)", title="first window")
    ax[0].legend(fontsize=5)
    x = np.arange(len(runs))
    for a, v in zip(ax[1:], ("beta1", "beta2", "tau0")):
        for w in ds["window"].values:
            d = ds.sel(window=w)
            val = d[v].values
            err = np.abs(np.stack([val - d[v + "_lo"].values, d[v + "_hi"].values - val]))
            off = (w - ds.sizes["window"] / 2) * 0.1
            a.errorbar(x + off, val, yerr=err, fmt="o", ms=3, capsize=2,
                       label=f"t_w={int(d['t_w'])}")  # fmt: skip
        if v != "tau0":
            a.axhline(1, color="k", lw=0.7)
        else:
            a.set_yscale("log")
        a.set_xticks(x, runs, rotation=60, ha="right", fontsize=6)
        a.set_title(v)
        a.legend(fontsize=6)
    fig.tight_layout()


@figure("toy_landscape_graphs")
def plot_toy_landscape_graphs(ds, fig):
    """Escape-barrier distributions and the per-surface measures with intervals."""
    ax = fig.subplots(1, 4)
    edges = np.append(ds["barrier_edge_lo"].values, ds["barrier_edge_hi"].values[-1])
    centres = np.sqrt(edges[1:] * edges[:-1])
    for s in ds["surface"].values:
        n = ds["escape_barrier_count"].sel(surface=s).values
        if n.sum():
            ax[0].loglog(centres, n / n.sum(), "o-", ms=3, color=_SURF_COL.get(str(s)),
                         label=str(s))  # fmt: skip
    ax[0].set(xlabel="escape barrier", ylabel="fraction of minima", title="barriers")
    ax[0].legend(fontsize=7)
    x = np.arange(ds.sizes["surface"])
    for a, v, lab in zip(ax[1:], ("n_minima", "funnel", "reach_global"),
                         ("minima", "funnel fraction", "reach global basin")):  # fmt: skip
        val = ds[v].values
        err = np.abs(np.stack([val - ds[v + "_lo"].values, ds[v + "_hi"].values - val]))
        a.bar(x, val, yerr=err, color=[_SURF_COL.get(str(s)) for s in ds["surface"].values],
              capsize=3)  # fmt: skip
        a.set_xticks(x, [str(s) for s in ds["surface"].values])
        a.set_title(lab)
        if v == "n_minima":
            a.set_yscale("log")
    fig.tight_layout()
    fig.text(0.01, -0.01, str(ds.attrs.get("statement", "")), fontsize=7, va="top", wrap=True)


@figure("dnn_landscape")
def plot_dnn_landscape(ds, fig):
    """MSL vs distance, TAMSD vs contour length, transverse excursion, multi-scale loss
    lines, top Hessian eigenvalues over training."""
    fig.set_size_inches(20, 4)
    ax = fig.subplots(1, 5)
    for v, lab in (("msl_minibatch", "minibatch loss"), ("msl_probe", "probe loss")):
        dr, m = ds[v + "_dr"].values, ds[v].values
        ok = np.isfinite(m) & (m > 0)
        ax[0].loglog(dr[ok], m[ok], "o-", ms=3, label=lab)
    ax[0].set(xlabel="distance dr (sketch)", ylabel="MSL", title="mean squared loss difference")
    ax[0].legend(fontsize=7)
    ax[1].loglog(ds["contour_length"], ds["contour_tamsd"], "o-", ms=3)
    s = ds["contour_length"].values
    ax[1].loglog(s, s**2, "k:", lw=0.7, label="straight path: dr^2 = s^2")
    ax[1].set(xlabel="contour length s", ylabel="TAMSD", title="displacement vs path length")
    ax[1].legend(fontsize=7)
    ax[2].loglog(ds["end_to_end"], ds["transverse"], ".", ms=2)
    ax[2].set(xlabel="end-to-end distance", ylabel="max squared transverse excursion",
              title="fragments of the path")  # fmt: skip
    for i, sp in enumerate(ds["span"].values):
        y = ds["line_loss"].sel(span=sp).values
        ax[3].plot(ds["line_t"], y - y[len(y) // 2], color=f"C{i}",
                   label=f"span {sp:g}: H={float(ds['line_hurst'].sel(span=sp)):.2f}")  # fmt: skip
    ax[3].set_yscale("symlog", linthresh=1e-4)
    ax[3].set(xlabel="t (line coordinate / span)", ylabel="L - L(0)", title="loss lines")
    ax[3].legend(fontsize=6)
    e = ds["hessian_eig"].values
    for j in range(e.shape[1]):
        ax[4].plot(ds["snapshot_step"], e[:, j], "o-", ms=3)
    ax[4].set(xlabel="step", ylabel="eigenvalue", title="top Hessian eigenvalues")
    fig.tight_layout()
    fig.text(0.01, -0.01, str(ds.attrs.get("statement", "")), fontsize=8, va="top")
