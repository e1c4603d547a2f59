"""``simulate``: run walkers on a landscape and return a trajectory Dataset."""

from __future__ import annotations

import json
import math
import os
import threading
import time

import numpy as np

from ..landscapes import Landscape, from_config
from ..schema import STEP_DIM, trajectory
from . import _engine as E
from ._rng import _seed_states

__all__ = ["simulate", "rerun", "record_steps"]

BOUNDARIES = {"none": E.NONE, "reflect": E.REFLECT, "periodic": E.PERIODIC, "redraw": E.REDRAW}
NOISE_KINDS = {"gaussian": E.GAUSSIAN, "levy": E.LEVY}
#: snapshots per decade of steps for record="log"
LOG_PER_DECADE = 30
#: work per chunk (walkers x steps x coords x landscape cost) between progress updates
_CHUNK_WORK = 2e7
_CHUNK_BUFFER = 8_000_000  # step-length buffer entries per chunk (64 MB)


_LOCK = threading.Lock()


def _needs_lock() -> bool:
    """Numba's 'workqueue' threading layer aborts on concurrent parallel launches from
    several Python threads (e.g. a threaded dask worker): serialise them there."""
    import numba

    try:
        return numba.threading_layer() == "workqueue"
    except ValueError:  # no parallel kernel has run yet: be safe on the first call
        return True


def record_steps(record, n_steps: int) -> np.ndarray:
    """Snapshot steps (int64, strictly increasing, starting at 0) for a record option.

    ``"all"``: 0..n_steps; int stride k: 0, k, 2k, ... plus n_steps; ``"log"``: 0 and
    about :data:`LOG_PER_DECADE` log-spaced steps per decade up to n_steps (all of 1..n
    while they are denser than that).
    """
    if isinstance(record, str):
        if record == "all":
            return np.arange(n_steps + 1, dtype=np.int64)
        if record == "log":
            if n_steps == 0:
                return np.zeros(1, dtype=np.int64)
            num = max(2, math.ceil(LOG_PER_DECADE * math.log10(max(n_steps, 10))) + 1)
            s = np.unique(np.round(np.logspace(0, math.log10(n_steps), num)).astype(np.int64))
            return np.concatenate([[0], s[(s > 0) & (s <= n_steps)]]).astype(np.int64)
        raise ValueError(f"record must be 'all', 'log' or an int stride >= 1, got {record!r}")
    if isinstance(record, bool) or not isinstance(record, (int, np.integer)) or record < 1:
        raise ValueError(f"record must be 'all', 'log' or an int stride >= 1, got {record!r}")
    s = np.arange(0, n_steps + 1, int(record), dtype=np.int64)
    if s[-1] != n_steps:
        s = np.append(s, n_steps)
    return s


def _available_memory() -> float:
    try:
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 8e9


def _number(name, value, lo=None, *, lo_open=False):
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(x) or (lo is not None and (x <= lo if lo_open else x < lo)):
        rel = ">" if lo_open else ">="
        raise ValueError(f"{name} must be a finite number {rel} {lo}, got {value!r}")
    return x


def _count(name, value, lo):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {value!r}")
    return int(value)


def _box(box, landscape, boundary):
    if box is None:
        if landscape.domain is not None:
            lo, hi = landscape.domain
            return np.array(lo, dtype=float), np.array(hi, dtype=float), True
        if boundary != "none":
            raise ValueError(
                f"boundary={boundary!r} needs a box: pass box=(lo, hi) "
                f"(landscape {landscape.name!r} has no domain of its own)"
            )
        return np.full(landscape.dim, -np.inf), np.full(landscape.dim, np.inf), False
    try:
        lo, hi = box
        lo = np.broadcast_to(np.asarray(lo, dtype=float), (landscape.dim,)).copy()
        hi = np.broadcast_to(np.asarray(hi, dtype=float), (landscape.dim,)).copy()
    except (TypeError, ValueError):
        raise ValueError(
            f"box must be (lo, hi) with scalars or arrays of length {landscape.dim}, got {box!r}"
        ) from None
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi)) and np.all(hi > lo)):
        raise ValueError(f"box must have finite lo < hi in every coordinate, got {box!r}")
    return lo, hi, True


