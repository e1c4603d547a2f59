"""``fractalsgd analyze FILE.nc --out RESULT.nc [--window W]``: the standard MSD analysis.

Writes windowed TAMSD, local exponent beta(tau), aging MSD, a crossover fit per window
and (with several walkers) the EAMSD; for DNN recorder files also the exponents and
crossovers of the exact full-weight ``tamsd`` recorded during training. Draw it with
``fractalsgd plot RESULT.nc --out fig.png``.
"""

from __future__ import annotations

from . import CLIError

HELP = "MSD analysis of a trajectory file: windowed TAMSD, exponents, crossover, aging"


def register(parser) -> None:
    parser.add_argument("file", help="a trajectory NetCDF file written by fractalsgd")
    parser.add_argument("--out", required=True, metavar="RESULT.nc", help="output NetCDF file")
    parser.add_argument(
        "--window", type=int, default=None, metavar="W",
        help="window length in snapshots (default: the whole trajectory as one window)",
    )  # fmt: skip
    parser.add_argument("--delta", type=int, default=20, help="beta(tau) step (default 20)")
    parser.add_argument(
        "--breaks", default="1", choices=["0", "1", "2", "auto"],
        help="crossover breakpoints per window (default 1: the paper's two regimes)",
    )  # fmt: skip
    parser.add_argument(
        "--fit-range", type=float, nargs=2, default=None, metavar=("LO", "HI"),
        help="lag range (steps) of the crossover fit (default: all lags)",
    )  # fmt: skip
    parser.add_argument("--n-boot", type=int, default=200, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    parser.set_defaults(func=run)


def run(args) -> int:
    from ..analysis.msd import analyze_msd
    from ..store import load, save

    ds = load(args.file)
    if ds.attrs.get("kind") != "trajectory":
        raise CLIError(f"{args.file}: is a {ds.attrs.get('kind')!r} file, not a trajectory")
    breaks = args.breaks if args.breaks == "auto" else int(args.breaks)
    res = analyze_msd(
        ds,
        window=args.window,
        delta=args.delta,
        n_breaks=breaks,
        fit_range=tuple(args.fit_range) if args.fit_range else None,
        n_boot=args.n_boot,
        seed=args.seed,
    )
    save(res, args.out)
    s = res["slope"].values
    print(
        f"{args.out}: {res.sizes['t_w']} window(s), {res.sizes['walker']} walker(s); "
        f"first window slopes {', '.join(f'{v:.2f}' for v in s[0] if v == v)}"
    )
    return 0
