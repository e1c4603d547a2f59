"""Running a sweep: one Dask task per point, resume, failures, merged summary.

Layout of the output directory ``DIR``::

    DIR/sweep.json        the sweep's identity and specification (claims the directory)
    DIR/points/p-HASH.nc  one trajectory per point (atomic writes, HASH = config_hash)
    DIR/failures.json     points that raised: configuration, error line, traceback
    DIR/summary.nc        the merged summary (one dim per swept key; ``point`` for a list)

A point counts as done when its file exists, validates and carries the point's hash; its
summary is stored in the file's attributes, so a re-run reads it back without recomputing
(or recomputes only the summary when the ``[summary]`` options changed).
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..schema import SchemaError, result, validate
from ..store import load, save
from .kinds import PointKind
from .spec import POINT_DIM, Point, Sweep, canonical_json, load_sweep

__all__ = [
    "run_sweep",
    "open_points",
    "load_summary",
    "reduce_summary",
    "point_path",
    "SWEEP_FILE",
]

SWEEP_FILE = "sweep.json"
FAILURES_FILE = "failures.json"
SUMMARY_FILE = "summary.nc"
POINTS_DIR = "points"
SUMMARY_TYPE = "sweep_summary"


def point_path(out, point: Point) -> Path:
    return Path(out) / POINTS_DIR / point.filename


def _write_json(path: Path, obj: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    with open(tmp, "w") as fh:
        json.dump(obj, fh, indent=1, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _read_json(path: Path, what: str) -> Any:
    try:
        with open(path) as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: corrupt {what} ({exc})") from None


# -- the output directory ---------------------------------------------------------------


def _claim(out: Path, sweep: Sweep, force: bool) -> None:
    """Refuse a directory holding another sweep's (or anything else's) files unless force."""
    meta = out / SWEEP_FILE
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out}: exists and is not a directory")
    if meta.exists():
        old = _read_json(meta, "sweep file")
        if old.get("identity") != sweep.identity and not force:
            raise ValueError(
                f"--out {out} holds another sweep ({old.get('name')!r}, identity "
                f"{old.get('identity')}); use another directory or --force"
            )
    elif out.exists() and any(out.iterdir()) and not force:
        raise ValueError(
            f"--out {out} is not empty and holds no {SWEEP_FILE}; use an empty directory or --force"
        )
    (out / POINTS_DIR).mkdir(parents=True, exist_ok=True)
    _write_json(
        meta,
        {
            "name": sweep.name,
            "identity": sweep.identity,
            "spec": sweep.to_dict(),
            "dims": list(sweep.dims),
            "shape": list(sweep.shape),
        },
    )


def _stored(path: Path, point: Point):
    """(summary, summary_options) stored in a valid point file, or None if it must run."""
    if not path.exists():
        return None
    try:
        ds = load(path, lazy=True)
    except (SchemaError, OSError):
        return None
    try:
        if ds.attrs.get("sweep_point") != point.hash:
            return None
        return json.loads(ds.attrs.get("sweep_summary", "null")), ds.attrs.get(
            "sweep_summary_options", ""
        )
    except json.JSONDecodeError:
        return None
    finally:
        ds.close()


# -- one task ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Task:
    kind: PointKind
    point: Point
    path: str
    sweep_name: str
    summary_options: dict
    numba_threads: int | str | None  # "auto": from the worker's thread count
    summarise_only: bool = False


def _worker():
    try:
        from distributed import get_worker

        return get_worker()
    except (ImportError, ValueError):
        return None


def _worker_index(worker) -> int:
    """A small integer per worker: its name if numeric (LocalCluster: 0..N-1), else the
    trailing number of its name (dask-jobqueue 'SLURMCluster-3'), else a stable hash."""
    name = str(worker.name)
    m = re.search(r"(\d+)$", name)
    if m:
        return int(m.group(1))
    return sum(map(ord, name))


def _limit_threads(n) -> int | None:
    """Cap Numba's threads in this task so workers x threads do not oversubscribe cores."""
    if n == "auto":
        w = _worker()
        if w is None:
            return None
        n = max(1, (os.cpu_count() or 1) // max(1, int(w.state.nthreads)))
    if n is None:
        return None
    import numba

    n = max(1, min(int(n), numba.config.NUMBA_NUM_THREADS))
    numba.set_num_threads(n)
    return n


def gpu_for_worker(n_gpus: int) -> int | None:
    """The GPU this worker owns: worker index modulo the GPU count (None: no GPU / worker)."""
    w = _worker()
    if w is None or n_gpus <= 0:
        return None
    return _worker_index(w) % n_gpus


def _error_line(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {msg[0]}" if msg else type(exc).__name__


_CURRENT = threading.local()
#: NetCDF / HDF5 are not thread-safe: a worker running several tasks in threads (a
#: threaded LocalCluster, ``--threads-per-worker > 1``) reads and writes one file at a time
_IO_LOCK = threading.RLock()


class _SummaryError(Exception):
    """The point ran but its summary raised (the trajectory file is kept)."""


def current_task() -> dict:
    """What the runner tells the point running in this thread: ``path``, ``threads``."""
    return dict(getattr(_CURRENT, "info", {}))


def _execute(task: _Task) -> dict:
    """Run (or re-summarise) one point; never raises: failures come back as records."""
    t0 = time.perf_counter()
    rec = {"hash": task.point.hash, "status": "ok", "summary": None, "error": ""}
    try:
        rec["numba_threads"] = _limit_threads(task.numba_threads)
        _CURRENT.info = {"path": task.path, "threads": rec["numba_threads"]}
        if task.summarise_only:
            with _IO_LOCK:
                ds = load(task.path)
        else:
            ds = task.kind.run(**task.point.config)
            if not isinstance(ds, xr.Dataset):
                raise TypeError(
                    f"point kind {task.kind.name!r} returned {type(ds).__name__}, "
                    "not an xarray.Dataset"
                )
            validate(ds)
        ds.attrs.update(
            sweep_point=task.point.hash,
            sweep_name=task.sweep_name,
            sweep_kind=task.kind.name,
            sweep_config=canonical_json(task.point.config),
        )
        try:
            summary = task.kind.summary_of(ds, task.point.config, task.summary_options)
        except Exception as exc:
            if not task.summarise_only:  # keep the run: a re-run only re-summarises
                ds.attrs.pop("sweep_summary", None)
                with _IO_LOCK:
                    save(ds, task.path)
            raise _SummaryError(_error_line(exc)) from exc
        ds.attrs.update(
            sweep_summary=json.dumps(summary),
            sweep_summary_options=canonical_json(task.summary_options),
        )
        with _IO_LOCK:
            save(ds, task.path)
        ckpt = Path(task.path + ".ckpt")  # a DNN point's checkpoint is not needed any more
        if ckpt.exists():
            ckpt.unlink()
        rec["summary"] = summary
    except Exception as exc:  # noqa: BLE001 - every failure is recorded, the sweep goes on
        err = f"summary: {exc}" if isinstance(exc, _SummaryError) else _error_line(exc)
        rec.update(status="failed", error=err, traceback=traceback.format_exc())
    finally:
        _CURRENT.info = {}
    rec["seconds"] = time.perf_counter() - t0
    return rec


# -- schedulers -------------------------------------------------------------------------


def _require_distributed() -> None:
    """dask and distributed, or one line naming the extra (MissingDependencyError)."""
    from .._optional import require

    require("dask", "distributed", "fractalsgd.sweeps")
    require("distributed", "distributed", "fractalsgd.sweeps")


def _connect(scheduler, workers, threads_per_worker, connect_timeout, log):
    """(client, cluster) for 'local' or an address (needs dask.distributed: one-line
    MissingDependencyError naming the extra otherwise)."""
    _require_distributed()
    from distributed import Client, LocalCluster

    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=threads_per_worker,
            processes=True,
            dashboard_address=":0",
        )
        client = Client(cluster)
    else:
        cluster = None
        try:
            client = Client(scheduler, timeout=connect_timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ValueError(
                f"--scheduler {scheduler}: no Dask scheduler answered within "
                f"{connect_timeout:g} s ({type(exc).__name__})"
            ) from None
    import importlib.util

    note = "" if importlib.util.find_spec("bokeh") else " (install bokeh to serve it)"
    log(f"dask dashboard: {client.dashboard_link}{note}")
    return client, cluster


def _progress(total, enabled, desc):
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not enabled, desc=desc, unit="point", file=sys.stderr)


def run_sweep(
    sweep,
    out,
    *,
    scheduler: str | None = "local",
    client=None,
    workers: int | None = None,
    threads_per_worker: int = 1,
    numba_threads: int | None = None,
    retry_failed: bool = False,
    force: bool = False,
    progress: bool = True,
    connect_timeout: float = 10.0,
    log=print,
) -> xr.Dataset:
    """Run every missing point of ``sweep`` into ``out`` and return the merged summary.

    ``sweep``: a :class:`Sweep`, a TOML path or a dict. ``scheduler``: ``"none"``
    (in-process, sequential), ``"local"`` (a LocalCluster of ``workers`` processes with
    ``threads_per_worker`` threads) or a scheduler address (``tcp://host:8786``);
    ``client`` (an existing ``distributed.Client``) overrides it. Numba threads per task
    default to cores / (workers x threads) on a LocalCluster and to cores / worker threads
    on any cluster. Points done before are skipped, points that failed before are skipped
    too unless ``retry_failed``. The summary is also saved to ``out/summary.nc``.

    A script that starts a LocalCluster (``scheduler="local"``) needs the
    ``if __name__ == "__main__":`` guard: worker processes are spawned and re-import it.
    """
    if client is None and scheduler not in ("none", None):
        _require_distributed()  # before anything else: one line when the extra is missing
    sweep = load_sweep(sweep)
    points = sweep.expand()
    out = Path(out)
    for name, v in (("workers", workers), ("threads_per_worker", threads_per_worker)):
        if v is not None and (not isinstance(v, (int, np.integer)) or v < 1):
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if numba_threads is not None and (
        not isinstance(numba_threads, (int, np.integer)) or numba_threads < 1
    ):
        raise ValueError(f"numba_threads must be a positive integer, got {numba_threads!r}")
    if client is None and scheduler not in ("none", "local") and not isinstance(scheduler, str):
        raise ValueError(f"scheduler must be 'none', 'local' or an address, got {scheduler!r}")
    _claim(out, sweep, force)

    failures_path = out / FAILURES_FILE
    failures = _read_json(failures_path, "failures file") if failures_path.exists() else {}
    options = dict(sweep.summary)
    opts_json = canonical_json(options)
    records: dict[str, dict] = {}
    todo: list[_Task] = []
    kind = sweep.point_kind
    for p in points:
        path = point_path(out, p)
        stored = _stored(path, p)
        if stored is not None and stored[0] is not None and stored[1] == opts_json:
            records[p.hash] = {"hash": p.hash, "status": "ok", "summary": stored[0], "error": ""}
            continue
        if stored is None and p.hash in failures and not retry_failed:
            records[p.hash] = {
                "hash": p.hash,
                "status": "failed",
                "summary": None,
                "error": failures[p.hash]["error"],
            }
            continue
        todo.append(
            _Task(kind, p, str(path), sweep.name, options, None, summarise_only=stored is not None)
        )
    n_failed_before = sum(r["status"] == "failed" for r in records.values())
    n_done = len(records) - n_failed_before
    log(
        f"sweep {sweep.name!r}: {len(points)} points, {n_done} done before, "
        + (f"{n_failed_before} failed before (not retried), " if n_failed_before else "")
        + f"{len(todo)} to run -> {out}"
    )

    def _record(rec):
        records[rec["hash"]] = rec
        p = by_hash[rec["hash"]]
        if rec["status"] == "failed":
            failures[p.hash] = {
                "index": dict(zip(sweep.dims, p.index)),
                "labels": p.labels,
                "config": p.config,
                "error": rec["error"],
                "traceback": rec.get("traceback", ""),
            }
        else:
            failures.pop(p.hash, None)
        _write_json(failures_path, failures)

    by_hash = {p.hash: p for p in points}
    if todo:
        if client is None and scheduler in ("none", None):
            ntask = [_with_threads(t, numba_threads) for t in todo]
            with _progress(len(todo), progress, sweep.name) as bar:
                for t in ntask:
                    _record(_execute(t))
                    bar.update()
        else:
            own = client is None
            cluster = None
            if own:
                if scheduler != "local" and (workers or threads_per_worker != 1):
                    log("note: --workers / --threads-per-worker apply to 'local' only")
                n = workers or 2
                client, cluster = _connect(scheduler, n, threads_per_worker, connect_timeout, log)
                if numba_threads is None and scheduler == "local":
                    numba_threads = max(1, (os.cpu_count() or 1) // (n * threads_per_worker))
            try:
                _run_dask(client, todo, numba_threads, progress, sweep.name, _record)
            finally:
                if own:
                    client.close()
                    if cluster is not None:
                        cluster.close()

    ds = _merge_summary(sweep, points, records, out)
    save(ds, out / SUMMARY_FILE)
    n_failed = int((ds["status"] == "failed").sum())
    log(
        f"sweep {sweep.name!r}: {len(points) - n_failed} ok, {n_failed} failed "
        f"-> {out / SUMMARY_FILE}"
    )
    return ds


def _with_threads(task: _Task, numba_threads) -> _Task:
    from dataclasses import replace

    return replace(task, numba_threads=numba_threads if numba_threads else "auto")


def _run_dask(client, todo, numba_threads, progress, desc, record):
    _require_distributed()
    from distributed import as_completed

    futures = {}
    for t in todo:
        t = _with_threads(t, numba_threads)
        key = f"sweep-point-{t.point.hash}-{uuid.uuid4().hex[:6]}"
        futures[client.submit(_execute, t, key=key, pure=False)] = t
    with _progress(len(futures), progress, desc) as bar:
        for fut in as_completed(list(futures)):
            t = futures[fut]
            try:
                rec = fut.result()
            except Exception as exc:  # noqa: BLE001 - lost worker, cancelled task ...
                rec = {
                    "hash": t.point.hash,
                    "status": "failed",
                    "summary": None,
                    "error": _error_line(exc),
                    "traceback": "".join(traceback.format_exception(exc)),
                }
            record(rec)
            bar.update()
            fut.release()


# -- the merged summary -----------------------------------------------------------------


def _coord_values(values: list) -> np.ndarray:
    """Coordinate array for labels: numbers / bools / strings as such, mixed as strings."""
    types = {type(v) for v in values}
    if types <= {int} or types <= {bool} or types <= {str}:
        return np.asarray(values)
    if types <= {int, float}:
        return np.asarray(values, dtype=np.float64)
    return np.asarray([v if isinstance(v, str) else json.dumps(v) for v in values])


def _lookup(config: dict, key: str):
    node = config
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _merge_summary(sweep: Sweep, points: list[Point], records: dict, out: Path) -> xr.Dataset:
    from .spec import _flatten, _label

    dims, shape = sweep.dims, sweep.shape
    keys: list[str] = []
    for rec in records.values():
        for k in rec.get("summary") or {}:
            if k not in keys:
                keys.append(k)
    data = {k: np.full(shape, np.nan) for k in keys}
    status = np.full(shape, "missing", dtype=object)
    error = np.full(shape, "", dtype=object)
    hashes = np.full(shape, "", dtype=object)
    files = np.full(shape, "", dtype=object)
    for p in points:
        rec = records.get(p.hash, {"status": "missing", "error": ""})
        status[p.index] = rec["status"]
        error[p.index] = rec.get("error", "")
        hashes[p.index] = p.hash
        if rec["status"] == "ok":
            files[p.index] = f"{POINTS_DIR}/{p.filename}"
        for k, v in (rec.get("summary") or {}).items():
            data[k][p.index] = np.nan if v is None else v
    coords: dict[str, Any] = {}
    for key, values in sweep.grid.items():
        coords[key] = (key, _coord_values([_label(v) for v in values]))
    if sweep.points:
        coords[POINT_DIM] = (POINT_DIM, np.arange(len(sweep.points)))
        listed: list[str] = []
        for q in sweep.points:
            for k in _flatten(q):
                if k not in listed:
                    listed.append(k)
        first = {p.index[0]: p for p in points if all(i == 0 for i in p.index[1:])}
        for k in listed:
            vals = [_lookup(first[i].config, k) for i in range(len(sweep.points))]
            vals = [None if v is None else _label(v) for v in vals]
            present = [v for v in vals if v is not None]
            if len(present) < len(vals):  # a key some listed points lack
                if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
                    vals = [np.nan if v is None else float(v) for v in vals]
                else:
                    vals = ["" if v is None else v for v in vals]
            coords[k if k not in coords else f"point_{k}"] = (POINT_DIM, _coord_values(vals))
    data_vars = {k: (dims, v) for k, v in data.items()}
    data_vars.update(
        status=(dims, status.astype(str)),
        error=(dims, error.astype(str)),
        hash=(dims, hashes.astype(str)),
        file=(dims, files.astype(str)),
    )
    n_failed = int(np.sum(status == "failed"))
    return result(
        data_vars,
        coords,
        config=sweep.to_dict(),
        result_type=SUMMARY_TYPE,
        sweep_name=sweep.name,
        sweep_kind=sweep.kind,
        sweep_identity=sweep.identity,
        swept_keys=json.dumps(list(dims)),
        n_points=len(points),
        n_failed=n_failed,
    )


def load_summary(out) -> xr.Dataset:
    """The merged summary ``out/summary.nc`` of a sweep directory."""
    return load(Path(out) / SUMMARY_FILE)


def _sweep_of(out: Path) -> Sweep:
    meta = out / SWEEP_FILE
    if not meta.exists():
        raise FileNotFoundError(f"{out}: no {SWEEP_FILE}; not a sweep directory")
    return load_sweep(_read_json(meta, "sweep file")["spec"])


def open_points(out, **open_kwargs) -> xr.Dataset:
    """All point trajectories of a finished sweep as one lazy Dataset (dask arrays).

    Uses :func:`xarray.open_mfdataset` nested over the summary dims (``point`` and/or the
    grid keys) in front of ``walker, time, coord``. Needs every point done and all points of
    the same shape; otherwise one ValueError says which point is missing or differs (open
    such points one by one with :func:`fractalsgd.load` and the summary's ``file``).
    """
    out = Path(out)
    sweep = _sweep_of(out)
    points = sweep.expand()
    nested: Any = np.empty(sweep.shape, dtype=object)
    for p in points:
        path = point_path(out, p)
        if _stored(path, p) is None:
            where = ", ".join(f"{d}={v!r}" for d, v in p.labels.items()) or str(p.index)
            raise ValueError(f"{out}: point {where} has no valid file (failed or not run yet)")
        nested[p.index] = str(path)
    kw = dict(
        combine="nested",
        concat_dim=list(sweep.dims),
        engine="netcdf4",
        join="exact",
        data_vars="all",
        coords="minimal",
        compat="override",
        combine_attrs="drop_conflicts",
        decode_times=False,
    )
    kw.update(open_kwargs)
    try:
        ds = xr.open_mfdataset(nested.tolist(), **kw)
    except ValueError as exc:
        raise ValueError(
            f"{out}: points cannot be combined (different shapes or steps: "
            f"{str(exc).splitlines()[0]}); open them one by one with fractalsgd.load"
        ) from None
    summary_coords = _merge_summary(sweep, points, {}, out).coords
    ds = ds.transpose(*sweep.dims, ...)
    return ds.assign_coords({k: v for k, v in summary_coords.items()})


def reduce_summary(summary: xr.Dataset, dim: str = "seed") -> xr.Dataset:
    """Mean, standard error and count of every summary number over ``dim`` (e.g. seeds).

    Only points with status "ok" and finite values count: ``X`` (mean), ``X_sem``
    (sample sd / sqrt(n), NaN for n < 2) and ``X_n``. Returns a summary result Dataset.
    """
    if dim not in summary.dims:
        raise ValueError(f"dim {dim!r} is not a dim of the summary {tuple(summary.dims)}")
    ok = summary["status"] == "ok"
    out = {}
    for name, var in summary.data_vars.items():
        if name in ("status", "error", "hash", "file") or var.dtype.kind != "f":
            continue
        v = var.where(ok)
        n = v.notnull().sum(dim)
        out[name] = v.mean(dim)
        out[f"{name}_sem"] = (v.std(dim, ddof=1) / np.sqrt(n)).where(n > 1)
        out[f"{name}_n"] = n
    coords = {k: c for k, c in summary.coords.items() if dim not in c.dims}
    attrs = {k: v for k, v in summary.attrs.items() if k.startswith("sweep_")}
    return result(
        out,
        coords,
        inputs=summary,
        config={"reduce": dim},
        result_type=SUMMARY_TYPE,
        reduced_over=dim,
        **attrs,
    )
