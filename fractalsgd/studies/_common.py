"""Helpers shared by the studies: provenance, saving, comparing with committed outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from ..schema import result
from ..store import load, save


def study_result(
    study: str,
    scale: str,
    result_type: str,
    data_vars,
    coords=None,
    *,
    config=None,
    seed=None,
    **attrs,
) -> xr.Dataset:
    """A result Dataset carrying the study name, scale, configuration and seed."""
    return result(
        data_vars,
        coords,
        config=config,
        seed=seed,
        study=study,
        scale=scale,
        result_type=result_type,
        **attrs,
    )


def write(ds: xr.Dataset, out_dir, name: str) -> Path:
    """Save ``ds`` as ``out_dir/name.nc`` (atomic, validated) and return the path."""
    return save(ds, Path(out_dir) / f"{name}.nc")


def same_numbers(a: xr.Dataset, b: xr.Dataset, *, rtol: float = 1e-6, atol: float = 1e-9):
    """Compare the numeric data of two study outputs; return a list of differences (empty if
    they agree). Attributes that change from run to run (``created``) are ignored."""
    diffs = []
    if set(a.data_vars) != set(b.data_vars):
        diffs.append(f"variables differ: {sorted(a.data_vars)} vs {sorted(b.data_vars)}")
        return diffs
    for name in a.data_vars:
        va, vb = a[name], b[name]
        if va.dims != vb.dims or va.shape != vb.shape:
            diffs.append(f"{name}: shape {va.dims}{va.shape} vs {vb.dims}{vb.shape}")
            continue
        if np.issubdtype(va.dtype, np.number) and np.issubdtype(vb.dtype, np.number):
            x, y = np.asarray(va.values, float), np.asarray(vb.values, float)
            if not np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=True):
                err = np.nanmax(np.abs(x - y))
                diffs.append(f"{name}: max abs difference {err:.3g}")
        elif not np.array_equal(va.values, vb.values):
            diffs.append(f"{name}: values differ")
    return diffs


def reproduces(path, new: xr.Dataset, **tol) -> list[str]:
    """Differences between a committed output file and a freshly computed Dataset."""
    return same_numbers(load(path), new, **tol)


# --------------------------------------------------------------------------- statistics


def wilson_interval(k, n, level: float = 0.95):
    """Wilson score interval for a binomial proportion k/n (Wilson 1927).

    centre = (p + z^2/2n) / (1 + z^2/n), half-width = z/(1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2)
    with p = k/n and z the two-sided normal quantile of ``level``. Vectorised over k and n;
    returns (low, high). n = 0 gives (0, 1).
    """
    from scipy.stats import norm

    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(k < 0) or np.any(k > n):
        raise ValueError("wilson_interval: need 0 <= k <= n")
    z = norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, k / np.where(n > 0, n, 1), 0.5)
        nn = np.where(n > 0, n, 1)
        denom = 1 + z**2 / nn
        centre = (p + z**2 / (2 * nn)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / nn + z**2 / (4 * nn**2))
    lo = np.where(n > 0, np.clip(centre - half, 0, 1), 0.0)
    hi = np.where(n > 0, np.clip(centre + half, 0, 1), 1.0)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def bootstrap_ci(values, stat=np.mean, *, n_boot: int = 2000, level: float = 0.95, seed=0):
    """Percentile bootstrap (Efron 1979) of ``stat`` over the first axis of ``values``.

    Non-finite entries are dropped first. Returns (estimate, low, high); (nan, nan, nan)
    when no finite value is left, and (estimate, nan, nan) for a single value.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.nan, np.nan, np.nan
    est = float(stat(v))
    if v.size == 1:
        return est, np.nan, np.nan
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, v.size, size=(n_boot, v.size))
    boots = np.array([stat(v[i]) for i in idx]) if stat is not np.mean else v[idx].mean(axis=1)
    a = (1 - level) / 2
    lo, hi = np.quantile(boots, [a, 1 - a])
    return est, float(lo), float(hi)


