"""Energy-landscape view of the toy model: disconnectivity graphs, funnels and barriers of
the fractal (diamond-square), shuffled and convex (cone) surfaces, and the basins the
paper's walkers actually visit.

For each realisation the surface grid gives every local minimum, its steepest-descent
basin and the lowest saddle between adjacent basins (:mod:`fractalsgd.energy`, 8-neighbour
grid rules); from these: the number of minima, the funnel fraction (minima whose minimax
path to the global minimum descends monotonically), escape barriers (lowest saddle
minus minimum) and barriers to the global minimum. The paper's walkers (eta 0.02,
sigma 0.01, 1000 steps, redraw) then run on the same surface: distinct basins visited
per walker and the fraction that enters the global minimum's basin.
Intervals: percentile bootstrap over realisations.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from . import _common as c

DESCRIPTION = "disconnectivity graphs, funnels, barriers and visited basins of toy surfaces"

SURFACES = ("fractal", "shuffled", "cone")
CONFIGS = {
    "smoke": {"levels": 6, "realisations": 2, "walkers": 10, "steps": 200, "seed": 0,
              "n_boot": 50},
    "quick": {"levels": 10, "realisations": 6, "walkers": 100, "steps": 1000, "seed": 0,
              "n_boot": 500},
    "full": {"levels": 10, "realisations": 200, "walkers": 1000, "steps": 1000, "seed": 0,
             "n_boot": 1000},
}  # fmt: skip
LR, NOISE = 0.02, 0.01
BARRIER_BINS = np.geomspace(1e-5, 1.0, 26)


def surface(kind: str, k: int, cfg: dict):
    """(landscape the walkers run on, its loss grid, extent) of realisation k; the cone is
    analytic for the walkers and sampled on the diamond-square grid for the network."""
    from ..landscapes import Cone, DiamondSquare, ShuffledControl

    ds = DiamondSquare(levels=cfg["levels"], seed=cfg["seed"] + k)
    if kind == "fractal":
        return ds, ds.grid, ds.extent
    if kind == "shuffled":
        sh = ShuffledControl(ds, seed=cfg["seed"] + k)
        return sh, sh.grid, sh.extent
    xs, ys = ds.coordinates()
    cone = Cone(dim=2)
    return cone, cone.offset + cone.slope * np.hypot(*np.meshgrid(xs, ys)), ds.extent


def run(scale: str, out_dir, *, progress: bool = True):
    from .. import simulate
    from ..energy import (
        LandscapeNetwork,
        barrier_distribution,
        disconnectivity,
        first_passage,
        funnel_fraction,
        grid_basin_lookup,
    )

    cfg = CONFIGS[scale]
    R = cfg["realisations"]
    names = ("n_minima", "funnel", "visited", "reach_global", "median_escape")
    per = {k: np.full((len(SURFACES), R), np.nan) for k in names}
    hist = np.zeros((len(SURFACES), BARRIER_BINS.size - 1), dtype=np.int64)
    trees = {}
    it = [(i, s, k) for i, s in enumerate(SURFACES) for k in range(R)]
    if progress:
        from tqdm import tqdm

        it = tqdm(it, desc="toy_landscape_graphs")
    for i, s, k in it:
        land, grid, extent = surface(s, k, cfg)
        net = LandscapeNetwork.from_grid(grid, extent=extent)
        per["n_minima"][i, k] = net.n_minima
        per["funnel"][i, k] = funnel_fraction(net)[0]
        esc = barrier_distribution(net, "escape")
        esc = esc[np.isfinite(esc)]
        per["median_escape"][i, k] = np.median(esc) if esc.size else np.nan
        hist[i] += np.histogram(esc, BARRIER_BINS)[0]
        tr = simulate(land, cfg["walkers"], cfg["steps"], LR, NOISE, boundary="redraw",
                      box=(-1.0, 1.0), seed=cfg["seed"] + k, progress=False)  # fmt: skip
        lookup = grid_basin_lookup(grid, extent=extent)
        basins = lookup(tr["position"].values.reshape(-1, 2)).reshape(cfg["walkers"], -1)
        per["visited"][i, k] = np.mean([np.unique(b).size for b in basins])
        per["reach_global"][i, k] = first_passage(tr, lookup, net.global_minimum).fraction
        if k == 0:
            visits = np.bincount(basins.ravel(), minlength=net.n_minima)
            trees[s] = (disconnectivity(net), visits)
    data = {}
    for key, v in per.items():
        est = [c.bootstrap_ci(v[j], n_boot=cfg["n_boot"], seed=cfg["seed"]) for j in range(3)]
        est = np.array(est)
        data[key] = (("surface",), est[:, 0])
        data[key + "_lo"] = (("surface",), est[:, 1])
        data[key + "_hi"] = (("surface",), est[:, 2])
        data[key + "_each"] = (("surface", "realisation"), v)
    data["escape_barrier_count"] = (("surface", "barrier_bin"), hist)
    coords = {"surface": list(SURFACES), "barrier_edge_lo": ("barrier_bin", BARRIER_BINS[:-1]),
              "barrier_edge_hi": ("barrier_bin", BARRIER_BINS[1:])}  # fmt: skip
    ds = xr.Dataset(data, coords=coords)
    att = {
        "statement": "; ".join(
            f"{s}: {float(ds.n_minima.sel(surface=s)):.0f} minima, funnel fraction "
            f"{float(ds.funnel.sel(surface=s)):.3f} [{float(ds.funnel_lo.sel(surface=s)):.3f}, "
            f"{float(ds.funnel_hi.sel(surface=s)):.3f}], walkers visit "
            f"{float(ds.visited.sel(surface=s)):.1f} basins and "
            f"{float(ds.reach_global.sel(surface=s)):.1%} reach the global basin"
            for s in SURFACES
        )
    }
    out = c.study_result("toy_landscape_graphs", scale, "toy_landscape_graphs", ds.data_vars,
                         ds.coords, config=cfg, seed=cfg["seed"], **att)  # fmt: skip
    print(att["statement"])
    path = c.write(out, out_dir, "summary")
    png = out_dir / "disconnectivity.png"
    _draw_trees(trees, png)
    from ..plotting import draw

    return [path, draw(out, out_dir / "summary.png"), png]


def _draw_trees(trees: dict, path):
    """Disconnectivity graphs of realisation 0, minima coloured by walker visits (log)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, len(trees), figsize=(6 * len(trees), 5))
    for a, (s, (tree, visits)) in zip(np.atleast_1d(ax), trees.items()):
        tree.plot(a, color=np.log10(1 + visits), color_label="log10(1 + walker visits)")
        a.set_title(f"{s}: {tree.n} minima")
    c.save_figure(fig, path.parent, path.stem)
