"""``fractalsgd study NAME [--scale smoke|quick|full] [--scheduler local|ADDRESS]
[--workers N]``: run one of the studies (the scheduler applies to the sweep studies)."""

from __future__ import annotations

HELP = "run a study that reproduces a claim of the paper (--list shows them)"


def register(parser) -> None:
    parser.add_argument("name", nargs="?", help="study name (see --list)")
    parser.add_argument("--list", action="store_true", help="list the studies and exit")
    parser.add_argument("--scale", default="quick", choices=["smoke", "quick", "full"])
    parser.add_argument("--out-dir", default=None, help="output folder (default data/NAME)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument(
        "--scheduler",
        default="none",
        help="where a sweep study (dnn_batch_lr, dnn_controls, toy_phase_diagram) runs its "
        "points: none (in-process, default), local (a Dask LocalCluster) or a Dask "
        "scheduler address tcp://HOST:PORT; point files go to OUT/scratch/sweep and a "
        "re-run resumes from them",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="LocalCluster workers (--scheduler local)"
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    from .. import studies
    from . import CLIError

    if args.list:
        for name, desc in studies.available().items():
            print(f"{name:22s} {desc}")
        return 0
    if not args.name:
        raise CLIError("give a study NAME or --list")
    paths = studies.run(
        args.name,
        args.scale,
        args.out_dir,
        progress=not args.quiet,
        scheduler=args.scheduler,
        workers=args.workers,
    )
    for p in paths:
        print(p)
    return 0