def first_passage(values, threshold, steps=None):
    """First step at which each row of ``values`` (walker, time) is <= ``threshold``.

    Returns float steps with NaN where the threshold is never reached.
    """
    v = np.asarray(values, dtype=float)
    thr = np.broadcast_to(np.asarray(threshold, dtype=float).reshape(-1, 1), (v.shape[0], 1))
    hit = v <= thr
    steps = np.arange(v.shape[1]) if steps is None else np.asarray(steps)
    first = np.argmax(hit, axis=1)
    return np.where(hit.any(axis=1), steps[first].astype(float), np.nan)


# --------------------------------------------------------------------------- verdicts


def diffusion_statement(beta1, ci1, beta2, ci2, tau0=np.nan, *, what: str = "the run") -> str:
    """One plain sentence on whether ``what`` shows superdiffusion turning into subdiffusion.

    Superdiffusive means the whole interval of beta1 lies above 1, subdiffusive the whole
    interval of beta2 below 1; anything else is stated as not shown at this scale.
    """
    lo1, hi1 = ci1
    lo2, hi2 = ci2
    sup = np.isfinite(lo1) and lo1 > 1
    sub = np.isfinite(hi2) and hi2 < 1
    b = (
        f"beta1 = {beta1:.2f} [{lo1:.2f}, {hi1:.2f}], beta2 = {beta2:.2f} "
        f"[{lo2:.2f}, {hi2:.2f}], tau0 = {tau0:.0f} steps"
    )
    if sup and sub:
        return f"{what}: superdiffusion turns into subdiffusion ({b})."
    if sup:
        return f"{what}: superdiffusive at short lags but no subdiffusion at this scale ({b})."
    if sub:
        return f"{what}: subdiffusive at long lags but no superdiffusion at this scale ({b})."
    return f"{what}: no superdiffusion-to-subdiffusion crossover at this scale ({b})."


# --------------------------------------------------------------------------- files


def repo_root() -> Path:
    """The checkout this package lives in (the directory holding pyproject.toml)."""
    return Path(__file__).resolve().parents[2]


REFERENCE_NAME = "dnn_tamsd_ly_gong.csv"


def reference_tamsd() -> xr.DataArray:
    """The external DNN TAMSD curves (Ly & Gong; see studies/README.md) as DataArray
    ``tamsd(t_w, lag)`` (:func:`fractalsgd.analysis.read_tamsd_csv`; window in attrs).

    Read from ``../shared/reference`` beside the checkout when present, otherwise from the
    copy committed in ``data/dnn_vs_walkers``.
    """
    from ..analysis import read_tamsd_csv

    root = repo_root()
    for p in (
        root.parent / "shared" / "reference" / REFERENCE_NAME,
        root / "data" / "dnn_vs_walkers" / REFERENCE_NAME,
    ):
        if p.exists():
            return read_tamsd_csv(p)
    raise FileNotFoundError(f"reference curve {REFERENCE_NAME} not found beside {root}")


def save_figure(fig, out_dir, name: str, *, dpi: int = 110) -> Path:
    """Save a matplotlib figure as ``out_dir/name.png`` and close it."""
    import matplotlib.pyplot as plt

    path = Path(out_dir) / f"{name}.png"
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return path


# --------------------------------------------------------------------------- MSD analysis


