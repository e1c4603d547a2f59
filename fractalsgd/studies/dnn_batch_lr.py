"""Claim 2: are the exponents insensitive to depth, shortcuts, batch size and learning rate?

Grid (the paper's supplementary figures 3 and 4, shrunk to ``digits`` on a CPU): depth
(ResNet-14, -20) x shortcut (with, without) x batch size at lr 0.1, and a learning-rate
series for ResNet-14. Every run: windowed TAMSD (recorder, exact), beta(tau) and the
two-regime fit per window (beta1, beta2, tau0 with moving-block bootstrap intervals).
One seed per configuration at quick scale (seed-to-seed spread: see dnn_msd).

The runs are one sweep (:func:`fractalsgd.studies._common.run_points`, point kind ``dnn``):
point files in ``OUT/scratch/sweep`` (a re-run resumes from them), in-process by default or
on a Dask cluster with ``fractalsgd study NAME --scheduler local|ADDRESS [--workers N]``.
CPU scales pin ``threads=1`` (bit-reproducible); at full scale a Dask worker's point gets
the worker's thread share.
"""

from __future__ import annotations

from . import _common as c

DESCRIPTION = "exponents across depth x shortcut x batch size and across learning rates"

CPU = dict(dataset="digits", image_size=8, channels=1, threads=1, seed=0, sketch_dim=16,
           probe_size=64, probe_every=100, grad_samples=100, increment_samples=100)  # fmt: skip
CONFIGS = {
    "smoke": {"base": {**CPU, "steps": 60, "window": 30}, "depths": [14],
              "shortcut": [True, False], "batch": [32], "lr_series": [0.01],
              "lr_batch": 32, "n_boot": 30},
    "quick": {"base": {**CPU, "steps": 300, "window": 100}, "depths": [14, 20],
              "shortcut": [True, False], "batch": [32, 128], "lr_series": [0.003, 0.01, 0.03,
                                                                         0.3],
              "lr_batch": 128, "n_boot": 200},
    "full": {"base": {"dataset": "cifar10", "seed": 0, "steps": 24500, "window": 1000},
             "depths": [14, 20, 56, 110], "shortcut": [True, False],
             "batch": [128, 256, 512, 1024], "lr_series": [0.001, 0.01, 0.05, 0.1, 0.5],
             "lr_batch": 1024, "n_boot": 1000},
}  # fmt: skip


def runs_of(cfg: dict) -> dict:
    """{label: train kwargs} of the grid (lr 0.1) and the learning-rate series."""
    runs = {}
    for d in cfg["depths"]:
        for sc in cfg["shortcut"]:
            for b in cfg["batch"]:
                m = f"resnet{d}" + ("" if sc else "_noshort")
                runs[f"{m}_b{b}_lr0.1"] = {**cfg["base"], "model": m, "batch_size": b, "lr": 0.1}
    for lr in cfg["lr_series"]:
        b = cfg["lr_batch"]
        runs[f"resnet14_b{b}_lr{lr:g}"] = {**cfg["base"], "model": "resnet14", "batch_size": b,
                                           "lr": lr}  # fmt: skip
    return runs


def run(scale: str, out_dir, *, progress: bool = True, scheduler="none", workers=None):
    cfg = CONFIGS[scale]
    ds = c.dnn_grid(
        runs_of(cfg),
        n_boot=cfg["n_boot"],
        progress=progress,
        out_dir=out_dir,
        study="dnn_batch_lr",
        scheduler=scheduler,
        workers=workers,
    )
    att = {
        f"statement_{r}": c.statement_from_fit(ds.sel(run=r).swap_dims(window="t_w"), r)
        for r in ds.run.values
    }
    out = c.study_result("dnn_batch_lr", scale, "dnn_grid", ds.data_vars, ds.coords, config=cfg,
                         seed=cfg["base"]["seed"], **att)  # fmt: skip
    for s in att.values():
        print(s)
    path = c.write(out, out_dir, "summary")
    from ..plotting import draw

    return [path, draw(out, out_dir / "summary.png")]
