"""Phase diagrams of the toy model beyond the paper: Weierstrass landscapes in d = 2 and 10
and spectral fBm surfaces, over Hurst exponent x noise x learning rate, with Gaussian
and Levy (alpha = 1.5) noise.

Per point: ``walkers`` walkers, ``steps`` steps, the TAMSD over the whole path and the
two-regime fit (beta1, beta2, tau0 over lags 1 .. steps/4; bootstrap over walkers), and a
success rate: the best-so-far energy comes within ``eps`` x (E_start - E_ref) of E_ref,
where E_start is the mean starting energy and E_ref the lowest energy known for that
landscape (the grid minimum of a spectral surface, otherwise the lowest energy any walker
reached in any setting on it), with a Wilson interval over walkers (conditional on the
one landscape realisation per family and H).

Weierstrass: ``n_terms`` = 12, gamma 1.5, random rotation, confinement k = 0.1 so that
the walk stays bounded (also under Levy noise); spectral: periodic 257 x 257 surface on
[-1, 1]^2 with periodic boundaries.

The 144 quick-scale points are one sweep of ``walker`` points
(:func:`fractalsgd.studies._common.run_points`): point files in ``OUT/scratch/sweep`` (a
re-run resumes from them), in-process by default or on a Dask cluster with ``fractalsgd
study toy_phase_diagram --scheduler local|ADDRESS [--workers N]``; the study then analyses
each point's file.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from . import _common as c

DESCRIPTION = "Hurst x noise x lr phase diagrams (Weierstrass d=2,10; spectral): beta, success"

FAMILIES = ("weierstrass_d2", "weierstrass_d10", "spectral_d2")
CONFIGS = {
    "smoke": {"hurst": [0.3, 0.8], "noise": [0.01, 0.05], "lr": [0.02],
              "noise_kind": ["gaussian", "levy"], "walkers": 16, "steps": 300, "eps": 0.05,
              "seed": 0, "n_boot": 40},
    "quick": {"hurst": [0.2, 0.5, 0.8], "noise": [0.003, 0.01, 0.03, 0.1],
              "lr": [0.005, 0.02], "noise_kind": ["gaussian", "levy"], "walkers": 50,
              "steps": 1000, "eps": 0.05, "seed": 0, "n_boot": 100},
    "full": {"hurst": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
             "noise": [0.001, 0.003, 0.01, 0.03, 0.1, 0.3], "lr": [0.002, 0.005, 0.02, 0.05],
             "noise_kind": ["gaussian", "levy"], "walkers": 1000, "steps": 10000,
             "eps": 0.05, "seed": 0, "n_boot": 500},
}  # fmt: skip


def landscape(family: str, hurst: float, seed: int):
    from ..landscapes import SpectralSurface, Weierstrass

    if family == "spectral_d2":
        return SpectralSurface(size=257, hurst=hurst, seed=seed), "periodic"
    dim = int(family.split("_d")[1])
    return Weierstrass(dim=dim, hurst=hurst, n_terms=12, seed=seed, rotate=True,
                       confine=0.1), "none"  # fmt: skip


def points_of(cfg: dict) -> tuple[list[dict], list[tuple], dict]:
    """The sweep's points (walker configurations) in the order (family, hurst, noise, lr,
    noise_kind), their indices, and the landscape of each (family, hurst) index."""
    H, S, LR, NK = cfg["hurst"], cfg["noise"], cfg["lr"], cfg["noise_kind"]
    points, index, lands = [], [], {}
    for fi, fam in enumerate(FAMILIES):
        for hi, h in enumerate(H):
            land, boundary = landscape(fam, h, cfg["seed"] + hi)
            lands[fi, hi] = land
            for si, s in enumerate(S):
                for li, lr in enumerate(LR):
                    for ki, nk in enumerate(NK):
                        points.append(
                            {
                                "landscape": land.describe(),
                                "n_walkers": cfg["walkers"],
                                "n_steps": cfg["steps"],
                                "lr": lr,
                                "noise": s,
                                "noise_kind": nk,
                                "boundary": boundary,
                                "seed": cfg["seed"],
                            }
                        )
                        index.append((fi, hi, si, li, ki))
    return points, index, lands


def run(scale: str, out_dir, *, progress: bool = True, scheduler="none", workers=None):
    """Run the grid as one sweep of walker points (:func:`fractalsgd.studies._common.
    run_points`: point files in ``out_dir/scratch/sweep``, a re-run resumes; ``scheduler``
    ``"none"``, ``"local"`` or a Dask address), then analyse every point's trajectory."""
    from ..analysis import fit_crossover, tamsd
    from ..store import load

    cfg = CONFIGS[scale]
    H, S, LR, NK = cfg["hurst"], cfg["noise"], cfg["lr"], cfg["noise_kind"]
    shape = (len(FAMILIES), len(H), len(S), len(LR), len(NK))
    names = ("beta1", "beta1_lo", "beta1_hi", "beta2", "beta2_lo", "beta2_hi", "tau0")
    res = {k: np.full(shape, np.nan) for k in names}
    best_path = {}
    T = cfg["steps"]
    pts, index, lands = points_of(cfg)
    files = c.run_points("toy_phase_diagram", "walker", pts, out_dir, scheduler=scheduler,
                         workers=workers, progress=progress)  # fmt: skip
    by_land: dict = {}
    for ix, path in zip(index, files):
        by_land.setdefault(ix[:2], []).append((ix[2:], path))
    e_ref = np.empty(shape[:2])
    e_start = np.empty(shape[:2])
    for (fi, hi), settings in by_land.items():
        land = lands[fi, hi]
        bests = {}
        for (si, li, ki), path in settings:
            tr = load(path)
            loss = tr["loss"].values
            bests[si, li, ki] = np.fmin.accumulate(loss, axis=1)
            e_start_k = float(np.nanmean(loss[:, 0]))
            t = tamsd(tr.isel(time=slice(1, None)), lags=np.arange(1, T // 4 + 1))
            try:
                fit = fit_crossover(t, n_breaks=1, n_boot=cfg["n_boot"], seed=cfg["seed"])
            except ValueError:  # e.g. a diverged walker; recorded as NaN
                continue
            ix = (fi, hi, si, li, ki)
            sl, sci = fit["slope"].values, fit["slope_ci"].values
            res["beta1"][ix], res["beta2"][ix] = sl[0], sl[1]
            res["beta1_lo"][ix], res["beta1_hi"][ix] = sci[0]
            res["beta2_lo"][ix], res["beta2_hi"][ix] = sci[1]
            res["tau0"][ix] = float(fit["tau0"].values[0])
        known = land.global_minimum[1] if land.global_minimum is not None else np.inf
        e_ref[fi, hi] = min(known, min(np.nanmin(b) for b in bests.values()))
        e_start[fi, hi] = e_start_k  # same seed, same starts in every setting
        for key, b in bests.items():
            best_path[(fi, hi) + key] = b
    succ = np.full(shape, np.nan)
    k_hit = np.zeros(shape, dtype=np.int64)
    for ix, b in best_path.items():
        thr = e_ref[ix[:2]] + cfg["eps"] * (e_start[ix[:2]] - e_ref[ix[:2]])
        k_hit[ix] = int((b[:, -1] <= thr).sum())
        succ[ix] = k_hit[ix] / b.shape[0]
    lo, hi_ = c.wilson_interval(k_hit, np.full(shape, cfg["walkers"]))
    dims = ("family", "hurst", "noise", "lr", "noise_kind")
    data = {k: (dims, v) for k, v in res.items()}
    data.update(
        success=(dims, succ),
        success_lo=(dims, lo),
        success_hi=(dims, hi_),
        e_ref=(("family", "hurst"), e_ref),
        e_start=(("family", "hurst"), e_start),
    )
    coords = {"family": list(FAMILIES), "hurst": H, "noise": S, "lr": LR, "noise_kind": NK}
    ds = xr.Dataset(data, coords=coords)
    att = statements(ds)
    out = c.study_result("toy_phase_diagram", scale, "toy_phase_diagram", ds.data_vars,
                         ds.coords, config=cfg, seed=cfg["seed"], **att)  # fmt: skip
    for s in att.values():
        print(s)
    path = c.write(out, out_dir, "summary")
    from ..plotting import draw

    return [path, draw(out, out_dir / "summary.png")]


def statements(ds: xr.Dataset) -> dict:
    sup = (ds.beta1_lo > 1).values
    sub = (ds.beta2_hi < 1).values
    both = sup & sub
    s = ds.success.values
    n = np.isfinite(ds.beta1.values).sum()

    def mean_or_nan(x):
        x = x[np.isfinite(x)]
        return f"{x.mean():.1%}" if x.size else "n/a (no such point)"

    att = {
        "statement_regimes": (
            f"{int(sup.sum())}/{n} points significantly superdiffusive at short lags, "
            f"{int(sub.sum())}/{n} significantly subdiffusive at long lags, {int(both.sum())}"
            f"/{n} both (the paper's super-then-sub pattern)."
        ),
        "statement_search": (
            f"Mean success: {mean_or_nan(s[both])} where super-then-sub holds, "
            f"{mean_or_nan(s[~both])} elsewhere; superdiffusive points "
            f"{mean_or_nan(s[sup])} vs the rest {mean_or_nan(s[~sup])}."
        ),
    }
    for nk in ds.noise_kind.values:
        d = ds.sel(noise_kind=nk)
        att[f"statement_{nk}"] = (
            f"{nk} noise: median beta1 {float(d.beta1.median()):.2f}, median beta2 "
            f"{float(d.beta2.median()):.2f}, mean success {float(d.success.mean()):.1%}."
        )
    return att