def analyse_tamsd(tamsd, *, delta: int = 20, n_boot: int = 300, seed: int = 0) -> xr.Dataset:
    """Windowed TAMSD -> mean curve, local exponent and two-regime fit per waiting time.

    ``tamsd``: DataArray (walker, t_w, lag) or (t_w, lag); rows that are all NaN (windows
    not completed) are dropped. Returns a Dataset over (t_w, lag) with ``tamsd`` (mean
    over walkers), ``beta`` (the paper's finite difference, ``delta``) and over t_w
    ``beta1``, ``beta2``, ``tau0`` with ``*_lo`` / ``*_hi`` (95 % intervals of
    :func:`fractalsgd.analysis.fit_crossover`: bootstrap over walkers when there are
    several, moving-block residual bootstrap for one curve).
    """
    from ..analysis import fit_crossover, local_exponent

    t = tamsd
    if "walker" in t.dims and t.sizes["walker"] == 1:
        t = t.isel(walker=0, drop=True)
    row_ok = np.isfinite(t).all([d for d in t.dims if d != "t_w"])
    t = t.sel(t_w=t["t_w"].values[np.asarray(row_ok)])
    t = t.reset_coords(drop=True)
    if t.sizes["t_w"] == 0:
        raise ValueError("tamsd: no complete window")
    mean = t.mean("walker") if "walker" in t.dims else t
    beta = local_exponent(mean, delta=delta).reindex(lag=mean["lag"])
    fit = fit_crossover(t, n_breaks=1, n_boot=n_boot, seed=seed)
    s, sci = fit["slope"], fit["slope_ci"]
    tau0, tci = fit["tau0"].isel({"break": 0}), fit["tau0_ci"].isel({"break": 0})
    out = xr.Dataset(
        {
            "tamsd": mean.drop_attrs(),
            "beta": beta.drop_attrs(),
            "beta1": s.isel(segment=0, drop=True),
            "beta1_lo": sci.isel(segment=0, drop=True).sel(bound="lo", drop=True),
            "beta1_hi": sci.isel(segment=0, drop=True).sel(bound="hi", drop=True),
            "beta2": s.isel(segment=1, drop=True),
            "beta2_lo": sci.isel(segment=1, drop=True).sel(bound="lo", drop=True),
            "beta2_hi": sci.isel(segment=1, drop=True).sel(bound="hi", drop=True),
            "tau0": tau0.drop_vars("break"),
            "tau0_lo": tci.sel(bound="lo", drop=True).drop_vars("break"),
            "tau0_hi": tci.sel(bound="hi", drop=True).drop_vars("break"),
        }
    )
    out.attrs = {"ci_method": fit.attrs.get("ci_method", ""), "beta_delta": delta}
    for v in out.data_vars.values():
        v.attrs = {}
    return out


def statement_from_fit(fit: xr.Dataset, what: str) -> str:
    """:func:`diffusion_statement` from an :func:`analyse_tamsd` Dataset: beta1 of the
    first window (short lags, early) against beta2 of the last window (long lags, late)."""
    first, last = fit.isel(t_w=0), fit.isel(t_w=-1)

    def g(ds, k):
        return float(ds[k])

    return diffusion_statement(
        g(first, "beta1"),
        (g(first, "beta1_lo"), g(first, "beta1_hi")),
        g(last, "beta2"),
        (g(last, "beta2_lo"), g(last, "beta2_hi")),
        g(first, "tau0"),
        what=what,
    )


# --------------------------------------------------------------------------- sweeps

#: where a study's sweep keeps its point files (git-ignored; a re-run resumes from it)
SWEEP_SUBDIR = ("scratch", "sweep")


def sweep_dir(out_dir) -> Path:
    """``out_dir/scratch/sweep``: the point files of a study's sweep."""
    return Path(out_dir).joinpath(*SWEEP_SUBDIR)


def _quiet(*_args, **_kwargs) -> None:
    pass


