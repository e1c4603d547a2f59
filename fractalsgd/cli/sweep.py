"""``fractalsgd sweep SWEEP.toml --out DIR``: run a parameter sweep on Dask or in-process."""

from __future__ import annotations

HELP = "run a parameter sweep (TOML: base + grid/points) on a Dask cluster or in-process"


def _positive(text: str) -> int:
    import argparse

    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return v


EPILOG = (
    "Exit status: 0 all points ok, 1 some points failed (recorded in the summary and "
    "DIR/failures.json), 2 bad input. Re-running skips finished points."
)


def register(parser) -> None:
    parser.epilog = EPILOG
    parser.add_argument("sweep", help="sweep file (TOML: [sweep] kind, [base], [grid], [[points]])")
    parser.add_argument("--out", required=True, help="output directory (one NetCDF per point)")
    parser.add_argument(
        "--scheduler",
        default="local",
        help="'local' (a LocalCluster, default), 'none' (in-process, sequential) or the "
        "address of a running Dask scheduler, e.g. tcp://host:8786",
    )
    parser.add_argument(
        "--workers", type=_positive, default=None, help="LocalCluster workers (default 2)"
    )
    parser.add_argument(
        "--threads-per-worker", type=_positive, default=1, help="LocalCluster threads per worker"
    )
    parser.add_argument(
        "--numba-threads",
        type=_positive,
        default=None,
        help="Numba threads per point (default: cores / (workers x threads per worker))",
    )
    parser.add_argument(
        "--retry-failed", action="store_true", help="run again the points that failed before"
    )
    parser.add_argument(
        "--force", action="store_true", help="use an output directory holding other files"
    )
    parser.add_argument(
        "--connect-timeout",
        type=float,
        default=10.0,
        help="seconds to wait for a scheduler address to answer (default 10)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args) -> int:
    import sys

    from ..sweeps import run_sweep

    if args.connect_timeout <= 0:
        raise ValueError(f"--connect-timeout must be > 0, got {args.connect_timeout}")
    ds = run_sweep(
        args.sweep,
        args.out,
        scheduler=args.scheduler,
        workers=args.workers,
        threads_per_worker=args.threads_per_worker,
        numba_threads=args.numba_threads,
        retry_failed=args.retry_failed,
        force=args.force,
        progress=not args.no_progress,
        connect_timeout=args.connect_timeout,
    )
    n_failed = int(ds.attrs["n_failed"])
    if n_failed:
        print(
            f"fractalsgd sweep: {n_failed} of {ds.attrs['n_points']} points failed "
            f"(errors in the summary and {args.out}/failures.json; rerun with --retry-failed)",
            file=sys.stderr,
        )
        return 1
    return 0
