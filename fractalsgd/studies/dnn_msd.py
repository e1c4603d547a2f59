"""The paper's figure 2 on a CPU: windowed TAMSD, beta(tau), aging MSD and the long-run view
of SGD in weight space, for ResNet-14 and its no-shortcut twin, over several seeds.

Quick scale trains on scikit-learn's 8x8 ``digits`` (no download); ``full`` is the
paper's setting (CIFAR-10, batch 1024, lr 0.1, 24,500 steps, W = 1000; needs
``--data-dir`` with CIFAR-10 or network access for the download, and a GPU).

Outputs ``summary.nc`` (result_type ``dnn_msd``):

* ``tamsd(model, seed, t_w, lag)``: the recorder's exact windowed TAMSD (all parameters);
  ``beta(model, t_w, lag)``: the paper's local exponent of the seed-mean curve;
* ``aging_msd(model, t_w, lag)`` (seed mean) - Delta(t_w, t_w + tau);
* ``beta1/beta2/tau0(model, seed, t_w)``: two-regime fit of each run and window
  (:func:`fractalsgd.analysis.fit_crossover`, moving-block bootstrap within the run), and
  their seed mean with a Student-t 95 % interval over seeds (``*_mean``, ``*_lo``,
  ``*_hi``; for tau0 on log tau0, i.e. a geometric mean): the table the paper read by eye;
* ``long_tamsd(model, seed, long_lag)``: TAMSD of the whole run from the recorder's
  random-projection sketch (distances preserved up to the sketch's documented distortion),
  and ``distance_from_init(model, seed, iteration)``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.stats import t as student_t

from . import _common as c

DESCRIPTION = "ResNet-14 vs no-shortcut twin: windowed TAMSD, beta(tau), aging MSD, fits"

MODELS = ("resnet14", "resnet14_noshort")
CPU_BASE = dict(dataset="digits", image_size=8, channels=1, threads=1, lr=0.1)
CONFIGS = {
    "smoke": {"train": {**CPU_BASE, "steps": 60, "window": 30, "batch_size": 32,
                        "sketch_dim": 32, "probe_size": 64, "probe_every": 30,
                        "grad_samples": 100, "increment_samples": 100},
              "seeds": [0, 1], "n_boot": 50},
    "quick": {"train": {**CPU_BASE, "steps": 500, "window": 100, "batch_size": 128,
                        "sketch_dim": 256, "probe_size": 256, "probe_every": 50,
                        "grad_samples": 1000, "increment_samples": 1000},
              "seeds": [0, 1, 2], "n_boot": 300},
    "full": {"train": dict(dataset="cifar10", lr=0.1, steps=24500, window=1000,
                           batch_size=1024),
             "seeds": [0, 1, 2, 3, 4], "n_boot": 1000},
}  # fmt: skip


def train_runs(cfg: dict, *, progress: bool = False) -> dict:
    """Train every (model, seed); return {(model, seed): trajectory Dataset}."""
    from ..dnn.train import train

    runs = {}
    for m in MODELS:
        for s in cfg["seeds"]:
            runs[m, s] = train(model=m, seed=s, quiet=not progress, **cfg["train"])
    return runs


def seed_interval(x: np.ndarray, axis: int = 0, level: float = 0.95):
    """Mean and Student-t interval over ``axis`` (seeds): mean +- t_{n-1} sd / sqrt(n)."""
    n = np.isfinite(x).sum(axis=axis)
    mean = np.nanmean(x, axis=axis)
    sd = np.nanstd(x, axis=axis, ddof=1) if x.shape[axis] > 1 else np.full_like(mean, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = student_t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
    half = np.where(n > 1, half, np.nan)
    return mean, mean - half, mean + half


def analyse(runs: dict, cfg: dict) -> xr.Dataset:
    from ..analysis import local_exponent, tamsd

    seeds = cfg["seeds"]
    T = cfg["train"]["steps"]
    fits, tams, agings, longs, dists = {}, {}, {}, {}, {}
    for (m, s), ds in runs.items():
        t = ds["tamsd"]
        complete = np.isfinite(t).all("lag")
        t = t.isel(t_w=np.flatnonzero(complete.values))
        fits[m, s] = c.analyse_tamsd(t, n_boot=cfg["n_boot"], seed=s)
        tams[m, s] = t.reset_coords(drop=True)
        agings[m, s] = ds["aging_msd"].sel(t_w=t.t_w).reset_coords(drop=True)
        pos = ds[["position"]].isel(time=slice(1, None))  # steps 1..T
        longs[m, s] = tamsd(pos, lags=np.unique(np.geomspace(1, T // 4, 60).astype(int)))
        dists[m, s] = ds["distance_from_init"]

    def stack(d, extra=()):
        return xr.concat(
            [xr.concat([d[m, s] for s in seeds], dim="seed") for m in MODELS], dim="model"
        ).assign_coords(model=list(MODELS), seed=seeds)

    tam = stack(tams)
    out = {"tamsd": tam, "aging_msd": stack(agings).mean("seed")}
    out["beta"] = local_exponent(tam.mean("seed"), delta=20).reindex(lag=tam.lag).drop_attrs()
    lt = stack(longs)
    out["long_tamsd"] = lt.isel(walker=0, drop=True).rename(lag="long_lag")
    out["distance_from_init"] = stack(dists)
    for k in ("beta1", "beta2", "tau0"):
        per = stack({key: f[k] for key, f in fits.items()})
        out[k] = per
        for suf in ("_lo", "_hi"):
            out[k + "_run" + suf] = stack({key: f[k + suf] for key, f in fits.items()})
        if k == "tau0":  # a scale: the interval is taken on log tau0 (geometric mean)
            mean, lo, hi = np.exp(seed_interval(np.log(per.values), axis=1))
        else:
            mean, lo, hi = seed_interval(per.values, axis=1)
        dims = ("model", "t_w")
        out[k + "_mean"], out[k + "_lo"], out[k + "_hi"] = (dims, mean), (dims, lo), (dims, hi)
    ds = xr.Dataset(out)
    ds = ds.drop_vars([v for v in ds.coords if v not in ds.dims])
    for v in ds.data_vars.values():
        v.attrs = {}
    return ds


def statements(ds: xr.Dataset) -> dict:
    att = {}
    for m in ds.model.values:
        d = ds.sel(model=m)
        first, last = d.isel(t_w=0), d.isel(t_w=-1)
        att[f"statement_{m}"] = c.diffusion_statement(
            float(first.beta1_mean), (float(first.beta1_lo), float(first.beta1_hi)),
            float(last.beta2_mean), (float(last.beta2_lo), float(last.beta2_hi)),
            float(first.tau0_mean), what=f"{m} ({d.sizes['seed']} seeds; beta1 of the first "
            "window, beta2 of the last, t-interval over seeds)",
        )  # fmt: skip
    return att


def run(scale: str, out_dir, *, progress: bool = True):
    cfg = CONFIGS[scale]
    ds = analyse(train_runs(cfg, progress=progress), cfg)
    att = statements(ds)
    ds = c.study_result("dnn_msd", scale, "dnn_msd", ds.data_vars, ds.coords, config=cfg,
                        seed=cfg["seeds"], **att)  # fmt: skip
    for s in att.values():
        print(s)
    path = c.write(ds, out_dir, "summary")
    from ..plotting import draw

    return [path, draw(ds, out_dir / "summary.png")]