def run_points(
    study: str,
    kind: str,
    points: list[dict],
    out_dir,
    *,
    scheduler: str = "none",
    workers: int | None = None,
    progress: bool = False,
) -> list[Path]:
    """Run a study's configurations as one sweep (:func:`fractalsgd.sweeps.run_sweep`,
    explicit point list, point kind ``kind``) into :func:`sweep_dir` and return the point
    files in the order of ``points``.

    ``scheduler``: ``"none"`` (in-process, sequential; needs no dask), ``"local"`` (a
    LocalCluster of ``workers`` processes) or a Dask scheduler address. Points whose files
    exist and validate are not run again (the folder may hold points of other scales: files
    are named by the hash of their configuration). A point that fails raises ValueError
    naming it; a point whose run succeeded but whose sweep summary failed still counts (the
    study does its own analysis of the file).
    """
    from ..sweeps.runner import point_path, run_sweep
    from ..sweeps.spec import load_sweep

    if not points:
        raise ValueError(f"{study}: no configurations to run")
    out = sweep_dir(out_dir)
    sweep = load_sweep({"sweep": {"kind": kind, "name": study}, "points": points})
    summary = run_sweep(
        sweep,
        out,
        scheduler=scheduler,
        workers=workers,
        force=True,  # the folder is the study's own scratch space, shared by its scales
        retry_failed=True,
        progress=progress,
        log=print if progress else _quiet,
    )
    paths = []
    for p, status, error in zip(sweep.expand(), summary["status"].values, summary["error"].values):
        path = point_path(out, p)
        if status != "ok" and not (str(error).startswith("summary:") and path.exists()):
            raise ValueError(f"{study}: point {p.index[0]} ({p.hash}) failed: {error}")
        paths.append(path)
    return paths


# --------------------------------------------------------------------------- DNN grids


def dnn_grid(
    runs: dict,
    *,
    n_boot: int = 300,
    progress: bool = False,
    out_dir=None,
    study: str = "dnn_grid",
    scheduler: str = "none",
    workers: int | None = None,
) -> xr.Dataset:
    """Train each labelled configuration (``{label: fractalsgd.dnn.train kwargs}``) and
    return, over (run, t_w): the recorder's TAMSD, beta(tau) and the two-regime fit of each
    complete window (:func:`analyse_tamsd`; one run per label, so the intervals are the
    moving-block bootstrap within the run), plus per-step ``step_length``,
    ``weight_norm`` and ``minibatch_loss`` over (run, iteration).

    The runs go through :func:`run_points` (point kind ``dnn``) into
    ``out_dir/scratch/sweep`` (a temporary folder if ``out_dir`` is None), on ``scheduler``.
    """
    import tempfile

    from ..store import load

    with tempfile.TemporaryDirectory() as tmp:
        paths = run_points(
            study,
            "dnn",
            list(runs.values()),
            tmp if out_dir is None else out_dir,
            scheduler=scheduler,
            workers=workers,
            progress=progress,
        )
        dss = [load(p) for p in paths]
    fits, series = [], []
    for ds in dss:
        t = ds["tamsd"]
        t = t.isel(t_w=np.flatnonzero(np.isfinite(t).all("lag").values))
        fits.append(analyse_tamsd(t, n_boot=n_boot).drop_vars("t_w"))
        series.append(ds[["step_length", "weight_norm", "minibatch_loss"]].reset_coords(drop=True))
    out = xr.concat(fits, dim="run", join="outer", combine_attrs="drop")
    out = out.rename(t_w="window") if "t_w" in out.dims else out
    tw = t["t_w"].values
    out = out.assign_coords(run=list(runs), window=np.arange(out.sizes["window"]))
    out["t_w"] = ("window", tw[: out.sizes["window"]].astype(np.int64))
    ser = xr.concat(series, dim="run", join="outer").assign_coords(run=list(runs))
    return xr.merge([out, ser.drop_attrs()], combine_attrs="drop")


def radial_fraction(step_length, weight_norm) -> np.ndarray:
    """Fraction of the squared step length that is radial, per step:
    (||theta(t)|| - ||theta(t-1)||)^2 / ||theta(t) - theta(t-1)||^2 (the radial part of a
    step is the change of the weight norm to first order in the step). ``weight_norm`` at
    t = 0 is not recorded, so the first step is NaN."""
    s = np.asarray(step_length, float)
    w = np.asarray(weight_norm, float)
    dr = np.full(s.shape, np.nan)
    dr[..., 1:] = np.diff(w, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.clip(dr**2 / s**2, 0, 1)
