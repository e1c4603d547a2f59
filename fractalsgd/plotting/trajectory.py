"""Figure for trajectories (``result_type`` "trajectory", and files without one)."""

from __future__ import annotations

import json

import numpy as np

from . import figure

#: walkers drawn in the path and loss panels
N_SHOWN = 8


def _grid_background(ds):
    """(grid, extent) of the walkers' grid surface, or None."""
    try:
        cfg = json.loads(ds.attrs.get("config", "{}")).get("landscape")
        if not isinstance(cfg, dict) or cfg.get("name") not in (
            "diamond_square",
            "spectral",
            "shuffled",
        ):
            return None
        from ..landscapes import from_config

        surf = from_config(cfg)
        return surf.grid, surf.extent
    except (ValueError, TypeError, KeyError):
        return None


@figure("trajectory")
def plot_trajectory(ds, fig):
    """Paths of a few walkers in the first two coordinates (over the surface for grid
    landscapes), loss against step, and the mean step length per step when stored."""
    pos = np.asarray(ds["position"].values)
    step = np.asarray(ds["step"].values)
    n_w = pos.shape[0]
    show = np.unique(np.linspace(0, n_w - 1, min(N_SHOWN, n_w)).astype(int))
    has_sl = "step_length" in ds.data_vars and ds["step_length"].size > 0
    axes = fig.subplots(1, 3 if has_sl else 2)
    ax = axes[0]
    if pos.shape[2] >= 2:
        bg = _grid_background(ds)
        if bg is not None:
            im = ax.imshow(bg[0], origin="lower", extent=bg[1], cmap="terrain", alpha=0.8)
            fig.colorbar(im, ax=ax, label="loss")
        for w in show:
            ax.plot(pos[w, :, 0], pos[w, :, 1], lw=0.8)
            ax.plot(pos[w, 0, 0], pos[w, 0, 1], "kx", ms=4)
            ax.plot(pos[w, -1, 0], pos[w, -1, 1], "ko", ms=3)
        ax.set_xlabel("coord 0")
        ax.set_ylabel("coord 1")
        ax.set_title(f"paths of {show.size} of {n_w} walkers (x start, o end)")
    else:
        for w in show:
            ax.plot(step, pos[w, :, 0], lw=0.8)
        ax.set_xlabel("step")
        ax.set_ylabel("position")
        ax.set_title(f"{show.size} of {n_w} walkers")
    ax = axes[1]
    if "loss" in ds.data_vars:
        loss = np.asarray(ds["loss"].values)
        for w in show:
            ax.plot(step, loss[w], lw=0.6, alpha=0.6)
        with np.errstate(all="ignore"):
            ax.plot(step, np.nanmean(loss, axis=0), "k", lw=1.5, label="mean over walkers")
        ax.legend(fontsize=8)
        ax.set_ylabel("loss")
    ax.set_xlabel("step")
    if step.size > 2 and step[1] > 0 and step[-1] / max(step[1], 1) > 100:
        ax.set_xscale("log")
    ax.set_title("loss at the snapshots")
    if has_sl:
        ax = axes[2]
        it = np.asarray(ds["iteration"].values)
        ax.plot(it, ds["step_length"].values, lw=0.6)
        ax.set_xscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel("mean step length")
        ax.set_title("mean over walkers of |x_t - x_(t-1)|")
    status = ds.attrs.get("status")
    if status and status != "completed":
        fig.suptitle(f"status: {status}")
