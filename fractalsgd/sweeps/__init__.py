"""Parameter sweeps on Dask: from one laptop to a cluster without changing the study.

A sweep (base configuration + grid and/or explicit list, from TOML or a dict; see
:mod:`fractalsgd.sweeps.spec`) runs one task per point on a dask.distributed cluster (a
LocalCluster, or any scheduler address: ``dask scheduler``, dask-jobqueue, Kubernetes) or
in-process. Each point writes one NetCDF named by the hash of its configuration and
returns a small summary; the merged summary has one dim per swept key. Re-running skips
finished points; points that raise are recorded and the others go on.

>>> from fractalsgd.sweeps import run_sweep                         # doctest: +SKIP
>>> summary = run_sweep("examples/sweeps/toy_hurst_lr.toml", "runs/toy", workers=4)

Needs the ``distributed`` extra (``pip install 'fractalsgd[distributed]'``).
"""

from .._optional import require

require("dask", "distributed", "fractalsgd.sweeps")
require("distributed", "distributed", "fractalsgd.sweeps")

from .kinds import PointKind, get_point_kind, point_kinds, register_point_kind  # noqa: E402
from .runner import gpu_for_worker, load_summary, open_points, run_sweep  # noqa: E402
from .spec import Point, Sweep, config_hash, load_sweep  # noqa: E402
from .summaries import msd_exponents, trajectory_summary, walker_summary  # noqa: E402

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
    "gpu_for_worker",
    "msd_exponents",
    "trajectory_summary",
    "walker_summary",
]
