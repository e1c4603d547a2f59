"""The paper's toy model, exactly as published, against its two controls - with statistics.

Gradient descent plus Gaussian noise (eta 0.02, sigma 0.01, 1000 steps, noise redrawn
when a step would leave [-1, 1]^2, uniform starts; SCIENCE.md) on

* ``fractal``: the diamond-square surface (10 levels, r0 3, halving, borders clamped,
  water level -0.1), one realisation per landscape seed;
* ``shuffled``: the paper's "random" control built from the same realisation (pixels
  shuffled, Gaussian-smoothed with sigma 8 px, raised to the power 0.7);
* ``cone``: the paper's "convex" control L = 9 + ||x||/2 (one surface; the realisation
  index only changes the walker seeds).

Walker seeds are shared across the three surfaces (common random numbers), so the
differences between surfaces are paired by realisation.

Measured, each with a 95 % interval:

* TAMSD over the whole 1000-step path (pooled mean curve, local exponent beta(tau)),
  two-regime fit (beta1, beta2, tau0) over lags 1 .. steps/4 with a bootstrap over
  realisations (the walkers of one realisation are not independent: realisations are the
  resampling unit), and the
  per-realisation fit (bootstrap over its walkers) -> the fraction of realisations with
  a significantly superdiffusive beta1 (Wilson interval);
* success: a walker succeeds by step t when its loss came within eps of the realisation's
  global minimum, eps a fraction of the realisation's loss range (max - min over the box),
  eps in ``EPS``; and, separately, when it came within distance r of the global minimum's
  position (r in ``RADII``). Success curves S(t) with a percentile bootstrap over
  realisations; the final rate also with the Wilson interval over walkers (which assumes
  independent walkers, so it is narrower); paired fractal - control differences;
* first-passage times (the first step meeting the criterion; S(t) is their CDF), their
  median among arrivals;
* the final loss as a fraction of the loss range: distribution and median.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from . import _common as c

DESCRIPTION = "paper's toy model vs cone and shuffled controls: MSD exponents, success, FPT"

SURFACES = ("fractal", "shuffled", "cone")
#: success tolerances: fraction of the realisation's loss range
EPS = (0.01, 0.05, 0.1)
#: success radii around the global minimum's position
RADII = (0.05, 0.1)

PAPER = dict(lr=0.02, noise=0.01, steps=1000, boundary="redraw", levels=10)
CONFIGS = {
    "smoke": {
        **PAPER,
        "levels": 7,
        "steps": 300,
        "landscapes": 3,
        "walkers": 10,
        "seed": 0,
        "n_boot": 50,
    },  # fmt: skip
    "quick": {**PAPER, "landscapes": 40, "walkers": 50, "seed": 0, "n_boot": 500},
    "full": {**PAPER, "landscapes": 1000, "walkers": 100, "seed": 0, "n_boot": 1000},
}
#: steps at which the success curves are stored
N_CURVE = 101


def make_surface(kind: str, k: int, cfg: dict):
    """Landscape of realisation ``k`` and its loss range (min, max) over the box."""
    from ..landscapes import Cone, DiamondSquare, ShuffledControl

    seed = cfg["seed"] + k
    if kind == "cone":
        land = Cone(dim=2)
        return land, (land.offset, land.offset + land.slope * np.sqrt(2.0))
    ds = DiamondSquare(levels=cfg["levels"], seed=seed)
    land = ds if kind == "fractal" else ShuffledControl(ds, seed=seed)
    return land, (float(land.grid.min()), float(land.grid.max()))


def run_realisation(kind: str, k: int, cfg: dict) -> dict:
    """Simulate the walkers of realisation ``k`` on surface ``kind``; return their TAMSD
    (walker, lag), first-passage steps per criterion and final normalised loss."""
    from .. import simulate
    from ..analysis import tamsd

    land, (lo, hi) = make_surface(kind, k, cfg)
    ds = simulate(land, cfg["walkers"], cfg["steps"], cfg["lr"], cfg["noise"],
                  boundary=cfg["boundary"], box=(-1.0, 1.0), start="uniform", seed=cfg["seed"] + k,
                  progress=False)  # fmt: skip
    steps = ds["step"].values
    rel = (ds["loss"].values - lo) / (hi - lo)
    xmin = np.asarray(land.global_minimum[0])
    dist = np.linalg.norm(ds["position"].values - xmin, axis=-1)
    fpt_eps = np.stack([c.first_passage(rel, e, steps) for e in EPS], axis=-1)
    fpt_r = np.stack([c.first_passage(dist, r, steps) for r in RADII], axis=-1)
    return {
        "tamsd": tamsd(ds.isel(time=slice(1, None))).values,
        "fpt": np.concatenate([fpt_eps, fpt_r], axis=-1),
        "final": rel[:, -1],
    }


def _criteria():
    return [f"loss_eps_{e:g}" for e in EPS] + [f"dist_r_{r:g}" for r in RADII]


def run(scale: str, out_dir, *, progress: bool = True):
    cfg = CONFIGS[scale]
    nl, nw, T = cfg["landscapes"], cfg["walkers"], cfg["steps"]
    lags = np.arange(1, T)
    crit = _criteria()
    tam = np.empty((len(SURFACES), nl, nw, T - 1))
    fpt = np.empty((len(SURFACES), nl, nw, len(crit)))
    final = np.empty((len(SURFACES), nl, nw))
    it = [(i, s, k) for i, s in enumerate(SURFACES) for k in range(nl)]
    if progress:
        from tqdm import tqdm

        it = tqdm(it, desc="toy_paper realisations")
    for i, s, k in it:
        r = run_realisation(s, k, cfg)
        tam[i, k], fpt[i, k], final[i, k] = r["tamsd"], r["fpt"], r["final"]
    ds = analyse(tam, fpt, final, lags, crit, cfg)
    ds = c.study_result(
        "toy_paper", scale, "toy_paper", ds.data_vars, ds.coords, config=cfg,
        seed=cfg["seed"], **ds.attrs,
    )  # fmt: skip
    for key in sorted(a for a in ds.attrs if a.startswith("statement")):
        print(ds.attrs[key])
    path = c.write(ds, out_dir, "summary")
    from ..plotting import draw

    return [path, draw(ds, out_dir / "summary.png")]


def _boot_success(hit: np.ndarray, n_boot: int, seed: int):
    """hit (landscape, walker, ...) bool -> pooled rate and percentile bootstrap over
    landscapes (the resampling unit)."""
    rng = np.random.default_rng(seed)
    per = hit.mean(axis=1)  # (landscape, ...)
    idx = rng.integers(0, per.shape[0], (n_boot, per.shape[0]))
    boots = per[idx].mean(axis=1)
    return per.mean(axis=0), np.quantile(boots, 0.025, axis=0), np.quantile(boots, 0.975, axis=0)


def analyse(tam, fpt, final, lags, crit, cfg) -> xr.Dataset:
    from ..analysis import fit_crossover, local_exponent

    nb, seed = cfg["n_boot"], cfg["seed"]
    S, nl, nw = tam.shape[:3]
    T = cfg["steps"]
    coords = {"surface": list(SURFACES), "lag": lags, "criterion": crit}
    out = {}
    # ---- MSD
    per_land = xr.DataArray(tam.mean(axis=2), dims=("surface", "landscape", "lag"),
                            coords={"surface": list(SURFACES), "lag": lags})  # fmt: skip
    pooled = per_land.mean("landscape")
    out["tamsd"] = pooled
    out["beta"] = local_exponent(pooled, delta=20).reindex(lag=lags).drop_attrs()
    lr_fit = (1, T // 4)  # lags with >= 3T/4 pairs each: the long-lag tail is too noisy
    fit = fit_crossover(per_land, lr_fit, n_breaks=1, sample_dim="landscape", n_boot=nb,
                        seed=seed)  # fmt: skip
    for j, name in ((0, "beta1"), (1, "beta2")):
        out[name] = fit["slope"].isel(segment=j, drop=True)
        out[name + "_lo"] = fit["slope_ci"].isel(segment=j, drop=True).sel(bound="lo", drop=True)
        out[name + "_hi"] = fit["slope_ci"].isel(segment=j, drop=True).sel(bound="hi", drop=True)
    out["tau0"] = fit["tau0"].isel({"break": 0}, drop=True)
    out["tau0_lo"] = fit["tau0_ci"].isel({"break": 0}, drop=True).sel(bound="lo", drop=True)
    out["tau0_hi"] = fit["tau0_ci"].isel({"break": 0}, drop=True).sel(bound="hi", drop=True)
    each = xr.DataArray(tam, dims=("surface", "landscape", "walker", "lag"),
                        coords={"surface": list(SURFACES), "lag": lags})  # fmt: skip
    fe = fit_crossover(each, lr_fit, n_breaks=1, sample_dim="walker", n_boot=max(nb // 5, 50),
                       seed=seed)  # fmt: skip
    b1 = fe["slope"].isel(segment=0, drop=True)
    b1lo = fe["slope_ci"].isel(segment=0, drop=True).sel(bound="lo", drop=True)
    out["beta1_each"] = b1
    out["beta2_each"] = fe["slope"].isel(segment=1, drop=True)
    out["tau0_each"] = fe["tau0"].isel({"break": 0}, drop=True)
    n_sup = (b1lo > 1).sum("landscape").values
    out["frac_superdiffusive"] = (("surface",), n_sup / nl)
    lo, hi = c.wilson_interval(n_sup, np.full(S, nl))
    out["frac_superdiffusive_lo"] = (("surface",), lo)
    out["frac_superdiffusive_hi"] = (("surface",), hi)
    # ---- success curves and first passage
    tgrid = np.linspace(0, T, N_CURVE).round().astype(np.int64)
    hit = np.isfinite(fpt)[..., None] & (fpt[..., None] <= tgrid)  # (S, L, W, C, t)
    rate, rlo, rhi = zip(*(_boot_success(hit[s], nb, seed) for s in range(S)))
    out["success"] = (("surface", "criterion", "t"), np.array(rate))
    out["success_lo"] = (("surface", "criterion", "t"), np.array(rlo))
    out["success_hi"] = (("surface", "criterion", "t"), np.array(rhi))
    k_end = np.isfinite(fpt).sum(axis=(1, 2))  # (S, C)
    wlo, whi = c.wilson_interval(k_end, np.full_like(k_end, nl * nw))
    out["success_final_wilson_lo"] = (("surface", "criterion"), wlo)
    out["success_final_wilson_hi"] = (("surface", "criterion"), whi)
    fin = np.isfinite(fpt)  # arrived by the last step
    diffs = []
    for s in (1, 2):  # fractal minus each control, paired by realisation
        d = fin[0].mean(axis=1) - fin[s].mean(axis=1)  # (L, C)
        rng = np.random.default_rng(seed + s)
        idx = rng.integers(0, nl, (nb, nl))
        bd = d[idx].mean(axis=1)
        diffs.append((d.mean(0), np.quantile(bd, 0.025, 0), np.quantile(bd, 0.975, 0)))
    out["success_diff"] = (("control", "criterion"), np.array([x[0] for x in diffs]))
    out["success_diff_lo"] = (("control", "criterion"), np.array([x[1] for x in diffs]))
    out["success_diff_hi"] = (("control", "criterion"), np.array([x[2] for x in diffs]))
    med = np.full((S, len(crit), 3), np.nan)
    for s in range(S):
        for j in range(len(crit)):
            med[s, j] = c.bootstrap_ci(fpt[s, :, :, j].ravel(), np.median, n_boot=nb, seed=seed)
    out["fpt_median_arrived"] = (("surface", "criterion"), med[..., 0])
    out["fpt_median_arrived_lo"] = (("surface", "criterion"), med[..., 1])
    out["fpt_median_arrived_hi"] = (("surface", "criterion"), med[..., 2])
    # ---- final loss
    edges = np.linspace(0, 1, 41)
    hist = np.array([np.histogram(np.clip(final[s].ravel(), 0, 1), edges)[0] for s in range(S)])
    out["final_hist"] = (("surface", "bin"), hist.astype(np.int64))
    fm = np.array([c.bootstrap_ci(final[s].mean(axis=1), np.mean, n_boot=nb, seed=seed)
                   for s in range(S)])  # fmt: skip
    out["final_mean"] = (("surface",), fm[:, 0])
    out["final_mean_lo"] = (("surface",), fm[:, 1])
    out["final_mean_hi"] = (("surface",), fm[:, 2])
    ds = xr.Dataset(out, coords={**coords, "t": tgrid, "control": ["shuffled", "cone"],
                                 "bin_edge_lo": ("bin", edges[:-1]),
                                 "landscape": np.arange(nl)})  # fmt: skip
    for v in ds.data_vars.values():
        v.attrs = {}
    ds.attrs = statements(ds, nl, nw)
    ds.attrs["n_walkers_total"] = nl * nw
    return ds


def statements(ds: xr.Dataset, nl: int, nw: int) -> dict:
    """Plain sentences on superdiffusion and search efficiency, from the numbers."""
    att = {}
    for s in SURFACES:
        d = ds.sel(surface=s)
        att[f"statement_msd_{s}"] = c.diffusion_statement(
            float(d.beta1), (float(d.beta1_lo), float(d.beta1_hi)), float(d.beta2),
            (float(d.beta2_lo), float(d.beta2_hi)), float(d.tau0),
            what=f"{s} ({nl} realisations x {nw} walkers)",
        ) + (f" Realisations with beta1 significantly > 1: {float(d.frac_superdiffusive):.0%}"
             f" [{float(d.frac_superdiffusive_lo):.0%}, {float(d.frac_superdiffusive_hi):.0%}]"
             ".")  # fmt: skip
    crit = "loss_eps_0.05"
    parts = []
    for s in SURFACES:
        d = ds.sel(surface=s, criterion=crit).isel(t=-1)
        parts.append(f"{s} {float(d.success):.1%} [{float(d.success_lo):.1%}, "
                     f"{float(d.success_hi):.1%}]")  # fmt: skip
    verdict = []
    for ctl in ("shuffled", "cone"):
        d = ds.sel(control=ctl, criterion=crit)
        lo, hi = float(d.success_diff_lo), float(d.success_diff_hi)
        word = "higher than" if lo > 0 else "lower than" if hi < 0 else "not distinguishable from"
        verdict.append(f"fractal is {word} {ctl} (difference {float(d.success_diff):+.1%} "
                       f"[{lo:+.1%}, {hi:+.1%}])")  # fmt: skip
    att["statement_success"] = (
        "Success (loss within 5% of the loss range above the global minimum by the last "
        "step): " + ", ".join(parts) + "; " + "; ".join(verdict) + "."
    )
    return att
