"""``fractalsgd plot FILE --out fig.png``: the standard figure for a result or trajectory."""

from __future__ import annotations

HELP = "draw the standard figure for a fractalsgd NetCDF file"


def register(parser) -> None:
    parser.add_argument("file", help="a NetCDF file written by fractalsgd")
    parser.add_argument("--out", required=True, help="output PNG path")
    parser.add_argument("--dpi", type=int, default=120)
    parser.set_defaults(func=run)


def run(args) -> int:
    from ..plotting import draw
    from ..store import load

    ds = load(args.file)
    draw(ds, args.out, dpi=args.dpi)
    print(args.out)
    return 0
