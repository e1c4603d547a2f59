"""Claim 4: is the loss landscape SGD walks on fractal-like? For one ResNet-14 run:

* MSL(dr) = <(L(j) - L(i))^2> binned by distance dr = ||theta(j) - theta(i)||, with the
  minibatch loss (the paper's choice) and with the fixed probe-batch loss (free of
  minibatch noise); MSL ~ dr^(2H) gives H (:func:`fractalsgd.analysis.msl_vs_distance`);
* TAMSD against contour length s(lag) and the transverse excursion of path fragments of
  50-100 steps against their end-to-end distance (path tortuosity);
* filter-normalised random-direction loss lines through the final weights at spans
  1e-3 .. 1 (Li et al. 2018) and their Hurst exponent per span (variogram): a fractal
  profile keeps H across spans, a smooth one tends to H = 1 at small spans;
* the top Hessian eigenvalues at log-spaced steps of training (Lanczos on
  Hessian-vector products).

Distances come from the recorder's random-projection sketch of theta (``sketch_dim``
coordinates; Johnson-Lindenstrauss distortion documented in fractalsgd.dnn.sketch).
Loss lines and Hessians use BatchNorm in train mode (batch statistics), because the
snapshots hold the trainable parameters only, not the running statistics.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from . import _common as c

DESCRIPTION = "MSL vs distance, contour/transverse geometry, multi-scale lines, Hessian"

CPU = dict(model="resnet14", dataset="digits", image_size=8, channels=1, threads=1, lr=0.1,
           seed=0, grad_samples=100, increment_samples=100)  # fmt: skip
CONFIGS = {
    "smoke": {"train": {**CPU, "steps": 60, "window": 30, "batch_size": 32, "sketch_dim": 64,
                        "probe_size": 64, "probe_every": 5, "snapshots": 3},
              "probe_n": 128, "line_points": 33, "msl_bins": 6, "spans": [1e-2, 1.0],
              "hessian_k": 0, "fragments": 100},
    "quick": {"train": {**CPU, "steps": 500, "window": 100, "batch_size": 128,
                        "sketch_dim": 512, "probe_size": 256, "probe_every": 5,
                        "snapshots": 6},
              "probe_n": 512, "line_points": 257, "msl_bins": 20, "spans": [1e-3, 1e-2, 1e-1, 1.0],
              "hessian_k": 5, "fragments": 500},
    "full": {"train": {"model": "resnet14", "dataset": "cifar10", "lr": 0.1, "seed": 0,
                       "steps": 24500, "window": 1000, "batch_size": 1024,
                       "probe_every": 10, "snapshots": 20},
             "probe_n": 5000, "line_points": 257, "msl_bins": 30,
             "spans": [1e-4, 1e-3, 1e-2, 1e-1, 1.0], "hessian_k": 20, "fragments": 2000},
}  # fmt: skip


def _msl(pos, loss, bins):
    from ..analysis import msl_vs_distance

    r = msl_vs_distance(pos, loss, bins=bins)
    return r, (float(r.attrs["H"]), float(r.attrs["H_low"]), float(r.attrs["H_high"]))


def run(scale: str, out_dir, *, progress: bool = True):
    import torch

    from ..analysis import hurst, msd_vs_contour, transverse_excursion
    from ..dnn import build_model, get_dataset
    from ..dnn.probes import hessian_over_training, loss_lines
    from ..dnn.train import train

    cfg = CONFIGS[scale]
    tc = cfg["train"]
    ds = train(quiet=not progress, **tc)
    pos = ds["position"].values[0]  # (time, k): the sketch
    step = ds["step"].values
    # minibatch loss at the sketch steps (the last one has no next step: dropped)
    ok = np.isfinite(ds["loss"].values[0])
    msl_mb, H_mb = _msl(pos[ok], ds["loss"].values[0][ok], cfg["msl_bins"])
    at = np.searchsorted(step, ds["probe_step"].values)
    msl_pr, H_pr = _msl(pos[at], ds["probe_loss"].values, cfg["msl_bins"])
    geo = msd_vs_contour(pos, lags=np.unique(np.geomspace(1, step.size // 4, 40).astype(int)))
    tr = transverse_excursion(pos, fragment=(50, 100) if step.size > 200 else (10, 20),
                              n_fragments=cfg["fragments"], seed=tc["seed"])  # fmt: skip
    # probes at the final weights and Hessians at the snapshots
    data = get_dataset(tc["dataset"], train=True, image_size=tc.get("image_size"),
                       channels=tc.get("channels"))  # fmt: skip
    idx = torch.arange(min(cfg["probe_n"], len(data)))
    batch = data.batch(idx, augment=False)
    torch.manual_seed(tc["seed"])
    model = build_model(tc["model"], num_classes=data.num_classes, in_channels=data.channels,
                        image_size=data.image_size)  # fmt: skip
    from ..dnn.probes._common import as_flat, set_flat, trainable

    set_flat(trainable(model), as_flat(ds["snapshot"].values[-1], model, "snapshot"))
    lines = loss_lines(model, batch, spans=cfg["spans"], n=cfg["line_points"], bn="train",
                       seed=tc["seed"])  # fmt: skip
    Hl = np.array([_line_hurst(hurst, lines["loss"].sel(span=s).values)
                   for s in cfg["spans"]])  # fmt: skip
    if cfg["hessian_k"]:
        hes = _eig_table(
            hessian_over_training(
                ds, model, batch, k=cfg["hessian_k"], label="step", bn="train", seed=tc["seed"]
            )
        )
    else:  # smoke scale: no Hessian (its cost dominates; fractalsgd.dnn.probes tests it)
        hes = np.zeros((ds.sizes["snapshot_step"], 0))  # fmt: skip
    out = {
        "msl_minibatch": (("bin",), msl_mb["msl"].values),
        "msl_minibatch_dr": (("bin",), msl_mb["distance"].values),
        "msl_probe": (("bin_probe",), msl_pr["msl"].values),
        "msl_probe_dr": (("bin_probe",), msl_pr["distance"].values),
        "contour_tamsd": (("geo_lag",), geo["tamsd"].values[0]),
        "contour_length": (("geo_lag",), geo["contour"].values[0]),
        "transverse": (("fragment",), tr["transverse"].values),
        "end_to_end": (("fragment",), tr["end_to_end"].values),
        "line_loss": (("span", "point"), lines["loss"].values),
        "line_t": (("point",), lines["t"].values),
        "line_hurst": (("span",), Hl[:, 0]),
        "line_hurst_lo": (("span",), Hl[:, 1]),
        "line_hurst_hi": (("span",), Hl[:, 2]),
        "hessian_eig": (("snapshot_step", "eig"), hes),
    }
    coords = {"span": cfg["spans"], "geo_lag": geo["lag"].values,
              "snapshot_step": ds["snapshot_step"].values}  # fmt: skip
    att = {
        "msl_H_minibatch": H_mb[0], "msl_H_minibatch_lo": H_mb[1],
        "msl_H_minibatch_hi": H_mb[2], "msl_H_probe": H_pr[0], "msl_H_probe_lo": H_pr[1],
        "msl_H_probe_hi": H_pr[2],
        "statement": (
            f"MSL ~ dr^(2H): H = {H_mb[0]:.2f} [{H_mb[1]:.2f}, {H_mb[2]:.2f}] with minibatch "
            f"losses, {H_pr[0]:.2f} [{H_pr[1]:.2f}, {H_pr[2]:.2f}] with the fixed probe batch; "
            "loss-line H per span " + ", ".join(
                f"{s:g}: {h:.2f} [{lo:.2f}, {hi:.2f}]" for s, (h, lo, hi) in
                zip(cfg["spans"], Hl)) + "."),
    }  # fmt: skip
    res = c.study_result("dnn_landscape", scale, "dnn_landscape", out, coords, config=cfg,
                         seed=tc["seed"], **att)  # fmt: skip
    print(att["statement"])
    path = c.write(res, out_dir, "summary")
    from ..plotting import draw

    return [path, draw(res, out_dir / "summary.png")]


def _line_hurst(hurst, profile):
    try:
        e = hurst(profile, method="variogram")
        return e.value, e.low, e.high
    except ValueError:  # a profile too short or flat for the estimator
        return np.nan, np.nan, np.nan


def _eig_table(hes: xr.Dataset) -> np.ndarray:
    name = next(v for v in ("eigenvalues", "eigenvalue", "eig") if v in hes)
    return np.asarray(hes[name].values, float)
