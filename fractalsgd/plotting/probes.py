"""Figures of the DNN landscape probes (:mod:`fractalsgd.dnn.probes`).

* ``loss_surface``: filled contour (with the projected training path when present) and
  the 3-D surface with the path drawn at its loss on the same plane;
* ``loss_line``: loss (and accuracy) along one direction;
* ``loss_lines``: lines across scales, in the normalised coordinate t and as
  ``|L(alpha) - L(0)|`` against ``|alpha|`` in log-log with slopes 1 and 2 for reference;
* ``loss_path``: loss along a straight or NEB path between two checkpoints;
* ``hessian``: the top eigenvalues (spectrum, or against epoch with the trace).
"""

from __future__ import annotations

import numpy as np

from . import figure


def _has_path(ds):
    return all(v in ds for v in ("path_x", "path_y", "path_loss"))


@figure("loss_surface")
def plot_loss_surface(ds, fig):
    x, y = ds["x"].values, ds["y"].values
    Z = ds["loss"].values
    ax = fig.add_subplot(1, 2, 1)
    cs = ax.contourf(x, y, Z, levels=30, cmap="viridis")
    ax.contour(x, y, Z, levels=15, colors="k", linewidths=0.4, alpha=0.5)
    fig.colorbar(cs, ax=ax, label="loss")
    pca = ds.attrs.get("directions") == "pca"
    ax.set_xlabel("PC 1" if pca else r"$\alpha$ (direction 1)")
    ax.set_ylabel("PC 2" if pca else r"$\beta$ (direction 2)")
    if _has_path(ds):
        px, py = ds["path_x"].values, ds["path_y"].values
        ax.plot(px, py, "-", color="w", lw=1)
        ax.scatter(px, py, c=np.arange(px.size), cmap="autumn", s=12, zorder=3)
        ax.plot(px[-1], py[-1], "r*", ms=10)
        ev = np.atleast_1d(ds.attrs.get("explained_variance", []))
        if ev.size >= 2:
            ax.set_xlabel(f"PC 1 ({100 * ev[0]:.1f} %)")
            ax.set_ylabel(f"PC 2 ({100 * ev[1]:.1f} %)")
    else:
        ax.plot(0, 0, "r*", ms=10)
    ax.set_title("loss surface")
    ax3 = fig.add_subplot(1, 2, 2, projection="3d")
    X, Y = np.meshgrid(x, y)
    ax3.plot_surface(X, Y, Z, cmap="viridis", linewidth=0, antialiased=True, alpha=0.85)
    if _has_path(ds):
        ax3.plot(ds["path_x"].values, ds["path_y"].values, ds["path_loss"].values, "r.-", ms=3)
    ax3.set_zlabel("loss")
    ax3.set_title("3-D view")


@figure("loss_line")
def plot_loss_line(ds, fig):
    ax = fig.add_subplot(1, 1, 1)
    a = ds["alpha"].values
    ax.plot(a, ds["loss"].values, "-", color="C0")
    ax.set_xlabel(r"$\alpha$")
    ax.set_ylabel("loss", color="C0")
    acc = ds["accuracy"].values if "accuracy" in ds else None
    if acc is not None and np.isfinite(acc).any():
        ax2 = ax.twinx()
        ax2.plot(a, acc, "--", color="C1")
        ax2.set_ylabel("accuracy", color="C1")
    ax.set_title("loss along a direction")


@figure("loss_lines")
def plot_loss_lines(ds, fig):
    ax = fig.add_subplot(1, 2, 1)
    ax2 = fig.add_subplot(1, 2, 2)
    t = ds["t"].values
    loss0 = ds.attrs.get("loss0", float(ds["loss"].values[0, np.argmin(np.abs(t))]))
    import matplotlib

    cmap = matplotlib.colormaps["plasma"]
    colors = [cmap(i / max(1, ds.sizes["span"] - 1)) for i in range(ds.sizes["span"])]
    for c, s in zip(colors, ds["span"].values):
        lo = ds["loss"].sel(span=s).values
        dl = lo - loss0
        scale = np.max(np.abs(dl)) if np.any(dl != 0) else 1.0
        ax.plot(t, dl / scale, color=c, label=f"span {s:g}")
        a = np.abs(s * t)
        dl = np.abs(lo - loss0)
        ok = (a > 0) & (dl > 0)
        ax2.loglog(a[ok], dl[ok], ".", color=c, ms=3)
    ax.set_xlabel("t (alpha / span)")
    ax.set_ylabel(r"$(L(\alpha) - L(0))$ / max, per span")
    ax.legend(fontsize=7)
    ax.set_title("lines across scales")
    lim = np.array(ax2.get_xlim())
    ymid = np.exp(np.mean(np.log(ax2.get_ylim())))
    xmid = np.exp(np.mean(np.log(lim)))
    for k, ls in ((1, ":"), (2, "--")):
        ax2.loglog(lim, ymid * (lim / xmid) ** k, "k" + ls, lw=0.8, label=f"slope {k}")
    ax2.set_xlabel(r"$|\alpha|$")
    ax2.set_ylabel(r"$|L(\alpha) - L(0)|$")
    ax2.legend(fontsize=7)


@figure("loss_path")
def plot_loss_path(ds, fig):
    ax = fig.add_subplot(1, 1, 1)
    d = ds["distance"].values
    if "loss_initial" in ds:
        ax.plot(d, ds["loss_initial"].values, "o--", color="0.5", label="straight line")
    label = "NEB" if ds.attrs.get("method") == "neb" else "straight line"
    ax.plot(d, ds["loss"].values, "o-" if d.size < 60 else "-", color="C0", label=label)
    ax.set_xlabel(r"distance from $\theta_a$")
    ax.set_ylabel("loss")
    ax.set_title(f"barrier {ds.attrs.get('barrier', float('nan')):.4g}")
    ax.legend()


@figure("hessian")
def plot_hessian(ds, fig):
    ev = ds["eigenvalues"]
    if "checkpoint" in ev.dims:
        lab = ds.attrs.get("label", "checkpoint")
        xs = ds[lab].values if lab in ds.coords else np.arange(ev.sizes["checkpoint"])
        ax = fig.add_subplot(1, 2 if "trace" in ds else 1, 1)
        for r in range(ev.sizes["rank"]):
            ax.plot(xs, ev.isel(rank=r).values, "-", lw=1.5 if r == 0 else 0.7,
                    color="C0" if r == 0 else "0.6")  # fmt: skip
        ax.set_xlabel(str(lab))
        ax.set_ylabel("Hessian eigenvalue")
        if np.all(ev.values > 0):
            ax.set_yscale("log")
        ax.set_title(f"top {ev.sizes['rank']} eigenvalues")
        if "trace" in ds:
            ax2 = fig.add_subplot(1, 2, 2)
            ax2.errorbar(xs, ds["trace"].values, yerr=ds["trace_stderr"].values, fmt="o-")
            ax2.set_xlabel(str(lab))
            ax2.set_ylabel("trace (Hutchinson)")
    else:
        ax = fig.add_subplot(1, 1, 1)
        ax.plot(ds["rank"].values, ev.values, "o")
        ax.set_xlabel("rank")
        ax.set_ylabel("Hessian eigenvalue")
        if np.all(ev.values > 0):
            ax.set_yscale("log")
        ax.set_title("Hessian spectrum (top)")
