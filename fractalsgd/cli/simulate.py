"""``fractalsgd simulate``: run walkers on a synthetic landscape and save the trajectory.

Example (the paper's toy model, 100 walkers)::

    fractalsgd simulate --landscape diamond_square --param seed=3 --walkers 100 \\
        --steps 1000 --lr 0.02 --noise 0.01 --boundary redraw --seed 1 --out toy.nc

``--param KEY=VALUE`` sets a landscape parameter (VALUE read as JSON when it parses:
numbers, true/false, null; otherwise as a string). The file holds the full configuration,
so ``fractalsgd info toy.nc`` shows how to rerun it.
"""

from __future__ import annotations

from . import CLIError

HELP = "run walkers on a synthetic landscape and save the trajectory (NetCDF)"
LANDSCAPE_NAMES = (
    "weierstrass",
    "diamond_square",
    "spectral",
    "shuffled",
    "flat",
    "quadratic",
    "cone",
    "cosine",
)


def register(parser) -> None:
    parser.add_argument(
        "--landscape", required=True, metavar="NAME", help=f"one of {', '.join(LANDSCAPE_NAMES)}"
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="landscape parameter (repeatable), e.g. --param dim=10 --param hurst=0.3",
    )
    parser.add_argument("--walkers", type=int, required=True, help="number of walkers")
    parser.add_argument("--steps", type=int, required=True, help="number of steps")
    parser.add_argument("--lr", type=float, required=True, help="learning rate (gradient step)")
    parser.add_argument("--noise", type=float, required=True, help="noise scale")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", required=True, metavar="FILE.nc", help="output NetCDF file")
    parser.add_argument(
        "--start",
        default="uniform",
        help="'uniform' (default) or a .npy file of shape (dim,) or (walkers, dim)",
    )
    parser.add_argument("--momentum", type=float, default=0.0, help="heavy-ball momentum")
    parser.add_argument("--noise-kind", default="gaussian", choices=("gaussian", "levy"))
    parser.add_argument("--levy-alpha", type=float, default=1.5, help="stability index (levy)")
    parser.add_argument(
        "--boundary", default="none", choices=("none", "reflect", "periodic", "redraw")
    )
    parser.add_argument(
        "--box",
        type=float,
        nargs=2,
        metavar=("LO", "HI"),
        help="box for the boundary rule (default: the landscape's domain)",
    )
    parser.add_argument(
        "--record", default="all", help="'all', 'log' or an integer stride (default all)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def parse_params(items) -> dict:
    """``["k=1", "rotate=true", "name=x"]`` -> ``{"k": 1, "rotate": True, "name": "x"}``."""
    import json

    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise CLIError(f"--param must look like KEY=VALUE, got {item!r}")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def _record(text: str):
    if text in ("all", "log"):
        return text
    try:
        return int(text)
    except ValueError:
        raise CLIError(
            f"--record must be 'all', 'log' or an integer stride, got {text!r}"
        ) from None


def run(args) -> int:
    import numpy as np

    from ..landscapes import from_config
    from ..store import save
    from ..walkers import simulate
    from . import EXIT_INTERRUPTED

    params = parse_params(args.param)
    if "name" in params:
        raise CLIError("give the landscape name with --landscape, not --param name=...")
    landscape = from_config({"name": args.landscape, **params})
    start = args.start
    if start != "uniform":
        try:
            start = np.load(start)
        except (OSError, ValueError) as exc:
            raise CLIError(f"--start {args.start}: cannot read a .npy array ({exc})") from None
    ds = simulate(
        landscape,
        args.walkers,
        args.steps,
        args.lr,
        args.noise,
        start=start,
        momentum=args.momentum,
        noise_kind=args.noise_kind,
        levy_alpha=args.levy_alpha,
        boundary=args.boundary,
        box=None if args.box is None else tuple(args.box),
        record=_record(args.record),
        seed=args.seed,
        progress=not args.no_progress,
    )
    path = save(ds, args.out)
    n_div = int(ds["diverged"].sum())
    print(
        f"{path}: {ds.sizes['walker']} walkers x {ds.sizes['time']} snapshots x "
        f"{ds.sizes['coord']} coords, steps 0..{int(ds['step'][-1])}, "
        f"{ds.attrs['status']}, {n_div} diverged"
    )
    return EXIT_INTERRUPTED if ds.attrs["status"] == "interrupted" else 0
