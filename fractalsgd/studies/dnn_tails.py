"""Claim 3: heavy tails and intermittency of SGD - alpha-stable fits of minibatch-gradient
components and of weight increments against t_w, and loss bursts with their avalanche
statistics, for ResNet-14 on ``digits`` (quick) or CIFAR-10 (full).

Each window's samples are random components (recorder: ``grad_sample``,
``increment_sample``; paper: 5,000 per window) of the gradient and of the increment at
the window's first step. Two estimators: McCulloch's quantile fit of an alpha-stable law
(as in the paper) and the Mohammadi et al. (2015) block-sum tail index (as in Simsekli et
al. 2019), both with bootstrap intervals. A Gaussian control of the same size through
the same estimators shows what "no heavy tail" looks like (alpha = 2).

Loss bursts (:func:`fractalsgd.analysis.loss_bursts`): |dL| of the minibatch loss, its
moving variance (window 100), avalanches = runs with |dL| > std(|dL|), a discrete CSN
power law fitted to their durations, and likelihood-ratio tests against an exponential.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from . import _common as c

DESCRIPTION = "alpha-stable gradient noise and increments vs t_w; loss bursts and avalanches"

CONFIGS = {
    "smoke": {"train": {"model": "resnet14", "dataset": "digits", "image_size": 8,
                        "channels": 1, "threads": 1, "lr": 0.1, "seed": 0, "steps": 120,
                        "window": 40, "batch_size": 32, "sketch_dim": 16, "probe_size": 64,
                        "probe_every": 60, "grad_samples": 500, "increment_samples": 500},
              "burst_window": 20, "n_boot": 50},
    "quick": {"train": {"model": "resnet14", "dataset": "digits", "image_size": 8,
                        "channels": 1, "threads": 1, "lr": 0.1, "seed": 0, "steps": 1000,
                        "window": 100, "batch_size": 128, "sketch_dim": 16,
                        "probe_size": 256, "probe_every": 100, "grad_samples": 5000,
                        "increment_samples": 5000},
              "burst_window": 100, "n_boot": 200},
    "full": {"train": {"model": "resnet14", "dataset": "cifar10", "lr": 0.1, "seed": 0,
                       "steps": 24500, "window": 1000, "batch_size": 1024},
             "burst_window": 100, "n_boot": 200},
}  # fmt: skip


def _alpha_rows(samples: xr.DataArray, tw, nb: int, seed: int) -> np.ndarray:
    """(window, method, value/lo/hi) for the McCulloch alpha and the Mohammadi index."""
    from ..analysis import tail_index_over_time

    rows = [np.asarray(samples.isel(t_w=i).dropna("sample").values, float) for i in range(tw.size)]
    out = np.empty((tw.size, 2, 3))
    for j, method in enumerate(("stable", "mohammadi")):
        r = tail_index_over_time(rows, t_w=tw, method=method, n_samples=None, n_boot=nb,
                                 seed=seed)  # fmt: skip
        out[:, j] = np.stack([r.alpha, r.alpha_low, r.alpha_high], axis=-1)
    return out


def run(scale: str, out_dir, *, progress: bool = True):
    from ..analysis import compare_tails, loss_bursts
    from ..dnn.train import train

    cfg = CONFIGS[scale]
    nb, seed = cfg["n_boot"], cfg["train"]["seed"]
    ds = train(quiet=not progress, **cfg["train"])
    ok = np.isfinite(ds["grad_sample"]).any("sample").values
    tw = ds["t_w"].values[ok]
    g = _alpha_rows(ds["grad_sample"].isel(t_w=ok), tw, nb, seed)
    inc = _alpha_rows(ds["increment_sample"].isel(t_w=ok), tw, nb, seed)
    n_ctrl = int(np.isfinite(ds["grad_sample"].isel(t_w=0)).sum())
    gauss = np.random.default_rng(seed).standard_normal((tw.size, n_ctrl))
    ctrl = _alpha_rows(xr.DataArray(gauss, dims=("t_w", "sample")), tw, nb, seed)
    alpha = np.stack([g, inc, ctrl])  # (quantity, t_w, method, stat)
    lb = loss_bursts(ds["minibatch_loss"].values, window=cfg["burst_window"])
    dur = lb["duration"].values.astype(float)
    lr_text, heavy = "fewer than 10 avalanches: no tail test", -1
    if dur.size >= 10 and np.unique(dur).size > 1:
        cmp = compare_tails(dur)  # continuous approximation (discrete LR tests not offered)
        ex = cmp.tests.get("exponential", {})
        heavy = int(cmp.heavy_tailed)
        lr_text = (f"continuous power law vs exponential R = {ex.get('R', np.nan):.3g}, "
                   f"p = {ex.get('p', np.nan):.3g}; preferred: {cmp.preferred}")  # fmt: skip
    maxdur = int(dur.max()) if dur.size else 0
    hist = np.bincount(dur.astype(int), minlength=maxdur + 1)[1:] if dur.size else np.zeros(0)
    data = {
        "alpha": (("quantity", "t_w", "estimator"), alpha[..., 0]),
        "alpha_lo": (("quantity", "t_w", "estimator"), alpha[..., 1]),
        "alpha_hi": (("quantity", "t_w", "estimator"), alpha[..., 2]),
        "abs_dloss": (("iteration",), lb["abs_dloss"].values),
        "moving_variance": (("iteration",), lb["moving_variance"].values),
        "duration_count": (("duration",), hist.astype(np.int64)),
    }
    coords = {"quantity": ["gradient", "increment", "gaussian_control"], "t_w": tw,
              "estimator": ["stable_mcculloch", "mohammadi"],
              "iteration": lb["iteration"].values,
              "duration": np.arange(1, hist.size + 1)}  # fmt: skip
    la = lb.attrs
    att = {
        "n_avalanches": int(la["n_avalanches"]),
        "duration_alpha": float(la["duration_alpha"]),
        "duration_sigma": float(la["duration_sigma"]),
        "duration_xmin": float(la["duration_xmin"]),
        "duration_heavy_tailed": heavy,
        "duration_tail_test": lr_text,
        "burst_threshold": float(la["threshold"]),
    }
    a = alpha[:, :, 0, 0]  # McCulloch alpha: (quantity, t_w)
    att["statement_tails"] = (
        f"McCulloch alpha of gradient components: {a[0].min():.2f}-{a[0].max():.2f} over "
        f"{tw.size} windows; of weight increments: {a[1].min():.2f}-{a[1].max():.2f}; "
        f"Gaussian control: {a[2].min():.2f}-{a[2].max():.2f}. Windows whose gradient "
        f"interval lies below 2: {int((alpha[0, :, 0, 2] < 2).sum())}/{tw.size}."
    )
    att["statement_bursts"] = (
        f"{att['n_avalanches']} loss avalanches; duration exponent "
        f"{att['duration_alpha']:.2f} +- {att['duration_sigma']:.2f} (xmin "
        f"{att['duration_xmin']:g}); {lr_text}."
    )
    out = c.study_result("dnn_tails", scale, "dnn_tails", data, coords, config=cfg, seed=seed,
                         **att)  # fmt: skip
    print(att["statement_tails"])
    print(att["statement_bursts"])
    path = c.write(out, out_dir, "summary")
    from ..plotting import draw

    return [path, draw(out, out_dir / "summary.png")]
