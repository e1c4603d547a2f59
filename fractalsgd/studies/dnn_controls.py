"""Controls of the DNN result: is the anomalous diffusion caused by the data, BatchNorm, the
architecture or the optimiser? And how much of the motion is radial (weight-norm change,
to which BatchNorm-ed layers are blind) rather than tangential?

Runs (``digits`` on a CPU at quick scale, 8x8 one-channel images): the ResNet-14 baseline;
the paper's data control ``gauss`` (uniform random images with random labels); ResNet-14
without BatchNorm; a fully connected net (``fc``, width 100); and, as extensions, SGD with
momentum 0.9 and with weight decay 5e-4. Each run: windowed TAMSD, beta(tau), two-regime
fit per window, and the radial fraction of the squared step length per window
(:func:`fractalsgd.studies._common.radial_fraction`).

The runs are one sweep (:func:`fractalsgd.studies._common.run_points`, point kind ``dnn``):
point files in ``OUT/scratch/sweep`` (a re-run resumes from them), in-process by default or
on a Dask cluster with ``fractalsgd study NAME --scheduler local|ADDRESS [--workers N]``.
CPU scales pin ``threads=1`` (bit-reproducible); at full scale a Dask worker's point gets
the worker's thread share.
"""

from __future__ import annotations

import numpy as np

from . import _common as c

DESCRIPTION = "random-data, no-BN, MLP, momentum and weight-decay controls; radial vs tangential"

CPU = dict(image_size=8, channels=1, threads=1, seed=0, sketch_dim=16, probe_size=64,
           probe_every=100, grad_samples=100, increment_samples=100, lr=0.1)  # fmt: skip


def _runs(base: dict, gauss_n: int) -> dict:
    d = {**base, "dataset": "digits", "model": "resnet14"}
    return {
        "resnet14_digits": d,
        "resnet14_gauss": {**d, "dataset": "gauss", "gauss_n": gauss_n},
        "resnet14_nobn_digits": {**d, "model": "resnet14_nobn"},
        "fc_digits": {**d, "model": "fc"},
        "resnet14_momentum0.9": {**d, "momentum": 0.9},
        "resnet14_wd5e-4": {**d, "weight_decay": 5e-4},
    }


CONFIGS = {
    "smoke": {"base": {**CPU, "steps": 60, "window": 30, "batch_size": 32}, "gauss_n": 512,
              "n_boot": 30},
    "quick": {"base": {**CPU, "steps": 300, "window": 100, "batch_size": 128},
              "gauss_n": 1500, "n_boot": 200},
    "full": {"base": {"seed": 0, "steps": 24500, "window": 1000, "batch_size": 1024,
                      "lr": 0.1, "dataset": "cifar10"}, "gauss_n": 50000, "n_boot": 1000},
}  # fmt: skip


def run(scale: str, out_dir, *, progress: bool = True, scheduler="none", workers=None):
    cfg = CONFIGS[scale]
    runs = _runs(cfg["base"], cfg["gauss_n"])
    if scale == "full":  # the paper's data at full scale; the control stays gauss
        for k, v in runs.items():
            v["dataset"] = "gauss" if "gauss" in k else "cifar10"
    ds = c.dnn_grid(
        runs,
        n_boot=cfg["n_boot"],
        progress=progress,
        out_dir=out_dir,
        study="dnn_controls",
        scheduler=scheduler,
        workers=workers,
    )
    W = cfg["base"]["window"]
    rf = c.radial_fraction(ds["step_length"].values, ds["weight_norm"].values)
    n_win = ds.sizes["window"]
    per_win = np.stack([np.nanmean(rf[:, i * W : (i + 1) * W], axis=1) for i in range(n_win)], 1)
    ds["radial_fraction"] = (("run", "window"), per_win)
    att = {
        f"statement_{r}": c.statement_from_fit(ds.sel(run=r).swap_dims(window="t_w"), r)
        + f" Radial share of the squared step: {float(ds.radial_fraction.sel(run=r).mean()):.2%}."
        for r in ds.run.values
    }
    out = c.study_result("dnn_controls", scale, "dnn_grid", ds.data_vars, ds.coords, config=cfg,
                         seed=cfg["base"]["seed"], **att)  # fmt: skip
    for s in att.values():
        print(s)
    path = c.write(out, out_dir, "summary")
    from ..plotting import draw

    return [path, draw(out, out_dir / "summary.png")]
