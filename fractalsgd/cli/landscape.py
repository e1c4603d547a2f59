"""``fractalsgd landscape FILE_OR_CONFIG --out net.nc``: minima, transition states, network.

FILE_OR_CONFIG is one of

* a ``.npy`` file holding a 1-D or 2-D grid of energies (exact grid network);
* a landscape configuration: a JSON file or inline JSON such as
  ``'{"name": "spectral", "size": 257}'`` (:func:`fractalsgd.landscapes.from_config`);
  grid surfaces give the exact grid network, other landscapes are explored by basin
  hopping and NEB;
* a trajectory NetCDF file whose configuration names its landscape (``"landscape"``):
  the network of minima and transition states the walkers visited.

``fractalsgd plot net.nc --out dg.png`` then draws the disconnectivity graph.
"""

from __future__ import annotations

HELP = "build the network of minima and transition states (for a disconnectivity graph)"


def register(parser) -> None:
    parser.add_argument(
        "source", metavar="FILE_OR_CONFIG", help=".npy grid, JSON config or trajectory .nc"
    )
    parser.add_argument("--out", required=True, help="output NetCDF path for the network")
    parser.add_argument("--periodic", action="store_true", help="grid wraps around")
    parser.add_argument(
        "--connectivity", type=int, default=8, choices=(4, 8), help="2-D grid neighbourhood"
    )
    parser.add_argument(
        "--n-levels", type=int, default=20, help="levels of the disconnectivity graph"
    )
    parser.add_argument("--steps", type=int, default=50, help="basin-hopping steps (continuous)")
    parser.add_argument(
        "--step-size", type=float, default=0.2, help="basin-hopping move (continuous)"
    )
    parser.add_argument("--temperature", type=float, default=1.0, help="basin-hopping temperature")
    parser.add_argument("--seed", type=int, default=0, help="basin-hopping seed")
    parser.add_argument(
        "--every", type=int, default=10, help="quench every N-th snapshot (trajectory)"
    )
    parser.set_defaults(func=run)


def _load_config(src: str):
    import json
    from pathlib import Path

    text = src
    p = Path(src)
    if p.suffix.lower() == ".json" or (not src.lstrip().startswith("{") and p.exists()):
        if not p.exists():
            raise FileNotFoundError(f"{src}: no such file")
        text = p.read_text()
    try:
        cfg = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{src}: not a .npy grid, trajectory .nc or JSON landscape config ({exc})"
        ) from None
    if not isinstance(cfg, dict):
        raise ValueError(f"{src}: landscape config must be a JSON object")
    return cfg.get("landscape", cfg) if "name" not in cfg else cfg


def build(args):
    from pathlib import Path

    import numpy as np

    from ..energy import LandscapeNetwork, basin_hopping, explore

    src = args.source
    p = Path(src)
    if p.suffix.lower() == ".npy":
        if not p.exists():
            raise FileNotFoundError(f"{src}: no such file")
        Z = np.load(p, allow_pickle=False)
        return LandscapeNetwork.from_grid(
            Z,
            periodic=args.periodic,
            connectivity=args.connectivity,
            config={"source_file": str(p)},
        ), None
    from ..landscapes import from_config

    if p.suffix.lower() in (".nc", ".nc4"):
        from ..schema import config_of
        from ..store import load

        ds = load(p)
        cfg = config_of(ds).get("landscape")
        if not isinstance(cfg, dict):
            raise ValueError(f"{src}: trajectory configuration names no landscape ('landscape')")
        land = from_config(cfg)
        return explore(land, ds, every=args.every), ds
    land = from_config(_load_config(src))
    if getattr(land, "grid", None) is not None:
        return LandscapeNetwork.from_landscape(
            land, periodic=args.periodic, connectivity=args.connectivity
        ), None
    bounds = None
    ext = getattr(land, "extent", None)
    if ext is not None and len(ext) == 2 * land.dim:
        bounds = (np.asarray(ext[0::2]), np.asarray(ext[1::2]))
    bh = basin_hopping(land, args.steps, args.step_size, args.temperature, args.seed, bounds=bounds)
    # rough landscapes split NEB bands endlessly: keep each connection cheap
    ckw = {"max_bands": 4, "maxiter": 1000}
    return explore(land, bh.x[bh.chain][None], every=1, connect_kw=ckw), None


def run(args) -> int:
    from ..energy import disconnectivity, funnel_fraction

    if args.n_levels < 2:
        raise ValueError(f"--n-levels must be >= 2, got {args.n_levels}")
    net, inputs = build(args)
    ds = net.to_dataset(inputs=inputs)
    ds.attrs["n_levels"] = int(args.n_levels)
    from ..store import save

    save(ds, args.out)
    tree = disconnectivity(net, n_levels=args.n_levels)
    frac, _ = funnel_fraction(tree)
    print(
        f"{args.out}: {net.n_minima} minima, {net.n_ts} transition states, "
        f"global minimum {net.global_minimum} (E = {net.energy.min():.6g}), "
        f"{tree.n_components} connected tree(s), funnel fraction {frac:.3f}"
    )
    return 0
