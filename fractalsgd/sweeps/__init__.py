"""Parameter sweeps on Dask: from one laptop to a cluster without changing the study.

A sweep (base configuration + grid and/or explicit list, from TOML or a dict; see
:mod:`fractalsgd.sweeps.spec`) runs one task per point on a dask.distributed cluster (a
LocalCluster, or any scheduler address: ``dask scheduler``, dask-jobqueue, Kubernetes) or
in-process. Each point writes one NetCDF named by the hash of its configuration and
returns a small summary; the merged summary has one dim per swept key. Re-running skips
finished points; points that raise are recorded and the others go on.

>>> from fractalsgd.sweeps import run_sweep                         # doctest: +SKIP
>>> summary = run_sweep("examples/sweeps/toy_weierstrass.toml", "runs/toy", workers=4)
>>> trajectories = open_points("runs/toy")                          # lazy, dask-backed

On an existing cluster (``dask scheduler`` + ``dask worker ADDRESS``, dask-jobqueue,
Kubernetes) pass its address: ``fractalsgd sweep S.toml --out DIR --scheduler
tcp://host:8786``. Workers write the point files themselves, so ``DIR`` must be on a
file system every worker sees (the usual NFS / Lustre home or scratch); fractalsgd must be
installed on the workers (a ``"module:function"`` point kind must be importable there).

Threads: each task caps Numba at cores / (worker threads) (``numba_threads`` to choose);
DNN points with ``device = "auto"`` use GPU ``worker index % n_gpus`` (the worker name's
trailing number: 0..N-1 on a LocalCluster) - run one single-threaded worker per GPU, e.g.
``--workers <n_gpus> --threads-per-worker 1``.

The ``"local"`` and address schedulers need the ``distributed`` extra (``pip install
'fractalsgd[distributed]'``; imported only when such a scheduler is used, with a one-line
"needs" message otherwise); ``scheduler="none"`` runs in-process without dask, and
:func:`open_points` needs dask itself (lazy arrays).
"""

from .kinds import PointKind, get_point_kind, point_kinds, register_point_kind
from .runner import (
    gpu_for_worker,
    load_summary,
    open_points,
    reduce_summary,
    run_sweep,
)
from .spec import Point, Sweep, config_hash, load_sweep
from .summaries import msd_exponents, trajectory_summary, walker_summary

__all__ = [
    "Sweep",
    "Point",
    "PointKind",
    "load_sweep",
    "config_hash",
    "register_point_kind",
    "get_point_kind",
    "point_kinds",
    "run_sweep",
    "open_points",
    "load_summary",
    "reduce_summary",
    "gpu_for_worker",
    "msd_exponents",
    "trajectory_summary",
    "walker_summary",
]