def simulate(
    landscape,
    n_walkers: int,
    n_steps: int,
    lr: float,
    noise: float,
    *,
    start="uniform",
    momentum: float = 0.0,
    noise_kind: str = "gaussian",
    levy_alpha: float = 1.5,
    boundary: str = "none",
    box=None,
    record="all",
    seed: int = 0,
    progress: bool = True,
    max_memory: float | None = None,
):
    """Run ``n_walkers`` independent walkers for ``n_steps`` steps on ``landscape``.

    Update rule, exactly (per walker; Polyak heavy ball when momentum > 0):
    ``v <- momentum * v - lr * grad U(x)``; ``x <- x + v + noise * xi`` with xi standard
    normal, or for ``noise_kind="levy"`` i.i.d. symmetric alpha-stable with unit scale
    (characteristic function exp(-|u|^levy_alpha); Chambers-Mallows-Stuck). v starts at 0.

    Parameters
    ----------
    landscape : a :class:`~fractalsgd.landscapes.Landscape` or its ``describe()`` dict.
    start : ``"uniform"`` (uniform in the box, in the landscape's domain, else in
        [-1, 1]^dim) or an array of shape (dim,) or (n_walkers, dim).
    boundary : ``"none"``, ``"reflect"`` (mirror at the walls, velocity component
        reversed), ``"periodic"`` (the landscape is evaluated at the position wrapped into
        the box; positions are stored UNWRAPPED so displacements and MSDs stay valid;
        wrap with ``lo + (x - lo) % (hi - lo)`` for plots) or
        ``"redraw"`` (the paper: the noise of a step that would leave the box is redrawn,
        up to 1000 times, after which the step is clipped onto the box and counted in
        ``clipped``).
    box : ``(lo, hi)`` scalars or per-coordinate arrays; defaults to the landscape's domain
        (grid surfaces: their extent). Needed for boundaries other than "none" on
        unbounded landscapes.
    record : ``"all"`` (every step), ``"log"`` (log-spaced, ~30 per decade) or an int
        stride; step 0 (the start) and the last step are always recorded. The memory
        needed is checked first against ``max_memory`` bytes (default: half the free RAM).
    seed : walker w draws from its own stream, a function of (seed, w) only: results are
        bit-identical whatever the number of Numba threads. Uniform starts come from
        ``numpy.random.default_rng(seed)``.
    progress : show a tqdm bar when the run lasts longer than 2 s. Ctrl-C stops after the
        current chunk and returns what was recorded, with ``attrs["status"] =
        "interrupted"`` (``"completed"`` otherwise).

    Returns
    -------
    xarray.Dataset in the trajectory schema (source "walker") with ``position(walker,
    time, coord)``, ``loss(walker, time)`` (U at the snapshots), ``step(time)`` and

    * ``step_length(iteration)``: mean over live walkers of ||x_t - x_(t-1)|| at step t;
    * ``walker_step_length(walker)``: each walker's mean step length over its steps;
    * ``path_length(walker)``: each walker's total path (contour) length;
    * ``diverged(walker)`` (bool) and ``diverged_step(walker)`` (-1 if not): a walker
      whose position became non-finite stops there; its later snapshots are NaN;
    * ``redraws(walker)``, ``clipped(walker)``: noise redraws and clipped steps of the
      "redraw" rule. A clip means the drift alone left the box by far more than the
      noise can undo: on the paper's diamond-square surface the border clamp z <= 0
      makes cliffs of slope ~10^3 (a walker there is thrown ~10 box widths at lr 0.02;
      the authors' MATLAB loop would redraw forever);
    * attrs ``config`` (JSON: everything needed to rerun, ``simulate(**config)`` when
      ``start`` was "uniform"), ``landscape`` (JSON of ``describe()``), ``status``,
      ``result_type = "trajectory"``.
    """
    if isinstance(landscape, dict):
        landscape = from_config(landscape)
    if not isinstance(landscape, Landscape):
        raise ValueError(f"landscape must be a Landscape or a config dict, got {landscape!r}")
    n_walkers = _count("n_walkers", n_walkers, 1)
    n_steps = _count("n_steps", n_steps, 0)
    lr = _number("lr", lr, 0.0)
    noise = _number("noise", noise, 0.0)
    momentum = _number("momentum", momentum, 0.0)
    if momentum >= 1.0:
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    if noise_kind not in NOISE_KINDS:
        raise ValueError(f"noise_kind must be one of {list(NOISE_KINDS)}, got {noise_kind!r}")
    levy_alpha = _number("levy_alpha", levy_alpha, 0.0, lo_open=True)
    if levy_alpha > 2.0:
        raise ValueError(f"levy_alpha must be in (0, 2], got {levy_alpha!r}")
    if boundary not in BOUNDARIES:
        raise ValueError(f"boundary must be one of {list(BOUNDARIES)}, got {boundary!r}")
    seed = _count("seed", seed, 0)
    if seed >= 2**63:
        raise ValueError(f"seed must be < 2^63, got {seed}")
    dim = landscape.dim
    lo, hi, has_box = _box(box, landscape, boundary)
    snaps = record_steps(record, n_steps)

    cost = max(1, int(getattr(landscape, "cost", 1)))
    chunk = int(min(max(n_steps, 1), max(1, _CHUNK_WORK // (n_walkers * dim * cost))))
    chunk = max(1, min(chunk, _CHUNK_BUFFER // n_walkers))
    fixed = 8.0 * (2 * n_steps + n_walkers * chunk)
    per_snap = 8.0 * n_walkers * (dim + 1)
    need = fixed + per_snap * snaps.size
    limit = 0.5 * _available_memory() if max_memory is None else float(max_memory)
    if need > limit:
        fits = math.floor((limit - fixed) / per_snap) - 2  # start and end always recorded
        hint = (
            f"use record={max(2, math.ceil(n_steps / fits))} (a stride) or record='log'"
            if fits >= 1
            else "use fewer walkers or steps"
        )
        raise ValueError(
            f"record={record!r} needs {need / 1e9:.3g} GB ({n_walkers} walkers x "
            f"{snaps.size} snapshots x {dim} coords), more than the {limit / 1e9:.3g} GB "
            f"allowed: {hint}"
        )

    rng = np.random.default_rng(seed)
    if isinstance(start, str):
        if start != "uniform":
            raise ValueError(f"start must be 'uniform' or an array, got {start!r}")
        if has_box:
            x = rng.uniform(lo, hi, size=(n_walkers, dim))
        else:
            x = rng.uniform(-1.0, 1.0, size=(n_walkers, dim))
        start_cfg = "uniform"
    else:
        s = np.asarray(start, dtype=float)
        if s.shape not in ((dim,), (n_walkers, dim)):
            raise ValueError(
                f"start must have shape ({dim},) or ({n_walkers}, {dim}), got {s.shape}"
            )
        if not np.all(np.isfinite(s)):
            raise ValueError("start holds non-finite values")
        x = np.array(np.broadcast_to(s, (n_walkers, dim)), dtype=float)
        if boundary != "none" and not np.all((x >= lo) & (x <= hi)):
            bad = int(np.argmax(~np.all((x >= lo) & (x <= hi), axis=1)))
            raise ValueError(
                f"start of walker {bad} lies outside the box for boundary={boundary!r}"
            )
        start_cfg = "array"
    x = np.ascontiguousarray(x)
    vel = np.zeros_like(x)
    states = _seed_states(np.uint64(seed), n_walkers)
    alive = np.ones(n_walkers, dtype=np.bool_)
    div_step = np.full(n_walkers, -1, dtype=np.int64)
    redraws = np.zeros(n_walkers, dtype=np.int64)
    clipped = np.zeros(n_walkers, dtype=np.int64)
    kargs = landscape.kernel_args()

    pos = np.full((n_walkers, snaps.size, dim), np.nan)
    loss = np.full((n_walkers, snaps.size), np.nan)
    pos[:, 0] = x
    loss[:, 0] = landscape.energy(x)
    step_mean = np.full(n_steps, np.nan)
    path = np.zeros(n_walkers)
    n_taken = np.zeros(n_walkers, dtype=np.int64)
    buf = np.empty((chunk, n_walkers))

    bar = None
    if progress and n_steps > 0:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_steps, unit="step", delay=2.0, desc="simulate")
    done = 0
    status = "completed"
    t_start = time.perf_counter()
    try:
        while done < n_steps:
            t1 = min(n_steps, done + chunk)
            j0 = int(np.searchsorted(snaps, done + 1))
            args = (
                landscape.kind, *kargs, x, vel, states, alive, div_step,
                done, t1, lr, momentum, noise, NOISE_KINDS[noise_kind], levy_alpha,
                BOUNDARIES[boundary], lo, hi, snaps, j0, pos, loss, buf, path, n_taken,
                redraws, clipped,
            )  # fmt: skip
            if _needs_lock():
                with _LOCK:
                    E._run_chunk(*args)
            else:
                E._run_chunk(*args)
            E._step_means(buf, t1 - done, step_mean[done:t1])
            done = t1
            if bar is not None:
                bar.update(t1 - bar.n)
    except KeyboardInterrupt:
        status = "interrupted"
    finally:
        if bar is not None:
            bar.close()
    elapsed = time.perf_counter() - t_start

    keep = snaps <= done
    config = {
        "landscape": landscape.describe(),
        "n_walkers": n_walkers,
        "n_steps": n_steps,
        "lr": lr,
        "noise": noise,
        "start": start_cfg,
        "momentum": momentum,
        "noise_kind": noise_kind,
        "levy_alpha": levy_alpha,
        "boundary": boundary,
        "box": None if box is None else [lo.tolist(), hi.tolist()],
        "record": record if isinstance(record, str) else int(record),
        "seed": seed,
    }
    ds = trajectory(
        pos[:, keep],
        step=snaps[keep],
        loss=loss[:, keep],
        source="walker",
        config=config,
        seed=seed,
        status=status,
        steps_done=int(done),
        landscape=json.dumps(landscape.describe()),
        result_type="trajectory",
        elapsed_s=float(elapsed),
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        wmean = np.where(n_taken > 0, path / np.maximum(n_taken, 1), np.nan)
    ds = ds.assign_coords({STEP_DIM: np.arange(1, done + 1, dtype=np.int64)})
    ds["step_length"] = (STEP_DIM, step_mean[:done])
    ds["step_length"].attrs["long_name"] = "mean over live walkers of ||x_t - x_(t-1)||"
    ds["walker_step_length"] = ("walker", wmean)
    ds["walker_step_length"].attrs["long_name"] = "mean step length of each walker"
    ds["path_length"] = ("walker", path)
    ds["path_length"].attrs["long_name"] = "total path (contour) length of each walker"
    ds["diverged"] = ("walker", ~alive)
    ds["diverged_step"] = ("walker", div_step)
    ds["redraws"] = ("walker", redraws)
    ds["redraws"].attrs["long_name"] = "noise redraws of boundary='redraw'"
    ds["clipped"] = ("walker", clipped)
    ds["clipped"].attrs["long_name"] = f"steps clipped onto the box after {E.MAX_REDRAW} redraws"
    return ds


def rerun(ds, **overrides):
    """Run again the simulation that produced ``ds`` (same seed: same numbers), with
    keyword ``overrides`` (e.g. ``n_steps=10**6``, ``seed=2``). Array starts are read back
    from ``position`` at step 0."""
    from ..schema import config_of

    cfg = config_of(ds)
    if ds.attrs.get("source") != "walker" or "landscape" not in cfg:
        raise ValueError("rerun needs a trajectory written by fractalsgd.simulate")
    if cfg.get("start") == "array":
        cfg["start"] = np.asarray(ds["position"].isel(time=0).values)
    cfg["progress"] = False
    cfg.update(overrides)
    return simulate(**cfg)
