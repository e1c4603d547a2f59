"""The same analysis side by side: a DNN run, a walker run matched to its exponents, the
null-model processes and the external reference DNN curve (Ly & Gong; studies/README.md).

Each source gives a windowed TAMSD (first window; for the DNN and the reference also the
last), its local exponent beta(tau) and a two-regime fit (beta1, beta2, tau0, 95 %
intervals). The matched walkers are chosen from a small grid of walker settings on a
10-d Weierstrass landscape (momentum x noise) as the one whose first-window (beta1,
beta2) is nearest to the DNN's; the fBm null model has H = beta1(DNN) / 2.

Output ``summary.nc`` (result_type ``dnn_vs_walkers``): ``tamsd(source, lag)``,
``beta(source, lag)``, ``beta1/beta2/tau0(source)`` with ``*_lo``/``*_hi``, and the walker
candidates' fits ``cand_beta1/cand_beta2(candidate)``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from . import _common as c

DESCRIPTION = "DNN vs exponent-matched walkers vs null models vs the reference DNN curve"

CONFIGS = {
    "smoke": {"dnn": {"model": "resnet14", "dataset": "digits", "image_size": 8,
                      "channels": 1, "threads": 1, "lr": 0.1, "seed": 0, "steps": 60,
                      "window": 30, "batch_size": 32, "sketch_dim": 32, "probe_size": 64,
                      "probe_every": 30, "grad_samples": 100, "increment_samples": 100},
              "walkers": 8, "momentum": [0.0, 0.9], "noise": [0.01],
              "landscape": {"name": "weierstrass", "dim": 10, "hurst": 0.5, "seed": 0,
                            "rotate": True, "confine": 0.1},
              "walker_lr": 0.01, "n_null": 8, "n_boot": 50},
    "quick": {"dnn": {"model": "resnet14", "dataset": "digits", "image_size": 8,
                      "channels": 1, "threads": 1, "lr": 0.1, "seed": 0, "steps": 500,
                      "window": 100, "batch_size": 128, "sketch_dim": 64, "probe_size": 256,
                      "probe_every": 50, "grad_samples": 1000, "increment_samples": 1000},
              "walkers": 50, "momentum": [0.0, 0.5, 0.9, 0.97], "noise": [0.003, 0.01, 0.03],
              "landscape": {"name": "weierstrass", "dim": 10, "hurst": 0.5, "seed": 0,
                            "rotate": True, "confine": 0.1},
              "walker_lr": 0.01, "n_null": 50, "n_boot": 300},
    "full": {"dnn": {"model": "resnet14", "dataset": "cifar10", "lr": 0.1, "seed": 0,
                     "steps": 24500, "window": 1000, "batch_size": 1024},
             "walkers": 200, "momentum": [0.0, 0.5, 0.9, 0.97, 0.99],
             "noise": [0.001, 0.003, 0.01, 0.03, 0.1],
             "landscape": {"name": "weierstrass", "dim": 10, "hurst": 0.5, "seed": 0,
                           "rotate": True, "confine": 0.1},
             "walker_lr": 0.01, "n_null": 200, "n_boot": 1000},
}  # fmt: skip


def _first_window(traj, W):
    from ..analysis import tamsd

    return tamsd(traj.isel(time=slice(1, W + 1)), window=W)


def run(scale: str, out_dir, *, progress: bool = True):
    from .. import processes, simulate
    from ..dnn.train import train
    from ..landscapes import from_config

    cfg = CONFIGS[scale]
    W, nb = cfg["dnn"]["window"], cfg["n_boot"]
    dnn = train(quiet=not progress, **cfg["dnn"])["tamsd"]
    dnn = dnn.isel(t_w=np.flatnonzero(np.isfinite(dnn).all("lag").values))
    curves = {"dnn": dnn.isel(t_w=[0]), "dnn_late": dnn.isel(t_w=[-1])}
    fits = {k: c.analyse_tamsd(v, n_boot=nb) for k, v in curves.items()}
    target = np.array([float(fits["dnn"].beta1[0]), float(fits["dnn"].beta2[0])])
    # ---- walkers: a small grid, pick the nearest in (beta1, beta2)
    land = from_config(cfg["landscape"])
    cands, cfits, ctam = [], [], []
    for mom in cfg["momentum"]:
        for noise in cfg["noise"]:
            tr = simulate(land, cfg["walkers"], W, cfg["walker_lr"], noise, momentum=mom,
                          seed=len(cands), progress=False)  # fmt: skip
            t = _first_window(tr, W)
            cands.append((mom, noise))
            ctam.append(t)
            cfits.append(c.analyse_tamsd(t, n_boot=max(nb // 5, 20)))
    cb = np.array([[float(f.beta1[0]), float(f.beta2[0])] for f in cfits])
    best = int(np.argmin(((cb - target) ** 2).sum(axis=1)))
    curves["walkers_matched"] = ctam[best]
    fits["walkers_matched"] = c.analyse_tamsd(ctam[best], n_boot=nb)
    # ---- null models, same window
    n, H = cfg["n_null"], float(np.clip(target[0] / 2, 0.05, 0.95))
    nulls = {
        "bm": processes.bm(n, W, dim=10, seed=1),
        f"fbm_H{H:.2f}": processes.fbm(n, W, H, dim=10, seed=2),
        "ctrw_a0.5": processes.ctrw(n, W, 0.5, dim=10, seed=3),
    }
    for k, tr in nulls.items():
        curves[k] = _first_window(tr, W)
        fits[k] = c.analyse_tamsd(curves[k], n_boot=nb)
    # ---- the external reference: first and last waiting time, lags within its window
    ref = c.reference_tamsd()
    rw = int(ref.attrs["window"])
    for name, i in (("reference", 0), ("reference_late", -1)):
        r = ref.isel(t_w=[i]).sel(lag=slice(1, rw - 1)).dropna("lag").drop_attrs()
        fits[name] = c.analyse_tamsd(r, n_boot=nb)
    ds = stack(fits)
    ds["cand_momentum"] = ("candidate", [m for m, _ in cands])
    ds["cand_noise"] = ("candidate", [s for _, s in cands])
    ds["cand_beta1"] = ("candidate", cb[:, 0])
    ds["cand_beta2"] = ("candidate", cb[:, 1])
    att = {f"statement_{k}": c.statement_from_fit(f, k) for k, f in fits.items()}
    att["matched_walkers"] = (f"momentum {cands[best][0]}, noise {cands[best][1]}, lr "
                              f"{cfg['walker_lr']} on {cfg['landscape']}")  # fmt: skip
    out = c.study_result("dnn_vs_walkers", scale, "dnn_vs_walkers", ds.data_vars, ds.coords,
                         config=cfg, seed=cfg["dnn"]["seed"], **att)  # fmt: skip
    for s in att.values():
        print(s)
    path = c.write(out, out_dir, "summary")
    from ..plotting import draw

    return [path, draw(out, out_dir / "summary.png")]


def stack(fits: dict) -> xr.Dataset:
    """One row per source (its single window) on the union of lags."""
    lags = np.unique(np.concatenate([f["lag"].values for f in fits.values()]))
    rows = []
    for f in fits.values():
        rows.append(f.isel(t_w=0).reindex(lag=lags).reset_coords("t_w"))
    ds = xr.concat(rows, dim="source", combine_attrs="drop").assign_coords(source=list(fits))
    for v in ds.data_vars.values():
        v.attrs = {}
    return ds
