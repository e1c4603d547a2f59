"""Figure for a saved landscape network: disconnectivity graph and barrier statistics."""

from __future__ import annotations

import warnings

import numpy as np

from . import figure


@figure("landscape_network")
def plot_landscape_network(ds, fig):
    """Left: disconnectivity graph (branches coloured by log10 basin size). Right:
    escape-barrier histogram and minima per energy band."""
    from ..energy import LandscapeNetwork, barrier_distribution, disconnectivity

    net = LandscapeNetwork.from_dataset(ds)
    n_levels = int(ds.attrs.get("n_levels", 20))
    tree = disconnectivity(net, n_levels=n_levels)
    ax = fig.add_subplot(1, 2, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the note is drawn as the panel title instead
        tree.plot(ax, color=np.log10(np.maximum(net.basin_size, 1)), color_label="log10 basin size")
    if tree.n_components == 1:
        ax.set_title(
            f"disconnectivity graph: {net.n_minima} minima, {net.n_ts} transition states",
            fontsize=9,
        )
    ax2 = fig.add_subplot(1, 2, 2)
    esc = barrier_distribution(net, "escape")
    esc = esc[np.isfinite(esc)]
    if esc.size:
        ax2.hist(esc, bins=min(50, max(5, esc.size // 5)), color="0.4")
    ax2.set_xlabel("escape barrier (lowest saddle - minimum)")
    ax2.set_ylabel("minima")
    ax2.set_title(f"global minimum E = {net.energy.min():.4g}", fontsize=9)
