"""Quick start: a short ResNet run on ``digits`` and a walker ensemble on the paper's fractal
toy landscape, both measured the paper's way (windowed TAMSD, beta(tau), two-regime fit).

Outputs: ``summary.nc`` (result_type ``quickstart_summary``: TAMSD, beta and the fitted
beta1 / beta2 / tau0 with 95 % intervals per source and window; attrs ``statement_dnn``,
``statement_walkers`` say in one sentence whether superdiffusion turned into
subdiffusion) and ``summary.png`` (the figure of ``fractalsgd plot summary.nc``).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from . import _common as c

DESCRIPTION = "short ResNet-14 run on digits + fractal-landscape walkers: TAMSD, beta, crossover"

#: the DNN half on CPU: native 8x8 one-channel digits, one torch thread (bit-reproducible)
DNN_BASE = dict(model="resnet14", dataset="digits", image_size=8, channels=1, threads=1,
                lr=0.1, seed=0)  # fmt: skip
#: the walker half: the paper's toy model (SCIENCE.md) on diamond-square realisations
WALKER_BASE = dict(lr=0.02, noise=0.01, boundary="redraw", seed=0)

#: per scale: the DNN run (fractalsgd.dnn.train arguments) and the walker ensemble
CONFIGS = {
    "smoke": {
        "dnn": {
            **DNN_BASE,
            **dict(
                steps=60,
                window=30,
                batch_size=32,
                sketch_dim=32,
                probe_every=30,
                probe_size=64,
                grad_samples=100,
                increment_samples=100,
            ),
        },  # fmt: skip
        "walkers": {
            **WALKER_BASE,
            **dict(landscapes=2, walkers=20, steps=400, window=100, levels=8),
        },  # fmt: skip
        "n_boot": 50,
    },
    "quick": {
        "dnn": {
            **DNN_BASE,
            **dict(
                steps=400,
                window=100,
                batch_size=128,
                sketch_dim=64,
                probe_every=50,
                probe_size=256,
                grad_samples=1000,
                increment_samples=1000,
            ),
        },  # fmt: skip
        "walkers": {
            **WALKER_BASE,
            **dict(landscapes=10, walkers=50, steps=1000, window=250, levels=10),
        },  # fmt: skip
        "n_boot": 300,
    },
    "full": {
        "dnn": dict(
            model="resnet14",
            dataset="cifar10",
            steps=24500,
            window=1000,
            batch_size=1024,
            lr=0.1,
            seed=0,
        ),  # fmt: skip
        "walkers": {
            **WALKER_BASE,
            **dict(landscapes=100, walkers=100, steps=1000, window=250, levels=10),
        },  # fmt: skip
        "n_boot": 1000,
    },
}


def walker_tamsd(cfg: dict, *, progress: bool = False) -> xr.DataArray:
    """Windowed TAMSD (walker, t_w, lag) of walkers on ``cfg['landscapes']`` independent
    diamond-square realisations (landscape seeds seed, seed+1, ...; walker seeds likewise)."""
    from .. import simulate
    from ..analysis import tamsd
    from ..landscapes import DiamondSquare

    parts = []
    for k in range(cfg["landscapes"]):
        land = DiamondSquare(levels=cfg["levels"], seed=cfg["seed"] + k)
        ds = simulate(land, cfg["walkers"], cfg["steps"], cfg["lr"], cfg["noise"],
                      boundary=cfg["boundary"], start="uniform", seed=cfg["seed"] + k,
                      progress=progress)  # fmt: skip
        parts.append(tamsd(ds.isel(time=slice(1, None)), window=cfg["window"]))
    t = xr.concat(parts, dim="walker")
    return t.assign_coords(walker=np.arange(t.sizes["walker"]))


def dnn_tamsd(cfg: dict, *, progress: bool = False) -> xr.DataArray:
    """The recorder's exact windowed TAMSD (t_w, lag) of one SGD run (``threads=1`` in the
    configuration keeps CPU runs bit-reproducible and avoids oversubscribing small machines)."""
    from ..dnn.train import train

    ds = train(**cfg, quiet=not progress)
    return ds["tamsd"]


def run(scale: str, out_dir, *, progress: bool = True):
    cfg = CONFIGS[scale]
    fits = {
        "dnn": c.analyse_tamsd(dnn_tamsd(cfg["dnn"], progress=progress), n_boot=cfg["n_boot"]),
        "walkers": c.analyse_tamsd(
            walker_tamsd(cfg["walkers"], progress=progress), n_boot=cfg["n_boot"]
        ),
    }
    what = {
        "dnn": f"{cfg['dnn']['model']} on {cfg['dnn']['dataset']}",
        "walkers": "walkers on diamond-square",
    }
    statements = {k: c.statement_from_fit(f, what[k]) for k, f in fits.items()}
    summary = combine(fits)
    ds = c.study_result(
        "quickstart",
        scale,
        "quickstart_summary",
        summary.data_vars,
        summary.coords,
        config=cfg,
        seed=cfg["walkers"]["seed"],
        ci_method=fits["walkers"].attrs["ci_method"],
        statement_dnn=statements["dnn"],
        statement_walkers=statements["walkers"],
    )
    for s in statements.values():
        print(s)
    path = c.write(ds, out_dir, "summary")
    from ..plotting import draw

    png = draw(ds, out_dir / "summary.png")
    return [path, png]


def combine(fits: dict) -> xr.Dataset:
    """Stack per-source fits on a ``source`` dim; windows are indexed (``window``) because
    the sources' waiting times differ, with ``t_w(source, window)`` kept as a variable."""
    n_win = max(f.sizes["t_w"] for f in fits.values())
    lags = np.unique(np.concatenate([f["lag"].values for f in fits.values()]))
    parts = []
    for f in fits.values():
        g = f.reindex(lag=lags)
        tw = g["t_w"].values
        g = g.rename({"t_w": "window"}).assign_coords(window=np.arange(tw.size))
        g["t_w"] = ("window", tw.astype(float))
        parts.append(g.reindex(window=np.arange(n_win)))
    out = xr.concat(parts, dim="source", combine_attrs="drop")
    return out.assign_coords(source=list(fits))
